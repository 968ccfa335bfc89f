import * as tf from '@tensorflow/tfjs';
import type { Params } from './params';
import type { Rng } from '../contracts/random';
import { ALGORITHM_INFO, type AlgorithmId } from '../contracts/algorithms';
import { architectureOf, isRateName, layerCount, rateName } from '../contracts/architecture';
import type { MlpSpec } from '../contracts/types';
import type { ProblemShape } from '../contracts/config';
import type { SinusoidTask } from '../contracts/tasks/sinusoid';

/**
 * PyTorch's default Linear init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases. He init blew up
 * the inner step at alpha = 0.01 (see the notes); this scale trains.
 */
export function initParams(spec: MlpSpec, rng: Rng): Params {
  const params: Params = {};
  for (let l = 0; l < layerCount(spec); l++) {
    const fanIn = spec.sizes[l];
    const fanOut = spec.sizes[l + 1];
    const bound = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
    const b = new Float32Array(fanOut);
    for (let i = 0; i < b.length; i++) b[i] = rng.uniform(-bound, bound);
    params[`w${l}`] = tf.tensor2d(w, [fanIn, fanOut]);
    params[`b${l}`] = tf.tensor1d(b);
  }
  return params;
}

/**
 * An algorithm's initial meta-parameters: the network (its architecture), plus Meta-SGD's learned rates,
 * which start at `alpha` everywhere (so Meta-SGD starts as MAML).
 */
export function initModel(algorithm: AlgorithmId, rng: Rng, alpha: number, problem: ProblemShape = {}): Params {
  const params = initParams(architectureOf(algorithm, problem), rng);
  if (ALGORITHM_INFO[algorithm].learnedRates)
    for (const [n, t] of Object.entries(params)) params[rateName(n)] = tf.fill(t.shape, alpha);
  return params;
}

/** The network's own parameters (w0, b0, ...), without Meta-SGD's learned rates. */
export function networkNames(params: Params): string[] {
  return Object.keys(params).filter((n) => !isRateName(n));
}

/** True when this parameter carries a leading task axis: w is [T, in, out], b is [T, out]. */
export function isPerTaskTensor(name: string, t: tf.Tensor): boolean {
  return t.rank === (name.replace(/^lr_/, '').startsWith('w') ? 3 : 2);
}

/** True when the network's parameters carry a leading task axis (one copy per task). */
export function isPerTask(params: Params): boolean {
  return isPerTaskTensor('w0', params.w0);
}

/**
 * Copies the named shared parameters (default: the whole network) once per task with broadcastTo, whose
 * gradient is a single sum over the task axis (tile's gradient is a loop of slices), so the meta-gradient
 * flows back to the shared copy cheaply. Others are passed through unchanged.
 */
export function perTask(params: Params, tasks: number, names: string[] = networkNames(params)): Params {
  if (names.every((n) => isPerTaskTensor(n, params[n]))) return params;
  const out: Params = { ...params };
  for (const name of names) {
    const t = params[name];
    if (!isPerTaskTensor(name, t)) out[name] = tf.broadcastTo(tf.expandDims(t, 0), [tasks, ...t.shape]);
  }
  return out;
}

/** The oracle's input: each point's x with its task's amplitude and phase, [T, N, 4]. */
export function oracleInputs(x: tf.Tensor3D, tasks: SinusoidTask[]): tf.Tensor3D {
  return tf.tidy(() => {
    const [T, N] = x.shape;
    const feats = tf.tensor3d(
      tasks.map((t) => [[t.amplitude, Math.sin(t.phase), Math.cos(t.phase)]]),
      [T, 1, 3],
    );
    return tf.concat([x, tf.broadcastTo(feats, [T, N, 3])], 2) as tf.Tensor3D;
  });
}

/**
 * forward(params, x). x is [T, N, in]; params are shared ([in, out]) or per task ([T, in, out]).
 * Tasks are stacked and multiplied with one batched matMul per layer, never a per-task loop.
 */
export function forward(params: Params, x: tf.Tensor3D): tf.Tensor3D {
  const [T, N] = x.shape;
  const layers = networkNames(params).length / 2;
  let h: tf.Tensor = x;
  for (let l = 0; l < layers; l++) {
    const w = params[`w${l}`];
    const b = params[`b${l}`];
    if (w.rank === 3) {
      h = tf.add(tf.matMul(h as tf.Tensor3D, w as tf.Tensor3D), tf.reshape(b, [T, 1, w.shape[2] as number]));
    } else {
      const flat = tf.reshape(h, [T * N, w.shape[0] as number]);
      h = tf.reshape(tf.add(tf.matMul(flat as tf.Tensor2D, w as tf.Tensor2D), b), [T, N, w.shape[1] as number]);
    }
    if (l < layers - 1) h = tf.relu(h);
  }
  return h as tf.Tensor3D;
}

/** Mean squared error of each task: [T]. */
export function mseByTask(pred: tf.Tensor3D, y: tf.Tensor3D): tf.Tensor1D {
  return tf.mean(tf.square(tf.sub(pred, y)), [1, 2]) as tf.Tensor1D;
}

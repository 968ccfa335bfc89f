import * as tf from '@tensorflow/tfjs';
import { forward, mseByTask, perTask } from './model';
import type { Params } from './params';

/** The inner loop's settings: k SGD steps of size alpha on each task's support set. */
export interface InnerConfig {
  steps: number;
  alpha: number;
}

export function zipParams(names: string[], tensors: tf.Tensor[]): Params {
  const out: Params = {};
  names.forEach((n, i) => (out[n] = tensors[i]));
  return out;
}

/** Sum over tasks of each task's MSE: its gradient w.r.t. per-task parameters is each task's own gradient. */
export function summedTaskLoss(params: Params, x: tf.Tensor3D, y: tf.Tensor3D): tf.Scalar {
  return tf.sum(mseByTask(forward(params, x), y));
}

/** Mean over tasks of each task's MSE: the meta-objective. */
export function meanTaskLoss(params: Params, x: tf.Tensor3D, y: tf.Tensor3D): tf.Scalar {
  return tf.mean(mseByTask(forward(params, x), y));
}

/**
 * One SGD step on every task at once. Called inside an outer gradient tape, the inner gradient is recorded on
 * it, so the outer gradient flows through this step exactly (second order).
 */
export function sgdStep(params: Params, x: tf.Tensor3D, y: tf.Tensor3D, alpha: number): Params {
  const names = Object.keys(params);
  const grads = tf.grads((...ts: tf.Tensor[]) => summedTaskLoss(zipParams(names, ts), x, y))(names.map((n) => params[n]));
  return zipParams(
    names,
    names.map((n, i) => tf.sub(params[n], tf.mul(tf.scalar(alpha), grads[i]))),
  );
}

/** k inner steps from the given (shared or per-task) parameters; returns per-task adapted parameters. */
export function adapt(params: Params, x: tf.Tensor3D, y: tf.Tensor3D, cfg: InnerConfig): Params {
  let p = perTask(params, x.shape[0]);
  for (let s = 0; s < cfg.steps; s++) p = sgdStep(p, x, y, cfg.alpha);
  return p;
}

/**
 * Test-time adaptation with a callback at each step 0..k (before any step, then after each). Call inside
 * tf.tidy; intermediate parameters are freed as the loop goes. No outer tape, so nothing second order.
 */
export function adaptSteps<T extends tf.Tensor>(
  params: Params,
  x: tf.Tensor3D,
  y: tf.Tensor3D,
  cfg: InnerConfig,
  atStep: (p: Params, step: number) => T,
): T[] {
  const out: T[] = [];
  let p = perTask(params, x.shape[0]);
  for (let s = 0; s <= cfg.steps; s++) {
    out.push(atStep(p, s));
    if (s < cfg.steps) {
      const current = p;
      p = tf.tidy(() => sgdStep(current, x, y, cfg.alpha));
      if (s > 0) for (const t of Object.values(current)) t.dispose();
    }
  }
  return out;
}

import * as tf from '@tensorflow/tfjs';
import { ALGORITHM_INFO, type AlgorithmId } from '../contracts/algorithms';
import { architectureOf, headNames, rateName } from '../contracts/architecture';
import type { ProblemShape } from '../contracts/config';
import { lossByTask } from './losses';
import { forward, networkNames, perTask } from './model';
import type { Params } from './params';
import type { LossKind } from '../contracts/types';

/** What the inner loop updates and how, beyond step count and size: the algorithm's own rule. */
export interface InnerRule {
  /** The parameters it updates (ANIL: the head; the oracle: none). Default: every network parameter. */
  adapted?: string[];
  /** iMAML: each step descends the support loss + lambda/2 |phi - theta|^2. */
  lambda?: number;
}

/**
 * The inner loop: k steps on each task's support set. Their size is alpha, or, where the parameters carry
 * learned rates (Meta-SGD's lr_w0, ...), those rates, elementwise.
 */
export interface InnerConfig extends InnerRule {
  steps: number;
  alpha: number;
  /** The support loss the steps descend (the problem's; default: squared error). */
  loss?: LossKind;
}

/** An algorithm's inner rule from its training settings: lambda, and the problem (whose network has the head). */
export function innerRule(algorithm: AlgorithmId, training: { lambda: number } & ProblemShape): InnerRule {
  const info = ALGORITHM_INFO[algorithm];
  return {
    ...(info.adapts === 'head' ? { adapted: headNames(architectureOf(algorithm, training)) } : {}),
    ...(info.adapts === 'none' ? { adapted: [] } : {}),
    ...(info.proximal ? { lambda: training.lambda } : {}),
  };
}

export function zipParams(names: string[], tensors: tf.Tensor[]): Params {
  const out: Params = {};
  names.forEach((n, i) => (out[n] = tensors[i]));
  return out;
}

/** Sum over tasks of each task's loss: its gradient w.r.t. per-task parameters is each task's own gradient. */
export function summedTaskLoss(params: Params, x: tf.Tensor3D, y: tf.Tensor3D, loss: LossKind = 'mse'): tf.Scalar {
  return tf.sum(lossByTask(loss, forward(params, x), y));
}

/** Mean over tasks of each task's loss: the meta-objective. */
export function meanTaskLoss(params: Params, x: tf.Tensor3D, y: tf.Tensor3D, loss: LossKind = 'mse'): tf.Scalar {
  return tf.mean(lossByTask(loss, forward(params, x), y));
}

function adaptedNames(params: Params, cfg: InnerRule): string[] {
  return cfg.adapted ?? networkNames(params);
}

/** Each task's gradient of its own loss w.r.t. the named per-task parameters. */
export function taskGradients(params: Params, names: string[], x: tf.Tensor3D, y: tf.Tensor3D, loss: LossKind = 'mse'): tf.Tensor[] {
  return tf.grads((...ts: tf.Tensor[]) => summedTaskLoss({ ...params, ...zipParams(names, ts) }, x, y, loss))(names.map((n) => params[n]));
}

/**
 * One inner step on every task at once. Called inside an outer gradient tape, the inner gradient is recorded
 * on it, so the outer gradient flows through this step exactly (second order), into learned rates too.
 * `anchor` is the starting point theta of the proximal term (iMAML).
 */
export function sgdStep(params: Params, x: tf.Tensor3D, y: tf.Tensor3D, cfg: InnerConfig, anchor?: Params): Params {
  const names = adaptedNames(params, cfg);
  if (names.length === 0) return params;
  const grads = taskGradients(params, names, x, y, cfg.loss);
  const out: Params = { ...params };
  names.forEach((n, i) => {
    const g = cfg.lambda !== undefined && anchor ? tf.add(grads[i], tf.mul(cfg.lambda, tf.sub(params[n], anchor[n]))) : grads[i];
    out[n] = tf.sub(params[n], tf.mul(params[rateName(n)] ?? tf.scalar(cfg.alpha), g));
  });
  return out;
}

/** k inner steps from the given (shared or per-task) parameters; the adapted ones come back per task. */
export function adapt(params: Params, x: tf.Tensor3D, y: tf.Tensor3D, cfg: InnerConfig): Params {
  const start = perTask(params, x.shape[0], adaptedNames(params, cfg));
  let p = start;
  for (let s = 0; s < cfg.steps; s++) p = sgdStep(p, x, y, cfg, start);
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
  const names = adaptedNames(params, cfg);
  const start = perTask(params, x.shape[0], names);
  let p = start;
  for (let s = 0; s <= cfg.steps; s++) {
    out.push(atStep(p, s));
    if (s < cfg.steps && names.length > 0) {
      const current = p;
      p = tf.tidy(() => sgdStep(current, x, y, cfg, start));
      // Only the adapted tensors are this loop's own; the others (a shared body, learned rates) are the caller's.
      if (s > 0) for (const n of names) current[n].dispose();
    }
  }
  return out;
}

/** The inner loop an algorithm runs during meta-training, from the run's settings, on the batch's loss. */
export function trainingInner(algorithm: AlgorithmId, cfg: { innerSteps: number; alpha: number; lambda: number } & ProblemShape, loss: LossKind = 'mse'): InnerConfig {
  return { steps: cfg.innerSteps, alpha: cfg.alpha, ...innerRule(algorithm, cfg), loss };
}

/** A model as used at test time: its meta-parameters, its algorithm's inner rule and its kind of input. */
export interface Learner {
  params: Params;
  rule: InnerRule;
  /** The oracle: the input carries the task's amplitude and phase. */
  taskInput: boolean;
}

export function learnerFor(algorithm: AlgorithmId, params: Params, training: { lambda: number } & ProblemShape): Learner {
  return { params, rule: innerRule(algorithm, training), taskInput: ALGORITHM_INFO[algorithm].input === 'x+task' };
}

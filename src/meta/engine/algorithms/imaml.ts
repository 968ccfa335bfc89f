import * as tf from '@tensorflow/tfjs';
import { adapt, meanTaskLoss, taskGradients, trainingInner, zipParams } from '../inner';
import { networkNames } from '../model';
import type { Params } from '../params';
import { ALGORITHM_INFO } from '../../contracts/algorithms';
import type { Algorithm } from './types';
import type { LossKind } from '../../contracts/types';

/** A vector per task: tensors with a leading task axis, one per parameter name. */
export type TaskVector = tf.Tensor[];

/** <a_t, b_t> for every task t: [T]. */
function taskDot(a: TaskVector, b: TaskVector): tf.Tensor1D {
  return tf.addN(a.map((t, i) => tf.sum(tf.mul(t, b[i]), t.shape.slice(1).map((_, d) => d + 1)))) as tf.Tensor1D;
}

/** Scales each task's slice of v by s[t]. */
function scaleByTask(s: tf.Tensor1D, v: tf.Tensor): tf.Tensor {
  return tf.mul(tf.reshape(s, [s.shape[0], ...v.shape.slice(1).map(() => 1)]), v);
}

/**
 * Solves A_t x_t = b_t for every task at once by conjugate gradient from x = 0, `iterations` steps, where
 * `apply` computes A_t v_t for all tasks (A symmetric positive definite). Returns x and each task's relative
 * residual |b - A x| / |b|. Tasks whose residual is already 0 stay put (divNoNan), and so do tasks where
 * A has non-positive curvature along the search direction (truncated CG).
 */
export function conjugateGradient(
  apply: (v: TaskVector) => TaskVector,
  b: TaskVector,
  iterations: number,
): { x: TaskVector; residual: tf.Tensor1D } {
  let x = b.map((t) => tf.zerosLike(t));
  let r = b;
  let p = b;
  let rs = taskDot(r, r);
  for (let k = 0; k < iterations; k++) {
    const ap = apply(p);
    // Where A is not positive definite along p (lambda too small for this task), stop that task's solve
    // rather than step to a huge or reversed solution: its x stays the last good iterate.
    const curvature = taskDot(p, ap);
    const step = tf.where(tf.greater(curvature, 0), tf.divNoNan(rs, curvature), tf.zerosLike(curvature)) as tf.Tensor1D;
    x = x.map((xi, i) => tf.add(xi, scaleByTask(step, p[i])));
    r = r.map((ri, i) => tf.sub(ri, scaleByTask(step, ap[i])));
    const rsNext = taskDot(r, r);
    const beta = tf.divNoNan(rsNext, rs) as tf.Tensor1D;
    p = r.map((ri, i) => tf.add(ri, scaleByTask(beta, p[i])));
    rs = rsNext;
  }
  return { x, residual: tf.divNoNan(tf.sqrt(rs), tf.sqrt(taskDot(b, b))) as tf.Tensor1D };
}

/**
 * Each task's Hessian of its support loss at its own phi_t, times v_t: the gradient of <grad L(phi), v>
 * (double backward; the tasks are independent, so the Hessian of the summed loss is block diagonal).
 */
export function hessianVectorProduct(phi: Params, names: string[], x: tf.Tensor3D, y: tf.Tensor3D, loss: LossKind = 'mse') {
  return (v: TaskVector): TaskVector =>
    tf.grads((...ts: tf.Tensor[]) => {
      const g = taskGradients({ ...phi, ...zipParams(names, ts) }, names, x, y, loss);
      return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, v[i])))) as tf.Scalar;
    })(names.map((n) => phi[n]));
}

/**
 * iMAML (Rajeswaran et al. 2019). The inner loop approximately solves phi_t = argmin L_support(phi) +
 * lambda/2 |phi - theta|^2 (k proximal gradient steps). At that optimum, d phi_t / d theta = (I + H_t/lambda)^-1
 * with H_t the support-loss Hessian, so the meta-gradient of the query loss is (I + H_t/lambda)^-1 grad
 * L_query(phi_t): solved by conjugate gradient on Hessian-vector products, never forming H. The gradient is only
 * as good as both solves, so both are reported: the mean relative CG residual (CG's own recursive residual;
 * it can underflow to 0 once converged) and the mean norm of the proximal objective's gradient at phi.
 */
export const imaml: Algorithm = {
  ...ALGORITHM_INFO.imaml,
  id: 'imaml',
  metaGradient(params, batch, cfg) {
    const names = networkNames(params);
    const phi = adapt(params, batch.supportX, batch.supportY, trainingInner('imaml', cfg, batch.loss));
    const loss = meanTaskLoss(phi, batch.queryX, batch.queryY, batch.loss);
    const queryGrad = taskGradients(phi, names, batch.queryX, batch.queryY, batch.loss);
    const hvp = hessianVectorProduct(phi, names, batch.supportX, batch.supportY, batch.loss);
    const { x, residual } = conjugateGradient(
      (v) => hvp(v).map((hv, i) => tf.add(v[i], tf.div(hv, cfg.lambda))),
      queryGrad,
      cfg.cgSteps,
    );
    const T = batch.supportX.shape[0];
    // How far the k inner steps are from the proximal optimum the implicit gradient assumes: the norm of the
    // proximal objective's gradient at phi, 0 at the optimum (ReLU kinks can keep it from getting there).
    const supportGrad = taskGradients(phi, names, batch.supportX, batch.supportY, batch.loss);
    const stationarity = supportGrad.map((g, i) => tf.add(g, tf.mul(cfg.lambda, tf.sub(phi[names[i]], params[names[i]]))));
    const innerGradNorm = tf.mean(tf.sqrt(taskDot(stationarity, stationarity))) as tf.Scalar;
    // The meta-objective is the mean over tasks, so its gradient is the mean of the per-task solutions.
    return {
      loss,
      grads: zipParams(names, x.map((t) => tf.div(tf.sum(t, 0), T))),
      stats: { cgResidual: tf.mean(residual), innerGradNorm },
    };
  },
};

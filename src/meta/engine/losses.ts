/**
 * Classification losses whose second derivatives are right (issue 4). TF.js's own exp, softmax, logSoftmax and
 * softmaxCrossEntropy either throw under double backward or are silently wrong (their gradients reuse a saved
 * output; tensorflow/tfjs#3252, see the shared notes). Here every gradient function saves its INPUT and
 * recomputes what it needs from it with these same functions, so the gradient of a gradient is again built of
 * differentiable ops: exact second-order MAML through a softmax classifier. Checked against float64 finite
 * differences in tests/unit/losses.test.ts, to first and second order.
 */
import * as tf from '@tensorflow/tfjs';
import { mseByTask } from './model';
import type { LossKind } from '../contracts/types';

/** A one-input custom gradient that saves its input for the gradient function (never its output). */
function unary(f: (x: tf.Tensor) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor }): (x: tf.Tensor) => tf.Tensor {
  const custom = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return f(x);
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (x) => custom(x);
}

/** exp(x), differentiable any number of times: d exp(x) = exp(x) dx, with exp recomputed from x. */
export const safeExp = unary((x) => ({
  value: tf.exp(x),
  gradFunc: (dy, [saved]) => tf.mul(dy, safeExp(saved)),
}));

/**
 * log sum exp over the last axis, keeping it (shape [..., 1]). The value subtracts the row maximum for
 * stability; the gradient is softmax(x), rebuilt from x with safeExp and logSumExp itself.
 */
export const logSumExp = unary((x) => {
  const m = tf.max(x, -1, true);
  return {
    value: tf.add(m, tf.log(tf.sum(tf.exp(tf.sub(x, m)), -1, true))),
    gradFunc: (dy, [saved]) => tf.mul(dy, softmax(saved)),
  };
});

/** softmax over the last axis, twice differentiable. */
export function softmax(x: tf.Tensor): tf.Tensor {
  return safeExp(tf.sub(x, logSumExp(x)));
}

/** log softmax over the last axis, twice differentiable. */
export function logSoftmax(x: tf.Tensor): tf.Tensor {
  return tf.sub(x, logSumExp(x));
}

/**
 * Each task's mean cross-entropy: logits and one-hot labels are [T, N, C]; returns [T]. Differentiable twice
 * with respect to the logits (and whatever produced them).
 */
export function crossEntropyByTask(logits: tf.Tensor3D, labels: tf.Tensor3D): tf.Tensor1D {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, logSoftmax(logits)), -1), 1)) as tf.Tensor1D;
}

/** Each task's accuracy: the fraction of its N points whose largest logit is the labelled class. [T]. */
export function accuracyByTask(logits: tf.Tensor3D, labels: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), tf.argMax(labels, -1)), 'float32'), 1) as tf.Tensor1D);
}


/** Each task's loss of predictions (or logits) [T, N, out] against targets (or one-hot labels) [T, N, out]: [T]. */
export function lossByTask(kind: LossKind, pred: tf.Tensor3D, y: tf.Tensor3D): tf.Tensor1D {
  return kind === 'crossEntropy' ? crossEntropyByTask(pred, y) : mseByTask(pred, y);
}

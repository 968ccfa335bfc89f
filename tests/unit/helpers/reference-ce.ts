/**
 * The float64 reference for classification (issue 4): softmax cross-entropy of the same ReLU MLP (its last
 * layer's outputs are the logits), its hand-derived gradient, SGD on it and the MAML meta-loss through it.
 * Labels are class indices.
 */
import { backprop, descend, predict, type Layout } from './reference';

export interface ClassData {
  x: number[][];
  labels: number[];
}

export interface ClassTask {
  support: ClassData;
  query: ClassData;
}

function logSoftmaxRow(z: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(z));
  const lse = m + Math.log(Array.from(z).reduce((s, v) => s + Math.exp(v - m), 0));
  return Array.from(z, (v) => v - lse);
}

/** Mean cross-entropy of one task. */
export function crossEntropy(lay: Layout, theta: ArrayLike<number>, data: ClassData): number {
  const logits = predict(lay, theta, data.x);
  return -logits.reduce((s, z, r) => s + logSoftmaxRow(z)[data.labels[r]], 0) / data.x.length;
}

/** Its gradient by backprop: dCE/dz = (softmax(z) - onehot) / N per row. */
export function crossEntropyGrad(lay: Layout, theta: ArrayLike<number>, data: ClassData): Float64Array {
  const n = data.x.length;
  return backprop(lay, theta, data.x, (z, r) => Float64Array.from(logSoftmaxRow(z), (l, c) => (Math.exp(l) - (c === data.labels[r] ? 1 : 0)) / n));
}

export function sgdCE(lay: Layout, theta: ArrayLike<number>, data: ClassData, alpha: number, steps: number): Float64Array {
  return descend((p) => crossEntropyGrad(lay, p, data), theta, alpha, steps);
}

/** MAML meta-loss for classification: mean over tasks of the query cross-entropy after k SGD steps. */
export function mamlLossCE(lay: Layout, theta: ArrayLike<number>, tasks: ClassTask[], alpha: number, steps: number): number {
  return tasks.reduce((s, t) => s + crossEntropy(lay, sgdCE(lay, theta, t.support, alpha, steps), t.query), 0) / tasks.length;
}

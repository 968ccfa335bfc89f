/**
 * Checks the float64 reference itself (no TF.js): its hand-written backprop against a central finite
 * difference. Everything else in the suite trusts this reference, so it has to be right first.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/meta/contracts/random';
import {
  finiteDiff,
  fomamlGrad,
  jointLoss,
  layout,
  mamlLoss,
  mse,
  mseGrad,
  predict,
  relErr,
  sgd,
  type RefTask,
} from './helpers/reference';

function randomTheta(n: number, rng: Rng, scale = 0.5): Float64Array {
  return Float64Array.from({ length: n }, () => rng.uniform(-scale, scale));
}

function randomTasks(rng: Rng, T: number, K: number, inDim = 1, outDim = 1): RefTask[] {
  const data = (n: number) => ({
    x: Array.from({ length: n }, () => Array.from({ length: inDim }, () => rng.uniform(-5, 5))),
    y: Array.from({ length: n }, () => Array.from({ length: outDim }, () => rng.uniform(-3, 3))),
  });
  return Array.from({ length: T }, () => ({ support: data(K), query: data(K) }));
}

describe('float64 reference', () => {
  it('lays parameters out as w0, b0, w1, b1, ... with w [in, out] row-major', () => {
    const lay = layout([2, 3, 1]);
    expect(lay.entries.map((e) => [e.name, e.offset, e.shape])).toEqual([
      ['w0', 0, [2, 3]],
      ['b0', 6, [3]],
      ['w1', 9, [3, 1]],
      ['b1', 12, [1]],
    ]);
    expect(lay.total).toBe(13);
    // Hand-computed forward: h = relu(x W0 + b0), out = h W1 + b1.
    const theta = [1, -1, 0.5, 2, 1, -3, 0.1, 0.2, 0.3, 1, 2, 3, -0.5];
    const x = [1, 2];
    const h = [Math.max(0, 1 * 1 + 2 * 2 + 0.1), Math.max(0, -1 + 2 + 0.2), Math.max(0, 0.5 - 6 + 0.3)];
    const out = h[0] * 1 + h[1] * 2 + h[2] * 3 - 0.5;
    expect(predict(lay, theta, [x])[0][0]).toBeCloseTo(out, 12);
  });

  it('backprop gradient of the MSE matches a central finite difference', () => {
    const rng = new Rng(7);
    for (const sizes of [
      [1, 8, 8, 1],
      [2, 5, 3],
      [1, 40, 40, 1],
    ]) {
      const lay = layout(sizes);
      const theta = randomTheta(lay.total, rng);
      const [task] = randomTasks(rng, 1, 6, sizes[0], sizes[sizes.length - 1]);
      const g = mseGrad(lay, theta, task.support);
      const fd = finiteDiff((p) => mse(lay, p, task.support), theta, 1e-6);
      expect(relErr(g, fd)).toBeLessThan(1e-7);
    }
  });

  it('meta-loss FD is stable in epsilon (the FD is a trustworthy ground truth)', () => {
    const rng = new Rng(8);
    const lay = layout([1, 8, 8, 1]);
    const theta = randomTheta(lay.total, rng);
    const tasks = randomTasks(rng, 3, 5);
    const f = (p: Float64Array) => mamlLoss(lay, p, tasks, 0.05, 2);
    const a = finiteDiff(f, theta, 1e-5);
    const b = finiteDiff(f, theta, 1e-6);
    expect(relErr(a, b)).toBeLessThan(1e-6);
  });

  it('one inner step is theta - alpha * grad, and FOMAML with 0 steps is the plain query gradient', () => {
    const rng = new Rng(9);
    const lay = layout([1, 8, 1]);
    const theta = randomTheta(lay.total, rng);
    const tasks = randomTasks(rng, 2, 4);
    const g = mseGrad(lay, theta, tasks[0].support);
    const phi = sgd(lay, theta, tasks[0].support, 0.1, 1);
    phi.forEach((v, i) => expect(v).toBeCloseTo(theta[i] - 0.1 * g[i], 14));
    const fo0 = fomamlGrad(lay, theta, tasks, 0.1, 0);
    const fdQ = finiteDiff((p) => (mse(lay, p, tasks[0].query) + mse(lay, p, tasks[1].query)) / 2, theta);
    expect(relErr(fo0, fdQ)).toBeLessThan(1e-7);
    // Joint loss: support and query pooled per task, then averaged over tasks.
    const pooled = tasks.map((t) => mse(lay, theta, { x: [...t.support.x, ...t.query.x], y: [...t.support.y, ...t.query.y] }));
    expect(jointLoss(lay, theta, tasks)).toBeCloseTo((pooled[0] + pooled[1]) / 2, 14);
  });
});

/**
 * The typed-array MAML path (src/meta/fast, issue 5) against float64 finite differences and against the tfjs
 * path: loss gradient, Hessian-vector product (R-operator), the exact and first-order meta-gradients for
 * k = 1..3, and a trainer that samples the same tasks from the same seed as MetaTrainer.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../src/meta/engine/algorithms';
import { SINUSOID_MLP } from '../../src/meta/contracts/architecture';
import { defaultTrainConfig } from '../../src/meta/contracts/config';
import { FastMaml, FastMamlTrainer, initFlat } from '../../src/meta/fast/maml';
import { drawMetaBatch, type TaskSet } from '../../src/meta/contracts/tasks/sampling';
import { hessianVector, layoutOf, lossAndGrad, Workspace } from '../../src/meta/fast/mlp';
import { initParams } from '../../src/meta/engine/model';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { disposeBatch, sampleMetaBatch } from '../../src/meta/engine/meta-batch';
import { createTrainer, MetaTrainer } from '../../src/meta/engine/trainer';
import { TypedAlgorithmTrainer, TypedMamlTrainer } from '../../src/meta/engine/typed-trainer';
import { finiteDiff, fomamlGrad, layout, mamlLoss, mse, relErr, type RefTask } from './helpers/reference';
import { batchToRef, flatParams } from './helpers/tf';

const SIZES = [1, 8, 8, 1];
const K = 5;

function refTasks(d: TaskSet): RefTask[] {
  return Array.from({ length: d.tasks.length }, (_, t) => ({
    support: { x: Array.from(d.sx.subarray(t * d.kSupport, (t + 1) * d.kSupport), (x) => [x]), y: Array.from(d.sy.subarray(t * d.kSupport, (t + 1) * d.kSupport), (y) => [y]) },
    query: { x: Array.from(d.qx.subarray(t * d.kQuery, (t + 1) * d.kQuery), (x) => [x]), y: Array.from(d.qy.subarray(t * d.kQuery, (t + 1) * d.kQuery), (y) => [y]) },
  }));
}

// The kernels work on row pairs and blocks of four units: odd K and widths that are not multiples of 4 take
// their remainder paths. One-input nets run their second layer by line.ts unless told not to: both are held
// to finite differences.
describe.each([
  [SIZES, true],
  [SIZES, false],
  [[1, 6, 5, 1], true],
  [[1, 7, 4, 3, 1], true],
  [[1, 7, 4, 3, 1], false],
])('typed-array MLP %j (line kernels: %s): gradient and Hessian-vector product', (SIZES, line) => {
  const lay = layoutOf(SIZES);
  const theta = initFlat(SIZES, new Rng(3));
  const data = drawMetaBatch(new Rng(4), 1, K, K);
  const [task] = refTasks(data);

  it('lossAndGrad is the float64 reference loss and its finite-difference gradient', () => {
    const ws = new Workspace(lay, K, { line });
    const g = new Float64Array(lay.total);
    const loss = lossAndGrad(ws, theta, data.sx, data.sy, K, g);
    expect(ws.onLine).toBe(line);
    expect(loss).toBeCloseTo(mse(layout(SIZES), theta, task.support), 12);
    const fd = finiteDiff((p) => mse(layout(SIZES), p, task.support), theta);
    expect(relErr(g, fd)).toBeLessThan(1e-7);
  });

  it('hessianVector is the finite difference of the gradient along v', () => {
    const ws = new Workspace(lay, K, { line });
    const g = new Float64Array(lay.total);
    const v = initFlat(SIZES, new Rng(8));
    lossAndGrad(ws, theta, data.sx, data.sy, K, g);
    const hv = new Float64Array(lay.total);
    hessianVector(ws, theta, v, K, hv);
    const eps = 1e-6;
    const at = (s: number) => {
      const p = theta.map((x, i) => x + s * eps * v[i]);
      const gp = new Float64Array(lay.total);
      lossAndGrad(new Workspace(lay, K, { line }), p, data.sx, data.sy, K, gp);
      return gp;
    };
    const [gp, gm] = [at(1), at(-1)];
    const fd = gp.map((x, i) => (x - gm[i]) / (2 * eps));
    expect(relErr(hv, fd)).toBeLessThan(1e-6);
    expect(Math.max(...hv.map(Math.abs))).toBeGreaterThan(1e-3);
  });
});

describe('typed-array MAML meta-gradient', () => {
  const lay = layout(SIZES);
  const theta = initFlat(SIZES, new Rng(5));
  const data = drawMetaBatch(new Rng(105), 4, K, K);
  const tasks = refTasks(data);

  for (const steps of [1, 2, 3]) {
    it(`exact: float64 FD of the meta-loss, k = ${steps}; first order: its definition`, () => {
      const alpha = 0.1;
      const fast = new FastMaml(SIZES, 3, K, K);
      const grad = new Float64Array(lay.total);
      const loss = fast.metaGradient(theta, data, steps, alpha, true, grad);
      expect(loss).toBeCloseTo(mamlLoss(lay, theta, tasks, alpha, steps), 12);
      const fd = finiteDiff((p) => mamlLoss(lay, p, tasks, alpha, steps), theta);
      const err = relErr(grad, fd);
      expect(err).toBeLessThan(1e-6);
      const fo = new Float64Array(lay.total);
      fast.metaGradient(theta, data, steps, alpha, false, fo);
      expect(relErr(fo, fomamlGrad(lay, theta, tasks, alpha, steps))).toBeLessThan(1e-9);
      // The second-order term matters here: first order is visibly off the exact gradient.
      expect(relErr(fo, fd)).toBeGreaterThan(1e-2);
    });
  }
});

describe('typed-array MAML against the tfjs path', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  it('same tasks from the same seed, the same initial weights, the same meta-gradient (float32 tolerance)', () => {
    const sizes = SINUSOID_MLP.sizes;
    const lay = layout(sizes);
    const params = initParams(SINUSOID_MLP, new Rng(9));
    const theta = initFlat(sizes, new Rng(9));
    expect(Array.from(theta)).toEqual(Array.from(flatParams(lay, params)));
    const fastData = drawMetaBatch(new Rng(77), 25, 10, 10);
    const { batch } = sampleMetaBatch(new Rng(77), 25, 10, 10);
    expect(refTasks(fastData)).toEqual(batchToRef(batch));
    for (const id of ['maml', 'fomaml'] as const) {
      const cfg = { ...defaultTrainConfig(id), innerSteps: 2 };
      const r = tf.tidy(() => ALGORITHMS[id].metaGradient!(params, batch, cfg));
      const ref = flatParams(lay, r.grads);
      const grad = new Float64Array(lay.total);
      const loss = new FastMaml(sizes, 2, 10, 10).metaGradient(theta, fastData, 2, cfg.alpha, id === 'maml', grad);
      expect(relErr(grad, ref), id).toBeLessThan(1e-4);
      expect(Math.abs(loss - r.loss.dataSync()[0]) / loss).toBeLessThan(1e-5);
      r.loss.dispose();
      disposeParams(r.grads);
    }
    disposeParams(params);
    disposeBatch(batch);
  });

  it('FastMamlTrainer follows MetaTrainer: same tasks, same Adam, the same meta-loss iteration by iteration', async () => {
    const config = { ...defaultTrainConfig('maml'), metaBatch: 10, iterations: 30, seed: 4 };
    const slow = new MetaTrainer(config);
    const fast = new FastMamlTrainer({ sizes: SINUSOID_MLP.sizes, exact: true, ...config });
    for (let i = 0; i < 30; i++) {
      const a = await slow.step();
      const b = fast.step();
      expect(a.ok && b.ok).toBe(true);
      expect(Math.abs(a.loss - b.loss) / b.loss, `iteration ${i + 1}`).toBeLessThan(1e-3);
    }
    expect(relErr(fast.params, flatParams(layout(SINUSOID_MLP.sizes), slow.params))).toBeLessThan(1e-3);
    slow.dispose();
  });
});

describe('TypedMamlTrainer (the Trainer the worker runs for MAML and first-order MAML)', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  it('createTrainer picks it for maml and fomaml only (the others: TypedAlgorithmTrainer); its tensors follow its iterations and leak nothing', async () => {
    expect(createTrainer({ ...defaultTrainConfig('maml'), iterations: 5 })).toBeInstanceOf(TypedMamlTrainer);
    expect(createTrainer({ ...defaultTrainConfig('fomaml'), iterations: 5 })).toBeInstanceOf(TypedMamlTrainer);
    const reptile = createTrainer({ ...defaultTrainConfig('reptile'), iterations: 5 });
    expect(reptile).toBeInstanceOf(TypedAlgorithmTrainer);
    reptile.dispose();
    const tfjs = createTrainer({ ...defaultTrainConfig('reptile'), iterations: 5 }, 'tfjs');
    expect(tfjs.path).toBe('tfjs');
    tfjs.dispose();
    expect(createTrainer({ ...defaultTrainConfig('maml'), iterations: 5 }, 'tfjs').path).toBe('tfjs');

    const start = tf.memory().numTensors;
    const config = { ...defaultTrainConfig('maml'), metaBatch: 5, iterations: 10, seed: 3 };
    const typed = new TypedMamlTrainer(config);
    const slow = new MetaTrainer(config);
    const lay = layout(SINUSOID_MLP.sizes);
    // Same start as MetaTrainer, as float32 tensors in the named layout.
    expect(relErr(flatParams(lay, typed.params), flatParams(lay, slow.params))).toBe(0);
    for (let i = 1; i <= 5; i++) {
      const r = await typed.step();
      expect(r).toMatchObject({ ok: true, iteration: i });
      await slow.step();
      // Asked inside a tidy (as evaluation does), the cached tensors survive it.
      const inTidy = tf.tidy(() => typed.params.w1);
      expect(inTidy.isDisposed).toBe(false);
    }
    expect(relErr(flatParams(lay, typed.params), flatParams(lay, slow.params))).toBeLessThan(1e-3);
    slow.dispose();
    expect(tf.memory().numTensors).toBe(start + 6);
    const taken = typed.takeParams();
    typed.dispose();
    expect(tf.memory().numTensors).toBe(start + 6);
    disposeParams(taken);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('refuses a diverging update with the same words as MetaTrainer, keeping the last good parameters', async () => {
    const typed = new TypedMamlTrainer({ ...defaultTrainConfig('maml'), alpha: 5, iterations: 10 });
    const before = Array.from(flatParams(layout(SINUSOID_MLP.sizes), typed.params));
    const r = await typed.step();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^Training diverged at iteration 1: .*alpha = 5.*The last good parameters are kept/);
    expect(typed.iteration).toBe(0);
    expect(Array.from(flatParams(layout(SINUSOID_MLP.sizes), typed.params))).toEqual(before);
    typed.dispose();
  });
});

/**
 * The TF.js meta-learning maths (float32) against the float64 reference (tests/unit/helpers/reference.ts):
 * forward pass, inner SGD steps, the exact second-order MAML meta-gradient (vs a float64 central finite
 * difference of the meta-loss), first-order MAML against its definition, and the joint-training gradient.
 * Run on both Node backends (cpu and wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fomaml } from '../../src/meta/engine/algorithms/fomaml';
import { ALGORITHMS } from '../../src/meta/engine/algorithms';
import { maml } from '../../src/meta/engine/algorithms/maml';
import { pretrained } from '../../src/meta/engine/algorithms/pretrained';
import { adapt, adaptSteps, sgdStep } from '../../src/meta/engine/inner';
import { defaultTrainConfig } from '../../src/meta/contracts/config';
import { forward, initParams, isPerTask, perTask } from '../../src/meta/engine/model';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, type Params } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { disposeBatch, sampleMetaBatch, type MetaBatch } from '../../src/meta/engine/meta-batch';
import {
  finiteDiff,
  fomamlGrad,
  jointLoss,
  layout,
  mamlLoss,
  predict,
  relErr,
  sgd,
  type Layout,
  type RefTask,
} from './helpers/reference';
import { batchToRef, flatParams } from './helpers/tf';

const SIZES = [1, 8, 8, 1];
const T = 4;
const K = 5;
const FD_EPS = 1e-5;

/** Gradient returned by an algorithm (inside tidy), as a float64 vector in the reference layout. */
function algoGrad(lay: Layout, algo: (typeof ALGORITHMS)[keyof typeof ALGORITHMS], params: Params, batch: MetaBatch, steps: number, alpha: number) {
  const { loss, grads } = tf.tidy(() => algo.metaGradient!(params, batch, { ...defaultTrainConfig(algo.id), innerSteps: steps, alpha }));
  const out = { loss: loss.dataSync()[0], grad: flatParams(lay, grads) };
  for (const name of Object.keys(grads)) expect(grads[name].shape).toEqual(params[name].shape);
  loss.dispose();
  disposeParams(grads);
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

describe.each(['cpu', 'wasm'])('meta-gradients on the %s backend', (backend) => {
  const lay = layout(SIZES);
  let params: Params;
  let batch: MetaBatch;
  let theta: Float64Array;
  let tasks: RefTask[];

  beforeAll(async () => {
    expect(await useNodeBackend(backend)).toBe(backend);
    params = initParams({ sizes: SIZES }, new Rng(3));
    batch = sampleMetaBatch(new Rng(103), T, K, K).batch;
    theta = flatParams(lay, params);
    tasks = batchToRef(batch);
  });

  afterAll(() => {
    disposeParams(params);
    disposeBatch(batch);
  });

  it('forward() matches the float64 reference, shared and per task, batched and task by task', () => {
    const shared = tf.tidy(() => forward(params, batch.queryX).arraySync());
    const broadcast = tf.tidy(() => forward(perTask(params, T), batch.queryX).arraySync());
    const stackedParams = tf.tidy(() => {
      // Genuinely different parameters per task: theta plus a task-specific perturbation.
      const out: Params = {};
      for (const [n, p] of Object.entries(params)) out[n] = tf.stack(Array.from({ length: T }, (_, t) => tf.add(p, 0.05 * (t + 1))));
      return out;
    });
    const batched = tf.tidy(() => forward(stackedParams, batch.queryX).arraySync());
    for (let t = 0; t < T; t++) {
      const ref = predict(lay, theta, tasks[t].query.x);
      for (let i = 0; i < K; i++) {
        expect(shared[t][i][0]).toBeCloseTo(ref[i][0], 5);
        // Broadcast per-task copies of the shared params give the same outputs as the shared params.
        expect(Math.abs(broadcast[t][i][0] - shared[t][i][0])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(shared[t][i][0])));
      }
      // Task t alone, with its own slice of the per-task parameters, equals row t of the batched pass.
      const single = tf.tidy(() => {
        const p: Params = {};
        for (const [n, v] of Object.entries(stackedParams)) p[n] = tf.slice(v, [t], [1]);
        return forward(p, tf.slice(batch.queryX, [t], [1]) as tf.Tensor3D).arraySync()[0];
      });
      const refT = predict(lay, flatParams(lay, stackedParams, t), tasks[t].query.x);
      for (let i = 0; i < K; i++) {
        expect(Math.abs(single[i][0] - batched[t][i][0])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(single[i][0])));
        expect(batched[t][i][0]).toBeCloseTo(refT[i][0], 5);
      }
    }
    disposeParams(stackedParams);
  });

  it('perTask() adds a task axis without changing values', () => {
    tf.tidy(() => {
      const p = perTask(params, T);
      expect(isPerTask(p)).toBe(true);
      expect(isPerTask(params)).toBe(false);
      expect(p.w1.shape).toEqual([T, 8, 8]);
      expect(p.b1.shape).toEqual([T, 8]);
      for (let t = 0; t < T; t++) expect(Array.from(flatParams(lay, p, t))).toEqual(Array.from(theta));
      expect(perTask(p, T)).toBe(p);
    });
  });

  for (const alpha of [0.05, 0.1]) {
    it(`inner steps (sgdStep, adapt, adaptSteps) match float64 SGD per task, alpha ${alpha}`, () => {
      for (const steps of [1, 2, 3]) {
        const adapted = tf.tidy(() => adapt(params, batch.supportX, batch.supportY, { steps, alpha }));
        expect(isPerTask(adapted)).toBe(true);
        for (let t = 0; t < T; t++) {
          const ref = sgd(lay, theta, tasks[t].support, alpha, steps);
          const got = flatParams(lay, adapted, t);
          expect(relErr(got, ref)).toBeLessThan(1e-5);
          // The displacement phi - theta (what the step actually did) is right too, not just phi ~ theta.
          const dGot = got.map((v, i) => v - theta[i]);
          const dRef = ref.map((v, i) => v - theta[i]);
          expect(maxAbs(dRef)).toBeGreaterThan(1e-2);
          expect(relErr(dGot, dRef)).toBeLessThan(1e-4);
        }
        disposeParams(adapted);
      }
      // sgdStep on per-task params: each task steps on its own support loss only.
      const one = tf.tidy(() => sgdStep(perTask(params, T), batch.supportX, batch.supportY, { steps: 1, alpha }));
      for (let t = 0; t < T; t++) expect(relErr(flatParams(lay, one, t), sgd(lay, theta, tasks[t].support, alpha, 1))).toBeLessThan(1e-5);
      disposeParams(one);
      // adaptSteps: a callback before any step, then after each, with the matching parameters.
      const before = tf.memory().numTensors;
      const steps: number[] = [];
      const seen = tf.tidy(() =>
        adaptSteps(params, batch.supportX, batch.supportY, { steps: 3, alpha }, (p, s) => {
          expect(isPerTask(p)).toBe(true);
          steps.push(s);
          return tf.concat(Object.keys(params).map((n) => tf.reshape(p[n], [T, -1])), 1);
        }),
      );
      expect(seen).toHaveLength(4);
      expect(steps).toEqual([0, 1, 2, 3]);
      expect(tf.memory().numTensors).toBe(before + 4);
      seen.forEach((flat, s) => {
        const rows = flat.arraySync() as number[][];
        for (let t = 0; t < T; t++) expect(relErr(rows[t], sgd(lay, theta, tasks[t].support, alpha, s))).toBeLessThan(1e-5);
        flat.dispose();
      });
    });
  }

  it('adaptSteps frees each step\'s intermediate parameters as it goes (memory stays bounded)', () => {
    const counts: number[] = [];
    tf.tidy(() => {
      adaptSteps(params, batch.supportX, batch.supportY, { steps: 5, alpha: 0.05 }, (p) => {
        counts.push(tf.memory().numTensors);
        return tf.tidy(() => tf.sum(p.b2));
      });
    });
    const growth = counts.slice(1).map((c, i) => c - counts[i]);
    // Step 0 -> 1: the callback's output plus the first adapted params (the broadcast initial copy stays).
    expect(growth[0]).toBe(1 + Object.keys(params).length);
    // Later steps: only the callback's output; the previous step's params are gone.
    expect(growth.slice(1)).toEqual([1, 1, 1, 1]);
  });

  for (const steps of [1, 2]) {
    for (const alpha of [0.05, 0.1]) {
      it(`MAML meta-gradient is exact second order: vs float64 FD of the meta-loss, k = ${steps}, alpha = ${alpha}`, () => {
        const fd = finiteDiff((p) => mamlLoss(lay, p, tasks, alpha, steps), theta, FD_EPS);
        const m = algoGrad(lay, maml, params, batch, steps, alpha);
        const fo = algoGrad(lay, fomaml, params, batch, steps, alpha);
        const mamlErr = relErr(m.grad, fd);
        const foErr = relErr(fo.grad, fd);
        expect(mamlErr).toBeLessThanOrEqual(1e-4);
        // The second-order term matters at this alpha: first-order MAML is visibly off, by far more.
        expect(foErr).toBeGreaterThan(1e-2);
        expect(foErr).toBeGreaterThan(100 * mamlErr);
        // The returned loss is the meta-loss itself.
        const refLoss = mamlLoss(lay, theta, tasks, alpha, steps);
        expect(Math.abs(m.loss - refLoss) / refLoss).toBeLessThan(1e-5);
        expect(Math.abs(fo.loss - refLoss) / refLoss).toBeLessThan(1e-5);
      });
    }
  }

  it('MAML with 0 inner steps is the plain query-loss gradient', () => {
    const fd = finiteDiff((p) => mamlLoss(lay, p, tasks, 0.1, 0), theta, FD_EPS);
    expect(relErr(algoGrad(lay, maml, params, batch, 0, 0.1).grad, fd)).toBeLessThan(1e-4);
  });

  for (const steps of [1, 2]) {
    it(`first-order MAML equals sum_t (1/T) grad L_query(phi_t), k = ${steps}`, () => {
      const alpha = 0.1;
      const ref = fomamlGrad(lay, theta, tasks, alpha, steps);
      const fo = algoGrad(lay, fomaml, params, batch, steps, alpha);
      expect(relErr(fo.grad, ref)).toBeLessThan(1e-5);
      // Scaled right too (a missing 1/T or a mean instead of a sum over tasks would fail this).
      const ratio = Math.sqrt(fo.grad.reduce((a, v) => a + v * v, 0) / ref.reduce((a, v) => a + v * v, 0));
      expect(ratio).toBeCloseTo(1, 4);
    });
  }

  it('pretrained (joint training) gradient matches the float64 FD of the mean task MSE on support ∪ query', () => {
    const fd = finiteDiff((p) => jointLoss(lay, p, tasks), theta, FD_EPS);
    const g = algoGrad(lay, pretrained, params, batch, 1, 0.1);
    expect(relErr(g.grad, fd)).toBeLessThan(1e-5);
    expect(Math.abs(g.loss - jointLoss(lay, theta, tasks))).toBeLessThan(1e-5 * jointLoss(lay, theta, tasks));
    // Inner-loop settings do not matter to joint training.
    const g2 = algoGrad(lay, pretrained, params, batch, 3, 0.5);
    expect(maxAbsDiff(g.grad, g2.grad)).toBe(0);
  });

  it('algorithms declare their gradient order honestly', () => {
    expect(maml.gradientOrder).toBe('second');
    expect(fomaml.gradientOrder).toBe('first');
    expect(pretrained.gradientOrder).toBe('none');
    expect(ALGORITHMS.imaml.gradientOrder).toBe('implicit');
    expect(ALGORITHMS.reptile.gradientOrder).toBe('first');
    expect(ALGORITHMS.anil.gradientOrder).toBe('second');
    expect(ALGORITHMS.metasgd.gradientOrder).toBe('second');
    expect(Object.keys(ALGORITHMS)).toEqual(['maml', 'fomaml', 'reptile', 'imaml', 'anil', 'metasgd', 'pretrained', 'scratch', 'oracle']);
  });

  it('metaGradient leaks no tensors inside tf.tidy', () => {
    const before = tf.memory().numTensors;
    for (const algo of [maml, fomaml, pretrained]) {
      const r = tf.tidy(() => algo.metaGradient!(params, batch, { ...defaultTrainConfig(algo.id), innerSteps: 2, alpha: 0.05 }));
      expect(tf.memory().numTensors).toBe(before + 1 + Object.keys(params).length);
      r.loss.dispose();
      disposeParams(r.grads);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('MAML meta-gradient on a hand-made batch (uneven data, 3 tasks, wider net)', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  it('matches the float64 FD for k = 2 on a [1, 16, 8, 1] net', () => {
    const sizes = [1, 16, 8, 1];
    const lay = layout(sizes);
    const params = initParams({ sizes }, new Rng(11));
    // Hand-made tasks: a line, a parabola and a step, support points clustered on one side.
    const fns = [(x: number) => 0.5 * x - 1, (x: number) => 0.2 * x * x - 1, (x: number) => (x > 0 ? 2 : -1)];
    const sx = [-4.1, -2.7, -1.3, -0.2, 0.9];
    const qx = [-3.3, -0.6, 1.7, 2.8, 4.4];
    const tasks: RefTask[] = fns.map((f) => ({
      support: { x: sx.map((x) => [x]), y: sx.map((x) => [Math.fround(f(x))]) },
      query: { x: qx.map((x) => [x]), y: qx.map((x) => [Math.fround(f(x))]) },
    }));
    for (const t of tasks) for (const d of [t.support, t.query]) d.x = d.x.map(([x]) => [Math.fround(x)]);
    const batch: MetaBatch = {
      supportX: tf.tensor3d(tasks.map((t) => t.support.x)),
      supportY: tf.tensor3d(tasks.map((t) => t.support.y)),
      queryX: tf.tensor3d(tasks.map((t) => t.query.x)),
      queryY: tf.tensor3d(tasks.map((t) => t.query.y)),
    };
    const theta = flatParams(lay, params);
    // A random subset of entries (FD over all of them is cheap here anyway, but this exercises the subset path).
    const rng = new Rng(5);
    const idx = Array.from({ length: lay.total }, (_, i) => i).filter(() => rng.next() < 0.5);
    const fd = finiteDiff((p) => mamlLoss(lay, p, tasks, 0.08, 2), theta, FD_EPS, idx);
    const g = algoGrad(lay, maml, params, batch, 2, 0.08);
    expect(relErr(g.grad, fd, idx)).toBeLessThanOrEqual(1e-4);
    const fo = algoGrad(lay, fomaml, params, batch, 2, 0.08);
    expect(relErr(fo.grad, fd, idx)).toBeGreaterThan(100 * relErr(g.grad, fd, idx));
    disposeParams(params);
    disposeBatch(batch);
  });
});

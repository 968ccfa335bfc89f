/**
 * Classification at test time on typed arrays (src/meta/fast/classify.ts, what plane clicks use) against the
 * tfjs path (adaptClassifiers) for the shipped plane models: the same rule per method (ANIL's head, Meta-SGD's
 * learned rates), the same probabilities on the grid, accuracies and losses at every step, and the same edge
 * cases (no examples, divergence, bad labels); and the typed cross-entropy's gradient and Hessian-vector product
 * against finite differences.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS, type AlgorithmId } from '../../src/meta/engine/algorithms';
import { planeMlp } from '../../src/meta/contracts/architecture';
import { glyphTrainConfig, planeTrainConfig } from '../../src/meta/contracts/config';
import { initParams } from '../../src/meta/engine/model';
import { drawEpisodes } from '../../src/meta/contracts/problems';
import { classificationBatch, disposeBatch } from '../../src/meta/engine/meta-batch';
import { createTrainer, MetaTrainer } from '../../src/meta/engine/trainer';
import { flatParams } from './helpers/tf';
import { checkpointArrays, checkpointFolder } from '../../src/meta/contracts/checkpoint';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { adaptClassifiers } from '../../src/meta/engine/classification';
import { flatLearner } from '../../src/meta/fast/adapt';
import { classifyFlat } from '../../src/meta/fast/classify';
import { FastMaml, flatEpisodes, initFlat } from '../../src/meta/fast/maml';
import { forwardRows, hessianVector, layoutOf, lossAndGrad, Workspace } from '../../src/meta/fast/mlp';
import { learnerFor, type Learner } from '../../src/meta/engine/inner';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, paramsFromArrays, readParams } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { planeGrid } from '../../src/meta/contracts/tasks/plane';
import { planeFromSeed, planeSupportSet, planeTruth } from '../../src/state/classification';
import { finiteDiff, layout, relErr } from './helpers/reference';
import type { ClassAdaptation, ClassifyInput } from '../../src/meta/contracts/types';

const GRID = planeGrid(41);

beforeAll(async () => {
  await useNodeBackend('wasm');
});

function shipped(classes: number, id: AlgorithmId): Learner {
  const c = readCheckpointFile(readFileSync(`public/checkpoints/${checkpointFolder({ problem: 'plane', classes })}${id}.ckpt`));
  return learnerFor(id, paramsFromArrays(checkpointArrays(c)), c.training);
}

async function both(l: Learner, input: ClassifyInput): Promise<{ ref: ClassAdaptation; fast: ClassAdaptation }> {
  const [ref] = await adaptClassifiers([l], input);
  const [fast] = classifyFlat([flatLearner(await readParams(l.params), l.rule, l.taskInput)], input);
  return { ref, fast };
}

function expectSame(fast: ClassAdaptation, ref: ClassAdaptation, Q: number): void {
  expect(fast.probabilities).toHaveLength(ref.probabilities.length);
  ref.probabilities.forEach((p, s) => {
    let worst = 0;
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - fast.probabilities[s][i]));
    // float32 (tfjs) against float64 parameters over the steps.
    expect(worst, `step ${s}`).toBeLessThan(2e-4);
  });
  const close = (a: number[] | null, b: number[] | null, tol: number) => {
    if (b === null) return expect(a).toBeNull();
    b.forEach((v, s) => (Number.isNaN(v) ? expect(a![s]).toBeNaN() : expect(Math.abs(a![s] - v), `step ${s}`).toBeLessThanOrEqual(tol)));
  };
  close(fast.supportLoss, ref.supportLoss, 1e-4);
  close(fast.queryLoss, ref.queryLoss, 1e-4);
  // A grid point exactly on a boundary may fall either way in float32 and float64.
  close(fast.supportAccuracy, ref.supportAccuracy, 1e-6); // a float32 fraction against an exact one
  close(fast.queryAccuracy, ref.queryAccuracy, 2 / Q);
  expect(fast.divergedAt).toBe(ref.divergedAt);
}

describe('classifyFlat (typed arrays) matches adaptClassifiers (tfjs) on the shipped plane models', () => {
  it.each(['maml', 'fomaml', 'reptile', 'anil', 'metasgd', 'pretrained', 'scratch'] as const)('2-way %s: 5 steps on a random task, on the 41 x 41 grid', async (id) => {
    const l = shipped(2, id);
    const { task, points } = planeFromSeed(7, 2, 5);
    const input = { classes: 2, support: planeSupportSet({ points } as never), queries: GRID, queryLabels: planeTruth(task, GRID), steps: 5, alpha: 0.5 };
    const { ref, fast } = await both(l, input);
    expectSame(fast, ref, GRID.length / 2);
    // Adaptation moved something: the comparison is not of two initial models.
    expect(fast.supportLoss[5]).not.toBeCloseTo(fast.supportLoss[0], 3);
    disposeParams(l.params);
  });

  it('iMAML (not shipped for the plane): its proximal steps from the MAML model', async () => {
    const c = readCheckpointFile(readFileSync(`public/checkpoints/${checkpointFolder({ problem: 'plane', classes: 2 })}maml.ckpt`));
    const l = learnerFor('imaml', paramsFromArrays(checkpointArrays(c)), { ...c.training, lambda: 2 });
    expect(l.rule.lambda).toBe(2);
    const { task, points } = planeFromSeed(8, 2, 4);
    const input = { classes: 2, support: planeSupportSet({ points } as never), queries: GRID, queryLabels: planeTruth(task, GRID), steps: 5, alpha: 0.5 };
    const { ref, fast } = await both(l, input);
    expectSame(fast, ref, GRID.length / 2);
    // The proximal term changes the steps: not MAML's.
    const [maml] = classifyFlat([flatLearner(await readParams(l.params), { ...l.rule, lambda: undefined }, false)], input);
    expect(Math.abs(maml.supportLoss[5] - fast.supportLoss[5])).toBeGreaterThan(1e-4);
    disposeParams(l.params);
  });

  it.each([3, 5])('%i-way MAML, a point of every class, and a task that is not a grid', async (classes) => {
    const l = shipped(classes, 'maml');
    const { task, points } = planeFromSeed(classes * 11, classes, 2);
    const input = { classes, support: planeSupportSet({ points } as never), queries: GRID, queryLabels: planeTruth(task, GRID), steps: 3, alpha: 0.5 };
    const { ref, fast } = await both(l, input);
    expectSame(fast, ref, GRID.length / 2);
    expect(fast.queryAccuracy![1]).toBeGreaterThan(1 / classes + 0.15);
    // Scattered queries (no rows to walk) take the dense pass.
    const scattered = Float32Array.from(GRID.subarray(0, 60), (v, i) => v * (1 - (i % 7) / 20));
    const r = await both(l, { ...input, queries: scattered, queryLabels: null });
    expectSame(r.fast, r.ref, 30);
    disposeParams(l.params);
  });

  it('no examples: every step the initial model, support scores NaN; a huge alpha diverges at the same step; bad input is refused', async () => {
    const l = shipped(2, 'maml');
    const { task, points } = planeFromSeed(3, 2, 3);
    const input = { classes: 2, support: planeSupportSet({ points } as never), queries: GRID, queryLabels: planeTruth(task, GRID), steps: 4, alpha: 0.5 };
    const none = await both(l, { ...input, support: { x: new Float32Array(0), labels: new Int32Array(0) } });
    expectSame(none.fast, none.ref, GRID.length / 2);
    expect(none.fast.probabilities[4]).toEqual(none.fast.probabilities[0]);
    expect(none.fast.supportAccuracy.every(Number.isNaN)).toBe(true);

    const blown = await both(l, { ...input, alpha: 1e30 });
    expect(blown.ref.divergedAt).not.toBeNull();
    expect(blown.fast.divergedAt).toBe(blown.ref.divergedAt);

    const flat = flatLearner(await readParams(l.params), l.rule, l.taskInput);
    expect(() => classifyFlat([flat], { ...input, support: { ...input.support, labels: input.support.labels.map(() => 5) } })).toThrow(/label is 5/);
    expect(() => classifyFlat([flat], { ...input, classes: 3 })).toThrow(/2 classes, not 3/);
    disposeParams(l.params);
  });
});

describe('typed-array cross-entropy', () => {
  it.each([[[2, 8, 6, 3]], [[2, 5, 4]], [[1, 7, 5, 4]]])('%j: the loss is the mean of -log softmax; gradient and Hessian-vector product are finite differences', (sizes) => {
    const lay = layoutOf(sizes);
    const rng = new Rng(21);
    const theta = initFlat(sizes, rng).map((v) => v * 2);
    const n = 5;
    const C = sizes[sizes.length - 1];
    const x = Float64Array.from({ length: n * sizes[0] }, () => rng.uniform(-1, 1));
    const labels = Array.from({ length: n }, (_, i) => i % C);
    const y = new Float64Array(n * C);
    labels.forEach((c, i) => (y[i * C + c] = 1));
    const ws = new Workspace(lay, n);
    const g = new Float64Array(lay.total);
    const loss = lossAndGrad(ws, theta, x, y, n, g, 'crossEntropy');
    const fd = finiteDiff((p) => lossAndGrad(new Workspace(lay, n), Float64Array.from(p), x, y, n, null, 'crossEntropy'), theta);
    expect(relErr(g, fd)).toBeLessThan(1e-7);
    // The loss itself, from the logits.
    const z = forwardRows(new Workspace(lay, n), theta, x, n);
    let ce = 0;
    for (let r = 0; r < n; r++) {
      const row = Array.from(z.subarray(r * C, (r + 1) * C));
      const m = Math.max(...row);
      ce += m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) - row[labels[r]];
    }
    expect(loss).toBeCloseTo(ce / n, 12);
    // The Hessian-vector product: the finite difference of the gradient along v.
    const v = initFlat(sizes, rng);
    lossAndGrad(ws, theta, x, y, n, g, 'crossEntropy');
    const hv = new Float64Array(lay.total);
    hessianVector(ws, theta, v, n, hv);
    const eps = 1e-6;
    const at = (sign: number) => {
      const gp = new Float64Array(lay.total);
      lossAndGrad(new Workspace(lay, n), theta.map((t, i) => t + sign * eps * v[i]), x, y, n, gp, 'crossEntropy');
      return gp;
    };
    const [gp, gm] = [at(1), at(-1)];
    expect(relErr(hv, gp.map((t, i) => (t - gm[i]) / (2 * eps)))).toBeLessThan(1e-6);
    expect(Math.max(...hv.map(Math.abs))).toBeGreaterThan(1e-3);
  });
});

describe('plane MAML training on typed arrays', () => {
  it('the exact and first-order meta-gradients of a plane batch equal the tfjs algorithms\' (float32 tolerance)', () => {
    for (const [classes, innerSteps] of [[2, 1], [4, 2]] as const) {
      const cfg = { ...planeTrainConfig('maml', classes), innerSteps };
      const sizes = planeMlp(classes).sizes;
      const lay = layout(sizes);
      const params = initParams(planeMlp(classes), new Rng(12));
      const theta = initFlat(sizes, new Rng(12));
      expect(Array.from(theta)).toEqual(Array.from(flatParams(lay, params)));
      const episodes = drawEpisodes('plane', new Rng(33), 6, classes, 5, 5);
      const batch = classificationBatch(episodes);
      const data = flatEpisodes(episodes, classes);
      const fast = new FastMaml(sizes, innerSteps, classes * 5, classes * 5, 'crossEntropy');
      for (const id of ['maml', 'fomaml'] as const) {
        const r = tf.tidy(() => ALGORITHMS[id].metaGradient!(params, batch, { ...cfg, algorithm: id }));
        const grad = new Float64Array(lay.total);
        const loss = fast.metaGradient(theta, data, innerSteps, cfg.alpha, id === 'maml', grad);
        expect(relErr(grad, flatParams(lay, r.grads)), `${classes}-way ${id} k=${innerSteps}`).toBeLessThan(1e-4);
        expect(Math.abs(loss - r.loss.dataSync()[0]) / loss).toBeLessThan(1e-5);
        r.loss.dispose();
        disposeParams(r.grads);
      }
      // The second-order term matters here.
      const [exact, fo] = [true, false].map((e) => {
        const g = new Float64Array(lay.total);
        fast.metaGradient(theta, data, innerSteps, cfg.alpha, e, g);
        return g;
      });
      expect(relErr(fo, exact)).toBeGreaterThan(1e-2);
      disposeParams(params);
      disposeBatch(batch);
    }
  });

  it('createTrainer trains plane MAML on typed arrays (glyphs too: the next test), following MetaTrainer iteration by iteration', async () => {
    const config = { ...planeTrainConfig('maml', 3), metaBatch: 8, iterations: 20, seed: 5 };
    const typed = createTrainer(config);
    expect(typed.path).toBe('typed arrays');
    const glyphs = createTrainer({ ...glyphTrainConfig('maml', 5, 1), iterations: 5 });
    expect(glyphs.path).toBe('typed arrays');
    glyphs.dispose();
    const slow = new MetaTrainer(config);
    for (let i = 1; i <= 20; i++) {
      const [a, b] = [await slow.step(), await typed.step()];
      expect(a.ok && b.ok).toBe(true);
      expect(Math.abs(a.loss - b.loss) / a.loss, `iteration ${i}`).toBeLessThan(1e-3);
    }
    const lay = layout(planeMlp(3).sizes);
    expect(relErr(flatParams(lay, typed.params), flatParams(lay, slow.params))).toBeLessThan(1e-3);
    expect(Object.keys(typed.params).sort()).toEqual(Object.keys(slow.params).sort());
    slow.dispose();
    typed.dispose();
  });

  it('glyph MAML (784-128-64-5, sparse first layer) on typed arrays follows MetaTrainer iteration by iteration', async () => {
    const config = { ...glyphTrainConfig('maml', 5, 1), metaBatch: 3, iterations: 4, seed: 6 };
    const typed = createTrainer(config);
    expect(typed.path).toBe('typed arrays');
    const slow = new MetaTrainer(config);
    const lay = layout([784, 128, 64, 5]);
    const start = flatParams(lay, slow.params);
    expect(relErr(flatParams(lay, typed.params), start)).toBe(0);
    for (let i = 1; i <= config.iterations; i++) {
      const [a, b] = [await slow.step(), await typed.step()];
      expect(a.ok && b.ok).toBe(true);
      expect(Math.abs(a.loss - b.loss) / a.loss, `iteration ${i}`).toBeLessThan(1e-3);
    }
    // The same updates (not just the same start): Adam's steps, parameter by parameter.
    const moved = (p: Float64Array) => p.map((v, i) => v - start[i]);
    expect(relErr(moved(flatParams(lay, typed.params)), moved(flatParams(lay, slow.params)))).toBeLessThan(2e-2);
    slow.dispose();
    typed.dispose();
  });

  it('refuses a diverging plane update as MetaTrainer does', async () => {
    const typed = createTrainer({ ...planeTrainConfig('maml', 2), alpha: 1e6, iterations: 10 });
    const r = await typed.step();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^Training diverged at iteration 1/);
    typed.dispose();
  });
});

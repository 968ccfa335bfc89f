/**
 * Classification at test time on typed arrays (src/meta/fast/classify.ts, what plane clicks use) against the
 * tfjs path (adaptClassifiers) for the shipped plane models: the same rule per method (ANIL's head, Meta-SGD's
 * learned rates), the same probabilities on the grid, accuracies and losses at every step, and the same edge
 * cases (no examples, divergence, bad labels); and the typed cross-entropy gradient against finite differences.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlgorithmId } from '../../src/meta/algorithms';
import { checkpointArrays, checkpointFolder, parseCheckpoint } from '../../src/meta/checkpoint';
import { adaptClassifiers, type ClassAdaptation, type ClassifyInput } from '../../src/meta/classification';
import { flatLearner } from '../../src/meta/fast/adapt';
import { classifyFlat } from '../../src/meta/fast/classify';
import { initFlat } from '../../src/meta/fast/maml';
import { forwardRows, hessianVector, layoutOf, lossAndGrad, Workspace } from '../../src/meta/fast/mlp';
import { learnerFor, type Learner } from '../../src/meta/inner';
import { useNodeBackend } from '../../src/meta/node-backend';
import { disposeParams, paramsFromArrays, readParams } from '../../src/meta/params';
import { Rng } from '../../src/meta/random';
import { planeGrid } from '../../src/meta/tasks/plane';
import { planeFromSeed, planeSupportSet, planeTruth } from '../../src/state/classification';
import { finiteDiff, relErr } from './helpers/reference';

const GRID = planeGrid(41);

beforeAll(async () => {
  await useNodeBackend('wasm');
});

function shipped(classes: number, id: AlgorithmId): Learner {
  const c = parseCheckpoint(readFileSync(`public/checkpoints/${checkpointFolder({ problem: 'plane', classes })}${id}.json`, 'utf8'));
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
  it.each([[[2, 8, 6, 3]], [[2, 5, 4]], [[1, 7, 5, 4]]])('%j: the gradient is the finite difference of the loss; the loss is the mean of -log softmax', (sizes) => {
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
    // The R-operator here is the MSE's: asking it of the cross-entropy is refused.
    expect(() => hessianVector(ws, theta, theta, n, new Float64Array(lay.total))).toThrow(/MSE/);
  });
});

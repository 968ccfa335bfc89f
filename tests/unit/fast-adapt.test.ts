/**
 * Test-time adaptation on typed arrays (src/meta/fast/adapt.ts, what clicks use) against the tfjs path
 * (adaptToPoints) for every shipped method: the same inner rule (ANIL's head, Meta-SGD's learned rates,
 * iMAML's proximal term, the oracle's task input), the same curves and losses, the same edge cases; and the
 * typed evaluation against evaluate() on the same test tasks.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adaptToPoints } from '../../src/meta/engine/adaptation';
import { ALGORITHM_IDS, type AlgorithmId } from '../../src/meta/engine/algorithms';
import { checkpointArrays } from '../../src/meta/contracts/checkpoint';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { adaptFlat, flatLearner } from '../../src/meta/fast/adapt';
import { evaluateFlat, evaluateFlatChunked } from '../../src/meta/fast/evaluate';
import { evaluate, PAPER_EVAL } from '../../src/meta/engine/evaluate';
import { learnerFor, type Learner } from '../../src/meta/engine/inner';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, paramsFromArrays, readParams } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { samplePoints, xGrid, type Point } from '../../src/meta/contracts/tasks/sinusoid';
import type { AdaptationCurves } from '../../src/meta/contracts/types';

const task = { amplitude: 2.5, phase: 0.7 };
const grid = xGrid(101);
const learners = new Map<AlgorithmId, Learner>();

beforeAll(async () => {
  await useNodeBackend('wasm');
  for (const id of ALGORITHM_IDS) {
    const c = readCheckpointFile(readFileSync(`public/checkpoints/${id}.ckpt`));
    learners.set(id, learnerFor(id, paramsFromArrays(checkpointArrays(c)), c.training));
  }
  return () => learners.forEach((l) => disposeParams(l.params));
});

async function both(id: AlgorithmId, points: Point[], steps: number, alpha: number, t: typeof task | null) {
  const l = learners.get(id)!;
  const [ref] = await adaptToPoints([l], points, grid, steps, alpha, t);
  const [fast] = adaptFlat([flatLearner(await readParams(l.params), l.rule, l.taskInput)], points, grid, steps, alpha, t);
  return { ref, fast };
}

function expectSameCurves(fast: AdaptationCurves, ref: AdaptationCurves, tol: number): void {
  expect(fast.predictions).toHaveLength(ref.predictions.length);
  ref.predictions.forEach((row, s) => {
    const worst = Math.max(...row.map((v, i) => Math.abs(v - fast.predictions[s][i]) / (1 + Math.abs(v))));
    expect(worst, `step ${s}`).toBeLessThan(tol);
    if (Number.isNaN(ref.supportLoss[s])) expect(fast.supportLoss[s]).toBeNaN();
        // A support loss near 1e-5 (a model that fits its 5 points) is known to float32 only to about 1e-8 absolute.
    else expect(Math.abs(fast.supportLoss[s] - ref.supportLoss[s]) / (1e-4 + ref.supportLoss[s])).toBeLessThan(tol);
  });
  if (ref.taskLoss === null) expect(fast.taskLoss).toBeNull();
  else ref.taskLoss.forEach((v, s) => expect(Math.abs(fast.taskLoss![s] - v) / (1e-6 + v)).toBeLessThan(tol));
  expect(fast.divergedAt).toBe(ref.divergedAt);
}

describe('adaptFlat (typed arrays) matches adaptToPoints (tfjs)', () => {
  const points = samplePoints(task, 5, new Rng(11));

  it.each(ALGORITHM_IDS)('%s: 10 steps on 5 points, with and without a true function', async (id) => {
    const { ref, fast } = await both(id, points, 10, 0.01, task);
    // float32 (tfjs) against float64 over ten steps.
    expectSameCurves(fast!, ref!, 2e-4);
    // The steps move the curve wherever the method adapts: the comparison is not of two unmoved models.
    const moved = Math.max(...ref!.predictions[10].map((v, i) => Math.abs(v - ref!.predictions[0][i])));
    if (id === 'oracle') expect(moved).toBe(0);
    else expect(moved).toBeGreaterThan(1e-2);
    const noTask = await both(id, points, 3, 0.01, null);
    if (id === 'oracle') expect([noTask.ref, noTask.fast]).toEqual([null, null]);
    else expectSameCurves(noTask.fast!, noTask.ref!, 2e-4);
  });

  it('follows each rule: ANIL moves only the head, Meta-SGD ignores alpha, iMAML is pulled back to theta', async () => {
    const anil = flatLearner(await readParams(learners.get('anil')!.params), learners.get('anil')!.rule, false);
    expect(anil.adaptedLayers).toEqual([2]);
    const metasgd = flatLearner(await readParams(learners.get('metasgd')!.params), learners.get('metasgd')!.rule, false);
    expect(metasgd.rates).not.toBeNull();
    const [a, b] = [0.01, 0.05].map((alpha) => adaptFlat([metasgd], points, grid, 3, alpha, task)[0]!);
    expect(a.predictions).toEqual(b.predictions);
    const imaml = flatLearner(await readParams(learners.get('imaml')!.params), learners.get('imaml')!.rule, false);
    expect(imaml.lambda).toBeGreaterThan(0);
    const free = adaptFlat([{ ...imaml, lambda: null }], points, grid, 5, 0.01, task)[0]!;
    const prox = adaptFlat([imaml], points, grid, 5, 0.01, task)[0]!;
    expect(prox.predictions[5]).not.toEqual(free.predictions[5]);
  });

  it('an unsorted grid (dense forward pass) gives the same curves as the sorted one (piecewise-linear walk)', async () => {
    const l = learners.get('oracle')!;
    const m = learners.get('maml')!;
    const flat = [flatLearner(await readParams(m.params), m.rule, false), flatLearner(await readParams(l.params), l.rule, true)];
    const sorted = adaptFlat(flat, points, grid, 4, 0.01, task);
    const reversed = adaptFlat(flat, points, [...grid].reverse(), 4, 0.01, task);
    sorted.forEach((c, i) =>
      c!.predictions.forEach((row, s) => row.forEach((v, j) => expect(reversed[i]!.predictions[s][grid.length - 1 - j]).toBeCloseTo(v, 5))),
    );
  });

  it('no points: every step is the initial model, support loss NaN', async () => {
    const { ref, fast } = await both('maml', [], 5, 0.01, task);
    expectSameCurves(fast!, ref!, 1e-5);
    for (const row of fast!.predictions) expect(row).toEqual(fast!.predictions[0]);
  });

  it('a diverging alpha is flagged at the same step', async () => {
    const { ref, fast } = await both('maml', points, 10, 50, task);
    expect(ref!.divergedAt).not.toBeNull();
    expect(fast!.divergedAt).toBe(ref!.divergedAt);
  });
});

describe('evaluateFlat (typed arrays) matches evaluate (tfjs)', () => {
  // Every method "Paper vs this run" scores (its 27 evaluations run on this path, src/worker/engine.ts).
  it.each([...ALGORITHM_IDS])('%s: the same test tasks, the same curve', async (id) => {
    const l = learners.get(id)!;
    const cfg = { ...PAPER_EVAL, kShot: 5, steps: 3, tasks: 60 };
    const ref = await evaluate(l, cfg, { chunk: 25 });
    const fast = evaluateFlat(flatLearner(await readParams(l.params), l.rule, l.taskInput), cfg);
    ref.mean.forEach((m, s) => {
      expect(Math.abs(fast.mean[s] - m) / m, `step ${s}`).toBeLessThan(1e-4);
      expect(Math.abs(fast.ci95[s] - ref.ci95[s]) / ref.ci95[s]).toBeLessThan(1e-3);
    });
    if (id !== 'oracle') expect(ref.mean[3]).not.toBeCloseTo(ref.mean[0], 2);
  });

  it('in chunks (as the worker runs it, between clicks) it is the same evaluation', async () => {
    const l = learners.get('metasgd')!;
    const flat = flatLearner(await readParams(l.params), l.rule, l.taskInput);
    const cfg = { ...PAPER_EVAL, kShot: 10, steps: 2, tasks: 45 };
    let chunks = 0;
    const chunked = await evaluateFlatChunked(async () => flat, cfg, 7, async (fn) => (chunks++, fn()));
    expect(chunks).toBe(7);
    expect(chunked).toEqual(evaluateFlat(flat, cfg));
  });

  it('keeps recent test sets without mixing them up: each configuration scores its own tasks, again and again', async () => {
    const l = learners.get('maml')!;
    const flat = flatLearner(await readParams(l.params), l.rule, l.taskInput);
    const cfg = { ...PAPER_EVAL, kShot: 5, steps: 1, tasks: 40 };
    const first = evaluateFlat(flat, cfg);
    // More configurations than are kept, each with other tasks or points: other numbers.
    const others = [{ seed: 777 }, { seed: 1 }, { kShot: 10 }, { queryPoints: 50 }, { tasks: 30 }].map((o) => evaluateFlat(flat, { ...cfg, ...o }));
    for (const o of others) expect(o.mean[1]).not.toBe(first.mean[1]);
    expect(evaluateFlat(flat, cfg)).toEqual(first);
    expect(evaluateFlat(flat, cfg)).toEqual(first); // now from the kept set
  });

  it('scores every method on one kept test set: interleaved protocols give the same curves as fresh ones', async () => {
    const flat = async (id: AlgorithmId) => {
      const l = learners.get(id)!;
      return flatLearner(await readParams(l.params), l.rule, l.taskInput);
    };
    const [maml, anil] = [await flat('maml'), await flat('anil')];
    const a = { ...PAPER_EVAL, kShot: 5, steps: 2, tasks: 30 };
    const b = { ...a, kShot: 10 };
    const first = evaluateFlat(maml, a);
    const other = evaluateFlat(anil, b);
    expect(evaluateFlat(anil, a)).not.toEqual(first);
    expect(evaluateFlat(maml, a)).toEqual(first);
    expect(evaluateFlat(maml, b)).not.toEqual(first);
    expect(evaluateFlat(anil, b)).toEqual(other);
  });

  it('reproduces the shipped MAML checkpoint\'s committed 5-shot evaluation on the 600 paper tasks', async () => {
    const c = readCheckpointFile(readFileSync('public/checkpoints/maml.ckpt'));
    const committed = c.evaluation!.find((e) => e.kShot === 5)!;
    const l = learners.get('maml')!;
    const fast = evaluateFlat(flatLearner(await readParams(l.params), l.rule, l.taskInput), { ...PAPER_EVAL, kShot: 5, steps: 10 });
    committed.mean.forEach((m, s) => expect(Math.abs(fast.mean[s] - m) / m).toBeLessThan(1e-4));
  });
});

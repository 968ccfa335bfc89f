/**
 * The shipped checkpoints: valid, their committed evaluation is what the parameters really score (re-run
 * here on the same 600 test tasks), and the MAML checkpoint meets the quality bar against the paper.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHM_IDS, type AlgorithmId } from '../../src/meta/engine/algorithms';
import { checkpointArrays, type Checkpoint } from '../../src/meta/contracts/checkpoint';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { learnerFor } from '../../src/meta/engine/inner';
import { evaluate, PAPER_EVAL } from '../../src/meta/engine/evaluate';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, paramsFromArrays } from '../../src/meta/engine/params';
import { defaultTrainConfig, PAPER_CONFIG } from '../../src/meta/contracts/config';
import { ALGORITHM_INFO } from '../../src/meta/contracts/algorithms';
import { evaluateFlat } from '../../src/meta/fast/evaluate';
import { flatLearner } from '../../src/meta/fast/adapt';
import { innerRule } from '../../src/meta/engine/inner';
import { adaptToPoints } from '../../src/meta/engine/adaptation';
import { Rng } from '../../src/meta/contracts/random';
import { emptyHalf, mseOnRange, samplePoints, sampleTask, xGrid } from '../../src/meta/contracts/tasks/sinusoid';

const load = (id: AlgorithmId): Checkpoint => readCheckpointFile(readFileSync(`public/checkpoints/${id}.ckpt`));
const curve = (c: Checkpoint, k: number) => c.evaluation!.find((e) => e.kShot === k)!;

beforeAll(async () => {
  await useNodeBackend('wasm');
});

describe('shipped checkpoints', () => {
  it.each(ALGORITHM_IDS)('%s: valid, trained with its own default settings, evaluated for K = 5, 10, 20', (id) => {
    const c = load(id);
    expect(c.algorithm).toBe(id);
    // iMAML's run diverged at iteration ~2,500 and ships its best on validation tasks (see EVALUATION.md);
    // scratch is its random init.
    const minIterations = { scratch: 0, imaml: 1000 } as Partial<Record<AlgorithmId, number>>;
    expect(c.training.iterations).toBeGreaterThanOrEqual(minIterations[id] ?? 20000);
    expect(c.training.metaBatch).toBe(25);
    expect(c.training).toMatchObject({ ...defaultTrainConfig(id), iterations: c.training.iterations, seed: c.training.seed });
    expect(c.evaluation!.map((e) => e.kShot)).toEqual([5, 10, 20]);
    for (const e of c.evaluation!) expect(e.tasks).toBe(600);
  });

  it.each(ALGORITHM_IDS)('%s: the committed 5-shot evaluation is what its parameters score', async (id) => {
    const c = load(id);
    const params = paramsFromArrays(checkpointArrays(c));
    const fresh = await evaluate(learnerFor(c.algorithm, params, c.training), { ...PAPER_EVAL, kShot: 5 });
    disposeParams(params);
    const committed = curve(c, 5);
    for (let s = 0; s <= 10; s++) {
      // JSON turns a NaN mean into null; compare like with like.
      if (committed.mean[s] === null) expect(Number.isFinite(fresh.mean[s])).toBe(false);
      else expect(fresh.mean[s]).toBeCloseTo(committed.mean[s], 3);
      // The median and the share of tasks that blew up, stored beside the mean (a median of Infinity is null).
      if (committed.median![s] === null) expect(Number.isFinite(fresh.median![s])).toBe(false);
      else expect(fresh.median![s]).toBeCloseTo(committed.median![s], 3);
      expect(committed.blowUp![s]).toBe(fresh.blowUp![s]);
    }
  });

  it.each(ALGORITHM_IDS)('%s: every stored curve carries the median and the blown-up share at steps 0..10', (id) => {
    for (const e of load(id).evaluation!) {
      expect(e.median).toHaveLength(11);
      expect(e.blowUp).toHaveLength(11);
      for (const b of e.blowUp!) expect(b >= 0 && b <= 1).toBe(true);
    }
  });

  it.each(ALGORITHM_IDS)('%s: trained from the paper\'s seed (no seed chosen by its results)', (id) => {
    expect(load(id).training.seed).toBe(PAPER_CONFIG.seed);
  });

  it('MAML meets the bar (5-shot: <= 0.75 after 1 step, <= 0.45 after 10) and beats pretrained at every step', () => {
    const maml = curve(load('maml'), 5);
    const pretrained = curve(load('pretrained'), 5);
    expect(maml.mean[1]).toBeLessThanOrEqual(0.75);
    expect(maml.mean[10]).toBeLessThanOrEqual(0.45);
    for (let s = 1; s <= 10; s++) expect(maml.mean[s]).toBeLessThan(pretrained.mean[s]);
  });
});

/**
 * Statistics that hold on tasks never seen (issue 13): checkpoints are chosen on validation tasks (seed 777)
 * and reported on the 600 test tasks (seed 12345); these tasks (seed 271828, the fresh-task table of
 * EVALUATION.md) chose nothing. 5,000 tasks at K = 5, where bunched support points make plain SGD at
 * alpha = 0.01 blow up most often, and the first 2,000 of them at K = 10 and 20 to keep this file near 30 s
 * (EVALUATION.md's table has all 5,000 at every K; typed-array evaluation, about a second per 2,000 tasks).
 */
const FRESH = { ...PAPER_EVAL, seed: 271828 };
const FRESH_TASKS: Record<number, number> = { 5: 5000, 10: 2000, 20: 2000 };

describe('the shipped checkpoints hold on fresh tasks', () => {
  const cases = (['maml', 'fomaml', 'reptile', 'pretrained'] as const).flatMap((id) => [5, 10, 20].map((k) => [id, k] as const));
  it.each(cases)('%s, K = %i: no non-finite mean and at most 1 task in 1,000 above MSE 100 at every step 1..10', (id, kShot) => {
    const c = load(id);
    const learner = flatLearner(checkpointArrays(c), innerRule(id, c.training), ALGORITHM_INFO[id as AlgorithmId].input === 'x+task');
    const e = evaluateFlat(learner, { ...FRESH, kShot, tasks: FRESH_TASKS[kShot] });
    for (let s = 1; s <= 10; s++) {
      expect(Number.isFinite(e.mean[s]), `step ${s} mean ${e.mean[s]}`).toBe(true);
      expect(e.blowUp![s], `step ${s}`).toBeLessThanOrEqual(0.001);
    }
  });
});

describe("the paper's striking case, on the shipped checkpoints", () => {
  it('with all 5 points on the left half, MAML predicts the empty right half better than pretrained (100 tasks)', async () => {
    const learners = (['maml', 'pretrained'] as const).map((id) => {
      const c = load(id);
      return learnerFor(id, paramsFromArrays(checkpointArrays(c)), c.training);
    });
    const rng = new Rng(31);
    const grid = xGrid(201);
    const sums = { maml: [0, 0], pretrained: [0, 0] };
    const TASKS = 100;
    for (let t = 0; t < TASKS; t++) {
      const task = sampleTask(rng);
      const points = samplePoints(task, 5, rng, [-5, 0]);
      const half = emptyHalf(points)!;
      expect(half).toEqual([0, 5]);
      const [maml, pretrained] = await adaptToPoints(learners, points, grid, 10, 0.01, task);
      [1, 10].forEach((s, i) => {
        sums.maml[i] += mseOnRange(task, grid, maml!.predictions[s], half) / TASKS;
        sums.pretrained[i] += mseOnRange(task, grid, pretrained!.predictions[s], half) / TASKS;
      });
    }
    learners.forEach((l) => disposeParams(l.params));
    // After 1 and after 10 steps, by a clear margin.
    for (const i of [0, 1]) expect(sums.maml[i]).toBeLessThan(0.8 * sums.pretrained[i]);
  });
});

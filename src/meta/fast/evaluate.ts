/**
 * evaluate() (src/meta/engine/evaluate.ts) on typed arrays: the same test tasks from the same seed, each adapted by the
 * learner's own rule, MSE on the held-out points at steps 0..k, mean and 95% CI. Six hundred tasks take tens of
 * milliseconds here, so the benchmark can evaluate while it trains (issue 5's time to quality).
 */
import { Rng } from '../contracts/random';
import { stepSummary } from '../contracts/stats';
import { drawTestTasks, type TaskSet } from '../contracts/tasks/sampling';
import { FlatAdapter, flatInputs, type FlatLearner } from './adapt';
import { GridForward } from './grid';
import type { FlatBatch } from './maml';
import { forwardRows, layoutOf, lossAndGrad, Workspace } from './mlp';
import type { EvalConfig, EvalCurve } from '../contracts/types';

/** Scores tasks [from, to) of the test set into perStep. */
function scoreTasks(learner: FlatLearner, set: TaskSet, cfg: EvalConfig, from: number, to: number, perStep: number[][]): void {
  const { kShot: K, queryPoints: Q } = cfg;
  const adapter = new FlatAdapter(learner, cfg.alpha, K);
  // The query MSE does not depend on the points' order: sorted by x, the network's outputs there come from the
  // piecewise-linear walk along x (GridForward), several times cheaper than a dense pass.
  // (testSet sorted each task's query points by x once, for every learner scored on it.)
  const grid = new GridForward(adapter.lay, Q);
  for (let t = from; t < to; t++) {
    const task = set.tasks[t];
    const sx = flatInputs(set.sx.subarray(t * K, (t + 1) * K), K, learner.taskInput, task);
    const sy = set.sy.subarray(t * K, (t + 1) * K);
    // Sorted by x within the task (sortedTestSet).
    const qx = set.qx.subarray(t * Q, (t + 1) * Q);
    const qy = set.qy.subarray(t * Q, (t + 1) * Q);
    const fixed = learner.taskInput ? flatInputs([0], 1, true, task).subarray(1) : [];
    let last = NaN;
    let visited = 0;
    adapter.run(sx, sy, K, cfg.steps, (phi, s) => {
      const out = grid.run(phi, qx, Q, fixed);
      let sq = 0;
      for (let i = 0; i < Q; i++) sq += (out[i] - qy[i]) ** 2;
      last = Math.fround(sq / Q);
      perStep[s].push(last);
      visited = s + 1;
    }, false);
    // Steps not taken (nothing to adapt) score as the last model.
    for (let s = visited; s <= cfg.steps; s++) perStep[s].push(last);
  }
}

function curveOf(cfg: EvalConfig, perStep: number[][]): EvalCurve {
  return { kShot: cfg.kShot, tasks: cfg.tasks, alpha: cfg.alpha, ...stepSummary(perStep) };
}

/**
 * The test set evaluate() sees (drawn task by task, so one draw of all of them is the same set in any chunking),
 * each task's held-out points sorted by x: the query MSE does not depend on their order, and sorted they suit
 * the piecewise-linear walk along x (GridForward). The last few sets are kept: a run scored again and again (time
 * to quality, live training), "Paper vs this run" (nine methods on each K's set in a row) and the averaged curves
 * (every shown method on one set) draw and sort their tasks once.
 */
const SETS_KEPT = 4;
const sets = new Map<string, TaskSet>();
function sortedTestSet(cfg: EvalConfig): TaskSet {
  const key = `${cfg.seed}:${cfg.tasks}:${cfg.kShot}:${cfg.queryPoints}`;
  const kept = sets.get(key);
  if (kept) {
    sets.delete(key);
    sets.set(key, kept); // most recently used last
    return kept;
  }
  const set = drawTestTasks(new Rng(cfg.seed), cfg.tasks, cfg.kShot, cfg.queryPoints);
  const Q = cfg.queryPoints;
  const order = Array.from({ length: Q }, (_, i) => i);
  const xs = new Float32Array(Q);
  const ys = new Float32Array(Q);
  for (let t = 0; t < cfg.tasks; t++) {
    const qx = set.qx.subarray(t * Q, (t + 1) * Q);
    const qy = set.qy.subarray(t * Q, (t + 1) * Q);
    order.sort((i, j) => qx[i] - qx[j]);
    order.forEach((i, r) => ((xs[r] = qx[i]), (ys[r] = qy[i])));
    qx.set(xs);
    qy.set(ys);
  }
  sets.set(key, set);
  if (sets.size > SETS_KEPT) sets.delete(sets.keys().next().value!);
  return set;
}
const testSet = sortedTestSet;

export function evaluateFlat(learner: FlatLearner, cfg: EvalConfig): EvalCurve {
  const perStep: number[][] = Array.from({ length: cfg.steps + 1 }, () => []);
  scoreTasks(learner, testSet(cfg), cfg, 0, cfg.tasks, perStep);
  return curveOf(cfg, perStep);
}

/**
 * evaluateFlat a chunk of tasks at a time through runChunk (the worker's engine lock, so clicks are answered
 * in between), each chunk with the learner current then: live training may replace it between chunks.
 */
export async function evaluateFlatChunked(
  learner: () => Promise<FlatLearner>,
  cfg: EvalConfig,
  chunk: number,
  runChunk: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<EvalCurve> {
  const set = testSet(cfg);
  const perStep: number[][] = Array.from({ length: cfg.steps + 1 }, () => []);
  for (let from = 0; from < cfg.tasks; from += chunk) {
    await runChunk(async () => scoreTasks(await learner(), set, cfg, from, Math.min(cfg.tasks, from + chunk), perStep));
  }
  return curveOf(cfg, perStep);
}

/**
 * Classification on typed arrays for time to quality (issue 17 target 2): the mean query accuracy after `steps`
 * plain SGD steps of size alpha on each episode's support set (cross-entropy), MAML's and first-order MAML's
 * test-time rule, the maths of evaluateClassification. Logits are compared as float32, as TF.js has them.
 * Episodes as a FlatBatch (flatEpisodes): drawn once, scored as often as training asks.
 */
export function classificationAccuracyFlat(theta: Float64Array, sizes: number[], episodes: FlatBatch, alpha: number, steps = 1): number {
  const lay = layoutOf(sizes);
  const nIn = sizes[0];
  const C = sizes[sizes.length - 1];
  const { kSupport: K, kQuery: Q } = episodes;
  const wsS = new Workspace(lay, K);
  const wsQ = new Workspace(lay, Q);
  const g = new Float64Array(lay.total);
  const phi = new Float64Array(lay.total);
  let right = 0;
  const T = episodes.tasks.length;
  for (let t = 0; t < T; t++) {
    phi.set(theta);
    const sx = episodes.sx.subarray(t * K * nIn, (t + 1) * K * nIn);
    const sy = episodes.sy.subarray(t * K * C, (t + 1) * K * C);
    for (let s = 0; s < steps; s++) {
      lossAndGrad(wsS, phi, sx, sy, K, g, 'crossEntropy');
      for (let i = 0; i < phi.length; i++) phi[i] -= alpha * g[i];
    }
    const out = forwardRows(wsQ, phi, episodes.qx.subarray(t * Q * nIn, (t + 1) * Q * nIn), Q);
    const qy = episodes.qy.subarray(t * Q * C, (t + 1) * Q * C);
    for (let r = 0; r < Q; r++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (Math.fround(out[r * C + c]) > Math.fround(out[r * C + best])) best = c;
      if (qy[r * C + best] === 1) right++;
    }
  }
  return right / (T * Q);
}

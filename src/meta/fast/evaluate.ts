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
    });
    // Steps not taken (nothing to adapt) score as the last model.
    for (let s = visited; s <= cfg.steps; s++) perStep[s].push(last);
  }
}

function curveOf(cfg: EvalConfig, perStep: number[][]): EvalCurve {
  return { kShot: cfg.kShot, tasks: cfg.tasks, alpha: cfg.alpha, ...stepSummary(perStep) };
}

/**
 * The test set of a protocol, each task's query points sorted by x (the order the grid walk needs; the MSE does
 * not depend on it). Drawn task by task, so one draw of all of them is the test set evaluate() sees in any
 * chunking. The last one is kept: "Paper vs this run" scores nine methods on each K's set in a row, and the
 * averaged curves score every shown method on the same one.
 */
let lastSet: { key: string; set: TaskSet } | null = null;
function testSet(cfg: EvalConfig): TaskSet {
  const key = `${cfg.seed} ${cfg.tasks} ${cfg.kShot} ${cfg.queryPoints}`;
  if (lastSet?.key === key) return lastSet.set;
  const set = drawTestTasks(new Rng(cfg.seed), cfg.tasks, cfg.kShot, cfg.queryPoints);
  const Q = cfg.queryPoints;
  const order = Array.from({ length: Q }, (_, i) => i);
  const x = new Float32Array(Q);
  const y = new Float32Array(Q);
  for (let t = 0; t < cfg.tasks; t++) {
    const xs = set.qx.subarray(t * Q, (t + 1) * Q);
    const ys = set.qy.subarray(t * Q, (t + 1) * Q);
    order.sort((i, j) => xs[i] - xs[j]);
    order.forEach((i, r) => ((x[r] = xs[i]), (y[r] = ys[i])));
    xs.set(x);
    ys.set(y);
  }
  lastSet = { key, set };
  return set;
}

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

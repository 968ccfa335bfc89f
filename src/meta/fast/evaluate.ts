/**
 * evaluate() (src/meta/evaluate.ts) on typed arrays: the same test tasks from the same seed, each adapted by the
 * learner's own rule, MSE on the held-out points at steps 0..k, mean and 95% CI. Six hundred tasks take tens of
 * milliseconds here, so the benchmark can evaluate while it trains (issue 5's time to quality).
 */
import type { EvalConfig, EvalCurve } from '../evaluate';
import { Rng } from '../random';
import { meanCi95 } from '../stats';
import { drawTestTasks } from '../tasks/sampling';
import { FlatAdapter, flatInputs, type FlatLearner } from './adapt';
import { lossAndGrad, Workspace } from './mlp';

export function evaluateFlat(learner: FlatLearner, cfg: EvalConfig): EvalCurve {
  // Drawn task by task, so one draw of all of them is the test set evaluate() sees in any chunking.
  const set = drawTestTasks(new Rng(cfg.seed), cfg.tasks, cfg.kShot, cfg.queryPoints);
  const { kShot: K, queryPoints: Q } = cfg;
  const adapter = new FlatAdapter(learner, cfg.alpha, K);
  const queryWs = new Workspace(adapter.lay, Q);
  const perStep: number[][] = Array.from({ length: cfg.steps + 1 }, () => []);
  set.tasks.forEach((task, t) => {
    const sx = flatInputs(set.sx.subarray(t * K, (t + 1) * K), K, learner.taskInput, task);
    const qx = flatInputs(set.qx.subarray(t * Q, (t + 1) * Q), Q, learner.taskInput, task);
    const sy = set.sy.subarray(t * K, (t + 1) * K);
    const qy = set.qy.subarray(t * Q, (t + 1) * Q);
    let last = NaN;
    adapter.run(sx, sy, K, cfg.steps, (phi, s) => {
      last = Math.fround(lossAndGrad(queryWs, phi, qx, qy, Q, null));
      perStep[s].push(last);
    });
    // Steps not taken (nothing to adapt) score as the last model.
    for (let s = perStep.length - 1; s > 0 && perStep[s].length < t + 1; s--) perStep[s].push(last);
  });
  const stats = perStep.map((v) => meanCi95(v));
  return { kShot: cfg.kShot, tasks: cfg.tasks, alpha: cfg.alpha, mean: stats.map((s) => s.mean), ci95: stats.map((s) => s.ci95) };
}

import * as tf from '@tensorflow/tfjs';
import { adaptSteps, type Learner } from './inner';
import { forward, mseByTask, oracleInputs } from './model';
import { Rng } from './random';
import { meanCi95 } from './stats';
import { accuracyByTask, crossEntropyByTask } from './losses';
import { disposeBatch, classificationBatch, sampleTestBatch } from './tasks/meta-batch';
import { drawEpisodes, type ClassificationProblem } from './tasks/episodes';

export interface EvalConfig {
  kShot: number;
  /** Test-time gradient steps: curves have steps + 1 points (step 0 = before adaptation). */
  steps: number;
  tasks: number;
  alpha: number;
  /** Held-out points per task where the MSE is measured. */
  queryPoints: number;
  /** The same seed gives every method the same test tasks and points: a paired comparison. */
  seed: number;
}

export { PAPER_EVAL } from './config';

/** MSE on held-out points at steps 0..k, mean and 95% CI over the test tasks. */
export interface EvalCurve {
  kShot: number;
  tasks: number;
  alpha: number;
  mean: number[];
  ci95: number[];
}

export interface EvalOptions {
  /** Tasks adapted at once; bounds memory, and lets a caller interleave other work between chunks. */
  chunk?: number;
  /** Runs each chunk; the worker passes its engine lock so clicks are answered between chunks. */
  runChunk?: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * Each test task adapted by the learner's own rule (Meta-SGD's rates, ANIL's head, iMAML's proximal term)
 * with the shared steps and alpha. The learner may be a getter: with runChunk interleaving other work, the
 * parameters can be replaced between chunks (live training), and each chunk must see the current ones.
 */
export async function evaluate(learner: Learner | (() => Learner), cfg: EvalConfig, opts: EvalOptions = {}): Promise<EvalCurve> {
  const chunk = opts.chunk ?? 100;
  const runChunk = opts.runChunk ?? ((fn) => fn());
  const current = typeof learner === 'function' ? learner : () => learner;
  const rng = new Rng(cfg.seed);
  const perStep: number[][] = Array.from({ length: cfg.steps + 1 }, () => []);
  for (let done = 0; done < cfg.tasks; done += chunk) {
    const n = Math.min(chunk, cfg.tasks - done);
    const { batch } = sampleTestBatch(rng, n, cfg.kShot, cfg.queryPoints);
    const values = await runChunk(async () => {
      const losses = tf.tidy(() => {
        const { params, rule, taskInput } = current();
        const input = (x: tf.Tensor3D) => (taskInput ? oracleInputs(x, batch.tasks!) : x);
        const [sx, qx] = [input(batch.supportX), input(batch.queryX)];
        const inner = { ...rule, steps: cfg.steps, alpha: cfg.alpha };
        return tf.stack(adaptSteps(params, sx, batch.supportY, inner, (p) => mseByTask(forward(p, qx), batch.queryY)));
      });
      const v = await losses.data();
      losses.dispose();
      return v;
    });
    disposeBatch(batch);
    for (let s = 0; s <= cfg.steps; s++) for (let t = 0; t < n; t++) perStep[s].push(values[s * n + t]);
  }
  const stats = perStep.map((v) => meanCi95(v));
  return { kShot: cfg.kShot, tasks: cfg.tasks, alpha: cfg.alpha, mean: stats.map((s) => s.mean), ci95: stats.map((s) => s.ci95) };
}

/** Classification episodes: N-way, with kShot support and queryPoints query examples per class. */
export interface ClassEvalConfig extends EvalConfig {
  problem: ClassificationProblem;
  classes: number;
}

/** Cross-entropy (mean, ci95) and accuracy on the query points at steps 0..k, over the test episodes. */
export interface ClassEvalCurve extends EvalCurve {
  classes: number;
  accuracy: { mean: number[]; ci95: number[] };
}

/** The paper's protocol for classification: 600 test episodes, accuracy with its 95% CI. */
export const PLANE_EVAL = { problem: 'plane' as const, steps: 5, tasks: 600, alpha: 0.5, queryPoints: 10, seed: 4242 };
export const GLYPH_EVAL = { problem: 'glyphs' as const, steps: 5, tasks: 600, alpha: 0.4, queryPoints: 5, seed: 4343 };

/**
 * evaluate() for classification (plane or glyphs): each test episode adapted by the learner's own rule on its support
 * set (cross-entropy), scored on its query points. Episodes are drawn one after another from one stream, so
 * any chunking sees the same test set.
 */
export async function evaluateClassification(learner: Learner | (() => Learner), cfg: ClassEvalConfig, opts: EvalOptions = {}): Promise<ClassEvalCurve> {
  const chunk = opts.chunk ?? 100;
  const runChunk = opts.runChunk ?? ((fn) => fn());
  const current = typeof learner === 'function' ? learner : () => learner;
  const rng = new Rng(cfg.seed);
  const ce: number[][] = Array.from({ length: cfg.steps + 1 }, () => []);
  const acc: number[][] = Array.from({ length: cfg.steps + 1 }, () => []);
  for (let done = 0; done < cfg.tasks; done += chunk) {
    const n = Math.min(chunk, cfg.tasks - done);
    const batch = classificationBatch(drawEpisodes(cfg.problem, rng, n, cfg.classes, cfg.kShot, cfg.queryPoints));
    const values = await runChunk(async () => {
      const scores = tf.tidy(() => {
        const { params, rule } = current();
        const inner = { ...rule, steps: cfg.steps, alpha: cfg.alpha, loss: 'crossEntropy' as const };
        return tf.stack(
          adaptSteps(params, batch.supportX, batch.supportY, inner, (p) => {
            const logits = forward(p, batch.queryX);
            return tf.stack([crossEntropyByTask(logits, batch.queryY), accuracyByTask(logits, batch.queryY)]);
          }),
        );
      });
      const v = await scores.data();
      scores.dispose();
      return v;
    });
    disposeBatch(batch);
    // values: [steps + 1, 2, n]
    for (let s = 0; s <= cfg.steps; s++)
      for (let t = 0; t < n; t++) {
        ce[s].push(values[(s * 2) * n + t]);
        acc[s].push(values[(s * 2 + 1) * n + t]);
      }
  }
  const ceStats = ce.map((v) => meanCi95(v));
  const accStats = acc.map((v) => meanCi95(v));
  return {
    kShot: cfg.kShot,
    tasks: cfg.tasks,
    alpha: cfg.alpha,
    classes: cfg.classes,
    mean: ceStats.map((s) => s.mean),
    ci95: ceStats.map((s) => s.ci95),
    accuracy: { mean: accStats.map((s) => s.mean), ci95: accStats.map((s) => s.ci95) },
  };
}

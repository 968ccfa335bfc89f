import * as tf from '@tensorflow/tfjs';
import { adaptSteps, type Learner } from './inner';
import { forward, mseByTask, oracleInputs } from './model';
import { Rng } from '../contracts/random';
import { meanCi95, median, stepSummary } from '../contracts/stats';
import { accuracyByTask, crossEntropyByTask } from './losses';
import { classificationBatch, disposeBatch, sampleTestBatch, type MetaBatch } from './meta-batch';
import { drawEpisodes } from '../contracts/problems';
import type { ClassEvalConfig, ClassEvalCurve, EvalConfig, EvalCurve } from '../contracts/types';


export { GLYPH_EVAL, PAPER_EVAL, PLANE_EVAL } from '../contracts/config';


export interface EvalOptions {
  /** Tasks adapted at once; bounds memory, and lets a caller interleave other work between chunks. */
  chunk?: number;
  /** Runs each chunk; the worker passes its engine lock so clicks are answered between chunks. */
  runChunk?: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * The test set chunk by chunk: each chunk drawn (in one stream, so any chunking sees the same tasks), then scored
 * through runChunk with the learner current at that moment. score returns [steps + 1, metrics, n]; the result
 * is each metric's mean and 95% CI at every step.
 */
async function scoreTestSet(
  learner: Learner | (() => Learner),
  cfg: EvalConfig,
  opts: EvalOptions,
  metrics: number,
  draw: (rng: Rng, n: number) => MetaBatch,
  score: (l: Learner, batch: MetaBatch) => tf.Tensor,
): Promise<number[][][]> {
  const chunk = opts.chunk ?? 100;
  const runChunk = opts.runChunk ?? ((fn) => fn());
  const current = typeof learner === 'function' ? learner : () => learner;
  const rng = new Rng(cfg.seed);
  const values: number[][][] = Array.from({ length: metrics }, () => Array.from({ length: cfg.steps + 1 }, () => []));
  for (let done = 0; done < cfg.tasks; done += chunk) {
    const n = Math.min(chunk, cfg.tasks - done);
    const batch = draw(rng, n);
    const v = await runChunk(async () => {
      const scores = tf.tidy(() => score(current(), batch));
      const data = await scores.data();
      scores.dispose();
      return data;
    });
    disposeBatch(batch);
    for (let s = 0; s <= cfg.steps; s++) for (let m = 0; m < metrics; m++) for (let t = 0; t < n; t++) values[m][s].push(v[(s * metrics + m) * n + t]);
  }
  return values;
}

/** Mean and 95% CI of a metric at every step (accuracy, cross-entropy). */
function meanCurve(perStep: number[][]): { mean: number[]; ci95: number[] } {
  const stats = perStep.map((x) => meanCi95(x));
  return { mean: stats.map((x) => x.mean), ci95: stats.map((x) => x.ci95) };
}

/**
 * Each test task adapted by the learner's own rule (Meta-SGD's rates, ANIL's head, iMAML's proximal term)
 * with the shared steps and alpha. The learner may be a getter: with runChunk interleaving other work, the
 * parameters can be replaced between chunks (live training), and each chunk must see the current ones.
 */
export async function evaluate(learner: Learner | (() => Learner), cfg: EvalConfig, opts: EvalOptions = {}): Promise<EvalCurve> {
  const [mse] = await scoreTestSet(
    learner,
    cfg,
    opts,
    1,
    (rng, n) => sampleTestBatch(rng, n, cfg.kShot, cfg.queryPoints).batch,
    ({ params, rule, taskInput }, batch) => {
      const input = (x: tf.Tensor3D) => (taskInput ? oracleInputs(x, batch.tasks!) : x);
      const [sx, qx] = [input(batch.supportX), input(batch.queryX)];
      const inner = { ...rule, steps: cfg.steps, alpha: cfg.alpha };
      return tf.stack(adaptSteps(params, sx, batch.supportY, inner, (p) => tf.stack([mseByTask(forward(p, qx), batch.queryY)])));
    },
  );
  return { kShot: cfg.kShot, tasks: cfg.tasks, alpha: cfg.alpha, ...stepSummary(mse) };
}




/**
 * evaluate() for classification (plane or glyphs): each test episode adapted by the learner's own rule on its support
 * set (cross-entropy), scored on its query points. Episodes are drawn one after another from one stream, so
 * any chunking sees the same test set.
 */
export async function evaluateClassification(learner: Learner | (() => Learner), cfg: ClassEvalConfig, opts: EvalOptions = {}): Promise<ClassEvalCurve> {
  const [ce, accuracy] = await scoreTestSet(
    learner,
    cfg,
    opts,
    2,
    (rng, n) => classificationBatch(drawEpisodes(cfg.problem, rng, n, cfg.classes, cfg.kShot, cfg.queryPoints)),
    ({ params, rule }, batch) => {
      const inner = { ...rule, steps: cfg.steps, alpha: cfg.alpha, loss: 'crossEntropy' as const };
      return tf.stack(
        adaptSteps(params, batch.supportX, batch.supportY, inner, (p) => {
          const logits = forward(p, batch.queryX);
          return tf.stack([crossEntropyByTask(logits, batch.queryY), accuracyByTask(logits, batch.queryY)]);
        }),
      );
    },
  );
  // A cross-entropy is large before adaptation by design (first-order MAML's unadapted logits): only a
  // non-finite one counts as blown up. Accuracy keeps its median beside the mean (its blow-up is the loss's).
  return {
    kShot: cfg.kShot,
    tasks: cfg.tasks,
    alpha: cfg.alpha,
    classes: cfg.classes,
    ...stepSummary(ce, Infinity),
    accuracy: { ...meanCurve(accuracy), median: accuracy.map((v) => median(v)) },
  };
}

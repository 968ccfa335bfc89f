/**
 * The shapes that the page, the worker and the engine share, without tfjs: results of adaptation and
 * evaluation, parameter values off the device. The engine computes them; the page only reads them.
 */
import type { ClassificationProblem, LabelledSet } from './tasks/episodes';

/** One method adapted to the user's points: what the task panel and the loss panel draw. */
export interface AdaptationCurves {
  /** predictions[step][i] at grid[i], steps 0..k. */
  predictions: number[][];
  /** MSE on the support points at each step. */
  supportLoss: number[];
  /** MSE against the true function on the grid (held-out points) at each step; null without a true task. */
  taskLoss: number[] | null;
  /** First step whose output is not finite (alpha too large), or null. */
  divergedAt: number | null;
}

/** One method adapted to the user's support set. */
export interface ClassAdaptation {
  /** probabilities[step]: [queries x classes] row-major, steps 0..k. */
  probabilities: Float32Array[];
  /** Accuracy and mean cross-entropy on the support set at each step (NaN without support examples). */
  supportAccuracy: number[];
  supportLoss: number[];
  /** The same on the queries where their labels are known (the plane's true task), else null. */
  queryAccuracy: number[] | null;
  queryLoss: number[] | null;
  /** First step whose output is not finite (alpha too large), or null. */
  divergedAt: number | null;
}

export interface ClassifyInput {
  classes: number;
  support: LabelledSet;
  /** Inputs to classify, [n x dim] row-major. */
  queries: Float32Array;
  queryLabels: Int32Array | null;
  steps: number;
  alpha: number;
}

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

/** MSE on held-out points at steps 0..k, mean and 95% CI over the test tasks. */
export interface EvalCurve {
  kShot: number;
  tasks: number;
  alpha: number;
  mean: number[];
  ci95: number[];
  /** The median over the tasks at each step (robust to the few that blow up). */
  median?: number[];
  /** The share of tasks that blew up at each step: error above BLOW_UP_MSE (stats.ts) or not finite. */
  blowUp?: number[];
}

/** Classification episodes: N-way, with kShot support and queryPoints query examples per class. */
export interface ClassEvalConfig extends EvalConfig {
  problem: ClassificationProblem;
  classes: number;
}

/**
 * Cross-entropy (mean, ci95, median, and blowUp: the share of episodes whose loss is not finite) and accuracy
 * (mean, ci95, median) on the query points at steps 0..k, over the test episodes. Files written before the
 * medians were stored lack them.
 */
export interface ClassEvalCurve extends EvalCurve {
  classes: number;
  accuracy: { mean: number[]; ci95: number[]; median?: number[] };
}

/** Parameter values off the device: what checkpoints and messages carry. */
export interface ParamArrays {
  [name: string]: { shape: number[]; values: Float32Array };
}

/** What a problem's tasks are scored by: squared error (regression) or cross-entropy on one-hot labels. */
export type LossKind = 'mse' | 'crossEntropy';

/** A fully connected ReLU network: sizes = [in, hidden..., out]. The paper's sinusoid net is [1, 40, 40, 1]. */
export interface MlpSpec {
  sizes: number[];
}

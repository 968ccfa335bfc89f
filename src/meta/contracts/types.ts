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

/**
 * One real meta-iteration of MAML, stage by stage (the Learn mode's slow motion, issue 15): the seeded
 * meta-batch's tasks, each task's inner steps (its support loss before and after each), its query loss at the
 * adapted weights, the exact and first-order meta-gradients, and theta after one plain meta-step. Computed by
 * the typed-array kernels that train (src/meta/fast/breakdown.ts, FastMaml).
 */
export interface MetaStepBreakdown {
  sizes: number[];
  seed: number;
  alpha: number;
  /** The meta learning rate of the shown update theta - beta * g (the trainer itself runs Adam on g). */
  metaLr: number;
  innerSteps: number;
  kSupport: number;
  kQuery: number;
  tasks: {
    amplitude: number;
    phase: number;
    support: { x: number; y: number }[];
    /** The support loss at theta and after each inner step: innerSteps + 1 values. */
    supportLoss: number[];
    /** The query loss at theta (before adapting) and at the adapted weights (what the outer loop minimises). */
    queryLossBefore: number;
    queryLoss: number;
  }[];
  /** Mean query loss after adaptation over the tasks: FastMaml.metaGradient's return value. */
  metaLoss: number;
  /** The same after the meta-step (theta - beta * g), on the same batch. */
  metaLossAfter: number;
  /** The mean meta-gradient over the tasks, exact (through (I - alpha H)) and first order, every entry. */
  exactGrad: number[];
  firstOrderGrad: number[];
  exactNorm: number;
  firstOrderNorm: number;
  /** cos(exact, first order) and |first order| / |exact|. */
  cosine: number;
  normRatio: number;
  /** The entries shown: the first layer's first weights (indices into theta), theta there before and after. */
  shown: number[];
  thetaBefore: number[];
  thetaAfter: number[];
}

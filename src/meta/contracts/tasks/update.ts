/**
 * "Inside the update": linear regression tasks y = w* . x with x in R^2, so that a model's effective weight is a
 * point in the plane. A task's squared error is a quadratic in the effective weight w,
 *   L(w) = w^T A w - 2 b^T w + c,   gradient 2 (A w - b),   Hessian 2 A,
 * in closed form from its points (A = X^T X / n, b = X^T y / n, c = y . y / n) or from the input covariance
 * (A = S, b = S w*, c = w*^T S w*: the expected error over fresh inputs). The family the user sees and changes:
 * task weights w* ~ N(mean, R(rotation) diag(scales^2) R(rotation)^T), inputs x ~ N(0, diag(inputScales^2)).
 * tfjs-free and DOM-free, like every task generator.
 */
import type { Rng } from '../random';

/** A 2-D quadratic loss: L(w) = a11 w1^2 + 2 a12 w1 w2 + a22 w2^2 - 2 (b1 w1 + b2 w2) + c. */
export interface Quad {
  a11: number;
  a12: number;
  a22: number;
  b1: number;
  b2: number;
  c: number;
}

/**
 * Binary logistic regression on points in the plane (issue 16's LogR): labels y in {0, 1}, loss the mean
 * cross-entropy of sigmoid(w . x), not a quadratic (its Hessian, mean sigma (1 - sigma) x x^T, depends on w).
 */
export interface LogisticLoss {
  /** Inputs, interleaved x1, x2. */
  x: Float64Array;
  y: Float64Array;
}

/** A task's loss as a function of the effective weight. */
export type TaskLoss = Quad | LogisticLoss;

/** The task family: where the tasks' optima lie and how the inputs are spread. */
export interface UpdateFamily {
  /** The mean task weight w*. */
  mean: readonly [number, number];
  /** Standard deviations of w* along its principal axes (before rotation). */
  scales: readonly [number, number];
  /** The rotation of those axes, in radians. */
  rotation: number;
  /** Standard deviations of the inputs x1, x2: their squares are the population loss's curvature. */
  inputScales: readonly [number, number];
}

/**
 * The default family, ill-conditioned on purpose: the inputs' second coordinate is 4x smaller, so the loss is 16x
 * flatter along w2, and the tasks differ mostly along w2 (spread 2.5 against 0.25). A shallow model's one step at
 * a fixed alpha (stable only below 1 / a11 = 1) moves w2 by 2 alpha a22 = 5% of the way to the task's optimum:
 * it cannot adapt where the tasks differ. A model that meta-learns a preconditioner (deep linear, KFO) can take
 * a long step along w2 and a short one along w1.
 */
export const UPDATE_FAMILY: UpdateFamily = { mean: [1, 0.5], scales: [0.25, 2.5], rotation: 0, inputScales: [1, 0.25] };

/**
 * The logistic-regression family (LogR versus LogR + LinNet): the same ill-conditioned inputs, optima spread 5
 * along w2 against 0.5 along w1. Near the boundary the cross-entropy's curvature is about sigma' x x^T with x2 4x
 * smaller, so a shallow step at alpha = 1 barely moves w2.
 */
export const LOGISTIC_FAMILY: UpdateFamily = { mean: [2, 1], scales: [0.5, 5], rotation: 0, inputScales: [1, 0.25] };

/** Its protocol: as UPDATE_PROTOCOL's, with alpha = 1 and 200 held-out query points per test task (no closed form). */
export const LOGISTIC_PROTOCOL = { alpha: 1, innerSteps: 1, kSupport: 20, kQuery: 20, testQuery: 200, metaLr: 0.005, iterations: 5000 } as const;

/** The training and test protocol of the shallow / deep / KFO comparison. */
export const UPDATE_PROTOCOL = {
  /** Inner step, shared by every model (the shallow model's fixed step: stable below 1 / max a11). */
  alpha: 0.4,
  /** Inner steps during meta-training. */
  innerSteps: 1,
  /** Support and query points of a training task. */
  kSupport: 20,
  kQuery: 20,
  /** Tasks per meta-batch. */
  metaBatch: 25,
  /** Validation tasks (their own seed) choose the kept snapshot; test tasks only report. */
  validationTasks: 2000,
  validationSeed: 777,
  testTasks: 600,
  testSeed: 12345,
  /** Steps reported after adaptation. */
  steps: [1, 5] as const,
  /** Meta-training: Adam's step, iterations, and how often validation tasks score a snapshot. */
  metaLr: 0.005,
  iterations: 10000,
  validateEvery: 500,
} as const;

/** One task: its optimum, its support loss (from K points) and its population loss (from the input covariance). */
export interface UpdateTask {
  wStar: [number, number];
  support: Quad;
  query: Quad;
}

export function quadValue(q: Quad, w1: number, w2: number): number {
  return q.a11 * w1 * w1 + 2 * q.a12 * w1 * w2 + q.a22 * w2 * w2 - 2 * (q.b1 * w1 + q.b2 * w2) + q.c;
}

/** The quadratic of the mean squared error of y = w . x on n points (x interleaved x1, x2). */
export function quadFromPoints(x: ArrayLike<number>, y: ArrayLike<number>): Quad {
  const n = y.length;
  const q: Quad = { a11: 0, a12: 0, a22: 0, b1: 0, b2: 0, c: 0 };
  for (let i = 0; i < n; i++) {
    const x1 = x[2 * i];
    const x2 = x[2 * i + 1];
    const t = y[i];
    q.a11 += x1 * x1;
    q.a12 += x1 * x2;
    q.a22 += x2 * x2;
    q.b1 += x1 * t;
    q.b2 += x2 * t;
    q.c += t * t;
  }
  for (const k of ['a11', 'a12', 'a22', 'b1', 'b2', 'c'] as const) q[k] /= n;
  return q;
}

/** The expected squared error over inputs x ~ N(0, diag(inputScales^2)) for the task with optimum wStar. */
export function populationQuad(family: Pick<UpdateFamily, 'inputScales'>, wStar: readonly [number, number]): Quad {
  const s1 = family.inputScales[0] ** 2;
  const s2 = family.inputScales[1] ** 2;
  return { a11: s1, a12: 0, a22: s2, b1: s1 * wStar[0], b2: s2 * wStar[1], c: s1 * wStar[0] ** 2 + s2 * wStar[1] ** 2 };
}

/** A standard normal draw (Box-Muller, one of the pair). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** The family's covariance of w*: R diag(scales^2) R^T as [c11, c12, c22]. */
export function familyCovariance(family: UpdateFamily): [number, number, number] {
  const c = Math.cos(family.rotation);
  const s = Math.sin(family.rotation);
  const l1 = family.scales[0] ** 2;
  const l2 = family.scales[1] ** 2;
  return [c * c * l1 + s * s * l2, c * s * (l1 - l2), s * s * l1 + c * c * l2];
}

/** One task optimum from the family. */
export function sampleOptimum(rng: Rng, family: UpdateFamily): [number, number] {
  const z1 = gaussian(rng) * family.scales[0];
  const z2 = gaussian(rng) * family.scales[1];
  const c = Math.cos(family.rotation);
  const s = Math.sin(family.rotation);
  return [family.mean[0] + c * z1 - s * z2, family.mean[1] + s * z1 + c * z2];
}

function samplePoints(rng: Rng, family: UpdateFamily, wStar: readonly [number, number], n: number): Quad {
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = gaussian(rng) * family.inputScales[0];
    x[2 * i + 1] = gaussian(rng) * family.inputScales[1];
    y[i] = wStar[0] * x[2 * i] + wStar[1] * x[2 * i + 1];
  }
  return quadFromPoints(x, y);
}

/**
 * T tasks: each an optimum from the family, a support loss from kSupport points and a query loss from kQuery
 * points (kQuery = 0: the population loss, the exact expected error on fresh inputs, which the tests report).
 */
export function drawUpdateTasks(rng: Rng, family: UpdateFamily, tasks: number, kSupport: number, kQuery: number): UpdateTask[] {
  const out: UpdateTask[] = [];
  for (let t = 0; t < tasks; t++) {
    const wStar = sampleOptimum(rng, family);
    const support = samplePoints(rng, family, wStar, kSupport);
    const query = kQuery > 0 ? samplePoints(rng, family, wStar, kQuery) : populationQuad(family, wStar);
    out.push({ wStar, support, query });
  }
  return out;
}

export interface LogisticTask {
  wStar: [number, number];
  support: LogisticLoss;
  query: LogisticLoss;
}

function sampleLabelled(rng: Rng, family: UpdateFamily, wStar: readonly [number, number], n: number): LogisticLoss {
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = gaussian(rng) * family.inputScales[0];
    x[2 * i + 1] = gaussian(rng) * family.inputScales[1];
    const z = wStar[0] * x[2 * i] + wStar[1] * x[2 * i + 1];
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

/**
 * T binary classification tasks: an optimum w* from the family, labels drawn with probability sigmoid(w* . x)
 * (so the task's expected loss is smallest at w*), kSupport support and kQuery query points.
 */
export function drawLogisticTasks(rng: Rng, family: UpdateFamily, tasks: number, kSupport: number, kQuery: number): LogisticTask[] {
  return Array.from({ length: tasks }, () => {
    const wStar = sampleOptimum(rng, family);
    return { wStar, support: sampleLabelled(rng, family, wStar, kSupport), query: sampleLabelled(rng, family, wStar, kQuery) };
  });
}

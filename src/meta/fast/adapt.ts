/**
 * Test-time adaptation on typed arrays: what a click asks for (every shown method adapted to the user's points
 * for steps 0..k, predicted on the whole x grid at every step) without TF.js, whose per-kernel overhead is most
 * of the cost for nets this small (issue 5, target 4). The same rule as src/meta/engine/inner.ts's sgdStep, learner by
 * learner: which parameters adapt (ANIL: the head), learned per-parameter rates (Meta-SGD), the proximal term
 * (iMAML), and the oracle's task input. Tests hold it to adaptation.ts's tfjs path.
 */
import { sinusoid, type Point, type SinusoidTask } from '../contracts/tasks/sinusoid';
import { GridForward } from './grid';
import { forwardRows, layoutOf, lossAndGrad, Workspace, type FlatLoss, type Layout } from './mlp';
import type { AdaptationCurves } from '../contracts/types';

/** A learner's meta-parameters in the flat layout of mlp.ts, with its inner rule. */
export interface FlatLearner {
  sizes: number[];
  theta: Float64Array;
  /** Meta-SGD's learned rates in the same layout; null: every adapted parameter takes the test-time alpha. */
  rates: Float64Array | null;
  /** The layers whose weights and biases adapt (ANIL: the last); null: all. */
  adaptedLayers: number[] | null;
  /** iMAML's proximal strength: each step descends L + lambda/2 |phi - theta|^2. */
  lambda: number | null;
  /** The oracle: the input is x, amplitude, sin(phase), cos(phase). */
  taskInput: boolean;
}

/**
 * A learner from named parameter values (w0, b0, ..., and lr_w0, ... for learned rates) and its rule, the way
 * src/meta/engine/inner.ts names them.
 */
export function flatLearner(
  values: Record<string, { shape: number[]; values: ArrayLike<number> }>,
  rule: { adapted?: string[]; lambda?: number },
  taskInput: boolean,
): FlatLearner {
  const layers = Object.keys(values).filter((n) => /^w\d+$/.test(n)).length;
  const sizes = [values.w0.shape[0], ...Array.from({ length: layers }, (_, l) => values[`w${l}`].shape[1])];
  const lay = layoutOf(sizes);
  const pack = (prefix: string): Float64Array => {
    const out = new Float64Array(lay.total);
    for (let l = 0; l < layers; l++) {
      out.set(values[`${prefix}w${l}`].values, lay.w[l]);
      out.set(values[`${prefix}b${l}`].values, lay.b[l]);
    }
    return out;
  };
  const adaptedLayers = rule.adapted
    ? Array.from({ length: layers }, (_, l) => l).filter((l) => rule.adapted!.includes(`w${l}`) || rule.adapted!.includes(`b${l}`))
    : null;
  return {
    sizes,
    theta: pack(''),
    rates: 'lr_w0' in values ? pack('lr_') : null,
    adaptedLayers,
    lambda: rule.lambda ?? null,
    taskInput,
  };
}

/** The step size of every parameter: its learned rate, alpha, or 0 where the rule does not adapt it. */
function stepSizes(l: FlatLearner, lay: Layout, alpha: number): Float64Array {
  const out = l.rates ? Float64Array.from(l.rates) : new Float64Array(lay.total).fill(alpha);
  if (l.adaptedLayers) {
    const keep = new Uint8Array(lay.total);
    for (const layer of l.adaptedLayers) {
      const end = lay.b[layer] + l.sizes[layer + 1];
      keep.fill(1, lay.w[layer], end);
    }
    for (let i = 0; i < out.length; i++) if (!keep[i]) out[i] = 0;
  }
  return out;
}

/** The oracle's inputs after x: amplitude, sin(phase), cos(phase). */
const taskFeatures = (task: SinusoidTask) => [task.amplitude, Math.sin(task.phase), Math.cos(task.phase)];

/** Inputs for n points: x alone, or x and the task's features (the oracle). */
export function flatInputs(xs: ArrayLike<number>, n: number, taskInput: boolean, task: SinusoidTask | null): Float64Array {
  if (!taskInput) return Float64Array.from({ length: n }, (_, i) => xs[i]);
  const out = new Float64Array(n * 4);
  const features = taskFeatures(task!);
  for (let i = 0; i < n; i++) out.set([xs[i], ...features], i * 4);
  return out;
}

/**
 * Scratch buffers kept between calls, by shape: a click's adaptation allocates no large arrays (in the worker,
 * garbage collection showed up as jitter in click-to-curves latency). Calls run one at a time.
 */
const pool = new Map<string, unknown>();
export function reused<T>(key: string, make: () => T): T {
  let v = pool.get(key) as T | undefined;
  if (v === undefined) pool.set(key, (v = make()));
  return v;
}

/**
 * The network's output along the grid for given parameters: walked piecewise-linearly when the grid ascends
 * (GridForward, ~10x less work than the dense pass), else the dense forward pass.
 */
function curveOn(lay: Layout, grid: number[], fixed: number[]): (phi: Float64Array) => Float64Array {
  const G = grid.length;
  if (lay.sizes.length >= 3 && grid.every((x, i) => i === 0 || x >= grid[i - 1])) {
    const gf = reused(`grid ${lay.sizes} ${G}`, () => new GridForward(lay, G));
    return (phi) => gf.run(phi, grid, G, fixed).subarray(0, G);
  }
  const ws = reused(`grid rows ${lay.sizes} ${G}`, () => new Workspace(lay, G));
  const x = new Float64Array(G * lay.sizes[0]);
  grid.forEach((g, r) => x.set([g, ...fixed], r * lay.sizes[0]));
  return (phi) => forwardRows(ws, phi, x, G).subarray(0, G);
}

/** One learner's inner loop, with its buffers allocated once for support sets of up to maxK points. */
export class FlatAdapter {
  readonly lay: Layout;
  readonly phi: Float64Array;
  private readonly rate: Float64Array;
  private readonly g: Float64Array;
  private readonly ws: Workspace;
  /** False when the rule adapts nothing (the oracle): every step is the initial model. */
  readonly adapts: boolean;
  /** Plain SGD with one step size for every parameter (MAML's rule): that size, else null. */
  private readonly uniform: number | null;
  /** The next step's parameters, written by the backward pass under plain SGD. */
  private readonly next: Float64Array;

  constructor(
    readonly learner: FlatLearner,
    alpha: number,
    maxK: number,
    readonly loss: FlatLoss = 'mse',
  ) {
    this.lay = layoutOf(learner.sizes);
    this.rate = stepSizes(learner, this.lay, alpha);
    this.adapts = this.rate.some((r) => r !== 0);
    const r0 = this.rate[0];
    this.uniform = learner.lambda === null && r0 !== 0 && this.rate.every((r) => r === r0) ? r0 : null;
    this.next = new Float64Array(this.lay.total);
    this.phi = new Float64Array(this.lay.total);
    this.g = new Float64Array(this.lay.total);
    this.ws = reused(`support ${learner.sizes} ${Math.max(maxK, 1)}`, () => new Workspace(this.lay, Math.max(maxK, 1)));
  }

  /**
   * From theta, `steps` steps on the K support points (sx in the learner's input layout); atStep(phi, s) sees
   * the parameters before any step (s = 0) and after each. Returns the support loss at each step (NaN for K = 0).
   * Without points, or with nothing to adapt, no step is taken and only s = 0 is visited. lastLoss false: the
   * support loss after the last step is not computed (one forward pass less; the evaluation does not use it).
   */
  run(sx: Float64Array, sy: ArrayLike<number>, K: number, steps: number, atStep: (phi: Float64Array, s: number) => void, lastLoss = true): number[] {
    const { phi, g, rate, learner: l } = this;
    phi.set(l.theta);
    const run = K > 0 && this.adapts ? steps : 0;
    const losses: number[] = [];
    for (let s = 0; s <= run; s++) {
      atStep(phi, s);
      if (s === run && !lastLoss) break;
      if (s < run && this.uniform !== null) {
        // Plain SGD with one rate: the backward pass writes phi - rate g itself (the same bits as the loop below).
        losses.push(lossAndGrad(this.ws, phi, sx, sy, K, this.next, this.loss, 0, phi, -this.uniform));
        phi.set(this.next);
        continue;
      }
      // The gradient is taken at the same point as the loss: it moves phi to the next step.
      losses.push(K > 0 ? lossAndGrad(this.ws, phi, sx, sy, K, s < run ? g : null, this.loss) : NaN);
      if (s === run) break;
      const { lambda, theta } = l;
      if (lambda === null) {
        // Plain (per-parameter) SGD: the loop the evaluation runs 6,000 times a table.
        for (let i = 0; i < phi.length; i++) if (rate[i] !== 0) phi[i] -= rate[i] * g[i];
      } else
        for (let i = 0; i < phi.length; i++) {
          if (rate[i] === 0) continue;
          phi[i] -= rate[i] * (g[i] + lambda * (phi[i] - theta[i]));
        }
    }
    return losses;
  }
}

/**
 * Adapts each learner to the points for steps 0..k and predicts on the grid at every step: the same curves as
 * adaptToPoints (src/meta/engine/adaptation.ts), computed in float64 and shown as float32 like the tfjs path (a value
 * beyond float32's range is a diverged one there too). A learner that needs the task as input gets null
 * without a true function.
 */
export function adaptFlat(
  learners: FlatLearner[],
  points: Point[],
  grid: number[],
  steps: number,
  alpha: number,
  task: SinusoidTask | null,
): (AdaptationCurves | null)[] {
  const K = points.length;
  const G = grid.length;
  const truth = task ? grid.map((x) => sinusoid(task, x)) : null;
  const sy = Float64Array.from(points, (p) => p.y);
  return learners.map((l) => {
    if (l.taskInput && !task) return null;
    const adapter = new FlatAdapter(l, alpha, K);
    const sx = flatInputs(
      points.map((p) => p.x),
      K,
      l.taskInput,
      task,
    );
    const curve = curveOn(adapter.lay, grid, l.taskInput ? taskFeatures(task!) : []);
    const predictions: number[][] = [];
    const losses = adapter.run(sx, sy, K, steps, (phi) => predictions.push(Array.from(curve(phi), Math.fround)));
    const supportLoss = losses.map(Math.fround);
    // Steps not taken (no points, nothing to adapt) show the last model.
    while (predictions.length <= steps) {
      predictions.push(predictions[predictions.length - 1]);
      supportLoss.push(supportLoss[supportLoss.length - 1]);
    }
    const taskLoss = truth ? predictions.map((row) => row.reduce((acc, v, i) => acc + (v - truth[i]) ** 2, 0) / G) : null;
    const bad = predictions.findIndex((row, s) => !row.every(Number.isFinite) || (K > 0 && !Number.isFinite(supportLoss[s])));
    return { predictions, supportLoss, taskLoss, divergedAt: bad < 0 ? null : bad };
  });
}

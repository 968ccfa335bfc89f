/**
 * MAML's meta-gradient and a meta-trainer on typed arrays (issue 5's "tight typed-array path"): the same
 * maths as src/meta/engine/algorithms/maml.ts and fomaml.ts with the paper's Adam, sampling the same tasks from the
 * same seed as MetaTrainer, so a run here and a run there follow the same trajectory up to float32 rounding.
 * Exact second order by reverse-mode through the inner steps: v <- (I - alpha H(phi_j)) v from the last step to
 * the first, each H v by the R-operator, never a Hessian.
 */
import type { TrainConfig } from '../contracts/config';
import { divergenceReason } from '../contracts/divergence';
import { Rng } from '../contracts/random';
import { classesOf, drawEpisodes, isClassification, problemInfo } from '../contracts/problems';
import type { Episodes, LabelledSet } from '../contracts/tasks/episodes';
import { drawMetaBatch, type TaskSet } from '../contracts/tasks/sampling';
import { hessianVector, layoutOf, lossAndGrad, Workspace, type FlatLoss, type Layout } from './mlp';

/**
 * A meta-batch on typed arrays: each task's kSupport + kQuery rows of inputs and targets (for classification,
 * one-hot labels), task after task. A sinusoid TaskSet is one.
 */
export type FlatBatch = Pick<TaskSet, 'kSupport' | 'kQuery' | 'sx' | 'sy' | 'qx' | 'qy'> & { tasks: ArrayLike<unknown> };

export class FastMaml {
  readonly lay: Layout;
  private readonly support: Workspace[];
  private readonly query: Workspace;
  private readonly phis: Float64Array[];
  private readonly v: Float64Array;
  private readonly hv: Float64Array;

  constructor(
    sizes: number[],
    readonly maxSteps: number,
    kSupport: number,
    kQuery: number,
    readonly loss: FlatLoss = 'mse',
  ) {
    this.lay = layoutOf(sizes);
    const n = this.lay.total;
    // One support workspace per inner step: the backward pass needs each step's activations.
    this.support = Array.from({ length: Math.max(1, maxSteps) }, () => new Workspace(this.lay, kSupport));
    this.query = new Workspace(this.lay, kQuery);
    this.phis = Array.from({ length: maxSteps + 1 }, () => new Float64Array(n));
    this.v = new Float64Array(n);
    this.hv = new Float64Array(n);
  }

  /**
   * The mean over tasks of the query loss after `steps` SGD steps of size alpha on each task's support set,
   * and its gradient w.r.t. theta into `grad`: exact, or first order (d phi / d theta taken as I).
   */
  metaGradient(theta: Float64Array, data: FlatBatch, steps: number, alpha: number, exact: boolean, grad: Float64Array): number {
    if (steps > this.maxSteps) throw new Error(`at most ${this.maxSteps} inner steps`);
    const { kSupport: K, kQuery: Q } = data;
    const T = data.tasks.length;
    const { phis, v, hv } = this;
    const n = theta.length;
    grad.fill(0);
    let loss = 0;
    // phi_0 is theta itself (never written); phi_j for j >= 1 are this task's adapted parameters.
    const phi = (j: number) => (j === 0 ? theta : phis[j]);
    const { sx, sy, qx, qy } = data;
    for (let t = 0; t < T; t++) {
      // Task t's rows of the batch, read in place.
      for (let j = 0; j < steps; j++) {
        // The step itself, phi_{j+1} = phi_j - alpha g, written by the backward pass (the gradient is not kept).
        const cur = phi(j);
        lossAndGrad(this.support[j], cur, sx, sy, K, phis[j + 1], this.loss, t * K, cur, -alpha);
      }
      loss += lossAndGrad(this.query, phi(steps), qx, qy, Q, v, this.loss, t * Q);
      if (!exact || steps === 0) {
        for (let i = 0; i < n; i++) grad[i] += v[i];
        continue;
      }
      // d phi_{j+1} / d phi_j = I - alpha H(phi_j), symmetric: pull v back through each step; the last pull
      // goes straight into the sum over tasks.
      for (let j = steps - 1; j >= 0; j--) {
        const ws = this.support[j];
        if (j === 0 && !ws.sparse) {
          // grad += v - alpha H v, written by the Hessian-vector pass itself (H v is never stored).
          hessianVector(ws, theta, v, K, grad, v, -alpha);
          break;
        }
        hessianVector(ws, phi(j), v, K, hv);
        if (j > 0) for (let i = 0; i < n; i++) v[i] -= alpha * hv[i];
        else for (let i = 0; i < n; i++) grad[i] += v[i] - alpha * hv[i];
      }
    }
    for (let i = 0; i < grad.length; i++) grad[i] /= T;
    return loss / T;
  }
}

/** PyTorch-style init in the same draw order as initParams (w then b, layer by layer). */
export function initFlat(sizes: number[], rng: Rng): Float64Array {
  const lay = layoutOf(sizes);
  const p = new Float64Array(lay.total);
  for (let l = 0; l < sizes.length - 1; l++) {
    const bound = 1 / Math.sqrt(sizes[l]);
    for (let k = 0; k < sizes[l] * sizes[l + 1]; k++) p[lay.w[l] + k] = Math.fround(rng.uniform(-bound, bound));
    for (let k = 0; k < sizes[l + 1]; k++) p[lay.b[l] + k] = Math.fround(rng.uniform(-bound, bound));
  }
  return p;
}

/** MetaTrainer's settings that this path uses, the network's sizes, and exact or first order. */
export type FastTrainConfig = Pick<TrainConfig, 'metaBatch' | 'kSupport' | 'kQuery' | 'innerSteps' | 'alpha' | 'metaLr' | 'seed' | 'problem' | 'classes'> & {
  sizes: number[];
  exact: boolean;
};

/** Computes the mean meta-gradient of a batch: on the CPU (FastMaml) or on a GPU (src/meta/gpu's GpuMaml). */
export interface MetaGradientEngine {
  metaGradient(theta: Float64Array, data: FlatBatch, steps: number, alpha: number, exact: boolean, grad: Float64Array): number | Promise<number>;
  dispose?(): void;
}

export type FastStepOutcome = { ok: true; loss: number } | { ok: false; loss: number; reason: string };

/**
 * MetaTrainer's loop (same seed, same tasks, same Adam) for MAML and first-order MAML, its meta-gradient from
 * an engine: FastMaml on typed arrays by default. Sinusoid regression (squared error) or plane classification
 * (cross-entropy, episodes of kSupport and kQuery points of every class).
 */
export class FastMamlTrainer {
  readonly params: Float64Array;
  iteration = 0;
  private readonly rng: Rng;
  private readonly engine: MetaGradientEngine;
  private readonly grad: Float64Array;
  private readonly m: Float64Array;
  private readonly v: Float64Array;

  constructor(
    readonly config: FastTrainConfig,
    engine?: MetaGradientEngine,
  ) {
    if (!problemInfo(config).typed.trains) throw new Error(`The typed-array trainer does not train ${problemInfo(config).label}.`);
    this.rng = new Rng(config.seed);
    this.params = initFlat(config.sizes, this.rng.fork());
    const rows = this.classes === null ? 1 : this.classes;
    this.engine = engine ?? new FastMaml(config.sizes, config.innerSteps, rows * config.kSupport, rows * config.kQuery, this.classes === null ? 'mse' : 'crossEntropy');
    const n = this.params.length;
    this.grad = new Float64Array(n);
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }

  /** One meta-iteration with a synchronous (CPU) engine. */
  step(): FastStepOutcome {
    const data = this.draw();
    const loss = this.engine.metaGradient(this.params, data, this.config.innerSteps, this.config.alpha, this.config.exact, this.grad);
    if (typeof loss !== 'number') throw new Error('This engine is asynchronous: use stepAsync().');
    return this.apply(data, loss);
  }

  /** One meta-iteration with any engine. */
  async stepAsync(): Promise<FastStepOutcome> {
    const data = this.draw();
    const loss = await this.engine.metaGradient(this.params, data, this.config.innerSteps, this.config.alpha, this.config.exact, this.grad);
    return this.apply(data, loss);
  }

  dispose(): void {
    this.engine.dispose?.();
  }

  /** The number of classes of a classification problem, or null (regression). */
  private get classes(): number | null {
    return isClassification(this.config) ? classesOf(this.config) : null;
  }

  private draw(): FlatBatch {
    const c = this.config;
    if (this.classes === null) return drawMetaBatch(this.rng, c.metaBatch, c.kSupport, c.kQuery);
    return flatEpisodes(drawEpisodes(c.problem!, this.rng, c.metaBatch, this.classes, c.kSupport, c.kQuery), this.classes);
  }

  /**
   * Adam on the meta-gradient in this.grad. Like MetaTrainer, an update that is not finite or has blown up is
   * refused (the last good parameters stay) and the outcome says why.
   */
  private apply(data: FlatBatch, loss: number): FastStepOutcome {
    const c = this.config;
    let gradSq = 0;
    for (let i = 0, g = this.grad; i < g.length; i++) gradSq += g[i] * g[i];
    // The loss of a network that outputs zeros, as MetaTrainer has it.
    let zeroLoss = this.classes === null ? 0 : Math.log(this.classes);
    if (this.classes === null) for (let i = 0, qy = data.qy; i < qy.length; i++) zeroLoss += (qy[i] * qy[i]) / qy.length;
    const reason = divergenceReason(this.iteration + 1, loss, gradSq, zeroLoss, c);
    if (reason) return { ok: false, loss, reason };
    const t = ++this.iteration;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const stepSize = (c.metaLr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    const { params, grad, m, v } = this;
    for (let i = 0; i < params.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * grad[i];
      v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
      params[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) + eps);
    }
    return { ok: true, loss };
  }
}

/** Classification episodes as a FlatBatch: every task's points in a row, labels one-hot. */
export function flatEpisodes(e: Episodes, classes: number): FlatBatch {
  const set = (sets: LabelledSet[]) => {
    const k = sets[0].labels.length;
    const x = new Float32Array(sets.length * sets[0].x.length);
    const y = new Float32Array(sets.length * k * classes);
    sets.forEach((s, t) => {
      if (s.labels.length !== k) throw new Error('Episodes of different sizes cannot share a batch.');
      x.set(s.x, t * s.x.length);
      s.labels.forEach((c, i) => (y[(t * k + i) * classes + c] = 1));
    });
    return { k, x, y };
  };
  const s = set(e.support);
  const q = set(e.query);
  return { tasks: e.support, kSupport: s.k, kQuery: q.k, sx: s.x, sy: s.y, qx: q.x, qy: q.y };
}

/**
 * The other trainable algorithms on typed arrays (issue 17, target 3): Reptile, iMAML, ANIL, Meta-SGD, and the
 * jointly trained baselines (pretrained, the oracle), with the same maths as src/meta/engine/algorithms/*.ts
 * and the same loop as MetaTrainer (same seed, same tasks, same Adam, Reptile's annealed step, the same
 * divergence check), so a run here and a run on TF.js follow the same trajectory up to float32 rounding.
 * MAML and first-order MAML have their own trainer (maml.ts), which the fused WebGPU kernels also serve.
 *
 * Exact meta-gradients (ANIL, Meta-SGD) by reverse mode through the inner steps, as maml.ts does:
 * phi_{j+1} = phi_j - r (.) m (.) g(phi_j), with r the step sizes (alpha, or Meta-SGD's learned rates) and m the
 * mask of adapted parameters (ANIL: the head), so d phi_{j+1} / d phi_j = I - diag(r m) H(phi_j) and the
 * adjoint v of phi_{j+1} pulls back to v - H(phi_j) (r m v) (H symmetric), each H w by the R-operator; a learned
 * rate's adjoint gathers -g_j (.) v. iMAML solves (I + H/lambda) x = grad L_query(phi) by the engine's truncated
 * conjugate gradient, step for step.
 */
import { ALGORITHM_INFO, type AlgorithmId } from '../contracts/algorithms';
import type { TrainConfig } from '../contracts/config';
import { divergenceReason } from '../contracts/divergence';
import { Rng } from '../contracts/random';
import { classesOf, drawEpisodes, isClassification } from '../contracts/problems';
import type { SinusoidTask } from '../contracts/tasks/sinusoid';
import { drawMetaBatch } from '../contracts/tasks/sampling';
import { flatEpisodes, initFlat, type FlatBatch } from './maml';
import { hessianVector, layoutOf, lossAndGrad, Workspace, type FlatLoss, type Layout } from './mlp';

/** The algorithms this file trains: every one with something to train but MAML and first-order MAML (maml.ts). */
export const FAST_ALGORITHMS = ['reptile', 'imaml', 'anil', 'metasgd', 'pretrained', 'oracle'] as const satisfies readonly AlgorithmId[];
export type FastAlgorithmId = (typeof FAST_ALGORITHMS)[number];

export function isFastAlgorithm(id: AlgorithmId): id is FastAlgorithmId {
  return (FAST_ALGORITHMS as readonly AlgorithmId[]).includes(id);
}

/** The settings a meta-gradient uses: the inner loop's, and the network's sizes. */
export type FastAlgorithmSettings = Pick<TrainConfig, 'innerSteps' | 'alpha' | 'lambda' | 'cgSteps'> & { algorithm: FastAlgorithmId; sizes: number[] };

/** The meta-objective on a batch and the diagnostics MetaTrainer reports for the same algorithm. */
export interface FastMetaResult {
  loss: number;
  stats: Record<string, number>;
}

/** The oracle's input rows: x, the amplitude, sin(phase), cos(phase), as float32 (what oracleInputs makes). */
function oracleRows(x: ArrayLike<number>, from: number, k: number, task: SinusoidTask, out: Float64Array, at: number): void {
  const a = Math.fround(task.amplitude);
  const s = Math.fround(Math.sin(task.phase));
  const c = Math.fround(Math.cos(task.phase));
  for (let i = 0; i < k; i++) {
    const o = (at + i) * 4;
    out[o] = x[from + i];
    out[o + 1] = a;
    out[o + 2] = s;
    out[o + 3] = c;
  }
}

/**
 * The meta-gradient of one algorithm on a FlatBatch: the mean over tasks, into `grad` (overwritten), w.r.t. the
 * meta-parameters: the network's (layout w0, b0, ...), followed by Meta-SGD's learned rates in the same layout.
 */
export class FastAlgorithm {
  readonly lay: Layout;
  /** Network parameters; meta-parameters are 2n for Meta-SGD, n otherwise. */
  readonly n: number;
  readonly total: number;
  /** The first parameter the inner loop adapts (ANIL: the head's weights), up to n. */
  private readonly adaptFrom: number;
  private readonly info: (typeof ALGORITHM_INFO)[FastAlgorithmId];
  private ws: { rowsS: number; rowsQ: number; support: Workspace[]; query: Workspace; joint: Workspace } | null = null;
  private readonly phis: Float64Array[];
  private readonly gs: Float64Array[];
  private readonly v: Float64Array;
  private readonly w: Float64Array;
  private readonly hv: Float64Array;
  private readonly rg: Float64Array;
  private readonly cg: { x: Float64Array; r: Float64Array; p: Float64Array; ap: Float64Array };
  private jointX = new Float64Array(0);
  private jointY = new Float64Array(0);

  constructor(
    readonly settings: FastAlgorithmSettings,
    readonly loss: FlatLoss = 'mse',
  ) {
    this.info = ALGORITHM_INFO[settings.algorithm];
    this.lay = layoutOf(settings.sizes);
    const n = (this.n = this.lay.total);
    this.total = this.info.learnedRates ? 2 * n : n;
    const L = settings.sizes.length - 1;
    this.adaptFrom = this.info.adapts === 'head' ? this.lay.w[L - 1] : 0;
    const steps = Math.max(1, settings.innerSteps);
    const vec = () => new Float64Array(n);
    this.phis = Array.from({ length: steps + 1 }, vec);
    this.gs = Array.from({ length: steps }, vec);
    [this.v, this.w, this.hv, this.rg] = [vec(), vec(), vec(), vec()];
    this.cg = { x: vec(), r: vec(), p: vec(), ap: vec() };
  }

  private workspaces(rowsS: number, rowsQ: number) {
    if (this.ws && this.ws.rowsS === rowsS && this.ws.rowsQ === rowsQ) return this.ws;
    const exact = this.info.gradientOrder === 'second';
    // The exact algorithms keep every inner step's activations for the pull-back; the others reuse one.
    const count = exact ? Math.max(1, this.settings.innerSteps) : 1;
    const joint = this.info.gradientOrder === 'none' ? rowsS + rowsQ : 2;
    this.ws = {
      rowsS,
      rowsQ,
      support: Array.from({ length: count }, () => new Workspace(this.lay, rowsS)),
      query: new Workspace(this.lay, rowsQ),
      joint: new Workspace(this.lay, joint),
    };
    return this.ws;
  }

  metaGradient(theta: Float64Array, data: FlatBatch, grad: Float64Array): FastMetaResult {
    grad.fill(0);
    const T = data.tasks.length;
    const r =
      this.info.gradientOrder === 'none'
        ? this.joint(theta, data, grad)
        : this.info.outer === 'reptile'
          ? this.reptile(theta, data, grad)
          : this.info.proximal
            ? this.implicit(theta, data, grad)
            : this.exact(theta, data, grad);
    for (let i = 0; i < grad.length; i++) grad[i] /= T;
    return r;
  }

  /** Task t's support and query rows. */
  private rows(data: FlatBatch, t: number) {
    const nIn = data.sx.length / (data.tasks.length * data.kSupport);
    const nOut = data.sy.length / (data.tasks.length * data.kSupport);
    const { kSupport: K, kQuery: Q } = data;
    return {
      sx: data.sx.subarray(t * K * nIn, (t + 1) * K * nIn),
      sy: data.sy.subarray(t * K * nOut, (t + 1) * K * nOut),
      qx: data.qx.subarray(t * Q * nIn, (t + 1) * Q * nIn),
      qy: data.qy.subarray(t * Q * nOut, (t + 1) * Q * nOut),
    };
  }

  /** Pretrained and the oracle: every point of every task (support, then query), the mean of the tasks' losses. */
  private joint(theta: Float64Array, data: FlatBatch, grad: Float64Array): FastMetaResult {
    const { kSupport: K, kQuery: Q } = data;
    const ws = this.workspaces(K, Q).joint;
    const nIn = this.lay.sizes[0];
    const dataIn = data.sx.length / (data.tasks.length * K);
    const nOut = data.sy.length / (data.tasks.length * K);
    if (this.jointX.length !== (K + Q) * nIn) this.jointX = new Float64Array((K + Q) * nIn);
    if (this.jointY.length !== (K + Q) * nOut) this.jointY = new Float64Array((K + Q) * nOut);
    const { jointX: x, jointY: y, v } = this;
    const taskInput = this.info.input === 'x+task';
    let loss = 0;
    for (let t = 0; t < data.tasks.length; t++) {
      const s = this.rows(data, t);
      if (taskInput) {
        const task = data.tasks[t] as SinusoidTask;
        oracleRows(s.sx, 0, K, task, x, 0);
        oracleRows(s.qx, 0, Q, task, x, K);
      } else {
        if (dataIn !== nIn) throw new Error(`inputs of width ${dataIn} for a network of ${nIn}`);
        x.set(s.sx, 0);
        x.set(s.qx, K * nIn);
      }
      y.set(s.sy, 0);
      y.set(s.qy, K * nOut);
      loss += lossAndGrad(ws, theta, x, y, K + Q, v, this.loss);
      for (let i = 0; i < v.length; i++) grad[i] += v[i];
    }
    return { loss: loss / data.tasks.length, stats: {} };
  }

  /** Reptile: k SGD steps per task; the direction theta - mean(phi); the query loss at phi, for monitoring. */
  private reptile(theta: Float64Array, data: FlatBatch, grad: Float64Array): FastMetaResult {
    const { kSupport: K, kQuery: Q } = data;
    const ws = this.workspaces(K, Q);
    const { alpha, innerSteps } = this.settings;
    const phi = this.phis[0];
    const g = this.v;
    const n = this.n;
    let loss = 0;
    for (let t = 0; t < data.tasks.length; t++) {
      const s = this.rows(data, t);
      phi.set(theta.subarray(0, n));
      for (let j = 0; j < innerSteps; j++) {
        lossAndGrad(ws.support[0], phi, s.sx, s.sy, K, g, this.loss);
        for (let i = 0; i < n; i++) phi[i] -= alpha * g[i];
      }
      loss += lossAndGrad(ws.query, phi, s.qx, s.qy, Q, null, this.loss);
      for (let i = 0; i < n; i++) grad[i] += theta[i] - phi[i];
    }
    return { loss: loss / data.tasks.length, stats: {} };
  }

  /** ANIL and Meta-SGD: exact through the k inner steps (see the top of the file). */
  private exact(theta: Float64Array, data: FlatBatch, grad: Float64Array): FastMetaResult {
    const { kSupport: K, kQuery: Q } = data;
    const ws = this.workspaces(K, Q);
    const { alpha, innerSteps: steps } = this.settings;
    const { phis, gs, v, w, hv, rg, n, adaptFrom } = this;
    const rates = this.info.learnedRates;
    const phi = (j: number) => (j === 0 ? theta : phis[j]);
    let loss = 0;
    for (let t = 0; t < data.tasks.length; t++) {
      const s = this.rows(data, t);
      for (let j = 0; j < steps; j++) {
        const cur = phi(j);
        const g = gs[j];
        lossAndGrad(ws.support[j], cur, s.sx, s.sy, K, g, this.loss);
        const next = phis[j + 1];
        for (let i = 0; i < adaptFrom; i++) next[i] = cur[i];
        if (rates) for (let i = adaptFrom; i < n; i++) next[i] = cur[i] - theta[n + i] * g[i];
        else for (let i = adaptFrom; i < n; i++) next[i] = cur[i] - alpha * g[i];
      }
      loss += lossAndGrad(ws.query, phi(steps), s.qx, s.qy, Q, v, this.loss);
      if (rates) rg.fill(0);
      for (let j = steps - 1; j >= 0; j--) {
        const g = gs[j];
        w.fill(0, 0, adaptFrom);
        if (rates)
          for (let i = adaptFrom; i < n; i++) {
            rg[i] -= g[i] * v[i];
            w[i] = theta[n + i] * v[i];
          }
        else for (let i = adaptFrom; i < n; i++) w[i] = alpha * v[i];
        hessianVector(ws.support[j], phi(j), w, K, hv);
        for (let i = 0; i < n; i++) v[i] -= hv[i];
      }
      for (let i = 0; i < n; i++) grad[i] += v[i];
      if (rates) for (let i = adaptFrom; i < n; i++) grad[n + i] += rg[i];
    }
    return { loss: loss / data.tasks.length, stats: {} };
  }

  /**
   * iMAML: k proximal steps, then (I + H/lambda) x = grad L_query(phi) by conjugate gradient from 0 with the
   * engine's truncation (a direction of non-positive curvature stops that task's solve); the mean relative CG
   * residual and the mean norm of the proximal objective's gradient at phi as stats.
   */
  private implicit(theta: Float64Array, data: FlatBatch, grad: Float64Array): FastMetaResult {
    const { kSupport: K, kQuery: Q } = data;
    const ws = this.workspaces(K, Q);
    const { alpha, lambda, innerSteps, cgSteps } = this.settings;
    const { v: b, hv, n } = this;
    const phi = this.phis[0];
    const g = this.gs[0];
    const { x, r, p, ap } = this.cg;
    const dot = (a: Float64Array, c: Float64Array) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += a[i] * c[i];
      return s;
    };
    let loss = 0;
    let residual = 0;
    let gradNorm = 0;
    for (let t = 0; t < data.tasks.length; t++) {
      const s = this.rows(data, t);
      phi.set(theta.subarray(0, n));
      for (let j = 0; j < innerSteps; j++) {
        lossAndGrad(ws.support[0], phi, s.sx, s.sy, K, g, this.loss);
        for (let i = 0; i < n; i++) phi[i] -= alpha * (g[i] + lambda * (phi[i] - theta[i]));
      }
      loss += lossAndGrad(ws.query, phi, s.qx, s.qy, Q, b, this.loss);
      // At phi, with its activations kept for the Hessian-vector products below.
      lossAndGrad(ws.support[0], phi, s.sx, s.sy, K, g, this.loss);
      let st = 0;
      for (let i = 0; i < n; i++) {
        const d = g[i] + lambda * (phi[i] - theta[i]);
        st += d * d;
      }
      gradNorm += Math.sqrt(st);
      x.fill(0);
      r.set(b);
      p.set(b);
      let rs = dot(r, r);
      for (let k = 0; k < cgSteps; k++) {
        hessianVector(ws.support[0], phi, p, K, hv);
        for (let i = 0; i < n; i++) ap[i] = p[i] + hv[i] / lambda;
        const curvature = dot(p, ap);
        const step = curvature > 0 ? rs / curvature : 0;
        for (let i = 0; i < n; i++) {
          x[i] += step * p[i];
          r[i] -= step * ap[i];
        }
        const rsNext = dot(r, r);
        const beta = rs === 0 ? 0 : rsNext / rs;
        for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
        rs = rsNext;
      }
      const bb = Math.sqrt(dot(b, b));
      residual += bb === 0 ? 0 : Math.sqrt(rs) / bb;
      for (let i = 0; i < n; i++) grad[i] += x[i];
    }
    const T = data.tasks.length;
    return { loss: loss / T, stats: { cgResidual: residual / T, innerGradNorm: gradNorm / T } };
  }
}

/** What FastAlgorithmTrainer needs of a TrainConfig, and the network's sizes (architectureOf's). */
export type FastAlgorithmTrainConfig = Pick<
  TrainConfig,
  'metaBatch' | 'kSupport' | 'kQuery' | 'innerSteps' | 'alpha' | 'lambda' | 'cgSteps' | 'metaLr' | 'iterations' | 'seed' | 'problem' | 'classes'
> & { algorithm: FastAlgorithmId; sizes: number[] };

export type FastAlgorithmStep = { ok: true; loss: number; stats: Record<string, number> } | { ok: false; loss: number; reason: string };

/**
 * MetaTrainer's loop on typed arrays for the algorithms of this file: the same initialisation (Meta-SGD's rates
 * all alpha, in float32), the same batches from the same seed, Adam or Reptile's step annealed linearly to 0,
 * and the same refusal of a diverging update (the last good parameters stay).
 */
export class FastAlgorithmTrainer {
  /** The meta-parameters: the network's, then (Meta-SGD) its learned rates. */
  readonly params: Float64Array;
  iteration = 0;
  private readonly rng: Rng;
  private readonly algo: FastAlgorithm;
  private readonly grad: Float64Array;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private readonly classes: number | null;

  constructor(readonly config: FastAlgorithmTrainConfig) {
    this.classes = isClassification(config) ? classesOf(config) : null;
    this.rng = new Rng(config.seed);
    this.algo = new FastAlgorithm(config, this.classes === null ? 'mse' : 'crossEntropy');
    const net = initFlat(config.sizes, this.rng.fork());
    this.params = new Float64Array(this.algo.total);
    this.params.set(net);
    this.params.fill(Math.fround(config.alpha), net.length);
    const n = this.algo.total;
    this.grad = new Float64Array(n);
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }

  /** Reptile's outer step at the current iteration: metaLr, annealed linearly to 0 over the run (MetaTrainer's). */
  reptileStepSize(): number {
    return this.config.metaLr * Math.max(0, 1 - this.iteration / this.config.iterations);
  }

  step(): FastAlgorithmStep {
    const c = this.config;
    const data =
      this.classes === null
        ? drawMetaBatch(this.rng, c.metaBatch, c.kSupport, c.kQuery)
        : flatEpisodes(drawEpisodes(c.problem!, this.rng, c.metaBatch, this.classes, c.kSupport, c.kQuery), this.classes);
    const { loss, stats } = this.algo.metaGradient(this.params, data, this.grad);
    const { params, grad, m, v } = this;
    let gradSq = 0;
    for (const g of grad) gradSq += g * g;
    let zeroLoss = this.classes === null ? 0 : Math.log(this.classes);
    if (this.classes === null) for (const y of data.qy) zeroLoss += (y * y) / data.qy.length;
    const reason = divergenceReason(this.iteration + 1, loss, gradSq, zeroLoss, c);
    if (reason) return { ok: false, loss, reason };
    if (ALGORITHM_INFO[c.algorithm].outer === 'reptile') {
      const eps = this.reptileStepSize();
      for (let i = 0; i < params.length; i++) params[i] -= eps * grad[i];
      this.iteration++;
      return { ok: true, loss, stats: { ...stats, outerStepSize: eps } };
    }
    const t = ++this.iteration;
    const [b1, b2, epsilon] = [0.9, 0.999, 1e-8];
    const stepSize = (c.metaLr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (let i = 0; i < params.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * grad[i];
      v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
      params[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) + epsilon);
    }
    return { ok: true, loss, stats };
  }
}

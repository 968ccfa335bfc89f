/**
 * The other trainable algorithms on typed arrays (issue 17, target 3): Reptile, iMAML, ANIL, Meta-SGD, and the
 * jointly trained baselines (pretrained, the oracle), with the same maths as src/meta/engine/algorithms/*.ts
 * and the same loop as MetaTrainer (same seed, same tasks, same Adam, Reptile's annealed step, the same
 * divergence check), so a run here and a run on TF.js follow the same trajectory up to float32 rounding.
 * MAML and first-order MAML have their own trainer (maml.ts), which the fused WebGPU kernels also serve.
 *
 * Exact meta-gradients by reverse mode through the inner steps, as maml.ts does. Meta-SGD:
 * phi_{j+1} = phi_j - r (.) g(phi_j), with r the learned rates, so d phi_{j+1} / d phi_j = I - H(phi_j) diag(r)
 * and the adjoint v of phi_{j+1} pulls back to v - H(phi_j) (r v) (H symmetric), each H w by the R-operator; a
 * rate's adjoint gathers -g_j (.) v. ANIL: the same with r = alpha on the head and 0 on the body, computed in the
 * structure that gives (headOnly). iMAML solves (I + H/lambda) x = grad L_query(phi) by the engine's truncated
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
import { backwardFrom, crossEntropyRow, forwardRows, hessianVector, layoutOf, lossAndGrad, Workspace, type FlatLoss, type Layout } from './mlp';

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

/** The oracle's task inputs after x: the amplitude, sin(phase), cos(phase), as float32 (what oracleInputs makes). */
function oracleFeatures(task: SinusoidTask): [number, number, number] {
  return [Math.fround(task.amplitude), Math.fround(Math.sin(task.phase)), Math.fround(Math.cos(task.phase))];
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
  private readonly info: (typeof ALGORITHM_INFO)[FastAlgorithmId];
  private ws: { rowsS: number; rowsQ: number; support: Workspace[]; query: Workspace; joint: Workspace } | null = null;
  /**
   * The oracle's network seen by one task: its task inputs are constant over the task's points, so the first
   * layer is x W0[x] + (b0 + A W0[A] + sin W0[sin] + cos W0[cos]): a one-input net with a per-task bias, which
   * the one-input kernels (line.ts) serve.
   */
  private oracle: { lay: Layout; p: Float64Array; g: Float64Array; ws: Workspace | null } | null = null;
  private readonly phis: Float64Array[];
  private readonly gs: Float64Array[];
  private readonly v: Float64Array;
  private readonly w: Float64Array;
  private readonly hv: Float64Array;
  private readonly rg: Float64Array;
  private readonly cg: { x: Float64Array; r: Float64Array; p: Float64Array; ap: Float64Array };
  /** Float32, as the batches are: lossAndGrad then sees one array type from every caller (monomorphic). */
  private jointX = new Float32Array(0);
  private jointY = new Float32Array(0);

  constructor(
    readonly settings: FastAlgorithmSettings,
    readonly loss: FlatLoss = 'mse',
  ) {
    this.info = ALGORITHM_INFO[settings.algorithm];
    this.lay = layoutOf(settings.sizes);
    const n = (this.n = this.lay.total);
    this.total = this.info.learnedRates ? 2 * n : n;
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
    // Pretrained: every task's points in one pass (theta is shared); the oracle and ANIL: one task's at a time.
    const joint = this.info.gradientOrder === 'none' ? this.jointRows(rowsS, rowsQ) : this.info.adapts === 'head' ? rowsS + rowsQ : 2;
    this.ws = {
      rowsS,
      rowsQ,
      support: Array.from({ length: count }, () => new Workspace(this.lay, rowsS)),
      query: new Workspace(this.lay, rowsQ),
      joint: new Workspace(this.lay, joint),
    };
    return this.ws;
  }

  private tasksInBatch = 1;

  private jointRows(rowsS: number, rowsQ: number): number {
    return this.info.input === 'x+task' ? rowsS + rowsQ : this.tasksInBatch * (rowsS + rowsQ);
  }

  metaGradient(theta: Float64Array, data: FlatBatch, grad: Float64Array): FastMetaResult {
    if (this.tasksInBatch !== data.tasks.length) {
      this.tasksInBatch = data.tasks.length;
      this.ws = null;
    }
    grad.fill(0);
    const T = data.tasks.length;
    const r =
      this.info.gradientOrder === 'none'
        ? this.joint(theta, data, grad)
        : this.info.outer === 'reptile'
          ? this.reptile(theta, data, grad)
          : this.info.proximal
            ? this.implicit(theta, data, grad)
            : this.info.learnedRates
              ? this.exact(theta, data, grad)
              : this.info.adapts === 'head'
                ? this.headOnly(theta, data, grad)
                : null;
    if (!r) throw new Error(`No typed-array meta-gradient for ${this.settings.algorithm}.`);
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

  /**
   * Pretrained and the oracle: every point of every task (support and query), the mean of the tasks' losses.
   * With the same number of points in every task that is the mean over all points: pretrained takes them in one
   * pass; the oracle one task at a time, through its per-task one-input net, the gradient mapped back.
   */
  private joint(theta: Float64Array, data: FlatBatch, grad: Float64Array): FastMetaResult {
    const { kSupport: K, kQuery: Q } = data;
    const T = data.tasks.length;
    const ws = this.workspaces(K, Q).joint;
    const rows = T * (K + Q);
    const nIn = data.sx.length / (T * K);
    const nOut = data.sy.length / (T * K);
    if (this.info.input === 'x+task') return this.oracleJoint(theta, data, grad);
    if (nIn !== this.lay.sizes[0]) throw new Error(`inputs of width ${nIn} for a network of ${this.lay.sizes[0]}`);
    if (this.jointX.length !== rows * nIn) this.jointX = new Float32Array(rows * nIn);
    if (this.jointY.length !== rows * nOut) this.jointY = new Float32Array(rows * nOut);
    const { jointX: x, jointY: y } = this;
    x.set(data.sx, 0);
    x.set(data.qx, T * K * nIn);
    y.set(data.sy, 0);
    y.set(data.qy, T * K * nOut);
    const loss = lossAndGrad(ws, theta, x, y, rows, grad, this.loss);
    // metaGradient divides by the number of tasks: this is already the mean.
    for (let i = 0; i < grad.length; i++) grad[i] *= T;
    return { loss, stats: {} };
  }

  private oracleJoint(theta: Float64Array, data: FlatBatch, grad: Float64Array): FastMetaResult {
    const { kSupport: K, kQuery: Q } = data;
    const T = data.tasks.length;
    const [, h1] = this.lay.sizes;
    const n = this.n;
    if (!this.oracle) {
      // The one-input net's parameters sit where theta has them (its x row of W0 is theta's first row, the layers
      // after the first are theta's own), its per-task first bias after them at n: so its gradient adds straight
      // into a theta-shaped sum, and only the per-task bias's gradient (g[n..n + h1]) is mapped back.
      const { w, b } = this.lay;
      const lay: Layout = { sizes: [1, ...this.lay.sizes.slice(1)], w: [w[0], ...w.slice(1)], b: [n, ...b.slice(1)], total: n + h1 };
      this.oracle = { lay, p: new Float64Array(n + h1), g: new Float64Array(n + h1), ws: null };
    }
    const o = this.oracle;
    if (!o.ws || o.ws.rows < K + Q) o.ws = new Workspace(o.lay, K + Q);
    const W0 = this.lay.w[0];
    const B0 = this.lay.b[0];
    const { p, g } = o;
    p.set(theta);
    g.fill(0);
    if (this.jointX.length !== K + Q) this.jointX = new Float32Array(K + Q);
    if (this.jointY.length !== K + Q) this.jointY = new Float32Array(K + Q);
    const { jointX: x, jointY: y } = this;
    const { sx, sy, qx, qy } = data;
    let loss = 0;
    for (let t = 0; t < T; t++) {
      const f = oracleFeatures(data.tasks[t] as SinusoidTask);
      for (let j = 0; j < h1; j++) p[n + j] = theta[B0 + j] + f[0] * theta[W0 + h1 + j] + f[1] * theta[W0 + 2 * h1 + j] + f[2] * theta[W0 + 3 * h1 + j];
      for (let r = 0; r < K; r++) {
        x[r] = sx[t * K + r];
        y[r] = sy[t * K + r];
      }
      for (let r = 0; r < Q; r++) {
        x[K + r] = qx[t * Q + r];
        y[K + r] = qy[t * Q + r];
      }
      g.fill(0, n, n + h1);
      // Adds this task's gradient into g: every layer's where theta has it, the per-task bias's at n.
      loss += lossAndGrad(o.ws, p, x, y, K + Q, g, this.loss, 0, g);
      for (let j = 0; j < h1; j++) {
        const gb = g[n + j];
        g[W0 + h1 + j] += f[0] * gb;
        g[W0 + 2 * h1 + j] += f[1] * gb;
        g[W0 + 3 * h1 + j] += f[2] * gb;
        g[B0 + j] += gb;
      }
    }
    grad.set(g.subarray(0, n));
    return { loss: loss / T, stats: {} };
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

  /** Meta-SGD: exact through the k inner steps, into the learned rates (see the top of the file). */
  private exact(theta: Float64Array, data: FlatBatch, grad: Float64Array): FastMetaResult {
    const { kSupport: K, kQuery: Q } = data;
    const ws = this.workspaces(K, Q);
    const { innerSteps: steps } = this.settings;
    const { phis, gs, v, w, hv, rg, n } = this;
    const phi = (j: number) => (j === 0 ? theta : phis[j]);
    let loss = 0;
    for (let t = 0; t < data.tasks.length; t++) {
      const s = this.rows(data, t);
      for (let j = 0; j < steps; j++) {
        const cur = phi(j);
        const g = gs[j];
        lossAndGrad(ws.support[j], cur, s.sx, s.sy, K, g, this.loss);
        const next = phis[j + 1];
        for (let i = 0; i < n; i++) next[i] = cur[i] - theta[n + i] * g[i];
      }
      loss += lossAndGrad(ws.query, phi(steps), s.qx, s.qy, Q, v, this.loss);
      rg.fill(0);
      for (let j = steps - 1; j >= 0; j--) {
        const g = gs[j];
        for (let i = 0; i < n; i++) {
          rg[i] -= g[i] * v[i];
          w[i] = theta[n + i] * v[i];
        }
        hessianVector(ws.support[j], phi(j), w, K, hv);
        for (let i = 0; i < n; i++) v[i] -= hv[i];
      }
      for (let i = 0; i < n; i++) grad[i] += v[i];
      for (let i = 0; i < n; i++) grad[n + i] += rg[i];
    }
    return { loss: loss / data.tasks.length, stats: {} };
  }

  /** ANIL's per-step buffers: the head at each step, the output error and softmax there, and the R-pass rows. */
  private anil: { heads: Float64Array[]; vh: Float64Array; e: Float64Array[]; prob: Float64Array[]; rz: Float64Array; re: Float64Array; dA: Float64Array; gb: Float64Array; rows: number } | null = null;

  /**
   * ANIL, exact, in the structure of a head-only inner loop: the body does not move, so one pass of the task's
   * support and query points through it gives their features A (the last hidden layer); the k head steps and
   * the query loss are a linear layer on them; and the pull-back through step j, v <- v - H(phi_j) (alpha
   * v_head), needs only the head's R-pass: with rz = A w_W + w_b and re = J rz (J the loss's Hessian in the
   * outputs), H_hh w = [A^T re; sum re], and H_bh w is the body's backward pass of dA = re W_j^T + e_j w_W^T.
   * The body's backward pass is linear in dA and at the same activations for every step, so one pass over the
   * support rows (-sum_j dA_j) and the query rows (dA = e_query W_k^T) gives the body's whole meta-gradient.
   * Tests hold it to finite differences and to the TF.js algorithm; it costs about first-order MAML's one step.
   */
  private headOnly(theta: Float64Array, data: FlatBatch, grad: Float64Array): FastMetaResult {
    const { kSupport: K, kQuery: Q } = data;
    const jws = this.workspaces(K, Q).joint;
    const { alpha, innerSteps: steps } = this.settings;
    const { sizes, w: Ws } = this.lay;
    const L = sizes.length - 1;
    const Hd = sizes[L - 1];
    const C = sizes[L];
    const Wh = Ws[L - 1];
    const n = this.n;
    const headLen = n - Wh;
    const R = K + Q;
    const N = R + (R & 1);
    const nIn = data.sx.length / (data.tasks.length * K);
    if (!this.anil || this.anil.rows !== N) {
      const f = (m: number) => new Float64Array(m);
      this.anil = {
        heads: Array.from({ length: steps + 1 }, () => f(headLen)),
        vh: f(headLen),
        e: Array.from({ length: steps + 1 }, () => f(Math.max(K, Q) * C)),
        prob: Array.from({ length: steps + 1 }, () => f(Math.max(K, Q) * C)),
        rz: f(K * C),
        re: f(K * C),
        dA: f(N * Hd),
        gb: f(n),
        rows: N,
      };
    }
    if (this.jointX.length !== R * nIn) this.jointX = new Float32Array(R * nIn);
    const x = this.jointX;
    const { heads, vh, e, prob, rz, re, dA, gb } = this.anil;
    const mse = this.loss === 'mse';
    const { sx, sy, qx, qy } = data;
    const head: Head = { Hd, C, Bh: Bs(this.lay) - Wh, mse };
    let loss = 0;
    for (let t = 0; t < data.tasks.length; t++) {
      for (let i = 0, k = t * K * nIn; i < K * nIn; i++, k++) x[i] = sx[k];
      for (let i = 0, k = t * Q * nIn; i < Q * nIn; i++, k++) x[K * nIn + i] = qx[k];
      forwardRows(jws, theta, x, R);
      const A = jws.a[L - 1];
      heads[0].set(theta.subarray(Wh, n));
      for (let j = 0; j < steps; j++) {
        headLoss(head, A, 0, K, heads[j], sy, t * K * C, e[j], prob[j]);
        headGrad(head, A, 0, K, e[j], heads[j + 1], heads[j], -alpha);
      }
      // The query loss at the adapted head; its gradient: the head's (vh, the adjoint of h_k) and the query rows' dA.
      const eq = e[steps];
      const hk = heads[steps];
      loss += headLoss(head, A, K, Q, hk, qy, t * Q * C, eq, prob[steps]);
      // The query rows' dA goes straight through the last hidden ReLU into the body's error (eTop).
      const eTop = jws.e[L - 2];
      const zTop = jws.z[L - 2];
      for (let r = 0; r < Q; r++) {
        const o = (K + r) * Hd;
        if (C === 1) {
          const q = eq[r];
          for (let i = 0; i < Hd; i++) {
            const d = 0 + q * hk[i];
            eTop[o + i] = zTop[o + i] > 0 ? d : 0;
          }
        } else
          for (let i = 0; i < Hd; i++) {
            let d = 0;
            for (let k = 0; k < C; k++) d += eq[r * C + k] * hk[i * C + k];
            eTop[o + i] = zTop[o + i] > 0 ? d : 0;
          }
      }
      vh.fill(0);
      headGrad(head, A, K, Q, eq, vh, vh, 1);
      dA.fill(0, 0, K * Hd);
      for (let j = steps - 1; j >= 0; j--) {
        // The last pull-back (step 0) puts the support rows' dA through the ReLU into eTop.
        headPullBack(head, A, K, heads[j], e[j], prob[j], vh, alpha, rz, re, dA, j === 0 ? eTop : null, zTop);
        // v_head <- v_head - H_hh w.
        headGrad(head, A, 0, K, re, vh, vh, -1);
      }
      // The body: one backward pass of dA through the last hidden ReLU, support and query rows together, its
      // gradient added straight into the sum over tasks (through a copy for sparse inputs, which backwardFrom
      // does not add).
      // (Without inner steps the support rows carry nothing.)
      if (steps === 0) eTop.fill(0, 0, K * Hd);
      eTop.fill(0, R * Hd, N * Hd);
      if (jws.sparse) {
        backwardFrom(jws, theta, R, L - 2, gb);
        for (let i = 0; i < Wh; i++) grad[i] += gb[i];
      } else backwardFrom(jws, theta, R, L - 2, grad, grad);
      for (let i = 0; i < headLen; i++) grad[Wh + i] += vh[i];
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

/** ANIL's head: a linear layer from Hd features to C outputs (weights [Hd, C] then C biases at Bh), its loss. */
interface Head {
  Hd: number;
  C: number;
  Bh: number;
  mse: boolean;
}

/** The head's bias offset in the flat layout: the last layer's. */
function Bs(lay: Layout): number {
  return lay.b[lay.b.length - 1];
}

/**
 * Outputs of `rows` feature rows (from row `from` of A) at head h, their loss against y (from index y0), and
 * dLoss/dout into err (softmax into pr): lossAndGrad's formulas.
 */
function headLoss(hd: Head, A: Float64Array, from: number, rows: number, h: Float64Array, y: ArrayLike<number>, y0: number, err: Float64Array, pr: Float64Array): number {
  const { Hd, C, Bh, mse } = hd;
  let loss = 0;
  const c = 2 / (rows * C);
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    const a = (from + r) * Hd;
    for (let k = 0; k < C; k++) {
      let z = h[Bh + k];
      for (let i = 0; i < Hd; i++) z += A[a + i] * h[i * C + k];
      err[o + k] = z;
    }
    if (mse)
      for (let k = 0; k < C; k++) {
        const d = err[o + k] - y[y0 + o + k];
        loss += d * d;
        err[o + k] = c * d;
      }
    else loss = crossEntropyRow(loss, err, o, C, y, y0, pr, err, rows);
  }
  return mse ? loss / (rows * C) : loss / rows;
}

/** The head's gradient from rows' errors: into out[i C + k] (weights) and out[Bh + k] (biases), scaled and added to base. */
function headGrad(hd: Head, A: Float64Array, from: number, rows: number, err: Float64Array, out: Float64Array, base: Float64Array, scale: number): void {
  const { Hd, C, Bh } = hd;
  let i0 = 0;
  if (C === 1) {
    // One output (regression): four features at a time, each one's sum still over the rows in order.
    for (; i0 + 4 <= Hd; i0 += 4) {
      let g0 = 0, g1 = 0, g2 = 0, g3 = 0;
      for (let r = 0, a = from * Hd + i0; r < rows; r++, a += Hd) {
        const e = err[r];
        g0 += A[a] * e; g1 += A[a + 1] * e; g2 += A[a + 2] * e; g3 += A[a + 3] * e;
      }
      out[i0] = base[i0] + scale * g0;
      out[i0 + 1] = base[i0 + 1] + scale * g1;
      out[i0 + 2] = base[i0 + 2] + scale * g2;
      out[i0 + 3] = base[i0 + 3] + scale * g3;
    }
  }
  for (let i = i0; i < Hd; i++)
    for (let k = 0; k < C; k++) {
      let g = 0;
      for (let r = 0, a = from * Hd + i, e = k; r < rows; r++, a += Hd, e += C) g += A[a] * err[e];
      out[i * C + k] = base[i * C + k] + scale * g;
    }
  for (let k = 0; k < C; k++) {
    let g = 0;
    for (let r = 0; r < rows; r++) g += err[r * C + k];
    out[Bh + k] = base[Bh + k] + scale * g;
  }
}

/**
 * ANIL's pull-back through head step j on the K support rows: the R-pass of w = alpha v_head (rz, re) at the
 * step's head h, its outputs' error ej and softmax pj, and the support rows' dA -= re W_j^T + ej w_W^T; with
 * eTop (the last step), that dA through the ReLU of zTop into eTop instead.
 */
function headPullBack(
  hd: Head,
  A: Float64Array,
  K: number,
  h: Float64Array,
  ej: Float64Array,
  pj: Float64Array,
  vh: Float64Array,
  alpha: number,
  rz: Float64Array,
  re: Float64Array,
  dA: Float64Array,
  eTop: Float64Array | null,
  zTop: Float64Array,
): void {
  const { Hd, C, Bh, mse } = hd;
  for (let r = 0; r < K; r++) {
    const o = r * C;
    for (let k = 0; k < C; k++) {
      let z = vh[Bh + k];
      for (let i = 0; i < Hd; i++) z += A[r * Hd + i] * vh[i * C + k];
      rz[o + k] = alpha * z;
    }
    if (mse) for (let k = 0; k < C; k++) re[o + k] = (2 / (K * C)) * rz[o + k];
    else {
      let dot = 0;
      for (let k = 0; k < C; k++) dot += pj[o + k] * rz[o + k];
      for (let k = 0; k < C; k++) re[o + k] = (pj[o + k] * (rz[o + k] - dot)) / K;
    }
    // The support rows carry -sum_j dA_j (the pull-back subtracts H_bh w).
    const a = r * Hd;
    if (C === 1) {
      const q = re[o];
      const ea = ej[o] * alpha;
      if (eTop === null) for (let i = 0; i < Hd; i++) dA[a + i] -= 0 + (q * h[i] + ea * vh[i]);
      else
        for (let i = 0; i < Hd; i++) {
          const d = dA[a + i] - (0 + (q * h[i] + ea * vh[i]));
          eTop[a + i] = zTop[a + i] > 0 ? d : 0;
        }
      continue;
    }
    for (let i = 0; i < Hd; i++) {
      let d = 0;
      for (let k = 0; k < C; k++) d += re[o + k] * h[i * C + k] + ej[o + k] * alpha * vh[i * C + k];
      if (eTop === null) dA[a + i] -= d;
      else eTop[a + i] = zTop[a + i] > 0 ? dA[a + i] - d : 0;
    }
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
    for (let i = 0; i < grad.length; i++) gradSq += grad[i] * grad[i];
    let zeroLoss = this.classes === null ? 0 : Math.log(this.classes);
    if (this.classes === null) for (let i = 0, qy = data.qy; i < qy.length; i++) zeroLoss += (qy[i] * qy[i]) / qy.length;
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

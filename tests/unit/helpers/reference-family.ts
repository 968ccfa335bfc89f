/**
 * Float64 references for the algorithm family beyond MAML (ANIL, Meta-SGD, iMAML, Reptile, the oracle), built
 * on the hand-differentiated MLP of reference.ts, plus the dense linear algebra the iMAML checks need (a
 * finite-difference Hessian, Gaussian elimination, a textbook conjugate gradient). Plain JS, no TF.js.
 */
import { mse, mseGrad, type Layout, type RefTask, type TaskData } from './reference';

/** k SGD steps with one step size per entry (0 = the entry is not adapted). */
export function sgdRates(lay: Layout, theta: ArrayLike<number>, data: TaskData, rates: ArrayLike<number>, steps: number): Float64Array {
  let p = Float64Array.from(theta);
  for (let s = 0; s < steps; s++) {
    const g = mseGrad(lay, p, data);
    p = p.map((v, i) => v - rates[i] * g[i]);
  }
  return p;
}

/** The flat indices of the named parameters. */
export function indicesOf(lay: Layout, names: string[]): number[] {
  const out: number[] = [];
  for (const e of lay.entries) if (names.includes(e.name)) for (let i = 0; i < e.size; i++) out.push(e.offset + i);
  return out;
}

/** The last layer's names (w_{L-1}, b_{L-1}). */
export function refHeadNames(lay: Layout): string[] {
  const l = lay.sizes.length - 2;
  return [`w${l}`, `b${l}`];
}

/** ANIL's per-entry step sizes: alpha on the last layer, 0 on the body. */
export function headRates(lay: Layout, alpha: number): Float64Array {
  const r = new Float64Array(lay.total);
  for (const i of indicesOf(lay, refHeadNames(lay))) r[i] = alpha;
  return r;
}

/** ANIL's meta-loss: mean over tasks of the query MSE after k SGD steps on the head only. */
export function anilLoss(lay: Layout, theta: ArrayLike<number>, tasks: RefTask[], alpha: number, steps: number): number {
  const rates = headRates(lay, alpha);
  let s = 0;
  for (const t of tasks) s += mse(lay, sgdRates(lay, theta, t.support, rates, steps), t.query);
  return s / tasks.length;
}

/**
 * The layout of Meta-SGD's meta-parameters as one flat vector: the network (lay), then one learned rate per
 * network entry (lr_w0, lr_b0, ...) in the same order. Use it with flatParams; the MLP maths keeps using lay.
 */
export function metaSgdLayout(lay: Layout): Layout {
  return {
    sizes: lay.sizes,
    entries: [...lay.entries, ...lay.entries.map((e) => ({ ...e, name: `lr_${e.name}`, offset: e.offset + lay.total }))],
    total: 2 * lay.total,
  };
}

/** Meta-SGD's meta-loss of the flat vector [theta, rates]: k steps phi <- phi - rates * grad, elementwise. */
export function metaSgdLoss(lay: Layout, thetaRates: ArrayLike<number>, tasks: RefTask[], steps: number): number {
  const n = lay.total;
  const theta = Array.prototype.slice.call(thetaRates, 0, n) as number[];
  const rates = Array.prototype.slice.call(thetaRates, n, 2 * n) as number[];
  let s = 0;
  for (const t of tasks) s += mse(lay, sgdRates(lay, theta, t.support, rates, steps), t.query);
  return s / tasks.length;
}

/** iMAML's inner loop: k gradient steps of size alpha on L_support(phi) + lambda/2 |phi - theta|^2, from theta. */
export function proximalSgd(lay: Layout, theta: ArrayLike<number>, data: TaskData, alpha: number, lambda: number, steps: number): Float64Array {
  let p = Float64Array.from(theta);
  for (let s = 0; s < steps; s++) {
    const g = mseGrad(lay, p, data);
    p = p.map((v, i) => v - alpha * (g[i] + lambda * (v - theta[i])));
  }
  return p;
}

/** The stationarity residual of the proximal problem at phi: |grad L_support(phi) + lambda (phi - theta)|. */
export function proximalStationarity(lay: Layout, theta: ArrayLike<number>, phi: ArrayLike<number>, data: TaskData, lambda: number): number {
  const g = mseGrad(lay, phi, data);
  let s = 0;
  for (let i = 0; i < g.length; i++) s += (g[i] + lambda * (phi[i] - theta[i])) ** 2;
  return Math.sqrt(s);
}

/** iMAML's meta-objective: mean over tasks of the query MSE at the (converged) proximal solution. */
export function imamlLoss(lay: Layout, theta: ArrayLike<number>, tasks: RefTask[], alpha: number, lambda: number, steps: number): number {
  let s = 0;
  for (const t of tasks) s += mse(lay, proximalSgd(lay, theta, t.support, alpha, lambda, steps), t.query);
  return s / tasks.length;
}

/** Mean over tasks of the support MSE (Reptile with k = 1 descends its gradient). */
export function meanSupportLoss(lay: Layout, theta: ArrayLike<number>, tasks: RefTask[]): number {
  let s = 0;
  for (const t of tasks) s += mse(lay, theta, t.support);
  return s / tasks.length;
}

/** The oracle's input rows [x, A, sin phase, cos phase], rounded to float32 as the TF.js tensors are. */
export function oracleRefTasks(tasks: RefTask[], sinusoids: { amplitude: number; phase: number }[]): RefTask[] {
  const f = Math.fround;
  return tasks.map((t, i) => {
    const { amplitude, phase } = sinusoids[i];
    const feats = [f(amplitude), f(Math.sin(phase)), f(Math.cos(phase))];
    const rows = (d: TaskData): TaskData => ({ x: d.x.map(([x]) => [x, ...feats]), y: d.y });
    return { support: rows(t.support), query: rows(t.query) };
  });
}

/** The Hessian of one task's MSE by central differences of the analytic gradient, symmetrised. */
export function hessianFD(lay: Layout, theta: ArrayLike<number>, data: TaskData, eps = 1e-6): number[][] {
  const n = lay.total;
  const p = Float64Array.from(theta);
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = p[j];
    p[j] = v + eps;
    const up = mseGrad(lay, p, data);
    p[j] = v - eps;
    const down = mseGrad(lay, p, data);
    p[j] = v;
    cols.push(up.map((u, i) => (u - down[i]) / (2 * eps)));
  }
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (cols[j][i] + cols[i][j]) / 2));
}

export function matVec(A: number[][], x: ArrayLike<number>): Float64Array {
  return Float64Array.from(A, (row) => row.reduce((s, a, j) => s + a * x[j], 0));
}

/** Solves A x = b exactly (up to float64 rounding) by Gaussian elimination with partial pivoting. */
export function solveDense(A: number[][], b: ArrayLike<number>): Float64Array {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    if (M[piv][c] === 0) throw new Error('singular matrix');
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/** True when the symmetric matrix A is positive definite (a Cholesky factorisation succeeds). */
export function isPositiveDefinite(A: number[][]): boolean {
  const n = A.length;
  const L = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (s <= 0) return false;
        L[i][i] = Math.sqrt(s);
      } else L[i][j] = s / L[j][j];
    }
  }
  return true;
}

/** Textbook conjugate gradient from x = 0 in float64: x after `iterations` steps, and |b - A x| / |b|. */
export function cgDense(A: number[][], b: ArrayLike<number>, iterations: number): { x: Float64Array; residual: number } {
  const n = b.length;
  const dot = (u: ArrayLike<number>, v: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += u[i] * v[i];
    return s;
  };
  const x = new Float64Array(n);
  let r = Float64Array.from(b);
  let p = Float64Array.from(b);
  let rs = dot(r, r);
  for (let k = 0; k < iterations && rs > 0; k++) {
    const ap = matVec(A, p);
    const step = rs / dot(p, ap);
    for (let i = 0; i < n; i++) x[i] += step * p[i];
    r = r.map((v, i) => v - step * ap[i]);
    const rsNext = dot(r, r);
    p = r.map((v, i) => v + (rsNext / rs) * p[i]);
    rs = rsNext;
  }
  const res = matVec(A, x).map((v, i) => b[i] - v);
  return { x, residual: Math.sqrt(dot(res, res) / dot(b, b)) };
}

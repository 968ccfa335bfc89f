/**
 * A plain-JS float64 reference of the meta-learning maths in src/meta, written independently of TF.js:
 * the same ReLU MLP (hidden layers ReLU, linear output), with the parameters in the same named layout
 * (w0, b0, w1, b1, ...; w is [in, out] row-major, b is [out]) flattened into one Float64Array in that order.
 *
 * Everything here is float64 and hand-differentiated (manual backprop), so it can be checked against a
 * central finite difference to ~1e-9 and then used as the ground truth for the float32 TF.js code.
 */

export interface Layout {
  sizes: number[];
  /** name -> [offset, shape] in the flat vector, in order w0, b0, w1, b1, ... */
  entries: { name: string; offset: number; shape: number[]; size: number }[];
  total: number;
}

export function layout(sizes: number[]): Layout {
  const entries: Layout['entries'] = [];
  let offset = 0;
  for (let l = 0; l < sizes.length - 1; l++) {
    const wSize = sizes[l] * sizes[l + 1];
    entries.push({ name: `w${l}`, offset, shape: [sizes[l], sizes[l + 1]], size: wSize });
    offset += wSize;
    entries.push({ name: `b${l}`, offset, shape: [sizes[l + 1]], size: sizes[l + 1] });
    offset += sizes[l + 1];
  }
  return { sizes, entries, total: offset };
}

/** Flattens named arrays (e.g. from readParams) into the reference's float64 vector. */
export function flatten(lay: Layout, arrays: Record<string, { values: ArrayLike<number> }>): Float64Array {
  const out = new Float64Array(lay.total);
  for (const e of lay.entries) {
    const v = arrays[e.name].values;
    if (v.length !== e.size) throw new Error(`${e.name}: expected ${e.size} values, got ${v.length}`);
    for (let i = 0; i < e.size; i++) out[e.offset + i] = v[i];
  }
  return out;
}

/** Splits a flat vector back into named arrays (float64). */
export function unflatten(lay: Layout, theta: ArrayLike<number>): Record<string, { shape: number[]; values: Float64Array }> {
  const out: Record<string, { shape: number[]; values: Float64Array }> = {};
  for (const e of lay.entries) {
    const values = new Float64Array(e.size);
    for (let i = 0; i < e.size; i++) values[i] = theta[e.offset + i];
    out[e.name] = { shape: e.shape.slice(), values };
  }
  return out;
}

/** One task's data: rows of inputs (N x in) and targets (N x out). */
export interface TaskData {
  x: number[][];
  y: number[][];
}

export interface RefTask {
  support: TaskData;
  query: TaskData;
}

interface Trace {
  /** Pre-activations z_l and activations a_l (a_0 = x) for one input row. */
  z: Float64Array[];
  a: Float64Array[];
}

function forwardRow(lay: Layout, theta: ArrayLike<number>, x: ArrayLike<number>): Trace {
  const { sizes, entries } = lay;
  const L = sizes.length - 1;
  const a: Float64Array[] = [Float64Array.from(x)];
  const z: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    const w = entries[2 * l];
    const b = entries[2 * l + 1];
    const nIn = sizes[l];
    const nOut = sizes[l + 1];
    const zl = new Float64Array(nOut);
    for (let j = 0; j < nOut; j++) {
      let s = theta[b.offset + j];
      for (let i = 0; i < nIn; i++) s += a[l][i] * theta[w.offset + i * nOut + j];
      zl[j] = s;
    }
    z.push(zl);
    a.push(l < L - 1 ? zl.map((v) => (v > 0 ? v : 0)) : zl);
  }
  return { z, a };
}

/** Network output for each input row. */
export function predict(lay: Layout, theta: ArrayLike<number>, x: number[][]): number[][] {
  return x.map((row) => Array.from(forwardRow(lay, theta, row).a[lay.sizes.length - 1]));
}

/** MSE of one task: mean over all N x out entries (as tf.mean over axes [1, 2]). */
export function mse(lay: Layout, theta: ArrayLike<number>, data: TaskData): number {
  const pred = predict(lay, theta, data.x);
  let s = 0;
  let n = 0;
  pred.forEach((row, r) =>
    row.forEach((v, j) => {
      s += (v - data.y[r][j]) ** 2;
      n++;
    }),
  );
  return s / n;
}

/** Gradient of one task's MSE w.r.t. the flat parameters, by manual backprop. */
export function mseGrad(lay: Layout, theta: ArrayLike<number>, data: TaskData): Float64Array {
  const L = lay.sizes.length - 1;
  const n = data.x.length * lay.sizes[L];
  // dLoss/dz of the output layer (linear): 2 (pred - y) / n.
  return backprop(lay, theta, data.x, (out, r) => out.map((v, j) => (2 * (v - data.y[r][j])) / n));
}

/**
 * Gradient w.r.t. the flat parameters of a loss that is a sum over rows of a function of each row's output,
 * given that function's gradient: outGrad(output of row r, r) = dLoss/d(output of row r). Manual backprop.
 */
export function backprop(lay: Layout, theta: ArrayLike<number>, x: number[][], outGrad: (out: Float64Array, r: number) => Float64Array): Float64Array {
  const { sizes, entries } = lay;
  const L = sizes.length - 1;
  const g = new Float64Array(lay.total);
  x.forEach((row, r) => {
    const { z, a } = forwardRow(lay, theta, row);
    let delta = outGrad(a[L], r);
    for (let l = L - 1; l >= 0; l--) {
      const w = entries[2 * l];
      const b = entries[2 * l + 1];
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      for (let j = 0; j < nOut; j++) g[b.offset + j] += delta[j];
      for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) g[w.offset + i * nOut + j] += a[l][i] * delta[j];
      if (l > 0) {
        const prev = new Float64Array(nIn);
        for (let i = 0; i < nIn; i++) {
          if (z[l - 1][i] <= 0) continue; // ReLU'(z) = 0 for z <= 0 (as tf.relu's gradient)
          let s = 0;
          for (let j = 0; j < nOut; j++) s += theta[w.offset + i * nOut + j] * delta[j];
          prev[i] = s;
        }
        delta = prev;
      }
    }
  });
  return g;
}

/** k SGD steps of size alpha on one task's data. */
export function sgd(lay: Layout, theta: ArrayLike<number>, data: TaskData, alpha: number, steps: number): Float64Array {
  return descend((p) => mseGrad(lay, p, data), theta, alpha, steps);
}

/** k plain gradient-descent steps of size alpha on the loss whose gradient is grad. */
export function descend(grad: (p: Float64Array) => Float64Array, theta: ArrayLike<number>, alpha: number, steps: number): Float64Array {
  let p = Float64Array.from(theta);
  for (let s = 0; s < steps; s++) {
    const g = grad(p);
    p = p.map((v, i) => v - alpha * g[i]);
  }
  return p;
}

/** MAML meta-loss: mean over tasks of the query MSE after k inner SGD steps from theta on the support set. */
export function mamlLoss(lay: Layout, theta: ArrayLike<number>, tasks: RefTask[], alpha: number, steps: number): number {
  let s = 0;
  for (const t of tasks) s += mse(lay, sgd(lay, theta, t.support, alpha, steps), t.query);
  return s / tasks.length;
}

/** First-order MAML by its definition: sum over tasks of (1/T) grad of the query MSE at phi_t. */
export function fomamlGrad(lay: Layout, theta: ArrayLike<number>, tasks: RefTask[], alpha: number, steps: number): Float64Array {
  const g = new Float64Array(lay.total);
  for (const t of tasks) {
    const gq = mseGrad(lay, sgd(lay, theta, t.support, alpha, steps), t.query);
    for (let i = 0; i < g.length; i++) g[i] += gq[i] / tasks.length;
  }
  return g;
}

/** Joint-training loss: mean over tasks of the MSE on the task's support and query points together. */
export function jointLoss(lay: Layout, theta: ArrayLike<number>, tasks: RefTask[]): number {
  let s = 0;
  for (const t of tasks) s += mse(lay, theta, { x: [...t.support.x, ...t.query.x], y: [...t.support.y, ...t.query.y] });
  return s / tasks.length;
}

/** Central finite difference of f at theta over the given entries (all if omitted); others are 0 (NaN if skipped). */
export function finiteDiff(f: (theta: Float64Array) => number, theta: ArrayLike<number>, eps = 1e-5, indices?: number[]): Float64Array {
  const p = Float64Array.from(theta);
  const idx = indices ?? Array.from({ length: p.length }, (_, i) => i);
  const g = new Float64Array(p.length).fill(NaN);
  for (const i of idx) {
    const v = p[i];
    p[i] = v + eps;
    const up = f(p);
    p[i] = v - eps;
    const down = f(p);
    p[i] = v;
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}

/** ||a - b|| / ||b|| over the given entries (all if omitted). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>, indices?: number[]): number {
  const idx = indices ?? Array.from({ length: b.length }, (_, i) => i);
  let num = 0;
  let den = 0;
  for (const i of idx) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Hand-written Adam (Kingma & Ba 2015, as in PyTorch): bias-corrected moments, eps added to sqrt(v_hat). */
export class RefAdam {
  private m: Float64Array;
  private v: Float64Array;
  private t = 0;
  constructor(
    size: number,
    private lr: number,
    private b1 = 0.9,
    private b2 = 0.999,
    private eps = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  step(p: Float64Array, g: ArrayLike<number>): Float64Array {
    this.t++;
    const out = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      this.m[i] = this.b1 * this.m[i] + (1 - this.b1) * g[i];
      this.v[i] = this.b2 * this.v[i] + (1 - this.b2) * g[i] * g[i];
      const mHat = this.m[i] / (1 - this.b1 ** this.t);
      const vHat = this.v[i] / (1 - this.b2 ** this.t);
      out[i] = p[i] - (this.lr * mHat) / (Math.sqrt(vHat) + this.eps);
    }
    return out;
  }
}

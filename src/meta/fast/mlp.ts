/**
 * The ReLU MLP of src/meta/engine/model.ts on plain typed arrays, for one task at a time, with hand-written backprop
 * and its R-operator (Pearlmutter 1994): the exact Hessian-vector product of the task loss. For nets this small
 * the arithmetic is cheap and TF.js's per-kernel overhead dominates, so this path (issue 5) does without it.
 * It knows no tfjs and no DOM; tests hold it to float64 finite differences and to the tfjs path.
 *
 * Parameters are one flat Float64Array in the named layout w0, b0, w1, b1, ... (w is [in, out] row-major), the
 * same as checkpoints and the tests' float64 reference.
 */

import { LineBuffers } from './line';
import { layoutOf, type Layout } from './layout';

export { layoutOf, type Layout };


/**
 * Scratch buffers for one task of up to `rows` points: allocated once, reused every call. Rows are padded to an
 * even count (the kernels below work on row pairs); a padding row has zero input and zero error, so it adds
 * nothing to any gradient.
 */
export class Workspace {
  /** a[l]: layer l's input (a[0] = x), [rows, sizes[l]]; z[l]: its pre-activation, [rows, sizes[l + 1]]. */
  readonly a: Float64Array[];
  readonly z: Float64Array[];
  /** e[l] = dLoss/dz[l]; ra, rz, re: their directional derivatives (the R-operator). */
  readonly e: Float64Array[];
  readonly ra: Float64Array[];
  readonly rz: Float64Array[];
  readonly re: Float64Array[];
  /** The softmax of the outputs (cross-entropy), for the R-operator. */
  readonly prob: Float64Array;
  /** Column sums of one layer (a bias gradient on its way). */
  readonly sums: Float64Array;
  readonly rows: number;
  /** One-input nets: the second layer's passes by line.ts (null: always dense). */
  readonly line: LineBuffers | null;
  /**
   * Wide inputs (the glyphs' 784 pixels, mostly 0): the rows' nonzero inputs (compressed rows: row r's are
   * idx/val[start[r] .. start[r + 1]]), so the first layer's products skip the zeros (null: always dense).
   */
  readonly sparse: { idx: Int32Array; val: Float64Array; start: Int32Array } | null;
  /** Whether the last forward pass took the line kernels (so its backward passes do too). */
  onLine = false;
  /** The loss of the last lossAndGrad call (what hessianVector differentiates). */
  loss: FlatLoss = 'mse';

  constructor(
    readonly lay: Layout,
    rows: number,
    opts: { line?: boolean; sparse?: boolean } = {},
  ) {
    this.rows = rows + (rows & 1);
    const oneInput = lay.sizes[0] === 1 && lay.sizes.length >= 3;
    this.line = (opts.line ?? true) && oneInput ? new LineBuffers(lay, this.rows) : null;
    const wide = lay.sizes[0] >= SPARSE_MIN_INPUTS;
    this.sparse =
      (opts.sparse ?? wide) && lay.sizes.length >= 2
        ? { idx: new Int32Array(this.rows * lay.sizes[0]), val: new Float64Array(this.rows * lay.sizes[0]), start: new Int32Array(this.rows + 1) }
        : null;
    const { sizes } = lay;
    const L = sizes.length - 1;
    const buf = (n: number) => new Float64Array(this.rows * n);
    this.a = sizes.slice(0, L).map(buf);
    this.ra = sizes.slice(0, L).map(buf);
    this.z = sizes.slice(1).map(buf);
    this.e = sizes.slice(1).map(buf);
    this.rz = sizes.slice(1).map(buf);
    this.re = sizes.slice(1).map(buf);
    this.prob = buf(sizes[L]);
    this.sums = new Float64Array(Math.max(...sizes));
  }
}

/** From this many inputs a Workspace keeps the rows' nonzero inputs for the first layer (sparse kernels below). */
export const SPARSE_MIN_INPUTS = 64;

/** Compressed rows of a0 ([n, nIn]): the nonzero inputs of each row. */
function compress(sp: NonNullable<Workspace['sparse']>, a0: Float64Array, n: number, nIn: number): void {
  let k = 0;
  for (let r = 0; r < n; r++) {
    sp.start[r] = k;
    for (let i = 0, o = r * nIn; i < nIn; i++, o++) {
      const x = a0[o];
      if (x !== 0) {
        sp.idx[k] = i;
        sp.val[k++] = x;
      }
    }
  }
  sp.start[n] = k;
}

/** z = a W + b for the first layer from its compressed rows: each row's nonzero inputs times their rows of W. */
function sparseAffine(z: Float64Array, sp: NonNullable<Workspace['sparse']>, p: Float64Array, W: number, B: number, n: number, nO: number): void {
  const { idx, val, start } = sp;
  for (let r = 0; r < n; r++) {
    const zr = r * nO;
    for (let j = 0; j < nO; j++) z[zr + j] = p[B + j];
    for (let k = start[r]; k < start[r + 1]; k++) {
      const x = val[k];
      const wi = W + idx[k] * nO;
      for (let j = 0; j < nO; j++) z[zr + j] += x * p[wi + j];
    }
  }
}

/** The first layer's weight gradient, overwritten: g[W + i nO + j] = sum_r a[r,i] e[r,j], over nonzero a only. */
function sparseOuter(g: Float64Array, W: number, sp: NonNullable<Workspace['sparse']>, e: Float64Array, n: number, nIn: number, nO: number): void {
  const { idx, val, start } = sp;
  g.fill(0, W, W + nIn * nO);
  for (let r = 0; r < n; r++) {
    const er = r * nO;
    for (let k = start[r]; k < start[r + 1]; k++) {
      const x = val[k];
      const gi = W + idx[k] * nO;
      for (let j = 0; j < nO; j++) g[gi + j] += x * e[er + j];
    }
  }
}

// ---- Kernels. Each works on two rows and four columns at a time, summing in locals: for matrices this small,
// loads and stores, not multiplications, are the cost (about 4x the speed of a plain triple loop in V8). ----

/** z = a W + b for rows 0..n (n even): a [n, nIn], W = p[W..] as [nIn, nO], b = p[B..]. */
function affine(z: Float64Array, a: Float64Array, p: Float64Array, W: number, B: number, n: number, nIn: number, nO: number): void {
  const j4 = nO - (nO % 4);
  for (let r = 0; r < n; r += 2) {
    const ar = r * nIn;
    const br = ar + nIn;
    const zr = r * nO;
    const zs = zr + nO;
    for (let j = 0; j < j4; j += 4) {
      let s0 = p[B + j], s1 = p[B + j + 1], s2 = p[B + j + 2], s3 = p[B + j + 3];
      let t0 = s0, t1 = s1, t2 = s2, t3 = s3;
      for (let i = 0, wi = W + j; i < nIn; i++, wi += nO) {
        const x = a[ar + i];
        const y = a[br + i];
        const w0 = p[wi], w1 = p[wi + 1], w2 = p[wi + 2], w3 = p[wi + 3];
        s0 += x * w0; s1 += x * w1; s2 += x * w2; s3 += x * w3;
        t0 += y * w0; t1 += y * w1; t2 += y * w2; t3 += y * w3;
      }
      z[zr + j] = s0; z[zr + j + 1] = s1; z[zr + j + 2] = s2; z[zr + j + 3] = s3;
      z[zs + j] = t0; z[zs + j + 1] = t1; z[zs + j + 2] = t2; z[zs + j + 3] = t3;
    }
    for (let j = j4; j < nO; j++) {
      let s = p[B + j];
      let t = s;
      for (let i = 0, wi = W + j; i < nIn; i++, wi += nO) {
        s += a[ar + i] * p[wi];
        t += a[br + i] * p[wi];
      }
      z[zr + j] = s;
      z[zs + j] = t;
    }
  }
}

/** The R-operator of affine: rz = ra W + a V + vb, W and b from p, V and vb from v at the same offsets. */
function affineR(rz: Float64Array, a: Float64Array, ra: Float64Array, p: Float64Array, v: Float64Array, W: number, B: number, n: number, nIn: number, nO: number): void {
  const j4 = nO - (nO % 4);
  for (let r = 0; r < n; r += 2) {
    const ar = r * nIn;
    const br = ar + nIn;
    const zr = r * nO;
    const zs = zr + nO;
    for (let j = 0; j < j4; j += 4) {
      let s0 = v[B + j], s1 = v[B + j + 1], s2 = v[B + j + 2], s3 = v[B + j + 3];
      let t0 = s0, t1 = s1, t2 = s2, t3 = s3;
      for (let i = 0, wi = W + j; i < nIn; i++, wi += nO) {
        const x = a[ar + i], rx = ra[ar + i];
        const y = a[br + i], ry = ra[br + i];
        const w0 = p[wi], w1 = p[wi + 1], w2 = p[wi + 2], w3 = p[wi + 3];
        const v0 = v[wi], v1 = v[wi + 1], v2 = v[wi + 2], v3 = v[wi + 3];
        s0 += rx * w0 + x * v0; s1 += rx * w1 + x * v1; s2 += rx * w2 + x * v2; s3 += rx * w3 + x * v3;
        t0 += ry * w0 + y * v0; t1 += ry * w1 + y * v1; t2 += ry * w2 + y * v2; t3 += ry * w3 + y * v3;
      }
      rz[zr + j] = s0; rz[zr + j + 1] = s1; rz[zr + j + 2] = s2; rz[zr + j + 3] = s3;
      rz[zs + j] = t0; rz[zs + j + 1] = t1; rz[zs + j + 2] = t2; rz[zs + j + 3] = t3;
    }
    for (let j = j4; j < nO; j++) {
      let s = v[B + j];
      let t = s;
      for (let i = 0, wi = W + j; i < nIn; i++, wi += nO) {
        s += ra[ar + i] * p[wi] + a[ar + i] * v[wi];
        t += ra[br + i] * p[wi] + a[br + i] * v[wi];
      }
      rz[zr + j] = s;
      rz[zs + j] = t;
    }
  }
}

/**
 * Bias gradient g[B + j] = sum_r e[r,j]; with base, g[B + j] = base[B + j] + scale * that sum (base = g, scale = 1:
 * added to g); acc: that added to g (emit).
 */
function biasSum(g: Float64Array, B: number, e: Float64Array, n: number, nO: number, base: Float64Array | null = null, scale = 1, acc = false): void {
  // Four columns at a time (each column's sum still over the rows in order).
  const j4 = nO - (nO % 4);
  for (let j = 0; j < j4; j += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let r = 0, er = j; r < n; r++, er += nO) {
      s0 += e[er]; s1 += e[er + 1]; s2 += e[er + 2]; s3 += e[er + 3];
    }
    const o = B + j;
    emit(g, o, s0, base, scale, acc);
    emit(g, o + 1, s1, base, scale, acc);
    emit(g, o + 2, s2, base, scale, acc);
    emit(g, o + 3, s3, base, scale, acc);
  }
  for (let j = j4; j < nO; j++) {
    let s = 0;
    for (let r = 0, er = j; r < n; r++, er += nO) s += e[er];
    emit(g, B + j, s, base, scale, acc);
  }
}

/**
 * One output entry of a gradient (or Hessian-vector) kernel: g[o] = s; with base, base[o] + scale * s; with acc
 * too, g[o] + (base[o] + scale * s) (MAML's sum over tasks of v - alpha H v, without storing H v).
 */
function emit(g: Float64Array, o: number, s: number, base: Float64Array | null, scale: number, acc: boolean): void {
  if (base === null) g[o] = s;
  else if (acc) g[o] = g[o] + (base[o] + scale * s);
  else g[o] = base[o] + scale * s;
}

/**
 * Weight gradient of one layer, overwritten: g[W + i nO + j] = sum_r a[r,i] e[r,j] (n even); with base, g[k] =
 * base[k] + scale * that sum.
 */
function outer(g: Float64Array, W: number, a: Float64Array, e: Float64Array, n: number, nIn: number, nO: number, base: Float64Array | null = null, scale = 1): void {
  const j4 = nO - (nO % 4);
  let i0 = 0;
  if (nO === 1)
    // One output: four inputs at a time (each sum still over the rows in order).
    for (; i0 + 4 <= nIn; i0 += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let r = 0, ar = i0; r < n; r++, ar += nIn) {
        const x = e[r];
        s0 += a[ar] * x; s1 += a[ar + 1] * x; s2 += a[ar + 2] * x; s3 += a[ar + 3] * x;
      }
      const o = W + i0;
      if (base) {
        g[o] = base[o] + scale * s0; g[o + 1] = base[o + 1] + scale * s1; g[o + 2] = base[o + 2] + scale * s2; g[o + 3] = base[o + 3] + scale * s3;
      } else {
        g[o] = s0; g[o + 1] = s1; g[o + 2] = s2; g[o + 3] = s3;
      }
    }
  for (let i = i0; i < nIn; i++) {
    const gi = W + i * nO;
    for (let j = 0; j < j4; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let r = 0, ar = i, er = j; r < n; r++, ar += nIn, er += nO) {
        const x = a[ar];
        s0 += x * e[er]; s1 += x * e[er + 1]; s2 += x * e[er + 2]; s3 += x * e[er + 3];
      }
      const o = gi + j;
      if (base) {
        g[o] = base[o] + scale * s0; g[o + 1] = base[o + 1] + scale * s1; g[o + 2] = base[o + 2] + scale * s2; g[o + 3] = base[o + 3] + scale * s3;
      } else {
        g[o] = s0; g[o + 1] = s1; g[o + 2] = s2; g[o + 3] = s3;
      }
    }
    for (let j = j4; j < nO; j++) {
      let s = 0;
      for (let r = 0, ar = i, er = j; r < n; r++, ar += nIn, er += nO) s += a[ar] * e[er];
      if (base) g[gi + j] = base[gi + j] + scale * s;
      else g[gi + j] = s;
    }
  }
}

/** The R-operator of outer: g[W + i nO + j] = sum_r ra[r,i] e[r,j] + a[r,i] re[r,j]. */
function outerR(g: Float64Array, W: number, a: Float64Array, ra: Float64Array, e: Float64Array, re: Float64Array, n: number, nIn: number, nO: number, base: Float64Array | null = null, scale = 1, acc = false): void {
  const j4 = nO - (nO % 4);
  let i0 = 0;
  if (nO === 1)
    for (; i0 + 4 <= nIn; i0 += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let r = 0, ar = i0; r < n; r++, ar += nIn) {
        const x = e[r];
        const y = re[r];
        s0 += ra[ar] * x + a[ar] * y;
        s1 += ra[ar + 1] * x + a[ar + 1] * y;
        s2 += ra[ar + 2] * x + a[ar + 2] * y;
        s3 += ra[ar + 3] * x + a[ar + 3] * y;
      }
      emit(g, W + i0, s0, base, scale, acc);
      emit(g, W + i0 + 1, s1, base, scale, acc);
      emit(g, W + i0 + 2, s2, base, scale, acc);
      emit(g, W + i0 + 3, s3, base, scale, acc);
    }
  for (let i = i0; i < nIn; i++) {
    const gi = W + i * nO;
    for (let j = 0; j < j4; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let r = 0, ar = i, er = j; r < n; r++, ar += nIn, er += nO) {
        const x = a[ar], rx = ra[ar];
        s0 += rx * e[er] + x * re[er];
        s1 += rx * e[er + 1] + x * re[er + 1];
        s2 += rx * e[er + 2] + x * re[er + 2];
        s3 += rx * e[er + 3] + x * re[er + 3];
      }
      emit(g, gi + j, s0, base, scale, acc);
      emit(g, gi + j + 1, s1, base, scale, acc);
      emit(g, gi + j + 2, s2, base, scale, acc);
      emit(g, gi + j + 3, s3, base, scale, acc);
    }
    for (let j = j4; j < nO; j++) {
      let s = 0;
      for (let r = 0, ar = i, er = j; r < n; r++, ar += nIn, er += nO) s += ra[ar] * e[er] + a[ar] * re[er];
      emit(g, gi + j, s, base, scale, acc);
    }
  }
}

/** Backpropagation through one layer and the ReLU before it: prev[r,i] = relu'(z[r,i]) sum_j e[r,j] W[i,j]. */
function back(prev: Float64Array, z: Float64Array, e: Float64Array, p: Float64Array, W: number, n: number, nIn: number, nO: number): void {
  if (nO === 1) {
    // One output (regression): the sum over outputs is one term, 0 + e w.
    for (let r = 0; r < n; r++) {
      const er = e[r];
      for (let i = 0, o = r * nIn; i < nIn; i++, o++) prev[o] = z[o] > 0 ? 0 + er * p[W + i] : 0;
    }
    return;
  }
  for (let r = 0; r < n; r += 2) {
    const er = r * nO;
    const es = er + nO;
    const pr = r * nIn;
    const ps = pr + nIn;
    for (let i = 0; i < nIn; i++) {
      const wi = W + i * nO;
      let s = 0;
      let t = 0;
      for (let j = 0; j < nO; j++) {
        const w = p[wi + j];
        s += e[er + j] * w;
        t += e[es + j] * w;
      }
      prev[pr + i] = z[pr + i] > 0 ? s : 0;
      prev[ps + i] = z[ps + i] > 0 ? t : 0;
    }
  }
}

/** The R-operator of back: relu'(z[r,i]) sum_j re[r,j] W[i,j] + e[r,j] V[i,j]. */
function backR(prev: Float64Array, z: Float64Array, e: Float64Array, re: Float64Array, p: Float64Array, v: Float64Array, W: number, n: number, nIn: number, nO: number): void {
  if (nO === 1) {
    for (let r = 0; r < n; r++) {
      const rr = re[r];
      const er = e[r];
      for (let i = 0, o = r * nIn; i < nIn; i++, o++) prev[o] = z[o] > 0 ? 0 + (rr * p[W + i] + er * v[W + i]) : 0;
    }
    return;
  }
  for (let r = 0; r < n; r += 2) {
    const er = r * nO;
    const es = er + nO;
    const pr = r * nIn;
    const ps = pr + nIn;
    for (let i = 0; i < nIn; i++) {
      const wi = W + i * nO;
      let s = 0;
      let t = 0;
      for (let j = 0; j < nO; j++) {
        const w = p[wi + j];
        const u = v[wi + j];
        s += re[er + j] * w + e[er + j] * u;
        t += re[es + j] * w + e[es + j] * u;
      }
      prev[pr + i] = z[pr + i] > 0 ? s : 0;
      prev[ps + i] = z[ps + i] > 0 ? t : 0;
    }
  }
}

/**
 * Forward pass of n rows of x ([n, in]; from row `from`) through parameters p; fills ws.a and ws.z. Returns the
 * output z[L-1].
 */
export function forwardRows(ws: Workspace, p: Float64Array, x: ArrayLike<number>, n: number, from = 0): Float64Array {
  const { sizes, w, b } = ws.lay;
  const L = sizes.length - 1;
  const N = n + (n & 1);
  const a0 = ws.a[0];
  const nIn = sizes[0];
  for (let i = 0, k = from * nIn; i < n * nIn; i++, k++) a0[i] = x[k];
  a0.fill(0, n * nIn, N * nIn);
  // One-input nets: the second layer by line.ts, which needs neither the first layer's outputs nor a1 (unless
  // the inputs or parameters are not finite: then the dense kernels).
  ws.onLine = ws.line !== null && ws.line.prepare(p, a0, N);
  if (ws.sparse) compress(ws.sparse, a0, N, sizes[0]);
  for (let l = ws.onLine ? 1 : 0; l < L; l++) {
    const z = ws.z[l];
    if (l === 1 && ws.onLine) ws.line!.affine(z, p, null, N);
    else if (l === 0 && ws.sparse) sparseAffine(z, ws.sparse, p, w[0], b[0], N, sizes[1]);
    else affine(z, ws.a[l], p, w[l], b[l], N, sizes[l], sizes[l + 1]);
    if (l === L - 2 && sizes[L] === 1) {
      // One output (regression): the last hidden ReLU and the output layer in one pass.
      reluOut1(ws.a[l + 1], z, p, w[L - 1], b[L - 1], N, sizes[l + 1], ws.z[L - 1]);
      break;
    }
    if (l < L - 1) relu(ws.a[l + 1], z, N * sizes[l + 1]);
  }
  return ws.z[L - 1];
}

/**
 * a = relu(z) ([n, nIn], n even) and out = a W + b for one output (W = p[W..], b = p[B]): relu and affine's
 * values (the same sums in the same order), without reading a back.
 */
function reluOut1(a: Float64Array, z: Float64Array, p: Float64Array, W: number, B: number, n: number, nIn: number, out: Float64Array): void {
  for (let r = 0; r < n; r += 2) {
    const ar = r * nIn;
    const br = ar + nIn;
    let s = p[B];
    let t = s;
    for (let i = 0; i < nIn; i++) {
      const u = z[ar + i];
      const v = z[br + i];
      const x = u > 0 ? u : 0;
      const y = v > 0 ? v : 0;
      a[ar + i] = x;
      a[br + i] = y;
      const w = p[W + i];
      s += x * w;
      t += y * w;
    }
    out[r] = s;
    out[r + 1] = t;
  }
}

/**
 * The R-operator of reluOut1: ra = mask(z) rz, rout = ra W + a V + vb (affineR's sums, in its order), a the
 * forward pass's.
 */
function reluOut1R(ra: Float64Array, z: Float64Array, rz: Float64Array, a: Float64Array, p: Float64Array, v: Float64Array, W: number, B: number, n: number, nIn: number, out: Float64Array): void {
  for (let r = 0; r < n; r += 2) {
    const ar = r * nIn;
    const br = ar + nIn;
    let s = v[B];
    let t = s;
    for (let i = 0; i < nIn; i++) {
      const rx = z[ar + i] > 0 ? rz[ar + i] : 0;
      const ry = z[br + i] > 0 ? rz[br + i] : 0;
      ra[ar + i] = rx;
      ra[br + i] = ry;
      const w = p[W + i];
      const u = v[W + i];
      s += rx * w + a[ar + i] * u;
      t += ry * w + a[br + i] * u;
    }
    out[r] = s;
    out[r + 1] = t;
  }
}

/** out[i] = max(z[i], 0) for i < m (as z > 0 ? z : 0: NaN stays 0, as before). */
function relu(out: Float64Array, z: Float64Array, m: number): void {
  for (let i = 0; i < m; i++) {
    const v = z[i];
    out[i] = v > 0 ? v : 0;
  }
}

/** What the rows are scored by: squared error, or cross-entropy of the softmax against one-hot labels. */
export type FlatLoss = 'mse' | 'crossEntropy';

/**
 * The loss of n rows against targets y ([n, out]; for cross-entropy one-hot labels) and, when `grad` is given,
 * its gradient w.r.t. p (overwritten): the MSE over every output, or the mean over rows of -sum y log
 * softmax(z). Leaves ws.e holding dLoss/dz (and ws.prob the softmax) for a following hessianVector call at
 * the same point. `from`: the rows are x's and y's rows from..from + n (a task of a batch, without a subarray).
 * With base, grad <- base + scale * gradient (backwardFrom's): base = grad adds it to a sum over tasks, base =
 * p and scale = -alpha is an SGD step, without the gradient ever stored.
 */
export function lossAndGrad(
  ws: Workspace,
  p: Float64Array,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  grad: Float64Array | null,
  kind: FlatLoss = 'mse',
  from = 0,
  base: Float64Array | null = null,
  scale = 1,
): number {
  const { sizes } = ws.lay;
  const L = sizes.length - 1;
  const N = n + (n & 1);
  const out = forwardRows(ws, p, x, n, from);
  const nOut = sizes[L];
  const y0 = from * nOut;
  const eL = ws.e[L - 1];
  ws.loss = kind;
  let loss = 0;
  if (kind === 'mse') {
    const c = 2 / (n * nOut);
    for (let i = 0; i < n * nOut; i++) {
      const d = out[i] - y[y0 + i];
      loss += d * d;
      eL[i] = c * d;
    }
    loss /= n * nOut;
  } else {
    for (let r = 0; r < n; r++) loss = crossEntropyRow(loss, out, r * nOut, nOut, y, y0, ws.prob, eL, n);
    loss /= n;
  }
  eL.fill(0, n * nOut, N * nOut);
  if (grad) backwardFrom(ws, p, n, L - 1, grad, base, scale);
  return loss;
}

/**
 * One row of the softmax cross-entropy, at offset o of the logits z (nOut of them) against one-hot y (from y0 + o):
 * returns `loss` less the row's sum of y (z - logsumexp z), and writes the softmax into prob and dLoss/dz =
 * (softmax - y) / rows into err, both at o. err may be z itself (each logit is read before it is overwritten).
 * lossAndGrad's rows and ANIL's head (algorithms.ts) both score with it.
 */
export function crossEntropyRow(loss: number, z: Float64Array, o: number, nOut: number, y: ArrayLike<number>, y0: number, prob: Float64Array, err: Float64Array, rows: number): number {
  let m = -Infinity;
  for (let j = 0; j < nOut; j++) m = Math.max(m, z[o + j]);
  let sum = 0;
  for (let j = 0; j < nOut; j++) sum += Math.exp(z[o + j] - m);
  const lse = m + Math.log(sum);
  for (let j = 0; j < nOut; j++) {
    loss -= y[y0 + o + j] * (z[o + j] - lse);
    prob[o + j] = Math.exp(z[o + j] - lse);
    err[o + j] = (prob[o + j] - y[y0 + o + j]) / rows;
  }
  return loss;
}

/**
 * Backpropagation from ws.e[top] (dLoss/dz of layer `top`, padding rows zero) down to the input, at the point of
 * the last forward pass: the gradient of layers 0..top into `grad` (those entries overwritten, the others left).
 * With base, each of those entries is base + scale * its gradient instead (base = grad, scale = 1: added into a
 * sum over tasks without a copy; base = p, scale = -alpha: an SGD step): the same bits as the gradient stored,
 * then combined. lossAndGrad's backward pass, and ANIL's body pass (src/meta/fast/algorithms.ts).
 */
export function backwardFrom(ws: Workspace, p: Float64Array, n: number, top: number, grad: Float64Array, base: Float64Array | null = null, scale = 1): void {
  const { sizes, w, b } = ws.lay;
  const N = n + (n & 1);
  // Below a one-output layer, the pass back through it also sums the next bias's gradient.
  let biasDone = false;
  for (let l = top; l >= 0; l--) {
    if (!biasDone) biasSum(grad, b[l], ws.e[l], N, sizes[l + 1], base, scale);
    biasDone = false;
    if (l === 1 && ws.onLine) {
      // The first two layers' weights and the first biases at once; e0 is never formed.
      ws.line!.backward(grad, p, ws.e[1], N, base, scale);
      break;
    }
    if (l === 0 && ws.sparse) {
      sparseOuter(grad, w[0], ws.sparse, ws.e[0], N, sizes[0], sizes[1]);
      if (base) for (let i = w[0], end = w[0] + sizes[0] * sizes[1]; i < end; i++) grad[i] = base[i] + scale * grad[i];
    } else outer(grad, w[l], ws.a[l], ws.e[l], N, sizes[l], sizes[l + 1], base, scale);
    if (l > 0 && sizes[l + 1] === 1) {
      backBias1(ws.e[l - 1], ws.z[l - 1], ws.e[l], null, p, null, w[l], N, sizes[l], ws.sums);
      putSums(grad, b[l - 1], ws.sums, sizes[l], base, scale);
      biasDone = true;
    } else if (l > 0) back(ws.e[l - 1], ws.z[l - 1], ws.e[l], p, w[l], N, sizes[l], sizes[l + 1]);
  }
}

/**
 * back (or, given re and v, backR) through a one-output layer, and the column sums of what it writes (biasSum's
 * sums of the layer below: over the rows in order, from 0) into sums.
 */
function backBias1(prev: Float64Array, z: Float64Array, e: Float64Array, re: Float64Array | null, p: Float64Array, v: Float64Array | null, W: number, n: number, nIn: number, sums: Float64Array): void {
  sums.fill(0, 0, nIn);
  for (let r = 0; r < n; r++) {
    const er = e[r];
    const o = r * nIn;
    if (re === null || v === null)
      for (let i = 0; i < nIn; i++) {
        const d = z[o + i] > 0 ? 0 + er * p[W + i] : 0;
        prev[o + i] = d;
        sums[i] += d;
      }
    else {
      const rr = re[r];
      for (let i = 0; i < nIn; i++) {
        const d = z[o + i] > 0 ? 0 + (rr * p[W + i] + er * v[W + i]) : 0;
        prev[o + i] = d;
        sums[i] += d;
      }
    }
  }
}

/** g[B + j] = sums[j] (with base, base[B + j] + scale sums[j]), biasSum's output. */
function putSums(g: Float64Array, B: number, sums: Float64Array, m: number, base: Float64Array | null, scale: number, acc = false): void {
  for (let j = 0; j < m; j++) emit(g, B + j, sums[j], base, scale, acc);
}

/**
 * hv <- H v, the Hessian of the last lossAndGrad call's loss at p (the point of that call, with a gradient,
 * whose activations, dLoss/dz and softmax ws still holds) times v. The R-operator of the forward and backward
 * passes: ReLU's second derivative is zero almost everywhere, so the masks are constants of the pass.
 */
export function hessianVector(ws: Workspace, p: Float64Array, v: Float64Array, n: number, hv: Float64Array, base: Float64Array | null = null, scale = 1): void {
  // With base: hv <- hv + (base + scale H v), entry by entry (not for sparse inputs).
  if (base && ws.sparse) throw new Error('hessianVector adds no sparse first layer');
  const { sizes, w, b } = ws.lay;
  const L = sizes.length - 1;
  const N = n + (n & 1);
  // Forward R-pass: R{a0} = 0; R{z_l} = R{a_l} W_l + a_l V_l + vb_l; R{a_{l+1}} = R{z_l} * mask_l.
  ws.ra[0].fill(0, 0, N * sizes[0]);
  // On the line (line.ts), R{z1} comes from v directly: the first layer's R-values are never formed.
  for (let l = ws.onLine ? 1 : 0; l < L; l++) {
    const rz = ws.rz[l];
    if (l === 1 && ws.onLine) ws.line!.affine(rz, p, v, N);
    // The input has no R-value (R{a0} = 0): the first layer's is a0 V0 + vb0, the sparse product with v.
    else if (l === 0 && ws.sparse) sparseAffine(rz, ws.sparse, v, w[0], b[0], N, sizes[1]);
    else affineR(rz, ws.a[l], ws.ra[l], p, v, w[l], b[l], N, sizes[l], sizes[l + 1]);
    if (l === L - 2 && sizes[L] === 1) {
      reluOut1R(ws.ra[l + 1], ws.z[l], rz, ws.a[l + 1], p, v, w[L - 1], b[L - 1], N, sizes[l + 1], ws.rz[L - 1]);
      break;
    }
    if (l < L - 1) {
      const z = ws.z[l];
      const next = ws.ra[l + 1];
      for (let i = 0, m = N * sizes[l + 1]; i < m; i++) next[i] = z[i] > 0 ? rz[i] : 0;
    }
  }
  // Backward R-pass: R{e_L-1} = c R{z_L-1} (MSE), or the softmax's Jacobian times R{z_L-1} over n
  // (cross-entropy); R{gW_l} = R{a_l}^T e_l + a_l^T R{e_l}; R{gb_l} = sum R{e_l};
  // R{e_l-1} = (R{e_l} W_l^T + e_l V_l^T) * mask_l-1. Padding rows keep zero error.
  const nOutL = sizes[L];
  const reL = ws.re[L - 1];
  const rzL = ws.rz[L - 1];
  if (ws.loss === 'mse') {
    const c = 2 / (n * nOutL);
    for (let i = 0; i < n * nOutL; i++) reL[i] = c * rzL[i];
  } else {
    const prob = ws.prob;
    for (let r = 0; r < n; r++) {
      const o = r * nOutL;
      let dot = 0;
      for (let j = 0; j < nOutL; j++) dot += prob[o + j] * rzL[o + j];
      for (let j = 0; j < nOutL; j++) reL[o + j] = (prob[o + j] * (rzL[o + j] - dot)) / n;
    }
  }
  reL.fill(0, n * nOutL, N * nOutL);
  let biasDone = false;
  for (let l = L - 1; l >= 0; l--) {
    if (!biasDone) biasSum(hv, b[l], ws.re[l], N, sizes[l + 1], base, scale, true);
    biasDone = false;
    if (l === 1 && ws.onLine) {
      ws.line!.backwardR(hv, p, v, ws.e[1], ws.re[1], N, base, scale);
      break;
    }
    if (l === 0 && ws.sparse) sparseOuter(hv, w[0], ws.sparse, ws.re[0], N, sizes[0], sizes[1]);
    else outerR(hv, w[l], ws.a[l], ws.ra[l], ws.e[l], ws.re[l], N, sizes[l], sizes[l + 1], base, scale, true);
    if (l > 0 && sizes[l + 1] === 1) {
      backBias1(ws.re[l - 1], ws.z[l - 1], ws.e[l], ws.re[l], p, v, w[l], N, sizes[l], ws.sums);
      putSums(hv, b[l - 1], ws.sums, sizes[l], base, scale, true);
      biasDone = true;
    } else if (l > 0) backR(ws.re[l - 1], ws.z[l - 1], ws.e[l], ws.re[l], p, v, w[l], N, sizes[l], sizes[l + 1]);
  }
}

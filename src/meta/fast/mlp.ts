/**
 * The ReLU MLP of src/meta/model.ts on plain typed arrays, for one task at a time, with hand-written backprop
 * and its R-operator (Pearlmutter 1994): the exact Hessian-vector product of the task loss. For nets this small
 * the arithmetic is cheap and TF.js's per-kernel overhead dominates, so this path (issue 5) does without it.
 * It knows no tfjs and no DOM; tests hold it to float64 finite differences and to the tfjs path.
 *
 * Parameters are one flat Float64Array in the named layout w0, b0, w1, b1, ... (w is [in, out] row-major), the
 * same as checkpoints and the tests' float64 reference.
 */

export interface Layout {
  sizes: number[];
  /** Offsets of each layer's weights and biases in the flat vector. */
  w: number[];
  b: number[];
  total: number;
}

export function layoutOf(sizes: number[]): Layout {
  const w: number[] = [];
  const b: number[] = [];
  let off = 0;
  for (let l = 0; l < sizes.length - 1; l++) {
    w.push(off);
    off += sizes[l] * sizes[l + 1];
    b.push(off);
    off += sizes[l + 1];
  }
  return { sizes, w, b, total: off };
}

/** Scratch buffers for one task of up to `rows` points: allocated once, reused every call. */
export class Workspace {
  /** a[l]: layer l's input (a[0] = x), [rows, sizes[l]]; z[l]: its pre-activation, [rows, sizes[l + 1]]. */
  readonly a: Float64Array[];
  readonly z: Float64Array[];
  /** e[l] = dLoss/dz[l]; ra, rz, re: their directional derivatives (the R-operator). */
  readonly e: Float64Array[];
  readonly ra: Float64Array[];
  readonly rz: Float64Array[];
  readonly re: Float64Array[];

  constructor(
    readonly lay: Layout,
    readonly rows: number,
  ) {
    const { sizes } = lay;
    const L = sizes.length - 1;
    const buf = (n: number) => new Float64Array(rows * n);
    this.a = sizes.slice(0, L).map(buf);
    this.ra = sizes.slice(0, L).map(buf);
    this.z = sizes.slice(1).map(buf);
    this.e = sizes.slice(1).map(buf);
    this.rz = sizes.slice(1).map(buf);
    this.re = sizes.slice(1).map(buf);
  }
}

/** Forward pass of n rows of x ([n, in]) through parameters p; fills ws.a and ws.z. Returns the output z[L-1]. */
export function forwardRows(ws: Workspace, p: Float64Array, x: ArrayLike<number>, n: number): Float64Array {
  const { sizes, w, b } = ws.lay;
  const L = sizes.length - 1;
  const a0 = ws.a[0];
  for (let i = 0; i < n * sizes[0]; i++) a0[i] = x[i];
  for (let l = 0; l < L; l++) {
    const nIn = sizes[l];
    const nOut = sizes[l + 1];
    const a = ws.a[l];
    const z = ws.z[l];
    const W = w[l];
    const B = b[l];
    for (let r = 0; r < n; r++) {
      const zr = r * nOut;
      for (let j = 0; j < nOut; j++) z[zr + j] = p[B + j];
      for (let i = 0; i < nIn; i++) {
        const ai = a[r * nIn + i];
        if (ai === 0) continue;
        const wi = W + i * nOut;
        for (let j = 0; j < nOut; j++) z[zr + j] += ai * p[wi + j];
      }
    }
    if (l < L - 1) {
      const next = ws.a[l + 1];
      for (let i = 0; i < n * nOut; i++) next[i] = z[i] > 0 ? z[i] : 0;
    }
  }
  return ws.z[L - 1];
}

/**
 * MSE of n rows against targets y ([n, out]) and, when `grad` is given, its gradient w.r.t. p (overwritten).
 * Leaves ws.e holding dLoss/dz for a following hessianVector call at the same point.
 */
export function lossAndGrad(
  ws: Workspace,
  p: Float64Array,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  grad: Float64Array | null,
): number {
  const { sizes, w, b } = ws.lay;
  const L = sizes.length - 1;
  const out = forwardRows(ws, p, x, n);
  const nOut = sizes[L];
  const c = 2 / (n * nOut);
  const eL = ws.e[L - 1];
  let loss = 0;
  for (let i = 0; i < n * nOut; i++) {
    const d = out[i] - y[i];
    loss += d * d;
    eL[i] = c * d;
  }
  loss /= n * nOut;
  if (!grad) return loss;
  for (let l = L - 1; l >= 0; l--) {
    const nIn = sizes[l];
    const nO = sizes[l + 1];
    const a = ws.a[l];
    const e = ws.e[l];
    const W = w[l];
    const B = b[l];
    for (let k = 0; k < nIn * nO; k++) grad[W + k] = 0;
    for (let j = 0; j < nO; j++) grad[B + j] = 0;
    for (let r = 0; r < n; r++) {
      const er = r * nO;
      for (let j = 0; j < nO; j++) grad[B + j] += e[er + j];
      for (let i = 0; i < nIn; i++) {
        const ai = a[r * nIn + i];
        if (ai === 0) continue;
        const gi = W + i * nO;
        for (let j = 0; j < nO; j++) grad[gi + j] += ai * e[er + j];
      }
    }
    if (l > 0) {
      // e[l-1] = (e[l] W^T) * relu'(z[l-1])
      const prev = ws.e[l - 1];
      const zPrev = ws.z[l - 1];
      for (let r = 0; r < n; r++) {
        for (let i = 0; i < nIn; i++) {
          const idx = r * nIn + i;
          if (zPrev[idx] <= 0) {
            prev[idx] = 0;
            continue;
          }
          let s = 0;
          const wi = W + i * nO;
          const er = r * nO;
          for (let j = 0; j < nO; j++) s += e[er + j] * p[wi + j];
          prev[idx] = s;
        }
      }
    }
  }
  return loss;
}

/**
 * hv <- H v, the Hessian of the MSE at p (the point of the last lossAndGrad call with a gradient, whose
 * activations and dLoss/dz ws still holds) times v. The R-operator of the forward and backward passes: ReLU's
 * second derivative is zero almost everywhere, so the masks are constants of the pass.
 */
export function hessianVector(ws: Workspace, p: Float64Array, v: Float64Array, n: number, hv: Float64Array): void {
  const { sizes, w, b } = ws.lay;
  const L = sizes.length - 1;
  // Forward R-pass: R{a0} = 0; R{z_l} = R{a_l} W_l + a_l V_l + vb_l; R{a_{l+1}} = R{z_l} * mask_l.
  ws.ra[0].fill(0, 0, n * sizes[0]);
  for (let l = 0; l < L; l++) {
    const nIn = sizes[l];
    const nO = sizes[l + 1];
    const a = ws.a[l];
    const ra = ws.ra[l];
    const rz = ws.rz[l];
    const W = w[l];
    const B = b[l];
    for (let r = 0; r < n; r++) {
      const zr = r * nO;
      for (let j = 0; j < nO; j++) rz[zr + j] = v[B + j];
      for (let i = 0; i < nIn; i++) {
        const ai = a[r * nIn + i];
        const rai = ra[r * nIn + i];
        if (ai === 0 && rai === 0) continue;
        const wi = W + i * nO;
        for (let j = 0; j < nO; j++) rz[zr + j] += rai * p[wi + j] + ai * v[wi + j];
      }
    }
    if (l < L - 1) {
      const z = ws.z[l];
      const next = ws.ra[l + 1];
      for (let i = 0; i < n * nO; i++) next[i] = z[i] > 0 ? rz[i] : 0;
    }
  }
  // Backward R-pass: R{e_L-1} = c R{z_L-1}; R{gW_l} = R{a_l}^T e_l + a_l^T R{e_l}; R{gb_l} = sum R{e_l};
  // R{e_l-1} = (R{e_l} W_l^T + e_l V_l^T) * mask_l-1.
  const nOutL = sizes[L];
  const c = 2 / (n * nOutL);
  const reL = ws.re[L - 1];
  const rzL = ws.rz[L - 1];
  for (let i = 0; i < n * nOutL; i++) reL[i] = c * rzL[i];
  for (let l = L - 1; l >= 0; l--) {
    const nIn = sizes[l];
    const nO = sizes[l + 1];
    const a = ws.a[l];
    const ra = ws.ra[l];
    const e = ws.e[l];
    const re = ws.re[l];
    const W = w[l];
    const B = b[l];
    for (let k = 0; k < nIn * nO; k++) hv[W + k] = 0;
    for (let j = 0; j < nO; j++) hv[B + j] = 0;
    for (let r = 0; r < n; r++) {
      const er = r * nO;
      for (let j = 0; j < nO; j++) hv[B + j] += re[er + j];
      for (let i = 0; i < nIn; i++) {
        const ai = a[r * nIn + i];
        const rai = ra[r * nIn + i];
        if (ai === 0 && rai === 0) continue;
        const gi = W + i * nO;
        for (let j = 0; j < nO; j++) hv[gi + j] += rai * e[er + j] + ai * re[er + j];
      }
    }
    if (l > 0) {
      const rePrev = ws.re[l - 1];
      const zPrev = ws.z[l - 1];
      for (let r = 0; r < n; r++) {
        for (let i = 0; i < nIn; i++) {
          const idx = r * nIn + i;
          if (zPrev[idx] <= 0) {
            rePrev[idx] = 0;
            continue;
          }
          let s = 0;
          const wi = W + i * nO;
          const er = r * nO;
          for (let j = 0; j < nO; j++) s += re[er + j] * p[wi + j] + e[er + j] * v[wi + j];
          rePrev[idx] = s;
        }
      }
    }
  }
}

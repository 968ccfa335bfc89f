/**
 * The second layer of a one-input ReLU net (the sinusoid's 1-40-40-1) without its dense products, for the
 * passes of mlp.ts: the same idea as grid.ts, for a task's few unsorted rows and for the gradient and the
 * Hessian-vector product too.
 *
 * With a scalar input x, first-layer unit k's pre-activation x W0_k + b0_k is monotone in x (also in floating
 * point), so over the rows sorted by x the unit is active on one contiguous run: a prefix or a suffix. Then
 *   - forward: z1(x) = b1 + x sum_k W0_k W1_k + sum_k b0_k W1_k over the active k: running sums of per-unit
 *     rows, one pass up the sorted rows for the suffix runs and one down for the prefix runs, instead of a
 *     [rows, 40] x [40, 40] product;
 *   - backward: dW1_k = W0_k sum(x e1) + b0_k sum(e1) over unit k's run, and dW0_k, db0_k are W1_k dotted with
 *     the same two sums: running sums of e1 and x e1 down and up the sorted rows, read as each run is complete,
 *     instead of two more dense products;
 *   - the R-operator of both, with V (the direction) beside W.
 * Each is O(width^2 + rows x width) instead of O(rows x width^2): about 4x less arithmetic at 10 rows. The masks
 * are forwardRows's own (each unit's run is counted from its pre-activations), the sums are the same terms in
 * another order; tests hold both passes to the dense kernels and to float64 finite differences.
 */
import type { Layout } from './layout';

export class LineBuffers {
  /** Rows in ascending x, and x in that order. */
  readonly ord: Int32Array;
  readonly xs: Float64Array;
  /** Unit k is active on sorted positions [lo[k], hi[k]): a prefix (lo = 0) or a suffix (hi = rows). */
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Suffix runs by ascending start, prefix runs by descending end; empty runs apart. */
  private readonly rise: Int32Array;
  private readonly fall: Int32Array;
  private readonly off: Int32Array;
  private nRise = 0;
  private nFall = 0;
  private nOff = 0;
  private readonly counts: Int32Array;
  private readonly keys: Int32Array;
  /** sortRows's bucket starts. */
  private readonly bucketStart: Int32Array;
  /** Running sums, one row of the second layer each: z1's slope and intercept, or the sums of e1, x e1, R{e1}, x R{e1}. */
  private readonly u: Float64Array;
  private readonly c: Float64Array;
  private readonly ru: Float64Array;
  private readonly rc: Float64Array;
  /**
   * backward's output: each entry base + scale * its gradient (mlp.ts's backwardFrom), or (null) the gradient;
   * backwardR's: each entry added to hv as base + scale * its R-value, or (null) the R-value.
   */
  private base: Float64Array | null = null;
  private scale = 1;
  /** The layers' widths and offsets in the flat parameters. */
  private readonly h1: number;
  private readonly h2: number;
  private readonly W0: number;
  private readonly B0: number;
  private readonly W1: number;
  private readonly B1: number;

  constructor(
    readonly lay: Layout,
    readonly rows: number,
  ) {
    const [, h1, h2] = lay.sizes;
    this.h1 = h1;
    this.h2 = h2;
    [this.W0, this.W1] = lay.w;
    [this.B0, this.B1] = lay.b;
    this.ord = new Int32Array(rows);
    this.xs = new Float64Array(rows);
    this.lo = new Int32Array(h1);
    this.hi = new Int32Array(h1);
    this.rise = new Int32Array(h1);
    this.fall = new Int32Array(h1);
    this.off = new Int32Array(h1);
    this.counts = new Int32Array(2 * rows + 2);
    this.keys = new Int32Array(h1);
    this.bucketStart = new Int32Array(rows + 1);
    this.u = new Float64Array(h2);
    this.c = new Float64Array(h2);
    this.ru = new Float64Array(h2);
    this.rc = new Float64Array(h2);
  }

  /**
   * Sorts rows 0..n by x (= a0) and finds each first-layer unit's run: where its pre-activation
   * x W0_k + b0_k (forwardRows's z0, the same sum) is positive, by binary search over the sorted rows (the
   * pre-activation is monotone in x, in floating point too). The first layer itself is never formed on this path.
   * False when the parameters or inputs are not all finite: the runs need monotone pre-activations, so the
   * dense kernels take that call (and give the NaNs a diverged model should).
   */
  prepare(p: Float64Array, a0: Float64Array, n: number): boolean {
    const { h1, W0, B0, ord, xs, lo, hi } = this;
    for (let k = 0; k < h1; k++) if (!Number.isFinite(p[W0 + k]) || !Number.isFinite(p[B0 + k])) return false;
    for (let r = 0; r < n; r++) if (!Number.isFinite(a0[r])) return false;
    sortRows(ord, a0, n, this.bucketStart);
    for (let i = 0; i < n; i++) xs[i] = a0[ord[i]];
    for (let k = 0; k < h1; k++) {
      const w = p[W0 + k];
      const b = p[B0 + k];
      // Rising units are active on the largest x, falling ones on the smallest; a flat one on all or none.
      // first: the first sorted row where the unit is off (falling) or on (rising, flat).
      let a = 0;
      let z = n;
      if (w < 0)
        while (a < z) {
          const m = (a + z) >> 1;
          if (xs[m] * w + b > 0) a = m + 1;
          else z = m;
        }
      else
        while (a < z) {
          const m = (a + z) >> 1;
          if (xs[m] * w + b > 0) z = m;
          else a = m + 1;
        }
      if (w < 0) {
        lo[k] = 0;
        hi[k] = a;
      } else {
        lo[k] = a;
        hi[k] = n;
      }
    }
    // Suffix runs (all-active ones too) by where they start; prefix runs by where they end, from the top down.
    this.sortRuns(n);
    return true;
  }

  /**
   * z1 ([n, h2], in row order) = a1 W1 + b1; with v, its R-value R{a1} W1 + a1 V1 + vb1 (R{a1} = mask (x V0 + vb0)).
   */
  affine(out: Float64Array, p: Float64Array, v: Float64Array | null, n: number): void {
    const { h2, B1, lo, hi, rise, fall, ord, xs, u, c, nRise, nFall } = this;
    const bias = v ?? p;
    // Up the rows: every suffix run that has started.
    u.fill(0);
    c.fill(0);
    // Two rows at a time where no run starts between them (the same terms, u and c read once for both).
    for (let i = 0, q = 0; i < n; ) {
      let q2 = q;
      while (q2 < nRise && lo[rise[q2]] <= i) q2++;
      if (q2 > q) this.addUnits(rise, q, (q = q2), p, v);
      const x = xs[i];
      const o = ord[i] * h2;
      if (i + 1 < n && (q >= nRise || lo[rise[q]] > i + 1)) {
        const x2 = xs[i + 1];
        const o2 = ord[i + 1] * h2;
        for (let j = 0; j < h2; j++) {
          const b = bias[B1 + j];
          const U = u[j];
          const C = c[j];
          out[o + j] = b + x * U + C;
          out[o2 + j] = b + x2 * U + C;
        }
        i += 2;
        continue;
      }
      for (let j = 0; j < h2; j++) out[o + j] = bias[B1 + j] + x * u[j] + c[j];
      i++;
    }
    if (nFall === 0) return;
    // Down the rows: every prefix run that reaches this far (rows above the longest add nothing: out + 0 is out,
    // out is never -0 here, since c starts at +0).
    u.fill(0);
    c.fill(0);
    for (let i = hi[fall[0]] - 1, q = 0; i >= 0; ) {
      let q2 = q;
      while (q2 < nFall && hi[fall[q2]] > i) q2++;
      if (q2 > q) this.addUnits(fall, q, (q = q2), p, v);
      const x = xs[i];
      const o = ord[i] * h2;
      if (i > 0 && (q >= nFall || hi[fall[q]] <= i - 1)) {
        const x2 = xs[i - 1];
        const o2 = ord[i - 1] * h2;
        for (let j = 0; j < h2; j++) {
          const U = u[j];
          const C = c[j];
          out[o + j] += x * U + C;
          out[o2 + j] += x2 * U + C;
        }
        i -= 2;
        continue;
      }
      for (let j = 0; j < h2; j++) out[o + j] += x * u[j] + c[j];
      i--;
    }
  }

  /**
   * The gradient of the first two layers' weights and biases but b1 (grad, overwritten) from e1 = dLoss/dz1
   * ([n, h2], in row order).
   */
  backward(grad: Float64Array, p: Float64Array, e1: Float64Array, n: number, base: Float64Array | null = null, scale = 1): void {
    this.base = base;
    this.scale = scale;
    this.sweep(grad, p, null, e1, null, n);
  }

  /**
   * The R-operator of backward along v (hv, overwritten), from e1 and R{e1} ([n, h2]) at the point of the last
   * forward pass.
   */
  backwardR(hv: Float64Array, p: Float64Array, v: Float64Array, e1: Float64Array, re1: Float64Array, n: number, base: Float64Array | null = null, scale = 1): void {
    // With base: hv <- hv + (base + scale R{...}) (mlp.ts's hessianVector).
    this.base = base;
    this.scale = scale;
    this.sweep(hv, p, v, e1, re1, n);
  }

  /**
   * Running sums of e1 and x e1 (and of R{e1}, x R{e1}) down the sorted rows for the suffix runs, up them for
   * the prefix runs; each unit's gradient (or its R-value) as soon as the sums cover its run.
   */
  private sweep(g: Float64Array, p: Float64Array, v: Float64Array | null, e1: Float64Array, re1: Float64Array | null, n: number): void {
    const { lo, hi, rise, fall, nRise, nFall, off, nOff } = this;
    for (let q = 0; q < nOff; q++) this.unit(off[q], g, p, v, false);
    if (nRise > 0) {
      this.clearSums(re1 !== null);
      // Two rows at a time where no run is complete between them.
      for (let i = n - 1, q = nRise - 1; i >= 0 && q >= 0; ) {
        if (i > 0 && lo[rise[q]] < i) {
          this.addRows(i, i - 1, e1, re1);
          i--;
        } else this.addRow(i, e1, re1);
        let q2 = q;
        while (q2 >= 0 && lo[rise[q2]] === i) q2--;
        if (q2 < q) this.units(rise, q2 + 1, q + 1, g, p, v);
        q = q2;
        i--;
      }
    }
    if (nFall > 0) {
      this.clearSums(re1 !== null);
      for (let i = 0, q = nFall - 1; i < n && q >= 0; ) {
        if (i + 1 < n && hi[fall[q]] > i + 1) {
          this.addRows(i, i + 1, e1, re1);
          i++;
        } else this.addRow(i, e1, re1);
        let q2 = q;
        while (q2 >= 0 && hi[fall[q2]] === i + 1) q2--;
        if (q2 < q) this.units(fall, q2 + 1, q + 1, g, p, v);
        q = q2;
        i++;
      }
    }
  }

  /**
   * Counting sort of the runs into rise (suffix runs, all-active ones too, by ascending start) and fall (prefix
   * runs by descending end), unit index order among ties; empty runs apart (off). One key per unit: a suffix
   * run's start (0..n-1), a prefix run's n + (n - end) (n+1..2n).
   */
  private sortRuns(n: number): void {
    const { counts, lo, hi, h1, keys, rise, fall, off } = this;
    let nOff = 0;
    counts.fill(0, 0, 2 * n + 1);
    for (let k = 0; k < h1; k++) {
      if (lo[k] === hi[k]) {
        keys[k] = -1;
        off[nOff++] = k;
        continue;
      }
      const at = hi[k] === n ? lo[k] : 2 * n - hi[k];
      keys[k] = at;
      counts[at]++;
    }
    let total = 0;
    for (let i = 0; i <= 2 * n; i++) {
      const m = counts[i];
      counts[i] = total;
      total += m;
    }
    const nRise = counts[n];
    for (let k = 0; k < h1; k++) {
      const at = keys[k];
      if (at < 0) continue;
      const to = counts[at]++;
      if (to < nRise) rise[to] = k;
      else fall[to - nRise] = k;
    }
    this.nOff = nOff;
    this.nRise = nRise;
    this.nFall = total - nRise;
  }

  /**
   * Adds units list[q0..q1)'s slope and intercept rows (W0_k W1_k, b0_k W1_k; with v, their R-values) to u and c,
   * in that order, two units per pass over the row (each sum still gains one unit's term after the other).
   */
  private addUnits(list: Int32Array, q0: number, q1: number, p: Float64Array, v: Float64Array | null): void {
    const { h2, u, c, W0, B0, W1 } = this;
    let q = q0;
    for (; q + 1 < q1; q += 2) {
      const k1 = list[q];
      const k2 = list[q + 1];
      const r1 = W1 + k1 * h2;
      const r2 = W1 + k2 * h2;
      const s1 = p[W0 + k1];
      const t1 = p[B0 + k1];
      const s2 = p[W0 + k2];
      const t2 = p[B0 + k2];
      if (v === null) {
        for (let j = 0; j < h2; j++) {
          const A = p[r1 + j];
          const B = p[r2 + j];
          u[j] = u[j] + s1 * A + s2 * B;
          c[j] = c[j] + t1 * A + t2 * B;
        }
        continue;
      }
      const rs1 = v[W0 + k1];
      const rt1 = v[B0 + k1];
      const rs2 = v[W0 + k2];
      const rt2 = v[B0 + k2];
      for (let j = 0; j < h2; j++) {
        const A = p[r1 + j];
        const B = p[r2 + j];
        const VA = v[r1 + j];
        const VB = v[r2 + j];
        u[j] = u[j] + (rs1 * A + s1 * VA) + (rs2 * B + s2 * VB);
        c[j] = c[j] + (rt1 * A + t1 * VA) + (rt2 * B + t2 * VB);
      }
    }
    if (q < q1) this.addUnit(list[q], p, v);
  }

  /** Adds unit k's slope and intercept rows (W0_k W1_k, b0_k W1_k; with v, their R-values) to u and c. */
  private addUnit(k: number, p: Float64Array, v: Float64Array | null): void {
    const { h2, u, c } = this;
    const row = this.W1 + k * h2;
    const s = p[this.W0 + k];
    const t = p[this.B0 + k];
    if (v === null) {
      for (let j = 0; j < h2; j++) {
        const W = p[row + j];
        u[j] += s * W;
        c[j] += t * W;
      }
      return;
    }
    const rs = v[this.W0 + k];
    const rt = v[this.B0 + k];
    for (let j = 0; j < h2; j++) {
      const W = p[row + j];
      const V = v[row + j];
      u[j] += rs * W + s * V;
      c[j] += rt * W + t * V;
    }
  }

  private clearSums(r: boolean): void {
    this.u.fill(0);
    this.c.fill(0);
    if (!r) return;
    this.ru.fill(0);
    this.rc.fill(0);
  }

  /** Adds sorted row i of e1 to the running sums (u: sum e1, c: sum x e1) and, given re1, of R{e1} (ru, rc). */
  private addRow(i: number, e1: Float64Array, re1: Float64Array | null): void {
    const { h2, u, c, ru, rc } = this;
    const x = this.xs[i];
    const src = this.ord[i] * h2;
    for (let j = 0; j < h2; j++) {
      const e = e1[src + j];
      u[j] += e;
      c[j] += x * e;
    }
    if (re1 === null) return;
    for (let j = 0; j < h2; j++) {
      const e = re1[src + j];
      ru[j] += e;
      rc[j] += x * e;
    }
  }

  /** addRow(i1), then addRow(i2), in one pass over the sums. */
  private addRows(i1: number, i2: number, e1: Float64Array, re1: Float64Array | null): void {
    const { h2, u, c, ru, rc, xs, ord } = this;
    const x1 = xs[i1];
    const x2 = xs[i2];
    const s1 = ord[i1] * h2;
    const s2 = ord[i2] * h2;
    for (let j = 0; j < h2; j++) {
      const e = e1[s1 + j];
      const f = e1[s2 + j];
      u[j] = u[j] + e + f;
      c[j] = c[j] + x1 * e + x2 * f;
    }
    if (re1 === null) return;
    for (let j = 0; j < h2; j++) {
      const e = re1[s1 + j];
      const f = re1[s2 + j];
      ru[j] = ru[j] + e + f;
      rc[j] = rc[j] + x1 * e + x2 * f;
    }
  }

  /**
   * unit() for units list[q0..q1), whose runs the sums now cover, two at a time (each unit's entries are its own:
   * the same values as one at a time, with the sums read once for both).
   */
  private units(list: Int32Array, q0: number, q1: number, g: Float64Array, p: Float64Array, v: Float64Array | null): void {
    const { h2, u: se, c: sx, ru: re, rc: rx, W0, B0, W1, base, scale } = this;
    let q = q0;
    for (; q + 1 < q1; q += 2) {
      const k1 = list[q];
      const k2 = list[q + 1];
      const r1 = W1 + k1 * h2;
      const r2 = W1 + k2 * h2;
      const s1 = p[W0 + k1];
      const t1 = p[B0 + k1];
      const s2 = p[W0 + k2];
      const t2 = p[B0 + k2];
      let dw1 = 0;
      let db1 = 0;
      let dw2 = 0;
      let db2 = 0;
      if (v !== null && base) {
        const rs1 = v[W0 + k1];
        const rt1 = v[B0 + k1];
        const rs2 = v[W0 + k2];
        const rt2 = v[B0 + k2];
        for (let j = 0; j < h2; j++) {
          const a = sx[j];
          const e = se[j];
          const ra = rx[j];
          const r = re[j];
          g[r1 + j] = g[r1 + j] + (base[r1 + j] + scale * (rs1 * a + rt1 * e + s1 * ra + t1 * r));
          g[r2 + j] = g[r2 + j] + (base[r2 + j] + scale * (rs2 * a + rt2 * e + s2 * ra + t2 * r));
          const A = p[r1 + j];
          const VA = v[r1 + j];
          const B = p[r2 + j];
          const VB = v[r2 + j];
          dw1 += A * ra + VA * a;
          db1 += A * r + VA * e;
          dw2 += B * ra + VB * a;
          db2 += B * r + VB * e;
        }
      } else if (v !== null) {
        const rs1 = v[W0 + k1];
        const rt1 = v[B0 + k1];
        const rs2 = v[W0 + k2];
        const rt2 = v[B0 + k2];
        for (let j = 0; j < h2; j++) {
          const a = sx[j];
          const e = se[j];
          const ra = rx[j];
          const r = re[j];
          g[r1 + j] = rs1 * a + rt1 * e + s1 * ra + t1 * r;
          g[r2 + j] = rs2 * a + rt2 * e + s2 * ra + t2 * r;
          const A = p[r1 + j];
          const VA = v[r1 + j];
          const B = p[r2 + j];
          const VB = v[r2 + j];
          dw1 += A * ra + VA * a;
          db1 += A * r + VA * e;
          dw2 += B * ra + VB * a;
          db2 += B * r + VB * e;
        }
      } else if (base === g && scale === 1) {
        // Added into g (a sum over tasks): g + 1 * x is g + x.
        for (let j = 0; j < h2; j++) {
          const a = sx[j];
          const e = se[j];
          g[r1 + j] += s1 * a + t1 * e;
          g[r2 + j] += s2 * a + t2 * e;
          const A = p[r1 + j];
          const B = p[r2 + j];
          dw1 += A * a;
          db1 += A * e;
          dw2 += B * a;
          db2 += B * e;
        }
      } else if (base) {
        for (let j = 0; j < h2; j++) {
          const a = sx[j];
          const e = se[j];
          g[r1 + j] = base[r1 + j] + scale * (s1 * a + t1 * e);
          g[r2 + j] = base[r2 + j] + scale * (s2 * a + t2 * e);
          const A = p[r1 + j];
          const B = p[r2 + j];
          dw1 += A * a;
          db1 += A * e;
          dw2 += B * a;
          db2 += B * e;
        }
      } else {
        for (let j = 0; j < h2; j++) {
          const a = sx[j];
          const e = se[j];
          g[r1 + j] = s1 * a + t1 * e;
          g[r2 + j] = s2 * a + t2 * e;
          const A = p[r1 + j];
          const B = p[r2 + j];
          dw1 += A * a;
          db1 += A * e;
          dw2 += B * a;
          db2 += B * e;
        }
      }
      if (base && v !== null) {
        g[W0 + k1] = g[W0 + k1] + (base[W0 + k1] + scale * dw1);
        g[B0 + k1] = g[B0 + k1] + (base[B0 + k1] + scale * db1);
        g[W0 + k2] = g[W0 + k2] + (base[W0 + k2] + scale * dw2);
        g[B0 + k2] = g[B0 + k2] + (base[B0 + k2] + scale * db2);
      } else if (base && v === null) {
        g[W0 + k1] = base[W0 + k1] + scale * dw1;
        g[B0 + k1] = base[B0 + k1] + scale * db1;
        g[W0 + k2] = base[W0 + k2] + scale * dw2;
        g[B0 + k2] = base[B0 + k2] + scale * db2;
      } else {
        g[W0 + k1] = dw1;
        g[B0 + k1] = db1;
        g[W0 + k2] = dw2;
        g[B0 + k2] = db2;
      }
    }
    if (q < q1) this.unit(list[q], g, p, v, true);
  }

  /**
   * Unit k's dW1_k, dW0_k, db0_k from the running sums (zero for a unit active nowhere, live = false); with v,
   * their R-values: R{dW1} = R{a1}^T e1 + a1^T R{e1}, and R{dW0}, R{db0} from R{e0} = mask (R{e1} W1^T + e1 V1^T).
   */
  private unit(k: number, g: Float64Array, p: Float64Array, v: Float64Array | null, live: boolean): void {
    const { h2, u: se, c: sx, ru: re, rc: rx } = this;
    const row = this.W1 + k * h2;
    const { base, scale } = this;
    // Added into g: a unit active nowhere adds zeros (g is a sum from +0, never -0: g + 0 is g).
    if (!live && base === g && scale === 1 && v === null) return;
    if (base && v !== null) {
      // g + (base + scale * each R-entry) (a unit active nowhere: its entries are 0).
      let dw = 0;
      let db = 0;
      if (!live) {
        for (let j = 0; j < h2; j++) g[row + j] = g[row + j] + (base[row + j] + scale * 0);
      } else {
        const s = p[this.W0 + k];
        const t = p[this.B0 + k];
        const rs = v[this.W0 + k];
        const rt = v[this.B0 + k];
        for (let j = 0; j < h2; j++) {
          const a = sx[j];
          const e = se[j];
          const ra = rx[j];
          const r = re[j];
          g[row + j] = g[row + j] + (base[row + j] + scale * (rs * a + rt * e + s * ra + t * r));
          const W = p[row + j];
          const V = v[row + j];
          dw += W * ra + V * a;
          db += W * r + V * e;
        }
      }
      g[this.W0 + k] = g[this.W0 + k] + (base[this.W0 + k] + scale * dw);
      g[this.B0 + k] = g[this.B0 + k] + (base[this.B0 + k] + scale * db);
      return;
    }
    if (base && v === null) {
      // base + scale * each entry (a unit active nowhere: base + scale * 0).
      const s = p[this.W0 + k];
      const t = p[this.B0 + k];
      let dw = 0;
      let db = 0;
      if (!live) {
        for (let j = 0; j < h2; j++) g[row + j] = base[row + j] + scale * 0;
      } else
        for (let j = 0; j < h2; j++) {
          const a = sx[j];
          const e = se[j];
          g[row + j] = base[row + j] + scale * (s * a + t * e);
          const W = p[row + j];
          dw += W * a;
          db += W * e;
        }
      g[this.W0 + k] = base[this.W0 + k] + scale * dw;
      g[this.B0 + k] = base[this.B0 + k] + scale * db;
      return;
    }
    if (!live) {
      g.fill(0, row, row + h2);
      g[this.W0 + k] = 0;
      g[this.B0 + k] = 0;
      return;
    }
    const s = p[this.W0 + k];
    const t = p[this.B0 + k];
    let dw = 0;
    let db = 0;
    if (v === null) {
      for (let j = 0; j < h2; j++) {
        const a = sx[j];
        const e = se[j];
        g[row + j] = s * a + t * e;
        const W = p[row + j];
        dw += W * a;
        db += W * e;
      }
    } else {
      const rs = v[this.W0 + k];
      const rt = v[this.B0 + k];
      for (let j = 0; j < h2; j++) {
        const a = sx[j];
        const e = se[j];
        const ra = rx[j];
        const r = re[j];
        g[row + j] = rs * a + rt * e + s * ra + t * r;
        const W = p[row + j];
        const V = v[row + j];
        dw += W * ra + V * a;
        db += W * r + V * e;
      }
    }
    g[this.W0 + k] = dw;
    g[this.B0 + k] = db;
  }
}

/** From this many rows sortRows sorts by buckets (below, by insertion: a task has a handful of rows). */
export const BUCKET_SORT_MIN_ROWS = 33;

/**
 * ord[0..n) <- rows 0..n in ascending x (stable: tied rows keep their order), the order of a stable comparator
 * sort by x (x[i] - x[j]), without the comparator's calls: a handful of rows by insertion, more (pretrained's
 * 500) into n buckets over [min x, max x] in row order, then insertion within each bucket (a few rows each for
 * spread inputs). Inputs that are not all finite take the comparator sort. start: n + 1 bucket starts.
 */
export function sortRows(ord: Int32Array, x: ArrayLike<number>, n: number, start: Int32Array): void {
  if (n < BUCKET_SORT_MIN_ROWS) {
    for (let r = 0; r < n; r++) {
      let i = r;
      for (; i > 0 && x[ord[i - 1]] > x[r]; i--) ord[i] = ord[i - 1];
      ord[i] = r;
    }
    return;
  }
  let min = Infinity;
  let max = -Infinity;
  let finite = true;
  for (let r = 0; r < n; r++) {
    const v = x[r];
    if (v < min) min = v;
    if (v > max) max = v;
    if (v - v !== 0) finite = false;
  }
  if (!finite) {
    for (let r = 0; r < n; r++) ord[r] = r;
    ord.subarray(0, n).sort((i, j) => x[i] - x[j]);
    return;
  }
  // Bucket of x: floor((x - min) scale), monotone in x (every step rounds monotonically), clamped below n.
  const scale = max > min ? n / (max - min) : 0;
  start.fill(0, 0, n + 1);
  for (let r = 0; r < n; r++) {
    const b = Math.floor((x[r] - min) * scale);
    start[(b < n ? b : n - 1) + 1]++;
  }
  for (let b = 0; b < n; b++) start[b + 1] += start[b];
  for (let r = 0; r < n; r++) {
    const b = Math.floor((x[r] - min) * scale);
    ord[start[b < n ? b : n - 1]++] = r;
  }
  // start[b] is now bucket b's end; each bucket's rows are in row order: sort each by insertion.
  for (let b = 0, from = 0; b < n; b++) {
    const to = start[b];
    for (let r = from + 1; r < to; r++) {
      const k = ord[r];
      const v = x[k];
      let i = r;
      for (; i > from && x[ord[i - 1]] > v; i--) ord[i] = ord[i - 1];
      ord[i] = k;
    }
    from = to;
  }
}

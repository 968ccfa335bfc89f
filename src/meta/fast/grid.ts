/**
 * The network's output along a sorted grid of x, where only the first input varies (x) and any others are
 * constant (the oracle's task features): the curve the task panel draws, 11 times per method per click.
 *
 * With one varying input, the first ReLU layer is piecewise linear in x: between the points where a unit
 * switches, its active set is fixed, so the next layer's pre-activation is affine in x, z(x) = x u + c. Walking
 * the sorted grid, u and c change only when a first-layer unit switches (one row of the next weight matrix
 * added or removed), so each grid point costs O(width) instead of the O(width^2) of the dense layer. The layers
 * after that run densely (mlp.ts). Exact: the same arithmetic as forwardRows in another summation order.
 */
import { forwardRows, Workspace, type Layout } from './mlp';

export class GridForward {
  private readonly rest: Workspace | null;
  private readonly h: Float64Array;
  private readonly out: Float64Array;
  private readonly active: Uint8Array;
  private readonly bias: Float64Array;
  private readonly at: Float64Array;
  /** The units that switch inside the grid, by switch point. */
  private readonly order: Int32Array;
  /** Units switched at the current point, in order (check, switchUnits). */
  private readonly pending: Int32Array;
  private readonly u: Float64Array;
  private readonly c: Float64Array;

  constructor(
    readonly lay: Layout,
    readonly rows: number,
  ) {
    const { sizes } = lay;
    if (sizes.length < 3) throw new Error('GridForward needs at least one hidden layer');
    const h1 = sizes[1];
    const h2 = sizes[2];
    this.active = new Uint8Array(h1);
    this.bias = new Float64Array(h1);
    this.at = new Float64Array(h1);
    this.order = new Int32Array(h1);
    this.pending = new Int32Array(h1);
    this.u = new Float64Array(h2);
    this.c = new Float64Array(h2);
    // Only deeper nets keep the second layer's activations for the dense layers after it.
    this.h = new Float64Array(sizes.length > 4 ? rows * h2 : 0);
    this.out = new Float64Array(rows * sizes[sizes.length - 1]);
    // Deeper nets: the layers after the third run densely on the second layer's activations.
    this.rest = sizes.length > 4 ? new Workspace(layoutTail(lay), rows) : null;
  }

  /**
   * Outputs (n rows of the last layer's width) at grid[0..n) (ascending), with the inputs after the first
   * fixed to `fixed` (length sizes[0] - 1; empty for a 1-input net).
   */
  run(p: Float64Array, grid: ArrayLike<number>, n: number, fixed: ArrayLike<number>): Float64Array {
    const { sizes, w, b } = this.lay;
    const nIn = sizes[0];
    const h1 = sizes[1];
    const h2 = sizes[2];
    const { active, bias, at, order, u, c, h, out } = this;
    for (let r = 1; r < n; r++) if (grid[r] < grid[r - 1]) throw new Error('GridForward needs an ascending grid');
    // First layer along x: unit j's pre-activation is x * p[W0 + j] + bias[j]; it switches at x = at[j].
    const W0 = w[0];
    for (let j = 0; j < h1; j++) {
      let s = p[b[0] + j];
      for (let i = 1; i < nIn; i++) s += fixed[i - 1] * p[W0 + i * h1 + j];
      bias[j] = s;
      active[j] = 0;
      const wj = p[W0 + j];
      // A unit with no slope never switches (nor one with non-finite weights, whose pre-activation is NaN):
      // both are settled by the check at the first grid point.
      const x0 = -s / wj;
      at[j] = wj === 0 || Number.isNaN(x0) ? -Infinity : x0;
    }
    // Units that switch at or before the first point are settled by its check, those after the last never
    // matter: only the rest are walked, in order (insertion sort: a few dozen units).
    let m = 0;
    const [first, last] = [grid[0], grid[n - 1]];
    for (let j = 0; j < h1; j++) {
      const a = at[j];
      if (!(a > first && a <= last)) continue;
      let i = m++;
      for (; i > 0 && at[order[i - 1]] > a; i--) order[i] = order[i - 1];
      order[i] = j;
    }
    for (let k = 0; k < h2; k++) {
      u[k] = 0;
      c[k] = p[b[1] + k];
    }
    const L = sizes.length - 1;
    const nOut = sizes[L];
    let next = 0;
    for (let r = 0; r < n; r++) {
      const x = grid[r];
      let np = 0;
      if (r === 0) for (let j = 0; j < h1; j++) np = this.check(p, j, x, np);
      // Every unit whose switch point has been passed: checked directly, so the mask is forwardRows's.
      for (; next < m && at[order[next]] <= x; next++) np = this.check(p, order[next], x, np);
      if (np > 0) this.switchUnits(p, np);
      if (L === 2) {
        // One hidden layer: the second layer is the output, linear.
        for (let k = 0; k < h2; k++) out[r * h2 + k] = x * u[k] + c[k];
        continue;
      }
      if (L === 3) {
        // Two hidden layers (the sinusoid and plane nets): ReLU, then the output layer, here.
        const W2 = w[2];
        const o0 = r * nOut;
        if (nOut === 1) {
          // With no switch before the next point, that point too, in the same pass over the units.
          if (r + 1 < n && (next >= m || at[order[next]] > grid[r + 1])) {
            const x2 = grid[r + 1];
            let s = p[b[2]];
            let s2 = s;
            for (let k = 0; k < h2; k++) {
              const U = u[k];
              const C = c[k];
              const W = p[W2 + k];
              const z = x * U + C;
              if (z > 0) s += z * W;
              const z2 = x2 * U + C;
              if (z2 > 0) s2 += z2 * W;
            }
            out[o0] = s;
            out[o0 + 1] = s2;
            r++;
            continue;
          }
          let s = p[b[2]];
          for (let k = 0; k < h2; k++) {
            const z = x * u[k] + c[k];
            if (z > 0) s += z * p[W2 + k];
          }
          out[o0] = s;
          continue;
        }
        // Several outputs (the classifiers): each hidden unit once, into every output.
        for (let o = 0; o < nOut; o++) out[o0 + o] = p[b[2] + o];
        for (let k = 0; k < h2; k++) {
          const z = x * u[k] + c[k];
          if (z > 0) for (let o = 0, wk = W2 + k * nOut; o < nOut; o++) out[o0 + o] += z * p[wk + o];
        }
        continue;
      }
      const hr = r * h2;
      for (let k = 0; k < h2; k++) {
        const z = x * u[k] + c[k];
        h[hr + k] = z > 0 ? z : 0;
      }
    }
    if (L <= 3) return out;
    return forwardRows(this.rest!, p.subarray(w[2]), h, n);
  }

  /** Brings first-layer unit j up to date at x: if it switched, adds or removes its row of the next weights. */
  /**
   * Brings first-layer unit j up to date at x: if it switched, marks it (pending[np]) for switchUnits, which adds
   * or removes its row of the next weights. Returns the count of units pending.
   */
  private check(p: Float64Array, j: number, x: number, np: number): number {
    const { active, bias } = this;
    const slope = p[this.lay.w[0] + j];
    const on = x * slope + bias[j] > 0 ? 1 : 0;
    if (on === active[j]) return np;
    active[j] = on;
    this.pending[np] = j;
    return np + 1;
  }

  /**
   * Adds (switched on) or removes (off) the pending units' rows of the next weights to u and c, in the order they
   * switched, two per pass over the row (each sum still takes one unit's term after the other).
   */
  private switchUnits(p: Float64Array, np: number): void {
    const { w, sizes } = this.lay;
    const { active, bias, u, c, pending } = this;
    const h2 = sizes[2];
    let q = 0;
    for (; q + 1 < np; q += 2) {
      const j1 = pending[q];
      const j2 = pending[q + 1];
      const sign1 = active[j1] ? 1 : -1;
      const sign2 = active[j2] ? 1 : -1;
      const du1 = sign1 * p[w[0] + j1];
      const dc1 = sign1 * bias[j1];
      const du2 = sign2 * p[w[0] + j2];
      const dc2 = sign2 * bias[j2];
      const r1 = w[1] + j1 * h2;
      const r2 = w[1] + j2 * h2;
      for (let k = 0; k < h2; k++) {
        const A = p[r1 + k];
        const B = p[r2 + k];
        u[k] = u[k] + du1 * A + du2 * B;
        c[k] = c[k] + dc1 * A + dc2 * B;
      }
    }
    if (q < np) {
      const j = pending[q];
      const sign = active[j] ? 1 : -1;
      const du = sign * p[w[0] + j];
      const dc = sign * bias[j];
      const row = w[1] + j * h2;
      for (let k = 0; k < h2; k++) {
        u[k] += du * p[row + k];
        c[k] += dc * p[row + k];
      }
    }
  }
}

/** The layout of the layers after the second, with offsets relative to where they start in the flat vector. */
function layoutTail(lay: Layout): Layout {
  const start = lay.w[2];
  return {
    sizes: lay.sizes.slice(2),
    w: lay.w.slice(2).map((o) => o - start),
    b: lay.b.slice(2).map((o) => o - start),
    total: lay.total - start,
  };
}

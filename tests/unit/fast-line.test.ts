/**
 * line.ts (a one-input net's second layer without dense products) against the dense kernels of mlp.ts, pass by
 * pass: forward, gradient, Hessian-vector product. The cases a sorted-run walk can get wrong: points in any
 * order and repeated, odd counts (a padding row), one point, units active on every point or none, flat units
 * (zero slope), a point exactly on a unit's switch, and parameters that are not finite (the dense kernels
 * take those). Float64 finite differences of both paths are in fast-maml.test.ts.
 * Also the speed-ups that must not change a bit (issue 17, targets 3 and 5): sortRows against the comparator sort
 * it replaced, and the backward pass's combined output (base + scale x gradient: added into a sum over tasks, or
 * an SGD step) against the gradient stored and then combined.
 */
import { describe, expect, it } from 'vitest';
import { initFlat } from '../../src/meta/fast/maml';
import { FlatAdapter } from '../../src/meta/fast/adapt';
import { BUCKET_SORT_MIN_ROWS, sortRows } from '../../src/meta/fast/line';
import { forwardRows, hessianVector, layoutOf, lossAndGrad, Workspace } from '../../src/meta/fast/mlp';
import { Rng } from '../../src/meta/contracts/random';

const SIZES = [1, 40, 40, 1];
const lay = layoutOf(SIZES);

/** Every pass on both paths; the largest difference relative to the dense values' scale. */
function compare(p: Float64Array, x: Float64Array, y: Float64Array, v: Float64Array, n: number) {
  const run = (line: boolean) => {
    const ws = new Workspace(lay, n, { line });
    const out = Float64Array.from(forwardRows(ws, p, x, n).subarray(0, n));
    const g = new Float64Array(lay.total);
    const loss = lossAndGrad(ws, p, x, y, n, g);
    const hv = new Float64Array(lay.total);
    hessianVector(ws, p, v, n, hv);
    return { out, loss, g, hv, onLine: ws.onLine };
  };
  const [line, dense] = [run(true), run(false)];
  const gap = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    return worst / Math.max(scale, 1e-300);
  };
  return {
    line,
    dense,
    out: gap(line.out, dense.out),
    loss: Math.abs(line.loss - dense.loss) / dense.loss,
    g: gap(line.g, dense.g),
    hv: gap(line.hv, dense.hv),
  };
}

function task(rng: Rng, n: number): { x: Float64Array; y: Float64Array } {
  const x = Float64Array.from({ length: n }, () => rng.uniform(-5, 5));
  const y = Float64Array.from(x, (t) => 2 * Math.sin(t + 0.3) + rng.uniform(-0.1, 0.1));
  return { x, y };
}

describe('line.ts against the dense kernels (1-40-40-1)', () => {
  it('random nets and tasks of 1 to 11 points (and 41, sorted another way): the same outputs, loss, gradient and Hessian-vector product', () => {
    const rng = new Rng(11);
    for (const n of [1, 2, 3, 5, 10, 11, 41]) {
      for (let trial = 0; trial < 4; trial++) {
        // Larger than init-sized weights so units switch between the points.
        const p = initFlat(SIZES, rng).map((t) => t * 3);
        const v = initFlat(SIZES, rng);
        const { x, y } = task(rng, n);
        const r = compare(p, x, y, v, n);
        expect(r.line.onLine).toBe(true);
        expect(r.dense.onLine).toBe(false);
        expect(r.out, `n = ${n}`).toBeLessThan(1e-13);
        expect(r.loss).toBeLessThan(1e-13);
        expect(r.g, `n = ${n}`).toBeLessThan(1e-12);
        expect(r.hv, `n = ${n}`).toBeLessThan(1e-12);
        expect(Math.max(...r.dense.hv.map(Math.abs))).toBeGreaterThan(1e-3);
      }
    }
  });

  it('many points (pretrained\'s 500 rows, bucket-sorted), with ties: the same passes as the dense kernels', () => {
    const rng = new Rng(15);
    for (const n of [BUCKET_SORT_MIN_ROWS, 120, 500]) {
      const p = initFlat(SIZES, rng).map((t) => t * 3);
      const v = initFlat(SIZES, rng);
      const { x, y } = task(rng, n);
      // A fifth of the points repeat another's x.
      for (let i = 0; i < n; i += 5) x[i] = x[(i * 7) % n];
      const r = compare(p, x, y, v, n);
      expect(r.line.onLine).toBe(true);
      expect(r.out, `n = ${n}`).toBeLessThan(1e-13);
      expect(r.g, `n = ${n}`).toBeLessThan(1e-12);
      expect(r.hv, `n = ${n}`).toBeLessThan(1e-12);
    }
  });

  it('repeated points, units on everywhere or nowhere, flat units and a point on a switch', () => {
    const rng = new Rng(12);
    const p = initFlat(SIZES, rng).map((t) => t * 3);
    const [W0, B0] = [lay.w[0], lay.b[0]];
    // Units 0-3 active on every point, 4-7 on none, 8-9 flat (on and off), 10 switching exactly at x = 0.5.
    for (let k = 0; k < 4; k++) p[B0 + k] = 100;
    for (let k = 4; k < 8; k++) p[B0 + k] = -100;
    p[W0 + 8] = 0;
    p[B0 + 8] = 0.7;
    p[W0 + 9] = 0;
    p[B0 + 9] = -0.7;
    p[W0 + 10] = 1;
    p[B0 + 10] = -0.5;
    p[W0 + 11] = -2;
    p[B0 + 11] = 1;
    const x = Float64Array.from([0.5, -1, 2, 0.5, 0.5, -1, 3, 0.25, 4.5]);
    const y = Float64Array.from(x, (t) => Math.cos(t));
    const v = initFlat(SIZES, rng);
    const r = compare(p, x, y, v, x.length);
    expect(r.line.onLine).toBe(true);
    expect(r.out).toBeLessThan(1e-13);
    expect(r.g).toBeLessThan(1e-12);
    expect(r.hv).toBeLessThan(1e-12);
    // Units active nowhere have no gradient; units active everywhere do.
    expect(r.line.g[lay.w[1] + 4 * 40]).toBe(0);
    expect(r.line.g[W0 + 5]).toBe(0);
    expect(Math.abs(r.line.g[W0 + 1])).toBeGreaterThan(0);
  });

  it('parameters that are not finite take the dense kernels, with the same NaNs', () => {
    const rng = new Rng(13);
    const p = initFlat(SIZES, rng);
    p[lay.w[0] + 3] = Infinity;
    const { x, y } = task(rng, 10);
    const r = compare(p, x, y, initFlat(SIZES, rng), 10);
    expect(r.line.onLine).toBe(false);
    expect(Array.from(r.line.g, Number.isNaN)).toEqual(Array.from(r.dense.g, Number.isNaN));
    expect(Array.from(r.line.out)).toEqual(Array.from(r.dense.out));
  });

  it('a workspace reused across tasks of different sizes and nets keeps no stale state', () => {
    const rng = new Rng(14);
    const line = new Workspace(lay, 10);
    const dense = new Workspace(lay, 10, { line: false });
    for (const n of [10, 3, 7, 1, 10]) {
      const p = initFlat(SIZES, rng).map((t) => t * 2);
      const { x, y } = task(rng, n);
      const v = initFlat(SIZES, rng);
      const [ga, gb, ha, hb] = [0, 0, 0, 0].map(() => new Float64Array(lay.total));
      lossAndGrad(line, p, x, y, n, ga);
      lossAndGrad(dense, p, x, y, n, gb);
      hessianVector(line, p, v, n, ha);
      hessianVector(dense, p, v, n, hb);
      for (let i = 0; i < lay.total; i++) {
        expect(Math.abs(ga[i] - gb[i])).toBeLessThan(1e-12 * (1 + Math.abs(gb[i])));
        expect(Math.abs(ha[i] - hb[i])).toBeLessThan(1e-12 * (1 + Math.abs(hb[i])));
      }
    }
  });

  it('is taken only where it applies: one input and a hidden layer', () => {
    expect(new Workspace(lay, 4).line).not.toBeNull();
    expect(new Workspace(layoutOf([4, 40, 40, 1]), 4).line).toBeNull();
    expect(new Workspace(layoutOf([1, 1]), 4).line).toBeNull();
  });
});

describe('sortRows (line.ts): the order of a stable comparator sort by x', () => {
  /** What line.ts did before: a stable comparator sort of the row indices. */
  const bySort = (x: ArrayLike<number>, n: number) => Array.from(Int32Array.from({ length: n }, (_, i) => i).sort((i, j) => x[i] - x[j]));
  const sorted = (x: ArrayLike<number>, n: number) => {
    const ord = new Int32Array(n + 3).fill(-1);
    sortRows(ord, x, n, new Int32Array(n + 1));
    return Array.from(ord.subarray(0, n));
  };

  it('random inputs, inputs with ties (few distinct values, -0 beside 0), all equal, clustered', () => {
    const rng = new Rng(21);
    const cases: number[][] = [];
    for (const n of [1, 2, 7, 32, 33, 34, 100, 500, 1001]) {
      cases.push(Array.from({ length: n }, () => rng.uniform(-5, 5)));
      cases.push(Array.from({ length: n }, () => Math.round(rng.uniform(-3, 3)) || (rng.uniform(0, 1) < 0.5 ? -0 : 0)));
      cases.push(Array.from({ length: n }, () => 2.5));
      // Most points in one bucket, a few far away.
      cases.push(Array.from({ length: n }, (_, i) => (i % 50 === 0 ? 1e6 * rng.uniform(-1, 1) : rng.uniform(0, 1e-9))));
    }
    for (const xs of cases) {
      const x = Float64Array.from(xs);
      expect(sorted(x, x.length), `n = ${x.length}`).toEqual(bySort(x, x.length));
      // Float32 inputs (the batches) too, and only a prefix of the rows.
      const f = Float32Array.from(xs);
      const m = Math.ceil(f.length / 2);
      expect(sorted(f, m)).toEqual(bySort(f, m));
    }
  });

  it('ties keep their row order; inputs that are not finite take the comparator sort', () => {
    const x = Float64Array.from({ length: 40 }, (_, i) => (i % 4) - 1);
    const ord = sorted(x, 40);
    expect(ord.slice(0, 10)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const y = Float64Array.from({ length: 60 }, (_, i) => Math.sin(i));
      y[17] = bad;
      expect(sorted(y, 60)).toEqual(bySort(y, 60));
    }
  });
});

describe('lossAndGrad with base and scale: the gradient combined as it is written, as the loops it replaces', () => {
  it('equals the old way (gradient into its own buffer, then added) to the bit, on the line and dense kernels', () => {
    const rng = new Rng(31);
    for (const line of [true, false]) {
      const ws = new Workspace(lay, 20, { line });
      const sum = new Float64Array(lay.total);
      const copy = new Float64Array(lay.total);
      const g = new Float64Array(lay.total);
      // Units on nowhere add nothing (the old copy added their zeros).
      const p = initFlat(SIZES, rng).map((t) => t * 3);
      for (let k = 0; k < 4; k++) p[lay.b[0] + k] = -100;
      for (let t = 0; t < 5; t++) {
        const { x, y } = task(rng, t === 2 ? 7 : 20);
        const n = x.length;
        const la = lossAndGrad(ws, p, x, y, n, g);
        for (let i = 0; i < lay.total; i++) copy[i] += g[i];
        const lb = lossAndGrad(ws, p, x, y, n, sum, 'mse', 0, sum);
        expect(lb).toBe(la);
        expect(ws.onLine).toBe(line);
      }
      expect(Array.from(sum)).toEqual(Array.from(copy));
      expect(Math.max(...sum.map(Math.abs))).toBeGreaterThan(1e-3);
    }
  });

  it('an SGD step written by the backward pass (base p, scale -alpha) is p - alpha g to the bit: line, dense and sparse kernels', () => {
    const rng = new Rng(33);
    const alpha = 0.37;
    const cases: [number[], { line?: boolean; sparse?: boolean }, number][] = [
      [SIZES, {}, 7],
      [SIZES, { line: false }, 7],
      [[3, 8, 5, 2], { sparse: true }, 6],
    ];
    for (const [sizes, opts, n] of cases) {
      const l = layoutOf(sizes);
      const ws = new Workspace(l, n, opts);
      const p = initFlat(sizes, rng).map((t) => t * 3);
      // Units on nowhere: their step is p itself.
      for (let k = 0; k < 3; k++) p[l.b[0] + k] = -100;
      // Some inputs zero (the sparse kernels skip them).
      const x = Float64Array.from({ length: n * sizes[0] }, (_, i) => (i % 3 === 1 ? 0 : rng.uniform(-2, 2)));
      const y = Float64Array.from({ length: n * sizes[sizes.length - 1] }, () => rng.uniform(-1, 1));
      const g = new Float64Array(l.total);
      const la = lossAndGrad(ws, p, x, y, n, g);
      const old = Float64Array.from(p, (v, i) => v - alpha * g[i]);
      const next = new Float64Array(l.total).fill(NaN);
      const lb = lossAndGrad(ws, p, x, y, n, next, 'mse', 0, p, -alpha);
      expect(lb).toBe(la);
      expect(ws.onLine).toBe(opts.line ?? true ? sizes[0] === 1 : false);
      expect(Array.from(next)).toEqual(Array.from(old));
      expect(next.some((v, i) => v !== p[i])).toBe(true);
    }
  });

  it('hessianVector with base adds base + scale H v into its output (MAML: grad += v - alpha H v) to the bit', () => {
    const rng = new Rng(34);
    const alpha = 0.01;
    for (const opts of [{}, { line: false }]) {
      const ws = new Workspace(lay, 7, opts);
      const p = initFlat(SIZES, rng).map((t) => t * 3);
      for (let k = 0; k < 3; k++) p[lay.b[0] + k] = -100;
      const v = initFlat(SIZES, rng);
      const { x, y } = task(rng, 7);
      lossAndGrad(ws, p, x, y, 7, new Float64Array(lay.total));
      const hv = new Float64Array(lay.total);
      hessianVector(ws, p, v, 7, hv);
      const sum = Float64Array.from({ length: lay.total }, () => rng.uniform(-1, 1));
      const old = Float64Array.from(sum, (s, i) => s + (v[i] - alpha * hv[i]));
      hessianVector(ws, p, v, 7, sum, v, -alpha);
      expect(Array.from(sum)).toEqual(Array.from(old));
    }
    const sparse = new Workspace(layoutOf([3, 4, 1]), 2, { sparse: true });
    expect(() => hessianVector(sparse, new Float64Array(21), new Float64Array(21), 2, new Float64Array(21), new Float64Array(21), 1)).toThrow();
  });

  it('reads a task of a batch in place (from): the same as its subarrays', () => {
    const rng = new Rng(32);
    const p = initFlat(SIZES, rng).map((t) => t * 3);
    const { x, y } = task(rng, 30);
    const ws = new Workspace(lay, 10);
    const [a, b] = [new Float64Array(lay.total), new Float64Array(lay.total)];
    const la = lossAndGrad(ws, p, x.subarray(10, 20), y.subarray(10, 20), 10, a);
    const lb = lossAndGrad(ws, p, x, y, 10, b, 'mse', 10);
    expect(lb).toBe(la);
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});

describe('FlatAdapter under plain SGD with one rate (the backward pass writes the step)', () => {
  it('visits the same parameters, to the bit, as lossAndGrad then phi -= alpha g', () => {
    const rng = new Rng(41);
    const theta = initFlat(SIZES, rng).map((t) => t * 2);
    const alpha = 0.05;
    const learner = { sizes: SIZES, theta, rates: null, adaptedLayers: null, lambda: null, taskInput: false };
    const { x, y } = task(rng, 5);
    const seen: number[][] = [];
    const losses = new FlatAdapter(learner, alpha, 5).run(x, y, 5, 3, (phi) => seen.push(Array.from(phi)));
    const ws = new Workspace(lay, 5);
    const phi = Float64Array.from(theta);
    const g = new Float64Array(lay.total);
    for (let s = 0; s <= 3; s++) {
      expect(seen[s]).toEqual(Array.from(phi));
      expect(losses[s]).toBe(lossAndGrad(ws, phi, x, y, 5, s < 3 ? g : null));
      if (s < 3) for (let i = 0; i < phi.length; i++) phi[i] -= alpha * g[i];
    }
    expect(seen[3]).not.toEqual(seen[0]);
  });
});

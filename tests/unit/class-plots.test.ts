/**
 * The classification panels' pure helpers (src/panels/classPlots.ts): decision regions as pixels line up with
 * planeGrid, the model's boundary lies where the classes swap, the true boundary is the task's geometry, and the
 * small rules that choose results, steps and wording.
 */
import * as d3 from 'd3';
import { describe, expect, it } from 'vitest';
import { planeGrid, planeLabel, type PlaneTask } from '../../src/meta/contracts/tasks/plane';
import {
  describeSource,
  formatChange,
  formatPct,
  hexToRgb,
  lossYMax,
  matching,
  modelBoundaryPath,
  REGION_ALPHA,
  regionPixels,
  stepCurvePaths,
  stepIndex,
  thumbSteps,
  truthBoundaryPath,
} from '../../src/panels/classPlots';

const COLORS = ['#ff0000', '#0000ff', '#00ff00'];
const identity = (v: number) => v;

/** Probabilities over planeGrid(n) from a function of the point: one-hot-ish, `sure` on the class it returns. */
function probsFrom(n: number, classes: number, classOf: (x: number, y: number) => number, sure = 0.9): Float32Array {
  const grid = planeGrid(n);
  const out = new Float32Array(n * n * classes);
  for (let i = 0; i < n * n; i++) {
    const c = classOf(grid[2 * i], grid[2 * i + 1]);
    for (let k = 0; k < classes; k++) out[i * classes + k] = k === c ? sure : (1 - sure) / (classes - 1);
  }
  return out;
}

/** Path commands as [x, y] points. */
const pathPoints = (d: string) => [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

describe('regionPixels', () => {
  it('colours each pixel by its most likely class, row 0 at the top (y = 1) like planeGrid', () => {
    // The top quarter is class 2; below it class 1 on the right half and class 0 on the left.
    const n = 21;
    const probs = probsFrom(n, 3, (x, y) => (y > 0.5 ? 2 : x > 0 ? 1 : 0), 1);
    const size = 40;
    const px = regionPixels(probs, n, 3, size, COLORS);
    expect(px.length).toBe(size * size * 4);
    const at = (r: number, c: number) => Array.from(px.slice((r * size + c) * 4, (r * size + c) * 4 + 4));
    // Fully sure: the strongest tint, mixed with white.
    const a = REGION_ALPHA[1];
    const tint = (hex: string) => [...hexToRgb(hex).map((v) => Math.round(255 + (v - 255) * a)), 255];
    expect(at(20, 2)).toEqual(tint(COLORS[0]));
    expect(at(20, 37)).toEqual(tint(COLORS[1]));
    expect(at(0, 20)).toEqual(tint(COLORS[2]));
    // Opaque everywhere.
    for (let i = 3; i < px.length; i += 4) expect(px[i]).toBe(255);
  });

  it('tints by confidence: at chance the faintest wash, and grey where the model diverged', () => {
    const n = 5;
    const chance = new Float32Array(n * n * 2).fill(0.5);
    const faint = regionPixels(chance, n, 2, 4, COLORS);
    const a = REGION_ALPHA[0];
    expect(Array.from(faint.slice(0, 3))).toEqual(hexToRgb(COLORS[0]).map((v) => Math.round(255 + (v - 255) * a)));
    const nan = new Float32Array(n * n * 2).fill(NaN);
    expect(Array.from(regionPixels(nan, n, 2, 4, COLORS).slice(0, 4))).toEqual([190, 190, 190, 255]);
  });
});

describe('modelBoundaryPath', () => {
  it('runs where the most likely class changes, inside the square, and is empty for one class everywhere', () => {
    const n = 41;
    const boundaryX = 0.3;
    const probs = probsFrom(n, 2, (x) => (x > boundaryX ? 1 : 0));
    const d = modelBoundaryPath(probs, n, 2, identity, identity);
    const pts = pathPoints(d);
    expect(pts.length).toBeGreaterThan(5);
    const cell = 2 / (n - 1);
    for (const [x, y] of pts) {
      expect(Math.abs(x - boundaryX)).toBeLessThanOrEqual(cell);
      expect(y).toBeGreaterThanOrEqual(-1 - 1e-9);
      expect(y).toBeLessThanOrEqual(1 + 1e-9);
    }
    expect(modelBoundaryPath(probsFrom(n, 2, () => 0), n, 2, identity, identity)).toBe('');
  });

  it('with more classes, traces every region (a three-cell task)', () => {
    const n = 31;
    const task: PlaneTask = { kind: 'cells', centers: [[-0.5, -0.5], [0.5, -0.5], [0, 0.6]] };
    const probs = probsFrom(n, 3, (x, y) => planeLabel(task, x, y));
    const pts = pathPoints(modelBoundaryPath(probs, n, 3, identity, identity));
    // Every boundary point is (nearly) equidistant from two centres.
    for (const [x, y] of pts) {
      const d = task.centers.map(([cx, cy]) => Math.hypot(x - cx, y - cy)).sort((p, q) => p - q);
      expect(d[1] - d[0]).toBeLessThan(0.12);
    }
  });
});

describe('truthBoundaryPath', () => {
  it('a line: its two ends lie on the line, beyond the square', () => {
    const task: PlaneTask = { kind: 'line', normal: [0.6, 0.8], offset: 0.2 };
    const pts = pathPoints(truthBoundaryPath(task, identity, identity));
    expect(pts).toHaveLength(2);
    for (const [x, y] of pts) {
      expect(0.6 * x + 0.8 * y).toBeCloseTo(0.2, 2);
      expect(Math.max(Math.abs(x), Math.abs(y))).toBeGreaterThan(1);
    }
  });

  it('a circle: two arcs of its radius in pixels', () => {
    const task: PlaneTask = { kind: 'circle', center: [0.1, -0.2], radius: 0.5 };
    const sx = (v: number) => 100 + 200 * v;
    const sy = (v: number) => 100 - 200 * v;
    const d = truthBoundaryPath(task, sx, sy);
    expect(d).toBe('M220,140A100,100 0 1 0 20,140A100,100 0 1 0 220,140Z');
  });

  it('cells: the Voronoi edges inside the square, equidistant from two centres', () => {
    const task: PlaneTask = { kind: 'cells', centers: [[-0.5, 0], [0.5, 0], [0, 0.7]] };
    const pts = pathPoints(truthBoundaryPath(task, identity, identity));
    expect(pts.length).toBeGreaterThanOrEqual(4);
    for (const [x, y] of pts) {
      expect(Math.abs(x)).toBeLessThanOrEqual(1 + 1e-6);
      expect(Math.abs(y)).toBeLessThanOrEqual(1 + 1e-6);
      const d = task.centers.map(([cx, cy]) => Math.hypot(x - cx, y - cy)).sort((p, q) => p - q);
      expect(d[1] - d[0]).toBeLessThan(1e-2);
    }
  });
});

describe('small rules', () => {
  it('matching: only results for the problem and classes on screen', () => {
    const r = { problem: 'plane' as const, classes: 3 };
    expect(matching(r, 'plane', 3)).toBe(r);
    expect(matching(r, 'plane', 2)).toBeNull();
    expect(matching(r, 'glyphs', 3)).toBeNull();
    expect(matching(null, 'plane', 3)).toBeNull();
  });

  it('stepIndex clamps to the steps there are', () => {
    expect(stepIndex(11, 3)).toBe(3);
    expect(stepIndex(6, 10)).toBe(5);
    expect(stepIndex(1, 4)).toBe(0);
  });

  it('thumbSteps: 0..5 and the selected step beyond them', () => {
    expect(thumbSteps(10, 2)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(thumbSteps(10, 8)).toEqual([0, 1, 2, 3, 4, 5, 8]);
    expect(thumbSteps(3, 1)).toEqual([0, 1, 2, 3]);
    expect(thumbSteps(0, 0)).toEqual([0]);
  });

  it('formats fractions as percentages, changes with an arrow', () => {
    expect(formatPct(0.5)).toBe('50%');
    expect(formatPct(NaN)).toBe('—');
    expect(formatPct(null)).toBe('—');
    expect(formatChange(0.5, 1)).toBe('50% → 100%');
  });

  it('lossYMax: up to the data with its band, capped at twice the start, at least the floor', () => {
    expect(lossYMax([{ values: [1, 0.5], ci95: [0.1, 0.1] }], 1)).toBeCloseTo(1.1);
    expect(lossYMax([{ values: [1, 50] }], 1)).toBe(2);
    expect(lossYMax([{ values: [0.1, 0.05] }], 1, 0.7)).toBe(0.7);
    expect(lossYMax([], 5)).toBe(1);
  });

  it('describeSource points a model without a checkpoint to the training panel', () => {
    expect(describeSource(undefined)).toBe('loading…');
    expect(describeSource('random initialisation (no checkpoint)')).toMatch(/train it in the Training panel/);
    expect(describeSource('shipped checkpoint (10000 iterations)')).toBe('shipped checkpoint (10000 iterations)');
    // A source that already says so is not told twice.
    expect(describeSource('random initialisation (no checkpoint); train it below')).toBe('random initialisation (no checkpoint); train it below');
  });
});

describe('stepCurvePaths', () => {
  const y = d3.scaleLinear().domain([0, 1]).range([100, 0]);
  it('a line through finite steps up to `steps`, a band cut at 0 and at the upper bound', () => {
    const { line, band } = stepCurvePaths((i) => i * 10, y, 2, [0.5, NaN, 0.9, 0.1], [0.2, 0.2, 0.3, 0.1], 1);
    expect(line).toBe('M0,50ZM20,10Z');
    // Step 2's band would reach 1.2: cut at 1 (y = 0); step 0's lower edge 0.3 (y = 70).
    expect(band).toContain('20,0');
    expect(band).toContain('0,70');
    expect(stepCurvePaths((i) => i, y, 3, [0.5, 0.4]).band).toBeNull();
  });
});

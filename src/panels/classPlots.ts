/**
 * Pure helpers of the panels' plots: for the classification panels (PlanePanel, ClassMetricsPanel), decision
 * regions as pixels, the model's and the true decision boundaries as SVG paths, and the small rules that pick
 * which results and steps to show; for every loss chart (LossPanel too), the y range. No DOM and no store here,
 * so they are unit-tested in Node (tests/unit/class-plots.test.ts).
 */
import * as d3 from 'd3';
import type { PlaneTask } from '../meta/contracts/tasks/plane';
import { frame, frameScales, type Frame } from './plotGeometry';

/** Results tagged with the problem and classes they were computed for (ClassResults, ClassEvaluation). */
export interface Tagged {
  problem: 'plane' | 'glyphs';
  classes: number;
}

/** The results if they belong to what is on screen now, else null (an old answer for other classes is never drawn). */
export function matching<T extends Tagged>(r: T | null, problem: string, classes: number): T | null {
  return r !== null && r.problem === problem && r.classes === classes ? r : null;
}

/** The step to read from a per-step array: the one asked for, or the last one there is (results of fewer steps). */
export function stepIndex(length: number, step: number): number {
  return Math.max(0, Math.min(step, length - 1));
}

/** Thumbnail columns: steps 0..min(steps, maxColumns - 1), and the selected step when it lies beyond them. */
export function thumbSteps(steps: number, selected: number, maxColumns = 6): number[] {
  const last = Math.min(steps, maxColumns - 1);
  const out = d3.range(0, last + 1);
  if (selected > last && selected <= steps) out.push(selected);
  return out;
}

/** "83%", or a dash for a missing / non-finite value. */
export function formatPct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${Math.round(v * 100)}%`;
}

/** "50% → 100%". */
export function formatChange(before: number | null | undefined, after: number | null | undefined): string {
  return `${formatPct(before)} → ${formatPct(after)}`;
}

export function hexToRgb(hex: string): [number, number, number] {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? h.replace(/./g, (c) => c + c) : h;
  const n = parseInt(full, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** How strongly a region is tinted: from a faint wash where the model is at chance to this much where it is sure. */
export const REGION_ALPHA: [number, number] = [0.12, 0.72];
/** Where the model's output is not finite (diverged). */
const DIVERGED_RGB: [number, number, number] = [190, 190, 190];

/**
 * The decision regions as an opaque size x size RGBA image over [-1, 1]^2 (row 0 at y = 1, like planeGrid):
 * each pixel's class probabilities are interpolated bilinearly between the gridN x gridN grid points (so the
 * boundaries are smooth, not blocky), then coloured by the most probable class, mixed with white by how sure
 * the model is (its top probability, from chance 1/classes to 1).
 *
 * probs: [gridN * gridN x classes] row-major in planeGrid(gridN) order.
 */
export function regionPixels(probs: Float32Array, gridN: number, classes: number, size: number, colors: readonly string[]): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(size * size * 4);
  // Colours flat (r, g, b per class): this runs for every thumbnail pixel on every click.
  const rgb = Float64Array.from({ length: classes * 3 }, (_, i) => hexToRgb(colors[Math.floor(i / 3) % colors.length])[i % 3]);
  const chance = 1 / classes;
  const [a0, a1] = REGION_ALPHA;
  // Pixel centre j lies at grid coordinate (j + 0.5) / size * (gridN - 1): the same for rows and columns.
  const i0 = new Int32Array(size);
  const i1 = new Int32Array(size);
  const frac = new Float32Array(size);
  for (let j = 0; j < size; j++) {
    const u = ((j + 0.5) / size) * (gridN - 1);
    const lo = Math.min(gridN - 1, Math.max(0, Math.floor(u)));
    i0[j] = lo;
    i1[j] = Math.min(gridN - 1, lo + 1);
    frac[j] = Math.min(1, Math.max(0, u - lo));
  }
  // Only the top class's interpolated probability is kept (about 0.3 million pixels per click for three methods).
  for (let r = 0; r < size; r++) {
    const r0 = i0[r] * gridN;
    const r1 = i1[r] * gridN;
    const fy = frac[r];
    for (let c = 0; c < size; c++) {
      const fx = frac[c];
      const w00 = (1 - fy) * (1 - fx);
      const w01 = (1 - fy) * fx;
      const w10 = fy * (1 - fx);
      const w11 = fy * fx;
      const k00 = (r0 + i0[c]) * classes;
      const k01 = (r0 + i1[c]) * classes;
      const k10 = (r1 + i0[c]) * classes;
      const k11 = (r1 + i1[c]) * classes;
      let best = 0;
      let top = -Infinity;
      let finite = true;
      for (let k = 0; k < classes; k++) {
        const v = w00 * probs[k00 + k] + w01 * probs[k01 + k] + w10 * probs[k10 + k] + w11 * probs[k11 + k];
        if (!Number.isFinite(v)) finite = false;
        if (k === 0 || v > top) {
          top = v;
          best = k;
        }
      }
      const o = (r * size + c) * 4;
      if (!finite) {
        out[o] = DIVERGED_RGB[0];
        out[o + 1] = DIVERGED_RGB[1];
        out[o + 2] = DIVERGED_RGB[2];
      } else {
        const sure = Math.min(1, Math.max(0, (top - chance) / (1 - chance)));
        const a = a0 + (a1 - a0) * sure;
        const b3 = best * 3;
        out[o] = 255 + (rgb[b3] - 255) * a;
        out[o + 1] = 255 + (rgb[b3 + 1] - 255) * a;
        out[o + 2] = 255 + (rgb[b3 + 2] - 255) * a;
      }
      out[o + 3] = 255;
    }
  }
  return out;
}

type Scale = (v: number) => number;

/**
 * The model's decision boundary as one SVG path: for each class, the zero contour of its margin (its probability
 * minus the best other class's) over the grid, mapped to pixels by sx, sy. With two classes only class 1's
 * (class 0's is the same line). Contour coordinates put grid value i at i + 0.5, so a cell is 2 / (gridN - 1)
 * wide and the contours' outer edges fall half a cell outside the square (the caller clips them away).
 */
export function modelBoundaryPath(probs: Float32Array, gridN: number, classes: number, sx: Scale, sy: Scale): string {
  if (gridN < 2 || probs.length < gridN * gridN * classes) return '';
  const h = 1 / (gridN - 1);
  const toX = (X: number) => sx(-1 - h + X * 2 * h);
  const toY = (Y: number) => sy(1 + h - Y * 2 * h);
  const contours = d3.contours().size([gridN, gridN]).thresholds([0]);
  const margin = new Float64Array(gridN * gridN);
  let d = '';
  for (let c = classes === 2 ? 1 : 0; c < classes; c++) {
    for (let i = 0; i < gridN * gridN; i++) {
      const row = i * classes;
      const own = probs[row + c];
      let other = -Infinity;
      for (let k = 0; k < classes; k++) if (k !== c) other = Math.max(other, probs[row + k]);
      const m = own - other;
      margin[i] = Number.isFinite(m) ? m : -1;
    }
    for (const poly of contours(Array.from(margin))[0].coordinates)
      for (const ring of poly) {
        // Segments along the grid's outer edge are not part of the boundary: draw only the inner ones.
        let open = false;
        for (const [X, Y] of ring) {
          const edge = X <= 0 || Y <= 0 || X >= gridN || Y >= gridN;
          if (edge) {
            open = false;
            continue;
          }
          d += `${open ? 'L' : 'M'}${round(toX(X))},${round(toY(Y))}`;
          open = true;
        }
      }
  }
  return d;
}

/**
 * The true decision boundary of a plane task as an SVG path in pixels: the line, the circle, or the edges between
 * the cells of the nearest-centre task (their Voronoi diagram over the square, without its outer frame). Drawn
 * from the task's geometry, so it is exact; the line extends past the square (the caller clips it).
 */
export function truthBoundaryPath(task: PlaneTask, sx: Scale, sy: Scale): string {
  switch (task.kind) {
    case 'line': {
      const [nx, ny] = task.normal;
      const [px, py] = [nx * task.offset, ny * task.offset];
      const [dx, dy] = [-ny * 4, nx * 4];
      return `M${round(sx(px - dx))},${round(sy(py - dy))}L${round(sx(px + dx))},${round(sy(py + dy))}`;
    }
    case 'circle': {
      const [cx, cy] = task.center;
      const rx = Math.abs(sx(task.radius) - sx(0));
      const ry = Math.abs(sy(task.radius) - sy(0));
      const [x0, x1, y] = [round(sx(cx) - rx), round(sx(cx) + rx), round(sy(cy))];
      return `M${x1},${y}A${round(rx)},${round(ry)} 0 1 0 ${x0},${y}A${round(rx)},${round(ry)} 0 1 0 ${x1},${y}Z`;
    }
    case 'cells': {
      const voronoi = d3.Delaunay.from(task.centers).voronoi([-1, -1, 1, 1]);
      let d = '';
      voronoi.render({
        moveTo: (x, y) => void (d += `M${round(sx(x))},${round(sy(y))}`),
        lineTo: (x, y) => void (d += `L${round(sx(x))},${round(sy(y))}`),
      });
      return d;
    }
  }
}

const round = (v: number) => Math.round(v * 100) / 100;

/**
 * The y range of a loss chart (the sinusoid's MSE, the classifiers' cross-entropy): 0 to the largest finite value
 * (with its band), but no more than twice the largest value before adaptation, so a diverging method cannot
 * squash the others flat (its line is clipped); at least `floor`.
 */
export function lossYMax(series: { values: number[]; ci95?: number[] }[], steps: number, floor = 0): number {
  let max = floor;
  let start = 0;
  for (const s of series)
    for (let i = 0; i <= steps && i < s.values.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v)) continue;
      const hi = s.ci95 && Number.isFinite(s.ci95[i]) ? v + s.ci95[i] : v;
      max = Math.max(max, hi);
      if (i === 0) start = Math.max(start, hi);
    }
  const y = start > 0 ? Math.min(max, Math.max(start * 2, floor)) : max;
  return y > 0 && Number.isFinite(y) ? y : 1;
}

/** Where a method's parameters came from, as the page says it ("loading…" until the worker has told). */
export function describeSource(source: string | undefined): string {
  if (source === undefined) return 'loading…';
  if (source.startsWith('random initialisation') && !/\btrain it\b/.test(source)) return `${source} — train it in the Training panel`;
  return source;
}

/** The frame of the charts against steps (loss, accuracy): the same everywhere, so they line up side by side. */
export const STEP_CHART: Frame = frame(340, 250, { top: 12, right: 12, bottom: 42, left: 56 });

/** A step chart's scales: steps 0..steps (at least 1) along x, 0..yMax up y (rounded out to nice ticks when asked). */
export function stepChartScales(steps: number, yMax: number, nice: boolean): { x: d3.ScaleLinear<number, number>; y: d3.ScaleLinear<number, number> } {
  const s = frameScales(STEP_CHART, [0, Math.max(1, steps)], [0, yMax]);
  if (nice) s.y.nice(5);
  return s;
}

/**
 * A per-step curve and its 95% band as SVG paths (steps 0..steps along x). Values far above the chart are
 * clamped so a path stays sane (the chart's clip path hides them); the band is cut at 0 and at `upper`
 * (accuracy: 1). Shared by the loss charts and the classification metrics.
 */
export function stepCurvePaths(
  x: (step: number) => number,
  y: d3.ScaleLinear<number, number>,
  steps: number,
  values: number[],
  ci95?: number[],
  upper = Infinity,
): { line: string; band: string | null } {
  const top = y.domain()[1] * 10;
  const yOf = (v: number) => y(Math.min(v, top));
  const v = values.slice(0, steps + 1);
  const line = d3
    .line<number>()
    .defined((m, i) => i <= steps && Number.isFinite(m))
    .x((_, i) => x(i))
    .y(yOf);
  const band = d3
    .area<[number, number]>()
    .defined(([lo, hi], i) => i <= steps && Number.isFinite(lo) && Number.isFinite(hi))
    .x((_, i) => x(i))
    .y0(([lo]) => yOf(Math.max(0, lo)))
    .y1(([, hi]) => yOf(Math.min(upper, hi)));
  return {
    line: line(v) ?? '',
    band: ci95 ? (band(v.map((m, i): [number, number] => [m - (ci95[i] ?? NaN), m + (ci95[i] ?? NaN)])) ?? '') : null,
  };
}

/**
 * Pure geometry of the "Inside the update" plots (no React, no document): contours of a 2-D quadratic loss as
 * ellipses, the image of the unit circle under a 2 x 2 matrix (a preconditioner drawn as an ellipse), and arrows.
 */
import type { Quad } from '../meta/contracts/tasks/update';

export type V2 = readonly [number, number];

/** The loss's minimiser A^-1 b and its minimum (null where A is singular). */
export function quadMinimum(q: Quad): { at: [number, number]; value: number } | null {
  const det = q.a11 * q.a22 - q.a12 * q.a12;
  if (!(Math.abs(det) > 1e-12)) return null;
  const w1 = (q.a22 * q.b1 - q.a12 * q.b2) / det;
  const w2 = (q.a11 * q.b2 - q.a12 * q.b1) / det;
  return { at: [w1, w2], value: q.c - (q.b1 * w1 + q.b2 * w2) };
}

/** Eigen-decomposition of a symmetric 2 x 2 matrix [[a, b], [b, d]]: values (descending) and the first vector's angle. */
export function symEigen(a: number, b: number, d: number): { l1: number; l2: number; angle: number } {
  const m = (a + d) / 2;
  const r = Math.hypot((a - d) / 2, b);
  return { l1: m + r, l2: m - r, angle: 0.5 * Math.atan2(2 * b, a - d) };
}

/** Points of {w : L(w) = min + level}, an ellipse around the minimiser (n points, closed). */
export function contourPoints(q: Quad, level: number, n = 64): [number, number][] {
  const min = quadMinimum(q);
  if (!min || level <= 0) return [];
  const { l1, l2, angle } = symEigen(q.a11, q.a12, q.a22);
  if (!(l2 > 0)) return [];
  const r1 = Math.sqrt(level / l1);
  const r2 = Math.sqrt(level / l2);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return Array.from({ length: n + 1 }, (_, i) => {
    const t = (2 * Math.PI * i) / n;
    const u = r1 * Math.cos(t);
    const v = r2 * Math.sin(t);
    return [min.at[0] + c * u - s * v, min.at[1] + s * u + c * v] as [number, number];
  });
}

/** The image of the unit circle under the 2 x 2 matrix m (row-major), centred at `center`. */
export function matrixEllipse(m: readonly number[], center: V2 = [0, 0], n = 64): [number, number][] {
  return Array.from({ length: n + 1 }, (_, i) => {
    const t = (2 * Math.PI * i) / n;
    const x = Math.cos(t);
    const y = Math.sin(t);
    return [center[0] + m[0] * x + m[1] * y, center[1] + m[2] * x + m[3] * y] as [number, number];
  });
}

/** An arrow's shaft end and its two head points, in pixels, from (x0, y0) to (x1, y1); null when too short. */
export function arrowHead(x0: number, y0: number, x1: number, y1: number, size = 9): [number, number][] | null {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len = Math.hypot(dx, dy);
  if (len < 1e-6) return null;
  const ux = dx / len;
  const uy = dy / len;
  const s = Math.min(size, len * 0.6);
  return [
    [x1 - ux * s - uy * s * 0.5, y1 - uy * s + ux * s * 0.5],
    [x1, y1],
    [x1 - ux * s + uy * s * 0.5, y1 - uy * s - ux * s * 0.5],
  ];
}

/** The part of a path before it first leaves the box [-r, r]^2 (a diverging trajectory is drawn up to the edge). */
export function insideBox<T extends readonly number[]>(pts: readonly T[], r: number): T[] {
  const out: T[] = [];
  for (const p of pts) {
    if (!(Math.abs(p[0]) <= r && Math.abs(p[1]) <= r)) break;
    out.push(p);
  }
  return out;
}

/** The end of the segment from `from` along `d`, shortened (same direction) so that it stays in the box [-r, r]^2. */
export function clipToBox(from: V2, d: V2, r: number): [number, number] {
  let t = 1;
  for (const i of [0, 1]) {
    const end = from[i] + d[i];
    if (end > r && d[i] > 0) t = Math.min(t, (r - from[i]) / d[i]);
    if (end < -r && d[i] < 0) t = Math.min(t, (-r - from[i]) / d[i]);
  }
  t = Math.max(0, t);
  return [from[0] + t * d[0], from[1] + t * d[1]];
}

/**
 * The part of the line {x : w . x = 0} inside the box [x0, x1] x [y0, y1], as two end points; null where it
 * misses the box or w is zero.
 */
export function boundaryInBox(w: V2, xr: readonly [number, number], yr: readonly [number, number]): [[number, number], [number, number]] | null {
  const d: V2 = [-w[1], w[0]];
  if (!(Math.hypot(d[0], d[1]) > 1e-12)) return null;
  let lo = -Infinity;
  let hi = Infinity;
  for (const [i, r] of [[0, xr], [1, yr]] as const) {
    if (Math.abs(d[i]) < 1e-15) {
      if (0 < r[0] || 0 > r[1]) return null;
      continue;
    }
    const a = r[0] / d[i];
    const b = r[1] / d[i];
    lo = Math.max(lo, Math.min(a, b));
    hi = Math.min(hi, Math.max(a, b));
  }
  if (!(hi > lo)) return null;
  return [
    [lo * d[0], lo * d[1]],
    [hi * d[0], hi * d[1]],
  ];
}

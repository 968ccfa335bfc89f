import type { Rng } from '../random';

/**
 * The paper's sinusoid family, as in the reference code: y = A sin(x - phase),
 * A ~ U[0.1, 5.0], phase ~ U[0, pi], x ~ U[-5, 5].
 */
export const SINUSOID_RANGES = {
  amplitude: [0.1, 5.0] as const,
  phase: [0, Math.PI] as const,
  x: [-5, 5] as const,
};

export interface SinusoidTask {
  amplitude: number;
  phase: number;
}

export interface Point {
  x: number;
  y: number;
}

export function sinusoid(task: SinusoidTask, x: number): number {
  return task.amplitude * Math.sin(x - task.phase);
}

export function sampleTask(rng: Rng): SinusoidTask {
  return {
    amplitude: rng.uniform(...SINUSOID_RANGES.amplitude),
    phase: rng.uniform(...SINUSOID_RANGES.phase),
  };
}

export function sampleX(rng: Rng, range: readonly [number, number] = SINUSOID_RANGES.x): number {
  return rng.uniform(range[0], range[1]);
}

/** K points of a task, x uniform over `range` (default the whole domain). */
export function samplePoints(task: SinusoidTask, k: number, rng: Rng, range?: readonly [number, number]): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < k; i++) {
    const x = sampleX(rng, range);
    pts.push({ x, y: sinusoid(task, x) });
  }
  return pts;
}

/** An evenly spaced grid over the x domain: where curves are drawn and where task MSE is measured. */
export function xGrid(n: number, range: readonly [number, number] = SINUSOID_RANGES.x): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(range[0] + ((range[1] - range[0]) * i) / (n - 1));
  return out;
}

/**
 * The paper's striking case: when every point lies on one side of x = 0, the half with no points. There, a
 * model can only be right by having learned the family's shape. Null when points are on both sides (or none).
 */
export function emptyHalf(points: Point[]): readonly [number, number] | null {
  if (points.length === 0) return null;
  const [lo, hi] = SINUSOID_RANGES.x;
  if (points.every((p) => p.x < 0)) return [0, hi];
  if (points.every((p) => p.x > 0)) return [lo, 0];
  return null;
}

/** MSE against the true function of predictions on a grid, over the grid points inside [from, to]. */
export function mseOnRange(task: SinusoidTask, grid: number[], predictions: number[], [from, to]: readonly [number, number]): number {
  let sum = 0;
  let n = 0;
  grid.forEach((x, i) => {
    if (x < from || x > to) return;
    sum += (predictions[i] - sinusoid(task, x)) ** 2;
    n += 1;
  });
  return n > 0 ? sum / n : NaN;
}

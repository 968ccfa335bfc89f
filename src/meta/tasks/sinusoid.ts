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

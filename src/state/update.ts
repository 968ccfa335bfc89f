/**
 * The "Inside the update" tab's settings (issue 16): the shallow model's theta, the tasks whose losses are drawn
 * (by their optima), iMAML's lambda and the task family (mean, principal scales, rotation, the second input's
 * scale). The inner alpha and the number of inner steps k are the page's shared test-time alpha and steps.
 */
import { Rng } from '../meta/contracts/random';
import { sampleOptimum, UPDATE_FAMILY, type UpdateFamily } from '../meta/contracts/tasks/update';

export type Vec2 = [number, number];

/** The plane the view draws and the link accepts: both weights in [-UPDATE_RANGE, UPDATE_RANGE]. */
export const UPDATE_RANGE = 6;
/** Tasks drawn at once (their contours, trajectories and the rules' averages). */
export const MAX_UPDATE_TASKS = 6;
export const UPDATE_TASKS_DRAWN = 3;

export interface UpdateSettings {
  theta: Vec2;
  optima: Vec2[];
  lambda: number;
  mean: Vec2;
  /** The family's standard deviations along its principal axes. */
  scale1: number;
  scale2: number;
  /** The principal axes' rotation, in degrees. */
  rotation: number;
  /** The second input's standard deviation (the first's is 1): the population loss's curvature along w2 is its square. */
  inputScale: number;
  /** Seed of the last tasks drawn from the family. */
  seed: number;
}

/** The family the settings describe. */
export function familyOf(u: UpdateSettings): UpdateFamily {
  return { mean: u.mean, scales: [u.scale1, u.scale2], rotation: (u.rotation * Math.PI) / 180, inputScales: [1, u.inputScale] };
}

const clampToPlane = (v: number) => Math.max(-UPDATE_RANGE, Math.min(UPDATE_RANGE, v));

/** n task optima drawn from the family (kept inside the plane), the same for the same seed. */
export function optimaFromSeed(u: UpdateSettings, seed: number, n = UPDATE_TASKS_DRAWN): Vec2[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => sampleOptimum(rng, familyOf(u)).map((v) => Number(clampToPlane(v).toFixed(3))) as Vec2);
}

export function defaultUpdate(): UpdateSettings {
  const base: UpdateSettings = {
    theta: [-2, -3],
    optima: [],
    lambda: 1,
    mean: [...UPDATE_FAMILY.mean],
    scale1: UPDATE_FAMILY.scales[0],
    scale2: UPDATE_FAMILY.scales[1],
    rotation: (UPDATE_FAMILY.rotation * 180) / Math.PI,
    inputScale: UPDATE_FAMILY.inputScales[1],
    seed: 3,
  };
  return { ...base, optima: optimaFromSeed(base, base.seed) };
}

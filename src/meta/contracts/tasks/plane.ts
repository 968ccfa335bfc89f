/**
 * Few-shot classification in the plane (issue 4): each task is a random decision problem on [-1, 1]^2. Two
 * classes: a random line or a random circle; more: the cells of random centres (nearest centre wins). An
 * N-way K-shot episode has K points of every class in its support set and Q of every class in its query set,
 * drawn uniformly within each class (by rejection). tfjs-free: the page, the worker and Node share it.
 */
import type { Rng } from '../random';
import type { Episodes, LabelledSet } from './episodes';

export type PlaneTask =
  | { kind: 'line'; /** unit normal */ normal: [number, number]; offset: number }
  | { kind: 'circle'; center: [number, number]; radius: number }
  | { kind: 'cells'; centers: [number, number][] };

export const PLANE_RANGE: [number, number] = [-1, 1];
export const MAX_CLASSES = 5;

/** A random task with this many classes (2 to MAX_CLASSES). Every class covers a fair share of the square. */
export function samplePlaneTask(rng: Rng, classes: number): PlaneTask {
  if (!Number.isInteger(classes) || classes < 2 || classes > MAX_CLASSES) throw new Error(`A plane task has 2 to ${MAX_CLASSES} classes, not ${classes}.`);
  for (;;) {
    const task = drawTask(rng, classes);
    // Reject tasks where a class is a sliver (under 10% of the square for 2 classes, 5% for more): an
    // episode must be able to draw its K points of every class, and a user must be able to see them.
    if (classShares(task, classes, rng).every((s) => s >= (classes === 2 ? 0.1 : 0.05))) return task;
  }
}

function drawTask(rng: Rng, classes: number): PlaneTask {
  if (classes > 2) return { kind: 'cells', centers: Array.from({ length: classes }, () => [rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8)]) };
  if (rng.uniform(0, 1) < 0.5) {
    const angle = rng.uniform(0, 2 * Math.PI);
    return { kind: 'line', normal: [Math.cos(angle), Math.sin(angle)], offset: rng.uniform(-0.5, 0.5) };
  }
  return { kind: 'circle', center: [rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)], radius: rng.uniform(0.3, 0.8) };
}

/** The class of the point (x, y) under the task. */
export function planeLabel(task: PlaneTask, x: number, y: number): number {
  switch (task.kind) {
    case 'line':
      return task.normal[0] * x + task.normal[1] * y > task.offset ? 1 : 0;
    case 'circle':
      return (x - task.center[0]) ** 2 + (y - task.center[1]) ** 2 < task.radius ** 2 ? 1 : 0;
    case 'cells': {
      let best = 0;
      let bestD = Infinity;
      task.centers.forEach(([cx, cy], c) => {
        const d = (x - cx) ** 2 + (y - cy) ** 2;
        if (d < bestD) [best, bestD] = [c, d];
      });
      return best;
    }
  }
}

/** Each class's share of the square, estimated on 400 random points (from a forked stream). */
function classShares(task: PlaneTask, classes: number, rng: Rng): number[] {
  const r = rng.fork();
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < 400; i++) counts[planeLabel(task, r.uniform(...PLANE_RANGE), r.uniform(...PLANE_RANGE))]++;
  return counts.map((c) => c / 400);
}

/** Points of one episode: coordinates [n, 2] row-major and labels [n], k of every class, classes interleaved. */
export type PlanePoints = LabelledSet;

/** k points of every class, uniform within each class, in the order class 0, 1, ..., 0, 1, ... */
export function samplePlanePoints(task: PlaneTask, classes: number, k: number, rng: Rng): PlanePoints {
  const byClass: [number, number][][] = Array.from({ length: classes }, () => []);
  let tries = 0;
  while (byClass.some((pts) => pts.length < k)) {
    if (++tries > 100_000) throw new Error('samplePlanePoints: a class is too small to draw from');
    const x = rng.uniform(...PLANE_RANGE);
    const y = rng.uniform(...PLANE_RANGE);
    const c = planeLabel(task, x, y);
    if (byClass[c].length < k) byClass[c].push([x, y]);
  }
  const out: PlanePoints = { x: new Float32Array(classes * k * 2), labels: new Int32Array(classes * k) };
  for (let i = 0; i < k; i++)
    for (let c = 0; c < classes; c++) {
      const r = i * classes + c;
      out.x.set(byClass[c][i], r * 2);
      out.labels[r] = c;
    }
  return out;
}

/** T episodes: each task, then its support points (k per class), then its query points (q per class). */
export interface PlaneEpisodes extends Episodes {
  tasks: PlaneTask[];
}

export function drawPlaneEpisodes(rng: Rng, tasks: number, classes: number, kSupport: number, kQuery: number): PlaneEpisodes {
  const out: PlaneEpisodes = { tasks: [], classes, support: [], query: [] };
  for (let t = 0; t < tasks; t++) {
    const task = samplePlaneTask(rng, classes);
    out.tasks.push(task);
    out.support.push(samplePlanePoints(task, classes, kSupport, rng));
    out.query.push(samplePlanePoints(task, classes, kQuery, rng));
  }
  return out;
}

/**
 * An n x n grid over the square, row by row from the top (y = 1) down, each row left to right: what the page
 * classifies to draw decision regions. [n * n, 2] row-major.
 */
export function planeGrid(n: number): Float32Array {
  const [lo, hi] = PLANE_RANGE;
  const out = new Float32Array(n * n * 2);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      out[(r * n + c) * 2] = lo + ((hi - lo) * c) / (n - 1);
      out[(r * n + c) * 2 + 1] = hi - ((hi - lo) * r) / (n - 1);
    }
  return out;
}

/**
 * The draw order of every task set, on plain arrays (no tfjs), so the tfjs batches (meta-batch.ts) and the
 * typed-array path (src/meta/fast) take the same tasks and points from the same seed. Values are float32, as
 * the tensors store them.
 */
import type { Rng } from '../random';
import { sampleTask, sampleX, sinusoid, type SinusoidTask } from './sinusoid';

/** T tasks' support and query sets, row-major [T, K] (one input per point). */
export interface TaskSet {
  tasks: SinusoidTask[];
  kSupport: number;
  kQuery: number;
  sx: Float32Array;
  sy: Float32Array;
  qx: Float32Array;
  qy: Float32Array;
}

function emptySet(tasks: SinusoidTask[], kSupport: number, kQuery: number): TaskSet {
  const T = tasks.length;
  const [sx, sy, qx, qy] = [kSupport, kSupport, kQuery, kQuery].map((k) => new Float32Array(T * k));
  return { tasks, kSupport, kQuery, sx, sy, qx, qy };
}

function drawPoints(rng: Rng, task: SinusoidTask, xs: Float32Array, ys: Float32Array, from: number, k: number): void {
  for (let i = from; i < from + k; i++) {
    const x = sampleX(rng);
    xs[i] = x;
    ys[i] = sinusoid(task, x);
  }
}

/** Training draws: the T tasks, then every task's K support x, then every task's Q query x. */
export function drawMetaBatch(rng: Rng, tasks: number, kSupport: number, kQuery: number): TaskSet {
  const ts: SinusoidTask[] = [];
  for (let t = 0; t < tasks; t++) ts.push(sampleTask(rng));
  const set = emptySet(ts, kSupport, kQuery);
  ts.forEach((task, t) => drawPoints(rng, task, set.sx, set.sy, t * kSupport, kSupport));
  ts.forEach((task, t) => drawPoints(rng, task, set.qx, set.qy, t * kQuery, kQuery));
  return set;
}

/**
 * Test draws: each task's draws (the task, its K support x, its Q query x) contiguous in the stream, so a test
 * set split into chunks of any size is the same test set. Evaluation in the worker (small chunks, to stay
 * responsive) and in Node (large chunks) therefore sees the same tasks.
 */
export function drawTestTasks(rng: Rng, tasks: number, kSupport: number, kQuery: number): TaskSet {
  const ts: SinusoidTask[] = [];
  const sx: number[] = [];
  const qx: number[] = [];
  for (let t = 0; t < tasks; t++) {
    ts.push(sampleTask(rng));
    for (let i = 0; i < kSupport; i++) sx.push(sampleX(rng));
    for (let i = 0; i < kQuery; i++) qx.push(sampleX(rng));
  }
  const set = emptySet(ts, kSupport, kQuery);
  const fill = (src: number[], xs: Float32Array, ys: Float32Array, k: number) =>
    src.forEach((x, j) => {
      xs[j] = x;
      // y of the stored (float32) x here, of the drawn x in training: as the shipped evaluations were made.
      ys[j] = sinusoid(ts[Math.floor(j / k)], xs[j]);
    });
  fill(sx, set.sx, set.sy, kSupport);
  fill(qx, set.qx, set.qy, kQuery);
  return set;
}

/**
 * Random inputs and targets (float32, uniform in [-3, 3]) for a net of any input and output width: shapes the
 * sinusoid cannot fill, for checking the GPU kernels against the CPU path.
 */
export function randomTaskSet(rng: Rng, tasks: number, kSupport: number, kQuery: number, nIn: number, nOut: number): TaskSet {
  const fill = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-3, 3));
  return {
    tasks: Array.from({ length: tasks }, () => ({ amplitude: 1, phase: 0 })),
    kSupport,
    kQuery,
    sx: fill(tasks * kSupport * nIn),
    sy: fill(tasks * kSupport * nOut),
    qx: fill(tasks * kQuery * nIn),
    qy: fill(tasks * kQuery * nOut),
  };
}

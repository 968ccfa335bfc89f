import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random';
import { sampleTask, sampleX, sinusoid, type SinusoidTask } from './sinusoid';

/** Support and query sets of T tasks, stacked: x and y are [T, K, 1]. */
export interface MetaBatch {
  /** The tasks themselves, where known: only the oracle reads them (its input includes amplitude and phase). */
  tasks?: SinusoidTask[];
  supportX: tf.Tensor3D;
  supportY: tf.Tensor3D;
  queryX: tf.Tensor3D;
  queryY: tf.Tensor3D;
}

export interface SampledBatch {
  tasks: SinusoidTask[];
  batch: MetaBatch;
}

function fill(tasks: SinusoidTask[], k: number, rng: Rng): [tf.Tensor3D, tf.Tensor3D] {
  const xs = new Float32Array(tasks.length * k);
  const ys = new Float32Array(tasks.length * k);
  tasks.forEach((task, t) => {
    for (let i = 0; i < k; i++) {
      const x = sampleX(rng);
      xs[t * k + i] = x;
      ys[t * k + i] = sinusoid(task, x);
    }
  });
  return [tf.tensor3d(xs, [tasks.length, k, 1]), tf.tensor3d(ys, [tasks.length, k, 1])];
}

/** A meta-batch: T random tasks, each with K support and Q query points drawn independently. */
export function sampleMetaBatch(rng: Rng, tasks: number, kSupport: number, kQuery: number): SampledBatch {
  const ts: SinusoidTask[] = [];
  for (let t = 0; t < tasks; t++) ts.push(sampleTask(rng));
  const [supportX, supportY] = fill(ts, kSupport, rng);
  const [queryX, queryY] = fill(ts, kQuery, rng);
  return { tasks: ts, batch: { tasks: ts, supportX, supportY, queryX, queryY } };
}

/**
 * Test tasks: like sampleMetaBatch, but each task's draws (the task, its K support x, its Q query x) are
 * contiguous in the stream, so a test set split into chunks of any size is the same test set. Evaluation in
 * the worker (small chunks, to stay responsive) and in Node (large chunks) therefore sees the same tasks.
 */
export function sampleTestBatch(rng: Rng, tasks: number, kSupport: number, kQuery: number): SampledBatch {
  const ts: SinusoidTask[] = [];
  const sx = new Float32Array(tasks * kSupport);
  const qx = new Float32Array(tasks * kQuery);
  for (let t = 0; t < tasks; t++) {
    ts.push(sampleTask(rng));
    for (let i = 0; i < kSupport; i++) sx[t * kSupport + i] = sampleX(rng);
    for (let i = 0; i < kQuery; i++) qx[t * kQuery + i] = sampleX(rng);
  }
  const ys = (xs: Float32Array, k: number) => xs.map((x, j) => sinusoid(ts[Math.floor(j / k)], x));
  const t3 = (v: Float32Array, k: number) => tf.tensor3d(v, [tasks, k, 1]);
  return {
    tasks: ts,
    batch: { tasks: ts, supportX: t3(sx, kSupport), supportY: t3(ys(sx, kSupport), kSupport), queryX: t3(qx, kQuery), queryY: t3(ys(qx, kQuery), kQuery) },
  };
}

export function disposeBatch(batch: MetaBatch): void {
  batch.supportX.dispose();
  batch.supportY.dispose();
  batch.queryX.dispose();
  batch.queryY.dispose();
}

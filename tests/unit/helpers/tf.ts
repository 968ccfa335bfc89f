/** Bridges between TF.js tensors (src/meta) and the float64 reference. cpu/wasm only (uses sync reads). */
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../../../src/meta/engine/params';
import type { MetaBatch } from '../../../src/meta/engine/meta-batch';
import { flatten, type Layout, type RefTask, type TaskData } from './reference';

/** The exact float32 values of shared params (or of task t's slice of per-task params), as a float64 vector. */
export function flatParams(lay: Layout, params: Params, task?: number): Float64Array {
  const arrays: Record<string, { values: ArrayLike<number> }> = {};
  for (const e of lay.entries) {
    const t = params[e.name];
    if (task === undefined) {
      arrays[e.name] = { values: t.dataSync() };
    } else {
      const all = t.dataSync();
      arrays[e.name] = { values: all.subarray(task * e.size, (task + 1) * e.size) };
    }
  }
  return flatten(lay, arrays);
}

function rows(t: tf.Tensor3D): TaskData['x'][] {
  return t.arraySync();
}

/** The batch's float32 values as reference tasks. */
export function batchToRef(batch: MetaBatch): RefTask[] {
  const sx = rows(batch.supportX);
  const sy = rows(batch.supportY);
  const qx = rows(batch.queryX);
  const qy = rows(batch.queryY);
  return sx.map((_, t) => ({ support: { x: sx[t], y: sy[t] }, query: { x: qx[t], y: qy[t] } }));
}

/** Builds a MetaBatch from reference tasks (all tasks must share K and Q). */
export function refToBatch(tasks: RefTask[]): MetaBatch {
  return {
    supportX: tf.tensor3d(tasks.map((t) => t.support.x)),
    supportY: tf.tensor3d(tasks.map((t) => t.support.y)),
    queryX: tf.tensor3d(tasks.map((t) => t.query.x)),
    queryY: tf.tensor3d(tasks.map((t) => t.query.y)),
  };
}

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../contracts/random';
import type { Episodes, LabelledSet } from '../contracts/tasks/episodes';
import { drawMetaBatch, drawTestTasks, type TaskSet } from '../contracts/tasks/sampling';
import type { SinusoidTask } from '../contracts/tasks/sinusoid';
import type { LossKind } from '../contracts/types';

/** Support and query sets of T tasks, stacked: x and y are [T, K, 1]. */
export interface MetaBatch {
  /** The tasks themselves, where known: only the oracle reads them (its input includes amplitude and phase). */
  tasks?: SinusoidTask[];
  /** What the tasks are scored by (default: squared error, the sinusoid's). */
  loss?: LossKind;
  supportX: tf.Tensor3D;
  supportY: tf.Tensor3D;
  queryX: tf.Tensor3D;
  queryY: tf.Tensor3D;
}

export interface SampledBatch {
  tasks: SinusoidTask[];
  batch: MetaBatch;
}

/** A task set as tensors: x and y [T, K, 1]. */
function toBatch(set: TaskSet): SampledBatch {
  const T = set.tasks.length;
  const t3 = (v: Float32Array, k: number) => tf.tensor3d(v, [T, k, 1]);
  return {
    tasks: set.tasks,
    batch: {
      tasks: set.tasks,
      supportX: t3(set.sx, set.kSupport),
      supportY: t3(set.sy, set.kSupport),
      queryX: t3(set.qx, set.kQuery),
      queryY: t3(set.qy, set.kQuery),
    },
  };
}

/** A meta-batch: T random tasks, each with K support and Q query points drawn independently. */
export function sampleMetaBatch(rng: Rng, tasks: number, kSupport: number, kQuery: number): SampledBatch {
  return toBatch(drawMetaBatch(rng, tasks, kSupport, kQuery));
}

/** Test tasks, drawn task by task (drawTestTasks): the same test set whatever the chunk size. */
export function sampleTestBatch(rng: Rng, tasks: number, kSupport: number, kQuery: number): SampledBatch {
  return toBatch(drawTestTasks(rng, tasks, kSupport, kQuery));
}

export function disposeBatch(batch: MetaBatch): void {
  batch.supportX.dispose();
  batch.supportY.dispose();
  batch.queryX.dispose();
  batch.queryY.dispose();
}

/** Classification episodes as a batch: x [T, N, dim], one-hot labels [T, N, classes], cross-entropy. */
export function classificationBatch(e: Episodes): MetaBatch {
  const T = e.support.length;
  const C = e.classes;
  const x = (ps: LabelledSet[]) => {
    const n = ps[0].labels.length;
    const dim = ps[0].x.length / n;
    const all = new Float32Array(T * n * dim);
    ps.forEach((p, t) => all.set(p.x, t * n * dim));
    return tf.tensor3d(all, [T, n, dim]);
  };
  const y = (ps: LabelledSet[]) => tf.oneHot(tf.tensor2d(Int32Array.from(ps.flatMap((p) => Array.from(p.labels))), [T, ps[0].labels.length], 'int32'), C).toFloat() as tf.Tensor3D;
  return { supportX: x(e.support), supportY: tf.tidy(() => y(e.support)), queryX: x(e.query), queryY: tf.tidy(() => y(e.query)), loss: 'crossEntropy' };
}

import * as tf from '@tensorflow/tfjs';
import { meanTaskLoss, zipParams } from '../inner';
import { oracleInputs } from '../model';
import type { Params } from '../params';
import type { MetaBatch } from '../meta-batch';
import { ALGORITHM_INFO } from '../../contracts/algorithms';
import type { Algorithm, MetaGradient } from './types';

/** Plain training on every point of every task (support and query alike), no inner loop. */
export function jointGradient(params: Params, batch: MetaBatch, withTask: boolean): MetaGradient {
  const names = Object.keys(params);
  let x = tf.concat([batch.supportX, batch.queryX], 1) as tf.Tensor3D;
  const y = tf.concat([batch.supportY, batch.queryY], 1) as tf.Tensor3D;
  if (withTask) {
    if (!batch.tasks) throw new Error('The oracle needs the tasks of the batch (amplitude and phase).');
    x = oracleInputs(x, batch.tasks);
  }
  const { value, grads } = tf.valueAndGrads((...theta: tf.Tensor[]) => meanTaskLoss(zipParams(names, theta), x, y, batch.loss))(
    names.map((n) => params[n]),
  );
  return { loss: value, grads: zipParams(names, grads) };
}

/**
 * The paper's "pretrained on all tasks" baseline: one network trained jointly on all tasks' data. It is
 * fine-tuned on the K points at test time like the others.
 */
export const pretrained: Algorithm = {
  ...ALGORITHM_INFO.pretrained,
  id: 'pretrained',
  metaGradient: (params, batch) => jointGradient(params, batch, false),
};

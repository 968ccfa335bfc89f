import * as tf from '@tensorflow/tfjs';
import { meanTaskLoss, zipParams } from '../inner';
import { ALGORITHM_INFO } from './catalog';
import type { Algorithm } from './types';

/**
 * The paper's "pretrained on all tasks" baseline: one network trained jointly on every point of every task
 * (support and query alike), no inner loop. It is fine-tuned on the K points at test time like the others.
 */
export const pretrained: Algorithm = {
  ...ALGORITHM_INFO.pretrained,
  id: 'pretrained',
  metaGradient(params, batch) {
    const names = Object.keys(params);
    const x = tf.concat([batch.supportX, batch.queryX], 1) as tf.Tensor3D;
    const y = tf.concat([batch.supportY, batch.queryY], 1) as tf.Tensor3D;
    const { value, grads } = tf.valueAndGrads((...theta: tf.Tensor[]) => meanTaskLoss(zipParams(names, theta), x, y))(
      names.map((n) => params[n]),
    );
    return { loss: value, grads: zipParams(names, grads) };
  },
};

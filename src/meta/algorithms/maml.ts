import * as tf from '@tensorflow/tfjs';
import { adapt, meanTaskLoss, zipParams } from '../inner';
import { ALGORITHM_INFO } from './catalog';
import type { Algorithm } from './types';

/**
 * MAML, exact: the query loss after k inner SGD steps, differentiated through the inner steps
 * (Hessian-vector products included, as tf.grads inside the outer tape records them).
 */
export const maml: Algorithm = {
  ...ALGORITHM_INFO.maml,
  id: 'maml',
  metaGradient(params, batch, inner) {
    const names = Object.keys(params);
    const { value, grads } = tf.valueAndGrads((...theta: tf.Tensor[]) => {
      const adapted = adapt(zipParams(names, theta), batch.supportX, batch.supportY, inner);
      return meanTaskLoss(adapted, batch.queryX, batch.queryY);
    })(names.map((n) => params[n]));
    return { loss: value, grads: zipParams(names, grads) };
  },
};

import * as tf from '@tensorflow/tfjs';
import { adapt, meanTaskLoss, zipParams } from '../inner';
import type { Algorithm } from './types';

/**
 * MAML, exact: the query loss after k inner SGD steps, differentiated through the inner steps
 * (Hessian-vector products included, as tf.grads inside the outer tape records them).
 */
export const maml: Algorithm = {
  id: 'maml',
  label: 'MAML',
  gradientOrder: 'second',
  description: 'Model-agnostic meta-learning with the exact second-order meta-gradient through the inner steps.',
  metaGradient(params, batch, inner) {
    const names = Object.keys(params);
    const { value, grads } = tf.valueAndGrads((...theta: tf.Tensor[]) => {
      const adapted = adapt(zipParams(names, theta), batch.supportX, batch.supportY, inner);
      return meanTaskLoss(adapted, batch.queryX, batch.queryY);
    })(names.map((n) => params[n]));
    return { loss: value, grads: zipParams(names, grads) };
  },
};

import * as tf from '@tensorflow/tfjs';
import { adapt, meanTaskLoss, trainingInner, zipParams } from '../inner';
import { ALGORITHM_INFO } from '../../contracts/algorithms';
import type { Algorithm } from './types';

/**
 * First-order MAML: d(adapted)/d(theta) is taken as the identity, so the meta-gradient is the query gradient
 * at the adapted parameters, summed over tasks. TF.js has no stopGradient: the inner loop simply runs outside
 * the tape that takes the query gradient.
 */
export const fomaml: Algorithm = {
  ...ALGORITHM_INFO.fomaml,
  id: 'fomaml',
  metaGradient(params, batch, cfg) {
    const names = Object.keys(params);
    const adapted = adapt(params, batch.supportX, batch.supportY, trainingInner('fomaml', cfg, batch.loss));
    const { value, grads } = tf.valueAndGrads((...phi: tf.Tensor[]) =>
      meanTaskLoss(zipParams(names, phi), batch.queryX, batch.queryY, batch.loss),
    )(names.map((n) => adapted[n]));
    return { loss: value, grads: zipParams(names, grads.map((g) => tf.sum(g, 0))) };
  },
};

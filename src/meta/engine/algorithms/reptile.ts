import * as tf from '@tensorflow/tfjs';
import { adapt, meanTaskLoss, trainingInner } from '../inner';
import { ALGORITHM_INFO } from '../../contracts/algorithms';
import type { Algorithm } from './types';

/**
 * Reptile (Nichol et al. 2018): k SGD steps on each task's support set, then theta moves toward the mean
 * adapted weights. Its "gradient" is theta - mean(phi); the trainer applies it as theta <- theta - eps * g
 * with eps annealed linearly to 0 (catalog: outer 'reptile'). No derivative of the inner loop is taken.
 * The loss reported is the query loss after adaptation, for monitoring only.
 */
export const reptile: Algorithm = {
  ...ALGORITHM_INFO.reptile,
  id: 'reptile',
  metaGradient(params, batch, cfg) {
    const adapted = adapt(params, batch.supportX, batch.supportY, trainingInner('reptile', cfg, batch.loss));
    const grads: typeof params = {};
    for (const [n, theta] of Object.entries(params)) grads[n] = tf.sub(theta, tf.mean(adapted[n], 0));
    return { loss: meanTaskLoss(adapted, batch.queryX, batch.queryY, batch.loss), grads };
  },
};

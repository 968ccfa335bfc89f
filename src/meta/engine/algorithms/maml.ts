import * as tf from '@tensorflow/tfjs';
import { adapt, meanTaskLoss, trainingInner, zipParams, type InnerConfig } from '../inner';
import type { Params } from '../params';
import type { MetaBatch } from '../meta-batch';
import { ALGORITHM_INFO } from '../../contracts/algorithms';
import type { Algorithm, MetaGradient } from './types';

/**
 * The exact meta-gradient: the query loss after k inner steps, differentiated through the inner steps
 * (Hessian-vector products included, as tf.grads inside the outer tape records them) w.r.t. every
 * meta-parameter, learned rates included. MAML, ANIL and Meta-SGD differ only in their inner rule.
 */
export function exactMetaGradient(params: Params, batch: MetaBatch, inner: InnerConfig): MetaGradient {
  const names = Object.keys(params);
  const { value, grads } = tf.valueAndGrads((...theta: tf.Tensor[]) => {
    const adapted = adapt(zipParams(names, theta), batch.supportX, batch.supportY, inner);
    return meanTaskLoss(adapted, batch.queryX, batch.queryY, batch.loss);
  })(names.map((n) => params[n]));
  return { loss: value, grads: zipParams(names, grads) };
}

/** MAML, exact through all k inner steps. */
export const maml: Algorithm = {
  ...ALGORITHM_INFO.maml,
  id: 'maml',
  metaGradient: (params, batch, cfg) => exactMetaGradient(params, batch, trainingInner('maml', cfg, batch.loss)),
};

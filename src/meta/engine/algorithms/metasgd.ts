import { trainingInner } from '../inner';
import { ALGORITHM_INFO } from '../../contracts/algorithms';
import { exactMetaGradient } from './maml';
import type { Algorithm } from './types';

/**
 * Meta-SGD (Li et al. 2017): the meta-parameters include one inner learning rate per network parameter
 * (lr_w0, ...), which the inner step uses elementwise; the exact meta-gradient reaches them through the step.
 */
export const metasgd: Algorithm = {
  ...ALGORITHM_INFO.metasgd,
  id: 'metasgd',
  metaGradient: (params, batch, cfg) => exactMetaGradient(params, batch, trainingInner('metasgd', cfg, batch.loss)),
};

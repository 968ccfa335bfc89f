import { trainingInner } from '../inner';
import { ALGORITHM_INFO } from '../../contracts/algorithms';
import { exactMetaGradient } from './maml';
import type { Algorithm } from './types';

/**
 * ANIL (Raghu et al. 2020): the inner loop updates only the last layer; the exact meta-gradient flows through
 * those head updates into the body, which is learned as a feature extractor shared by all tasks.
 */
export const anil: Algorithm = {
  ...ALGORITHM_INFO.anil,
  id: 'anil',
  metaGradient: (params, batch, cfg) => exactMetaGradient(params, batch, trainingInner('anil', cfg, batch.loss)),
};

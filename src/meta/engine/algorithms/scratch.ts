import { ALGORITHM_INFO } from '../../contracts/algorithms';
import type { Algorithm } from './types';

/** A random initialisation (its seed is its only setting): nothing is meta-trained, it is fine-tuned at test time. */
export const scratch: Algorithm = {
  ...ALGORITHM_INFO.scratch,
  id: 'scratch',
  metaGradient: null,
};

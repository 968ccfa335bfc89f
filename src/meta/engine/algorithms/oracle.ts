import { ALGORITHM_INFO } from '../../contracts/algorithms';
import { jointGradient } from './pretrained';
import type { Algorithm } from './types';

/**
 * The paper's oracle: the network is told each task's amplitude and phase (as x, A, sin phase, cos phase) and
 * trained jointly on all tasks. It needs no adaptation; on a task without a true function it has no input.
 */
export const oracle: Algorithm = {
  ...ALGORITHM_INFO.oracle,
  id: 'oracle',
  metaGradient: (params, batch) => jointGradient(params, batch, true),
};

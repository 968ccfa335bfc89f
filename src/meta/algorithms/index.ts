import { fomaml } from './fomaml';
import { maml } from './maml';
import { pretrained } from './pretrained';
import type { Algorithm } from './types';

export type { Algorithm, GradientOrder } from './types';

/** Every algorithm the playground knows, in display order. Adding one: a file beside this and a line here. */
export const ALGORITHMS = { maml, fomaml, pretrained } satisfies Record<string, Algorithm>;

export type AlgorithmId = keyof typeof ALGORITHMS;

export const ALGORITHM_IDS = Object.keys(ALGORITHMS) as AlgorithmId[];

export function isAlgorithmId(id: unknown): id is AlgorithmId {
  return typeof id === 'string' && Object.prototype.hasOwnProperty.call(ALGORITHMS, id);
}

export function getAlgorithm(id: AlgorithmId): Algorithm {
  return ALGORITHMS[id];
}

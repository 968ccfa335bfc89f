import type { AlgorithmId } from './catalog';
import { fomaml } from './fomaml';
import { maml } from './maml';
import { pretrained } from './pretrained';
import type { Algorithm } from './types';

export * from './catalog';
export type { Algorithm } from './types';

/** The engine's implementation of every algorithm in the catalog. */
export const ALGORITHMS: Record<AlgorithmId, Algorithm> = { maml, fomaml, pretrained };

export function getAlgorithm(id: AlgorithmId): Algorithm {
  return ALGORITHMS[id];
}

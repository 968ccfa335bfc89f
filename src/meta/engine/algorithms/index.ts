import { anil } from './anil';
import type { AlgorithmId } from '../../contracts/algorithms';
import { fomaml } from './fomaml';
import { imaml } from './imaml';
import { maml } from './maml';
import { metasgd } from './metasgd';
import { oracle } from './oracle';
import { pretrained } from './pretrained';
import { reptile } from './reptile';
import { scratch } from './scratch';
import type { Algorithm } from './types';

export * from '../../contracts/algorithms';
export type { Algorithm, MetaGradient } from './types';

/** The engine's implementation of every algorithm in the catalog. */
export const ALGORITHMS: Record<AlgorithmId, Algorithm> = { maml, fomaml, reptile, imaml, anil, metasgd, pretrained, scratch, oracle };

export function getAlgorithm(id: AlgorithmId): Algorithm {
  return ALGORITHMS[id];
}

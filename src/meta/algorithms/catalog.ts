/**
 * What the page needs to know about each algorithm, without tfjs: ids, labels, and what each computes.
 * The engine's implementations (index.ts) are checked against this list by the type system, so adding an
 * algorithm is its file plus one entry here and one line in index.ts.
 */
export type GradientOrder = 'second' | 'first' | 'none';

export interface AlgorithmInfo {
  label: string;
  /** Honest about what it computes: exact second order, first-order approximation, or no inner loop at all. */
  gradientOrder: GradientOrder;
  description: string;
}

/** Every algorithm the playground knows, in display order. */
export const ALGORITHM_INFO = {
  maml: {
    label: 'MAML',
    gradientOrder: 'second',
    description: 'Model-agnostic meta-learning with the exact second-order meta-gradient through the inner steps.',
  },
  fomaml: {
    label: 'First-order MAML',
    gradientOrder: 'first',
    description: 'MAML with the first-order approximation: no gradient through the inner steps.',
  },
  pretrained: {
    label: 'Pretrained (joint training)',
    gradientOrder: 'none',
    description: 'Ordinary training on the data of all tasks at once, then fine-tuned at test time.',
  },
} satisfies Record<string, AlgorithmInfo>;

export type AlgorithmId = keyof typeof ALGORITHM_INFO;

export const ALGORITHM_IDS = Object.keys(ALGORITHM_INFO) as AlgorithmId[];

export function isAlgorithmId(id: unknown): id is AlgorithmId {
  return typeof id === 'string' && Object.prototype.hasOwnProperty.call(ALGORITHM_INFO, id);
}

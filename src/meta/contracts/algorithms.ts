/**
 * What the page needs to know about each algorithm, without tfjs: ids, labels, what each computes, how its
 * model adapts at test time, and which training settings it uses. The engine's implementations (index.ts) are
 * checked against this list by the type system, so adding an algorithm is its file plus one entry here and
 * one line in index.ts.
 */

/**
 * second: exact gradient through the inner steps; implicit: the implicit-function gradient at the inner
 * optimum (solved by conjugate gradient); first: no derivative through the inner steps; none: no inner loop.
 */
export type GradientOrder = 'second' | 'implicit' | 'first' | 'none';

/**
 * The numeric settings of a training run (TrainConfig's numbers, in form order; the problem is chosen
 * elsewhere). config.ts checks at compile time that TrainConfig has exactly these.
 */
export const TRAIN_SETTINGS = ['metaBatch', 'kSupport', 'kQuery', 'innerSteps', 'alpha', 'lambda', 'cgSteps', 'metaLr', 'iterations', 'seed'] as const;
export type TrainSetting = (typeof TRAIN_SETTINGS)[number];

export interface AlgorithmInfo {
  label: string;
  /** Honest about what it computes. */
  gradientOrder: GradientOrder;
  description: string;
  /** The network's input: x alone, or x with the task's amplitude and phase (the oracle, an upper bound). */
  input: 'x' | 'x+task';
  /** What the inner loop updates, in training and at test time: every layer, the last layer only, nothing. */
  adapts: 'all' | 'head' | 'none';
  /** Meta-SGD: one inner learning rate per parameter, meta-learned; the shared alpha is then not used. */
  learnedRates: boolean;
  /** iMAML: inner steps minimise the support loss + lambda/2 |phi - theta|^2. */
  proximal: boolean;
  /**
   * How the meta-parameters move: Adam on the meta-gradient; Reptile's step toward the adapted weights, its
   * size annealed linearly to 0; or not at all (a random initialisation).
   */
  outer: 'adam' | 'reptile' | 'none';
  /** Settings this algorithm's training uses, in form order. */
  settings: TrainSetting[];
  /** Where its defaults differ from the paper's MAML setting (PAPER_CONFIG). */
  defaults: Partial<Record<TrainSetting, number>>;
}

const META = ['metaBatch', 'kSupport', 'innerSteps', 'alpha', 'metaLr', 'iterations', 'seed'] as TrainSetting[];
const JOINT = ['metaBatch', 'kSupport', 'metaLr', 'iterations', 'seed'] as TrainSetting[];
const GRADIENT_META = { input: 'x', adapts: 'all', learnedRates: false, proximal: false, outer: 'adam', settings: META, defaults: {} } as const;

/** Every algorithm the playground knows, in display order. */
export const ALGORITHM_INFO = {
  maml: {
    ...GRADIENT_META,
    label: 'MAML',
    gradientOrder: 'second',
    description: 'Model-agnostic meta-learning with the exact second-order meta-gradient through all k inner steps.',
  },
  fomaml: {
    ...GRADIENT_META,
    label: 'First-order MAML',
    gradientOrder: 'first',
    description: 'MAML with the first-order approximation: no gradient through the inner steps.',
  },
  reptile: {
    ...GRADIENT_META,
    label: 'Reptile',
    gradientOrder: 'first',
    description: 'k SGD steps on each task, then the initialisation moves toward the adapted weights by a step that is annealed to 0.',
    outer: 'reptile',
    defaults: { innerSteps: 5, alpha: 0.01, metaLr: 1 },
  },
  imaml: {
    ...GRADIENT_META,
    label: 'iMAML',
    gradientOrder: 'implicit',
    description:
      'Implicit MAML: the inner problem is regularised toward the initialisation (lambda); the meta-gradient solves (I + H/lambda) g = grad L_query by conjugate gradient on Hessian-vector products.',
    proximal: true,
    settings: ['metaBatch', 'kSupport', 'innerSteps', 'alpha', 'lambda', 'cgSteps', 'metaLr', 'iterations', 'seed'],
    defaults: { innerSteps: 10, alpha: 0.005, lambda: 10, cgSteps: 5 },
  },
  anil: {
    ...GRADIENT_META,
    label: 'ANIL',
    gradientOrder: 'second',
    description: 'Almost no inner loop: only the last layer adapts; the exact meta-gradient still reaches every layer.',
    adapts: 'head',
  },
  metasgd: {
    ...GRADIENT_META,
    label: 'Meta-SGD',
    gradientOrder: 'second',
    description: 'MAML with one inner learning rate per parameter (all starting at the training alpha), meta-learned with the initialisation (exact second order).',
    learnedRates: true,
  },
  pretrained: {
    ...GRADIENT_META,
    label: 'Pretrained (joint training)',
    gradientOrder: 'none',
    description: 'Ordinary training on the data of all tasks at once, then fine-tuned at test time.',
    settings: JOINT,
  },
  scratch: {
    ...GRADIENT_META,
    label: 'Scratch (random init)',
    gradientOrder: 'none',
    description: 'A random initialisation, fine-tuned at test time like the others: what meta-learning is measured against.',
    outer: 'none',
    settings: ['seed'],
  },
  oracle: {
    ...GRADIENT_META,
    label: 'Oracle (told A and phase)',
    gradientOrder: 'none',
    description: "Given the task's amplitude and phase as inputs and trained jointly: the paper's upper bound. It does not adapt.",
    input: 'x+task',
    adapts: 'none',
    settings: JOINT,
  },
} satisfies Record<string, AlgorithmInfo>;

export type AlgorithmId = keyof typeof ALGORITHM_INFO;

export const ALGORITHM_IDS = Object.keys(ALGORITHM_INFO) as AlgorithmId[];

export function isAlgorithmId(id: unknown): id is AlgorithmId {
  return typeof id === 'string' && Object.prototype.hasOwnProperty.call(ALGORITHM_INFO, id);
}


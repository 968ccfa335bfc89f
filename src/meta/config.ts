import { ALGORITHM_INFO, type AlgorithmId } from './algorithms/catalog';

/** Everything that defines a meta-training run. The defaults are the paper's sinusoid setting. */
export interface TrainConfig {
  algorithm: AlgorithmId;
  metaBatch: number;
  kSupport: number;
  kQuery: number;
  /** Inner SGD steps per task during meta-training. */
  innerSteps: number;
  /** Inner learning rate (Meta-SGD: the initial value of every learned rate). */
  alpha: number;
  /** Outer step size: Adam's (MAML and the others), or Reptile's epsilon at iteration 0. */
  metaLr: number;
  iterations: number;
  seed: number;
  /** iMAML: weight of the proximal term lambda/2 |phi - theta|^2. */
  lambda: number;
  /** iMAML: conjugate-gradient iterations for the implicit meta-gradient. */
  cgSteps: number;
}

export const PAPER_CONFIG: Omit<TrainConfig, 'algorithm'> = {
  metaBatch: 25,
  kSupport: 10,
  kQuery: 10,
  innerSteps: 1,
  alpha: 0.01,
  metaLr: 0.001,
  iterations: 70000,
  seed: 1,
  lambda: 10,
  cgSteps: 5,
};

/** An algorithm's default training settings: the paper's, with the algorithm's own where it has them. */
export function defaultTrainConfig(algorithm: AlgorithmId): TrainConfig {
  return { ...PAPER_CONFIG, ...ALGORITHM_INFO[algorithm].defaults, algorithm };
}

/** The paper's test protocol: 600 tasks, up to 10 steps of SGD with alpha = 0.01, MSE on 100 held-out points. */
export const PAPER_EVAL = { steps: 10, tasks: 600, alpha: 0.01, queryPoints: 100, seed: 12345 };

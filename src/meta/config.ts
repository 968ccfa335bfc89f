import type { AlgorithmId } from './algorithms/catalog';

/** Everything that defines a meta-training run. The defaults are the paper's sinusoid setting. */
export interface TrainConfig {
  algorithm: AlgorithmId;
  metaBatch: number;
  kSupport: number;
  kQuery: number;
  innerSteps: number;
  alpha: number;
  metaLr: number;
  iterations: number;
  seed: number;
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
};

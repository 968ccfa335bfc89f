/**
 * The MAML paper's sinusoid numbers (Finn, Abbeel, Levine 2017, Table 2): 5-shot MSE after 1, 5 and 10
 * gradient steps at test time, mean over 600 test tasks. What `npm run reproduce` and the page's table show
 * beside this project's own.
 */
import type { AlgorithmId } from './algorithms';

export const PAPER_STEPS = [1, 5, 10] as const;

export const PAPER_TABLE: { method: AlgorithmId; label: string; kShot: number; mse: [number, number, number] }[] = [
  { method: 'maml', label: 'MAML (paper)', kShot: 5, mse: [0.67, 0.38, 0.35] },
  { method: 'pretrained', label: 'Pretrained on all tasks (paper)', kShot: 5, mse: [2.41, 2.23, 2.19] },
];

export const PAPER_CITATION = 'Finn, Abbeel & Levine 2017, Table 2';

/** The network's shape, without tfjs: what checkpoints are validated against. */
import { ALGORITHM_INFO, type AlgorithmId } from './algorithms';
import type { ProblemShape } from './config';
import { classesOf, problemInfo, PROBLEM_INFO } from './problems';
import type { MlpSpec } from './types';

/** The paper's sinusoid network, 1-40-40-1. */
export const SINUSOID_MLP: MlpSpec = PROBLEM_INFO.sinusoid.mlp(1);

/** The oracle's inputs: x, the amplitude, and the phase as (sin, cos) so that its encoding is continuous. */
export const ORACLE_INPUTS = ['x', 'amplitude', 'sin(phase)', 'cos(phase)'];

/** Plane classification: the point (x, y) in, one logit per class out. */
export const planeMlp = (classes: number): MlpSpec => PROBLEM_INFO.plane.mlp(classes);

/**
 * The network an algorithm trains for a problem (default: the sinusoid): the problem's, with the oracle's
 * inputs (x and the task's parameters) where the problem has an oracle.
 */
export function architectureOf(algorithm: AlgorithmId, problem: ProblemShape = {}): MlpSpec {
  const info = problemInfo(problem);
  const spec = info.mlp(classesOf(problem));
  if (ALGORITHM_INFO[algorithm].input !== 'x+task') return spec;
  if (!info.oracle) throw new Error(`The oracle is a sinusoid baseline (it is told amplitude and phase); it has no ${problem.problem} version.`);
  return { sizes: [ORACLE_INPUTS.length, ...spec.sizes.slice(1)] };
}

export function layerCount(spec: MlpSpec): number {
  return spec.sizes.length - 1;
}

/** Meta-SGD's learned inner learning rate for a parameter: same shape, this name. */
export function rateName(param: string): string {
  return `lr_${param}`;
}

export function isRateName(name: string): boolean {
  return name.startsWith('lr_');
}

/** Network parameter names in a fixed order: w0, b0, w1, b1, ... */
export function paramNames(spec: MlpSpec): string[] {
  const names: string[] = [];
  for (let l = 0; l < layerCount(spec); l++) names.push(`w${l}`, `b${l}`);
  return names;
}

/** The last layer's parameters: what ANIL adapts. */
export function headNames(spec: MlpSpec): string[] {
  const l = layerCount(spec) - 1;
  return [`w${l}`, `b${l}`];
}

/** Network parameter shapes, plus one learned rate per parameter when asked (Meta-SGD). */
export function paramShapes(spec: MlpSpec, learnedRates = false): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (let l = 0; l < layerCount(spec); l++) {
    shapes[`w${l}`] = [spec.sizes[l], spec.sizes[l + 1]];
    shapes[`b${l}`] = [spec.sizes[l + 1]];
  }
  if (learnedRates) for (const [n, s] of Object.entries({ ...shapes })) shapes[rateName(n)] = s;
  return shapes;
}

/** Every meta-parameter shape of an algorithm's model. */
export function modelShapes(algorithm: AlgorithmId, problem: ProblemShape = {}): Record<string, number[]> {
  return paramShapes(architectureOf(algorithm, problem), ALGORITHM_INFO[algorithm].learnedRates);
}

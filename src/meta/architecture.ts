/** The network's shape, without tfjs: what checkpoints are validated against. */
import { ALGORITHM_INFO, type AlgorithmId } from './algorithms/catalog';

/** A fully connected ReLU network: sizes = [in, hidden..., out]. The paper's sinusoid net is [1, 40, 40, 1]. */
export interface MlpSpec {
  sizes: number[];
}

export const SINUSOID_MLP: MlpSpec = { sizes: [1, 40, 40, 1] };

/** The oracle's inputs: x, the amplitude, and the phase as (sin, cos) so that its encoding is continuous. */
export const ORACLE_INPUTS = ['x', 'amplitude', 'sin(phase)', 'cos(phase)'];
export const ORACLE_MLP: MlpSpec = { sizes: [ORACLE_INPUTS.length, 40, 40, 1] };

export function architectureOf(algorithm: AlgorithmId): MlpSpec {
  return ALGORITHM_INFO[algorithm].input === 'x+task' ? ORACLE_MLP : SINUSOID_MLP;
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
export function modelShapes(algorithm: AlgorithmId): Record<string, number[]> {
  return paramShapes(architectureOf(algorithm), ALGORITHM_INFO[algorithm].learnedRates);
}

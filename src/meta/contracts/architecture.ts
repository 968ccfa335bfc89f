/** The network's shape, without tfjs: what checkpoints are validated against. */
import { ALGORITHM_INFO, type AlgorithmId } from './algorithms';
import type { ProblemShape } from './config';

/** A fully connected ReLU network: sizes = [in, hidden..., out]. The paper's sinusoid net is [1, 40, 40, 1]. */
export interface MlpSpec {
  sizes: number[];
}

export const SINUSOID_MLP: MlpSpec = { sizes: [1, 40, 40, 1] };

/** The oracle's inputs: x, the amplitude, and the phase as (sin, cos) so that its encoding is continuous. */
export const ORACLE_INPUTS = ['x', 'amplitude', 'sin(phase)', 'cos(phase)'];
export const ORACLE_MLP: MlpSpec = { sizes: [ORACLE_INPUTS.length, 40, 40, 1] };

/** Plane classification: the point (x, y) in, one logit per class out. */
export function planeMlp(classes: number): MlpSpec {
  return { sizes: [2, 40, 40, classes] };
}

/** Glyphs: a 28 x 28 image in (GLYPH_INPUTS), one logit per class out; fully connected, like the paper's non-conv net. */
export const GLYPH_INPUTS = 28 * 28;
export function glyphMlp(classes: number): MlpSpec {
  return { sizes: [GLYPH_INPUTS, 128, 64, classes] };
}

/** The network an algorithm trains for a problem (default: the sinusoid). */
export function architectureOf(algorithm: AlgorithmId, problem: ProblemShape = {}): MlpSpec {
  const oracle = ALGORITHM_INFO[algorithm].input === 'x+task';
  if (problem.problem === 'plane' || problem.problem === 'glyphs') {
    if (oracle) throw new Error(`The oracle is a sinusoid baseline (it is told amplitude and phase); it has no ${problem.problem} version.`);
    return problem.problem === 'plane' ? planeMlp(problem.classes ?? 2) : glyphMlp(problem.classes ?? 5);
  }
  return oracle ? ORACLE_MLP : SINUSOID_MLP;
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

/** The network's shape, without tfjs: what checkpoints are validated against. */
/** A fully connected ReLU network: sizes = [in, hidden..., out]. The paper's sinusoid net is [1, 40, 40, 1]. */
export interface MlpSpec {
  sizes: number[];
}

export const SINUSOID_MLP: MlpSpec = { sizes: [1, 40, 40, 1] };

export function layerCount(spec: MlpSpec): number {
  return spec.sizes.length - 1;
}

/** Parameter names in a fixed order: w0, b0, w1, b1, ... */
export function paramNames(spec: MlpSpec): string[] {
  const names: string[] = [];
  for (let l = 0; l < layerCount(spec); l++) names.push(`w${l}`, `b${l}`);
  return names;
}

export function paramShapes(spec: MlpSpec): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (let l = 0; l < layerCount(spec); l++) {
    shapes[`w${l}`] = [spec.sizes[l], spec.sizes[l + 1]];
    shapes[`b${l}`] = [spec.sizes[l + 1]];
  }
  return shapes;
}

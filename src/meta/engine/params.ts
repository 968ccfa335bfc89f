import * as tf from '@tensorflow/tfjs';
import type { ParamArrays } from '../contracts/types';

/**
 * Model parameters are plain named tensors. Shared parameters have the layer's own shape
 * (w: [in, out], b: [out]); per-task parameters carry a leading task axis (w: [T, in, out], b: [T, out]).
 */
export type Params = Record<string, tf.Tensor>;


export function disposeParams(params: Params | null | undefined): void {
  if (!params) return;
  for (const t of Object.values(params)) t.dispose();
}

/** Sum of squares of every entry: one scalar to test a whole gradient for NaN/Inf in one readback. */
export function sumOfSquares(params: Params): tf.Scalar {
  return tf.addN(Object.values(params).map((t) => tf.sum(tf.square(t)))) as tf.Scalar;
}

export async function readParams(params: Params): Promise<ParamArrays> {
  const out: ParamArrays = {};
  for (const [name, t] of Object.entries(params)) {
    out[name] = { shape: t.shape.slice(), values: (await t.data()) as Float32Array };
  }
  return out;
}

export function paramsFromArrays(arrays: ParamArrays): Params {
  const out: Params = {};
  for (const [name, { shape, values }] of Object.entries(arrays)) out[name] = tf.tensor(values, shape, 'float32');
  return out;
}

/**
 * The typed-array MAML path behind the same Trainer interface as MetaTrainer, so the worker runs either. The
 * parameters live in a Float64Array; tensors (float32) are made from them only when asked, once per iteration.
 */
import * as tf from '@tensorflow/tfjs';
import { paramShapes, SINUSOID_MLP } from '../architecture';
import type { TrainConfig } from '../config';
import { disposeParams, type Params } from '../params';
import type { StepOutcome, Trainer } from '../trainer';
import { FastMamlTrainer } from './maml';
import { layoutOf } from './mlp';

/** MAML (exact) and first-order MAML on the sinusoid MLP: what this path can train. */
export function typedPathTrains(config: TrainConfig): boolean {
  return config.algorithm === 'maml' || config.algorithm === 'fomaml';
}

export class TypedMamlTrainer implements Trainer {
  readonly path = 'typed arrays';
  private readonly fast: FastMamlTrainer;
  private cache: { iteration: number; params: Params } | null = null;

  constructor(readonly config: TrainConfig) {
    if (!typedPathTrains(config)) throw new Error(`The typed-array path trains MAML and first-order MAML, not ${config.algorithm}.`);
    this.fast = new FastMamlTrainer({ ...config, sizes: SINUSOID_MLP.sizes, exact: config.algorithm === 'maml' });
  }

  get iteration(): number {
    return this.fast.iteration;
  }

  get params(): Params {
    if (this.cache && this.cache.iteration === this.fast.iteration) return this.cache.params;
    disposeParams(this.cache?.params);
    const lay = layoutOf(SINUSOID_MLP.sizes);
    const shapes = paramShapes(SINUSOID_MLP);
    const flat = this.fast.params;
    const params: Params = {};
    SINUSOID_MLP.sizes.slice(1).forEach((_, l) => {
      const w = `w${l}`;
      const b = `b${l}`;
      const wSize = shapes[w][0] * shapes[w][1];
      // Kept: the getter may be called inside a caller's tf.tidy, and the cache outlives it.
      params[w] = tf.keep(tf.tensor(Float32Array.from(flat.subarray(lay.w[l], lay.w[l] + wSize)), shapes[w], 'float32'));
      params[b] = tf.keep(tf.tensor(Float32Array.from(flat.subarray(lay.b[l], lay.b[l] + shapes[b][0])), shapes[b], 'float32'));
    });
    this.cache = { iteration: this.fast.iteration, params };
    return params;
  }

  async step(): Promise<StepOutcome> {
    const r = this.fast.step();
    if (!r.ok) return { ok: false, iteration: this.fast.iteration + 1, loss: r.loss, reason: r.reason };
    return { ok: true, iteration: this.fast.iteration, loss: r.loss, stats: {} };
  }

  takeParams(): Params {
    const p = this.params;
    this.cache = null;
    return p;
  }

  dispose(): void {
    disposeParams(this.cache?.params);
    this.cache = null;
  }
}

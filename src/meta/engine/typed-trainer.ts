/**
 * The typed-array training paths behind the same Trainer interface as MetaTrainer, so the worker runs either. The
 * parameters live in a Float64Array; tensors (float32) are made from them only when asked, once per iteration.
 * MAML's meta-gradient comes from FastMaml on the CPU, or from another engine (the fused WebGPU kernels); the
 * other algorithms' from src/meta/fast/algorithms.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { architectureOf, modelShapes, paramShapes } from '../contracts/architecture';
import type { MlpSpec } from '../contracts/types';
import type { TrainConfig } from '../contracts/config';
import { problemInfo } from '../contracts/problems';
import { disposeParams, type Params } from './params';
import type { StepOutcome, Trainer, TrainPath } from './trainer-types';
import { FastMamlTrainer, type MetaGradientEngine } from '../fast/maml';
import { layoutOf } from '../fast/mlp';
import { FastAlgorithmTrainer, isFastAlgorithm } from '../fast/algorithms';

/**
 * MAML (exact) and first-order MAML on the problems whose kernels train (squared error or cross-entropy): what
 * the MAML kernels (FastMamlTrainer, and the fused WebGPU ones where the problem has them) train.
 */
export function mamlKernelsTrain(config: TrainConfig): boolean {
  return (config.algorithm === 'maml' || config.algorithm === 'fomaml') && problemInfo(config).typed.trains;
}

/** Every algorithm with something to train, on the problems whose kernels train (PROBLEM_INFO[p].typed.trains). */
export function typedPathTrains(config: TrainConfig): boolean {
  return mamlKernelsTrain(config) || (isFastAlgorithm(config.algorithm) && problemInfo(config).typed.trains);
}

/** Float32 tensors of the named parameters, laid out one after the other in `flat` in the order of `shapes`. */
function paramTensors(flat: Float64Array, shapes: Record<string, number[]>): Params {
  const params: Params = {};
  let off = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shape.reduce((a, b) => a * b, 1);
    // Kept: the getter may be called inside a caller's tf.tidy, and the cache outlives it.
    params[name] = tf.keep(tf.tensor(Float32Array.from(flat.subarray(off, off + size)), shape, 'float32'));
    off += size;
  }
  if (off !== flat.length) throw new Error(`${flat.length} parameters for shapes of ${off}`);
  return params;
}

/**
 * The typed-array trainers' float32 tensors of their float64 parameters: made when first asked for after an
 * iteration, kept until the next, handed over by takeParams.
 */
abstract class TensorCache {
  private cache: { iteration: number; params: Params } | null = null;
  abstract get iteration(): number;
  protected abstract makeParams(): Params;

  get params(): Params {
    if (this.cache && this.cache.iteration === this.iteration) return this.cache.params;
    disposeParams(this.cache?.params);
    this.cache = { iteration: this.iteration, params: this.makeParams() };
    return this.cache.params;
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

export class TypedMamlTrainer extends TensorCache implements Trainer {
  readonly path: TrainPath;
  private readonly fast: FastMamlTrainer;
  private readonly arch: MlpSpec;

  constructor(
    readonly config: TrainConfig,
    gpu?: MetaGradientEngine,
  ) {
    super();
    if (!mamlKernelsTrain(config)) throw new Error(`The MAML kernels train MAML and first-order MAML, not ${config.algorithm}.`);
    this.arch = architectureOf(config.algorithm, config);
    this.fast = new FastMamlTrainer({ ...config, sizes: this.arch.sizes, exact: config.algorithm === 'maml' }, gpu);
    this.path = gpu ? 'webgpu (fused)' : 'typed arrays';
  }

  get iteration(): number {
    return this.fast.iteration;
  }

  protected makeParams(): Params {
    const lay = layoutOf(this.arch.sizes);
    const shapes = paramShapes(this.arch);
    const flat = this.fast.params;
    const params: Params = {};
    this.arch.sizes.slice(1).forEach((_, l) => {
      const w = `w${l}`;
      const b = `b${l}`;
      const wSize = shapes[w][0] * shapes[w][1];
      // Kept: the getter may be called inside a caller's tf.tidy, and the cache outlives it.
      params[w] = tf.keep(tf.tensor(Float32Array.from(flat.subarray(lay.w[l], lay.w[l] + wSize)), shapes[w], 'float32'));
      params[b] = tf.keep(tf.tensor(Float32Array.from(flat.subarray(lay.b[l], lay.b[l] + shapes[b][0])), shapes[b], 'float32'));
    });
    return params;
  }

  async step(): Promise<StepOutcome> {
    const r = await this.fast.stepAsync();
    if (!r.ok) return { ok: false, iteration: this.fast.iteration + 1, loss: r.loss, reason: r.reason };
    return { ok: true, iteration: this.fast.iteration, loss: r.loss, stats: {} };
  }

  override dispose(): void {
    super.dispose();
    this.fast.dispose();
  }
}

/**
 * Reptile, iMAML, ANIL, Meta-SGD, pretrained and the oracle on typed arrays (FastAlgorithmTrainer): the same
 * initialisation, batches, outer update, stats and divergence check as MetaTrainer, so the checkpoint it leaves
 * is the one TF.js would have made, up to float32 rounding.
 */
export class TypedAlgorithmTrainer extends TensorCache implements Trainer {
  readonly path: TrainPath = 'typed arrays';
  private readonly fast: FastAlgorithmTrainer;
  private readonly shapes: Record<string, number[]>;

  constructor(readonly config: TrainConfig) {
    super();
    const { algorithm } = config;
    if (!typedPathTrains(config) || !isFastAlgorithm(algorithm)) throw new Error(`The typed-array path does not train ${algorithm} here.`);
    this.shapes = modelShapes(algorithm, config);
    this.fast = new FastAlgorithmTrainer({ ...config, algorithm, sizes: architectureOf(algorithm, config).sizes });
  }

  get iteration(): number {
    return this.fast.iteration;
  }

  protected makeParams(): Params {
    return paramTensors(this.fast.params, this.shapes);
  }

  async step(): Promise<StepOutcome> {
    const r = this.fast.step();
    if (!r.ok) return { ok: false, iteration: this.fast.iteration + 1, loss: r.loss, reason: r.reason };
    return { ok: true, iteration: this.fast.iteration, loss: r.loss, stats: r.stats };
  }
}

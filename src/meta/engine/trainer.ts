import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam';
import { getAlgorithm } from './algorithms';
import type { TrainConfig } from '../contracts/config';
import { initModel } from './model';
import { disposeParams, sumOfSquares, type Params } from './params';
import { Rng } from '../contracts/random';
import { disposeBatch, classificationBatch, sampleMetaBatch } from './meta-batch';
import { drawEpisodes, isClassification } from '../contracts/problems';
import { divergenceReason } from '../contracts/divergence';
import { mamlKernelsTrain, TypedAlgorithmTrainer, TypedMamlTrainer, typedPathTrains } from './typed-trainer';
import type { StepOutcome, Trainer } from './trainer-types';

export type { StepOutcome, Trainer, TrainPath } from './trainer-types';

export { DIVERGENCE_FACTOR } from '../contracts/divergence';

/** The parameters a run with this config starts from (what MetaTrainer makes): scratch's whole "training". */
export function initialModel(config: TrainConfig): Params {
  return initModel(config.algorithm, new Rng(config.seed).fork(), config.alpha, config);
}

/**
 * Runs meta-training one iteration at a time, for any algorithm. Each step reads back the loss and the
 * gradient's sum of squares (one small readback) and refuses to apply a non-finite update, so a diverging
 * run stops with the last good parameters intact.
 */
export class MetaTrainer implements Trainer {
  params: Params;
  iteration = 0;
  readonly path = 'tfjs';
  private readonly rng: Rng;
  private readonly adam: Adam;

  constructor(
    readonly config: TrainConfig,
    initial?: Params,
  ) {
    const algorithm = getAlgorithm(config.algorithm);
    if (!algorithm.metaGradient || algorithm.outer === 'none')
      throw new Error(`${algorithm.label} has nothing to meta-train: it is a random initialisation (its seed is its only setting).`);
    this.rng = new Rng(config.seed);
    // The same draw as initialModel(config); the fork also moves this.rng past it, to the first batch.
    const initRng = this.rng.fork();
    this.params = initial ?? initModel(config.algorithm, initRng, config.alpha, config);
    this.adam = new Adam(config.metaLr);
  }

  /** Reptile's outer step size at the current iteration: metaLr, annealed linearly to 0 over the run. */
  reptileStepSize(): number {
    return this.config.metaLr * Math.max(0, 1 - this.iteration / this.config.iterations);
  }

  private outerUpdate(grads: Params): Params {
    if (getAlgorithm(this.config.algorithm).outer === 'reptile') {
      const eps = this.reptileStepSize();
      return tf.tidy(() => {
        const next: Params = {};
        for (const [n, p] of Object.entries(this.params)) next[n] = tf.sub(p, tf.mul(eps, grads[n]));
        return next;
      });
    }
    return this.adam.apply(this.params, grads);
  }

  async step(): Promise<StepOutcome> {
    const { config } = this;
    const metaGradient = getAlgorithm(config.algorithm).metaGradient!;
    const classes = config.classes ?? 2;
    // Classification episodes: kSupport and kQuery examples of every class.
    const batch =
      isClassification(config)
        ? classificationBatch(drawEpisodes(config.problem!, this.rng, config.metaBatch, classes, config.kSupport, config.kQuery))
        : sampleMetaBatch(this.rng, config.metaBatch, config.kSupport, config.kQuery).batch;
    let computed;
    let statNames: string[] = [];
    try {
      computed = tf.tidy(() => {
        const r = metaGradient(this.params, batch, config);
        statNames = Object.keys(r.stats ?? {});
        // The loss of a network that outputs zeros: the reference a blown-up loss is measured against.
        const zeroLoss = batch.loss === 'crossEntropy' ? tf.scalar(Math.log(classes)) : tf.mean(tf.square(batch.queryY));
        return { loss: r.loss, grads: r.grads, check: tf.stack([r.loss, sumOfSquares(r.grads), zeroLoss, ...Object.values(r.stats ?? {})]) };
      });
    } finally {
      disposeBatch(batch);
    }
    const { loss, grads, check } = computed;
    const [lossValue, gradSq, zeroLoss, ...statValues] = await check.data();
    const stats = Object.fromEntries(statNames.map((n, i) => [n, statValues[i]]));
    check.dispose();
    loss.dispose();
    const iteration = this.iteration + 1;
    const reason = divergenceReason(iteration, lossValue, gradSq, zeroLoss, config);
    if (reason) {
      disposeParams(grads);
      return { ok: false, iteration, loss: lossValue, reason };
    }
    // Reptile's step size changes every iteration: worth showing with the loss.
    if (getAlgorithm(config.algorithm).outer === 'reptile') stats.outerStepSize = this.reptileStepSize();
    const next = this.outerUpdate(grads);
    disposeParams(grads);
    disposeParams(this.params);
    this.params = next;
    this.iteration = iteration;
    return { ok: true, iteration, loss: lossValue, stats };
  }

  takeParams(): Params {
    const p = this.params;
    this.params = {};
    return p;
  }

  dispose(): void {
    disposeParams(this.params);
    this.adam.dispose();
  }
}
/**
 * The fastest path that can train this config: typed arrays for every algorithm on every problem whose kernels
 * train (several times faster than TF.js on wasm here, see npm run bench), else TF.js. `prefer: 'tfjs'` forces
 * TF.js.
 */
export function createTrainer(config: TrainConfig, prefer: 'auto' | 'tfjs' = 'auto'): Trainer {
  if (prefer === 'auto' && mamlKernelsTrain(config)) return new TypedMamlTrainer(config);
  if (prefer === 'auto' && typedPathTrains(config)) return new TypedAlgorithmTrainer(config);
  return new MetaTrainer(config);
}

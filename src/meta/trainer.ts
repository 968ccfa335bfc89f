import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam';
import { getAlgorithm } from './algorithms';
import type { TrainConfig } from './config';
import { initModel } from './model';
import { disposeParams, sumOfSquares, type Params } from './params';
import { Rng } from './random';
import { disposeBatch, sampleMetaBatch } from './tasks/meta-batch';

/**
 * A meta-loss this many times the loss of always predicting zero means the inner steps have blown up (e.g.
 * alpha = 5 gives ~1e6 times): Adam's bounded steps would otherwise keep such a run going, finite but useless.
 */
export const DIVERGENCE_FACTOR = 1000;

/** The parameters a run with this config starts from (what MetaTrainer makes): scratch's whole "training". */
export function initialModel(config: TrainConfig): Params {
  return initModel(config.algorithm, new Rng(config.seed).fork(), config.alpha);
}

export type StepOutcome =
  | { ok: true; iteration: number; loss: number; stats: Record<string, number> }
  | { ok: false; iteration: number; loss: number; reason: string };

/**
 * Runs meta-training one iteration at a time, for any algorithm. Each step reads back the loss and the
 * gradient's sum of squares (one small readback) and refuses to apply a non-finite update, so a diverging
 * run stops with the last good parameters intact.
 */
export class MetaTrainer {
  params: Params;
  iteration = 0;
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
    const initRng = this.rng.fork();
    this.params = initial ?? initModel(config.algorithm, initRng, config.alpha);
    // (initialModel below makes the same parameters from the same seed without a trainer.)
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
    const { batch } = sampleMetaBatch(this.rng, config.metaBatch, config.kSupport, config.kQuery);
    let computed;
    let statNames: string[] = [];
    try {
      computed = tf.tidy(() => {
        const r = metaGradient(this.params, batch, config);
        statNames = Object.keys(r.stats ?? {});
        const zeroLoss = tf.mean(tf.square(batch.queryY));
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
    // Floor of 1: a batch of tiny-amplitude tasks has a near-zero reference loss.
    const exploded = lossValue > DIVERGENCE_FACTOR * Math.max(zeroLoss, 1);
    if (!Number.isFinite(lossValue) || !Number.isFinite(gradSq) || exploded) {
      disposeParams(grads);
      const what = !Number.isFinite(lossValue)
        ? `meta-loss is ${lossValue}`
        : exploded
          ? `meta-loss ${lossValue.toExponential(2)} is over ${DIVERGENCE_FACTOR} times that of predicting zero (${zeroLoss.toFixed(2)})`
          : 'the meta-gradient is not finite';
      return {
        ok: false,
        iteration,
        loss: lossValue,
        reason: `Training diverged at iteration ${iteration}: ${what} (alpha = ${config.alpha}, meta learning rate = ${config.metaLr}). The last good parameters are kept; try a smaller alpha or learning rate.`,
      };
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

  dispose(): void {
    disposeParams(this.params);
    this.adam.dispose();
  }
}

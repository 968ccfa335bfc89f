import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam';
import { getAlgorithm } from './algorithms';
import type { TrainConfig } from './config';
import { SINUSOID_MLP } from './architecture';
import { initParams } from './model';
import { disposeParams, sumOfSquares, type Params } from './params';
import { Rng } from './random';
import { disposeBatch, sampleMetaBatch } from './tasks/meta-batch';

/**
 * A meta-loss this many times the loss of always predicting zero means the inner steps have blown up (e.g.
 * alpha = 5 gives ~1e6 times): Adam's bounded steps would otherwise keep such a run going, finite but useless.
 */
export const DIVERGENCE_FACTOR = 1000;

export type StepOutcome =
  | { ok: true; iteration: number; loss: number }
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
    this.rng = new Rng(config.seed);
    const initRng = this.rng.fork();
    this.params = initial ?? initParams(SINUSOID_MLP, initRng);
    this.adam = new Adam(config.metaLr);
  }

  async step(): Promise<StepOutcome> {
    const { config } = this;
    const algorithm = getAlgorithm(config.algorithm);
    const { batch } = sampleMetaBatch(this.rng, config.metaBatch, config.kSupport, config.kQuery);
    let computed;
    try {
      computed = tf.tidy(() => {
        const r = algorithm.metaGradient(this.params, batch, { steps: config.innerSteps, alpha: config.alpha });
        const zeroLoss = tf.mean(tf.square(batch.queryY));
        return { ...r, check: tf.stack([r.loss, sumOfSquares(r.grads), zeroLoss]) };
      });
    } finally {
      disposeBatch(batch);
    }
    const { loss, grads, check } = computed;
    const [lossValue, gradSq, zeroLoss] = await check.data();
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
    const next = this.adam.apply(this.params, grads);
    disposeParams(grads);
    disposeParams(this.params);
    this.params = next;
    this.iteration = iteration;
    return { ok: true, iteration, loss: lossValue };
  }

  dispose(): void {
    disposeParams(this.params);
    this.adam.dispose();
  }
}

import type * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../contracts/config';
import type { Params } from '../params';
import type { MetaBatch } from '../meta-batch';
import type { AlgorithmId, AlgorithmInfo } from '../../contracts/algorithms';

/** What one meta-iteration computes, before the outer update. */
export type MetaGradient = {
  /** The meta-objective on this batch (the query loss after adaptation; the joint loss for joint training). */
  loss: tf.Scalar;
  /** The direction the outer update takes: a gradient for Adam, theta - mean(phi) for Reptile. */
  grads: Params;
  /** Diagnostics worth showing, e.g. iMAML's conjugate-gradient residual. */
  stats?: Record<string, tf.Scalar>;
};

/**
 * One meta-learning algorithm: how its meta-gradient is computed from a meta-batch. Everything else (sampling,
 * the outer update, divergence checks, test-time adaptation by the catalog's rule) is shared.
 */
export interface Algorithm extends AlgorithmInfo {
  id: AlgorithmId;
  /**
   * The meta-objective and its gradient w.r.t. every meta-parameter, from the run's settings. Called inside
   * tf.tidy. Null for a method with nothing to meta-train (scratch).
   */
  metaGradient: ((params: Params, batch: MetaBatch, cfg: TrainConfig) => MetaGradient) | null;
}

import type * as tf from '@tensorflow/tfjs';
import type { InnerConfig } from '../inner';
import type { Params } from '../params';
import type { MetaBatch } from '../tasks/meta-batch';
import type { AlgorithmId, AlgorithmInfo } from './catalog';

/**
 * One meta-learning algorithm: how its meta-gradient is computed from a meta-batch. Everything else (sampling,
 * the Adam meta-optimiser, divergence checks, test-time adaptation) is shared.
 */
export interface Algorithm extends AlgorithmInfo {
  id: AlgorithmId;
  /** The meta-objective and its gradient w.r.t. the (shared) meta-parameters. Called inside tf.tidy. */
  metaGradient(params: Params, batch: MetaBatch, inner: InnerConfig): { loss: tf.Scalar; grads: Params };
}

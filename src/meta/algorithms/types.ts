import type * as tf from '@tensorflow/tfjs';
import type { InnerConfig } from '../inner';
import type { Params } from '../params';
import type { MetaBatch } from '../tasks/sinusoid';

export type GradientOrder = 'second' | 'first' | 'none';

/**
 * One meta-learning algorithm: how its meta-gradient is computed from a meta-batch. Everything else (sampling,
 * the Adam meta-optimiser, divergence checks, test-time adaptation) is shared, so a new algorithm is one file
 * plus its line in the registry.
 */
export interface Algorithm {
  id: string;
  label: string;
  /** Honest about what it computes: exact second order, first-order approximation, or no inner loop at all. */
  gradientOrder: GradientOrder;
  description: string;
  /** The meta-objective and its gradient w.r.t. the (shared) meta-parameters. Called inside tf.tidy. */
  metaGradient(params: Params, batch: MetaBatch, inner: InnerConfig): { loss: tf.Scalar; grads: Params };
}

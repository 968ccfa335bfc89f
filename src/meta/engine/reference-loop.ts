/**
 * The naive formulation kept as a yardstick for the benchmark (issue 5): second-order MAML with a JavaScript
 * loop over tasks, each task's inner step and query loss its own small kernels (~7,650 per iteration), as
 * older demos wrote it. Exact, and slow for the reason the batched and typed-array paths exist. Only
 * `npm run bench` and the worker's bench request run it.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam';
import type { TrainConfig } from '../contracts/config';
import { forward } from './model';
import { disposeParams, type Params } from './params';
import { Rng } from '../contracts/random';
import { drawMetaBatch } from '../contracts/tasks/sampling';
import { initialModel } from './trainer';

const taskLoss = (p: Params, x: tf.Tensor3D, y: tf.Tensor3D) => tf.mean(tf.square(tf.sub(forward(p, x), y))) as tf.Scalar;

export class PerTaskLoopMaml {
  params: Params;
  private readonly rng: Rng;
  private readonly adam: Adam;

  constructor(readonly config: TrainConfig) {
    this.params = initialModel(config);
    this.rng = new Rng(config.seed);
    this.rng.fork();
    this.adam = new Adam(config.metaLr);
  }

  /** One meta-iteration; returns the mean query loss. */
  async step(): Promise<number> {
    const { metaBatch: T, kSupport: K, kQuery: Q, alpha } = this.config;
    const d = drawMetaBatch(this.rng, T, K, Q);
    const names = Object.keys(this.params);
    const { value, grads } = tf.tidy(() => {
      const metaLoss = (...theta: tf.Tensor[]) => {
        const p: Params = {};
        names.forEach((n, i) => (p[n] = theta[i]));
        const losses: tf.Scalar[] = [];
        for (let t = 0; t < T; t++) {
          const sx = tf.tensor3d(d.sx.subarray(t * K, (t + 1) * K), [1, K, 1]);
          const sy = tf.tensor3d(d.sy.subarray(t * K, (t + 1) * K), [1, K, 1]);
          const qx = tf.tensor3d(d.qx.subarray(t * Q, (t + 1) * Q), [1, Q, 1]);
          const qy = tf.tensor3d(d.qy.subarray(t * Q, (t + 1) * Q), [1, Q, 1]);
          // Recorded on the outer tape: the meta-gradient flows through this inner gradient (second order).
          const g = tf.grads((...ps: tf.Tensor[]) => {
            const q: Params = {};
            names.forEach((n, i) => (q[n] = ps[i]));
            return taskLoss(q, sx, sy);
          })(theta);
          const phi: Params = {};
          names.forEach((n, i) => (phi[n] = tf.sub(theta[i], tf.mul(alpha, g[i]))));
          losses.push(taskLoss(phi, qx, qy));
        }
        return tf.div(tf.addN(losses), T) as tf.Scalar;
      };
      const r = tf.valueAndGrads(metaLoss)(names.map((n) => this.params[n]));
      const grads: Params = {};
      names.forEach((n, i) => (grads[n] = r.grads[i]));
      return { value: r.value, grads };
    });
    const next = this.adam.apply(this.params, grads);
    disposeParams(grads);
    disposeParams(this.params);
    this.params = next;
    const [loss] = await value.data();
    value.dispose();
    return loss;
  }

  dispose(): void {
    disposeParams(this.params);
    this.adam.dispose();
  }
}

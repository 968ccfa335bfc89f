import * as tf from '@tensorflow/tfjs';
import { disposeParams, type Params } from './params';

/** Adam, the paper's meta-optimiser, over plain named tensors. Owns its moment estimates. */
export class Adam {
  private m: Params | null = null;
  private v: Params | null = null;
  private t = 0;

  constructor(
    public learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {}

  /** Returns the updated parameters (kept). Neither input is disposed. */
  apply(params: Params, grads: Params): Params {
    this.t += 1;
    const { beta1, beta2, epsilon, t } = this;
    const step = (this.learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    const next = tf.tidy(() => {
      const m: Params = {};
      const v: Params = {};
      const p: Params = {};
      for (const name of Object.keys(params)) {
        const g = grads[name];
        m[name] = this.m ? tf.add(tf.mul(beta1, this.m[name]), tf.mul(1 - beta1, g)) : tf.mul(1 - beta1, g);
        v[name] = this.v ? tf.add(tf.mul(beta2, this.v[name]), tf.mul(1 - beta2, tf.square(g))) : tf.mul(1 - beta2, tf.square(g));
        p[name] = tf.sub(params[name], tf.div(tf.mul(step, m[name]), tf.add(tf.sqrt(v[name]), epsilon)));
      }
      return { m, v, p };
    });
    disposeParams(this.m);
    disposeParams(this.v);
    this.m = next.m;
    this.v = next.v;
    return next.p;
  }

  dispose(): void {
    disposeParams(this.m);
    disposeParams(this.v);
    this.m = this.v = null;
    this.t = 0;
  }
}

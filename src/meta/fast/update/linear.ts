/**
 * Linear models of a 2-D effective weight, exact to second order on typed arrays (float64, no tfjs): the maths
 * behind "Inside the update" (issue 16; Arnold, Iqbal and Sha, AISTATS 2021).
 *
 *  - shallow: w = theta, two numbers.
 *  - deep: w = W3 W2 W1 (W1: h x 2, W2: h x h, W3: 1 x h), the same functions over-parameterised by two extra
 *    linear layers. Its inner step moves w by -alpha g P to first order, with P = J J^T (J = dw/dparams): the
 *    upper layers precondition the bottom one.
 *  - kfo: shallow plus a meta-learned Kronecker-factored transform of the gradient (learn2learn's
 *    KroneckerTransform on a 1 x 2 weight: left factor L, 1 x 1, right factor R, 2 x 2): the inner step is
 *    w <- w - alpha L g R, as a column w <- w - alpha M grad with M = L R^T.
 *
 * A task's loss is a quadratic in w (contracts/tasks/update.ts), so gradients and Hessian-vector products are
 * closed forms (the deep model's by the R-operator); MAML's meta-gradient is the query gradient pulled back
 * through every inner step, v <- v - alpha H(p_j) M^T v. Everything is checked against float64 finite
 * differences in tests/unit/update-maths.test.ts.
 */
import type { Quad, TaskLoss } from '../../contracts/tasks/update';

export type UpdateModelKind = 'shallow' | 'deep' | 'kfo';

/** A model of the effective weight w(p) in R^2 from its adapted parameters p. */
export interface LinearModel {
  kind: UpdateModelKind;
  /** Parameters adapted by the inner loop (the meta-learned initialisation). */
  size: number;
  /** Meta-parameters of the gradient transform after them (KFO: L, then R row-major), 0 without. */
  transformSize: number;
  /** The effective weight w(p). */
  effective(p: ArrayLike<number>): [number, number];
  /** J^T g: the gradient with respect to p of a loss whose gradient with respect to w is g. */
  pullback(p: ArrayLike<number>, g1: number, g2: number, out: Float64Array): Float64Array;
  /** J v: how w moves along the parameter direction v. */
  push(p: ArrayLike<number>, v: ArrayLike<number>): [number, number];
  /** The Hessian of the task loss q(w(p)) with respect to p, times v. */
  hvp(p: ArrayLike<number>, q: TaskLoss, v: ArrayLike<number>, out: Float64Array): Float64Array;
}

/** The gradient of a quadratic with respect to w: 2 (A w - b). */
export function quadGrad(q: Quad, w1: number, w2: number): [number, number] {
  return [2 * (q.a11 * w1 + q.a12 * w2 - q.b1), 2 * (q.a12 * w1 + q.a22 * w2 - q.b2)];
}

export function quadLoss(q: Quad, w: readonly [number, number]): number {
  return q.a11 * w[0] * w[0] + 2 * q.a12 * w[0] * w[1] + q.a22 * w[1] * w[1] - 2 * (q.b1 * w[0] + q.b2 * w[1]) + q.c;
}

const isQuad = (l: TaskLoss): l is Quad => 'a11' in l;
const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
/** log(1 + e^z), without overflow. */
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/** A task's loss at the effective weight w: a quadratic, or the mean cross-entropy of sigmoid(w . x). */
export function lossValue(l: TaskLoss, w: readonly [number, number]): number {
  if (isQuad(l)) return quadLoss(l, w);
  let s = 0;
  for (let i = 0; i < l.y.length; i++) {
    const z = w[0] * l.x[2 * i] + w[1] * l.x[2 * i + 1];
    s += softplus(z) - l.y[i] * z;
  }
  return s / l.y.length;
}

/** Its gradient with respect to w. */
export function lossGrad(l: TaskLoss, w1: number, w2: number): [number, number] {
  if (isQuad(l)) return quadGrad(l, w1, w2);
  let g1 = 0;
  let g2 = 0;
  const n = l.y.length;
  for (let i = 0; i < n; i++) {
    const e = sigmoid(w1 * l.x[2 * i] + w2 * l.x[2 * i + 1]) - l.y[i];
    g1 += e * l.x[2 * i];
    g2 += e * l.x[2 * i + 1];
  }
  return [g1 / n, g2 / n];
}

/** Its Hessian with respect to w at (w1, w2), times (r1, r2). */
export function lossHessVec(l: TaskLoss, w1: number, w2: number, r1: number, r2: number): [number, number] {
  if (isQuad(l)) return [2 * (l.a11 * r1 + l.a12 * r2), 2 * (l.a12 * r1 + l.a22 * r2)];
  let h1 = 0;
  let h2 = 0;
  const n = l.y.length;
  for (let i = 0; i < n; i++) {
    const x1 = l.x[2 * i];
    const x2 = l.x[2 * i + 1];
    const sg = sigmoid(w1 * x1 + w2 * x2);
    const c = sg * (1 - sg) * (x1 * r1 + x2 * r2);
    h1 += c * x1;
    h2 += c * x2;
  }
  return [h1 / n, h2 / n];
}

/** The loss's gradient with respect to the parameters p. */
export function paramGrad(model: LinearModel, p: ArrayLike<number>, q: TaskLoss, out = new Float64Array(model.size)): Float64Array {
  const w = model.effective(p);
  const g = lossGrad(q, w[0], w[1]);
  return model.pullback(p, g[0], g[1], out);
}

export const SHALLOW: LinearModel = {
  kind: 'shallow',
  size: 2,
  transformSize: 0,
  effective: (p) => [p[0], p[1]],
  pullback: (_p, g1, g2, out) => {
    out[0] = g1;
    out[1] = g2;
    return out;
  },
  push: (_p, v) => [v[0], v[1]],
  hvp: (p, q, v, out) => {
    const h = lossHessVec(q, p[0], p[1], v[0], v[1]);
    out[0] = h[0];
    out[1] = h[1];
    return out;
  },
};

/** KFO: the shallow model, its gradient transformed by M = L R^T (meta-parameters after theta: L, R11, R12, R21, R22). */
export const KFO: LinearModel = { ...SHALLOW, kind: 'kfo', transformSize: 5 };

/**
 * The deep linear model W3 W2 W1 with hidden width h: parameters W1 (h x 2, row-major), then W2 (h x h), then
 * W3 (1 x h). h = 2 keeps every layer square (no bottleneck, no extra capacity): the function class is the
 * shallow model's, only the parameterisation (and so the gradient's geometry) differs.
 */
export function deepModel(h = 2): LinearModel {
  const o2 = 2 * h;
  const o3 = o2 + h * h;
  const size = o3 + h;
  // u = W3 W2 (1 x h), Z = W2 W1 (h x 2)
  const u = new Float64Array(h);
  const z = new Float64Array(2 * h);
  const ru = new Float64Array(h);
  const rz = new Float64Array(2 * h);
  const products = (p: ArrayLike<number>) => {
    for (let a = 0; a < h; a++) {
      let s = 0;
      for (let c = 0; c < h; c++) s += p[o3 + c] * p[o2 + c * h + a];
      u[a] = s;
      let z1 = 0;
      let z2 = 0;
      for (let c = 0; c < h; c++) {
        z1 += p[o2 + a * h + c] * p[2 * c];
        z2 += p[o2 + a * h + c] * p[2 * c + 1];
      }
      z[2 * a] = z1;
      z[2 * a + 1] = z2;
    }
  };
  const model: LinearModel = {
    kind: 'deep',
    size,
    transformSize: 0,
    effective(p) {
      products(p);
      let w1 = 0;
      let w2 = 0;
      for (let a = 0; a < h; a++) {
        w1 += u[a] * p[2 * a];
        w2 += u[a] * p[2 * a + 1];
      }
      return [w1, w2];
    },
    pullback(p, g1, g2, out) {
      products(p);
      for (let a = 0; a < h; a++) {
        out[2 * a] = u[a] * g1;
        out[2 * a + 1] = u[a] * g2;
      }
      for (let a = 0; a < h; a++)
        for (let c = 0; c < h; c++) out[o2 + a * h + c] = p[o3 + a] * (p[2 * c] * g1 + p[2 * c + 1] * g2);
      for (let a = 0; a < h; a++) out[o3 + a] = z[2 * a] * g1 + z[2 * a + 1] * g2;
      return out;
    },
    push(p, v) {
      products(p);
      // Rw = (V3 W2 + W3 V2) W1 + u V1
      let w1 = 0;
      let w2 = 0;
      for (let a = 0; a < h; a++) {
        let r = 0;
        for (let c = 0; c < h; c++) r += v[o3 + c] * p[o2 + c * h + a] + p[o3 + c] * v[o2 + c * h + a];
        w1 += r * p[2 * a] + u[a] * v[2 * a];
        w2 += r * p[2 * a + 1] + u[a] * v[2 * a + 1];
      }
      return [w1, w2];
    },
    hvp(p, q, v, out) {
      const w = model.effective(p); // also fills u, z
      const [g1, g2] = lossGrad(q, w[0], w[1]);
      for (let a = 0; a < h; a++) {
        let r = 0;
        for (let c = 0; c < h; c++) r += v[o3 + c] * p[o2 + c * h + a] + p[o3 + c] * v[o2 + c * h + a];
        ru[a] = r;
        let s1 = 0;
        let s2 = 0;
        for (let c = 0; c < h; c++) {
          s1 += v[o2 + a * h + c] * p[2 * c] + p[o2 + a * h + c] * v[2 * c];
          s2 += v[o2 + a * h + c] * p[2 * c + 1] + p[o2 + a * h + c] * v[2 * c + 1];
        }
        rz[2 * a] = s1;
        rz[2 * a + 1] = s2;
      }
      let rw1 = 0;
      let rw2 = 0;
      for (let a = 0; a < h; a++) {
        rw1 += ru[a] * p[2 * a] + u[a] * v[2 * a];
        rw2 += ru[a] * p[2 * a + 1] + u[a] * v[2 * a + 1];
      }
      const [rg1, rg2] = lossHessVec(q, w[0], w[1], rw1, rw2);
      for (let a = 0; a < h; a++) {
        out[2 * a] = ru[a] * g1 + u[a] * rg1;
        out[2 * a + 1] = ru[a] * g2 + u[a] * rg2;
      }
      for (let a = 0; a < h; a++)
        for (let c = 0; c < h; c++)
          out[o2 + a * h + c] =
            v[o3 + a] * (p[2 * c] * g1 + p[2 * c + 1] * g2) + p[o3 + a] * (v[2 * c] * g1 + v[2 * c + 1] * g2 + p[2 * c] * rg1 + p[2 * c + 1] * rg2);
      for (let a = 0; a < h; a++) out[o3 + a] = rg1 * z[2 * a] + rg2 * z[2 * a + 1] + g1 * rz[2 * a] + g2 * rz[2 * a + 1];
      return out;
    },
  };
  return model;
}

export const DEEP = deepModel(2);

export const UPDATE_MODELS: Record<UpdateModelKind, LinearModel> = { shallow: SHALLOW, deep: DEEP, kfo: KFO };

/** The gradient transform M (2 x 2 row-major, acting on column gradients) of the meta-parameters; null: identity. */
export function transformOf(model: LinearModel, meta: ArrayLike<number>): Float64Array | null {
  if (model.transformSize === 0) return null;
  const l = meta[model.size];
  const r = model.size + 1;
  // M = L R^T
  return Float64Array.of(l * meta[r], l * meta[r + 2], l * meta[r + 1], l * meta[r + 3]);
}

/**
 * The effective preconditioner: one inner step moves w by -alpha P grad_w L to first order in alpha. Shallow:
 * the identity; deep: J J^T; KFO: M. As a 2 x 2 row-major matrix.
 */
export function effectivePreconditioner(model: LinearModel, meta: ArrayLike<number>): [number, number, number, number] {
  const m = transformOf(model, meta);
  if (m) return [m[0], m[1], m[2], m[3]];
  const p = meta;
  const jt = new Float64Array(model.size);
  model.pullback(p, 1, 0, jt);
  const c1 = model.push(p, jt);
  model.pullback(p, 0, 1, jt);
  const c2 = model.push(p, jt);
  return [c1[0], c2[0], c1[1], c2[1]];
}

/** The initial meta-parameters: deep near the identity (so w starts small), KFO's transform at the identity. */
export function initialMeta(model: LinearModel, rng: { next(): number }): Float64Array {
  const meta = new Float64Array(model.size + model.transformSize);
  const jitter = () => (rng.next() - 0.5) * 0.2;
  if (model.kind === 'deep') {
    const hh = Math.round((-3 + Math.sqrt(9 + 4 * model.size)) / 2); // size = h^2 + 3h
    for (let a = 0; a < hh; a++) for (let c = 0; c < 2; c++) meta[2 * a + c] = (a === c ? 1 : 0) + jitter();
    for (let a = 0; a < hh; a++) for (let c = 0; c < hh; c++) meta[2 * hh + a * hh + c] = (a === c ? 1 : 0) + jitter();
    for (let a = 0; a < hh; a++) meta[2 * hh + hh * hh + a] = jitter();
  } else {
    meta[0] = jitter();
    meta[1] = jitter();
  }
  if (model.transformSize) {
    meta[model.size] = 1;
    meta[model.size + 1] = 1;
    meta[model.size + 4] = 1;
  }
  return meta;
}

/** An inner trajectory: the parameters and effective weight after each of k steps (index 0: before). */
export interface Trajectory {
  params: Float64Array[];
  w: [number, number][];
}

/** k inner SGD steps on the support loss from the meta-parameters, each by the model's own (transformed) rule. */
export function adapt(model: LinearModel, meta: ArrayLike<number>, support: TaskLoss, alpha: number, steps: number): Trajectory {
  const m = transformOf(model, meta);
  let p = Float64Array.from({ length: model.size }, (_, i) => meta[i]);
  const params = [p];
  const w = [model.effective(p)];
  const g = new Float64Array(model.size);
  for (let j = 0; j < steps; j++) {
    paramGrad(model, p, support, g);
    const next = new Float64Array(model.size);
    if (m) {
      next[0] = p[0] - alpha * (m[0] * g[0] + m[1] * g[1]);
      next[1] = p[1] - alpha * (m[2] * g[0] + m[3] * g[1]);
    } else for (let i = 0; i < model.size; i++) next[i] = p[i] - alpha * g[i];
    p = next;
    params.push(p);
    w.push(model.effective(p));
  }
  return { params, w };
}

export interface MetaGradient {
  /** Mean query loss after the inner steps. */
  loss: number;
  /** Its gradient with respect to the meta-parameters (initialisation, then transform). */
  grad: Float64Array;
}

/**
 * MAML's exact meta-gradient over a batch of tasks: the query loss after k inner steps, pulled back through each
 * step (dp_{j+1}/dp_j = I - alpha M H(p_j); for the shallow model a product of (I - alpha H) factors), and for
 * KFO also with respect to L and R. Averaged over the tasks.
 */
export function mamlMetaGradient(model: LinearModel, meta: ArrayLike<number>, tasks: readonly { support: TaskLoss; query: TaskLoss }[], alpha: number, steps: number): MetaGradient {
  const n = model.size;
  const grad = new Float64Array(n + model.transformSize);
  const m = transformOf(model, meta);
  const dm = new Float64Array(4);
  const v = new Float64Array(n);
  const u = new Float64Array(n);
  const hv = new Float64Array(n);
  let loss = 0;
  for (const task of tasks) {
    const traj = adapt(model, meta, task.support, alpha, steps);
    const wk = traj.w[steps];
    loss += lossValue(task.query, wk);
    paramGrad(model, traj.params[steps], task.query, v);
    for (let j = steps - 1; j >= 0; j--) {
      const pj = traj.params[j];
      if (m) {
        const g = paramGrad(model, pj, task.support, new Float64Array(n));
        dm[0] -= alpha * v[0] * g[0];
        dm[1] -= alpha * v[0] * g[1];
        dm[2] -= alpha * v[1] * g[0];
        dm[3] -= alpha * v[1] * g[1];
        u[0] = m[0] * v[0] + m[2] * v[1];
        u[1] = m[1] * v[0] + m[3] * v[1];
      } else u.set(v);
      model.hvp(pj, task.support, u, hv);
      for (let i = 0; i < n; i++) v[i] -= alpha * hv[i];
    }
    for (let i = 0; i < n; i++) grad[i] += v[i];
  }
  if (m) {
    // M_ab = L R_ba
    const l = meta[n];
    const r = n + 1;
    grad[n] += dm[0] * meta[r] + dm[1] * meta[r + 2] + dm[2] * meta[r + 1] + dm[3] * meta[r + 3];
    grad[r] += l * dm[0];
    grad[r + 1] += l * dm[2];
    grad[r + 2] += l * dm[1];
    grad[r + 3] += l * dm[3];
  }
  const t = tasks.length;
  for (let i = 0; i < grad.length; i++) grad[i] /= t;
  return { loss: loss / t, grad };
}

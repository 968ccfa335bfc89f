/**
 * "Inside the update" (issue 16): the linear models' maths against float64 central finite differences. Each
 * link of the chain is checked on its own: the effective weight against a plain matrix product, the parameter
 * gradient against differences of the loss, the Hessian-vector product against differences of the gradient,
 * and then every rule's vector and MAML's meta-gradient (shallow, deep, KFO; k = 1, 2, 3) against differences of
 * the loss it claims to be the gradient of. iMAML's is checked at the exact proximal solution, and against that
 * solution found by gradient descent on the proximal objective.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/meta/contracts/random';
import { drawLogisticTasks, drawUpdateTasks, populationQuad, quadFromPoints, quadValue, UPDATE_FAMILY, type Quad } from '../../src/meta/contracts/tasks/update';
import {
  adapt,
  DEEP,
  deepModel,
  effectivePreconditioner,
  initialMeta,
  KFO,
  lossValue,
  mamlMetaGradient,
  paramGrad,
  quadGrad,
  quadLoss,
  SHALLOW,
  UPDATE_MODELS,
  type LinearModel,
} from '../../src/meta/fast/update/linear';
import { imamlVector, proximalSolution, ruleUpdates } from '../../src/meta/fast/update/rules';

const EPS = 1e-6;

function fd(f: (x: Float64Array) => number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const a = Float64Array.from(x);
    const b = Float64Array.from(x);
    a[i] += EPS;
    b[i] -= EPS;
    out[i] = (f(a) - f(b)) / (2 * EPS);
  }
  return out;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += a[i] ** 2 + b[i] ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-12);
}

const rng = new Rng(5);
const tasks = drawUpdateTasks(rng, UPDATE_FAMILY, 4, 6, 7);
const randomMeta = (model: LinearModel, seed: number) => {
  const r = new Rng(seed);
  const m = initialMeta(model, r);
  for (let i = 0; i < m.length; i++) m[i] += (r.next() - 0.5) * 0.6;
  return m;
};

/** The mean query loss after k inner steps, as a plain function of the meta-parameters. */
const metaLoss = (model: LinearModel, alpha: number, k: number) => (meta: Float64Array) =>
  tasks.reduce((s, t) => s + quadLoss(t.query, adapt(model, meta, t.support, alpha, k).w[k]), 0) / tasks.length;

describe('the task family and its quadratics', () => {
  it('writes the mean squared error of points as the quadratic it evaluates to', () => {
    const x = [0.3, -1.2, 2, 0.5, -0.7, 0.9];
    const y = [1, -0.5, 0.25];
    const q = quadFromPoints(x, y);
    const w: [number, number] = [0.4, -1.3];
    const mse = y.reduce((s, t, i) => s + (w[0] * x[2 * i] + w[1] * x[2 * i + 1] - t) ** 2, 0) / 3;
    expect(quadValue(q, w[0], w[1])).toBeCloseTo(mse, 12);
    expect(quadLoss(q, w)).toBeCloseTo(mse, 12);
  });

  it("puts the population loss's minimum, zero, at the task's optimum", () => {
    const q = populationQuad(UPDATE_FAMILY, [0.7, -2]);
    expect(quadLoss(q, [0.7, -2])).toBeCloseTo(0, 12);
    expect(quadGrad(q, 0.7, -2)).toEqual([0, 0]);
    expect(quadLoss(q, [1.7, -2])).toBeCloseTo(UPDATE_FAMILY.inputScales[0] ** 2, 12);
  });

  it('draws the same tasks from the same seed, with the spread it was given', () => {
    const a = drawUpdateTasks(new Rng(9), UPDATE_FAMILY, 3000, 4, 0);
    expect(drawUpdateTasks(new Rng(9), UPDATE_FAMILY, 1, 4, 0)[0]).toEqual(a[0]);
    const w2 = a.map((t) => t.wStar[1]);
    const m = w2.reduce((s, v) => s + v, 0) / w2.length;
    const sd = Math.sqrt(w2.reduce((s, v) => s + (v - m) ** 2, 0) / w2.length);
    expect(m).toBeCloseTo(UPDATE_FAMILY.mean[1], 0);
    expect(sd / UPDATE_FAMILY.scales[1]).toBeGreaterThan(0.95);
    expect(sd / UPDATE_FAMILY.scales[1]).toBeLessThan(1.05);
  });
});

describe('the linear models', () => {
  it('computes the deep effective weight as the product W3 W2 W1', () => {
    const h = 3;
    const model = deepModel(h);
    const p = randomMeta(model, 2);
    const W1 = (a: number, j: number) => p[2 * a + j];
    const W2 = (a: number, c: number) => p[2 * h + a * h + c];
    const W3 = (c: number) => p[2 * h + h * h + c];
    const w = [0, 1].map((j) => {
      let s = 0;
      for (let a = 0; a < h; a++) for (let c = 0; c < h; c++) s += W3(c) * W2(c, a) * W1(a, j);
      return s;
    });
    const got = model.effective(p);
    expect(got[0]).toBeCloseTo(w[0], 12);
    expect(got[1]).toBeCloseTo(w[1], 12);
  });

  for (const model of [SHALLOW, DEEP, deepModel(3)]) {
    it(`${model.kind} (${model.size} parameters): gradient and Hessian-vector product match finite differences`, () => {
      const p = randomMeta(model, 3);
      const q = tasks[0].support;
      const g = paramGrad(model, p, q);
      expect(relErr(g, fd((x) => quadLoss(q, model.effective(x)), p))).toBeLessThan(1e-7);
      const v = Float64Array.from({ length: model.size }, (_, i) => Math.sin(i + 1));
      const hv = model.hvp(p, q, v, new Float64Array(model.size));
      const dir = fd((x) => {
        const y = Float64Array.from(p, (pi, i) => pi + x[0] * v[i]);
        return paramGrad(model, y, q).reduce((s, gi, i) => s + gi * v[i], 0);
      }, [0]);
      // v^T H v from the directional derivative of v^T grad
      expect(hv.reduce((s, x, i) => s + x * v[i], 0)).toBeCloseTo(dir[0], 6);
      // and every component: H v = d/dt grad(p + t v)
      const comp = Array.from({ length: model.size }, (_, i) => fd((x) => paramGrad(model, Float64Array.from(p, (pi, j) => pi + x[0] * v[j]), q)[i], [0])[0]);
      expect(relErr(hv, comp)).toBeLessThan(1e-7);
    });
  }

  it("gives the deep model's effective preconditioner as J J^T: one small step moves w by -alpha P grad", () => {
    const p = randomMeta(DEEP, 4);
    const q = tasks[1].support;
    const P = effectivePreconditioner(DEEP, p);
    expect(P[1]).toBeCloseTo(P[2], 12);
    const alpha = 1e-6;
    const w0 = DEEP.effective(p);
    const w1 = adapt(DEEP, p, q, alpha, 1).w[1];
    const g = quadGrad(q, w0[0], w0[1]);
    expect((w1[0] - w0[0]) / -alpha).toBeCloseTo(P[0] * g[0] + P[1] * g[1], 4);
    expect((w1[1] - w0[1]) / -alpha).toBeCloseTo(P[2] * g[0] + P[3] * g[1], 4);
    expect(effectivePreconditioner(SHALLOW, [3, 4])).toEqual([1, 0, 0, 1]);
  });
});

describe("MAML's meta-gradient against float64 finite differences", () => {
  for (const model of Object.values(UPDATE_MODELS))
    for (const k of [1, 2, 3])
      it(`${model.kind}, k = ${k}`, () => {
        const meta = randomMeta(model, 10 + k);
        const alpha = 0.3;
        const got = mamlMetaGradient(model, meta, tasks, alpha, k);
        expect(got.loss).toBeCloseTo(metaLoss(model, alpha, k)(meta), 12);
        expect(got.grad.length).toBe(model.size + model.transformSize);
        const err = relErr(got.grad, fd(metaLoss(model, alpha, k), meta));
        expect(err).toBeLessThan(1e-6);
      });

  it('KFO with the identity transform is the shallow model, and its transform gradient is not zero', () => {
    const meta = Float64Array.of(0.3, -0.2, 1, 1, 0, 0, 1);
    const a = mamlMetaGradient(KFO, meta, tasks, 0.3, 2);
    const b = mamlMetaGradient(SHALLOW, meta.subarray(0, 2), tasks, 0.3, 2);
    expect(a.grad[0]).toBeCloseTo(b.grad[0], 12);
    expect(a.grad[1]).toBeCloseTo(b.grad[1], 12);
    expect(Math.hypot(...a.grad.subarray(2))).toBeGreaterThan(1e-3);
  });
});

describe("each rule's update vector", () => {
  const theta: [number, number] = [0.2, -0.4];
  const settings = { alpha: 0.35, steps: 3, lambda: 2 };
  const r = ruleUpdates(theta, tasks, settings);
  const mean = (f: (t: (typeof tasks)[number], th: Float64Array) => number) => (th: Float64Array) => tasks.reduce((s, t) => s + f(t, th), 0) / tasks.length;

  it('joint training: the gradient of the task losses at theta', () => {
    expect(relErr(r.mean.pretrained, fd(mean((t, th) => quadLoss(t.query, [th[0], th[1]])), theta))).toBeLessThan(1e-8);
  });

  it('MAML: the gradient of the query loss after k steps, through the steps', () => {
    const f = mean((t, th) => quadLoss(t.query, adapt(SHALLOW, th, t.support, settings.alpha, settings.steps).w[settings.steps]));
    expect(relErr(r.mean.maml, fd(f, theta))).toBeLessThan(1e-8);
  });

  it('first-order MAML: the query gradient at phi, which differs from MAML by the (I - alpha H) factors', () => {
    tasks.forEach((t, i) => {
      const phi = r.tasks[i].trajectory[settings.steps];
      expect(relErr(r.tasks[i].vectors.fomaml, fd((w) => quadLoss(t.query, [w[0], w[1]]), phi))).toBeLessThan(1e-8);
    });
    expect(Math.hypot(r.mean.maml[0] - r.mean.fomaml[0], r.mean.maml[1] - r.mean.fomaml[1])).toBeGreaterThan(0.01);
  });

  it('iMAML: the gradient of the query loss at the proximal solution, as a function of theta', () => {
    const f = mean((t, th) => quadLoss(t.query, proximalSolution(t.support, [th[0], th[1]], settings.lambda)));
    expect(relErr(r.mean.imaml, fd(f, theta))).toBeLessThan(1e-8);
  });

  it('iMAML at a converged inner solution: gradient descent on the proximal objective reaches the closed form', () => {
    const t = tasks[2];
    const lambda = settings.lambda;
    let phi: [number, number] = [...theta];
    for (let i = 0; i < 2000; i++) {
      const g = quadGrad(t.support, phi[0], phi[1]);
      phi = [phi[0] - 0.1 * (g[0] + lambda * (phi[0] - theta[0])), phi[1] - 0.1 * (g[1] + lambda * (phi[1] - theta[1]))];
    }
    const im = imamlVector(t.support, t.query, theta, lambda);
    expect(relErr(phi, im.phi)).toBeLessThan(1e-10);
    // the implicit gradient through the converged solution: finite differences of the converged solve
    const solve = (th: Float64Array) => {
      let p: [number, number] = [th[0], th[1]];
      for (let i = 0; i < 2000; i++) {
        const g = quadGrad(t.support, p[0], p[1]);
        p = [p[0] - 0.1 * (g[0] + lambda * (p[0] - th[0])), p[1] - 0.1 * (g[1] + lambda * (p[1] - th[1]))];
      }
      return quadLoss(t.query, p);
    };
    expect(relErr(im.v, fd(solve, theta))).toBeLessThan(1e-6);
  });

  it('Reptile: theta - phi over k alpha; with k = 1 and one loss, the joint-training gradient', () => {
    tasks.forEach((_, i) => {
      const phi = r.tasks[i].trajectory[settings.steps];
      const s = settings.steps * settings.alpha;
      expect(r.tasks[i].vectors.reptile[0]).toBeCloseTo((theta[0] - phi[0]) / s, 12);
    });
    const pop: { support: Quad; query: Quad }[] = tasks.map((t) => ({ support: t.support, query: t.support }));
    const one = ruleUpdates(theta, pop, { ...settings, steps: 1 });
    expect(relErr(one.mean.reptile, one.mean.pretrained)).toBeLessThan(1e-12);
  });
});

describe('binary logistic regression (LogR and LogR + LinNet): not a quadratic, the same checks', () => {
  const ltasks = drawLogisticTasks(new Rng(8), { ...UPDATE_FAMILY, mean: [1.5, 1], scales: [0.5, 2] }, 3, 12, 9);
  it('labels follow sigmoid(w* . x), both classes present', () => {
    const all = drawLogisticTasks(new Rng(2), UPDATE_FAMILY, 50, 20, 0).flatMap((t) => Array.from(t.support.y));
    expect(new Set(all)).toEqual(new Set([0, 1]));
  });
  for (const model of [SHALLOW, DEEP]) {
    it(`${model.kind}: gradient and Hessian-vector product of the cross-entropy match finite differences`, () => {
      const p = randomMeta(model, 21);
      const q = ltasks[0].support;
      expect(relErr(paramGrad(model, p, q), fd((x) => lossValue(q, model.effective(x)), p))).toBeLessThan(1e-7);
      const v = Float64Array.from({ length: model.size }, (_, i) => Math.cos(i + 2));
      const hv = model.hvp(p, q, v, new Float64Array(model.size));
      const comp = Array.from({ length: model.size }, (_, i) => fd((x) => paramGrad(model, Float64Array.from(p, (pi, j) => pi + x[0] * v[j]), q)[i], [0])[0]);
      expect(relErr(hv, comp)).toBeLessThan(1e-7);
    });
    for (const k of [1, 2])
      it(`${model.kind}: MAML's meta-gradient through ${k} step${k > 1 ? 's' : ''} of the cross-entropy`, () => {
        const meta = randomMeta(model, 30 + k);
        const f = (m: Float64Array) => ltasks.reduce((s, t) => s + lossValue(t.query, adapt(model, m, t.support, 0.8, k).w[k]), 0) / ltasks.length;
        const got = mamlMetaGradient(model, meta, ltasks, 0.8, k);
        expect(got.loss).toBeCloseTo(f(meta), 12);
        expect(relErr(got.grad, fd(f, meta))).toBeLessThan(1e-6);
      });
  }
});

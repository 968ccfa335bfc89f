/**
 * Reptile, iMAML, ANIL, Meta-SGD, pretrained and the oracle on typed arrays (src/meta/fast/algorithms.ts, issue
 * 17 target 3) against their TF.js algorithms (same seed, same batch: the same meta-gradient to float32
 * tolerance; a few training iterations: the same losses and parameters), and the exact ones (ANIL, Meta-SGD,
 * iMAML at a converged inner solution) against float64 finite differences of their meta-objective.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../src/meta/engine/algorithms';
import { architectureOf, modelShapes } from '../../src/meta/contracts/architecture';
import { defaultTrainConfig, planeTrainConfig, type TrainConfig } from '../../src/meta/contracts/config';
import { FAST_ALGORITHMS, FastAlgorithm, FastAlgorithmTrainer, type FastAlgorithmId } from '../../src/meta/fast/algorithms';
import { initFlat } from '../../src/meta/fast/maml';
import { drawMetaBatch } from '../../src/meta/contracts/tasks/sampling';
import { hessianVector, layoutOf, lossAndGrad, Workspace } from '../../src/meta/fast/mlp';
import { initModel } from '../../src/meta/engine/model';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, type Params } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { disposeBatch, sampleMetaBatch } from '../../src/meta/engine/meta-batch';
import { createTrainer, MetaTrainer } from '../../src/meta/engine/trainer';
import { TypedAlgorithmTrainer } from '../../src/meta/engine/typed-trainer';
import { finiteDiff, relErr } from './helpers/reference';

/** Every meta-parameter of a TF.js model, flat in the typed path's order (network, then learned rates). */
function flatModel(params: Params, shapes: Record<string, number[]>): Float64Array {
  return Float64Array.from(Object.keys(shapes).flatMap((n) => Array.from(params[n].dataSync())));
}

const shapesOf = (config: TrainConfig) => modelShapes(config.algorithm, config);

describe('typed-array algorithms against their TF.js path', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  // Settings that make each algorithm's own term matter: two inner steps, a visible proximal term.
  const cases: [FastAlgorithmId, Partial<TrainConfig>][] = [
    ['reptile', { innerSteps: 3 }],
    ['imaml', { innerSteps: 4, cgSteps: 3, lambda: 2, alpha: 0.05 }],
    ['anil', { innerSteps: 2, alpha: 0.05 }],
    ['metasgd', { innerSteps: 2 }],
    ['pretrained', {}],
    ['oracle', {}],
  ];
  it('covers every algorithm of the file', () => expect(cases.map((c) => c[0]).sort()).toEqual([...FAST_ALGORITHMS].sort()));

  it.each(cases)('%s: the same meta-gradient, loss and stats as the TF.js algorithm on the same batch', (id, over) => {
    const config = { ...defaultTrainConfig(id), ...over, metaBatch: 6 };
    const sizes = architectureOf(id, config).sizes;
    const shapes = shapesOf(config);
    const params = initModel(id, new Rng(9), config.alpha, config);
    // Meta-SGD starts from rates all alpha, where its rate gradient is MAML's alpha gradient: move them apart.
    if (id === 'metasgd') for (const n of Object.keys(params).filter((k) => k.startsWith('lr_'))) {
      const old = params[n];
      params[n] = tf.tidy(() => tf.mul(old, tf.randomUniform(old.shape, 0.5, 2, 'float32', 3)));
      old.dispose();
    }
    const theta = flatModel(params, shapes);
    const { batch } = sampleMetaBatch(new Rng(77), config.metaBatch, 10, 10);
    const data = drawMetaBatch(new Rng(77), config.metaBatch, 10, 10);
    const r = tf.tidy(() => ALGORITHMS[id].metaGradient!(params, batch, config));
    const ref = flatModel(r.grads, shapes);
    const grad = new Float64Array(theta.length);
    const fast = new FastAlgorithm({ ...config, algorithm: id, sizes }).metaGradient(theta, data, grad);
    expect(relErr(grad, ref)).toBeLessThan(id === 'imaml' ? 1e-3 : 2e-4);
    // Not a vacuous match: the gradient is far from zero.
    expect(Math.sqrt(ref.reduce((s, g) => s + g * g, 0))).toBeGreaterThan(1e-2);
    const loss = r.loss.dataSync()[0];
    expect(Math.abs(fast.loss - loss) / loss).toBeLessThan(1e-5);
    for (const [name, s] of Object.entries(r.stats ?? {})) {
      const v = s.dataSync()[0];
      expect(Math.abs(fast.stats[name] - v), name).toBeLessThan(1e-3 * Math.max(1, Math.abs(v)));
    }
    expect(Object.keys(fast.stats).sort()).toEqual(Object.keys(r.stats ?? {}).sort());
    r.loss.dispose();
    disposeParams(r.grads);
    Object.values(r.stats ?? {}).forEach((s) => s.dispose());
    disposeParams(params);
    disposeBatch(batch);
  });

  const trainCases: [string, TrainConfig][] = [
    ...FAST_ALGORITHMS.map((id): [string, TrainConfig] => [`${id}, sinusoid`, { ...defaultTrainConfig(id), metaBatch: 5, iterations: 8, seed: 4 }]),
    ...(['reptile', 'anil', 'metasgd', 'pretrained', 'imaml'] as const).map((id): [string, TrainConfig] => [
      `${id}, 3-way plane`,
      { ...planeTrainConfig(id, 3), metaBatch: 4, kSupport: 2, kQuery: 3, iterations: 8, seed: 5 },
    ]),
  ];
  it.each(trainCases)('%s: TypedAlgorithmTrainer follows MetaTrainer iteration by iteration (loss, stats, parameters)', async (_, config) => {
    const start = tf.memory().numTensors;
    const typed = createTrainer(config);
    expect(typed).toBeInstanceOf(TypedAlgorithmTrainer);
    expect(typed.path).toBe('typed arrays');
    const slow = new MetaTrainer(config);
    const shapes = shapesOf(config);
    // The same start, as float32 tensors with the same names and shapes (Meta-SGD's rates included).
    expect(Object.keys(typed.params)).toEqual(Object.keys(slow.params));
    const initial = flatModel(typed.params, shapes);
    expect(relErr(initial, flatModel(slow.params, shapes))).toBe(0);
    for (let i = 1; i <= config.iterations; i++) {
      const [a, b] = [await slow.step(), await typed.step()];
      expect(a.ok && b.ok).toBe(true);
      expect(b.iteration).toBe(i);
      expect(Math.abs(a.loss - b.loss) / a.loss, `iteration ${i}`).toBeLessThan(1e-3);
      if (a.ok && b.ok) {
        expect(Object.keys(b.stats).sort()).toEqual(Object.keys(a.stats).sort());
        for (const k of Object.keys(a.stats)) expect(Math.abs(a.stats[k] - b.stats[k]), k).toBeLessThan(2e-3 * Math.max(1, Math.abs(a.stats[k])));
      }
    }
    const moved = relErr(flatModel(typed.params, shapes), initial);
    expect(moved).toBeGreaterThan(1e-4);
    expect(relErr(flatModel(typed.params, shapes), flatModel(slow.params, shapes))).toBeLessThan(1e-3 * Math.max(1, moved));
    slow.dispose();
    const taken = typed.takeParams();
    typed.dispose();
    disposeParams(taken);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('refuses a diverging update with MetaTrainer words, keeping the last good parameters', async () => {
    for (const id of ['anil', 'reptile', 'pretrained'] as const) {
      const config = { ...defaultTrainConfig(id), alpha: 50, metaLr: id === 'pretrained' ? 1e9 : 1, iterations: 10 };
      const slow = new MetaTrainer(config);
      const typed = createTrainer(config);
      const shapes = shapesOf(config);
      const before = flatModel(typed.params, shapes);
      let a, b;
      for (let i = 0; i < 5; i++) {
        [a, b] = [await slow.step(), await typed.step()];
        if (!a.ok || !b.ok) break;
      }
      expect(b!.ok, id).toBe(false);
      expect(a!.ok, id).toBe(false);
      if (!b!.ok && !a!.ok) {
        // At the same iteration, in the same words (float32 may call Infinity what float64 calls 1e40).
        expect(b!.iteration).toBe(a!.iteration);
        const head = (r: string) => r.slice(0, r.indexOf(':'));
        expect(head(b!.reason)).toBe(head(a!.reason));
        expect(b!.reason.slice(b!.reason.indexOf(' (alpha'))).toBe(a!.reason.slice(a!.reason.indexOf(' (alpha')));
      }
      if (b!.iteration === 1) expect(Array.from(flatModel(typed.params, shapes))).toEqual(Array.from(before));
      slow.dispose();
      typed.dispose();
    }
  });
});

describe('exact typed-array meta-gradients against float64 finite differences', () => {
  const SIZES = [1, 8, 8, 1];
  const lay = layoutOf(SIZES);
  const n = lay.total;
  const data = drawMetaBatch(new Rng(105), 3, 5, 5);
  const T = data.tasks.length;
  const task = (t: number) => ({
    sx: data.sx.subarray(t * 5, t * 5 + 5),
    sy: data.sy.subarray(t * 5, t * 5 + 5),
    qx: data.qx.subarray(t * 5, t * 5 + 5),
    qy: data.qy.subarray(t * 5, t * 5 + 5),
  });
  const ws = new Workspace(lay, 5);
  const g = new Float64Array(n);
  /** The meta-objective by its definition: k steps of phi <- phi - rate (.) mask (.) grad, then the query loss. */
  function metaLoss(p: Float64Array, steps: number, rate: (i: number) => number, from: number): number {
    let loss = 0;
    for (let t = 0; t < T; t++) {
      const s = task(t);
      const phi = p.slice(0, n);
      for (let j = 0; j < steps; j++) {
        lossAndGrad(ws, phi, s.sx, s.sy, 5, g);
        for (let i = from; i < n; i++) phi[i] -= rate(i) * g[i];
      }
      loss += lossAndGrad(ws, phi, s.qx, s.qy, 5, null);
    }
    return loss / T;
  }
  const settings = { lambda: 1, cgSteps: 1, sizes: SIZES };

  it.each([1, 2, 3])('ANIL, k = %i: the head-only inner loop, differentiated into the body', (steps) => {
    const theta = initFlat(SIZES, new Rng(5));
    const alpha = 0.3;
    const grad = new Float64Array(n);
    const r = new FastAlgorithm({ ...settings, algorithm: 'anil', innerSteps: steps, alpha }).metaGradient(theta, data, grad);
    const head = lay.w[2];
    expect(r.loss).toBeCloseTo(metaLoss(theta, steps, () => alpha, head), 12);
    const fd = finiteDiff((p) => metaLoss(p, steps, () => alpha, head), theta, 1e-6);
    expect(relErr(grad, fd)).toBeLessThan(1e-6);
    // The second-order terms reach the body: its gradient differs from the first-order one (query gradient at phi).
    const body = Array.from({ length: head }, (_, i) => i);
    const fo = new Float64Array(n);
    for (let t = 0; t < T; t++) {
      const s = task(t);
      const phi = theta.slice();
      for (let j = 0; j < steps; j++) {
        lossAndGrad(ws, phi, s.sx, s.sy, 5, g);
        for (let i = head; i < n; i++) phi[i] -= alpha * g[i];
      }
      lossAndGrad(ws, phi, s.qx, s.qy, 5, g);
      for (let i = 0; i < n; i++) fo[i] += g[i] / T;
    }
    expect(relErr(fo, fd, body)).toBeGreaterThan(1e-2);
  });

  it.each([1, 2])('Meta-SGD, k = %i: the initialisation and every learned rate', (steps) => {
    const theta = new Float64Array(2 * n);
    theta.set(initFlat(SIZES, new Rng(6)));
    const rng = new Rng(7);
    for (let i = n; i < 2 * n; i++) theta[i] = rng.uniform(-0.1, 0.4);
    const grad = new Float64Array(2 * n);
    const f = (p: Float64Array) => metaLoss(p, steps, (i) => p[n + i], 0);
    const r = new FastAlgorithm({ ...settings, algorithm: 'metasgd', innerSteps: steps, alpha: 0.1 }).metaGradient(theta, data, grad);
    expect(r.loss).toBeCloseTo(f(theta), 12);
    const fd = finiteDiff(f, theta, 1e-6);
    expect(relErr(grad.subarray(0, n), fd.subarray(0, n))).toBeLessThan(1e-6);
    expect(relErr(grad.subarray(n), fd.subarray(n))).toBeLessThan(1e-6);
    expect(Math.max(...grad.subarray(n).map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('iMAML at a converged proximal solution: the implicit gradient is the derivative of L_query(phi*(theta))', () => {
    const theta = initFlat(SIZES, new Rng(8));
    // A strong proximal term keeps phi* inside one linear region of every ReLU; weaker ones put it on a kink,
    // where fixed-step descent chatters (innerGradNorm ~0.3) and the implicit gradient's premise fails.
    const lambda = 50;
    const alpha = 0.01;
    const inner = 300;
    const phiStar = (p: Float64Array, s: ReturnType<typeof task>) => {
      const phi = p.slice(0, n);
      for (let j = 0; j < inner; j++) {
        lossAndGrad(ws, phi, s.sx, s.sy, 5, g);
        for (let i = 0; i < n; i++) phi[i] -= alpha * (g[i] + lambda * (phi[i] - p[i]));
      }
      return phi;
    };
    const f = (p: Float64Array) => {
      let loss = 0;
      for (let t = 0; t < T; t++) loss += lossAndGrad(ws, phiStar(p, task(t)), task(t).qx, task(t).qy, 5, null);
      return loss / T;
    };
    const grad = new Float64Array(n);
    // CG run to convergence (as many steps as parameters) so that only the inner solution's accuracy counts.
    const r = new FastAlgorithm({ sizes: SIZES, algorithm: 'imaml', innerSteps: inner, alpha, lambda, cgSteps: n }).metaGradient(theta, data, grad);
    expect(r.stats.innerGradNorm).toBeLessThan(1e-9);
    expect(r.stats.cgResidual).toBeLessThan(1e-6);
    const fd = finiteDiff(f, theta, 1e-6);
    expect(relErr(grad, fd)).toBeLessThan(1e-5);
    // Not the first-order answer: the (I + H/lambda)^-1 term matters.
    const fo = new Float64Array(n);
    for (let t = 0; t < T; t++) {
      lossAndGrad(ws, phiStar(theta, task(t)), task(t).qx, task(t).qy, 5, g);
      for (let i = 0; i < n; i++) fo[i] += g[i] / T;
    }
    expect(relErr(fo, fd)).toBeGreaterThan(1e-2);
  });
});

describe('FastAlgorithmTrainer', () => {
  it("starts Meta-SGD's rates at alpha (float32) after the network's initialisation", () => {
    const config = { ...defaultTrainConfig('metasgd'), algorithm: 'metasgd' as const, alpha: 0.01, sizes: [1, 40, 40, 1] };
    const t = new FastAlgorithmTrainer(config);
    const n = layoutOf(config.sizes).total;
    expect(t.params.length).toBe(2 * n);
    expect(Array.from(t.params.subarray(0, n))).toEqual(Array.from(initFlat(config.sizes, new Rng(config.seed).fork())));
    expect(new Set(t.params.subarray(n))).toEqual(new Set([Math.fround(0.01)]));
  });
});

describe('the sparse first layer (wide inputs, mostly 0: the glyphs)', () => {
  const SIZES = [70, 9, 6, 3];
  const lay = layoutOf(SIZES);
  const rng = new Rng(21);
  const theta = initFlat(SIZES, rng);
  const n = 7;
  // A quarter of the pixels on, some rows' whole halves off.
  const x = Float32Array.from({ length: n * 70 }, (_, i) => (rng.uniform(0, 1) < 0.25 && (i % 70 < 35 || i % 3 === 0) ? rng.uniform(0.2, 1) : 0));
  const y = new Float32Array(n * 3);
  for (let r = 0; r < n; r++) y[r * 3 + (r % 3)] = 1;
  const v = initFlat(SIZES, new Rng(22));

  it.each(['mse', 'crossEntropy'] as const)('%s: loss, gradient and Hessian-vector product equal the dense kernels and finite differences', (kind) => {
    expect(new Workspace(lay, n).sparse).not.toBeNull(); // on by default from SPARSE_MIN_INPUTS inputs
    const run = (sparse: boolean) => {
      const ws = new Workspace(lay, n, { sparse });
      expect(ws.sparse !== null).toBe(sparse);
      const g = new Float64Array(lay.total);
      const hv = new Float64Array(lay.total);
      const loss = lossAndGrad(ws, theta, x, y, n, g, kind);
      hessianVector(ws, theta, v, n, hv);
      return { loss, g, hv };
    };
    const [sp, dense] = [run(true), run(false)];
    expect(sp.loss).toBeCloseTo(dense.loss, 13);
    expect(relErr(sp.g, dense.g)).toBeLessThan(1e-13);
    expect(relErr(sp.hv, dense.hv)).toBeLessThan(1e-13);
    const ws = new Workspace(lay, n, { sparse: true });
    const fd = finiteDiff((p) => lossAndGrad(ws, p, x, y, n, null, kind), theta, 1e-6);
    expect(relErr(sp.g, fd)).toBeLessThan(1e-7);
    // Every first-layer weight of an input that is 0 in every row has no gradient; the others do.
    const off = Array.from({ length: 70 }, (_, i) => i).filter((i) => Array.from({ length: n }, (_, r) => x[r * 70 + i]).every((a) => a === 0));
    expect(off.length).toBeGreaterThan(0);
    for (const i of off) expect(Math.max(...sp.g.subarray(i * 9, i * 9 + 9).map(Math.abs))).toBe(0);
  });
});

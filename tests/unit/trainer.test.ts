/**
 * MetaTrainer: no tensor leaks over many steps, diverging runs stop cleanly with the last good parameters
 * kept, determinism for a seed; Adam against a hand-written float64 Adam.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Adam } from '../../src/meta/engine/adam';
import { ALGORITHM_IDS, ALGORITHMS, type Algorithm, type AlgorithmId } from '../../src/meta/engine/algorithms';
import { initParams } from '../../src/meta/engine/model';
import { SINUSOID_MLP } from '../../src/meta/contracts/architecture';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, readParams, type Params } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { DIVERGENCE_FACTOR, MetaTrainer } from '../../src/meta/engine/trainer';
import { PAPER_CONFIG, type TrainConfig } from '../../src/meta/contracts/config';
import { RefAdam } from './helpers/reference';
import type { ParamArrays } from '../../src/meta/contracts/types';

function small(algorithm: AlgorithmId, over: Partial<TrainConfig> = {}): TrainConfig {
  return { ...PAPER_CONFIG, algorithm, metaBatch: 4, kSupport: 5, kQuery: 5, iterations: 100, seed: 1, ...over };
}

function snapshot(params: Params): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [n, t] of Object.entries(params)) out[n] = Array.from(t.dataSync());
  return out;
}

function allFinite(s: Record<string, number[]>): boolean {
  return Object.values(s).every((v) => v.every(Number.isFinite));
}

beforeAll(async () => {
  await useNodeBackend('wasm');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MetaTrainer', () => {
  it('matches the paper settings by default', () => {
    expect(PAPER_CONFIG).toEqual({
      metaBatch: 25,
      kSupport: 10,
      kQuery: 10,
      innerSteps: 1,
      alpha: 0.01,
      metaLr: 0.001,
      iterations: 70000,
      seed: 1,
      lambda: 10,
      cgSteps: 5,
    });
  });

  for (const algorithm of ALGORITHM_IDS.filter((a) => ALGORITHMS[a].outer !== 'none')) {
    it(`${algorithm}: the tensor count stays flat over 50 steps and dispose() frees everything`, async () => {
      const start = tf.memory().numTensors;
      const trainer = new MetaTrainer(small(algorithm, { innerSteps: 2 }));
      expect((await trainer.step()).ok).toBe(true);
      // After the first step: params + Adam's m and v (one tensor each per parameter); Reptile keeps no moments.
      const after1 = tf.memory().numTensors;
      const perParam = ALGORITHMS[algorithm].outer === 'reptile' ? 1 : 3;
      expect(after1 - start).toBe(perParam * Object.keys(trainer.params).length);
      expect(Object.keys(trainer.params)).toHaveLength(ALGORITHMS[algorithm].learnedRates ? 12 : 6);
      const losses: number[] = [];
      for (let i = 2; i <= 50; i++) {
        const r = await trainer.step();
        expect(r).toMatchObject({ ok: true, iteration: i });
        losses.push(r.loss);
        expect(tf.memory().numTensors).toBe(after1);
      }
      expect(trainer.iteration).toBe(50);
      expect(losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
      trainer.dispose();
      expect(tf.memory().numTensors).toBe(start);
    });
  }

  it('is deterministic for a seed, and uses the given initial parameters', async () => {
    const run = async (seed: number, initial?: Params) => {
      const t = new MetaTrainer(small('maml', { seed }), initial);
      for (let i = 0; i < 3; i++) await t.step();
      const s = snapshot(t.params);
      t.dispose();
      return s;
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
    // Default init comes from a fork of the seeded stream: giving the same params explicitly changes nothing.
    const rng = new Rng(5);
    const init = initParams(SINUSOID_MLP, rng.fork());
    expect(await run(5, init)).toEqual(a);
  });

  it('training reduces the meta-loss (fomaml, a few dozen steps)', async () => {
    const trainer = new MetaTrainer(small('fomaml', { metaLr: 0.01, metaBatch: 10, seed: 2 }));
    const losses: number[] = [];
    for (let i = 0; i < 60; i++) losses.push((await trainer.step()).loss);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(losses.slice(-15))).toBeLessThan(0.8 * mean(losses.slice(0, 15)));
    trainer.dispose();
  });

  it('a huge alpha (5, three inner steps) diverges at once: ok false, reason, params untouched', async () => {
    const trainer = new MetaTrainer(small('maml', { alpha: 5, innerSteps: 3 }));
    const before = snapshot(trainer.params);
    const tensors = tf.memory().numTensors;
    const r = await trainer.step();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.iteration).toBe(1);
    expect(Number.isFinite(r.loss)).toBe(false);
    expect(r.reason).toMatch(/diverged/i);
    expect(r.reason).toMatch(/alpha = 5/);
    expect(trainer.iteration).toBe(0);
    expect(snapshot(trainer.params)).toEqual(before);
    expect(allFinite(before)).toBe(true);
    // The failure path leaks nothing either.
    expect(tf.memory().numTensors).toBe(tensors);
    trainer.dispose();
  });

  it('alpha = 5 with one inner step (finite but exploded meta-loss) is refused as divergence', async () => {
    const trainer = new MetaTrainer(small('maml', { alpha: 5, innerSteps: 1 }));
    const before = snapshot(trainer.params);
    const r = await trainer.step();
    expect(r.ok).toBe(false);
    // The loss is finite (about 1e8 here): only the explosion check can catch it.
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(DIVERGENCE_FACTOR).toBeGreaterThan(1);
    if (!r.ok) {
      expect(r.reason).toMatch(/diverged at iteration 1/i);
      expect(r.reason).toMatch(new RegExp(`over ${DIVERGENCE_FACTOR} times`));
    }
    expect(snapshot(trainer.params)).toEqual(before);
    expect(trainer.iteration).toBe(0);
    trainer.dispose();
    // The paper's alpha trains normally with the same seed.
    const fine = new MetaTrainer(small('maml'));
    for (let i = 0; i < 5; i++) expect((await fine.step()).ok).toBe(true);
    fine.dispose();
  });

  it('a finite loss with a non-finite gradient is refused too, and leaks nothing', async () => {
    const trainer = new MetaTrainer(small('fomaml'));
    expect((await trainer.step()).ok).toBe(true);
    const before = snapshot(trainer.params);
    const real = ALGORITHMS.fomaml.metaGradient!;
    // The real gradient with one NaN entry in w1 (the loss stays finite).
    const spy = vi.spyOn(ALGORITHMS.fomaml as { metaGradient: NonNullable<Algorithm['metaGradient']> }, 'metaGradient').mockImplementation((p, b, cfg) => {
      const r = real(p, b, cfg);
      const mask = tf.oneHot(7, r.grads.w1.size).reshape(r.grads.w1.shape);
      return { loss: r.loss, grads: { ...r.grads, w1: tf.add(r.grads.w1, tf.mul(mask, NaN)) } };
    });
    const tensors = tf.memory().numTensors;
    const r = await trainer.step();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(r.ok).toBe(false);
    expect(Number.isFinite(r.loss)).toBe(true);
    if (!r.ok) expect(r.reason).toMatch(/diverged at iteration 2: the meta-gradient is not finite/);
    expect(snapshot(trainer.params)).toEqual(before);
    expect(trainer.iteration).toBe(1);
    expect(tf.memory().numTensors).toBe(tensors);
    spy.mockRestore();
    expect((await trainer.step()).ok).toBe(true);
    trainer.dispose();
  });

  for (const algorithm of ['maml', 'pretrained'] as const) {
    it(`${algorithm}: a huge meta learning rate diverges after a good step; the last good params are kept`, async () => {
      const trainer = new MetaTrainer(small(algorithm, { metaLr: 1e6 }));
      const initial = snapshot(trainer.params);
      let last = initial;
      let failure: Extract<Awaited<ReturnType<MetaTrainer['step']>>, { ok: false }> | null = null;
      for (let i = 0; i < 20 && !failure; i++) {
        const tensors = tf.memory().numTensors;
        const r = await trainer.step();
        if (r.ok) last = snapshot(trainer.params);
        else {
          failure = r;
          expect(tf.memory().numTensors).toBe(tensors);
        }
      }
      expect(failure).not.toBeNull();
      // At least one update happened first (so "unchanged" means the last good step, not the initial weights).
      expect(failure!.iteration).toBeGreaterThan(1);
      expect(last).not.toEqual(initial);
      expect(failure!.reason).toMatch(/diverged at iteration \d+/i);
      expect(failure!.reason).toMatch(/meta learning rate = 1000000/);
      expect(trainer.iteration).toBe(failure!.iteration - 1);
      const after = snapshot(trainer.params);
      expect(after).toEqual(last);
      expect(allFinite(after)).toBe(true);
      // Stepping again keeps failing (same params, same Adam state) without corrupting anything.
      const again = await trainer.step();
      expect(again.ok).toBe(false);
      expect(snapshot(trainer.params)).toEqual(last);
      trainer.dispose();
    });
  }
});

describe('Adam', () => {
  it('matches a hand-written float64 Adam on a small quadratic', async () => {
    // f(p) = sum_i c_i (p_i - a_i)^2 over two tensors of different shapes; gradient 2 c (p - a).
    const shapes: Record<string, number[]> = { w: [2, 3], b: [3] };
    const rng = new Rng(4);
    const n = 9;
    const c = Array.from({ length: n }, () => rng.uniform(0.1, 10));
    const a = Array.from({ length: n }, () => rng.uniform(-2, 2));
    const p0 = Float32Array.from({ length: n }, () => rng.uniform(-2, 2));
    const split = (v: ArrayLike<number>): Params => ({
      w: tf.tensor(Array.from(v).slice(0, 6), shapes.w),
      b: tf.tensor(Array.from(v).slice(6), shapes.b),
    });
    const lr = 0.05;
    const adam = new Adam(lr);
    const ref = new RefAdam(n, lr);
    let params = split(p0);
    let refP: Float64Array = Float64Array.from(p0);
    const startTensors = tf.memory().numTensors;
    for (let step = 1; step <= 8; step++) {
      // Both optimisers see the gradient at the float64 reference iterate, so only Adam itself is compared.
      const g = Array.from(refP, (v, i) => 2 * c[i] * (v - a[i]));
      const grads = split(g);
      const next = adam.apply(params, grads);
      // Neither input is disposed by apply().
      expect(params.w.isDisposed || grads.w.isDisposed).toBe(false);
      disposeParams(params);
      disposeParams(grads);
      params = next;
      refP = ref.step(refP, g);
      const got = [...params.w.dataSync(), ...params.b.dataSync()];
      for (let i = 0; i < n; i++) {
        // Displacement from the start: each step moves ~lr, float32 rounding is ~1e-7 of |p|.
        expect(Math.abs(got[i] - refP[i])).toBeLessThan(2e-6 * (1 + Math.abs(refP[i])));
      }
      if (step === 1) {
        // First Adam step is lr * sign(g) (up to eps): a distinctive check of the bias correction.
        for (let i = 0; i < n; i++) expect(got[i] - p0[i]).toBeCloseTo(-lr * Math.sign(g[i]), 5);
      }
      // Params + m + v, nothing else retained.
      expect(tf.memory().numTensors).toBe(startTensors + 2 * 3 - 2);
    }
    adam.dispose();
    disposeParams(params);
    expect(tf.memory().numTensors).toBe(startTensors - 2);
  });

  it('moves towards the minimum and respects a changed learning rate', async () => {
    const adam = new Adam(0.1);
    let p: Params = { x: tf.tensor1d([3]) };
    for (let i = 0; i < 200; i++) {
      const g = { x: tf.mul(2, p.x) };
      const next = adam.apply(p, g);
      disposeParams(g);
      disposeParams(p);
      p = next;
    }
    const x: ParamArrays = await readParams(p);
    expect(Math.abs(x.x.values[0])).toBeLessThan(0.1);
    adam.learningRate = 0;
    const g = { x: tf.ones([1]) };
    const q = adam.apply(p, g);
    expect(q.x.dataSync()[0]).toBe(x.x.values[0]);
    disposeParams(g);
    disposeParams(p);
    disposeParams(q);
    adam.dispose();
  });
});

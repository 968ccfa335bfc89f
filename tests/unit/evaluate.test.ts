/**
 * Evaluation statistics (meanCi95) and evaluate(): shape of the curves, determinism, agreement with the float64
 * reference (so the chunking and the per-step bookkeeping are right), and that a better model scores better.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { learnerFor } from '../../src/meta/engine/inner';
import { evaluate, PAPER_EVAL } from '../../src/meta/engine/evaluate';
import { initParams } from '../../src/meta/engine/model';
import { SINUSOID_MLP } from '../../src/meta/contracts/architecture';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { meanCi95 } from '../../src/meta/contracts/stats';
import { disposeBatch, sampleTestBatch } from '../../src/meta/engine/meta-batch';
import { MetaTrainer } from '../../src/meta/engine/trainer';
import { PAPER_CONFIG } from '../../src/meta/contracts/config';
import { layout, mse, sgd } from './helpers/reference';
import { batchToRef, flatParams } from './helpers/tf';
import type { EvalConfig } from '../../src/meta/contracts/types';

describe('meanCi95', () => {
  it('matches hand-computed mean and 1.96 * sd / sqrt(n) (sample sd, n - 1)', () => {
    // [1, 2, 3, 4]: mean 2.5, sample variance (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5 / 3.
    const r = meanCi95([1, 2, 3, 4]);
    expect(r.mean).toBe(2.5);
    expect(r.ci95).toBeCloseTo((1.96 * Math.sqrt(5 / 3)) / 2, 12);
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, sum of squares 32, sample variance 32 / 7.
    const s = meanCi95(new Float32Array([2, 4, 4, 4, 5, 5, 7, 9]));
    expect(s.mean).toBe(5);
    expect(s.ci95).toBeCloseTo((1.96 * Math.sqrt(32 / 7)) / Math.sqrt(8), 12);
    // Two values: sd = |a - b| / sqrt(2).
    expect(meanCi95([0, 1]).ci95).toBeCloseTo((1.96 * Math.sqrt(0.5)) / Math.sqrt(2), 12);
  });

  it('n = 1 gives a zero-width interval, constant data zero width, empty gives NaN', () => {
    expect(meanCi95([3.25])).toEqual({ mean: 3.25, ci95: 0 });
    expect(meanCi95([2, 2, 2])).toEqual({ mean: 2, ci95: 0 });
    const e = meanCi95([]);
    expect(e.mean).toBeNaN();
    expect(e.ci95).toBeNaN();
  });
});

describe('evaluate()', () => {
  const cfg: EvalConfig = { kShot: 5, steps: 3, tasks: 50, alpha: 0.01, queryPoints: 20, seed: 4 };

  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  it('paper evaluation defaults', () => {
    expect(PAPER_EVAL).toMatchObject({ steps: 10, tasks: 600, alpha: 0.01 });
  });

  it('returns steps + 1 means with positive CIs, deterministic for a seed, different for another', async () => {
    const params = initParams(SINUSOID_MLP, new Rng(1));
    const before = tf.memory().numTensors;
    const a = await evaluate(learnerFor('maml', params, PAPER_CONFIG), cfg);
    expect(tf.memory().numTensors).toBe(before);
    expect(a.kShot).toBe(5);
    expect(a.tasks).toBe(50);
    expect(a.alpha).toBe(0.01);
    expect(a.mean).toHaveLength(4);
    expect(a.ci95).toHaveLength(4);
    for (let s = 0; s < 4; s++) {
      expect(Number.isFinite(a.mean[s])).toBe(true);
      expect(a.mean[s]).toBeGreaterThan(0);
      expect(a.ci95[s]).toBeGreaterThan(0);
      expect(a.ci95[s]).toBeLessThan(a.mean[s]);
    }
    const b = await evaluate(learnerFor('maml', params, PAPER_CONFIG), cfg);
    expect(b).toEqual(a);
    const c = await evaluate(learnerFor('maml', params, PAPER_CONFIG), { ...cfg, seed: 5 });
    expect(c.mean).not.toEqual(a.mean);
    disposeParams(params);
  });

  it('agrees with the float64 reference task by task, across chunks of 100 tasks', async () => {
    const lay = layout(SINUSOID_MLP.sizes);
    const params = initParams(SINUSOID_MLP, new Rng(2));
    const theta = flatParams(lay, params);
    const c2 = { ...cfg, tasks: 130, steps: 2, alpha: 0.02, kShot: 4, queryPoints: 10 };
    const curve = await evaluate(learnerFor('maml', params, PAPER_CONFIG), c2);
    // Replay the sampling: the whole test set from one stream seeded with cfg.seed.
    const { batch } = sampleTestBatch(new Rng(c2.seed), c2.tasks, c2.kShot, c2.queryPoints);
    const perStep: number[][] = [[], [], []];
    for (const task of batchToRef(batch)) {
      for (let s = 0; s <= c2.steps; s++) perStep[s].push(mse(lay, sgd(lay, theta, task.support, c2.alpha, s), task.query));
    }
    disposeBatch(batch);
    for (let s = 0; s <= c2.steps; s++) {
      const ref = meanCi95(perStep[s]);
      expect(Math.abs(curve.mean[s] - ref.mean) / ref.mean).toBeLessThan(1e-5);
      expect(Math.abs(curve.ci95[s] - ref.ci95) / ref.ci95).toBeLessThan(1e-4);
    }
    disposeParams(params);
  });

  it('the test set does not depend on the chunk size (the worker uses 25, Node 100)', async () => {
    const params = initParams(SINUSOID_MLP, new Rng(6));
    const learner = learnerFor('maml', params, PAPER_CONFIG);
    const c3 = { ...cfg, tasks: 110, steps: 2 };
    const whole = await evaluate(learner, c3, { chunk: 110 });
    for (const chunk of [25, 100, 7]) {
      const split = await evaluate(learner, c3, { chunk });
      for (let s = 0; s <= 2; s++) expect(split.mean[s]).toBeCloseTo(whole.mean[s], 6);
    }
    // And a test batch is drawn task by task: the first 30 of 110 tasks are the 30 tasks of a 30-task draw.
    const big = sampleTestBatch(new Rng(3), 110, 5, 7);
    const small = sampleTestBatch(new Rng(3), 30, 5, 7);
    expect(big.tasks.slice(0, 30)).toEqual(small.tasks);
    expect(Array.from(big.batch.queryX.dataSync().slice(0, 30 * 7))).toEqual(Array.from(small.batch.queryX.dataSync()));
    disposeBatch(big.batch);
    disposeBatch(small.batch);
    disposeParams(params);
  });

  it('a (briefly) meta-trained model has lower MSE than its random initialisation', async () => {
    const trainer = new MetaTrainer({ ...PAPER_CONFIG, algorithm: 'maml', metaBatch: 8, metaLr: 0.003, iterations: 120, seed: 3 });
    const init = initParams(SINUSOID_MLP, new Rng(99));
    for (let i = 0; i < 120; i++) expect((await trainer.step()).ok).toBe(true);
    const e = { ...cfg, steps: 1 };
    const trained = await evaluate(learnerFor('maml', trainer.params, PAPER_CONFIG), e);
    const random = await evaluate(learnerFor('maml', init, PAPER_CONFIG), e);
    // Paired comparison (same test tasks and points for both): a clear gap (about 1.0 with these seeds).
    for (const s of [0, 1]) expect(trained.mean[s]).toBeLessThan(random.mean[s] - 0.5);
    trainer.dispose();
    disposeParams(init);
  });
});

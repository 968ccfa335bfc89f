/**
 * adaptToPoints (what the task and loss panels draw): shapes, agreement with float64 SGD, several methods
 * stacked in one pass, task loss, divergence detection and the no-points case.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptToPoints } from '../../src/meta/engine/adaptation';
import { learnerFor, type Learner } from '../../src/meta/engine/inner';
import { initModel, initParams } from '../../src/meta/engine/model';
import { SINUSOID_MLP } from '../../src/meta/contracts/architecture';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, type Params } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { samplePoints, sinusoid, xGrid, type Point } from '../../src/meta/contracts/tasks/sinusoid';
import { MetaTrainer } from '../../src/meta/engine/trainer';
import { defaultTrainConfig, PAPER_CONFIG } from '../../src/meta/contracts/config';
import { layout, mse, predict, sgd } from './helpers/reference';
import { flatParams } from './helpers/tf';

/** A plain MAML-style learner: every parameter adapts with the shared alpha. */
const asLearner = (params: Params): Learner => ({ params, rule: {}, taskInput: false });

const task = { amplitude: 3, phase: 1 };
const grid = xGrid(41);
const lay = layout(SINUSOID_MLP.sizes);
let trained: Params; // briefly meta-trained with MAML ("MAML-like")
let random: Params;
let points: Point[];

beforeAll(async () => {
  await useNodeBackend('wasm');
  const trainer = new MetaTrainer({ ...PAPER_CONFIG, algorithm: 'maml', metaBatch: 8, metaLr: 0.003, iterations: 60, seed: 4 });
  for (let i = 0; i < 60; i++) expect((await trainer.step()).ok).toBe(true);
  trained = trainer.params;
  random = initParams(SINUSOID_MLP, new Rng(8));
  points = samplePoints(task, 10, new Rng(2));
});

afterAll(() => {
  disposeParams(trained);
  disposeParams(random);
});

describe('adaptToPoints', () => {
  it('shapes, decreasing support loss, and taskLoss iff a true task is given', async () => {
    const before = tf.memory().numTensors;
    const steps = 5;
    const c = (await adaptToPoints([trained].map(asLearner), points, grid, steps, 0.01, task))[0]!;
    expect(tf.memory().numTensors).toBe(before);
    expect(c.predictions).toHaveLength(steps + 1);
    for (const row of c.predictions) expect(row).toHaveLength(grid.length);
    expect(c.supportLoss).toHaveLength(steps + 1);
    for (let s = 1; s <= steps; s++) expect(c.supportLoss[s]).toBeLessThan(c.supportLoss[s - 1]);
    expect(c.supportLoss[steps]).toBeLessThan(0.9 * c.supportLoss[0]);
    expect(c.divergedAt).toBeNull();
    // taskLoss: MSE against the true function on the grid, from the returned predictions.
    expect(c.taskLoss).toHaveLength(steps + 1);
    c.predictions.forEach((row, s) => {
      const byHand = row.reduce((a, v, i) => a + (v - sinusoid(task, grid[i])) ** 2, 0) / grid.length;
      expect(c.taskLoss![s]).toBeCloseTo(byHand, 10);
    });
    const noTask = (await adaptToPoints([trained].map(asLearner), points, grid, steps, 0.01, null))[0]!;
    expect(noTask.taskLoss).toBeNull();
    expect(noTask.predictions).toEqual(c.predictions);
    expect(noTask.supportLoss).toEqual(c.supportLoss);
  });

  it('predictions and support losses match float64 SGD on the points', async () => {
    const steps = 3;
    const alpha = 0.02;
    const c = (await adaptToPoints([random].map(asLearner), points, grid, steps, alpha, task))[0]!;
    const theta = flatParams(lay, random);
    // The points reach TF.js as float32.
    const data = { x: points.map((p) => [Math.fround(p.x)]), y: points.map((p) => [Math.fround(p.y)]) };
    const gx = grid.map((x) => [Math.fround(x)]);
    for (let s = 0; s <= steps; s++) {
      const phi = sgd(lay, theta, data, alpha, s);
      const ref = predict(lay, phi, gx).map((r) => r[0]);
      ref.forEach((v, i) => expect(Math.abs(c.predictions[s][i] - v)).toBeLessThan(1e-5 * (1 + Math.abs(v))));
      const refLoss = mse(lay, phi, data);
      expect(Math.abs(c.supportLoss[s] - refLoss) / refLoss).toBeLessThan(1e-5);
    }
    // The steps really moved the model.
    expect(Math.max(...c.predictions[steps].map((v, i) => Math.abs(v - c.predictions[0][i])))).toBeGreaterThan(1e-2);
  });

  it('several methods at once give the same curves as each method alone', async () => {
    const both = (await adaptToPoints([trained, random].map(asLearner), points, grid, 4, 0.01, task)).map((c) => c!);
    expect(both).toHaveLength(2);
    const alone = [(await adaptToPoints([asLearner(trained)], points, grid, 4, 0.01, task))[0]!, (await adaptToPoints([asLearner(random)], points, grid, 4, 0.01, task))[0]!];
    for (let m = 0; m < 2; m++) {
      for (let s = 0; s <= 4; s++) {
        both[m].predictions[s].forEach((v, i) => expect(v).toBeCloseTo(alone[m].predictions[s][i], 5));
        expect(both[m].supportLoss[s]).toBeCloseTo(alone[m].supportLoss[s], 5);
      }
    }
    // And the methods are really different (no mix-up of the stacking order).
    expect(both[0].predictions[0][0]).not.toBeCloseTo(both[1].predictions[0][0], 3);
    expect(await adaptToPoints([], points, grid, 4, 0.01, task)).toEqual([]);
  });

  it('divergedAt marks the first non-finite step for a huge alpha, null otherwise', async () => {
    const ok = (await adaptToPoints([trained].map(asLearner), points, grid, 10, 0.01, task))[0]!;
    expect(ok.divergedAt).toBeNull();
    const bad = (await adaptToPoints([trained].map(asLearner), points, grid, 10, 1e3, task))[0]!;
    expect(bad.divergedAt).not.toBeNull();
    const d = bad.divergedAt!;
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(10);
    expect(bad.predictions[d].every(Number.isFinite)).toBe(false);
    for (let s = 0; s < d; s++) expect(bad.predictions[s].every(Number.isFinite)).toBe(true);
    // Step 0 is the same model either way.
    expect(bad.predictions[0]).toEqual(ok.predictions[0]);
  });

  it('no points: nothing to adapt to, every step shows the initial model', async () => {
    const before = tf.memory().numTensors;
    const c = (await adaptToPoints([trained].map(asLearner), [], grid, 5, 0.01, task))[0]!;
    expect(tf.memory().numTensors).toBe(before);
    expect(c.predictions).toHaveLength(6);
    for (const row of c.predictions) expect(row).toEqual(c.predictions[0]);
    const ref = predict(lay, flatParams(lay, trained), grid.map((x) => [Math.fround(x)])).map((r) => r[0]);
    ref.forEach((v, i) => expect(c.predictions[0][i]).toBeCloseTo(v, 5));
    expect(c.supportLoss).toHaveLength(6);
    for (const l of c.supportLoss) expect(l).toBeNaN();
    expect(c.divergedAt).toBeNull();
    expect(new Set(c.taskLoss)).toHaveProperty('size', 1);
    // Even with a huge alpha: no step is taken.
    const huge = (await adaptToPoints([trained].map(asLearner), [], grid, 5, 1e3, task))[0]!;
    expect(huge.divergedAt).toBeNull();
    expect(huge.predictions).toEqual(c.predictions);
  });
});

describe('adaptToPoints divergence', () => {
  // divergedAt only looks at the grid predictions: the support loss (a square) overflows to Infinity one step
  // earlier, so the loss panel already shows Infinity while divergedAt says the step is still fine.
  it('divergedAt is no later than the first non-finite support loss', async () => {
    for (const alpha of [1, 10]) {
      const c = (await adaptToPoints([random].map(asLearner), points, grid, 10, alpha, task))[0]!;
      const firstBadLoss = c.supportLoss.findIndex((l) => !Number.isFinite(l));
      expect(firstBadLoss).toBeGreaterThanOrEqual(0);
      expect(c.divergedAt).not.toBeNull();
      expect(c.divergedAt!).toBeLessThanOrEqual(firstBadLoss);
    }
  });
});

describe('adaptToPoints with learners of different rules', () => {
  it('adapts each by its own rule in one call, equal to each alone; the oracle needs a true task', async () => {
    const ids = ['maml', 'anil', 'metasgd', 'imaml', 'oracle', 'fomaml'] as const;
    const learners = ids.map((id, i) => learnerFor(id, initModel(id, new Rng(40 + i), 0.02), { ...defaultTrainConfig(id), lambda: 3 }));
    const task = { amplitude: 2.5, phase: 0.7 };
    const pts = samplePoints(task, 6, new Rng(77));
    const grid = xGrid(31);
    const together = await adaptToPoints(learners, pts, grid, 3, 0.05, task);
    for (let i = 0; i < ids.length; i++) {
      const [alone] = await adaptToPoints([learners[i]], pts, grid, 3, 0.05, task);
      for (let s = 0; s <= 3; s++)
        together[i]!.predictions[s].forEach((v, j) => expect(v, `${ids[i]} step ${s}`).toBeCloseTo(alone!.predictions[s][j], 5));
    }
    const moved = (i: number) => Math.max(...together[i]!.predictions[3].map((v, j) => Math.abs(v - together[i]!.predictions[0][j])));
    for (const id of ['maml', 'anil', 'metasgd', 'imaml', 'fomaml'] as const) expect(moved(ids.indexOf(id)), id).toBeGreaterThan(1e-3);
    // The oracle does not adapt: the same curve at every step.
    expect(moved(ids.indexOf('oracle'))).toBe(0);
    // Meta-SGD uses its learned rates, not the shared alpha: with rates set to 0 it does not move at all.
    const frozen = { ...learners[2], params: { ...learners[2].params } };
    for (const n of Object.keys(frozen.params)) if (n.startsWith('lr_')) frozen.params[n] = tf.zerosLike(frozen.params[n]);
    const [still] = await adaptToPoints([frozen], pts, grid, 3, 0.05, task);
    expect(Math.max(...still!.predictions[3].map((v, j) => Math.abs(v - still!.predictions[0][j])))).toBe(0);
    // Without a true function every learner but the oracle still adapts; the oracle has no input.
    const free = await adaptToPoints(learners, pts, grid, 3, 0.05, null);
    expect(free[ids.indexOf('oracle')]).toBeNull();
    expect(free.filter((c) => c !== null)).toHaveLength(ids.length - 1);
    for (const l of learners) disposeParams(l.params);
    for (const n of Object.keys(frozen.params)) if (n.startsWith('lr_')) frozen.params[n].dispose();
  });
});

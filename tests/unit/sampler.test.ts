/**
 * The sinusoid task family (paper's ranges), seeded sampling and initial weights: same seed, same everything.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initParams } from '../../src/meta/engine/model';
import { paramNames, paramShapes, SINUSOID_MLP } from '../../src/meta/contracts/architecture';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, readParams } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { samplePoints, sampleTask, sampleX, sinusoid, SINUSOID_RANGES, xGrid } from '../../src/meta/contracts/tasks/sinusoid';
import { disposeBatch, sampleMetaBatch } from '../../src/meta/engine/meta-batch';

beforeAll(async () => {
  await useNodeBackend('cpu');
});

describe('Rng', () => {
  it('is deterministic, uniform in [0, 1), and forks deterministically', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 20000 }, () => a.next());
    expect(Array.from({ length: 20000 }, () => b.next())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    // Roughly uniform: each tenth of [0, 1) gets about 10%.
    const bins = new Array(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]++;
    for (const c of bins) expect(Math.abs(c / xs.length - 0.1)).toBeLessThan(0.01);
    expect(new Rng(43).next()).not.toBe(new Rng(42).next());
    const ints = Array.from({ length: 1000 }, () => a.int(7));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    const fa = new Rng(5).fork();
    const fb = new Rng(5).fork();
    expect([fa.next(), fa.next()]).toEqual([fb.next(), fb.next()]);
  });
});

describe('sinusoid tasks', () => {
  it('samples the paper ranges: A in [0.1, 5], phase in [0, pi], x in [-5, 5]', () => {
    expect(SINUSOID_RANGES).toEqual({ amplitude: [0.1, 5.0], phase: [0, Math.PI], x: [-5, 5] });
    const rng = new Rng(1);
    const amps: number[] = [];
    const phases: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = sampleTask(rng);
      amps.push(t.amplitude);
      phases.push(t.phase);
      const x = sampleX(rng);
      expect(x).toBeGreaterThanOrEqual(-5);
      expect(x).toBeLessThanOrEqual(5);
    }
    expect(Math.min(...amps)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...amps)).toBeLessThanOrEqual(5);
    expect(Math.min(...phases)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...phases)).toBeLessThanOrEqual(Math.PI);
    // And they fill the ranges (not a constant or a narrow band).
    expect(Math.min(...amps)).toBeLessThan(0.2);
    expect(Math.max(...amps)).toBeGreaterThan(4.9);
    expect(Math.min(...phases)).toBeLessThan(0.05);
    expect(Math.max(...phases)).toBeGreaterThan(Math.PI - 0.05);
  });

  it('y = A sin(x - phase) (the reference code sign, not x + phase)', () => {
    const task = { amplitude: 2, phase: 1 };
    expect(sinusoid(task, 1)).toBe(0);
    expect(sinusoid(task, 1 + Math.PI / 2)).toBeCloseTo(2, 15);
    const pts = samplePoints(sampleTask(new Rng(3)), 500, new Rng(4));
    const t = sampleTask(new Rng(3));
    for (const p of pts) {
      expect(p.y).toBe(t.amplitude * Math.sin(p.x - t.phase));
      expect(p.x).toBeGreaterThanOrEqual(-5);
      expect(p.x).toBeLessThanOrEqual(5);
    }
  });

  it('samplePoints with a range stays inside it and covers it', () => {
    const task = { amplitude: 3, phase: 0.5 };
    const pts = samplePoints(task, 2000, new Rng(9), [-5, -1]);
    expect(pts).toHaveLength(2000);
    const xs = pts.map((p) => p.x);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-5);
    expect(Math.max(...xs)).toBeLessThanOrEqual(-1);
    expect(Math.min(...xs)).toBeLessThan(-4.95);
    expect(Math.max(...xs)).toBeGreaterThan(-1.05);
    for (const p of pts) expect(p.y).toBe(sinusoid(task, p.x));
    for (const p of samplePoints(task, 200, new Rng(10), [2.5, 2.6])) {
      expect(p.x).toBeGreaterThanOrEqual(2.5);
      expect(p.x).toBeLessThanOrEqual(2.6);
    }
  });

  it('sampleMetaBatch: shapes [T, K, 1], ranges, and y = A sin(x - phase) for every point', () => {
    const T = 200;
    const [K, Q] = [7, 11];
    const { tasks, batch } = sampleMetaBatch(new Rng(77), T, K, Q);
    expect(tasks).toHaveLength(T);
    expect(batch.supportX.shape).toEqual([T, K, 1]);
    expect(batch.supportY.shape).toEqual([T, K, 1]);
    expect(batch.queryX.shape).toEqual([T, Q, 1]);
    expect(batch.queryY.shape).toEqual([T, Q, 1]);
    for (const t of [batch.supportX, batch.supportY, batch.queryX, batch.queryY]) expect(t.dtype).toBe('float32');
    for (const task of tasks) {
      expect(task.amplitude).toBeGreaterThanOrEqual(0.1);
      expect(task.amplitude).toBeLessThanOrEqual(5);
      expect(task.phase).toBeGreaterThanOrEqual(0);
      expect(task.phase).toBeLessThanOrEqual(Math.PI);
    }
    // Replay the same random stream: tasks first, then support x's task by task, then query x's.
    const replay = new Rng(77);
    const replayTasks = Array.from({ length: T }, () => sampleTask(replay));
    expect(replayTasks).toEqual(tasks);
    for (const [X, Y, n] of [
      [batch.supportX, batch.supportY, K],
      [batch.queryX, batch.queryY, Q],
    ] as const) {
      const xs = X.dataSync();
      const ys = Y.dataSync();
      let minX = Infinity;
      let maxX = -Infinity;
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < n; i++) {
          const x64 = sampleX(replay);
          const j = t * n + i;
          // Exactly the float32 of the float64 sample and of A sin(x - phase) at it.
          expect(xs[j]).toBe(Math.fround(x64));
          expect(ys[j]).toBe(Math.fround(sinusoid(tasks[t], x64)));
          // Independently of the replay: the stored pair lies on the task's curve (float32 rounding only).
          expect(Math.abs(ys[j] - tasks[t].amplitude * Math.sin(xs[j] - tasks[t].phase))).toBeLessThan(1e-5);
          minX = Math.min(minX, xs[j]);
          maxX = Math.max(maxX, xs[j]);
        }
      }
      expect(minX).toBeGreaterThanOrEqual(-5);
      expect(maxX).toBeLessThanOrEqual(5);
      expect(minX).toBeLessThan(-4.9);
      expect(maxX).toBeGreaterThan(4.9);
    }
    disposeBatch(batch);
  });

  it('same seed gives identical tasks, points and initial weights; different seeds differ', async () => {
    const a = sampleMetaBatch(new Rng(5), 10, 5, 5);
    const b = sampleMetaBatch(new Rng(5), 10, 5, 5);
    const c = sampleMetaBatch(new Rng(6), 10, 5, 5);
    expect(a.tasks).toEqual(b.tasks);
    expect(a.tasks).not.toEqual(c.tasks);
    for (const key of ['supportX', 'supportY', 'queryX', 'queryY'] as const) {
      expect(Array.from(a.batch[key].dataSync())).toEqual(Array.from(b.batch[key].dataSync()));
      expect(Array.from(a.batch[key].dataSync())).not.toEqual(Array.from(c.batch[key].dataSync()));
    }
    // Support and query points are drawn independently.
    expect(Array.from(a.batch.supportX.dataSync())).not.toEqual(Array.from(a.batch.queryX.dataSync()));
    for (const s of [a, b, c]) disposeBatch(s.batch);

    const read = async (seed: number) => {
      const p = initParams(SINUSOID_MLP, new Rng(seed));
      const arrays = await readParams(p);
      disposeParams(p);
      return arrays;
    };
    const [p1, p2, p3] = [await read(1), await read(1), await read(2)];
    for (const name of paramNames(SINUSOID_MLP)) {
      expect(Array.from(p1[name].values)).toEqual(Array.from(p2[name].values));
      expect(Array.from(p1[name].values)).not.toEqual(Array.from(p3[name].values));
    }
  });

  it('initParams: names, shapes and the PyTorch-default uniform scale', () => {
    const before = tf.memory().numTensors;
    const p = initParams(SINUSOID_MLP, new Rng(12));
    expect(Object.keys(p)).toEqual(['w0', 'b0', 'w1', 'b1', 'w2', 'b2']);
    expect(paramNames(SINUSOID_MLP)).toEqual(['w0', 'b0', 'w1', 'b1', 'w2', 'b2']);
    const shapes = paramShapes(SINUSOID_MLP);
    expect(shapes).toEqual({ w0: [1, 40], b0: [40], w1: [40, 40], b1: [40], w2: [40, 1], b2: [1] });
    for (const [name, t] of Object.entries(p)) {
      expect(t.shape).toEqual(shapes[name]);
      const fanIn = name === 'w0' || name === 'b0' ? 1 : 40;
      const bound = 1 / Math.sqrt(fanIn);
      const v = Array.from(t.dataSync());
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      if (v.length >= 40) expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    }
    disposeParams(p);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('xGrid: n evenly spaced points from -5 to 5', () => {
    const g = xGrid(11);
    expect(g).toHaveLength(11);
    expect(g[0]).toBe(-5);
    expect(g[10]).toBe(5);
    g.forEach((x, i) => expect(x).toBeCloseTo(-5 + i, 12));
    expect(xGrid(3, [0, 1])).toEqual([0, 0.5, 1]);
  });
});

/**
 * Few-shot classification in the plane (src/meta/contracts/tasks/plane.ts; issue 4 groundwork): episodes are N-way
 * K-shot with the labels their task gives, reproducible from a seed; and the engine's MAML meta-learns on them
 * (cross-entropy batches): after a short meta-training, one inner step lifts query accuracy well above the
 * unadapted model's.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../../src/meta/engine/adam';
import { ALGORITHM_INFO, getAlgorithm, type AlgorithmId } from '../../src/meta/engine/algorithms';
import { CHECKPOINT_INDEX, checkpointArrays, makeCheckpoint, parseCheckpointIndex, validateCheckpoint } from '../../src/meta/contracts/checkpoint';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { defaultTrainConfig, planeTrainConfig } from '../../src/meta/contracts/config';
import { evaluateClassification, PLANE_EVAL } from '../../src/meta/engine/evaluate';
import { adapt, learnerFor } from '../../src/meta/engine/inner';
import { accuracyByTask } from '../../src/meta/engine/losses';
import { forward, initParams } from '../../src/meta/engine/model';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, paramsFromArrays, readParams, type Params } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { disposeBatch, classificationBatch } from '../../src/meta/engine/meta-batch';
import { createTrainer } from '../../src/meta/engine/trainer';
import { drawPlaneEpisodes, MAX_CLASSES, planeLabel, PLANE_RANGE, samplePlanePoints, samplePlaneTask } from '../../src/meta/contracts/tasks/plane';
import type { ClassEvalCurve } from '../../src/meta/contracts/types';

describe('plane tasks', () => {
  it.each([2, 3, 5])('%i-way episodes: k points of every class, labelled by their task, inside the square', (classes) => {
    const rng = new Rng(classes);
    for (let t = 0; t < 20; t++) {
      const task = samplePlaneTask(rng, classes);
      if (classes > 2) expect(task.kind).toBe('cells');
      const pts = samplePlanePoints(task, classes, 4, rng);
      expect(pts.labels.length).toBe(classes * 4);
      for (let c = 0; c < classes; c++) expect(pts.labels.filter((l) => l === c).length).toBe(4);
      pts.labels.forEach((l, i) => {
        const [x, y] = [pts.x[2 * i], pts.x[2 * i + 1]];
        expect(x).toBeGreaterThanOrEqual(PLANE_RANGE[0]);
        expect(y).toBeLessThanOrEqual(PLANE_RANGE[1]);
        // Stored as float32: the label is the task's at the stored point except within float32 rounding of a boundary.
        expect(planeLabel(task, x, y)).toBe(l);
      });
    }
  });

  it('two-class tasks are lines and circles, both seen; the same seed gives the same episodes', () => {
    const rng = new Rng(7);
    const kinds = new Set(Array.from({ length: 40 }, () => samplePlaneTask(rng, 2).kind));
    expect(kinds).toEqual(new Set(['line', 'circle']));
    const a = drawPlaneEpisodes(new Rng(3), 4, 3, 5, 7);
    const b = drawPlaneEpisodes(new Rng(3), 4, 3, 5, 7);
    expect(a).toEqual(b);
    expect(drawPlaneEpisodes(new Rng(4), 4, 3, 5, 7)).not.toEqual(a);
  });

  it(`refuses fewer than 2 or more than ${MAX_CLASSES} classes`, () => {
    for (const bad of [1, MAX_CLASSES + 1, 2.5]) expect(() => samplePlaneTask(new Rng(1), bad)).toThrow(/2 to 5 classes/);
  });
});

describe('MAML meta-learns plane classification (cross-entropy batches)', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  it("after 300 meta-iterations, one inner step lifts 2-way 5-shot query accuracy well above the unadapted model's", async () => {
    const classes = 2;
    const cfg = { ...defaultTrainConfig('maml'), metaBatch: 10, innerSteps: 1, alpha: 0.5, metaLr: 0.003 };
    const rng = new Rng(11);
    let params: Params = initParams({ sizes: [2, 40, 40, classes] }, rng.fork());
    const adam = new Adam(cfg.metaLr);
    const maml = getAlgorithm('maml');
    for (let it = 0; it < 300; it++) {
      const batch = classificationBatch(drawPlaneEpisodes(rng, cfg.metaBatch, classes, 5, 10));
      const { loss, grads } = tf.tidy(() => maml.metaGradient!(params, batch, cfg));
      const next = adam.apply(params, grads);
      disposeParams(grads);
      disposeParams(params);
      params = next;
      loss.dispose();
      disposeBatch(batch);
    }
    // Held-out episodes: query accuracy before adaptation and after one step.
    const test = classificationBatch(drawPlaneEpisodes(new Rng(999), 100, classes, 5, 10));
    const [before, after] = tf.tidy(() => {
      const adapted = adapt(params, test.supportX, test.supportY, { steps: 1, alpha: cfg.alpha, loss: 'crossEntropy' });
      return [tf.mean(accuracyByTask(forward(params, test.queryX), test.queryY)), tf.mean(accuracyByTask(forward(adapted, test.queryX), test.queryY))];
    });
    const [b, a] = [(await before.data())[0], (await after.data())[0]];
    // Measured: 0.62 before (a line or circle task's classes are not equally likely everywhere), 0.83 after.
    expect(a).toBeGreaterThan(0.75);
    expect(a - b).toBeGreaterThan(0.1);
    tf.dispose([before, after]);
    disposeBatch(test);
    disposeParams(params);
    adam.dispose();
  }, 60_000);
});

describe('meta-training on plane tasks (TrainConfig.problem = "plane")', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  const planeConfig = (algorithm: AlgorithmId, classes = 3) => ({ ...defaultTrainConfig(algorithm), problem: 'plane' as const, classes, metaBatch: 4, kSupport: 2, kQuery: 3, iterations: 3, alpha: 0.1 });

  it.each(['maml', 'fomaml', 'reptile', 'imaml', 'anil', 'metasgd', 'pretrained'] as AlgorithmId[])('%s trains on 3-way episodes with a [2, 40, 40, 3] network and leaks nothing', async (id) => {
    const trainer = createTrainer(planeConfig(id));
    // Every algorithm trains the plane on typed arrays (the cross-entropy's R-operator in src/meta/fast).
    expect(trainer.path).toBe('typed arrays');
    expect(trainer.params.w0.shape).toEqual([2, 40]);
    expect(trainer.params.w2.shape).toEqual([40, 3]);
    const first = await trainer.step();
    expect(first.ok).toBe(true);
    // Cross-entropy of 3 classes starts near log 3, not at a squared error's scale.
    expect(first.loss).toBeGreaterThan(0.5);
    expect(first.loss).toBeLessThan(3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) expect((await trainer.step()).ok).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
  });

  it('the oracle has no plane version', () => {
    expect(() => createTrainer(planeConfig('oracle'))).toThrow(/no plane version/);
  });

  it('a plane checkpoint round-trips and is validated against its own classes', async () => {
    const config = planeConfig('metasgd', 4);
    const trainer = createTrainer(config);
    await trainer.step();
    const ckpt = makeCheckpoint('metasgd', await readParams(trainer.params), { ...config, iterations: 1 });
    trainer.dispose();
    expect(ckpt.task).toBe('plane');
    expect(ckpt.architecture.sizes).toEqual([2, 40, 40, 4]);
    const back = validateCheckpoint(JSON.parse(JSON.stringify(ckpt)));
    expect(back.training).toMatchObject({ problem: 'plane', classes: 4 });
    const bad = (patch: (c: any) => void) => {
      const c = JSON.parse(JSON.stringify(ckpt));
      patch(c);
      return () => validateCheckpoint(c);
    };
    expect(bad((c) => (c.training.classes = 3))).toThrow(/Architecture mismatch.*2-40-40-3/);
    expect(bad((c) => (c.training.classes = 9))).toThrow(/classes from 2 to 5/);
    expect(bad((c) => delete c.training.problem)).toThrow(/problem "plane"/);
    expect(bad((c) => (c.task = 'sinusoid'))).toThrow(/Architecture mismatch/);
  });
});

describe('evaluateClassification', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  it('scores the same test episodes in any chunking; after meta-training, adaptation raises accuracy and lowers cross-entropy', async () => {
    const config = { ...planeTrainConfig('maml', 2), metaBatch: 10, metaLr: 0.003, iterations: 200, seed: 5 };
    const trainer = createTrainer(config);
    for (let i = 0; i < 200; i++) expect((await trainer.step()).ok).toBe(true);
    const learner = learnerFor('maml', trainer.params, config);
    const cfg = { ...PLANE_EVAL, classes: 2, kShot: 5, steps: 3, tasks: 60 };
    const whole = await evaluateClassification(learner, cfg);
    let chunks = 0;
    const inChunks = await evaluateClassification(learner, cfg, { chunk: 7, runChunk: async (fn) => (chunks++, fn()) });
    expect(chunks).toBe(9);
    whole.accuracy.mean.forEach((a, s) => expect(inChunks.accuracy.mean[s]).toBeCloseTo(a, 6));
    whole.mean.forEach((m, s) => expect(inChunks.mean[s]).toBeCloseTo(m, 5));
    expect(whole.accuracy.mean[1]).toBeGreaterThan(whole.accuracy.mean[0] + 0.1);
    expect(whole.mean[1]).toBeLessThan(whole.mean[0]);
    for (const a of whole.accuracy.mean) {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(1);
    }
    expect(whole.accuracy.ci95[1]).toBeGreaterThan(0);
    trainer.dispose();
  }, 60_000);

  /** Each episode's [cross-entropy, accuracy] per step, read off the chunks of one episode each. */
  async function perEpisode(learner: ReturnType<typeof learnerFor>, cfg: typeof PLANE_EVAL & { classes: number; kShot: number }) {
    const chunks: Float32Array[] = [];
    const curve = await evaluateClassification(learner, cfg, {
      chunk: 1,
      runChunk: async <T,>(fn: () => Promise<T>) => {
        const v = await fn();
        chunks.push(v as Float32Array);
        return v;
      },
    });
    const at = (metric: number, s: number) => chunks.map((v) => v[s * 2 + metric]);
    return { curve, at };
  }
  const byHandMedian = (v: number[]) => {
    const x = v.map((a) => (Number.isNaN(a) ? Infinity : a)).sort((a, b) => a - b);
    return x.length % 2 ? x[(x.length - 1) / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
  };

  it('stores the median episode of accuracy and cross-entropy at every step, and no blow-up where every loss is finite', async () => {
    const params = initParams({ sizes: [2, 40, 40, 3] }, new Rng(11));
    const cfg = { ...PLANE_EVAL, classes: 3, kShot: 2, steps: 2, tasks: 7 };
    const { curve, at } = await perEpisode(learnerFor('maml', params, planeTrainConfig('maml', 3)), cfg);
    for (let s = 0; s <= 2; s++) {
      expect(curve.median![s]).toBeCloseTo(byHandMedian(at(0, s)), 6);
      expect(curve.accuracy.median![s]).toBeCloseTo(byHandMedian(at(1, s)), 6);
      // The median is one of the seven episodes' values, not the mean.
      expect(at(1, s)).toContain(curve.accuracy.median![s]);
      expect(curve.blowUp![s]).toBe(0);
    }
    disposeParams(params);
  });

  it('counts an episode whose cross-entropy is not finite as blown up (weights scaled until the logits overflow)', async () => {
    const arrays = await readParams(initParams({ sizes: [2, 40, 40, 2] }, new Rng(12)));
    const huge = Object.fromEntries(Object.entries(arrays).map(([n, a]) => [n, { shape: a.shape, values: a.values.map((v) => v * 1e15) }]));
    const params = paramsFromArrays(huge);
    const cfg = { ...PLANE_EVAL, classes: 2, kShot: 1, steps: 1, tasks: 4 };
    const { curve, at } = await perEpisode(learnerFor('maml', params, planeTrainConfig('maml', 2)), cfg);
    for (let s = 0; s <= 1; s++) {
      const share = at(0, s).filter((v) => !Number.isFinite(v)).length / 4;
      expect(share).toBeGreaterThan(0);
      expect(curve.blowUp![s]).toBe(share);
    }
    disposeParams(params);
  });
});

/** The plane problems with shipped checkpoints (the page loads them; other N start untrained). */
const SHIPPED_WAYS = [2, 3, 4, 5];

describe.each(SHIPPED_WAYS)('shipped %i-way plane checkpoints (public/checkpoints/plane-Nway)', (classes) => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });
  const load = (id: AlgorithmId) => readCheckpointFile(readFileSync(`public/checkpoints/plane-${classes}way/${id}.ckpt`));

  it('lists MAML, first-order MAML and pretrained at least; each listed file is valid, trained 10,000 iterations with the plane defaults (a random initialisation for scratch), evaluated on 600 episodes for K = 1, 5', () => {
    const listed = parseCheckpointIndex(readFileSync(`public/checkpoints/plane-${classes}way/${CHECKPOINT_INDEX}`, 'utf8')).checkpoints;
    expect(listed).toEqual(expect.arrayContaining(['maml', 'fomaml', 'pretrained']));
    for (const id of listed) checkShipped(id);
  });

  const checkShipped = (id: AlgorithmId) => {
    const c = load(id);
    expect(c.task).toBe('plane');
    const iterations = ALGORITHM_INFO[id].outer === 'none' ? 0 : 10000;
    expect(c.training).toMatchObject({ ...planeTrainConfig(id, classes), seed: c.training.seed, iterations });
    expect(c.evaluation!.map((e) => [e.kShot, e.tasks])).toEqual([
      [1, 600],
      [5, 600],
    ]);
  };

  it.each(['maml', 'pretrained'] as AlgorithmId[])('%s: the committed 5-shot evaluation is what its parameters score', async (id) => {
    const c = load(id);
    const committed = c.evaluation!.find((e) => e.kShot === 5) as ClassEvalCurve;
    const params = paramsFromArrays(checkpointArrays(c));
    const e = await evaluateClassification(learnerFor(id, params, c.training), { ...PLANE_EVAL, classes, kShot: 5 });
    e.accuracy.mean.forEach((a, s) => expect(Math.abs(a - committed.accuracy.mean[s])).toBeLessThan(2e-3));
    e.mean.forEach((m, s) => expect(Math.abs(m - committed.mean[s]) / committed.mean[s]).toBeLessThan(1e-3));
    // The median episode and the share that blew up, stored beside the mean (npm run pretrain -- --reevaluate).
    e.median!.forEach((m, s) => expect(Math.abs(m - committed.median![s]) / m).toBeLessThan(1e-3));
    e.accuracy.median!.forEach((m, s) => expect(committed.accuracy.median![s]).toBeCloseTo(m, 6));
    expect(committed.blowUp).toEqual(e.blowUp);
    disposeParams(params);
  });

  it('every stored curve carries the accuracy and cross-entropy medians and the blown-up share at steps 0..5', () => {
    const listed = parseCheckpointIndex(readFileSync(`public/checkpoints/plane-${classes}way/${CHECKPOINT_INDEX}`, 'utf8')).checkpoints;
    for (const id of listed)
      for (const e of load(id).evaluation! as ClassEvalCurve[]) {
        expect(e.median, id).toHaveLength(6);
        expect(e.accuracy.median, id).toHaveLength(6);
        expect(e.blowUp, id).toHaveLength(6);
        for (let s = 0; s <= 5; s++) {
          // An accuracy median is a whole number of the episode's 10N query points (or halfway between two).
          expect(Math.abs(e.accuracy.median![s] * 20 * classes - Math.round(e.accuracy.median![s] * 20 * classes)), id).toBeLessThan(1e-4);
          expect(e.blowUp![s] >= 0 && e.blowUp![s] <= 1, id).toBe(true);
        }
      }
  });

  it('MAML adapts in one step where the pretrained network cannot (5-shot accuracy after one step)', () => {
    const acc = (id: AlgorithmId) => (load(id).evaluation!.find((e) => e.kShot === 5) as ClassEvalCurve).accuracy;
    const [maml, pre] = [acc('maml'), acc('pretrained')];
    expect(maml.mean[1] - maml.ci95[1]).toBeGreaterThan(pre.mean[1] + pre.ci95[1]);
  });
});

/**
 * Procedural glyphs (src/meta/contracts/tasks/glyphs.ts; issue 4 groundwork): reproducible episodes of sensible images,
 * drawings of one character alike and of different characters apart (a 1-nearest-neighbour reader on raw
 * pixels does well above chance and far from perfectly), user strokes normalised like generated ones,
 * and unusable drawings refused with a reason.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlgorithmId } from '../../src/meta/engine/algorithms';
import { checkpointArrays, makeCheckpoint, validateCheckpoint } from '../../src/meta/contracts/checkpoint';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { glyphTrainConfig } from '../../src/meta/contracts/config';
import { evaluateClassification, GLYPH_EVAL } from '../../src/meta/engine/evaluate';
import { learnerFor } from '../../src/meta/engine/inner';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, paramsFromArrays, readParams } from '../../src/meta/engine/params';
import { createTrainer } from '../../src/meta/engine/trainer';
import { Rng } from '../../src/meta/contracts/random';
import { drawingProblem, GLYPH_SIZE, rasterize, sampleGlyphEpisode, type Stroke } from '../../src/meta/contracts/tasks/glyphs';
import type { ClassEvalCurve } from '../../src/meta/contracts/types';

const S = GLYPH_SIZE;

describe('glyph episodes', () => {
  it('are reproducible from a seed and differ between seeds', () => {
    const a = sampleGlyphEpisode(new Rng(5), 5, 1, 2);
    expect(sampleGlyphEpisode(new Rng(5), 5, 1, 2)).toEqual(a);
    expect(sampleGlyphEpisode(new Rng(6), 5, 1, 2).support.images[0]).not.toEqual(a.support.images[0]);
    expect(a.support.labels).toEqual([0, 1, 2, 3, 4]);
    expect(a.query.labels).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
  });

  it('images are 28 x 28 in [0, 1], with ink, their bounding box centred and spanning ~80% of the image', () => {
    const e = sampleGlyphEpisode(new Rng(7), 5, 3, 3);
    for (const img of [...e.support.images, ...e.query.images]) {
      expect(img.length).toBe(S * S);
      let ink = 0;
      const [xs, ys]: [number[], number[]] = [[], []];
      img.forEach((v, i) => {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        ink += v;
        if (v > 0.5) xs.push(i % S), ys.push(Math.floor(i / S));
      });
      expect(ink).toBeGreaterThan(15);
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      expect(Math.abs((x0 + x1 + 1) / 2 - S / 2)).toBeLessThan(2);
      expect(Math.abs((y0 + y1 + 1) / 2 - S / 2)).toBeLessThan(2);
      expect(Math.max(x1 - x0, y1 - y0) + 1).toBeGreaterThan(0.7 * S);
      expect(Math.max(x1 - x0, y1 - y0) + 1).toBeLessThan(0.95 * S);
    }
  });

  it('a 1-nearest-neighbour reader on raw pixels: well above chance on 5-way 1-shot, far from perfect', () => {
    const rng = new Rng(11);
    let right = 0;
    let total = 0;
    for (let ep = 0; ep < 60; ep++) {
      const e = sampleGlyphEpisode(rng, 5, 1, 2);
      e.query.images.forEach((q, i) => {
        const d = e.support.images.map((s) => s.reduce((a, v, j) => a + (v - q[j]) ** 2, 0));
        right += e.support.labels[d.indexOf(Math.min(...d))] === e.query.labels[i] ? 1 : 0;
        total += 1;
      });
    }
    const acc = right / total;
    // Chance is 20%; measured 70%. Drawings of a character vary (bent, rotated, sheared): pixels alone do not read
    // them reliably, which leaves room for a meta-learned model to do better.
    expect(acc).toBeGreaterThan(0.5);
    expect(acc).toBeLessThan(0.9);
  });
});

describe('user drawings', () => {
  const zig: Stroke[] = [
    [
      [0.2, 0.2],
      [0.5, 0.7],
      [0.8, 0.3],
    ],
    [
      [0.3, 0.8],
      [0.7, 0.8],
    ],
  ];

  it('are normalised: the same shape drawn smaller elsewhere gives the same image', () => {
    const small = zig.map((s) => s.map(([x, y]) => [0.6 + 0.3 * x, 0.1 + 0.3 * y] as [number, number]));
    const [a, b] = [rasterize(zig), rasterize(small)];
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-4);
    expect(a.reduce((s, v) => s + v, 0)).toBeGreaterThan(20);
  });

  it('empty, dot-like or tiny drawings are refused with a reason; a real one passes', () => {
    expect(drawingProblem([])).toMatch(/empty/);
    expect(drawingProblem([[]])).toMatch(/empty/);
    expect(drawingProblem([[[0.5, 0.5]]])).toMatch(/too small/);
    expect(
      drawingProblem([
        [
          [0.5, 0.5],
          [0.51, 0.52],
        ],
      ]),
    ).toMatch(/too small/);
    expect(drawingProblem(zig)).toBeNull();
  });
});

describe('meta-training on glyph episodes (TrainConfig.problem = "glyphs")', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  it('MAML trains a [784, 128, 64, 5] classifier on 5-way 1-shot episodes, and its adaptation is scored by accuracy', async () => {
    const config = { ...glyphTrainConfig('maml', 5, 1), metaBatch: 4, iterations: 2 };
    const trainer = createTrainer(config);
    expect(trainer.params.w0.shape).toEqual([GLYPH_SIZE * GLYPH_SIZE, 128]);
    expect(trainer.params.w2.shape).toEqual([64, 5]);
    const r = await trainer.step();
    expect(r.ok).toBe(true);
    // Five classes: the cross-entropy of an untrained net is near log 5.
    expect(Math.abs(r.loss - Math.log(5))).toBeLessThan(0.5);
    const e = await evaluateClassification(learnerFor('maml', trainer.params, config), { ...GLYPH_EVAL, classes: 5, kShot: 1, tasks: 8, steps: 2 });
    expect(e.accuracy.mean).toHaveLength(3);
    for (const a of e.accuracy.mean) {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(1);
    }
    const ckpt = makeCheckpoint('maml', await readParams(trainer.params), { ...config, iterations: 1 });
    expect(validateCheckpoint(JSON.parse(JSON.stringify(ckpt))).task).toBe('glyphs');
    trainer.dispose();
  }, 30_000);
});

describe('shipped glyph checkpoints (public/checkpoints/glyphs-5way-1shot)', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });
  const load = (id: AlgorithmId) => readCheckpointFile(readFileSync(`public/checkpoints/glyphs-5way-1shot/${id}.ckpt`));

  it.each(['maml', 'fomaml', 'pretrained'] as AlgorithmId[])('%s: valid, trained with the glyph defaults, evaluated on 600 episodes for K = 1, 5', (id) => {
    const c = load(id);
    expect(c.task).toBe('glyphs');
    expect(c.training).toMatchObject({ ...glyphTrainConfig(id, 5, 1), iterations: c.training.iterations, seed: c.training.seed });
    expect(c.training.iterations).toBeGreaterThanOrEqual(4000);
    expect(c.evaluation!.map((e) => [e.kShot, e.tasks])).toEqual([
      [1, 600],
      [5, 600],
    ]);
  });

  it('MAML reads new characters after one step; the pretrained network, whose labels mean nothing across episodes, cannot', () => {
    const acc = (id: AlgorithmId) => (load(id).evaluation!.find((e) => e.kShot === 1) as ClassEvalCurve).accuracy;
    const [maml, pre] = [acc('maml'), acc('pretrained')];
    expect(maml.mean[1] - maml.ci95[1]).toBeGreaterThan(pre.mean[1] + pre.ci95[1] + 0.3);
    // Before adapting, MAML is at chance (20%): the classes are only defined by the support set.
    expect(Math.abs(maml.mean[0] - 0.2)).toBeLessThan(0.05);
  });

  it('the committed 1-shot evaluation of MAML is what its parameters score on the 600 episodes', async () => {
    const c = load('maml');
    const committed = c.evaluation!.find((e) => e.kShot === 1) as ClassEvalCurve;
    const params = paramsFromArrays(checkpointArrays(c));
    const e = await evaluateClassification(learnerFor('maml', params, c.training), { ...GLYPH_EVAL, classes: 5, kShot: 1 });
    e.accuracy.mean.forEach((a, s) => expect(Math.abs(a - committed.accuracy.mean[s])).toBeLessThan(2e-3));
    // The median episode and the share that blew up (non-finite cross-entropy), stored beside the mean.
    e.median!.forEach((m, s) => expect(Math.abs(m - committed.median![s]) / m).toBeLessThan(1e-3));
    e.accuracy.median!.forEach((m, s) => expect(committed.accuracy.median![s]).toBeCloseTo(m, 6));
    expect(committed.blowUp).toEqual(e.blowUp);
    disposeParams(params);
  }, 120_000);

  it.each(['maml', 'fomaml', 'pretrained'] as AlgorithmId[])('%s: every stored curve carries the accuracy and cross-entropy medians and the blown-up share at steps 0..5', (id) => {
    for (const e of load(id).evaluation! as ClassEvalCurve[]) {
      expect(e.median).toHaveLength(6);
      expect(e.accuracy.median).toHaveLength(6);
      expect(e.blowUp).toHaveLength(6);
      for (let s = 0; s <= 5; s++) {
        // 5 classes x 5 query drawings: an accuracy median is a multiple of 1/25 (or halfway between two).
        expect(Math.abs(e.accuracy.median![s] * 50 - Math.round(e.accuracy.median![s] * 50))).toBeLessThan(1e-4);
        expect(e.blowUp![s] >= 0 && e.blowUp![s] <= 1).toBe(true);
        // The median episode lies near the mean (a sanity link between the two stored numbers).
        expect(Math.abs(e.accuracy.median![s] - e.accuracy.mean[s])).toBeLessThan(0.2);
      }
    }
  });
});

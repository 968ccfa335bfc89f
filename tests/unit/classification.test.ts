/**
 * The classification playgrounds' test-time path (src/meta/engine/classification.ts) and the page state behind them
 * (src/state/classification.ts): each method adapted to the user's labelled examples matches SGD on the
 * float64 cross-entropy reference step by step; probabilities are distributions; an ANIL learner adapts its
 * head only; the shipped plane MAML model raises support accuracy after one step; and the glyph support set is
 * validated with a message per problem, keeping every drawing.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointArrays, checkpointFolder, checkpointModelKey, modelKey } from '../../src/meta/contracts/checkpoint';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { adaptClassifiers } from '../../src/meta/engine/classification';
import { learnerFor } from '../../src/meta/engine/inner';
import { initParams } from '../../src/meta/engine/model';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { paramsFromArrays, readParams } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { GLYPH_SIZE } from '../../src/meta/contracts/tasks/glyphs';
import { planeGrid } from '../../src/meta/contracts/tasks/plane';
import {
  defaultGlyphs,
  emptyGlyphs,
  glyphsFromGenerator,
  glyphSupportProblems,
  glyphSupportSet,
  planeFromSeed,
  planeSupportSet,
  planeTruth,
  readableQueries,
  resizeSupport,
} from '../../src/state/classification';
import { crossEntropy, sgdCE, type ClassData } from './helpers/reference-ce';
import { flatten, layout, predict } from './helpers/reference';

beforeAll(async () => {
  await useNodeBackend('cpu');
});

const softmaxRow = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('adaptClassifiers', () => {
  it('matches float64 SGD on the cross-entropy at every step: probabilities, support loss and accuracy', async () => {
    const sizes = [2, 8, 6, 3];
    const lay = layout(sizes);
    const params = initParams({ sizes }, new Rng(5));
    const { task, points } = planeFromSeed(9, 3, 2);
    const support = planeSupportSet({ points } as never);
    const queries = planeGrid(5);
    const labels = planeTruth(task, queries)!;
    const tensorsBefore = tf.memory().numTensors;
    const [res] = await adaptClassifiers([learnerFor('maml', params, { lambda: 10, problem: 'plane', classes: 3 })], {
      classes: 3,
      support,
      queries,
      queryLabels: labels,
      steps: 3,
      alpha: 0.7,
    });
    // Every intermediate tensor is freed: nothing grows with each click.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const theta0 = flatten(lay, await readParams(params));
    const rows = (x: Float32Array) => Array.from({ length: x.length / 2 }, (_, i) => [x[2 * i], x[2 * i + 1]]);
    const data: ClassData = { x: rows(support.x), labels: Array.from(support.labels) };
    const q: ClassData = { x: rows(queries), labels: Array.from(labels) };
    expect(res.probabilities).toHaveLength(4);
    for (let s = 0; s <= 3; s++) {
      const theta = sgdCE(lay, theta0, data, 0.7, s);
      const probs = predict(lay, theta, q.x).map((z) => softmaxRow(Array.from(z)));
      probs.flat().forEach((p, i) => expect(Math.abs(res.probabilities[s][i] - p), `step ${s} prob ${i}`).toBeLessThan(2e-5));
      expect(res.supportLoss[s]).toBeCloseTo(crossEntropy(lay, theta, data), 4);
      expect(res.queryLoss![s]).toBeCloseTo(crossEntropy(lay, theta, q), 4);
      const acc = (d: ClassData) => predict(lay, theta, d.x).filter((z, r) => z.indexOf(Math.max(...z)) === d.labels[r]).length / d.x.length;
      expect(res.supportAccuracy[s]).toBeCloseTo(acc(data), 6);
      expect(res.queryAccuracy![s]).toBeCloseTo(acc(q), 6);
    }
    // Each query's probabilities are a distribution.
    for (let i = 0; i < 25; i++) expect(res.probabilities[2][3 * i] + res.probabilities[2][3 * i + 1] + res.probabilities[2][3 * i + 2]).toBeCloseTo(1, 5);
    expect(res.divergedAt).toBeNull();
    tf.dispose(Object.values(params));
  });

  it('ANIL adapts the head only; without examples every step is the initial model; a huge alpha is reported', async () => {
    const sizes = [2, 8, 6, 2];
    const lay = layout(sizes);
    const params = initParams({ sizes }, new Rng(6));
    const { points } = planeFromSeed(4, 2, 3);
    const support = planeSupportSet({ points } as never);
    const queries = planeGrid(4);
    const input = { classes: 2, support, queries, queryLabels: null, steps: 2, alpha: 0.5 };
    const problem = { lambda: 10, problem: 'plane' as const, classes: 2 };
    const [anil, maml] = await adaptClassifiers([learnerFor('anil', params, problem), learnerFor('maml', params, problem)], input);
    const theta0 = flatten(lay, await readParams(params));
    const data: ClassData = { x: Array.from({ length: support.labels.length }, (_, i) => [support.x[2 * i], support.x[2 * i + 1]]), labels: Array.from(support.labels) };
    // Head-only SGD by hand: the body's entries of the gradient are zeroed.
    let theta: Float64Array = Float64Array.from(theta0);
    const body = lay.entries.filter((e) => e.name !== 'w2' && e.name !== 'b2');
    for (let s = 0; s < 2; s++) {
      const full = sgdCE(lay, theta, data, 0.5, 1);
      for (const e of body) full.set(theta.subarray(e.offset, e.offset + e.size), e.offset);
      theta = full;
    }
    expect(anil.supportLoss[2]).toBeCloseTo(crossEntropy(lay, theta, data), 4);
    expect(maml.supportLoss[2]).not.toBeCloseTo(anil.supportLoss[2], 3);
    expect(anil.queryAccuracy).toBeNull();

    const [none] = await adaptClassifiers([learnerFor('maml', params, problem)], { ...input, support: { x: new Float32Array(0), labels: new Int32Array(0) } });
    expect(none.probabilities[2]).toEqual(none.probabilities[0]);
    expect(none.supportAccuracy.every(Number.isNaN)).toBe(true);

    const [blown] = await adaptClassifiers([learnerFor('maml', params, problem)], { ...input, alpha: 1e30, steps: 3 });
    expect(blown.divergedAt).not.toBeNull();
    await expect(adaptClassifiers([learnerFor('maml', params, problem)], { ...input, classes: 2, support: { ...support, labels: support.labels.map(() => 5) } })).rejects.toThrow(/label is 5/);
    tf.dispose(Object.values(params));
  });

  it('the shipped plane MAML model: one step on a new task raises support and task accuracy', async () => {
    const shape = { problem: 'plane' as const, classes: 2 };
    const ckpt = readCheckpointFile(readFileSync(new URL(`../../public/checkpoints/${checkpointFolder(shape)}maml.ckpt`, import.meta.url)));
    expect(checkpointModelKey(ckpt)).toBe(modelKey('maml', shape));
    expect(modelKey('maml', shape)).toBe('plane-2way/maml');
    expect(modelKey('maml')).toBe('maml');
    const params = paramsFromArrays(checkpointArrays(ckpt));
    const learner = learnerFor('maml', params, ckpt.training);
    const grid = planeGrid(21);
    let before = 0;
    let after = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const { task, points } = planeFromSeed(seed, 2, 5);
      const [r] = await adaptClassifiers([learner], { classes: 2, support: planeSupportSet({ points } as never), queries: grid, queryLabels: planeTruth(task, grid), steps: 1, alpha: 0.5 });
      before += r.queryAccuracy![0] / 10;
      after += r.queryAccuracy![1] / 10;
      expect(r.supportAccuracy[1]).toBeGreaterThanOrEqual(r.supportAccuracy[0]);
    }
    // Averaged over 10 tasks (the shipped table's 600 episodes give 86.6% after one step).
    expect(after).toBeGreaterThan(before + 0.1);
    expect(after).toBeGreaterThan(0.75);
    tf.dispose(Object.values(params));
  });
});

describe('glyph playground state', () => {
  it('an empty episode names every character; a partly drawn one names what is missing; nothing is dropped', () => {
    // The tab opens with a generated episode, ready to classify; "Clear all" empties it.
    expect(glyphSupportProblems(defaultGlyphs())).toEqual([]);
    expect(defaultGlyphs().queries.every((q) => q.label !== null && q.strokes.length > 0)).toBe(true);
    const g = emptyGlyphs();
    expect(glyphSupportProblems(g)).toHaveLength(g.classes);
    expect(glyphSupportProblems(g)[0]).toMatch(/Character 1 has no drawing/);
    const filled = glyphsFromGenerator(3, 5, 1);
    expect(glyphSupportProblems(filled)).toEqual([]);
    // A tiny scribble and a 5-shot set with one example drawn.
    const tiny = { ...filled, support: filled.support.map((ex, c) => (c === 2 ? [[[[0.5, 0.5], [0.51, 0.5]]]] as typeof ex : ex)) };
    expect(glyphSupportProblems(tiny)).toEqual([expect.stringMatching(/Character 3, example 1: .*too small/)]);
    const five = { ...filled, kShot: 5, support: resizeSupport(filled.support, 5, 5) };
    const problems = glyphSupportProblems(five);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/Character 1 has 1 of 5 examples: draw the other 4/);
    // Drawings made at 5-shot are kept when 1-shot is chosen, and are back at 5-shot.
    const drawn = { ...five, support: five.support.map((ex) => ex.map(() => ex[0])) };
    expect(glyphSupportProblems(drawn)).toEqual([]);
    const one = { ...drawn, kShot: 1, support: resizeSupport(drawn.support, 5, 1) };
    expect(one.support).toEqual(drawn.support);
    expect(glyphSupportSet(one).labels.length).toBe(5);
    expect(resizeSupport(one.support, 5, 5)).toEqual(drawn.support);
  });

  it('the generator fills K drawings per character and two labelled drawings to classify, reproducibly', () => {
    const a = glyphsFromGenerator(8, 5, 5);
    expect(a).toEqual(glyphsFromGenerator(8, 5, 5));
    expect(a.support.map((ex) => ex.length)).toEqual([5, 5, 5, 5, 5]);
    expect(a.queries.map((q) => q.label)).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    // Drawings are fitted to the pad.
    for (const p of a.support.flat(2).flat()) for (const v of p) expect(v).toBeGreaterThanOrEqual(0.09), expect(v).toBeLessThanOrEqual(0.91);
    const set = glyphSupportSet(a);
    expect(set.labels.length).toBe(25);
    expect(set.x.length).toBe(25 * GLYPH_SIZE * GLYPH_SIZE);
    expect(Array.from(set.labels.slice(0, 6))).toEqual([0, 0, 0, 0, 0, 1]);
    // Blank drawings to classify are skipped, keeping the index of the others.
    const withBlank = { ...a, queries: [{ strokes: [], label: null }, ...a.queries] };
    expect(readableQueries(withBlank).map((q) => q.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

/**
 * classificationAccuracyFlat (src/meta/fast/evaluate.ts), what time to quality scores classification by (issue 17
 * target 2: scripts/class-ttq.ts and the worker's timeToQuality), against evaluateClassification (TF.js) on the
 * same episodes, and the glyph live preset's settings.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointArrays, checkpointFolder } from '../../src/meta/contracts/checkpoint';
import { BINARY_CHECKPOINT_EXT, readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { GLYPH_EVAL, GLYPH_LIVE, glyphTrainConfig, PLANE_EVAL } from '../../src/meta/contracts/config';
import { drawEpisodes, PROBLEM_INFO } from '../../src/meta/contracts/problems';
import { Rng } from '../../src/meta/contracts/random';
import { evaluateClassification } from '../../src/meta/engine/evaluate';
import { learnerFor } from '../../src/meta/engine/inner';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { paramsFromArrays, readParams } from '../../src/meta/engine/params';
import { flatLearner } from '../../src/meta/fast/adapt';
import { classificationAccuracyFlat } from '../../src/meta/fast/evaluate';
import { flatEpisodes, initFlat } from '../../src/meta/fast/maml';

beforeAll(async () => {
  await useNodeBackend('wasm');
});

async function shippedMaml(problem: 'plane' | 'glyphs', classes: number) {
  const c = readCheckpointFile(readFileSync(`public/checkpoints/${checkpointFolder({ problem, classes })}maml${BINARY_CHECKPOINT_EXT}`));
  const learner = learnerFor('maml', paramsFromArrays(checkpointArrays(c)), c.training);
  const { theta, sizes } = flatLearner(await readParams(learner.params), learner.rule, learner.taskInput);
  return { learner, theta, sizes };
}

describe('classificationAccuracyFlat matches evaluateClassification', () => {
  for (const [problem, classes, kShot, protocol, tasks] of [
    ['glyphs', 5, 1, GLYPH_EVAL, 24],
    ['plane', 5, 5, PLANE_EVAL, 60],
  ] as const) {
    it(`${problem} ${classes}-way ${kShot}-shot, the shipped MAML, steps 0 and 1`, async () => {
      const { learner, theta, sizes } = await shippedMaml(problem, classes);
      const cfg = { ...protocol, classes, kShot, steps: 1, tasks };
      const ref = await evaluateClassification(learner, cfg);
      // evaluateClassification draws its episodes one after another from Rng(seed): the same ones here.
      const episodes = flatEpisodes(drawEpisodes(problem, new Rng(cfg.seed), tasks, classes, kShot, cfg.queryPoints), classes);
      const Q = classes * cfg.queryPoints;
      for (const steps of [0, 1]) {
        const acc = classificationAccuracyFlat(theta, sizes, episodes, cfg.alpha, steps);
        // float64 against float32: a query on a boundary may fall either way, one in all of them at most.
        expect(Math.abs(acc - ref.accuracy.mean[steps]), `step ${steps}`).toBeLessThanOrEqual(1 / (tasks * Q) + 1e-9);
      }
      // The shipped model adapts: one step does better than none, and far better than chance.
      expect(classificationAccuracyFlat(theta, sizes, episodes, cfg.alpha, 1)).toBeGreaterThan(Math.max(0.6, classificationAccuracyFlat(theta, sizes, episodes, cfg.alpha, 0)));
      // Random weights are near chance.
      expect(classificationAccuracyFlat(initFlat(sizes, new Rng(5)), sizes, episodes, cfg.alpha, 1)).toBeLessThan(0.45);
    }, 120_000);
  }
});

describe('the glyph live preset', () => {
  it('is the glyph default with its own Adam step and meta-batch, and the catalog offers it', () => {
    const base = glyphTrainConfig('maml', 5, 1);
    const { metaLr, metaBatch, kQuery, iterations, seed, ...rest } = GLYPH_LIVE.config;
    const { metaLr: l0, metaBatch: b0, kQuery: q0, iterations: i0, seed: s0, ...baseRest } = base;
    // Same network, 1-shot protocol and inner step (the page's test-time alpha): only the outer loop differs.
    expect(rest).toEqual(baseRest);
    expect(rest.kSupport).toBe(1);
    expect(metaLr).toBeGreaterThan(l0);
    expect(metaBatch * kQuery).toBeLessThan(b0 * q0);
    void [iterations, seed, i0, s0];
    expect(PROBLEM_INFO.glyphs.lecturePreset).toBe(GLYPH_LIVE);
    expect(GLYPH_LIVE.label).toContain(GLYPH_LIVE.promise);
    expect(GLYPH_LIVE.title).toContain(GLYPH_LIVE.promise);
  });
});

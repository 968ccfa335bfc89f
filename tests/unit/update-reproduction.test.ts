/**
 * "Inside the update" (issue 16), the reproduction of Arnold, Iqbal and Sha (AISTATS 2021): the shipped,
 * MAML-trained deep linear and KFO models adapt in one step far better than the shallow model, beyond the 95%
 * CIs, on test tasks the validation never saw; the files are valid and their stored numbers are what the
 * parameters give; and the shallow model's one-step progress is bounded by its fixed step, as the family was
 * chosen to make it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUpdateCheckpoint, UpdateCheckpointError, UPDATE_META_SIZE, UPDATE_MODEL_KINDS } from '../../src/meta/contracts/update-checkpoint';
import { Rng } from '../../src/meta/contracts/random';
import { drawLogisticTasks, LOGISTIC_PROTOCOL as L, UPDATE_FAMILY, UPDATE_PROTOCOL as P } from '../../src/meta/contracts/tasks/update';
import { effectivePreconditioner, UPDATE_MODELS } from '../../src/meta/fast/update/linear';
import { compareModels, summarise } from '../../src/meta/fast/update/train';

const DIR = resolve(__dirname, '../../public/checkpoints/update');
const text = (kind: string) => readFileSync(resolve(DIR, `${kind}.json`), 'utf8');
const ckpts = UPDATE_MODEL_KINDS.map((k) => parseUpdateCheckpoint(text(k)));
const models = ckpts.map((c) => ({ name: c.model, model: UPDATE_MODELS[c.model], meta: c.meta }));

describe('binary logistic regression: LogR + LinNet (and + KFO) beat LogR after one step', () => {
  it('beyond the 95% CIs, on 600 test tasks with 200 held-out points each', () => {
    const files = UPDATE_MODEL_KINDS.map((k) => parseUpdateCheckpoint(text(`logistic-${k}`)));
    for (const f of files) expect(f.task).toBe('logistic');
    const test = drawLogisticTasks(new Rng(P.testSeed), files[0].family, P.testTasks, L.kSupport, L.testQuery);
    const rows = compareModels(
      files.map((c) => ({ name: c.model, model: UPDATE_MODELS[c.model], meta: c.meta })),
      files[0].family,
      { tasks: P.testTasks, seed: P.testSeed, kSupport: L.kSupport, alpha: L.alpha, steps: [1] },
      test,
    );
    const [shallow, deep, kfo] = rows.map((r) => r.steps[1]);
    expect(deep.mean + deep.ci95).toBeLessThan(shallow.mean - shallow.ci95);
    expect(kfo.mean + kfo.ci95).toBeLessThan(shallow.mean - shallow.ci95);
    // the shallow model's one step barely moves it: less than 1% of its loss
    expect(rows[0].steps[0].mean - shallow.mean).toBeLessThan(0.01 * rows[0].steps[0].mean);
    rows.forEach((r, i) => expect(r.steps[1].mean).toBeCloseTo(files[i].evaluation.steps[1].mean, 4));
  });
});

describe('the shipped update checkpoints', () => {
  it('are valid, trained on the default family, and refuse a damaged file', () => {
    for (const k of UPDATE_MODEL_KINDS) expect(UPDATE_META_SIZE[k]).toBe(UPDATE_MODELS[k].size + UPDATE_MODELS[k].transformSize);
    for (const c of ckpts) expect(c.family).toEqual(UPDATE_FAMILY);
    const deep = JSON.parse(text('deep'));
    expect(() => parseUpdateCheckpoint({ ...deep, meta: deep.meta.slice(1) })).toThrow(UpdateCheckpointError);
    expect(() => parseUpdateCheckpoint({ ...deep, model: 'wide' })).toThrow(/Unknown model/);
    expect(() => parseUpdateCheckpoint({ ...deep, meta: [...deep.meta.slice(1), 'x'] })).toThrow(/finite/);
    expect(() => parseUpdateCheckpoint({ ...deep, family: { ...deep.family, mean: [1] } })).toThrow(/family.mean/);
    expect(parseUpdateCheckpoint({ ...deep, extra: 1 })).not.toHaveProperty('extra');
    expect(() => parseUpdateCheckpoint({ ...deep, task: 'poisson' })).toThrow(/Unknown task/);
    for (const c of ckpts) expect(c.task).toBe('regression');
  });

  const rows = compareModels(models, UPDATE_FAMILY, { tasks: P.testTasks, seed: P.testSeed, kSupport: P.kSupport, alpha: P.alpha, steps: [1] });
  const [shallow, deep, kfo] = rows.map((r) => r.steps[1]);

  it('deep and KFO beat the shallow model after one step, beyond the 95% CIs, on the 600 test tasks', () => {
    expect(deep.mean + deep.ci95).toBeLessThan(shallow.mean - shallow.ci95);
    expect(kfo.mean + kfo.ci95).toBeLessThan(shallow.mean - shallow.ci95);
    // "well below": at most half the shallow model's loss
    expect(deep.mean).toBeLessThan(0.5 * shallow.mean);
    expect(kfo.mean).toBeLessThan(0.5 * shallow.mean);
  });

  it("stores the numbers its parameters give", () => {
    rows.forEach((r, i) => {
      for (const j of [0, 1]) expect(r.steps[j].mean).toBeCloseTo(ckpts[i].evaluation.steps[j].mean, 4);
    });
  });

  it("bounds the shallow model's one-step progress by its fixed step: along w2 it moves 2 alpha a22 of the way", () => {
    const a22 = UPDATE_FAMILY.inputScales[1] ** 2;
    expect(2 * P.alpha * a22).toBeLessThan(0.1);
    // the deep and KFO models learned a much longer step along w2 than along w1
    for (const i of [1, 2]) {
      const pre = effectivePreconditioner(models[i].model, models[i].meta);
      expect(pre[3] / pre[0]).toBeGreaterThan(5);
    }
  });
});

describe('the update tables\' statistics', () => {
  it('give the share of tasks that blew up (loss above 100 or not finite) beside mean, CI and median', () => {
    const [s] = summarise([Float64Array.from([0.1, 0.2, 150, NaN, Infinity, 0.3, 0.4, 0.5])]);
    expect(s.blowUp).toBe(3 / 8);
    expect(s.median).toBeCloseTo(0.45, 12);
    expect(summarise([Float64Array.from([0.1, 99])])[0].blowUp).toBe(0);
  });
});

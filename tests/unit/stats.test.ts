/**
 * What every evaluation reports beside the mean (issue 13): the median over the tasks and the share of tasks
 * that blew up, so one task in a thousand that overflows cannot hide in a mean, nor make it the only number.
 */
import { describe, expect, it } from 'vitest';
import { BLOW_UP_MSE, blowUpShare, meanCi95, median, stepSummary } from '../../src/meta/contracts/stats';
import { evaluateFlat } from '../../src/meta/fast/evaluate';
import { flatLearner } from '../../src/meta/fast/adapt';
import { checkpointArrays } from '../../src/meta/contracts/checkpoint';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { readFileSync } from 'node:fs';
import { PAPER_EVAL } from '../../src/meta/contracts/config';

describe('step statistics', () => {
  it('median of odd and even counts; NaN counts as the largest', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([NaN, 1, 2])).toBe(2);
    expect(median([])).toBeNaN();
  });

  it('blow-up share counts values above the limit and every non-finite one', () => {
    expect(blowUpShare([1, 2, 101, NaN, Infinity, 100, -Infinity, 5])).toBe(4 / 8);
    expect(BLOW_UP_MSE).toBe(100);
  });

  it('stepSummary gives mean, CI, median and blow-up share per step', () => {
    const s = stepSummary([[1, 2, 3], [1, 1, 1e9]]);
    expect(s.mean[0]).toBeCloseTo(2);
    expect(s.ci95[0]).toBeCloseTo(meanCi95([1, 2, 3]).ci95);
    expect(s.median).toEqual([2, 1]);
    expect(s.blowUp).toEqual([0, 1 / 3]);
  });
});

describe('evaluations report them', () => {
  const ckpt = readCheckpointFile(readFileSync('public/checkpoints/maml.ckpt'));
  const learner = flatLearner(checkpointArrays(ckpt), {}, false);

  it("at the paper's alpha the shipped MAML's median is below its mean (a few hard tasks) and nothing blows up by step 1", () => {
    const c = evaluateFlat(learner, { ...PAPER_EVAL, tasks: 200, kShot: 5 });
    expect(c.median![1]).toBeLessThan(c.mean[1]);
    expect(c.blowUp![1]).toBe(0);
  });

  it('at a diverging alpha the share of blown-up tasks says so, step by step', () => {
    const c = evaluateFlat(learner, { ...PAPER_EVAL, tasks: 100, kShot: 5, alpha: 0.1 });
    expect(c.blowUp![0]).toBe(0);
    expect(c.blowUp![10]).toBeGreaterThan(0.5);
    for (let s = 1; s <= 10; s++) expect(c.blowUp![s]).toBeGreaterThanOrEqual(c.blowUp![s - 1] - 0.05);
  });
});

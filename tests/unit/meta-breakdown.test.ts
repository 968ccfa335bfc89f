/**
 * Issue 15, scenes 4 and 5: the Learn mode's meta-iteration, stage by stage (src/meta/fast/breakdown.ts). Its
 * meta-gradient is FastMaml's on the same seeded batch (the one the trainers would draw), and both are held to
 * float64 references (finite differences of the MAML loss; first-order MAML by its definition); its stages add up
 * (the per-task query losses average to the meta-loss; the shown theta moves by -beta g); and the exact and
 * first-order gradients coincide when alpha = 0 and only then.
 */
import { describe, expect, it } from 'vitest';
import { breakdownBatch, metaStepBreakdown, type MetaStepSettings } from '../../src/meta/fast/breakdown';
import { FastMaml, initFlat } from '../../src/meta/fast/maml';
import { Rng } from '../../src/meta/contracts/random';
import type { TaskSet } from '../../src/meta/contracts/tasks/sampling';
import { finiteDiff, fomamlGrad, layout, mamlLoss, mse, relErr, sgd, type RefTask } from './helpers/reference';

const SIZES = [1, 8, 8, 1];
const SETTINGS: MetaStepSettings = { tasks: 3, kSupport: 5, kQuery: 4, innerSteps: 1, alpha: 0.05, metaLr: 0.01, seed: 11 };

function refTasks(d: TaskSet): RefTask[] {
  return d.tasks.map((_, t) => ({
    support: { x: Array.from(d.sx.subarray(t * d.kSupport, (t + 1) * d.kSupport), (x) => [x]), y: Array.from(d.sy.subarray(t * d.kSupport, (t + 1) * d.kSupport), (y) => [y]) },
    query: { x: Array.from(d.qx.subarray(t * d.kQuery, (t + 1) * d.kQuery), (x) => [x]), y: Array.from(d.qy.subarray(t * d.kQuery, (t + 1) * d.kQuery), (y) => [y]) },
  }));
}

describe('metaStepBreakdown', () => {
  const theta = initFlat(SIZES, new Rng(5));
  const lay = layout(SIZES);

  it.each([1, 2])('with %i inner step(s): its meta-gradients are FastMaml\'s on the same batch, and the float64 references', (innerSteps) => {
    const s = { ...SETTINGS, innerSteps };
    const b = metaStepBreakdown(SIZES, theta, s);
    const data = breakdownBatch(s);
    const maml = new FastMaml(SIZES, innerSteps, s.kSupport, s.kQuery);
    const g = new Float64Array(theta.length);
    const loss = maml.metaGradient(theta, data, innerSteps, s.alpha, true, g);
    expect(b.exactGrad).toEqual(Array.from(g));
    expect(b.metaLoss).toBe(loss);
    const tasks = refTasks(data);
    const fd = finiteDiff((p) => mamlLoss(lay, p, tasks, s.alpha, innerSteps), theta);
    expect(relErr(b.exactGrad, fd)).toBeLessThan(1e-6);
    expect(relErr(b.firstOrderGrad, fomamlGrad(lay, theta, tasks, s.alpha, innerSteps))).toBeLessThan(1e-9);
    expect(b.metaLoss).toBeCloseTo(mamlLoss(lay, theta, tasks, s.alpha, innerSteps), 10);
  });

  it('each stage is what it says: tasks of the seed, inner-step losses, query losses averaging to the meta-loss, theta - beta g', () => {
    const b = metaStepBreakdown(SIZES, theta, { ...SETTINGS, innerSteps: 2 });
    const data = breakdownBatch(SETTINGS);
    const tasks = refTasks(data);
    expect(b.tasks.map((t) => [t.amplitude, t.phase])).toEqual(data.tasks.map((t) => [t.amplitude, t.phase]));
    b.tasks.forEach((t, i) => {
      expect(t.support.map((p) => p.x)).toEqual(Array.from(data.sx.subarray(i * 5, i * 5 + 5)));
      expect(t.supportLoss).toHaveLength(3);
      for (let j = 0; j <= 2; j++) expect(t.supportLoss[j]).toBeCloseTo(mse(lay, sgd(lay, theta, tasks[i].support, SETTINGS.alpha, j), tasks[i].support), 10);
      expect(t.queryLossBefore).toBeCloseTo(mse(lay, theta, tasks[i].query), 10);
      expect(t.queryLoss).toBeCloseTo(mse(lay, sgd(lay, theta, tasks[i].support, SETTINGS.alpha, 2), tasks[i].query), 10);
    });
    expect(b.tasks.reduce((a, t) => a + t.queryLoss, 0) / b.tasks.length).toBeCloseTo(b.metaLoss, 12);
    expect(b.shown).toHaveLength(6);
    b.shown.forEach((idx, k) => {
      expect(b.thetaBefore[k]).toBe(theta[idx]);
      expect(b.thetaAfter[k]).toBeCloseTo(theta[idx] - SETTINGS.metaLr * b.exactGrad[idx], 14);
    });
    // A small step down the meta-gradient lowers the meta-loss on its own batch.
    expect(b.metaLossAfter).toBeLessThan(b.metaLoss);
  });

  it('exact and first order agree exactly at alpha = 0 (the factor I - alpha H is I), and differ at alpha > 0', () => {
    const zero = metaStepBreakdown(SIZES, theta, { ...SETTINGS, alpha: 0 });
    expect(zero.cosine).toBeCloseTo(1, 12);
    expect(zero.normRatio).toBeCloseTo(1, 12);
    const big = metaStepBreakdown(SIZES, theta, { ...SETTINGS, alpha: 0.3 });
    expect(big.cosine).toBeLessThan(0.9999);
    expect(Math.abs(big.normRatio - 1)).toBeGreaterThan(1e-4);
  });

  it('refuses a network it cannot draw tasks for, and a theta of the wrong size', () => {
    expect(() => metaStepBreakdown([2, 4, 1], new Float64Array(17), SETTINGS)).toThrow(/one input/);
    expect(() => metaStepBreakdown(SIZES, new Float64Array(3), SETTINGS)).toThrow(/entries/);
  });
});

/** The blow-up risk shown next to the test-time alpha (issue 13): read from the engine's averaged curves. */
import { describe, expect, it } from 'vitest';
import { stepRisks, UNRELIABLE_SHARE } from '../../src/panels/Reliability';
import type { EvalCurve } from '../../src/meta/contracts/types';

const curve = (blowUp: number[]): EvalCurve => ({ kShot: 5, tasks: 100, alpha: 0.01, mean: blowUp.map(() => 1), ci95: blowUp.map(() => 0), median: blowUp.map(() => 1), blowUp });

describe('stepRisks', () => {
  it('finds the first step above one task in a thousand, and the worst share within the steps shown', () => {
    const r = stepRisks({ metasgd: curve([0, 0, 0.02, 0.2, 0.45]), maml: curve([0, 0, 0, 0, 0.0005]) }, ['maml', 'metasgd'], 4);
    expect(r).toEqual([
      { id: 'maml', from: null, worst: 0.0005, worstStep: 4 },
      { id: 'metasgd', from: 2, worst: 0.45, worstStep: 4 },
    ]);
    expect(UNRELIABLE_SHARE).toBe(0.001);
  });

  it('looks only at the steps shown and at step 1 onwards (step 0 does not adapt)', () => {
    const r = stepRisks({ anil: curve([1, 0, 0.5, 0.9]) }, ['anil'], 1);
    expect(r[0]).toEqual({ id: 'anil', from: null, worst: 0, worstStep: 0 });
  });

  it('skips methods without measured shares or not shown', () => {
    expect(stepRisks({ maml: { ...curve([0]), blowUp: undefined } }, ['maml', 'fomaml'], 10)).toEqual([]);
  });
});

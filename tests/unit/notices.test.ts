/**
 * Notices (issue 13, item 6): one per cause, replaced by the next of that cause and gone when the cause is;
 * values quoted to at most 80 characters; the advice for a diverged adaptation by the method's rule.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ALGORITHM_IDS, ALGORITHM_INFO } from '../../src/meta/contracts/algorithms';
import { clip, divergenceAdvice, divergenceCause, divergenceWarning, listSome, quote, quoteName, QUOTE_MAX } from '../../src/state/notices';
import { usePlayground } from '../../src/state/store';

const st = () => usePlayground.getState();

beforeEach(() => {
  usePlayground.setState({ notices: [] });
});

describe('notices with a cause', () => {
  it('a notice of a cause replaces the one before it, where it stood at the end', () => {
    st().notify('info', 'a');
    st().notify('warning', 'diverged at alpha 5', 'diverged');
    st().notify('info', 'b');
    st().notify('warning', 'diverged at alpha 6', 'diverged');
    expect(st().notices.map((n) => [n.text, n.cause])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['diverged at alpha 6', 'diverged'],
    ]);
  });

  it('the same text of the same cause keeps its notice (and its id): no flicker on every answer', () => {
    st().notify('warning', 'x', 'link');
    const [n] = st().notices;
    st().notify('warning', 'x', 'link');
    expect(st().notices).toEqual([n]);
    // Another level is another notice.
    st().notify('error', 'x', 'link');
    expect(st().notices.map((m) => m.level)).toEqual(['error']);
  });

  it('clearCause removes its notice only; without one it changes nothing (not even the array)', () => {
    st().notify('info', 'plain');
    st().notify('warning', 'w', 'worker');
    st().notify('warning', 'd', 'diverged');
    st().clearCause('diverged');
    expect(st().notices.map((n) => n.text)).toEqual(['plain', 'w']);
    const before = st().notices;
    st().clearCause('diverged');
    st().clearCause('nothing');
    expect(st().notices).toBe(before);
  });

  it('notices without a cause behave as before: no text twice, at most 5', () => {
    for (let i = 0; i < 7; i++) st().notify('info', `n${i % 6}`);
    // n0 was dropped by n5, so it shows again.
    expect(st().notices.map((n) => n.text)).toEqual(['n2', 'n3', 'n4', 'n5', 'n0']);
    st().notify('info', 'n5');
    expect(st().notices).toHaveLength(5);
    expect(st().notices.every((n) => !('cause' in n))).toBe(true);
  });
});

describe('quoting', () => {
  it('quotes a value whole up to 80 characters, else its start and its length', () => {
    expect(quote('0.5')).toBe('"0.5"');
    expect(quote(null)).toBe('null');
    expect(quote('a'.repeat(QUOTE_MAX))).toBe(`"${'a'.repeat(80)}"`);
    const long = quote('a'.repeat(1 << 20));
    expect(long).toBe(`"${'a'.repeat(79)}…" (1,048,576 characters)`);
    expect(long.length).toBeLessThan(QUOTE_MAX + 30);
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(quoteName('k'.repeat(41))).toBe(`${'k'.repeat(39)}…`);
  });

  it('lists a few items and counts the rest', () => {
    expect(listSome(['a', 'b'])).toBe('a, b');
    expect(listSome(['a', 'b', 'c'])).toBe('a, b, c');
    expect(listSome(Array.from({ length: 5000 }, (_, i) => `k${i}`))).toBe('k0, k1, k2, … (4,997 more)');
    expect(listSome(['a', 'b', 'c'], 1, '; ')).toBe('a; … (2 more)');
  });
});

describe('divergence advice follows the method', () => {
  it('methods with learned rates are not told about alpha; the others are told to lower it', () => {
    for (const id of ALGORITHM_IDS) {
      const text = `${divergenceCause(id)} ${divergenceAdvice(id)}`;
      if (ALGORITHM_INFO[id].learnedRates) {
        expect(text, id).toMatch(/learned/);
        expect(text, id).toMatch(/alpha is not used/);
        expect(text, id).not.toMatch(/smaller|too large/);
      } else expect(text, id).toMatch(/alpha too large.*smaller test-time alpha/);
    }
    expect(divergenceWarning('metasgd', 4, 'its curve stops there')).toBe(
      'Meta-SGD diverged at step 4: its learned per-parameter rates overshoot (alpha is not used) (its curve stops there). Try fewer steps, or points nearer the tasks it was trained on.',
    );
    expect(divergenceWarning('maml', 2, 'its curve stops there')).toBe('MAML diverged at step 2: alpha too large (its curve stops there). Try a smaller test-time alpha.');
  });
});

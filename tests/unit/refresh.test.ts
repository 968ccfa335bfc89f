/**
 * The engine session's refresh policy while training (src/session/refresh.ts): the page's curves follow the
 * trained model, but a refresh may take at most a fifth of the worker's time, so an expensive one (a glyph
 * evaluation, seconds) cannot starve training (it did: 0.13 meta-iterations per second instead of 2.8), while
 * a cheap one (a sinusoid click, a few ms) still runs at every progress report.
 */
import { describe, expect, it } from 'vitest';
import { refreshDue } from '../../src/session/refresh';

describe('refreshDue', () => {
  it('waits the minimum gap, and four times the last refresh when that is longer', () => {
    expect(refreshDue({ end: 1000, ms: 3 }, 1001, 0)).toBe(false);
    expect(refreshDue({ end: 1000, ms: 3 }, 1013, 0)).toBe(true);
    expect(refreshDue({ end: 1000, ms: 100 }, 5000, 4000)).toBe(false);
    expect(refreshDue({ end: 1000, ms: 100 }, 5001, 4000)).toBe(true);
    // A 3 s evaluation runs again only 12 s after it ended: at most 20% of the time.
    expect(refreshDue({ end: 10_000, ms: 3000 }, 21_000, 4000)).toBe(false);
    expect(refreshDue({ end: 10_000, ms: 3000 }, 22_001, 4000)).toBe(true);
  });

  it('the first refresh is due at once', () => {
    expect(refreshDue({ end: 0, ms: 0 }, 1, 0)).toBe(true);
  });
});

/** Backend by measurement (issue 17, target 1): the fastest timed backend wins, and each other one says why it lost. */
import { describe, expect, it } from 'vitest';
import { pickFastest } from '../../src/worker/probe';

describe('pickFastest', () => {
  it('keeps the fastest, wherever it is in the order, and names the others with both times', () => {
    expect(pickFastest([{ backend: 'webgpu', ms: 12.4 }, { backend: 'wasm', ms: 3.2 }])).toEqual({
      backend: 'wasm',
      ms: 3.2,
      lines: ['webgpu: slower here by measurement (12 ms per adaptation, wasm 3.2 ms)'],
    });
    expect(pickFastest([{ backend: 'webgl', ms: 2 }, { backend: 'wasm', ms: 3 }])?.backend).toBe('webgl');
  });

  it('a tie keeps the earlier backend; one that was not timed loses and says why', () => {
    expect(pickFastest([{ backend: 'webgpu', ms: 4 }, { backend: 'wasm', ms: 4 }])?.backend).toBe('webgpu');
    const r = pickFastest([{ backend: 'webgpu', ms: null, why: 'the probe failed (lost device)' }, { backend: 'wasm', ms: 5 }]);
    expect(r).toEqual({ backend: 'wasm', ms: 5, lines: ['webgpu: the probe failed (lost device); measured wasm at 5.0 ms per adaptation'] });
  });

  it('nothing timed: no choice (the caller keeps its fallback)', () => {
    expect(pickFastest([{ backend: 'webgl', ms: null, why: 'not timed' }])).toBeNull();
    expect(pickFastest([])).toBeNull();
  });
});

/**
 * The models this browser keeps (src/session/persistence.ts): the IndexedDB shelf (on fake-indexeddb here) and
 * the keeper, which writes in order per model, collapses the writes waiting, and only reports as kept what is
 * still the latest.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { makeCheckpoint, type Checkpoint } from '../../src/meta/contracts/checkpoint';
import { paramShapes, SINUSOID_MLP } from '../../src/meta/contracts/architecture';
import { PAPER_CONFIG } from '../../src/meta/contracts/config';
import type { ParamArrays } from '../../src/meta/contracts/types';
import { indexedDbShelf, memoryShelf, ModelKeeper, type ModelShelf, type SavedRecord } from '../../src/session/persistence';

function ckpt(fill: number): Checkpoint {
  const params: ParamArrays = {};
  for (const [name, shape] of Object.entries(paramShapes(SINUSOID_MLP))) params[name] = { shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) };
  return makeCheckpoint('maml', params, { ...PAPER_CONFIG, algorithm: 'maml', iterations: 10 }, undefined, { kind: 'trained', iterations: 10, planned: 10 });
}

let dbs = 0;

describe('the IndexedDB shelf', () => {
  it('keeps records by model key across openings, and forgets them', async () => {
    const name = `test-${++dbs}`;
    const shelf = indexedDbShelf(name);
    expect(await shelf.list()).toEqual([]);
    const a: SavedRecord = { key: 'maml', checkpoint: ckpt(0.25), savedAt: '2025-01-01T00:00:00.000Z' };
    await shelf.put(a);
    await shelf.put({ ...a, key: 'plane-2way/maml' });
    await shelf.put({ ...a, checkpoint: ckpt(0.5) });
    // A second opening (a reload) sees what the first wrote.
    const again = indexedDbShelf(name);
    const records = (await again.list()) as SavedRecord[];
    expect(records.map((r) => r.key).sort()).toEqual(['maml', 'plane-2way/maml']);
    const back = records.find((r) => r.key === 'maml')!.checkpoint;
    expect(back.params).toEqual(ckpt(0.5).params);
    expect(back.provenance).toEqual({ kind: 'trained', iterations: 10, planned: 10 });
    await again.remove('maml');
    expect(((await shelf.list()) as SavedRecord[]).map((r) => r.key)).toEqual(['plane-2way/maml']);
    await shelf.clear();
    expect(await again.list()).toEqual([]);
  });
});

/** A shelf whose writes wait until released, recording their order. */
function slowShelf(): ModelShelf & { log: string[]; release(): void; inner: ReturnType<typeof memoryShelf> } {
  const inner = memoryShelf();
  const log: string[] = [];
  let gates: (() => void)[] = [];
  const gate = () => new Promise<void>((r) => gates.push(r));
  return {
    inner,
    log,
    release() {
      const g = gates;
      gates = [];
      g.forEach((r) => r());
    },
    list: () => inner.list(),
    put: async (r) => {
      log.push(`put ${r.key} ${r.checkpoint.params.w0.values[0]}`);
      await gate();
      await inner.put(r);
    },
    remove: async (k) => {
      log.push(`remove ${k}`);
      await gate();
      await inner.remove(k);
    },
    clear: () => inner.clear(),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ModelKeeper', () => {
  it('writes one at a time per model, in order; of the writes waiting only the newest runs', async () => {
    const shelf = slowShelf();
    const kept: [string, boolean][] = [];
    const keeper = new ModelKeeper(shelf, { onKept: (k, v) => kept.push([k, v]), onError: (k, e) => kept.push([`${k}: ${e.message}`, false]) });
    keeper.save('maml', ckpt(1));
    await tick();
    keeper.save('maml', ckpt(2));
    keeper.save('maml', ckpt(3));
    keeper.save('fomaml', ckpt(9));
    await tick();
    expect(shelf.log).toEqual(['put maml 1', 'put fomaml 9']);
    shelf.release();
    await tick();
    shelf.release();
    await keeper.flush();
    expect(shelf.log).toEqual(['put maml 1', 'put fomaml 9', 'put maml 3']);
    // The first write finished after newer ones were asked for: not reported as kept.
    expect(kept).toEqual([
      ['fomaml', true],
      ['maml', true],
    ]);
    expect(shelf.inner.records.get('maml')?.checkpoint.params.w0.values[0]).toBe(3);
  });

  it('a removal after a save wins; clear drops what waits and empties the shelf', async () => {
    const shelf = slowShelf();
    const kept: [string, boolean][] = [];
    const keeper = new ModelKeeper(shelf, { onKept: (k, v) => kept.push([k, v]), onError: () => undefined });
    keeper.save('maml', ckpt(1));
    await tick();
    keeper.remove('maml');
    shelf.release();
    await tick();
    shelf.release();
    await keeper.flush();
    expect(shelf.inner.records.has('maml')).toBe(false);
    expect(kept).toEqual([['maml', false]]);

    keeper.save('a', ckpt(1));
    await tick();
    keeper.save('a', ckpt(2));
    const clearing = keeper.clear();
    shelf.release();
    await clearing;
    expect(shelf.log.slice(-1)).toEqual(['put a 1']);
    expect(shelf.inner.records.size).toBe(0);
  });

  it('a failed write is reported, and the next one still runs', async () => {
    const inner = memoryShelf();
    let fail = true;
    const errors: string[] = [];
    const keeper = new ModelKeeper(
      { ...inner, put: async (r) => (fail ? Promise.reject(new Error('QuotaExceededError')) : inner.put(r)) },
      { onKept: () => undefined, onError: (k, e) => errors.push(`${k}: ${e.message}`) },
    );
    keeper.save('maml', ckpt(1));
    await keeper.flush();
    fail = false;
    keeper.save('maml', ckpt(2));
    await keeper.flush();
    expect(errors).toEqual(['maml: QuotaExceededError']);
    expect(inner.records.get('maml')?.checkpoint.params.w0.values[0]).toBe(2);
  });
});

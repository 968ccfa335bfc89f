/**
 * Provenance (src/meta/contracts/provenance.ts): the one label a model's parameters get, never more than they
 * are; reading one from an untrusted file; checkpoints that carry one; and LastGood, which decides what a
 * diverging run may keep.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALGORITHM_IDS } from '../../src/meta/contracts/algorithms';
import { modelKey, parseCheckpoint, parseModelKey, validateCheckpoint } from '../../src/meta/contracts/checkpoint';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { isUserModel, LastGood, provenanceLabel, readProvenance, RUN_BLOWUP_FACTOR, withoutDivergence, type Provenance } from '../../src/meta/contracts/provenance';

const shipped: Provenance = { kind: 'shipped', file: 'maml.json', iterations: 70000, seed: 1 };

describe('provenanceLabel', () => {
  it('says where the parameters came from, in the words the page always used', () => {
    expect(provenanceLabel(shipped)).toBe('shipped checkpoint (70000 iterations)');
    expect(provenanceLabel({ kind: 'shipped', file: 'scratch.json', iterations: 0, seed: 1, untrained: true })).toBe('shipped checkpoint (random initialisation, seed 1)');
    expect(provenanceLabel({ kind: 'random', reason: 'no checkpoint' })).toBe('random initialisation (no checkpoint)');
    expect(provenanceLabel({ kind: 'random', reason: 'none shipped' })).toBe('random initialisation (no checkpoint shipped); train it below');
    expect(provenanceLabel({ kind: 'random', reason: 'start' })).toBe('random initialisation');
    expect(provenanceLabel({ kind: 'trained', iterations: 50, planned: 5000 })).toBe('trained in this page: iteration 50 of 5000');
    expect(provenanceLabel({ kind: 'uploaded', fileName: 'mine.json', iterations: 7 })).toBe('uploaded file mine.json');
  });

  it('a diverged run is named with what was kept; a kept model says so', () => {
    expect(provenanceLabel({ ...shipped, diverged: { atIteration: 1, kept: 'previous' } })).toBe(
      'shipped checkpoint (70000 iterations); kept: a training run diverged at iteration 1 and was discarded',
    );
    expect(provenanceLabel({ kind: 'trained', iterations: 400, planned: 5000, diverged: { atIteration: 523, kept: 'run' } })).toBe(
      'trained in this page: iteration 400 of 5000; the run diverged at iteration 523: these are its last good parameters',
    );
    expect(provenanceLabel({ kind: 'trained', iterations: 300, planned: 300 }, { saved: true })).toBe('trained in this page: iteration 300 of 300; saved in this browser');
    expect(withoutDivergence({ ...shipped, diverged: { atIteration: 1, kept: 'previous' } })).toEqual(shipped);
  });

  it('only trained and uploaded models are the user\'s own', () => {
    expect(isUserModel({ kind: 'trained', iterations: 1, planned: 2 })).toBe(true);
    expect(isUserModel({ kind: 'uploaded', fileName: 'a', iterations: 0 })).toBe(true);
    expect(isUserModel(shipped)).toBe(false);
    expect(isUserModel({ kind: 'random', reason: 'start' })).toBe(false);
    expect(isUserModel(undefined)).toBe(false);
  });
});

describe('readProvenance', () => {
  it('keeps a well-formed one, field by field, and drops what it does not know', () => {
    const raw = { kind: 'uploaded', fileName: 'x.json', iterations: 3, extra: 1, origin: { kind: 'trained', iterations: 3, planned: 10, diverged: { atIteration: 4, kept: 'run', why: 'x' } } };
    expect(readProvenance(raw)).toEqual({ kind: 'uploaded', fileName: 'x.json', iterations: 3, origin: { kind: 'trained', iterations: 3, planned: 10, diverged: { atIteration: 4, kept: 'run' } } });
    expect(readProvenance({ ...shipped, untrained: 'yes' })).toEqual(shipped);
  });

  it('is undefined for anything else, and never follows origins for ever', () => {
    for (const bad of [null, 3, [], { kind: 'stolen' }, { kind: 'trained', iterations: -1, planned: 3 }, { kind: 'shipped', file: '', iterations: 1, seed: 1 }, { kind: 'random', reason: 'toString' }, { kind: 'uploaded', fileName: 'x'.repeat(201), iterations: 1 }])
      expect(readProvenance(bad)).toBeUndefined();
    let deep: Record<string, unknown> = { kind: 'uploaded', fileName: 'a', iterations: 0 };
    for (let i = 0; i < 5; i++) deep = { kind: 'uploaded', fileName: 'a', iterations: 0, origin: deep };
    const read = readProvenance(deep);
    let depth = 0;
    for (let p = read; p && p.kind === 'uploaded'; p = p.origin) depth++;
    expect(depth).toBe(3);
    // An inherited kind is not one.
    expect(readProvenance(Object.create({ kind: 'random', reason: 'start' }))).toBeUndefined();
  });
});

describe('checkpoints carry their provenance', () => {
  const file = JSON.stringify(readCheckpointFile(readFileSync(resolve(__dirname, '../../public/checkpoints/maml.ckpt'))));

  it('validation keeps a valid one and drops (never refuses for) a bad one', () => {
    const raw = JSON.parse(file);
    expect(validateCheckpoint({ ...raw, provenance: shipped }).provenance).toEqual(shipped);
    const bad = validateCheckpoint({ ...raw, provenance: { kind: 'shipped', file: 'maml.json' } });
    expect(bad).not.toHaveProperty('provenance');
    expect(parseCheckpoint(file)).not.toHaveProperty('provenance');
  });

  it('model keys read back as the algorithm and problem they name', () => {
    for (const id of ALGORITHM_IDS)
      for (const problem of [{}, { problem: 'plane' as const, classes: 3 }, { problem: 'glyphs' as const, classes: 5 }])
        expect(parseModelKey(modelKey(id, problem))).toEqual({ algorithm: id, problem });
    for (const bad of ['', 'nope', 'plane/maml', 'plane-2way/nope', 'sinusoid-2way/maml', 'plane-02way/maml', 'constructor']) expect(parseModelKey(bad)).toBeNull();
  });
});

describe('LastGood', () => {
  it('confirms a snapshot when the next step measures a good loss at it', () => {
    const g = new LastGood<string>();
    expect(g.observe(1, 4, false)).toBeNull();
    g.offer('after 1', 1);
    expect(g.good).toBeNull();
    expect(g.observe(2, 3.5, false)).toBeNull();
    expect(g.good).toEqual({ value: 'after 1', iteration: 1 });
    // A snapshot whose next step is refused is not good: the step measured it blowing up.
    g.offer('after 5', 5);
    expect(g.observe(6, 1e40, true)).toBe('refused');
    expect(g.good).toEqual({ value: 'after 1', iteration: 1 });
  });

  it(`a loss ${RUN_BLOWUP_FACTOR} times the run's first (floored at 1) is a blow-up, even when the trainer accepted it`, () => {
    const g = new LastGood<string>();
    g.observe(1, 0.5, false); // the floor: the limit is 100, not 50
    g.offer('a', 1);
    expect(g.observe(2, 99, false)).toBeNull();
    expect(g.good?.value).toBe('a');
    g.offer('b', 2);
    expect(g.observe(3, 101, false)).toMatch(/over 100 times the run's first/);
    expect(g.good?.value).toBe('a');
    expect(g.observe(4, NaN, false)).toBe('refused');
  });

  it('a stale snapshot (not of the parameters the step measured) is never confirmed', () => {
    const g = new LastGood<string>();
    g.observe(1, 4, false);
    g.offer('at 3', 3);
    g.observe(7, 1, false);
    expect(g.good).toBeNull();
  });
});

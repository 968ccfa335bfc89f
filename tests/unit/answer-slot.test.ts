/**
 * The click answers' shared memory (src/worker/answer-slot.ts): what the page reads is what the worker's message
 * carries, to the bit; a reader never takes another request's answer, one half written, or one that did not fit.
 */
import { describe, expect, it } from 'vitest';
import { AnswerSlot, type AdaptedAnswer } from '../../src/worker/answer-slot';

const answer = (id: number, scale = 1): AdaptedAnswer => ({
  type: 'adapted',
  id,
  results: {
    maml: {
      predictions: [
        [0.1 * scale, -0, Math.fround(1 / 3)],
        [Number.NaN, Infinity, -Infinity],
      ],
      supportLoss: [0.5, Number.NaN],
      taskLoss: [0.25, Number.MAX_VALUE],
      divergedAt: 1,
    },
    pretrained: { predictions: [[1e-300, 2, 3]], supportLoss: [Number.MIN_VALUE], taskLoss: null, divergedAt: null },
  },
  path: 'typed arrays',
  pathNote: 'typed arrays 1.2 ms, tfjs (wasm) 9.0 ms',
  computeMs: 1.25,
});

describe('AnswerSlot', () => {
  it('reads what was written, as a structured clone of the message would carry it, to the bit', () => {
    const slot = new AnswerSlot(new SharedArrayBuffer(1 << 16));
    expect(slot.latestId()).toBe(0);
    const msg = answer(7);
    expect(slot.write(msg)).toBe(true);
    expect(slot.latestId()).toBe(7);
    const read = slot.read(7)!;
    expect(read).toEqual(structuredClone(msg));
    expect(Object.is(read.results.maml!.predictions[0][1], -0)).toBe(true);
    // Without a path note, none is read back.
    const { pathNote: _, ...plain } = answer(8);
    slot.write(plain);
    expect(slot.read(8)).toEqual(plain);
    expect('pathNote' in slot.read(8)!).toBe(false);
  });

  it('gives another request nothing: only the answer to the id asked for', () => {
    const slot = new AnswerSlot(new SharedArrayBuffer(1 << 16));
    slot.write(answer(3));
    expect(slot.read(4)).toBeNull();
    expect(slot.read(2)).toBeNull();
    slot.write(answer(4, 2));
    expect(slot.read(3)).toBeNull();
    expect(slot.read(4)!.results.maml!.predictions[0][0]).toBe(0.2);
  });

  it('an answer too big for the memory is not written, and the one before stays whole', () => {
    const slot = new AnswerSlot(new SharedArrayBuffer(400));
    expect(slot.write(answer(1))).toBe(true);
    const big = answer(2);
    big.results.maml!.predictions = Array.from({ length: 11 }, () => Array.from({ length: 201 }, () => 1));
    expect(slot.write(big)).toBe(false);
    expect(slot.latestId()).toBe(1);
    expect(slot.read(1)).toEqual(answer(1));
  });

  it('nothing is read while the worker writes (odd version)', () => {
    const memory = new SharedArrayBuffer(1 << 16);
    const slot = new AnswerSlot(memory);
    slot.write(answer(5));
    const header = new Int32Array(memory, 0, 4);
    Atomics.add(header, 0, 1);
    expect(slot.latestId()).toBe(-1);
    expect(slot.read(5)).toBeNull();
    Atomics.add(header, 0, 1);
    expect(slot.read(5)).toEqual(answer(5));
  });
});

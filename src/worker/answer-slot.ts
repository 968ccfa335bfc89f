/**
 * A click's curves through shared memory (issue 17, target 6: the frame that follows a click shows its curves).
 *
 * The worker computes a sinusoid click's curves in 1-2 ms, but its message reaches the page only as a task of its
 * own, which Chromium runs several ms later and usually after the next frame has begun. So the worker also writes
 * each `adapted` answer here, and the page, right after the click's own code, waits a few ms for it (reading this
 * memory; a page may not block on Atomics.wait) and applies it in the click's task: the point and its curves are
 * in the frame that follows the click. The message still comes and is then ignored; without this memory (a page
 * that is not cross-origin isolated) the message alone answers, as before.
 *
 * Layout: an Int32 header [version, id, json bytes, float count], the floats (float64, so the numbers are the
 * message's to the bit: NaN and Infinity of a diverged step too), then a JSON text for the rest. The version is
 * odd while the worker writes (a seqlock); a reader that sees it change reads again.
 */
import type { AlgorithmId } from '../meta/contracts/algorithms';
import type { AdaptationCurves } from '../meta/contracts/types';
import type { WorkerResponse } from './protocol';

export type AdaptedAnswer = Extract<WorkerResponse, { type: 'adapted' }>;

const HEADER_BYTES = 16;
const [VERSION, ID, JSON_BYTES, FLOATS] = [0, 1, 2, 3];
/** 1 MiB: nine methods' curves at 20 steps on the 201-point grid take 0.3 MiB. */
export const ANSWER_SLOT_BYTES = 1 << 20;

/** Each method's curves without their numbers, which go in the floats in this order. */
interface Shape {
  method: AlgorithmId;
  /** predictions: rows x points; supportLoss and taskLoss (null: none) their lengths. */
  rows: number;
  points: number;
  support: number;
  task: number | null;
  divergedAt: number | null;
}
interface Text {
  path: string;
  pathNote?: string;
  computeMs: number;
  shapes: Shape[];
}

/** Shared memory for answers, where the page may have it (cross-origin isolated); else null. */
export function createAnswerMemory(bytes = ANSWER_SLOT_BYTES): SharedArrayBuffer | null {
  if (typeof SharedArrayBuffer === 'undefined' || (typeof crossOriginIsolated !== 'undefined' && !crossOriginIsolated)) return null;
  return new SharedArrayBuffer(bytes);
}

export class AnswerSlot {
  private readonly header: Int32Array;

  constructor(readonly memory: SharedArrayBuffer) {
    this.header = new Int32Array(memory, 0, 4);
  }

  /** Writes an answer (the worker); false, and nothing written, when it does not fit. */
  write(msg: AdaptedAnswer): boolean {
    const shapes: Shape[] = [];
    let floats = 0;
    for (const [method, c] of Object.entries(msg.results) as [AlgorithmId, AdaptationCurves][]) {
      const points = c.predictions[0]?.length ?? 0;
      shapes.push({ method, rows: c.predictions.length, points, support: c.supportLoss.length, task: c.taskLoss?.length ?? null, divergedAt: c.divergedAt });
      floats += c.predictions.length * points + c.supportLoss.length + (c.taskLoss?.length ?? 0);
    }
    const text: Text = { path: msg.path, ...(msg.pathNote !== undefined ? { pathNote: msg.pathNote } : {}), computeMs: msg.computeMs, shapes };
    const json = new TextEncoder().encode(JSON.stringify(text));
    if (HEADER_BYTES + floats * 8 + json.length > this.memory.byteLength) return false;
    const h = this.header;
    Atomics.add(h, VERSION, 1);
    const out = new Float64Array(this.memory, HEADER_BYTES, floats);
    let o = 0;
    for (const c of Object.values(msg.results) as AdaptationCurves[]) {
      for (const row of c.predictions) for (const v of row) out[o++] = v;
      for (const v of c.supportLoss) out[o++] = v;
      for (const v of c.taskLoss ?? []) out[o++] = v;
    }
    new Uint8Array(this.memory, HEADER_BYTES + floats * 8, json.length).set(json);
    Atomics.store(h, JSON_BYTES, json.length);
    Atomics.store(h, FLOATS, floats);
    Atomics.store(h, ID, msg.id);
    Atomics.add(h, VERSION, 1);
    return true;
  }

  /** The id of the answer written last (0: none yet); -1 while one is being written. */
  latestId(): number {
    return Atomics.load(this.header, VERSION) % 2 === 1 ? -1 : Atomics.load(this.header, ID);
  }

  /** The answer to request `id` (the page), or null when it is not (or not wholly) here. */
  read(id: number): AdaptedAnswer | null {
    const h = this.header;
    const version = Atomics.load(h, VERSION);
    if (version % 2 === 1 || Atomics.load(h, ID) !== id) return null;
    const floats = Atomics.load(h, FLOATS);
    const jsonBytes = Atomics.load(h, JSON_BYTES);
    // Copied out of shared memory: TextDecoder takes no shared views, and the numbers must not change under us.
    const nums = new Float64Array(this.memory, HEADER_BYTES, floats).slice();
    const json = new Uint8Array(this.memory, HEADER_BYTES + floats * 8, jsonBytes).slice();
    if (Atomics.load(h, VERSION) !== version) return null;
    const text = JSON.parse(new TextDecoder().decode(json)) as Text;
    const results: AdaptedAnswer['results'] = {};
    let o = 0;
    const take = (n: number) => Array.from(nums.subarray(o, (o += n)));
    for (const s of text.shapes) {
      const predictions = Array.from({ length: s.rows }, () => take(s.points));
      const supportLoss = take(s.support);
      const taskLoss = s.task === null ? null : take(s.task);
      results[s.method] = { predictions, supportLoss, taskLoss, divergedAt: s.divergedAt };
    }
    return { type: 'adapted', id, results, path: text.path, ...(text.pathNote !== undefined ? { pathNote: text.pathNote } : {}), computeMs: text.computeMs };
  }
}

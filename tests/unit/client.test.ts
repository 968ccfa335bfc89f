/**
 * EngineClient against a fake Worker: requests matched to answers by id, events passed on, the latest
 * parameters of every method remembered, a dead worker replaced and given those parameters back, and a
 * worker that keeps dying given up on.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlgorithmId } from '../../src/meta/engine/algorithms';
import { makeCheckpoint, type Checkpoint } from '../../src/meta/contracts/checkpoint';
import { paramShapes, planeMlp, SINUSOID_MLP } from '../../src/meta/contracts/architecture';
import { PAPER_CONFIG, planeTrainConfig } from '../../src/meta/contracts/config';
import { AnswerSlot } from '../../src/worker/answer-slot';
import { EngineClient, type EngineClientOptions } from '../../src/worker/client';
import type { BackendName, WorkerResponse } from '../../src/worker/protocol';
import { fakeWorkerFactory, type FakeWorker } from './helpers/fake-worker';
import type { ParamArrays } from '../../src/meta/contracts/types';

/** A valid checkpoint whose values are all `fill` (so two checkpoints are easy to tell apart). */
function checkpoint(algorithm: AlgorithmId, fill: number): Checkpoint {
  const params: ParamArrays = {};
  for (const [name, shape] of Object.entries(paramShapes(SINUSOID_MLP))) {
    params[name] = { shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) };
  }
  return makeCheckpoint(algorithm, params, { ...PAPER_CONFIG, algorithm, iterations: 10 });
}

/** A 3-layer plane classifier's checkpoint, all values `fill`. */
function planeCheckpoint(algorithm: AlgorithmId, classes: number, fill: number): Checkpoint {
  const params: ParamArrays = {};
  for (const [name, shape] of Object.entries(paramShapes(planeMlp(classes)))) {
    params[name] = { shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) };
  }
  return makeCheckpoint(algorithm, params, { ...planeTrainConfig(algorithm, classes), iterations: 10 });
}

interface Harness {
  client: EngineClient;
  workers: FakeWorker[];
  current(): FakeWorker;
  events: WorkerResponse[];
  restarts: string[];
  fatals: string[];
}

function setup(backend: BackendName | null = 'cpu'): Harness {
  const factory = fakeWorkerFactory();
  const events: WorkerResponse[] = [];
  const restarts: string[] = [];
  const fatals: string[] = [];
  const opts: EngineClientOptions = {
    backend,
    onEvent: (m) => events.push(m),
    onRestart: (r) => restarts.push(r),
    onFatal: (m) => fatals.push(m),
    createWorker: factory.create,
  };
  const client = new EngineClient(opts);
  return { client, workers: factory.workers, current: () => factory.workers[factory.workers.length - 1], events, restarts, fatals };
}

/** The id of the last request of a type posted to a worker. */
function lastId(w: FakeWorker, type: string): number {
  const msgs = w.ofType(type);
  expect(msgs.length, `a ${type} request was posted`).toBeGreaterThan(0);
  const id = msgs[msgs.length - 1].id;
  expect(typeof id).toBe('number');
  return id as number;
}

/** Answers a load request the way the worker does. */
function answerLoad(w: FakeWorker, id: number): void {
  const msg = w.posted.find((m) => (m as { id?: number }).id === id) as { checkpoint: Checkpoint; source: string };
  w.emit({ type: 'loaded', id, method: msg.checkpoint.algorithm, model: msg.checkpoint.algorithm, source: msg.source });
}

/** Lets settled promises run their callbacks. */
const flush = () => new Promise<void>((r) => setTimeout(r, 0));

let now = 1_000_000;
beforeEach(() => {
  now = 1_000_000;
  vi.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('start-up', () => {
  it('creates one worker and posts init with the backend', () => {
    for (const backend of ['wasm', null] as const) {
      const h = setup(backend);
      expect(h.workers).toHaveLength(1);
      expect(h.current().posted).toEqual([{ type: 'init', backend, engine: 'auto' }]);
      expect(h.current().onmessage).toBeTypeOf('function');
      expect(h.current().onerror).toBeTypeOf('function');
      expect(h.current().onmessageerror).toBeTypeOf('function');
    }
  });

  it('post sends a message as is; dispose terminates the worker', () => {
    const h = setup();
    h.client.post({ type: 'pause' });
    h.client.crash();
    expect(h.current().posted.slice(1)).toEqual([{ type: 'pause' }, { type: 'crash' }]);
    h.client.dispose();
    expect(h.current().terminated).toBe(1);
  });
});

describe('requests', () => {
  it('resolves with the answer carrying its id', async () => {
    const h = setup();
    const p = h.client.request<'memory'>({ type: 'memory' });
    const w = h.current();
    const id = lastId(w, 'memory');
    expect(w.posted.at(-1)).toEqual({ type: 'memory', id });
    w.emit({ type: 'memory', id, numTensors: 3, numBytes: 12 });
    await expect(p).resolves.toEqual({ type: 'memory', id, numTensors: 3, numBytes: 12 });
    expect(h.events).toEqual([]);
  });

  it('gives every request its own id, and out-of-order answers resolve the right promises', async () => {
    const h = setup();
    const w = h.current();
    const p1 = h.client.request<'memory'>({ type: 'memory' });
    const p2 = h.client.request<'memory'>({ type: 'memory' });
    const p3 = h.client.request<'snapshot'>({ type: 'export', method: 'fomaml' });
    const [id1, id2] = w.ofType('memory').map((m) => m.id as number);
    const id3 = lastId(w, 'export');
    expect(new Set([id1, id2, id3]).size).toBe(3);

    const settled: number[] = [];
    void p1.then(() => settled.push(1));
    void p2.then(() => settled.push(2));
    void p3.then(() => settled.push(3));

    const ck = checkpoint('fomaml', 0.5);
    w.emit({ type: 'snapshot', id: id3, checkpoint: ck });
    w.emit({ type: 'memory', id: id2, numTensors: 2, numBytes: 20 });
    await flush();
    expect(settled).toEqual([3, 2]);
    w.emit({ type: 'memory', id: id1, numTensors: 1, numBytes: 10 });

    await expect(p1).resolves.toMatchObject({ id: id1, numTensors: 1 });
    await expect(p2).resolves.toMatchObject({ id: id2, numTensors: 2 });
    await expect(p3).resolves.toMatchObject({ type: 'snapshot', id: id3, checkpoint: ck });
    expect(h.events).toEqual([]);
  });

  it('rejects on an error answer with its id, leaving the other requests pending', async () => {
    const h = setup();
    const w = h.current();
    const p1 = h.client.request<'memory'>({ type: 'memory' });
    const p2 = h.client.request<'memory'>({ type: 'memory' });
    const [id1, id2] = w.ofType('memory').map((m) => m.id as number);
    w.emit({ type: 'error', id: id2, message: 'out of memory' });
    await expect(p2).rejects.toThrow('out of memory');
    let done = false;
    void p1.then(() => (done = true));
    await flush();
    expect(done).toBe(false);
    w.emit({ type: 'memory', id: id1, numTensors: 0, numBytes: 0 });
    await expect(p1).resolves.toMatchObject({ id: id1 });
    expect(h.events).toEqual([]);
  });

  it('an answer resolves its request once; a repeat goes to onEvent', async () => {
    const h = setup();
    const w = h.current();
    const p = h.client.request<'memory'>({ type: 'memory' });
    const id = lastId(w, 'memory');
    w.emit({ type: 'memory', id, numTensors: 1, numBytes: 1 });
    w.emit({ type: 'memory', id, numTensors: 9, numBytes: 9 });
    await expect(p).resolves.toMatchObject({ numTensors: 1 });
    expect(h.events).toEqual([{ type: 'memory', id, numTensors: 9, numBytes: 9 }]);
  });

  it('passes messages that answer no pending request to onEvent', () => {
    const h = setup();
    const w = h.current();
    const msgs: WorkerResponse[] = [
      { type: 'ready', backend: 'cpu', fallbacks: ['webgpu: unavailable'] },
      { type: 'progress', method: 'maml', model: 'maml', iteration: 5, iterations: 10, metaLoss: 1.5, itersPerSec: 3, etaSeconds: 2, stats: {}, path: 'typed arrays' },
      { type: 'trainState', method: 'maml', model: 'maml', state: 'running' },
      { type: 'error', id: null, message: 'training diverged' },
      { type: 'error', id: 999, message: 'stale' },
      { type: 'memory', id: 4242, numTensors: 1, numBytes: 1 },
    ];
    for (const m of msgs) w.emit(m);
    expect(h.events).toEqual(msgs);
  });
});

describe('latest parameters', () => {
  it('load sends the checkpoint and records it in latest once loaded', async () => {
    const h = setup();
    const w = h.current();
    const ck = checkpoint('maml', 0.1);
    const p = h.client.load(ck, 'checkpoints/maml.json');
    const id = lastId(w, 'load');
    expect(w.posted.at(-1)).toEqual({ type: 'load', id, checkpoint: ck, source: 'checkpoints/maml.json' });
    expect(h.client.latest.has('maml')).toBe(false);
    answerLoad(w, id);
    await p;
    expect(h.client.latest.get('maml')).toEqual({ checkpoint: ck, source: 'checkpoints/maml.json' });
    expect(h.events).toEqual([]);
  });

  it('a failed load rejects and records nothing', async () => {
    const h = setup();
    const w = h.current();
    const p = h.client.load(checkpoint('maml', 0.1), 'bad.json');
    w.emit({ type: 'error', id: lastId(w, 'load'), message: 'Architecture mismatch' });
    await expect(p).rejects.toThrow('Architecture mismatch');
    expect(h.client.latest.size).toBe(0);
  });

  it('a later load replaces the method it names only', async () => {
    const h = setup();
    const w = h.current();
    const a = checkpoint('maml', 0.1);
    const b = checkpoint('fomaml', 0.2);
    const c = checkpoint('maml', 0.3);
    for (const [ck, src] of [[a, 'a.json'], [b, 'b.json'], [c, 'c.json']] as const) {
      const p = h.client.load(ck, src);
      answerLoad(w, lastId(w, 'load'));
      await p;
    }
    expect(h.client.latest.get('maml')).toEqual({ checkpoint: c, source: 'c.json' });
    expect(h.client.latest.get('fomaml')).toEqual({ checkpoint: b, source: 'b.json' });
  });

  it('a snapshot event updates latest, keeping the earlier source label', async () => {
    const h = setup();
    const w = h.current();
    const first = checkpoint('maml', 0.1);
    const p = h.client.load(first, 'checkpoints/maml.json');
    answerLoad(w, lastId(w, 'load'));
    await p;

    const trained = checkpoint('maml', 0.7);
    const snap: WorkerResponse = { type: 'snapshot', id: null, checkpoint: trained };
    w.emit(snap);
    expect(h.events).toEqual([snap]);
    expect(h.client.latest.get('maml')).toEqual({ checkpoint: trained, source: 'checkpoints/maml.json' });
  });

  it('a snapshot that carries its provenance is labelled by it, and goes back to a new worker with it', async () => {
    const h = setup();
    const w = h.current();
    const p = h.client.load(checkpoint('maml', 0.1), 'shipped checkpoint (70000 iterations)');
    answerLoad(w, lastId(w, 'load'));
    await p;
    // Reset: the worker says the model is the shipped one again (the label is the provenance's, not the first load's).
    const back = { ...checkpoint('maml', 0.1), provenance: { kind: 'shipped', file: 'maml.json', iterations: 70000, seed: 1, diverged: { atIteration: 2, kept: 'previous' } } } as Checkpoint;
    w.emit({ type: 'snapshot', id: null, checkpoint: back });
    expect(h.client.latest.get('maml')).toEqual({ checkpoint: back, source: 'shipped checkpoint (70000 iterations); kept: a training run diverged at iteration 2 and was discarded' });
    w.crash('boom');
    expect(h.current().ofType('load')).toEqual([
      { type: 'load', id: expect.any(Number), checkpoint: back, source: 'shipped checkpoint (70000 iterations); kept: a training run diverged at iteration 2 and was discarded' },
    ]);
  });

  it('a snapshot of a method never loaded is labelled "latest parameters"', () => {
    const h = setup();
    const ck = checkpoint('pretrained', 0.4);
    h.current().emit({ type: 'snapshot', id: null, checkpoint: ck });
    expect(h.client.latest.get('pretrained')).toEqual({ checkpoint: ck, source: 'latest parameters' });
  });

  it('a snapshot answering an export request resolves it and is remembered too', async () => {
    const h = setup();
    const w = h.current();
    const p = h.client.request<'snapshot'>({ type: 'export', method: 'fomaml' });
    const ck = checkpoint('fomaml', 0.9);
    w.emit({ type: 'snapshot', id: lastId(w, 'export'), checkpoint: ck });
    await expect(p).resolves.toMatchObject({ checkpoint: ck });
    expect(h.client.latest.get('fomaml')?.checkpoint).toBe(ck);
    expect(h.events).toEqual([]);
  });
});

describe('a dying worker', () => {
  async function withTwoLoaded(): Promise<{ h: Harness; maml: Checkpoint; fomaml: Checkpoint }> {
    const h = setup('wasm');
    const w = h.current();
    const maml = checkpoint('maml', 0.1);
    const fomaml = checkpoint('fomaml', 0.2);
    for (const [ck, src] of [[maml, 'maml.json'], [fomaml, 'fomaml.json']] as const) {
      const p = h.client.load(ck, src);
      answerLoad(w, lastId(w, 'load'));
      await p;
    }
    // Live training moved maml on since it was loaded.
    const trained = checkpoint('maml', 0.5);
    w.emit({ type: 'snapshot', id: null, checkpoint: trained });
    h.events.length = 0;
    return { h, maml: trained, fomaml };
  }

  it('is terminated and replaced by a new worker that gets init and then the latest parameters', async () => {
    const { h, maml, fomaml } = await withTwoLoaded();
    const old = h.current();
    const pending = h.client.request<'memory'>({ type: 'memory' });
    const pendingLoad = h.client.load(checkpoint('pretrained', 0.3), 'pretrained.json');

    old.crash('RangeError: boom');

    expect(old.terminated).toBe(1);
    expect(old.defaultPrevented).toBe(1);
    await expect(pending).rejects.toThrow(/restarted.*RangeError: boom/);
    await expect(pendingLoad).rejects.toThrow(/restarted/);
    expect(h.client.restarts).toBe(1);
    expect(h.restarts).toEqual(['RangeError: boom']);
    expect(h.fatals).toEqual([]);

    expect(h.workers).toHaveLength(2);
    const fresh = h.current();
    expect(fresh).not.toBe(old);
    expect(fresh.terminated).toBe(0);
    expect(fresh.posted[0]).toEqual({ type: 'init', backend: 'wasm', engine: 'auto' });
    const loads = fresh.posted.slice(1) as Array<{ type: string; id: number; checkpoint: Checkpoint; source: string }>;
    expect(loads.map((m) => m.type)).toEqual(['load', 'load']);
    const byMethod = new Map(loads.map((m) => [m.checkpoint.algorithm, m]));
    expect(byMethod.get('maml')).toMatchObject({ checkpoint: maml, source: 'maml.json' });
    expect(byMethod.get('fomaml')).toMatchObject({ checkpoint: fomaml, source: 'fomaml.json' });
    // The unfinished load was never recorded, so it is not replayed.
    expect(h.client.latest.has('pretrained')).toBe(false);

    // The re-loads are real requests on the new worker: their answers are not events.
    for (const m of loads) answerLoad(fresh, m.id);
    await flush();
    expect(h.events).toEqual([]);
    expect(h.client.latest.get('maml')).toEqual({ checkpoint: maml, source: 'maml.json' });

    // And the new worker serves requests.
    const p = h.client.request<'memory'>({ type: 'memory' });
    fresh.emit({ type: 'memory', id: lastId(fresh, 'memory'), numTensors: 7, numBytes: 7 });
    await expect(p).resolves.toMatchObject({ numTensors: 7 });
    expect(old.posted.filter((m) => (m as { type: string }).type === 'memory')).toHaveLength(1);
  });

  it("keeps a method's classifier apart from its sinusoid model, and gives both back to a new worker", async () => {
    const { h, maml } = await withTwoLoaded();
    const w = h.current();
    const plane = planeCheckpoint('maml', 3, 0.7);
    const p = h.client.load(plane, 'plane-3way/maml.json');
    answerLoad(w, lastId(w, 'load'));
    await p;
    expect([...h.client.latest.keys()].sort()).toEqual(['fomaml', 'maml', 'plane-3way/maml']);
    // A snapshot of the classifier moves only the classifier.
    const trainedPlane = planeCheckpoint('maml', 3, 0.9);
    w.emit({ type: 'snapshot', id: null, checkpoint: trainedPlane });
    expect(h.client.latest.get('maml')?.checkpoint).toBe(maml);
    expect(h.client.latest.get('plane-3way/maml')).toEqual({ checkpoint: trainedPlane, source: 'plane-3way/maml.json' });
    w.crash('boom');
    const reloaded = h.current().ofType('load').map((m) => (m as unknown as { checkpoint: Checkpoint }).checkpoint);
    expect(reloaded).toHaveLength(3);
    expect(reloaded).toContain(trainedPlane);
    expect(reloaded).toContain(maml);
  });

  it('a failed re-load is swallowed (no unhandled rejection) and leaves latest alone', async () => {
    const { h, maml } = await withTwoLoaded();
    h.current().crash('boom');
    const fresh = h.current();
    for (const m of fresh.ofType('load')) fresh.emit({ type: 'error', id: m.id as number, message: 'bad' });
    await flush();
    expect(h.client.latest.get('maml')?.checkpoint).toBe(maml);
    expect(h.events).toEqual([]);
  });

  it('restarts with only init when nothing was loaded', () => {
    const h = setup(null);
    h.current().crash('');
    expect(h.workers).toHaveLength(2);
    expect(h.current().posted).toEqual([{ type: 'init', backend: null, engine: 'auto' }]);
    // An error event without a message still gives a reason.
    expect(h.restarts).toHaveLength(1);
    expect(h.restarts[0].length).toBeGreaterThan(0);
  });

  it('restarts on messageerror too', () => {
    const h = setup();
    const old = h.current();
    old.messageError();
    expect(old.terminated).toBe(1);
    expect(h.workers).toHaveLength(2);
    expect(h.current().posted[0]).toEqual({ type: 'init', backend: 'cpu', engine: 'auto' });
    expect(h.restarts).toHaveLength(1);
    expect(h.restarts[0]).toMatch(/message/);
  });

  it('after more than 3 crashes within 30 s calls onFatal and starts no new worker', async () => {
    const { h } = await withTwoLoaded();
    for (let i = 1; i <= 3; i++) {
      now += 1000;
      h.current().crash(`crash ${i}`);
      expect(h.workers).toHaveLength(1 + i);
      expect(h.fatals).toEqual([]);
    }
    expect(h.restarts).toEqual(['crash 1', 'crash 2', 'crash 3']);

    const last = h.current();
    const pending = h.client.request<'memory'>({ type: 'memory' });
    now += 1000;
    last.crash('crash 4');

    expect(last.terminated).toBe(1);
    expect(h.workers).toHaveLength(4);
    expect(h.restarts).toHaveLength(3);
    expect(h.fatals).toHaveLength(1);
    expect(h.fatals[0]).toContain('crash 4');
    await expect(pending).rejects.toThrow(/keeps failing/);
    // Given up: later requests fail at once instead of hanging on a terminated worker.
    await expect(h.client.request<'memory'>({ type: 'memory' })).rejects.toThrow(/has failed/);
    expect(last.posted.filter((m) => (m as { type: string }).type === 'memory')).toHaveLength(1);
  });

  it('counts only the crashes of the last 30 s', () => {
    const h = setup();
    for (let i = 1; i <= 6; i++) {
      now += 11_000; // at most 3 crashes in any 30 s window
      h.current().crash(`crash ${i}`);
    }
    expect(h.fatals).toEqual([]);
    expect(h.restarts).toHaveLength(6);
    expect(h.workers).toHaveLength(7);
    expect(h.current().posted[0]).toEqual({ type: 'init', backend: 'cpu', engine: 'auto' });

    // Then a burst after a pause: crash 6 (20 s ago) and two in the burst are 3, the next is the 4th.
    now += 20_000;
    h.current().crash('burst 1');
    now += 1_000;
    h.current().crash('burst 2');
    expect(h.fatals).toEqual([]);
    expect(h.workers).toHaveLength(9);
    now += 1_000;
    h.current().crash('burst 3');
    expect(h.fatals).toHaveLength(1);
    expect(h.fatals[0]).toContain('burst 3');
    expect(h.workers).toHaveLength(9);
  });

  it('a crash exactly 30 s old no longer counts', () => {
    const h = setup();
    for (const t of [0, 10_000, 20_000]) {
      now = 1_000_000 + t;
      h.current().crash(`at ${t}`);
    }
    now = 1_000_000 + 30_000;
    h.current().crash('at 30000');
    expect(h.fatals).toEqual([]);
    expect(h.workers).toHaveLength(5);
    now = 1_000_000 + 39_999; // 10 000, 20 000, 30 000 and this one are within 30 s
    h.current().crash('at 39999');
    expect(h.fatals).toHaveLength(1);
    expect(h.workers).toHaveLength(5);
  });

  it('works with fake timers too (Date.now follows the mocked clock)', () => {
    vi.restoreAllMocks();
    vi.useFakeTimers({ now: 0 });
    try {
      const h = setup();
      for (let i = 0; i < 3; i++) {
        h.current().crash(`c${i}`);
        vi.advanceTimersByTime(29_000);
      }
      // Crashes at 0, 29 s and 58 s; at 87 s only 58 s is within 30 s before it.
      h.current().crash('c3');
      vi.advanceTimersByTime(1_000);
      h.current().crash('c4');
      vi.advanceTimersByTime(1_000);
      h.current().crash('c5');
      expect(h.fatals).toEqual([]);
      expect(h.workers).toHaveLength(7);
      // 87, 88, 89 and now 90 s: the 4th within 30 s.
      vi.advanceTimersByTime(1_000);
      h.current().crash('c6');
      expect(h.fatals).toHaveLength(1);
      expect(h.workers).toHaveLength(7);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the heartbeat (issue 13, item 2: a worker that stops without an error)', () => {
  const HB = { intervalMs: 500, deadlineMs: 4000, startupMs: 15_000 };

  /** A client with the heartbeat on (fake timers: Date.now and setInterval follow vi's clock). */
  function setupLive({ heartbeat }: Pick<EngineClientOptions, 'heartbeat'> = { heartbeat: HB }) {
    const factory = fakeWorkerFactory();
    const events: WorkerResponse[] = [];
    const restarts: [string, string][] = [];
    const fatals: string[] = [];
    const client = new EngineClient({
      backend: 'cpu',
      onEvent: (m) => events.push(m),
      onRestart: (r, cause) => restarts.push([r, cause]),
      onFatal: (m) => fatals.push(m),
      createWorker: factory.create,
      heartbeat,
    });
    const current = () => factory.workers[factory.workers.length - 1];
    /** Answers every ping the current worker has not answered yet. */
    const answered = new WeakMap<FakeWorker, number>();
    const pong = () => {
      const w = current();
      const pings = w.ofType('ping');
      for (const p of pings.slice(answered.get(w) ?? 0)) w.emit({ type: 'pong', seq: p.seq as number });
      answered.set(w, pings.length);
    };
    return { client, workers: factory.workers, current, events, restarts, fatals, pong };
  }

  beforeEach(() => {
    vi.restoreAllMocks();
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings every interval (not at once: start-up posts init only); a worker that answers is never restarted', () => {
    const h = setupLive();
    expect(h.current().posted).toEqual([{ type: 'init', backend: 'cpu', engine: 'auto' }]);
    for (let t = 0; t < 120; t++) {
      vi.advanceTimersByTime(500);
      h.pong();
    }
    const pings = h.current().ofType('ping');
    expect(pings).toHaveLength(120);
    expect(new Set(pings.map((p) => p.seq)).size).toBe(120);
    expect(h.restarts).toEqual([]);
    expect(h.workers).toHaveLength(1);
    expect(h.client.liveness).toMatchObject({ pings: 120, pongs: 120, slowestPongMs: 0 });
    // A pong is no event.
    expect(h.events).toEqual([]);
    h.client.dispose();
  });

  it('restarts a worker that goes silent within 5 s, giving it the latest parameters, and says why', async () => {
    const h = setupLive();
    const w = h.current();
    const ck = checkpoint('maml', 0.4);
    const p = h.client.load(ck, 'maml.json');
    answerLoad(w, lastId(w, 'load'));
    await p;
    const pending = h.client.request<'memory'>({ type: 'memory' });
    const rejected = expect(pending).rejects.toThrow(/restarted.*stopped answering/);
    for (let t = 0; t < 10; t++) {
      vi.advanceTimersByTime(500);
      h.pong();
    }
    // self.close(): from now on, nothing.
    const silentSince = Date.now();
    while (h.workers.length === 1 && Date.now() - silentSince < 10_000) vi.advanceTimersByTime(100);
    expect(h.workers).toHaveLength(2);
    expect(Date.now() - silentSince).toBeLessThanOrEqual(5000);
    expect(Date.now() - silentSince).toBeGreaterThan(4000);
    expect(w.terminated).toBe(1);
    expect(h.restarts).toHaveLength(1);
    expect(h.restarts[0][1]).toBe('unresponsive');
    expect(h.restarts[0][0]).toMatch(/stopped answering/);
    await rejected;
    const fresh = h.current();
    expect(fresh.posted[0]).toEqual({ type: 'init', backend: 'cpu', engine: 'auto' });
    expect(fresh.ofType('load').map((m) => m.checkpoint)).toEqual([ck]);
    // The new worker is watched in turn.
    vi.advanceTimersByTime(500);
    expect(fresh.ofType('ping')).toHaveLength(1);
    h.client.dispose();
  });

  it('a worker busy for less than the deadline (a long evaluation chunk) is not restarted; its slowest answer is recorded', () => {
    const h = setupLive();
    vi.advanceTimersByTime(500);
    h.pong();
    // 3.9 s without a word, then it answers every ping it missed.
    vi.advanceTimersByTime(3900);
    expect(h.restarts).toEqual([]);
    h.pong();
    // The first ping it missed was sent 3.4 s before it answered.
    expect(h.client.liveness.slowestPongMs).toBe(3400);
    for (let t = 0; t < 20; t++) {
      vi.advanceTimersByTime(500);
      h.pong();
    }
    expect(h.restarts).toEqual([]);
    h.client.dispose();
  });

  it('any message is a sign of life, not only a pong', () => {
    const h = setupLive();
    for (let t = 0; t < 60; t++) {
      vi.advanceTimersByTime(1000);
      h.current().emit({ type: 'progress', method: 'maml', model: 'maml', iteration: t, iterations: 100, metaLoss: 1, itersPerSec: 1, etaSeconds: 1, stats: {}, path: 'typed arrays' });
    }
    expect(h.restarts).toEqual([]);
    expect(h.events).toHaveLength(60);
    h.client.dispose();
  });

  it('gives a new worker startupMs to load before its first word', () => {
    const h = setupLive();
    vi.advanceTimersByTime(14_500);
    expect(h.restarts).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(h.restarts).toHaveLength(1);
    expect(h.restarts[0][1]).toBe('unresponsive');
    h.client.dispose();
  });

  it('a late beat (this page stalled, e.g. a background tab) does not count the silence against the worker', () => {
    const h = setupLive();
    vi.advanceTimersByTime(500);
    h.pong();
    // The page's timers did not run for 20 s; the worker may well have answered into a queue meanwhile.
    vi.setSystemTime(Date.now() + 20_000);
    vi.advanceTimersByTime(500);
    expect(h.restarts).toEqual([]);
    h.pong();
    vi.advanceTimersByTime(500);
    expect(h.restarts).toEqual([]);
    // But a worker that then stays silent is restarted as usual.
    vi.advanceTimersByTime(5000);
    expect(h.restarts).toHaveLength(1);
    h.client.dispose();
  });

  it('a worker that never answers after restarts is given up on (no endless restarts); so is one that hangs again and again', () => {
    const h = setupLive();
    vi.advanceTimersByTime(4 * 15_500);
    expect(h.restarts).toHaveLength(3);
    expect(h.fatals).toHaveLength(1);
    expect(h.workers).toHaveLength(4);
    // Nothing is pinged or restarted any more.
    const posted = h.current().posted.length;
    vi.advanceTimersByTime(60_000);
    expect(h.current().posted.length).toBe(posted);
    expect(h.workers).toHaveLength(4);

    // Each silent restart gives the next worker twice as long: 4, 8, 16, 32 s; then it is given up.
    const g = setupLive();
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(500);
      g.pong();
      vi.advanceTimersByTime(HB.deadlineMs * 2 ** i - 500);
      expect(g.workers, `before the deadline of worker ${i + 1}`).toHaveLength(i + 1);
      vi.advanceTimersByTime(1000);
      expect(g.workers.length + g.fatals.length, `after the deadline of worker ${i + 1}`).toBe(i + 2);
    }
    expect(g.fatals).toHaveLength(1);
    expect(g.fatals[0]).toMatch(/in a row without answering.*stopped answering/);
    g.client.dispose();
  });

  it('after a silent restart the next worker gets twice the deadline (a slow machine is not restarted in a loop); a healthy minute resets it', () => {
    const h = setupLive();
    vi.advanceTimersByTime(500);
    h.pong();
    vi.advanceTimersByTime(4500);
    expect(h.restarts).toHaveLength(1);
    // The new worker starts, answers, then is busy for 6 s: more than 4 s, less than 8 s: left alone.
    vi.advanceTimersByTime(500);
    h.pong();
    vi.advanceTimersByTime(6000);
    h.pong();
    expect(h.restarts).toHaveLength(1);
    // After a minute of answers the deadline is 4 s again.
    for (let t = 0; t < 120; t++) {
      vi.advanceTimersByTime(500);
      h.pong();
    }
    vi.advanceTimersByTime(4500);
    expect(h.restarts).toHaveLength(2);
    h.client.dispose();
  });

  it('dispose stops the heartbeat; a caller-made worker has none unless asked (as before)', () => {
    const h = setupLive();
    h.client.dispose();
    vi.advanceTimersByTime(60_000);
    expect(h.current().ofType('ping')).toHaveLength(0);
    expect(h.restarts).toEqual([]);

    const plain = setupLive({});
    vi.advanceTimersByTime(60_000);
    expect(plain.current().posted).toEqual([{ type: 'init', backend: 'cpu', engine: 'auto' }]);
    expect(plain.restarts).toEqual([]);
    plain.client.dispose();
  });

  it('the test hooks post stop and hang', () => {
    const h = setupLive({ heartbeat: null });
    h.client.stopSilently();
    h.client.hang(2000);
    h.client.hang();
    expect(h.current().posted.slice(1)).toEqual([{ type: 'stop' }, { type: 'hang', ms: 2000 }, { type: 'hang' }]);
  });
});

describe("a click's answer in shared memory (answer-slot.ts)", () => {
  const adaptReq = { type: 'adapt' as const, methods: ['maml' as const], points: [{ x: 0, y: 1 }], grid: [0], steps: 1, alpha: 0.01, task: null };
  const answerTo = (id: number, value: number): Extract<WorkerResponse, { type: 'adapted' }> => ({
    type: 'adapted',
    id,
    results: { maml: { predictions: [[value], [value]], supportLoss: [1, 0.5], taskLoss: null, divergedAt: null } },
    path: 'typed arrays',
    computeMs: 1,
  });
  function withMemory() {
    const factory = fakeWorkerFactory();
    const events: WorkerResponse[] = [];
    const memory = new SharedArrayBuffer(1 << 16);
    const client = new EngineClient({ backend: 'cpu', onEvent: (m) => events.push(m), onRestart: () => undefined, onFatal: () => undefined, createWorker: factory.create, answers: memory });
    return { client, events, worker: () => factory.workers[factory.workers.length - 1], slot: new AnswerSlot(memory), memory };
  }

  it('init hands the worker the memory, again after a restart', () => {
    const h = withMemory();
    expect(h.worker().posted[0]).toEqual({ type: 'init', backend: 'cpu', engine: 'auto', answers: h.memory });
    h.worker().crash('boom');
    expect(h.worker().posted[0]).toEqual({ type: 'init', backend: 'cpu', engine: 'auto', answers: h.memory });
  });

  it('awaitAnswers answers the request from memory in the same task; its message, when it comes, is dropped', async () => {
    const h = withMemory();
    let answer: WorkerResponse | null = null;
    void h.client.request<'adapted'>(adaptReq).then((m) => (answer = m));
    const id = lastId(h.worker(), 'adapt');
    // An older answer in memory is not this request's.
    h.slot.write(answerTo(id - 1, 9));
    const t0 = performance.now();
    h.client.awaitAnswers(3);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2.9);
    expect(h.client.answersBy).toEqual({ memory: 0, message: 0 });
    h.slot.write(answerTo(id, 4));
    h.client.awaitAnswers(1000);
    await Promise.resolve();
    expect(answer).toEqual(answerTo(id, 4));
    expect(h.client.answersBy).toEqual({ memory: 1, message: 0 });
    h.worker().emit(answerTo(id, 4));
    expect(h.events).toEqual([]);
    // Nothing left to wait for: it returns at once.
    const t1 = performance.now();
    h.client.awaitAnswers(1000);
    expect(performance.now() - t1).toBeLessThan(100);
  });

  it('an answer not in memory in time comes by its message', async () => {
    const h = withMemory();
    const p = h.client.request<'adapted'>(adaptReq);
    const id = lastId(h.worker(), 'adapt');
    h.client.awaitAnswers(1);
    h.worker().emit(answerTo(id, 2));
    await expect(p).resolves.toEqual(answerTo(id, 2));
    expect(h.client.answersBy).toEqual({ memory: 0, message: 1 });
    // Its later copy in memory answers nothing.
    h.slot.write(answerTo(id, 2));
    h.client.awaitAnswers(1000);
    expect(h.client.answersBy).toEqual({ memory: 0, message: 1 });
  });

  it('without shared memory (a page not cross-origin isolated), init carries none and nothing waits', () => {
    const factory = fakeWorkerFactory();
    const client = new EngineClient({ backend: 'cpu', onEvent: () => undefined, onRestart: () => undefined, onFatal: () => undefined, createWorker: factory.create, answers: null });
    expect(factory.workers[0].posted[0]).toEqual({ type: 'init', backend: 'cpu', engine: 'auto' });
    void client.request<'adapted'>(adaptReq);
    const t0 = performance.now();
    client.awaitAnswers(1000);
    expect(performance.now() - t0).toBeLessThan(100);
  });
});

/**
 * The worker's engine (src/worker/engine.ts) driven as the worker drives it, with a recording `post`, on the
 * tfjs cpu backend: init, adaptation on both paths, latest-wins, the training state machine, the snapshots a
 * restarted worker gets its parameters back from, checkpoints in and out, and the diagnostic requests.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { paramShapes, planeMlp, SINUSOID_MLP } from '../../src/meta/contracts/architecture';
import { checkpointArrays, makeCheckpoint, type Checkpoint } from '../../src/meta/contracts/checkpoint';
import { flatLearner } from '../../src/meta/fast/adapt';
import { metaStepBreakdown } from '../../src/meta/fast/breakdown';
import { defaultTrainConfig, PAPER_CONFIG, planeTrainConfig, type TrainConfig } from '../../src/meta/contracts/config';
import type { AlgorithmId } from '../../src/meta/contracts/algorithms';
import { Rng } from '../../src/meta/contracts/random';
import { sinusoid } from '../../src/meta/contracts/tasks/sinusoid';
import type { ParamArrays } from '../../src/meta/contracts/types';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { WorkerEngine, type WorkerEngineOptions } from '../../src/worker/engine';
import { initParams } from '../../src/meta/engine/model';
import { disposeParams, type Params } from '../../src/meta/engine/params';
import type { StepOutcome, Trainer } from '../../src/meta/engine/trainer';
import type { Provenance } from '../../src/meta/contracts/provenance';
import type { EnginePreference, WorkerRequest, WorkerResponse } from '../../src/worker/protocol';

type Msg<T extends WorkerResponse['type']> = Extract<WorkerResponse, { type: T }>;

/** An engine whose messages are recorded; `until` waits for one. */
class Harness {
  readonly sent: WorkerResponse[] = [];
  private waiters: (() => void)[] = [];
  readonly engine: WorkerEngine;

  constructor(extra: Partial<WorkerEngineOptions> = {}) {
    this.engine = new WorkerEngine({
      post: (m) => {
        this.sent.push(m);
        this.waiters.forEach((w) => w());
      },
      chooseBackend: async () => ({ backend: (await useNodeBackend('cpu')) as 'cpu', fallbacks: ['webgpu: not in Node'] }),
      ...extra,
    });
  }

  send(msg: WorkerRequest): Promise<void> {
    return this.engine.handle(msg);
  }

  /** The first message from index `from` on of this type that passes `test`, as soon as it is posted. */
  until<T extends WorkerResponse['type']>(type: T, test: (m: Msg<T>) => boolean = () => true, from = 0, ms = 20_000): Promise<Msg<T>> {
    return new Promise((resolve, reject) => {
      const look = () => {
        const hit = this.sent.slice(from).find((m): m is Msg<T> => m.type === type && test(m as Msg<T>));
        if (!hit) return false;
        this.waiters = this.waiters.filter((w) => w !== check);
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const check = () => void look();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`no ${type} message; sent: ${this.sent.slice(from).map((m) => m.type).join(', ')}`));
      }, ms);
      if (!look()) this.waiters.push(check);
    });
  }

  /** Every message of one type so far. */
  all<T extends WorkerResponse['type']>(type: T): Msg<T>[] {
    return this.sent.filter((m): m is Msg<T> => m.type === type);
  }

  /** A model's current parameters, by export. */
  async exported(method: AlgorithmId, id: number, model?: string): Promise<Checkpoint> {
    await this.send({ type: 'export', id, method, ...(model ? { model } : {}) });
    return (await this.until('snapshot', (m) => m.id === id)).checkpoint;
  }
}

let open: Harness[] = [];
afterEach(() => {
  open.forEach((h) => h.engine.dispose());
  open = [];
});

async function started(engine: EnginePreference = 'auto', extra: Partial<WorkerEngineOptions> = {}): Promise<Harness> {
  const h = new Harness(extra);
  open.push(h);
  await h.send({ type: 'init', backend: null, engine });
  return h;
}

const task = { amplitude: 2, phase: 1 };
const points = [-4, -2, 0, 1.5, 3.5].map((x) => ({ x, y: sinusoid(task, x) }));
const grid = Array.from({ length: 11 }, (_, i) => -5 + i);
const adapt = (id: number, steps = 2, methods: AlgorithmId[] = ['maml', 'pretrained', 'metasgd']): WorkerRequest => ({ type: 'adapt', id, methods, points, grid, steps, alpha: 0.01, task });

/** A valid checkpoint of random values. */
function checkpoint(algorithm: AlgorithmId, seed: number, plane = false): Checkpoint {
  const rng = new Rng(seed);
  const params: ParamArrays = {};
  for (const [name, shape] of Object.entries(paramShapes(plane ? planeMlp(2) : SINUSOID_MLP)))
    params[name] = { shape, values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-0.3, 0.3)) };
  const training = plane ? { ...planeTrainConfig(algorithm, 2), iterations: 7 } : { ...PAPER_CONFIG, algorithm, iterations: 7 };
  return makeCheckpoint(algorithm, params, training, [{ kShot: 5, tasks: 600, alpha: 0.01, mean: [3, 1], ci95: [0.1, 0.1] }]);
}

/** A short MAML run on the typed-array path, small enough that an iteration takes about a millisecond. */
const small = (iterations: number): TrainConfig => ({ ...defaultTrainConfig('maml'), metaBatch: 4, iterations });

describe('WorkerEngine', () => {
  it('init starts the backend it is given and answers ready; the models start as random initialisations', async () => {
    const h = await started();
    expect(h.sent[0]).toEqual({ type: 'ready', backend: 'cpu', fallbacks: ['webgpu: not in Node'] });
    expect(tf.getBackend()).toBe('cpu');
    const maml = await h.exported('maml', 1);
    expect(maml.training).toMatchObject({ algorithm: 'maml', iterations: 0 });
    expect(maml.params.w0.shape).toEqual([1, 40]);
    expect(maml.params.w0.values.some((v) => v !== 0)).toBe(true);
  });

  it('answers an adapt request with curves for every method, the same on typed arrays as on tfjs', async () => {
    const typed = await started('auto');
    const tfjs = await started('tfjs');
    // One after the other: each engine times its paths (JobPaths) on a thread the other does not share.
    const answers: Extract<WorkerResponse, { type: 'adapted' }>[] = [];
    for (const h of [typed, tfjs]) {
      await h.send(adapt(7, 3));
      answers.push(await h.until('adapted', (m) => m.id === 7));
    }
    expect(answers.map((a) => a.path)).toEqual(['typed arrays', 'tfjs (cpu)']);
    // Chosen by measurement where both paths can serve (auto), not where only one may (engine=tfjs).
    expect(answers[0].pathNote).toMatch(/^fastest by measurement: typed arrays [\d.]+ ms, tfjs \(cpu\) (over )?[\d.]+ ms$/);
    expect(answers[1].pathNote).toBeUndefined();
    for (const a of answers) {
      expect(Object.keys(a.results).sort()).toEqual(['maml', 'metasgd', 'pretrained']);
      for (const c of Object.values(a.results)) {
        expect(c!.predictions).toHaveLength(4); // steps 0..3
        expect(c!.predictions[0]).toHaveLength(grid.length);
        expect(c!.taskLoss).toHaveLength(4);
        // Untrained models: each SGD step on the support points lowers their loss.
        expect(c!.supportLoss[3]).toBeLessThan(c!.supportLoss[0]);
      }
    }
    for (const m of ['maml', 'pretrained', 'metasgd'] as const)
      answers[0].results[m]!.predictions.flat().forEach((p, i) => expect(p).toBeCloseTo(answers[1].results[m]!.predictions.flat()[i], 4));
  });

  it('latest wins: of adapt requests sent while one waits, only the newest is answered', async () => {
    const h = await started();
    void h.send(adapt(1, 1));
    void h.send(adapt(2, 2));
    void h.send(adapt(3, 4));
    await h.send({ type: 'memory', id: 4 }); // through the lock after them: every adaptation is done by now
    await h.until('memory', (m) => m.id === 4);
    const adapted = h.all('adapted');
    expect(adapted.map((m) => m.id)).toEqual([3]);
    expect(adapted[0].results.maml!.predictions).toHaveLength(5); // request 3's steps
  });

  it('a failed request of a latest-wins queue is reported with its own id', async () => {
    const h = await started();
    const classify = (id: number, queries: Float32Array): WorkerRequest => ({
      type: 'classify',
      id,
      problem: 'plane',
      classes: 2,
      methods: ['maml'],
      support: { x: new Float32Array([0, 0, 1, 1]), labels: new Int32Array([0, 1]) },
      queries,
      queryLabels: null,
      steps: 1,
      alpha: 0.5,
    });
    void h.send(classify(10, new Float32Array([0.5, 0.5])));
    void h.send(classify(11, new Float32Array([0.5, 0.5, 0.5]))); // not a whole number of 2-D points
    const error = await h.until('error');
    expect(error.id).toBe(11);
    expect(error.message).toMatch(/^Classification failed: Query inputs have 3 values/);
    await h.send(classify(12, new Float32Array([0.5, 0.5, -1, 2])));
    const ok = await h.until('classified', (m) => m.id === 12);
    expect(ok.results.maml!.probabilities[1]).toHaveLength(4); // 2 queries x 2 classes
  });

  it('training: running, progress, pause (with a snapshot), refused transitions, resume, reset back to the old parameters', async () => {
    const h = await started();
    const before = await h.exported('maml', 1);
    await h.send({ type: 'train', config: small(1_000_000) });
    expect(h.all('trainState').at(-1)).toMatchObject({ state: 'running', method: 'maml', model: 'maml' });
    const progress = await h.until('progress');
    expect(progress).toMatchObject({ method: 'maml', model: 'maml', iterations: 1_000_000, path: 'typed arrays' });
    expect(progress.iteration).toBeGreaterThan(0);
    expect(Number.isFinite(progress.metaLoss)).toBe(true);

    // resume while running is refused: nothing changes, nothing is said
    let mark = h.sent.length;
    await h.send({ type: 'resume' });
    expect(h.sent.slice(mark).filter((m) => m.type === 'trainState')).toEqual([]);

    mark = h.sent.length;
    await h.send({ type: 'pause' });
    expect(h.sent[mark]).toMatchObject({ type: 'trainState', state: 'paused', method: 'maml' });
    // The snapshot a restarted worker would get back: the trainer's parameters at the pause.
    const paused = await h.until('snapshot', (m) => m.id === null, mark);
    expect(paused.checkpoint.training.iterations).toBeGreaterThanOrEqual(progress.iteration);
    expect(paused.checkpoint.params.w0.values).not.toEqual(before.params.w0.values);
    expect((await h.exported('maml', 2)).params).toEqual(paused.checkpoint.params); // no steps while paused

    mark = h.sent.length;
    await h.send({ type: 'pause' }); // already paused: refused
    expect(h.sent.slice(mark)).toEqual([]);

    mark = h.sent.length;
    await h.send({ type: 'resume' });
    expect(h.sent[mark]).toMatchObject({ type: 'trainState', state: 'running' });
    const later = await h.until('progress', () => true, mark);
    expect(later.iteration).toBeGreaterThan(paused.checkpoint.training.iterations);

    await h.send({ type: 'reset' });
    expect(h.all('trainState').at(-1)).toMatchObject({ state: 'idle', method: 'maml', message: expect.stringMatching(/discarded/) });
    expect((await h.exported('maml', 3)).params).toEqual(before.params);
    mark = h.sent.length;
    await h.send({ type: 'resume' }); // nothing to resume
    await h.send({ type: 'pause' });
    expect(h.sent.slice(mark)).toEqual([]);
  });

  it('a finished training becomes the model, with its last snapshot; a model in training refuses a checkpoint', async () => {
    const h = await started();
    await h.send({ type: 'train', config: small(5) });
    const done = await h.until('trainState', (m) => m.state === 'done');
    expect(done).toMatchObject({ method: 'maml', model: 'maml', message: 'Training finished: 5 iterations.' });
    expect(h.all('progress').at(-1)).toMatchObject({ iteration: 5, iterations: 5 });
    const last = await h.until('snapshot', (m) => m.id === null);
    expect(last.checkpoint.training).toMatchObject({ iterations: 5, metaBatch: 4 });
    const model = await h.exported('maml', 1);
    expect(model.params).toEqual(last.checkpoint.params);
    expect(model.training).toEqual(last.checkpoint.training);

    await h.send({ type: 'train', config: small(1_000_000) });
    await h.send({ type: 'load', id: 2, checkpoint: checkpoint('maml', 1), source: 'file' });
    expect(h.all('error').at(-1)).toMatchObject({ id: 2, message: expect.stringMatching(/is being trained on this problem/) });
    await h.send({ type: 'load', id: 3, checkpoint: checkpoint('fomaml', 1), source: 'file' }); // another model: fine
    expect(h.all('loaded').at(-1)).toMatchObject({ id: 3, method: 'fomaml' });
    await h.send({ type: 'reset' });
  });

  it('a checkpoint loaded comes back out unchanged, sinusoid and plane alike; an invalid one is refused', async () => {
    const h = await started();
    for (const [ckpt, key] of [
      [checkpoint('fomaml', 5), 'fomaml'],
      [checkpoint('reptile', 6, true), 'plane-2way/reptile'],
    ] as const) {
      await h.send({ type: 'load', id: 1, checkpoint: ckpt, source: 'my file' });
      expect(h.all('loaded').at(-1)).toEqual({ type: 'loaded', id: 1, method: ckpt.algorithm, model: key, source: 'my file' });
      const out = await h.exported(ckpt.algorithm, 2, key);
      expect(out.params).toEqual(ckpt.params);
      expect(out.training).toEqual(ckpt.training);
      expect(out.evaluation).toEqual(ckpt.evaluation);
      h.sent.length = 0;
    }
    await h.send({ type: 'load', id: 9, checkpoint: { format: 'something else' } as unknown as Checkpoint, source: 'x' });
    expect(h.all('error')).toEqual([{ type: 'error', id: 9, message: expect.stringMatching(/not a MAML Playground checkpoint/) }]);
  });

  it('evaluates on the paper protocol, the same on both paths', async () => {
    const curves = await Promise.all(
      (['auto', 'tfjs'] as const).map(async (engine) => {
        const h = await started(engine);
        await h.send({ type: 'evaluate', id: 1, methods: ['maml', 'oracle'], kShot: 5, steps: 2, tasks: 8, alpha: 0.01, seed: 3 });
        return (await h.until('evaluated')).results;
      }),
    );
    for (const m of ['maml', 'oracle'] as const) {
      expect(curves[0][m]!.mean).toHaveLength(3);
      curves[0][m]!.mean.forEach((v, i) => expect(v).toBeCloseTo(curves[1][m]!.mean[i], 3));
    }
  });

  it('reports evaluation progress after each chunk: monotone over all methods, ending at the total, before the answer', async () => {
    for (const engine of ['auto', 'tfjs'] as const) {
      const h = await started(engine);
      const from = h.sent.length;
      // 60 tasks: chunks of 50 (typed arrays) or 25 (tfjs), the last one short.
      await h.send({ type: 'evaluate', id: 7, methods: ['maml', 'oracle'], kShot: 5, steps: 1, tasks: 60, alpha: 0.01, seed: 3 });
      await h.until('evaluated', () => true, from);
      const sent = h.sent.slice(from).filter((m) => m.type === 'evalProgress' || m.type === 'evaluated');
      const progress = sent.filter((m): m is Msg<'evalProgress'> => m.type === 'evalProgress');
      expect(sent.at(-1)!.type).toBe('evaluated');
      expect(progress.length).toBe(engine === 'auto' ? 4 : 6);
      progress.forEach((p, i) => {
        expect(p).toMatchObject({ id: 7, total: 120 });
        if (i > 0) expect(p.done).toBeGreaterThan(progress[i - 1].done);
      });
      expect(progress.map((p) => p.done)).toEqual(engine === 'auto' ? [50, 60, 110, 120] : [25, 50, 60, 85, 110, 120]);
    }
  });

  it('diagnostics: memory, bench, time to quality and the GPU check leave the models alone', async () => {
    const h = await started();
    const model = await h.exported('maml', 1);
    await h.send({ type: 'memory', id: 2 });
    expect(h.all('memory')[0]).toEqual({ type: 'memory', id: 2, numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes });

    await h.send({ type: 'bench', id: 3, algorithms: ['maml', 'reptile'], iterations: 1, path: 'typed' });
    const typed = h.all('benchResult')[0];
    expect(typed).toMatchObject({ backend: 'typed arrays', path: 'typed', kernelsPerIteration: {} });
    expect(Object.keys(typed.msPerIteration)).toEqual(['maml', 'reptile']); // every trainable algorithm has a typed path
    expect(typed.msPerIteration.maml).toBeGreaterThan(0);
    await h.send({ type: 'bench', id: 4, algorithms: ['fomaml'], iterations: 1 });
    const tfjs = h.all('benchResult')[1];
    expect(tfjs).toMatchObject({ id: 4, backend: 'cpu', path: 'tfjs' });
    expect(tfjs.kernelsPerIteration.fomaml).toBeGreaterThan(10);

    await h.send({ type: 'timeToQuality', id: 5, config: small(1_000_000), target: Infinity, seconds: 5, evalEveryMs: 20, validationTasks: 10, testTasks: 12 });
    const ttq = h.all('timeToQualityResult')[0];
    expect(ttq).toMatchObject({ id: 5, path: 'typed arrays', reached: true });
    expect(ttq.curve).toHaveLength(1);
    expect(ttq.curve[0].iteration).toBeGreaterThan(0);
    expect(ttq.curve[0].mse).toBeGreaterThan(0);
    // The stop is chosen on validation tasks; the test tasks score the model it stopped at, once, and differ.
    expect(ttq.test).toMatchObject({ iteration: ttq.curve[0].iteration, tasks: 12 });
    expect(ttq.test.mse).toBeGreaterThan(0);
    expect(ttq.test.mse).not.toBe(ttq.curve[0].mse);

    await h.send({ type: 'gpuCheck', id: 6 });
    expect(h.all('gpuCheckResult')[0]).toEqual({ type: 'gpuCheckResult', id: 6, available: false, reason: 'the engine runs on cpu, not webgpu' });

    expect((await h.exported('maml', 7)).params).toEqual(model.params);
    expect(h.all('error')).toEqual([]);
  });
});

// ---- provenance: one owner of each model's parameters (issue 13, item 1) ----

const SHIPPED: Provenance = { kind: 'shipped', file: 'maml.json', iterations: 70000, seed: 1 };

/** A checkpoint as the page loads a shipped one: with its provenance. */
const shippedCheckpoint = (seed: number): Checkpoint => ({ ...checkpoint('maml', seed), provenance: SHIPPED });

/**
 * A trainer whose meta-losses are scripted (losses[i - 1] at iteration i; null: the step is refused), each accepted
 * step adding 1 to the last bias; it can hold a step until released, so a test can pause at a known iteration.
 */
class ScriptedTrainer implements Trainer {
  iteration = 0;
  readonly path = 'typed arrays' as const;
  params: Params = initParams(SINUSOID_MLP, new Rng(99));
  holding = false;
  private release: (() => void) | null = null;

  constructor(
    readonly config: TrainConfig,
    private readonly losses: (number | null)[],
    private readonly holdAt: number | null = null,
  ) {}

  async step(): Promise<StepOutcome> {
    const i = this.iteration + 1;
    if (i === this.holdAt) {
      this.holding = true;
      await new Promise<void>((r) => (this.release = r));
      this.holding = false;
    }
    const loss = i <= this.losses.length ? this.losses[i - 1] : 1;
    if (loss === null) return { ok: false, iteration: i, loss: Infinity, reason: `Training diverged at iteration ${i}: scripted.` };
    const next = { ...this.params, b2: tf.add(this.params.b2, 1) };
    this.params.b2.dispose();
    this.params = next;
    this.iteration = i;
    return { ok: true, iteration: i, loss, stats: {} };
  }

  go(): void {
    this.release?.();
  }

  takeParams(): Params {
    const p = this.params;
    this.params = {};
    return p;
  }

  dispose(): void {
    disposeParams(this.params);
  }
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('WorkerEngine: provenance and the parameters it hands out', () => {
  it('every snapshot and export carries the provenance of its parameters; a file without one is named by its source', async () => {
    const h = await started();
    expect((await h.exported('maml', 1)).provenance).toEqual({ kind: 'random', reason: 'start' });
    await h.send({ type: 'load', id: 2, checkpoint: shippedCheckpoint(3), source: 'shipped checkpoint (70000 iterations)' });
    expect((await h.exported('maml', 3)).provenance).toEqual(SHIPPED);
    await h.send({ type: 'load', id: 4, checkpoint: checkpoint('fomaml', 4), source: 'mine.json' });
    expect((await h.exported('fomaml', 5)).provenance).toEqual({ kind: 'uploaded', fileName: 'mine.json', iterations: 7 });
  });

  it('reset discards the run and posts the model from before it, so the page keeps that one (not the run) for a restart', async () => {
    const h = await started();
    const loaded = shippedCheckpoint(3);
    await h.send({ type: 'load', id: 1, checkpoint: loaded, source: 'shipped' });
    await h.send({ type: 'train', config: small(1_000_000) });
    await h.until('progress');
    let mark = h.sent.length;
    await h.send({ type: 'pause' });
    const paused = await h.until('snapshot', (m) => m.id === null, mark);
    expect(paused.checkpoint.provenance).toEqual({ kind: 'trained', iterations: paused.checkpoint.training.iterations, planned: 1_000_000 });
    mark = h.sent.length;
    await h.send({ type: 'reset' });
    const after = h.sent.slice(mark).filter((m): m is Msg<'snapshot'> => m.type === 'snapshot');
    expect(after).toHaveLength(1);
    expect(after[0].checkpoint.params).toEqual(loaded.params);
    expect(after[0].checkpoint.training).toEqual(loaded.training);
    expect(after[0].checkpoint.provenance).toEqual(SHIPPED);
  });

  it('a run that blows up at once (meta learning rate 10, or alpha 100) never replaces the model: the one before it is kept, and says so', async () => {
    for (const [change, at] of [[{ metaLr: 10 }, 2], [{ alpha: 100, metaLr: 10 }, 1]] as const) {
      const h = await started();
      const loaded = shippedCheckpoint(3);
      await h.send({ type: 'load', id: 1, checkpoint: loaded, source: 'shipped' });
      await h.send({ type: 'train', config: { ...PAPER_CONFIG, algorithm: 'maml', iterations: 1000, ...change } });
      const diverged = await h.until('trainState', (m) => m.state === 'diverged');
      expect(diverged.message).toMatch(new RegExp(`^Training diverged at iteration ${at}: .* Kept: the model from before this run \\(shipped checkpoint \\(70000 iterations\\)\\); the run's parameters were discarded\\.$`));
      const snap = await h.until('snapshot', (m) => m.id === null);
      const provenance = { ...SHIPPED, diverged: { atIteration: at, kept: 'previous' } };
      expect(snap.checkpoint.provenance).toEqual(provenance);
      expect(snap.checkpoint.params).toEqual(loaded.params);
      // Export (Download) writes these parameters with this provenance; the curves are this model's.
      const out = await h.exported('maml', 2);
      expect(out.params).toEqual(loaded.params);
      expect(out.provenance).toEqual(provenance);
      await h.send(adapt(3, 1, ['maml']));
      const curves = (await h.until('adapted', (m) => m.id === 3)).results.maml!;
      expect(curves.predictions[0].every((y) => Number.isFinite(y) && Math.abs(y) < 100)).toBe(true);
      // The run is over: resume does nothing; reset drops the note.
      let mark = h.sent.length;
      await h.send({ type: 'resume' });
      expect(h.sent.slice(mark)).toEqual([]);
      mark = h.sent.length;
      await h.send({ type: 'reset' });
      expect((await h.until('snapshot', () => true, mark)).checkpoint.provenance).toEqual(SHIPPED);
    }
  });

  it("a run that diverges keeps its last good parameters (the snapshot the next step confirmed), labelled so; Reset brings back the model before it", async () => {
    let trainer: ScriptedTrainer | null = null;
    const h = await started('auto', { makeTrainer: (config) => (trainer = new ScriptedTrainer(config, [...Array.from({ length: 12 }, () => 2), null], 11)) });
    const loaded = shippedCheckpoint(3);
    await h.send({ type: 'load', id: 1, checkpoint: loaded, source: 'shipped' });
    await h.send({ type: 'train', config: small(100) });
    await waitFor(() => trainer?.holding === true, 'the step at iteration 11');
    let mark = h.sent.length;
    const pausing = h.send({ type: 'pause' });
    trainer!.go();
    await pausing;
    const paused = await h.until('snapshot', (m) => m.id === null, mark);
    expect(paused.checkpoint.training.iterations).toBe(11);
    await h.send({ type: 'resume' });
    const diverged = await h.until('trainState', (m) => m.state === 'diverged');
    expect(diverged.message).toBe(
      "Training diverged at iteration 13: scripted. Kept: this run's last good parameters (iteration 11); Reset brings back the model from before it (shipped checkpoint (70000 iterations)).",
    );
    const kept = (await h.until('snapshot', (m) => m.id === null && m.checkpoint.provenance?.diverged !== undefined)).checkpoint;
    expect(kept.provenance).toEqual({ kind: 'trained', iterations: 11, planned: 100, diverged: { atIteration: 13, kept: 'run' } });
    expect(kept.params).toEqual(paused.checkpoint.params);
    expect(kept.training.iterations).toBe(11);
    expect((await h.exported('maml', 2)).params).toEqual(paused.checkpoint.params);
    mark = h.sent.length;
    await h.send({ type: 'reset' });
    const back = (await h.until('snapshot', () => true, mark)).checkpoint;
    expect(back.params).toEqual(loaded.params);
    expect(back.provenance).toEqual(SHIPPED);
  });

  it("a meta-loss far above the run's start is a divergence even when the trainer accepts it; an unconfirmed snapshot is not kept", async () => {
    let trainer: ScriptedTrainer | null = null;
    const h = await started('auto', { makeTrainer: (config) => (trainer = new ScriptedTrainer(config, [4, 4, 4, 500], 3)) });
    await h.send({ type: 'load', id: 1, checkpoint: shippedCheckpoint(3), source: 'shipped' });
    await h.send({ type: 'train', config: small(100) });
    await waitFor(() => trainer?.holding === true, 'the step at iteration 3');
    const pausing = h.send({ type: 'pause' });
    trainer!.go();
    await pausing; // a snapshot after iteration 3: its loss (iteration 4's) is 500
    await h.send({ type: 'resume' });
    const diverged = await h.until('trainState', (m) => m.state === 'diverged');
    expect(diverged.message).toMatch(/^Training diverged at iteration 4: meta-loss 5\.00e\+2 is over 100 times the run's first \(4\.00\) \(alpha = .*\)\. Kept: the model from before this run/);
    expect((await h.exported('maml', 2)).provenance).toEqual({ ...SHIPPED, diverged: { atIteration: 4, kept: 'previous' } });
  });

  it('a new run replaces a paused one and posts the model that run had replaced; forget brings back a random initialisation', async () => {
    const h = await started();
    const loaded = shippedCheckpoint(3);
    await h.send({ type: 'load', id: 1, checkpoint: loaded, source: 'shipped' });
    await h.send({ type: 'train', config: small(1_000_000) });
    await h.until('progress');
    await h.send({ type: 'pause' });
    const mark = h.sent.length;
    await h.send({ type: 'train', config: { ...small(1_000_000), algorithm: 'fomaml' } });
    const replaced = await h.until('snapshot', (m) => m.id === null, mark);
    expect(replaced.checkpoint.algorithm).toBe('maml');
    expect(replaced.checkpoint.params).toEqual(loaded.params);
    expect(replaced.checkpoint.provenance).toEqual(SHIPPED);
    await h.send({ type: 'forget', id: 5, model: 'fomaml' });
    expect(h.all('error').at(-1)).toMatchObject({ id: 5, message: expect.stringMatching(/is being trained/) });
    await h.send({ type: 'reset' });
    await h.send({ type: 'forget', id: 6, model: 'maml' });
    const fresh = await h.until('snapshot', (m) => m.id === 6);
    expect(fresh.checkpoint.provenance).toEqual({ kind: 'random', reason: 'start' });
    expect(fresh.checkpoint.params).not.toEqual(loaded.params);
    await h.send({ type: 'forget', id: 7, model: 'plane-2way/nope' });
    expect(h.all('error').at(-1)).toMatchObject({ id: 7, message: 'There is no model "plane-2way/nope".' });
  });
});

describe('WorkerEngine metaStep (issue 15, the Learn mode\'s slow motion)', () => {
  it('takes apart one meta-iteration of the loaded model, as metaStepBreakdown computes it on those parameters, and leaves the model alone', async () => {
    const h = await started();
    const ckpt = checkpoint('maml', 21);
    await h.send({ type: 'load', id: 1, checkpoint: ckpt, source: 'test' });
    const req = { method: 'maml' as const, tasks: 3, kSupport: 5, kQuery: 5, innerSteps: 1, alpha: 0.01, metaLr: 0.001, seed: 9 };
    await h.send({ type: 'metaStep', id: 2, ...req });
    const got = await h.until('metaStepResult', (m) => m.id === 2);
    const l = flatLearner(checkpointArrays(ckpt), {}, false);
    const want = metaStepBreakdown(l.sizes, l.theta, req);
    expect(got.exactGrad).toEqual(want.exactGrad);
    expect(got.tasks).toHaveLength(3);
    expect(got.thetaBefore).toEqual(want.thetaBefore);
    // The model is unchanged: a second request gives the same numbers.
    await h.send({ type: 'metaStep', id: 3, ...req });
    expect((await h.until('metaStepResult', (m) => m.id === 3)).exactGrad).toEqual(want.exactGrad);
    // The oracle's network takes the task as input: refused with a reason.
    await h.send({ type: 'metaStep', id: 4, ...req, method: 'oracle' });
    expect((await h.until('error', (m) => m.id === 4)).message).toMatch(/told the task/);
  });
});

/**
 * An engine session (src/session/) against a fake worker and a fetch that serves public/checkpoints/: start-up
 * loads the shipped checkpoints before any curve is asked for; settings changes become adapt and evaluate
 * requests whose answers land in the store, the latest settings winning; the training, upload, download,
 * reproduction and link commands send what they should and the store follows the worker's answers.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALGORITHM_IDS, type AlgorithmId } from '../../src/meta/contracts/algorithms';
import { parseCheckpoint, type Checkpoint } from '../../src/meta/contracts/checkpoint';
import { BINARY_CHECKPOINT_EXT, encodeCheckpoint, readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { PAPER_EVAL } from '../../src/meta/contracts/config';
import { PROBLEM_INFO } from '../../src/meta/contracts/problems';
import type { AdaptationCurves, ClassAdaptation, EvalCurve } from '../../src/meta/contracts/types';
import { readAddress, syncAddress } from '../../src/session/link';
import { createSession, type Session, type SessionOptions } from '../../src/session/session';
import { SAVE_RUNNING_MS, type FileOut } from '../../src/session/checkpoints';
import { ANSWER_HOLD_MS } from '../../src/session/refresh';
import { memoryShelf, type SavedRecord } from '../../src/session/persistence';
import type { Provenance } from '../../src/meta/contracts/provenance';
import { CURVE_GRID, defaultSettings, initialStatus, playgroundView, usePlayground } from '../../src/state/store';
import { serializeSettings } from '../../src/state/url';
import type { WorkerResponse } from '../../src/worker/protocol';
import { checkpointServer, fakeEngineFactory, FakeEngineWorker, loaded, settleTasks, until, type Served } from './helpers/fake-engine';
import type { FakeWorker } from './helpers/fake-worker';

/** The shipped MAML's label: its iterations as its file says (the kept snapshot of the paper's run). */
const SHIPPED_MAML_LABEL = `shipped checkpoint (${readCheckpointFile(readFileSync(resolve(__dirname, '../../public/checkpoints/maml.ckpt'))).training.iterations} iterations)`;

// Everything here is answered within milliseconds: a test that waits is a test that failed.
vi.setConfig({ testTimeout: 10_000 });

const PREFIX = '/base/checkpoints/';
const st = () => usePlayground.getState();
type Msg = Record<string, unknown> & { type: string; id?: number };

// ---- what the fake worker answers ----
const curves = (steps: number, value: number): AdaptationCurves => ({
  predictions: Array.from({ length: steps + 1 }, () => [value]),
  supportLoss: Array.from({ length: steps + 1 }, () => value),
  taskLoss: null,
  divergedAt: null,
});
const adapted = (value: number) => (m: Msg): WorkerResponse => ({
  type: 'adapted',
  id: m.id as number,
  results: Object.fromEntries((m.methods as AlgorithmId[]).map((id) => [id, curves(m.steps as number, value)])),
  path: 'typed arrays',
  computeMs: 2.5,
});
const evalCurve = (m: Msg, value: number): EvalCurve => ({
  kShot: m.kShot as number,
  tasks: m.tasks as number,
  alpha: m.alpha as number,
  mean: Array.from({ length: (m.steps as number) + 1 }, () => value),
  ci95: Array.from({ length: (m.steps as number) + 1 }, () => 0.1),
});
const evaluated = (value: number) => (m: Msg): WorkerResponse => ({
  type: 'evaluated',
  id: m.id as number,
  results: Object.fromEntries((m.methods as AlgorithmId[]).map((id) => [id, evalCurve(m, value)])),
});
const classified = (m: Msg): WorkerResponse => ({
  type: 'classified',
  id: m.id as number,
  results: Object.fromEntries(
    (m.methods as AlgorithmId[]).map((id): [AlgorithmId, ClassAdaptation] => [
      id,
      { probabilities: [new Float32Array(4)], supportAccuracy: [1], supportLoss: [0.1], queryAccuracy: null, queryLoss: null, divergedAt: null },
    ]),
  ),
  path: 'typed arrays',
  computeMs: 1,
});

// ---- harness ----
const sessions: Session[] = [];

function setup(opts: Partial<SessionOptions> = {}, replace: Record<string, Served> = {}) {
  const engine = fakeEngineFactory();
  const server = checkpointServer(PREFIX, replace);
  const saved: FileOut[] = [];
  const clock = { now: 10_000 };
  const session = createSession({
    store: usePlayground,
    createWorker: engine.create,
    fetch: server.fetch,
    backend: 'cpu',
    checkpointsUrl: PREFIX,
    saveFile: (f) => saved.push(f),
    now: () => clock.now,
    ...opts,
  });
  sessions.push(session);
  return { session, engine, server, saved, clock, worker: (): FakeEngineWorker => engine.current() };
}

/** A started session whose shipped checkpoints have loaded and whose first curves were answered. */
async function started(opts: Partial<SessionOptions> = {}, replace: Record<string, Served> = {}) {
  const h = setup(opts, replace);
  h.session.start();
  h.worker().emit({ type: 'ready', backend: 'cpu', fallbacks: ['webgpu: unavailable'] });
  await until(() => h.worker().waiting('adapt').length > 0 && h.worker().waiting('evaluate').length > 0, 'the first curves to be asked for');
  h.worker().answer('adapt', adapted(1));
  h.worker().answer('evaluate', evaluated(1));
  await until(() => h.session.idle(), 'the session to be idle');
  return h;
}

beforeEach(() => {
  usePlayground.setState({
    settings: defaultSettings(),
    status: initialStatus(),
    results: { grid: CURVE_GRID, adaptation: {}, evaluation: {}, evaluationFor: null, classification: null, classEvaluation: null, classShipped: {} },
    reproduction: { shipped: {}, browser: {}, running: false, done: 0, total: 0 },
    notices: [],
  });
});

afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
});

describe('start-up', () => {
  it('starts one worker and fetches the shipped checkpoints meanwhile; on ready loads every one, and only then asks for the curves', async () => {
    const h = setup();
    expect(h.engine.workers).toHaveLength(0);
    expect(h.server.urls).toEqual([]);
    h.session.start();
    expect(h.engine.workers).toHaveLength(1);
    expect(h.worker().posted).toEqual([{ type: 'init', backend: 'cpu', engine: 'auto' }]);
    // Fetched while the worker starts (issue 17: load time), loaded into it only once it is ready.
    expect(h.server.urls.sort()).toEqual(ALGORITHM_IDS.map((id) => `${PREFIX}${id}.ckpt`).sort());
    await settleTasks();
    expect(h.worker().ofType('load')).toEqual([]);
    expect(h.session.idle()).toBe(false);

    h.worker().emit({ type: 'ready', backend: 'cpu', fallbacks: ['webgpu: unavailable'] });
    expect(st().status).toMatchObject({ worker: 'ready', backend: 'cpu', backendAdapter: null, fallbacks: ['webgpu: unavailable'] });
    await until(() => h.worker().waiting('adapt').length > 0, 'an adapt request');

    expect(h.server.urls.sort()).toEqual(ALGORITHM_IDS.map((id) => `${PREFIX}${id}.ckpt`).sort());
    const loads = h.worker().ofType('load');
    expect(loads.map((m) => (m.checkpoint as Checkpoint).algorithm).sort()).toEqual([...ALGORITHM_IDS].sort());
    // Every load came before the first request for curves.
    const lastLoad = Math.max(...loads.map((m) => h.worker().posted.indexOf(m)));
    expect(h.worker().posted.indexOf(h.worker().ofType('adapt')[0])).toBeGreaterThan(lastLoad);
    expect(st().status.sources.maml).toBe(SHIPPED_MAML_LABEL);
    expect(st().status.sources.reptile).toBe('shipped checkpoint (40000 iterations)');
    expect(st().status.sources.scratch).toBe('shipped checkpoint (random initialisation, seed 1)');
    expect(st().reproduction.shipped.maml?.map((c) => c.kShot)).toEqual([5, 10, 20]);
    expect(st().notices).toEqual([]);

    expect(h.worker().waiting('adapt')).toEqual([
      { type: 'adapt', id: expect.any(Number), methods: ['maml', 'fomaml', 'pretrained'], points: st().settings.points, grid: CURVE_GRID, steps: 10, alpha: 0.01, task: st().settings.task },
    ]);
    expect(h.worker().waiting('evaluate')).toEqual([
      { type: 'evaluate', id: expect.any(Number), methods: ['maml', 'fomaml', 'pretrained'], kShot: 5, steps: 10, tasks: PROBLEM_INFO.sinusoid.liveEvalTasks, alpha: 0.01, seed: 2024 },
    ]);
    expect(h.session.idle()).toBe(false);
    h.worker().answer('adapt', adapted(3));
    h.worker().answer('evaluate', evaluated(0.5));
    await until(() => h.session.idle(), 'idle');
    expect(st().results.adaptation.maml?.predictions[0]).toEqual([3]);
    expect(st().status).toMatchObject({ adaptPath: 'typed arrays', adaptMs: 2.5 });
    expect(st().results.evaluation.fomaml?.mean[1]).toBe(0.5);
    expect(st().results.evaluationFor).toEqual({ kShot: 5, alpha: 0.01 });
  });

  it('changes made while the shipped checkpoints load ask for nothing until they have loaded, then once', async () => {
    const h = setup();
    h.session.start();
    const w = h.worker();
    w.auto.load = undefined;
    w.emit({ type: 'ready', backend: 'cpu', fallbacks: [] });
    await until(() => w.waiting('load').length === ALGORITHM_IDS.length, 'every load');
    st().setSettings({ steps: 2 });
    st().setSettings({ kShot: 10 });
    await settleTasks();
    expect(w.ofType('adapt')).toEqual([]);
    expect(w.ofType('evaluate')).toEqual([]);
    expect(h.session.idle()).toBe(false);
    while (w.waiting('load').length) w.answer('load', loaded);
    await until(() => w.waiting('adapt').length > 0 && w.waiting('evaluate').length > 0, 'the curves');
    await settleTasks();
    expect(w.ofType('adapt').map((m) => m.steps)).toEqual([2]);
    expect(w.ofType('evaluate').map((m) => m.kShot)).toEqual([10]);
  });

  it('a missing or wrong shipped file: that method starts from a random initialisation, with a notice; the others load', async () => {
    const maml = readShipped('maml.json');
    const h = await started({}, { 'anil.ckpt': { status: 404, body: 'gone', type: 'text/plain' }, 'fomaml.ckpt': { body: maml } });
    expect(st().status.sources.anil).toBe('random initialisation (no checkpoint)');
    expect(st().status.sources.fomaml).toBe('random initialisation (no checkpoint)');
    expect(st().status.sources.maml).toBe(SHIPPED_MAML_LABEL);
    const texts = st().notices.map((n) => n.text);
    expect(texts).toContainEqual(expect.stringMatching(/checkpoint for ANIL could not be loaded \(HTTP 404\)/));
    expect(texts).toContainEqual(expect.stringMatching(/it holds maml, not fomaml/));
    expect(h.worker().ofType('load').map((m) => (m.checkpoint as Checkpoint).algorithm)).not.toContain('anil');
  });

  it('a backend on a software adapter is named in the status (a forced ?backend=webgpu on SwiftShader)', () => {
    const h = setup();
    h.session.start();
    h.worker().emit({ type: 'ready', backend: 'webgpu', fallbacks: [], adapter: 'software adapter: SwiftShader' });
    expect(st().status).toMatchObject({ worker: 'ready', backend: 'webgpu', backendAdapter: 'software adapter: SwiftShader' });
  });

  it('sends nothing before start and nothing after dispose', async () => {
    const h = setup();
    st().setSettings({ alpha: 0.05 });
    await settleTasks();
    expect(h.engine.workers).toHaveLength(0);
    h.session.startTraining();
    expect(await h.session.downloadCheckpoint('maml')).toBeNull();

    const s = await started();
    const w = s.worker();
    const before = w.posted.length;
    s.session.dispose();
    expect(w.terminated).toBe(1);
    st().setSettings({ alpha: 0.02 });
    s.session.pauseTraining();
    await settleTasks();
    expect(w.posted.length).toBe(before);
  });

  it('two sessions keep their own state', async () => {
    const a = await started();
    const b = setup();
    expect(a.session.idle()).toBe(true);
    expect(b.session.idle()).toBe(false);
    b.session.dispose();
    st().setSettings({ alpha: 0.03 });
    await until(() => a.worker().waiting('adapt').length === 1, 'session a to adapt');
    expect(a.session.idle('adaptation')).toBe(false);
  });
});

describe('curves follow the settings', () => {
  it('a settings change sends an adapt request with those settings and writes its curves to the store', async () => {
    const h = await started();
    const w = h.worker();
    st().setSettings({ steps: 3 });
    await until(() => w.waiting('adapt').length === 1, 'an adapt request');
    // steps is not something the averaged curves depend on.
    expect(w.waiting('evaluate')).toEqual([]);
    expect(w.waiting('adapt')[0]).toMatchObject({ steps: 3, alpha: 0.01, methods: ['maml', 'fomaml', 'pretrained'] });
    expect(h.session.idle('adaptation')).toBe(false);
    w.answer('adapt', adapted(7));
    await until(() => h.session.idle(), 'idle');
    expect(st().results.adaptation.pretrained?.predictions).toEqual([[7], [7], [7], [7]]);

    st().setSettings({ kShot: 10 });
    await until(() => w.waiting('evaluate').length === 1, 'an evaluate request');
    expect(w.waiting('adapt')).toEqual([]);
    w.answer('evaluate', evaluated(0.25));
    await until(() => h.session.idle(), 'idle');
    expect(st().results.evaluation.maml?.mean[0]).toBe(0.25);
    expect(st().results.evaluationFor).toEqual({ kShot: 10, alpha: 0.01 });
  });

  it('a problem computed on the page (Inside the update) asks the worker for nothing, whatever changes', async () => {
    const h = await started();
    const w = h.worker();
    const page = (Object.keys(PROBLEM_INFO) as (keyof typeof PROBLEM_INFO)[]).find((p) => PROBLEM_INFO[p].computedIn === 'page')!;
    st().setProblem(page);
    st().setSettings({ steps: 4, alpha: 0.3 });
    st().setSettings({ update: { ...st().settings.update, theta: [1, 1] } });
    await settleTasks();
    await new Promise((r) => setTimeout(r, 50));
    expect(w.waiting('adapt')).toEqual([]);
    expect(w.waiting('evaluate')).toEqual([]);
    expect(w.waiting('classify')).toEqual([]);
    // Back on a worker problem, the curves are asked for again.
    st().setProblem('sinusoid');
    await until(() => w.waiting('adapt').length === 1, 'an adapt request on the sinusoid');
  });

  it('an evaluation in flight keeps its progress in status.evalProgress, from 0 of the total, cleared by the answer', async () => {
    const h = await started();
    const w = h.worker();
    expect(st().status.evalProgress).toBeNull();
    st().setSettings({ kShot: 10 });
    await until(() => w.waiting('evaluate').length === 1, 'an evaluate request');
    const req = w.waiting('evaluate')[0] as unknown as { id: number; tasks: number; methods: string[] };
    const total = req.tasks * req.methods.length;
    await until(() => st().status.evalProgress !== null, 'the progress to be set');
    expect(st().status.evalProgress).toEqual({ done: 0, total });
    const seen: number[] = [];
    for (const done of [50, 100, total]) {
      w.emit({ type: 'evalProgress', id: req.id, done, total });
      seen.push(st().status.evalProgress!.done);
      expect(st().status.evalProgress!.total).toBe(total);
    }
    expect(seen).toEqual([50, 100, total]);
    // Progress is not the answer: the request still waits.
    expect(h.session.idle('evaluation')).toBe(false);
    w.answer('evaluate', evaluated(0.25));
    await until(() => h.session.idle(), 'idle');
    expect(st().status.evalProgress).toBeNull();
    expect(st().results.evaluation.maml?.mean[0]).toBe(0.25);
  });

  it('a clicked point and its curves reach the panels together: the view holds the point until the answer, or one frame', async () => {
    const h = await started({ view: playgroundView });
    const w = h.worker();
    const shown = () => playgroundView.get();
    const before = shown().settings.points.length;
    st().addPoint({ x: 1, y: 2 });
    // The store has the point at once (the link, the persistence, the request); the panels not yet.
    expect(st().settings.points).toHaveLength(before + 1);
    expect(w.waiting('adapt')).toHaveLength(1);
    expect(shown().settings.points).toHaveLength(before);
    w.answer('adapt', adapted(5));
    await until(() => h.session.idle(), 'idle');
    expect(shown().settings.points).toHaveLength(before + 1);
    expect(shown().results.adaptation.maml?.predictions[0]).toEqual([5]);
    // With no answer, the point is drawn alone after a frame.
    st().addPoint({ x: -1, y: 0 });
    expect(shown().settings.points).toHaveLength(before + 1);
    await new Promise((r) => setTimeout(r, ANSWER_HOLD_MS + 10));
    expect(shown().settings.points).toHaveLength(before + 2);
    // A change of something else than the points (steps) is not held.
    w.answer('adapt', adapted(6));
    await until(() => h.session.idle(), 'idle');
    st().setSettings({ steps: 2 });
    expect(shown().settings.steps).toBe(2);
    w.answer('adapt', adapted(2));
    await until(() => h.session.idle(), 'idle');
  });

  it("with shared memory, a clicked point and its curves reach the panels in the click's own task", async () => {
    const h = await started({ view: playgroundView, answers: new SharedArrayBuffer(1 << 16) });
    const w = h.worker();
    w.adaptInMemory = adapted(7);
    const shown = () => playgroundView.get();
    const before = shown().settings.points.length;
    let laterTask = false;
    setTimeout(() => (laterTask = true), 0);
    st().addPoint({ x: 1, y: 2 });
    // Microtasks only: the click's task has not ended.
    for (let i = 0; i < 50; i++) await Promise.resolve();
    expect(laterTask).toBe(false);
    expect(shown().settings.points).toHaveLength(before + 1);
    expect(shown().results.adaptation.maml?.predictions[0]).toEqual([7]);
    expect(playgroundView.held()).toBe(false);
    expect(h.session.idle('adaptation')).toBe(true);
    // The same answer's message, a task later, changes nothing.
    const adaptation = st().results.adaptation;
    await settleTasks();
    expect(st().results.adaptation).toBe(adaptation);
    expect(st().notices.filter((n) => n.level === 'error')).toEqual([]);
  });

  it('latest wins: changes while a request is in flight collapse into one more request with the last settings', async () => {
    const h = await started();
    const w = h.worker();
    st().setSettings({ steps: 1 });
    st().setSettings({ steps: 2 });
    st().setSettings({ steps: 3 });
    st().setSettings({ steps: 4 });
    await settleTasks();
    expect(w.waiting('adapt').map((m) => m.steps)).toEqual([1]);
    w.answer('adapt', adapted(1));
    await until(() => w.waiting('adapt').length === 1, 'the collapsed request');
    expect(w.waiting('adapt').map((m) => m.steps)).toEqual([4]);
    w.answer('adapt', adapted(4));
    await until(() => h.session.idle(), 'idle');
    await settleTasks();
    expect(w.ofType('adapt').map((m) => m.steps)).toEqual([10, 1, 4]);
    expect(st().results.adaptation.maml?.predictions).toHaveLength(5);
  });

  it('a divergence is named in a warning; a failed request in an error notice, and the next change still runs', async () => {
    const h = await started();
    const w = h.worker();
    st().setSettings({ alpha: 5 });
    await until(() => w.waiting('adapt').length === 1 && w.waiting('evaluate').length === 1, 'requests');
    w.answer('adapt', (m) => {
      const a = adapted(1)(m) as Extract<WorkerResponse, { type: 'adapted' }>;
      a.results.fomaml = { ...a.results.fomaml!, divergedAt: 2 };
      return a;
    });
    w.answer('evaluate', (m) => ({ type: 'error', id: m.id as number, message: 'out of memory' }));
    await until(() => h.session.idle(), 'idle');
    const texts = st().notices.map((n) => n.text);
    expect(texts).toContain('Adaptation diverged for First-order MAML at alpha = 5: try a smaller test-time learning rate.');
    expect(texts).toContain('out of memory');
    st().setSettings({ alpha: 0.02 });
    await until(() => w.waiting('evaluate').length === 1, 'the next evaluation');
  });

  it('a classification problem: its shipped models load first (from its index), then the classify and evaluate requests', async () => {
    // The oracle (told the sinusoid's amplitude and phase) has no classifier: never asked for one.
    st().setSettings({ methods: ['maml', 'fomaml', 'pretrained', 'oracle'] });
    const h = await started();
    const w = h.worker();
    st().setProblem('plane');
    await until(() => w.waiting('classify').length === 1 && w.waiting('evaluate').length === 1, 'classify and evaluate');
    expect(h.server.urls).toContain(`${PREFIX}plane-2way/index.json`);
    expect(h.server.urls).toContain(`${PREFIX}plane-2way/maml.ckpt`);
    expect(st().status.sources['plane-2way/maml']).toBe('shipped checkpoint (10000 iterations)');
    expect(st().status.sources['plane-2way/imaml']).toBe('random initialisation (no checkpoint shipped); train it below');
    expect(st().results.classShipped['plane-2way/maml']?.map((c) => c.kShot)).toEqual([1, 5]);
    const classify = w.waiting('classify')[0];
    expect(classify).toMatchObject({ problem: 'plane', classes: 2, methods: ['maml', 'fomaml', 'pretrained'] });
    expect(w.waiting('evaluate')[0]).toMatchObject({ methods: ['maml', 'fomaml', 'pretrained'], problem: 'plane', classes: 2, tasks: PROBLEM_INFO.plane.liveEvalTasks, seed: 2025, kShot: st().settings.plane.kShot });
    w.answer('classify', classified);
    w.answer('evaluate', evaluated(0.9));
    await until(() => h.session.idle(), 'idle');
    expect(st().results.classification).toMatchObject({ problem: 'plane', classes: 2, gridN: expect.any(Number) });
    expect(Object.keys(st().results.classification!.results)).toEqual(['maml', 'fomaml', 'pretrained']);
    expect(st().results.classEvaluation).toMatchObject({ problem: 'plane', classes: 2, episodes: 100 });

    // The glyphs' averaged curves use their own (smaller) number of episodes.
    st().setProblem('glyphs');
    await until(() => w.waiting('evaluate').length === 1, 'the glyph evaluation');
    expect(w.waiting('evaluate')[0]).toMatchObject({ problem: 'glyphs', tasks: PROBLEM_INFO.glyphs.liveEvalTasks });
    // The plane's files were fetched once.
    expect(h.server.urls.filter((u) => u.endsWith('plane-2way/index.json'))).toHaveLength(1);
  });
});

describe('training', () => {
  it('start, pause, resume and reset send their requests; the store follows the worker', async () => {
    const h = await started();
    const w = h.worker();
    const n = w.posted.length;
    st().setStatus({ lossHistory: [{ iteration: 1, loss: 2 }] });
    h.session.startTraining();
    expect(w.posted.slice(n)).toEqual([{ type: 'train', config: st().settings.train }]);
    expect(st().status).toMatchObject({ lossHistory: [], progress: null, trainMethod: 'maml' });

    w.emit({ type: 'trainState', method: 'maml', model: 'maml', state: 'running' });
    expect(st().status.trainState).toBe('running');
    // The first report: a click-sized refresh is due, the averaged curves are not (4 s since the last).
    h.clock.now += 1000;
    w.emit({ type: 'progress', method: 'maml', model: 'maml', iteration: 50, iterations: 5000, metaLoss: 1.5, itersPerSec: 3, etaSeconds: 20, stats: {}, path: 'typed arrays' });
    expect(st().status.progress?.iteration).toBe(50);
    expect(st().status.lossHistory.at(-1)).toEqual({ iteration: 50, loss: 1.5 });
    expect(st().status.sources.maml).toBe('trained in this page: iteration 50 of 5000');
    await settleTasks();
    expect(w.waiting('adapt')).toHaveLength(1);
    expect(w.waiting('evaluate')).toHaveLength(0);
    w.answer('adapt', adapted(2));
    await until(() => h.session.idle(), 'idle');
    h.clock.now += 5000;
    w.emit({ type: 'progress', method: 'maml', model: 'maml', iteration: 100, iterations: 5000, metaLoss: 1.2, itersPerSec: 3, etaSeconds: 19, stats: {}, path: 'typed arrays' });
    await settleTasks();
    expect(w.waiting('evaluate')).toHaveLength(1);
    w.answer('evaluate', evaluated(1));
    if (w.waiting('adapt').length) w.answer('adapt', adapted(2));
    await until(() => h.session.idle(), 'idle');

    h.session.pauseTraining();
    expect(w.posted.at(-1)).toEqual({ type: 'pause' });
    w.emit({ type: 'trainState', method: 'maml', model: 'maml', state: 'paused' });
    expect(st().status.trainState).toBe('paused');
    // Not running: both kinds of curves are asked for at once.
    await until(() => w.waiting('adapt').length === 1 && w.waiting('evaluate').length === 1, 'a refresh');
    w.answer('adapt', adapted(2));
    w.answer('evaluate', evaluated(1));

    h.session.resumeTraining();
    expect(w.posted.at(-1)).toEqual({ type: 'resume' });
    h.session.resetTraining();
    expect(w.posted.at(-1)).toEqual({ type: 'reset' });
    w.emit({ type: 'trainState', method: 'maml', model: 'maml', state: 'idle', message: 'Training stopped.' });
    expect(st().status.trainState).toBe('idle');
    // The model's source says again what it said before training.
    expect(st().status.sources.maml).toBe(SHIPPED_MAML_LABEL);
    expect(st().notices.map((x) => x.text)).toContain('Training stopped.');
  });

  it('a diverged run is an error notice; a worker error event is one too', async () => {
    const h = await started();
    h.worker().emit({ type: 'trainState', method: 'maml', model: 'maml', state: 'diverged', message: 'The meta-loss is NaN.' });
    h.worker().emit({ type: 'error', id: null, message: 'something broke' });
    expect(st().notices.map((n) => [n.level, n.text])).toEqual([
      ['error', 'The meta-loss is NaN.'],
      ['error', 'something broke'],
    ]);
  });

  it('a crashed worker is restarted with the latest parameters; the curves are asked for again on its ready', async () => {
    const h = await started();
    const old = h.worker();
    old.crash('RangeError: boom');
    expect(st().status).toMatchObject({ worker: 'restarting', trainState: 'idle' });
    expect(st().notices.at(-1)?.text).toMatch(/restarted with the last parameters/);
    const fresh = h.worker();
    expect(fresh).not.toBe(old);
    expect(fresh.ofType('load')).toHaveLength(ALGORITHM_IDS.length);
    fresh.emit({ type: 'ready', backend: 'cpu', fallbacks: [] });
    await until(() => fresh.waiting('adapt').length === 1 && fresh.waiting('evaluate').length === 1, 'a refresh on the new worker');
    // The shipped files are not fetched again.
    expect(h.server.urls).toHaveLength(ALGORITHM_IDS.length);
  });
});

describe('checkpoint files', () => {
  it('an upload that is not a checkpoint gives an error notice and changes nothing', async () => {
    const h = await started();
    const w = h.worker();
    const n = w.posted.length;
    const sources = st().status.sources;
    await h.session.uploadCheckpoint({ name: 'notes.json', text: async () => '{"format": "something else"}' });
    await settleTasks();
    expect(w.posted.length).toBe(n);
    expect(st().status.sources).toBe(sources);
    expect(st().notices).toHaveLength(1);
    expect(st().notices[0]).toMatchObject({ level: 'error', text: expect.stringMatching(/^Checkpoint notes\.json was not loaded: .+ The current model is unchanged\.$/) });
  });

  it('an upload that is one loads into its model, names the file as the source, and refreshes the curves', async () => {
    const h = await started();
    const w = h.worker();
    await h.session.uploadCheckpoint({ name: 'mine.json', text: async () => readShipped('reptile.json') });
    expect(w.ofType('load').at(-1)).toMatchObject({ source: 'uploaded file mine.json', checkpoint: { algorithm: 'reptile' } });
    expect(st().status.sources.reptile).toBe('uploaded file mine.json');
    expect(st().notices.map((x) => x.text)).toEqual(['Loaded mine.json into Reptile.']);
    await until(() => w.waiting('adapt').length === 1 && w.waiting('evaluate').length === 1, 'a refresh');
  });

  it('an upload in the binary form (.ckpt, bytes read as such) loads like the JSON one', async () => {
    const h = await started();
    const w = h.worker();
    const bytes = encodeCheckpoint(parseCheckpoint(readShipped('reptile.json')));
    await h.session.uploadCheckpoint({ name: 'mine.ckpt', arrayBuffer: async () => bytes.slice().buffer });
    expect(w.ofType('load').at(-1)).toMatchObject({ source: 'uploaded file mine.ckpt', checkpoint: { algorithm: 'reptile' } });
    expect(st().notices.map((x) => x.text)).toEqual(['Loaded mine.ckpt into Reptile.']);
    // A truncated one is refused, and says so.
    await h.session.uploadCheckpoint({ name: 'cut.ckpt', arrayBuffer: async () => bytes.slice(0, 100).buffer });
    expect(st().notices.at(-1)).toMatchObject({ level: 'error', text: expect.stringMatching(/^Checkpoint cut\.ckpt was not loaded: The header length .* runs past the end of the file/) });
  });

  it("download asks the worker for the model shown and saves its parameters as the file's text", async () => {
    const h = await started();
    const w = h.worker();
    const ckpt = parseCheckpoint(readShipped('maml.json'));
    const p = h.session.downloadCheckpoint('maml');
    expect(w.waiting('export')).toEqual([{ type: 'export', id: expect.any(Number), method: 'maml', model: 'maml' }]);
    w.answer('export', (m) => ({ type: 'snapshot', id: m.id as number, checkpoint: ckpt }));
    const file = await p;
    expect(file?.name).toBe('maml-checkpoint.json');
    expect(parseCheckpoint(file!.text)).toEqual(ckpt);
    expect(h.saved).toEqual([file]);

    st().setProblem('plane');
    const q = h.session.downloadCheckpoint('fomaml');
    expect(w.waiting('export')[0]).toMatchObject({ method: 'fomaml', model: 'plane-2way/fomaml' });
    w.answer('export', (m) => ({ type: 'snapshot', id: m.id as number, checkpoint: parseCheckpoint(readShipped('plane-2way/fomaml.json')) }));
    expect((await q)?.name).toBe('plane-2way-fomaml-checkpoint.json');
    expect(h.saved).toHaveLength(2);
  });
});

describe('reproduction', () => {
  it("evaluates each method for each K on the paper's protocol, one at a time, and fills the table", async () => {
    const h = await started();
    const w = h.worker();
    const run = h.session.runReproduction(['maml', 'pretrained'], [5, 10]);
    expect(st().reproduction).toMatchObject({ running: true, done: 0, total: 4, browser: {} });
    // A second run while one runs does nothing.
    await h.session.runReproduction();
    const asked: Msg[] = [];
    for (let i = 0; i < 4; i++) {
      await until(() => w.waiting('evaluate').length === 1, `evaluation ${i + 1}`);
      asked.push(w.answer('evaluate', evaluated(i + 1)));
      await until(() => st().reproduction.done === i + 1, `done ${i + 1}`);
    }
    await run;
    expect(asked.map((m) => [m.methods, m.kShot])).toEqual([
      [['maml'], 5],
      [['pretrained'], 5],
      [['maml'], 10],
      [['pretrained'], 10],
    ]);
    for (const m of asked) expect(m).toMatchObject({ steps: PAPER_EVAL.steps, tasks: PAPER_EVAL.tasks, alpha: PAPER_EVAL.alpha, seed: PAPER_EVAL.seed });
    expect(st().reproduction).toMatchObject({ running: false, done: 4, total: 4 });
    expect(st().reproduction.browser[5]?.maml?.mean[0]).toBe(1);
    expect(st().reproduction.browser[5]?.pretrained?.mean[0]).toBe(2);
    expect(st().reproduction.browser[10]?.pretrained?.mean[0]).toBe(4);
  });

  it('a failed evaluation stops the run with a notice', async () => {
    const h = await started();
    const w = h.worker();
    const run = h.session.runReproduction(['maml'], [5, 10]);
    await until(() => w.waiting('evaluate').length === 1, 'the evaluation');
    w.answer('evaluate', (m) => ({ type: 'error', id: m.id as number, message: 'out of memory' }));
    await run;
    expect(st().reproduction).toMatchObject({ running: false, done: 0 });
    expect(st().notices.map((n) => n.text)).toEqual(['The table could not be computed: out of memory']);
  });
});

describe('the link to this view', () => {
  it('copies the address with the settings, or shows it when the clipboard refuses', async () => {
    const copied: string[] = [];
    const h = setup({ linkBase: () => 'https://example.org/maml/', copyText: async (t) => void copied.push(t) });
    const url = await h.session.copyLink();
    expect(url).toBe(`https://example.org/maml/?${serializeSettings(st().settings)}`);
    expect(copied).toEqual([url]);
    expect(st().notices.at(-1)?.text).toBe(`Link to this view copied to the clipboard: ${url}`);

    const refused = setup({ linkBase: () => 'https://example.org/', copyText: () => Promise.reject(new Error('denied')) });
    const url2 = await refused.session.copyLink();
    expect(st().notices.at(-1)?.text).toBe(`Link to this view: ${url2}`);
  });
});

describe("the page's address", () => {
  it('start-up reads the settings and the engine choices from it, with a notice for what it did not understand', () => {
    expect(readAddress(usePlayground, '?alpha=0.05&steps=banana&backend=wasm&engine=tfjs')).toEqual({ backend: 'wasm', engine: 'tfjs' });
    expect(st().settings.alpha).toBe(0.05);
    expect(st().settings.steps).toBe(defaultSettings().steps);
    expect(st().notices).toHaveLength(1);
    expect(st().notices[0].text).toMatch(/^Some link parameters were not understood and defaults were used instead: steps=/);
  });

  it('follows the settings 250 ms after the last change, keeping the engine choices', () => {
    vi.useFakeTimers();
    try {
      const replaced: string[] = [];
      const stop = syncAddress(usePlayground, { base: () => '', search: () => '?alpha=0.01&backend=cpu', replace: (q) => void replaced.push(q) });
      st().setSettings({ alpha: 0.02 });
      vi.advanceTimersByTime(200);
      st().setSettings({ steps: 4 });
      vi.advanceTimersByTime(200);
      expect(replaced).toEqual([]);
      vi.advanceTimersByTime(100);
      expect(replaced).toEqual([`?${serializeSettings(st().settings)}&backend=cpu`]);
      // Status changes are not settings.
      st().setStatus({ adaptMs: 3 });
      stop();
      st().setSettings({ steps: 5 });
      vi.advanceTimersByTime(1000);
      expect(replaced).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

/** A shipped checkpoint (the binary .ckpt beside the name given) as JSON checkpoint text. */
function readShipped(path: string): string {
  return JSON.stringify(readCheckpointFile(readFileSync(resolve(__dirname, '../../public/checkpoints', path.replace(/\.json$/, BINARY_CHECKPOINT_EXT)))));
}

describe('a worker that stops answering (issue 13, item 2)', () => {
  it('is restarted within the deadline with a notice saying so, and a click then gets curves from the new worker', async () => {
    // Every worker answers pings at once (as WorkerEngine.handle does) until it is muted (self.close(), a hang).
    const mute = new Set<FakeWorker>();
    const proto = FakeEngineWorker.prototype;
    const postMessage = proto.postMessage;
    proto.postMessage = function (this: FakeEngineWorker, m: unknown) {
      postMessage.call(this, m);
      const msg = m as { type: string; seq?: number };
      if (msg.type === 'ping') setTimeout(() => !this.terminated && !mute.has(this) && this.emit({ type: 'pong', seq: msg.seq! }), 0);
    };
    try {
      const h = await started({ heartbeat: { intervalMs: 20, deadlineMs: 200, startupMs: 2000 } });
      const old = h.worker();
      await new Promise((r) => setTimeout(r, 300));
      expect(h.engine.workers).toHaveLength(1);
      expect(old.ofType('ping').length).toBeGreaterThan(3);

      mute.add(old);
      const t0 = Date.now();
      while (h.engine.workers.length === 1 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
      expect(h.engine.workers).toHaveLength(2);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(old.terminated).toBe(1);
      expect(st().status.worker).toBe('restarting');
      const worker = st().notices.filter((n) => n.cause === 'worker');
      expect(worker.map((n) => [n.level, n.text])).toEqual([['error', 'The engine stopped answering; restarted it (your models were kept). Training, if any, was stopped.']]);

      const fresh = h.worker();
      expect(fresh.ofType('load')).toHaveLength(ALGORITHM_IDS.length);
      fresh.emit({ type: 'ready', backend: 'cpu', fallbacks: [] });
      await until(() => fresh.waiting('adapt').length === 1, 'a refresh on the new worker');
      fresh.answer('adapt', adapted(1));
      await until(() => fresh.waiting('adapt').length === 0 && h.session.idle('adaptation'), 'idle');
      st().addPoint({ x: 1, y: 2 });
      await until(() => fresh.waiting('adapt').length === 1, 'the click to be sent');
      fresh.answer('adapt', adapted(7));
      await until(() => st().results.adaptation.maml?.supportLoss[0] === 7, 'the curves of the click');
      expect(h.engine.workers).toHaveLength(2);
    } finally {
      proto.postMessage = postMessage;
    }
  });
});

describe('notices say what is so now (issue 13, item 6)', () => {
  const divergedAt = (ids: AlgorithmId[], step = 3) => (m: Msg): WorkerResponse => {
    const a = adapted(1)(m) as Extract<WorkerResponse, { type: 'adapted' }>;
    for (const id of ids) a.results[id] = { ...a.results[id]!, divergedAt: step };
    return a;
  };
  const diverged = () => st().notices.filter((n) => /diverged/.test(n.text));

  it("Meta-SGD's divergence is blamed on its learned rates, not alpha, and goes when Meta-SGD is unticked", async () => {
    st().setSettings({ methods: ['maml', 'metasgd'] });
    const h = await started();
    const w = h.worker();
    st().setSettings({ steps: 6 });
    await until(() => w.waiting('adapt').length === 1, 'adapt');
    w.answer('adapt', divergedAt(['metasgd']));
    await until(() => h.session.idle('adaptation'), 'idle');
    expect(diverged().map((n) => n.text)).toEqual([
      'Adaptation diverged for Meta-SGD: its learned per-parameter rates overshoot (alpha is not used); try fewer steps, or points nearer the tasks it was trained on.',
    ]);
    expect(diverged()[0].text).not.toMatch(/smaller|alpha =/);
    // Unticked: the notice goes at once, before the new answer.
    st().setSettings({ methods: ['maml'] });
    expect(diverged()).toEqual([]);
  });

  it('one divergence notice at a time: the next answer replaces it, an answer without divergence removes it', async () => {
    st().setSettings({ methods: ['maml', 'fomaml', 'metasgd'] });
    const h = await started();
    const w = h.worker();
    st().setSettings({ alpha: 5 });
    await until(() => w.waiting('adapt').length === 1, 'adapt');
    w.answer('adapt', divergedAt(['fomaml', 'metasgd']));
    await until(() => h.session.idle('adaptation'), 'idle');
    expect(diverged()).toHaveLength(1);
    expect(diverged()[0].text).toMatch(/^Adaptation diverged for First-order MAML at alpha = 5: try a smaller test-time learning rate\. Adaptation diverged for Meta-SGD: its learned/);
    st().setSettings({ alpha: 6 });
    await until(() => w.waiting('adapt').length === 1, 'adapt');
    w.answer('adapt', divergedAt(['fomaml', 'maml']));
    await until(() => h.session.idle('adaptation'), 'idle');
    expect(diverged().map((n) => n.text)).toEqual(['Adaptation diverged for MAML, First-order MAML at alpha = 6: try a smaller test-time learning rate.']);
    // Unticking one of two keeps the other's.
    st().setSettings({ methods: ['maml', 'metasgd'] });
    expect(diverged().map((n) => n.text)).toEqual(['Adaptation diverged for MAML at alpha = 6: try a smaller test-time learning rate.']);
    await until(() => w.waiting('adapt').length === 1, 'adapt');
    w.answer('adapt', adapted(1));
    await until(() => h.session.idle('adaptation'), 'idle');
    expect(diverged()).toEqual([]);
  });

  it('a link with a 1 MB value or 5,000 unknown keys gives one short notice', () => {
    readAddress(usePlayground, `?alpha=${'9'.repeat(1 << 20)}`);
    expect(st().notices).toHaveLength(1);
    expect(st().notices[0].text.length).toBeLessThan(300);
    expect(st().notices[0].text).toMatch(/alpha="9{70,80}…" \(1,048,576 characters\)/);
    usePlayground.setState({ notices: [] });

    readAddress(usePlayground, `?${Array.from({ length: 5000 }, (_, i) => `key${i}=${'x'.repeat(100)}`).join('&')}`);
    expect(st().notices).toHaveLength(1);
    expect(st().notices[0].text.length).toBeLessThan(300);
    expect(st().notices[0].text).toContain('5,000 unknown parameters: key0, key1, key2, … (4,997 more)');
    // A second link's notice replaces the first's (one per cause).
    readAddress(usePlayground, '?steps=banana');
    expect(st().notices).toHaveLength(1);
    expect(st().notices[0].text).toMatch(/steps="banana"/);
  });
});

// ---- the models this browser keeps (issue 13, item 3) and one label per model (item 1) ----

/** A shipped file's checkpoint with other values and a provenance: a model trained (or loaded) here. */
function ownModel(path: string, provenance: Provenance, shift = 0.5): Checkpoint {
  const ckpt = parseCheckpoint(readShipped(path));
  const params = Object.fromEntries(Object.entries(ckpt.params).map(([n, p]) => [n, { shape: p.shape, values: p.values.map((v) => Number(Math.fround(v + shift).toPrecision(9))) }]));
  return { ...ckpt, params, training: { ...ckpt.training, iterations: 300, seed: 5 }, provenance };
}
const TRAINED: Provenance = { kind: 'trained', iterations: 300, planned: 300 };
const record = (key: string, checkpoint: Checkpoint): SavedRecord => ({ key, checkpoint, savedAt: '2025-01-01T00:00:00.000Z' });

describe('models kept in this browser', () => {
  it("keeps a trained model with its provenance as the worker reports it, says so in its label, and lets it go when the shipped one is back", async () => {
    const shelf = memoryShelf();
    const h = await started({ shelf });
    const trained = ownModel('maml.json', TRAINED);
    h.worker().emit({ type: 'snapshot', id: null, checkpoint: trained });
    expect(st().status.provenance.maml).toEqual(TRAINED);
    await until(() => st().status.saved.maml === true, 'the model to be kept');
    expect(shelf.records.get('maml')?.checkpoint).toEqual(trained);
    expect(st().status.sources.maml).toBe('trained in this page: iteration 300 of 300; saved in this browser');

    // Reset (or a run that kept nothing) brings the shipped model back: nothing of the user's to keep.
    const shipped: Provenance = { kind: 'shipped', file: 'maml.json', iterations: 70000, seed: 1 };
    h.worker().emit({ type: 'snapshot', id: null, checkpoint: { ...parseCheckpoint(readShipped('maml.json')), provenance: shipped } });
    expect(st().status.sources.maml).toBe('shipped checkpoint (70000 iterations)');
    expect(st().status.saved.maml).toBeUndefined();
    await until(() => !shelf.records.has('maml'), 'the kept model to go');
  });

  it('a running training is kept at most every SAVE_RUNNING_MS; its label follows every snapshot', async () => {
    const shelf = memoryShelf();
    const puts: number[] = [];
    const put = shelf.put;
    shelf.put = async (r) => {
      puts.push((r.checkpoint.provenance as { iterations: number }).iterations);
      return put(r);
    };
    const h = await started({ shelf });
    const w = h.worker();
    h.session.startTraining();
    w.emit({ type: 'trainState', method: 'maml', model: 'maml', state: 'running' });
    w.emit({ type: 'progress', method: 'maml', model: 'maml', iteration: 10, iterations: 5000, metaLoss: 1, itersPerSec: 3, etaSeconds: 9, stats: {}, path: 'typed arrays' });
    for (const [it, dt] of [[100, 0], [200, 2000], [300, 2000], [400, SAVE_RUNNING_MS]]) {
      h.clock.now += dt;
      w.emit({ type: 'snapshot', id: null, checkpoint: ownModel('maml.json', { kind: 'trained', iterations: it, planned: 5000 }) });
      await settleTasks();
    }
    expect(puts).toEqual([100, 400]);
    expect(st().status.sources.maml).toBe('trained in this page: iteration 400 of 5000; saved in this browser');
    // Paused: the next snapshot is kept at once.
    w.emit({ type: 'trainState', method: 'maml', model: 'maml', state: 'paused' });
    w.emit({ type: 'snapshot', id: null, checkpoint: ownModel('maml.json', { kind: 'trained', iterations: 410, planned: 5000 }) });
    await until(() => puts.length === 3, 'the paused run to be kept');
    expect(puts).toEqual([100, 400, 410]);
  });

  it('an uploaded checkpoint is kept as the uploaded file, with what the file said about itself as its origin', async () => {
    const shelf = memoryShelf();
    const h = await started({ shelf });
    const file = ownModel('reptile.json', TRAINED);
    await h.session.uploadCheckpoint({ name: 'mine.json', text: async () => JSON.stringify(file) });
    const provenance = { kind: 'uploaded', fileName: 'mine.json', iterations: 300, origin: TRAINED };
    expect(h.worker().ofType('load').at(-1)).toMatchObject({ source: 'uploaded file mine.json', checkpoint: { algorithm: 'reptile', provenance } });
    expect(st().status.provenance.reptile).toEqual(provenance);
    await until(() => st().status.saved.reptile === true, 'the upload to be kept');
    expect(shelf.records.get('reptile')?.checkpoint).toMatchObject({ provenance, params: file.params });
    expect(st().status.sources.reptile).toBe('uploaded file mine.json; saved in this browser');
  });

  it('start-up loads the kept models over the shipped ones, before any curve is asked for; their classifier files are not fetched', async () => {
    const shelf = memoryShelf();
    const trained = ownModel('maml.json', TRAINED);
    const classifier = ownModel('plane-2way/maml.json', { kind: 'uploaded', fileName: 'plane.json', iterations: 10000 });
    await shelf.put(record('maml', trained));
    await shelf.put(record('plane-2way/maml', classifier));
    const h = await started({ shelf });
    const w = h.worker();
    const loads = w.ofType('load');
    // Shipped first, then the kept ones: the last load of each model wins.
    expect(loads.filter((m) => (m.checkpoint as Checkpoint).algorithm === 'maml').map((m) => (m.checkpoint as Checkpoint).provenance?.kind)).toEqual(['shipped', 'trained', 'uploaded']);
    expect(w.posted.indexOf(loads.at(-1)!)).toBeLessThan(w.posted.indexOf(w.ofType('adapt')[0]));
    expect(st().status.sources.maml).toBe('trained in this page: iteration 300 of 300; saved in this browser');
    expect(st().status.sources['plane-2way/maml']).toBe('uploaded file plane.json; saved in this browser');
    expect(st().notices.map((n) => n.text)).toContainEqual(expect.stringMatching(/^Back from this browser's storage: maml \(trained in this page: iteration 300 of 300\); plane-2way\/maml \(uploaded file plane\.json\)\./));

    st().setProblem('plane');
    await until(() => w.waiting('classify').length === 1, 'the plane');
    expect(h.server.urls).toContain(`${PREFIX}plane-2way/fomaml.ckpt`);
    expect(h.server.urls).not.toContain(`${PREFIX}plane-2way/maml.ckpt`);
  });

  it('a kept record that is not a model of its own is dropped with a notice; the shipped model stays', async () => {
    const shelf = memoryShelf();
    await shelf.put(record('maml', { ...ownModel('maml.json', TRAINED), params: {} }));
    await shelf.put(record('fomaml', ownModel('maml.json', TRAINED)));
    await shelf.put(record('anil', { ...parseCheckpoint(readShipped('anil.json')), provenance: { kind: 'shipped', file: 'anil.json', iterations: 1, seed: 1 } }));
    await started({ shelf });
    expect(st().status.sources.maml).toMatch(/^shipped checkpoint \(\d+ iterations\)$/);
    expect(st().status.sources.fomaml).toMatch(/^shipped checkpoint/);
    expect(st().status.saved).toEqual({});
    const texts = st().notices.map((n) => n.text);
    expect(texts).toContainEqual(expect.stringMatching(/kept \(maml\) could not be loaded \(Parameter "w0" is missing\.\) and was dropped/));
    expect(texts).toContainEqual(expect.stringMatching(/kept \(fomaml\) could not be loaded \(it holds maml, not fomaml\)/));
    expect(texts).toContainEqual(expect.stringMatching(/kept \(anil\) could not be loaded \(it does not say it was trained or loaded here\)/));
    await until(() => shelf.records.size === 0, 'the bad records to go');
  });

  it('"Discard saved models" forgets them and brings back the shipped models (a random initialisation where none ships)', async () => {
    const shelf = memoryShelf();
    await shelf.put(record('maml', ownModel('maml.json', TRAINED)));
    await shelf.put(record('plane-2way/imaml', ownModel('plane-2way/maml.json', { kind: 'uploaded', fileName: 'p.json', iterations: 1 })));
    // A plane iMAML checkpoint: a MAML one renamed (same network).
    const imaml = shelf.records.get('plane-2way/imaml')!;
    imaml.checkpoint = { ...imaml.checkpoint, algorithm: 'imaml', training: { ...imaml.checkpoint.training, algorithm: 'imaml' } };
    const h = await started({ shelf });
    const w = h.worker();
    expect(st().status.saved).toEqual({ maml: true, 'plane-2way/imaml': true });
    w.auto.forget = (m) => ({ type: 'snapshot', id: m.id as number, checkpoint: { ...imaml.checkpoint, provenance: { kind: 'random', reason: 'start' } } });
    const n = w.posted.length;
    await h.session.discardSavedModels();
    expect(shelf.records.size).toBe(0);
    expect(st().status.saved).toEqual({});
    const sent = w.posted.slice(n) as Msg[];
    const { iterations, seed } = parseCheckpoint(readShipped('maml.json')).training;
    expect(sent.filter((m) => m.type === 'load').map((m) => (m.checkpoint as Checkpoint).provenance)).toEqual([{ kind: 'shipped', file: 'maml.ckpt', iterations, seed }]);
    expect(sent.filter((m) => m.type === 'forget').map((m) => m.model)).toEqual(['plane-2way/imaml']);
    expect(st().status.sources.maml).toBe(`shipped checkpoint (${iterations} iterations)`);
    expect(st().status.sources['plane-2way/imaml']).toBe('random initialisation (no checkpoint shipped); train it below');
    expect(st().notices.at(-1)?.text).toBe('Discarded the models this browser kept (2); 2 back to the shipped ones.');
    await until(() => w.waiting('adapt').length === 1, 'the curves of the shipped models');
  });

  it('after a restart the labels follow the parameters the new worker got back', async () => {
    const h = await started();
    const w = h.worker();
    w.emit({ type: 'progress', method: 'maml', model: 'maml', iteration: 1234, iterations: 5000, metaLoss: 1, itersPerSec: 3, etaSeconds: 9, stats: {}, path: 'typed arrays' });
    w.emit({ type: 'snapshot', id: null, checkpoint: ownModel('maml.json', { kind: 'trained', iterations: 1200, planned: 5000 }) });
    w.emit({ type: 'progress', method: 'maml', model: 'maml', iteration: 1300, iterations: 5000, metaLoss: 1, itersPerSec: 3, etaSeconds: 9, stats: {}, path: 'typed arrays' });
    expect(st().status.sources.maml).toBe('trained in this page: iteration 1300 of 5000');
    w.crash('boom');
    expect(st().status.sources.maml).toBe('trained in this page: iteration 1200 of 5000');
    expect(h.worker().ofType('load').find((m) => (m.checkpoint as Checkpoint).algorithm === 'maml')?.checkpoint).toMatchObject({ provenance: { iterations: 1200 } });
  });
});

describe('Back and Forward', () => {
  /** An address with a history of entries, as the browser keeps one. */
  function history(start: string) {
    const entries = [start];
    let at = 0;
    const listeners = new Set<() => void>();
    return {
      entries: () => entries.slice(),
      at: () => at,
      address: {
        base: () => '',
        search: () => entries[at],
        replace: (q: string) => void (entries[at] = q),
        push: (q: string) => {
          entries.splice(at + 1, entries.length, q);
          at += 1;
        },
        onPop: (l: () => void) => {
          listeners.add(l);
          return () => void listeners.delete(l);
        },
      },
      go(delta: number) {
        at += delta;
        listeners.forEach((l) => l());
      },
    };
  }

  it("another problem tab is a history entry of its own; Back and Forward switch tabs in the app, each with its alpha and training form", () => {
    vi.useFakeTimers();
    try {
      const h = history(`?${serializeSettings(st().settings)}`);
      const stop = syncAddress(usePlayground, h.address);
      st().setSettings({ alpha: 0.05 });
      st().setTrainConfig({ iterations: 1234 });
      st().setProblem('plane');
      expect(h.at()).toBe(1);
      // The entry left holds the view as it was left, at once (no waiting for the 250 ms).
      expect(new URLSearchParams(h.entries()[0]).get('alpha')).toBe('0.05');
      expect(new URLSearchParams(h.entries()[1]).get('p')).toBe('plane');
      const planeAlpha = st().settings.alpha;
      st().addPlanePoint({ x: 0.1, y: 0.2 });
      const planePoints = st().settings.plane.points;
      vi.advanceTimersByTime(300);
      expect(h.entries()).toHaveLength(2); // edits within a view replace its entry

      h.go(-1);
      expect(st().settings.problem).toBe('sinusoid');
      expect(st().settings.alpha).toBe(0.05);
      expect(st().settings.train.iterations).toBe(1234);
      expect(st().settings.plane.points).toBe(planePoints); // the plane's points stay as they are
      vi.advanceTimersByTime(300);
      expect(h.entries()).toHaveLength(2); // Back made no new entry: Forward is still there
      h.go(1);
      expect(st().settings.problem).toBe('plane');
      expect(st().settings.alpha).toBe(planeAlpha);
      stop();
      st().setProblem('glyphs');
      expect(h.entries()).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an address without history (push) keeps replacing in place, as before', () => {
    vi.useFakeTimers();
    try {
      const replaced: string[] = [];
      const stop = syncAddress(usePlayground, { base: () => '', search: () => '', replace: (q) => void replaced.push(q) });
      st().setProblem('plane');
      vi.advanceTimersByTime(300);
      expect(replaced).toHaveLength(1);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

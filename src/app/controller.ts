/**
 * Carries intents from the store to the engine worker and its answers back: UI -> store -> worker ->
 * store -> panels. Owns the EngineClient; nothing else talks to the worker.
 */
import { ALGORITHM_IDS, ALGORITHM_INFO, type AlgorithmId } from '../meta/contracts/algorithms';
import { CHECKPOINT_INDEX, checkpointFolder, checkpointModelKey, CheckpointError, modelKey, parseCheckpoint, parseCheckpointIndex, type ModelKey } from '../meta/contracts/checkpoint';
import { PAPER_EVAL, type ProblemShape, type TrainConfig } from '../meta/contracts/config';
import { planeGrid } from '../meta/contracts/tasks/plane';
import {
  glyphImages,
  glyphSupportProblems,
  glyphSupportSet,
  PLANE_GRID_N,
  planeSupportSet,
  planeTruth,
  queryLabel,
  readableQueries,
} from '../state/classification';
import { appliesTo, CURVE_GRID, usePlayground, viewShape, type Settings } from '../state/store';
import { parseUrl, serializeSettings } from '../state/url';
import { EngineClient } from '../worker/client';
import type { BenchPath, WorkerResponse } from '../worker/protocol';
import type { ClassEvalCurve } from '../meta/contracts/types';

/** Test tasks behind the live "average over tasks" curves (the shipped tables use 600). */
const LIVE_EVAL_TASKS = 100;
const LIVE_EVAL_SEED = 2024;
/** The paper's protocol, as npm run pretrain and npm run reproduce use it. */
const REPRODUCTION_SHOTS = [5, 10, 20] as const;
const REPRODUCTION_EVAL = { steps: PAPER_EVAL.steps, tasks: PAPER_EVAL.tasks, alpha: PAPER_EVAL.alpha, seed: PAPER_EVAL.seed };
/** While training, the averaged curves are refreshed this often. */
const EVAL_DURING_TRAINING_MS = 4000;

let client: EngineClient | null = null;
const store = usePlayground;

type RequestKind = 'adaptation' | 'evaluation';
const inFlight: Record<RequestKind, number> = { adaptation: 0, evaluation: 0 };

/**
 * Runs `send` so that at most one call is in flight; calls made meanwhile collapse into one more run after
 * it. Clicks and drags therefore never queue stale work.
 */
function latestOnly(kind: RequestKind, send: () => Promise<void>): () => void {
  let busy = false;
  let again = false;
  const run = async () => {
    busy = true;
    again = false;
    inFlight[kind] += 1;
    try {
      await send();
    } catch (e) {
      // A restart rejects what was pending; the restart itself is already announced.
      if (store.getState().status.worker === 'ready') store.getState().notify('error', (e as Error).message);
    }
    inFlight[kind] -= 1;
    busy = false;
    if (again) void run();
  };
  return () => {
    if (busy) again = true;
    else void run();
  };
}

/** Requests wait for the worker and, the first time, for the shipped checkpoints: no curves of random weights. */
let checkpointsSettled = false;
const engineReady = () => client !== null && checkpointsSettled && store.getState().status.worker === 'ready';

/** The plane's grid, computed once: the queries behind the decision regions. */
const PLANE_GRID = planeGrid(PLANE_GRID_N);
/** Test episodes behind the live averaged classification curves (the shipped tables use 600). */
const LIVE_CLASS_EPISODES = { plane: 100, glyphs: 40 } as const;
const LIVE_CLASS_SEED = 2025;

/**
 * While training, the curves follow the trained model, but never at the cost of training: each kind of refresh
 * waits EVAL_DURING_TRAINING_MS (evaluations) and at least four times its own last duration, so it takes at most
 * a fifth of the worker's time (a glyph evaluation takes seconds; a sinusoid click a few ms).
 */
const lastRun: Record<RequestKind, { end: number; ms: number }> = { adaptation: { end: 0, ms: 0 }, evaluation: { end: 0, ms: 0 } };
function timed<T>(kind: RequestKind, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  return work().finally(() => (lastRun[kind] = { end: performance.now(), ms: performance.now() - t0 }));
}
/** Whether a refresh that last ended at `last.end` and took `last.ms` may run again at `now`. */
export function refreshDue(last: { end: number; ms: number }, now: number, minGapMs: number): boolean {
  return now - last.end > Math.max(minGapMs, 4 * last.ms);
}
const dueDuringTraining = (kind: RequestKind, minGapMs: number) => refreshDue(lastRun[kind], performance.now(), minGapMs);

const requestAdaptation = latestOnly('adaptation', () => timed('adaptation', adaptShown));
async function adaptShown(): Promise<void> {
  if (!engineReady()) return;
  const s = store.getState().settings;
  if (s.problem !== 'sinusoid') return classify(s);
  const msg = await client!.request<'adapted'>({
    type: 'adapt',
    methods: s.methods,
    points: s.points,
    grid: CURVE_GRID,
    steps: s.steps,
    alpha: s.alpha,
    task: s.task,
  });
  store.getState().setAdaptation(msg.results);
  store.getState().setStatus({ adaptPath: msg.path, adaptMs: msg.computeMs });
  const diverged = s.methods.filter((m) => msg.results[m]?.divergedAt != null);
  if (diverged.length)
    store.getState().notify('warning', `Adaptation diverged for ${diverged.map((m) => ALGORITHM_INFO[m].label).join(', ')} at alpha = ${s.alpha}: try a smaller test-time learning rate.`);
}

/**
 * The classification playgrounds: the user's labelled points (or drawings) go to the worker with the queries
 * (the plane's grid, or the drawings to classify), once the problem's shipped models have loaded. A glyph
 * support set with problems is not sent; the panel shows why and the drawings stay.
 */
async function classify(before: Settings): Promise<void> {
  await ensureClassifiers(viewShape(before));
  // The first time, the models took a while to load: what is sent is what is on screen now (its own models
  // loaded too, at once when it is the same problem).
  const s = store.getState().settings;
  if (s.problem === 'sinusoid') return;
  const shape = viewShape(s);
  await ensureClassifiers(shape);
  const methods = s.methods.filter((m) => appliesTo(m, s.problem));
  const classes = shape.classes!;
  if (s.problem === 'plane') {
    const msg = await client!.request<'classified'>({
      type: 'classify',
      problem: 'plane',
      classes,
      methods,
      support: planeSupportSet(s.plane),
      queries: PLANE_GRID,
      queryLabels: planeTruth(s.plane.task, PLANE_GRID),
      steps: s.steps,
      alpha: s.alpha,
    });
    store.getState().setClassification({ problem: 'plane', classes, gridN: PLANE_GRID_N, queryIndices: [], results: msg.results });
    store.getState().setStatus({ adaptPath: msg.path, adaptMs: msg.computeMs });
  } else {
    const g = s.glyphs;
    if (glyphSupportProblems(g).length > 0) {
      store.getState().setClassification(null);
      return;
    }
    const queries = readableQueries(g);
    const labels = queries.map(({ query }) => queryLabel(query, classes));
    const labelled = labels.every((l) => l !== null) && queries.length > 0;
    const msg = await client!.request<'classified'>({
      type: 'classify',
      problem: 'glyphs',
      classes,
      methods,
      support: glyphSupportSet(g),
      queries: glyphImages(queries.map(({ query }) => query.strokes), g.width),
      queryLabels: labelled ? Int32Array.from(labels as number[]) : null,
      steps: s.steps,
      alpha: s.alpha,
    });
    store.getState().setClassification({ problem: 'glyphs', classes, gridN: null, queryIndices: queries.map(({ index }) => index), queries: g.queries, results: msg.results });
    store.getState().setStatus({ adaptPath: msg.path, adaptMs: msg.computeMs });
  }
  const diverged = methods.filter((m) => store.getState().results.classification?.results[m]?.divergedAt != null);
  if (diverged.length)
    store.getState().notify('warning', `Adaptation diverged for ${diverged.map((m) => ALGORITHM_INFO[m].label).join(', ')} at alpha = ${s.alpha}: try a smaller test-time learning rate.`);
}

async function evaluateClassifiers(before: Settings): Promise<void> {
  await ensureClassifiers(viewShape(before));
  const s = store.getState().settings;
  if (s.problem === 'sinusoid') return;
  const shape = viewShape(s);
  await ensureClassifiers(shape);
  const problem = s.problem as 'plane' | 'glyphs';
  const kShot = problem === 'plane' ? s.plane.kShot : s.glyphs.kShot;
  const methods = s.methods.filter((m) => appliesTo(m, problem));
  const episodes = LIVE_CLASS_EPISODES[problem];
  const msg = await client!.request<'evaluated'>({
    type: 'evaluate',
    problem,
    classes: shape.classes,
    methods,
    kShot,
    steps: 10,
    tasks: episodes,
    alpha: s.alpha,
    seed: LIVE_CLASS_SEED,
  });
  const results = msg.results as NonNullable<ReturnType<typeof store.getState>['results']['classEvaluation']>['results'];
  store.getState().setClassEvaluation({ problem, classes: shape.classes!, kShot, alpha: s.alpha, episodes, results });
}

const classifierLoads = new Map<string, Promise<void>>();

/** Where a shipped checkpoint's parameters came from, as the checkpoint tables say it. */
function shippedSource(ckpt: { algorithm: AlgorithmId; training: TrainConfig }): string {
  return ALGORITHM_INFO[ckpt.algorithm].outer === 'none'
    ? `shipped checkpoint (random initialisation, seed ${ckpt.training.seed})`
    : `shipped checkpoint (${ckpt.training.iterations} iterations)`;
}

/**
 * The algorithms a classification folder ships, from its index (written by npm run pretrain). A folder with no
 * index ships none: a single-page-app server answers a missing file with the app's index.html, so a file that
 * is not JSON counts as missing; an index that is JSON but wrong is an error.
 */
async function shippedIn(folder: string): Promise<AlgorithmId[]> {
  const res = await fetch(`${import.meta.env.BASE_URL}checkpoints/${folder}${CHECKPOINT_INDEX}`);
  if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return [];
  return parseCheckpointIndex(await res.text()).checkpoints;
}

/**
 * Loads a classification problem's shipped checkpoints the first time it is shown (they are larger than the
 * sinusoid's, and most visits never open them). A method without a shipped file starts from random weights
 * and says so (the Training panel trains it live); a shipped file that is broken is named in a notice.
 */
function ensureClassifiers(shape: ProblemShape): Promise<void> {
  const folder = checkpointFolder(shape);
  let loading = classifierLoads.get(folder);
  if (!loading) {
    const untrained = 'random initialisation (no checkpoint shipped); train it below';
    // Models the user already gave this problem (an uploaded checkpoint) are theirs: not replaced.
    const ids = ALGORITHM_IDS.filter((id) => appliesTo(id, shape.problem ?? 'sinusoid') && !store.getState().status.sources[modelKey(id, shape)]);
    for (const id of ids) store.getState().setSource(modelKey(id, shape), untrained);
    loading = shippedIn(folder)
      .catch((e: Error) => {
        store.getState().notify('warning', `${folder}${CHECKPOINT_INDEX} could not be read (${e.message}); every method of this problem starts from a random initialisation.`);
        return [] as AlgorithmId[];
      })
      .then((shipped) =>
        Promise.all(
          shipped.filter((id) => ids.includes(id)).map(async (id) => {
            const key = modelKey(id, shape);
            try {
              const res = await fetch(`${import.meta.env.BASE_URL}checkpoints/${folder}${id}.json`);
              if (!res.ok) throw new Error(`HTTP ${res.status}`);
              const ckpt = parseCheckpoint(await res.text());
              if (checkpointModelKey(ckpt) !== key) throw new CheckpointError(`it holds ${checkpointModelKey(ckpt)}, not ${key}`);
              await client!.load(ckpt, shippedSource(ckpt));
              store.getState().setSource(key, shippedSource(ckpt));
              if (ckpt.evaluation) store.getState().setClassShipped(key, ckpt.evaluation as ClassEvalCurve[]);
            } catch (e) {
              store.getState().notify('warning', `The shipped checkpoint ${folder}${id}.json could not be loaded (${(e as Error).message}); ${ALGORITHM_INFO[id].label} starts from a random initialisation.`);
            }
          }),
        ),
      )
      .then(() => undefined);
    classifierLoads.set(folder, loading);
  }
  return loading;
}

const requestEvaluation = latestOnly('evaluation', () => timed('evaluation', evaluateShown));
async function evaluateShown(): Promise<void> {
  if (!engineReady()) return;
  const s = store.getState().settings;
  if (s.problem !== 'sinusoid') return evaluateClassifiers(s);
  const msg = await client!.request<'evaluated'>({
    type: 'evaluate',
    methods: s.methods,
    kShot: s.kShot,
    steps: 10,
    tasks: LIVE_EVAL_TASKS,
    alpha: s.alpha,
    seed: LIVE_EVAL_SEED,
  });
  store.getState().setEvaluation(msg.results, { kShot: s.kShot, alpha: s.alpha });
}

function refreshAll(): void {
  requestAdaptation();
  requestEvaluation();
}

let checkpointsRequested = false;

const sourceBeforeTraining = new Map<ModelKey, string>();
/** Whether a method's model is one the page shows (a classifier of another problem needs no redraw). */
const shown = (method: AlgorithmId, key: ModelKey) => key === modelKey(method, viewShape(store.getState().settings));

function onEvent(msg: WorkerResponse): void {
  const st = store.getState();
  switch (msg.type) {
    case 'ready':
      st.setStatus({ worker: 'ready', backend: msg.backend, fallbacks: msg.fallbacks });
      // The first time, the shipped checkpoints load first (and refresh when done); after a restart the
      // client has already queued the latest parameters ahead of these requests.
      if (checkpointsSettled) refreshAll();
      return;
    case 'progress':
      st.pushProgress(msg);
      st.setSource(msg.model, `trained in this page: iteration ${msg.iteration} of ${msg.iterations}`);
      if (!shown(msg.method, msg.model)) return;
      if (dueDuringTraining('adaptation', 0)) requestAdaptation();
      if (dueDuringTraining('evaluation', EVAL_DURING_TRAINING_MS)) requestEvaluation();
      return;
    case 'trainState': {
      st.setStatus({ trainState: msg.state, trainMethod: msg.method });
      if (msg.message) st.notify(msg.state === 'diverged' ? 'error' : 'info', msg.message);
      if (msg.state === 'idle' && msg.model) {
        const before = sourceBeforeTraining.get(msg.model);
        if (before) st.setSource(msg.model, before);
      }
      if (msg.state !== 'running') refreshAll();
      return;
    }
    case 'error':
      st.notify('error', msg.message);
      return;
    default:
      return;
  }
}

async function loadShippedCheckpoints(): Promise<void> {
  await Promise.all(
    ALGORITHM_IDS.map(async (id) => {
      const url = `${import.meta.env.BASE_URL}checkpoints/${id}.json`;
      try {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const ckpt = parseCheckpoint(await res.text());
        if (ckpt.algorithm !== id) throw new CheckpointError(`it holds ${ckpt.algorithm}, not ${id}`);
        const source = shippedSource(ckpt);
        await client!.load(ckpt, source);
        store.getState().setSource(id, source);
        const { reproduction } = store.getState();
        if (ckpt.evaluation) store.getState().setReproduction({ shipped: { ...reproduction.shipped, [id]: ckpt.evaluation } });
      } catch (e) {
        store.getState().setSource(id, 'random initialisation (no checkpoint)');
        store.getState().notify('warning', `The shipped checkpoint for ${ALGORITHM_INFO[id].label} could not be loaded (${(e as Error).message}); it starts from a random initialisation.`);
      }
    }),
  );
  checkpointsSettled = true;
  refreshAll();
}

// ---- commands the panels call ----

export function startTraining(): void {
  if (!client) return;
  const { train } = store.getState().settings;
  const st = store.getState();
  const key = modelKey(train.algorithm, train);
  const current = st.status.sources[key];
  if (st.status.trainState === 'idle' || !sourceBeforeTraining.has(key)) sourceBeforeTraining.set(key, current ?? '');
  st.setStatus({ lossHistory: [], progress: null, trainMethod: train.algorithm });
  client.post({ type: 'train', config: { ...train } });
}

export function pauseTraining(): void {
  client?.post({ type: 'pause' });
}

export function resumeTraining(): void {
  client?.post({ type: 'resume' });
}

export function resetTraining(): void {
  client?.post({ type: 'reset' });
}

/**
 * The paper's table, computed here: each method's current model on the paper's 600 test tasks (the same
 * seed as npm run pretrain and npm run reproduce) for K = 5, 10, 20, one evaluation at a time.
 */
export async function runReproduction(methods: AlgorithmId[] = ALGORITHM_IDS, shots: readonly number[] = REPRODUCTION_SHOTS): Promise<void> {
  const st = store.getState();
  if (!client || st.reproduction.running) return;
  const total = methods.length * shots.length;
  st.setReproduction({ running: true, done: 0, total, browser: {} });
  let done = 0;
  try {
    for (const kShot of shots) {
      for (const method of methods) {
        const msg = await client.request<'evaluated'>({ type: 'evaluate', methods: [method], kShot, ...REPRODUCTION_EVAL });
        const { browser } = store.getState().reproduction;
        store.getState().setReproduction({ browser: { ...browser, [kShot]: { ...browser[kShot], ...msg.results } }, done: ++done });
      }
    }
  } catch (e) {
    store.getState().notify('error', `The table could not be computed: ${(e as Error).message}`);
  } finally {
    store.getState().setReproduction({ running: false });
  }
}

export async function uploadCheckpoint(file: File): Promise<void> {
  const st = store.getState();
  try {
    const ckpt = parseCheckpoint(await file.text());
    if (!client) throw new Error('the engine is not running');
    await client.load(ckpt, `uploaded file ${file.name}`);
    st.setSource(checkpointModelKey(ckpt), `uploaded file ${file.name}`);
    st.notify('info', `Loaded ${file.name} into ${ALGORITHM_INFO[ckpt.algorithm].label}.`);
    refreshAll();
  } catch (e) {
    st.notify('error', `Checkpoint ${file.name} was not loaded: ${(e as Error).message} The current model is unchanged.`);
  }
}

/** Downloads a model's current parameters: the method's model for the problem shown. */
export async function downloadCheckpoint(method: AlgorithmId): Promise<void> {
  if (!client) return;
  const key = modelKey(method, viewShape(store.getState().settings));
  const msg = await client.request<'snapshot'>({ type: 'export', method, model: key });
  const blob = new Blob([JSON.stringify(msg.checkpoint)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${key.replace('/', '-')}-checkpoint.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The link that reproduces the current view (settings and points), copied to the clipboard when allowed. */
export async function copyShareLink(): Promise<string> {
  const url = `${window.location.origin}${window.location.pathname}?${serializeSettings(store.getState().settings)}`;
  try {
    await navigator.clipboard.writeText(url);
    store.getState().notify('info', `Link to this view copied to the clipboard: ${url}`);
  } catch {
    store.getState().notify('info', `Link to this view: ${url}`);
  }
  return url;
}

/** What the adaptation and the averaged curves depend on. */
const adaptKey = (s: Settings) => [
  s.problem, s.task, s.points, s.plane.points, s.plane.task, s.plane.classes, s.glyphs.support, s.glyphs.queries, s.glyphs.width, s.steps, s.alpha, s.methods,
];
const evalKey = (s: Settings) => [s.problem, s.kShot, s.plane.classes, s.plane.kShot, s.glyphs.kShot, s.alpha, s.methods];
const changed = (a: unknown[], b: unknown[]) => a.some((v, i) => v !== b[i]);

/** Starts the engine and wires the store to it. Returns a function that stops everything. */
export function startController(): () => void {
  const parsed = parseUrl(window.location.search);
  const st = store.getState();
  st.setSettings(parsed.settings);
  if (parsed.problems.length)
    st.notify('warning', `Some link parameters were not understood and defaults were used instead: ${parsed.problems.join('; ')}.`);

  client = new EngineClient({
    backend: parsed.backend,
    engine: parsed.engine,
    onEvent,
    onRestart: (reason) => {
      const s = store.getState();
      s.setStatus({ worker: 'restarting', trainState: 'idle' });
      s.notify('error', `The engine worker stopped (${reason}) and was restarted with the last parameters of every method. Training, if any, was stopped.`);
    },
    onFatal: (message) => {
      store.getState().setStatus({ worker: 'failed', trainState: 'idle' });
      store.getState().notify('error', message);
    },
  });

  let urlTimer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = store.subscribe((s, prev) => {
    if (changed(adaptKey(s.settings), adaptKey(prev.settings))) requestAdaptation();
    if (changed(evalKey(s.settings), evalKey(prev.settings))) requestEvaluation();
    if (s.settings !== prev.settings) {
      clearTimeout(urlTimer);
      urlTimer = setTimeout(() => {
        const q = serializeSettings(store.getState().settings);
        // The engine choices are not settings of the task: kept as they came.
        const here = new URLSearchParams(window.location.search);
        const keep = ['backend', 'engine'].filter((k) => here.has(k)).map((k) => `&${k}=${encodeURIComponent(here.get(k)!)}`);
        window.history.replaceState(null, '', `?${q}${keep.join('')}`);
      }, 250);
    }
  });

  // The first 'ready' triggers the shipped checkpoints; after a restart the client reloads the latest ones.
  const unsubReady = store.subscribe((s) => {
    if (s.status.worker === 'ready' && !checkpointsRequested) {
      checkpointsRequested = true;
      void loadShippedCheckpoints();
    }
  });

  // Hooks for the browser tests and the benchmark.
  (window as unknown as Record<string, unknown>).__playground = {
    store,
    crashWorker: () => client?.crash(),
    memory: () => client?.request<'memory'>({ type: 'memory' }),
    bench: (algorithms: AlgorithmId[], iterations: number, path: BenchPath = 'tfjs') =>
      client?.request<'benchResult'>({ type: 'bench', algorithms, iterations, path }),
    timeToQuality: (config: TrainConfig, target: number, seconds: number, evalEveryMs = 1000, evalTasks: number = PAPER_EVAL.tasks) =>
      client?.request<'timeToQualityResult'>({ type: 'timeToQuality', config, target, seconds, evalEveryMs, evalTasks }),
    /** The latest parameters the page holds for a method (what export downloads). */
    checkpoint: (method: AlgorithmId) => client?.latest.get(method)?.checkpoint ?? null,
    restarts: () => client?.restarts ?? 0,
    gpuCheck: () => client?.request<'gpuCheckResult'>({ type: 'gpuCheck' }),
    /** True when nothing of that kind (default: both) is being computed or waiting: what is shown is current. */
    idle: (kind?: RequestKind) => checkpointsSettled && (kind ? inFlight[kind] === 0 : inFlight.adaptation + inFlight.evaluation === 0),
  };

  return () => {
    unsubscribe();
    unsubReady();
    client?.dispose();
    client = null;
  };
}

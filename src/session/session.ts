/**
 * An engine session: the page's one connection to the engine worker. It carries intents from the store to the
 * worker and the answers back (UI -> store -> worker -> store -> panels) and holds the commands the panels
 * call. Everything it keeps (the client, the requests in flight, what has loaded) is its own: a test makes a
 * session with a fake worker and a fake fetch, the page makes one with the real ones (src/app/controller.ts).
 */
import type { AlgorithmId } from '../meta/contracts/algorithms';
import type { Settings } from '../state/store';
import { EngineClient, type HeartbeatOptions } from '../worker/client';
import type { BackendName, EnginePreference, MetaStepRequest, WorkerResponse } from '../worker/protocol';
import { createAdaptation } from './adaptation';
import { copyToClipboard, pageAddress, saveDownload } from './browser';
import { createCheckpoints, type CheckpointFileIn, type FileOut } from './checkpoints';
import { defaultShelf, type ModelShelf } from './persistence';
import { testHooks, type PlaygroundHooks } from './hooks';
import { copyLink } from './link';
import { ANSWER_HOLD_MS, ANSWER_WAIT_MS, createScheduler, type RequestKind } from './refresh';
import { runReproduction } from './reproduction';
import { mark, type PlaygroundStore, type SessionCore } from './shared';
import { createTraining } from './training';

export interface SessionOptions {
  store: PlaygroundStore;
  /** Makes the engine worker; default the real one (src/worker/engine.worker.ts). */
  createWorker?: () => Worker;
  /** Fetches the shipped checkpoints; default the page's fetch. */
  fetch?: typeof fetch;
  /** The backend asked for (?backend=), null to let the worker choose. */
  backend?: BackendName | null;
  engine?: EnginePreference;
  /** The folder of the shipped checkpoints, ending in '/'; default `${BASE_URL}checkpoints/`. */
  checkpointsUrl?: string;
  /** Saves a downloaded checkpoint; default a browser download. */
  saveFile?: (file: FileOut) => void;
  /** The address a shared link starts with (origin and path); default the page's. */
  linkBase?: () => string;
  /** Puts text on the clipboard; default navigator.clipboard. */
  copyText?: (text: string) => Promise<void>;
  /** The clock of the refresh policy (ms); default performance.now. */
  now?: () => number;
  /** Keeps trained and uploaded models across reloads; default IndexedDB where there is one, null for none. */
  shelf?: ModelShelf | null;
  /** The worker's liveness check (client.ts); default on with the real worker, off with a createWorker given. */
  heartbeat?: HeartbeatOptions | null;
  /** Shared memory for click answers (client.ts); default as EngineClient's. */
  answers?: SharedArrayBuffer | null;
  /** What the panels render of the store (the page: playgroundView), held so a moved point and its curves land in one frame; default none. */
  view?: SessionCore['view'];
}

export interface Session {
  /** Starts the worker and follows the store. */
  start(): void;
  /** Stops following the store and terminates the worker. */
  dispose(): void;
  startTraining(): void;
  pauseTraining(): void;
  resumeTraining(): void;
  resetTraining(): void;
  uploadCheckpoint(file: CheckpointFileIn): Promise<void>;
  /** Forgets the models this browser keeps (trained or uploaded here) and brings back the shipped ones. */
  discardSavedModels(): Promise<void>;
  /** Saves a method's current model (for the problem shown) as a file, and returns it; null when not started. */
  downloadCheckpoint(method: AlgorithmId): Promise<FileOut | null>;
  runReproduction(methods?: readonly AlgorithmId[], shots?: readonly number[]): Promise<void>;
  /** Copies the link to the current view and returns it. */
  copyLink(): Promise<string>;
  /**
   * One real meta-iteration of a method's current sinusoid model, stage by stage (the Learn mode's slow motion):
   * the worker's answer, or null when the worker is not started. Rejects with the worker's error.
   */
  metaStep(req: MetaStepRequest): Promise<Extract<WorkerResponse, { type: 'metaStepResult' }> | null>;
  /** True when the shipped checkpoints have settled and no request of that kind (default: both) is pending. */
  idle(kind?: RequestKind): boolean;
  /** The hooks the browser tests and the benchmark use (window.__playground). */
  hooks(): PlaygroundHooks | null;
}

/** What the adaptation and the averaged curves depend on. */
const adaptKey = (s: Settings) => [
  s.problem, s.task, s.points, s.plane.points, s.plane.task, s.plane.classes, s.glyphs.support, s.glyphs.queries, s.glyphs.width, s.steps, s.alpha, s.methods,
];
const evalKey = (s: Settings) => [s.problem, s.kShot, s.plane.classes, s.plane.kShot, s.glyphs.kShot, s.alpha, s.methods];
const changed = (a: unknown[], b: unknown[]) => a.some((v, i) => v !== b[i]);

export function createSession(opts: SessionOptions): Session {
  const { store } = opts;
  const fetchFn = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  let client: EngineClient | null = null;
  let unsubscribe: (() => void) | null = null;
  const core: SessionCore = {
    store,
    client: () => client,
    // Called as a plain function: a browser's fetch refuses to run as a method of another object.
    fetch: (input, init) => fetchFn(input, init),
    checkpointsUrl: opts.checkpointsUrl ?? `${import.meta.env.BASE_URL}checkpoints/`,
    now: opts.now ?? (() => performance.now()),
    view: opts.view ?? null,
  };
  const scheduler = createScheduler(core);
  const checkpoints = createCheckpoints(core, () => adaptation.refreshAll(), opts.shelf === undefined ? defaultShelf() : opts.shelf);
  const adaptation = createAdaptation(core, scheduler, checkpoints);
  const training = createTraining(core, adaptation);
  let checkpointsRequested = false;
  const idle = (kind?: RequestKind) => checkpoints.settled() && scheduler.inFlight(kind) === 0;

  function onEvent(msg: WorkerResponse): void {
    const st = store.getState();
    switch (msg.type) {
      case 'ready':
        mark('worker-ready');
        st.setStatus({ worker: 'ready', backend: msg.backend, backendAdapter: msg.adapter ?? null, fallbacks: msg.fallbacks });
        // The first time, the shipped checkpoints load first (and refresh when done); after a restart the
        // client has already queued the latest parameters ahead of these requests.
        if (!checkpointsRequested) {
          checkpointsRequested = true;
          void checkpoints.loadShipped();
        } else if (checkpoints.settled()) adaptation.refreshAll();
        return;
      case 'progress':
        return training.onProgress(msg);
      case 'trainState':
        return training.onTrainState(msg);
      case 'snapshot':
        return checkpoints.onSnapshot(msg.checkpoint);
      case 'error':
        st.notify('error', msg.message);
        return;
      default:
        return;
    }
  }

  return {
    start() {
      if (client) return;
      mark('session-start');
      client = new EngineClient({
        backend: opts.backend ?? null,
        engine: opts.engine,
        createWorker: opts.createWorker,
        heartbeat: opts.heartbeat,
        answers: opts.answers,
        onEvent,
        onRestart: (reason, cause) => {
          const st = store.getState();
          st.setStatus({ worker: 'restarting', trainState: 'idle', trainStarting: false });
          // The models are the ones the new worker got back: their labels follow them.
          checkpoints.onRestart();
          // One notice about the worker at a time (cause 'worker'): the latest restart, or the giving up.
          if (cause === 'unresponsive') st.notify('error', 'The engine stopped answering; restarted it (your models were kept). Training, if any, was stopped.', 'worker');
          else st.notify('error', `The engine worker stopped (${reason}) and was restarted with the last parameters of every method. Training, if any, was stopped.`, 'worker');
        },
        onFatal: (message) => {
          store.getState().setStatus({ worker: 'failed', trainState: 'idle', trainStarting: false });
          store.getState().notify('error', message, 'worker');
        },
      });
      // The shipped checkpoints download while the worker loads TF.js and starts its backend.
      if (!checkpointsRequested) checkpoints.prefetch();
      unsubscribe = store.subscribe((s, prev) => {
        if (changed(adaptKey(s.settings), adaptKey(prev.settings))) {
          adaptation.requestAdaptation();
          // A sinusoid point added, moved or removed: the panels wait (at most a frame) for its curves, which the
          // worker computes in a ms or two, to draw both at once. (A classifier's regions take longer: not held.)
          // Where the worker also writes its answer to shared memory, the click's task waits for it (after the
          // store's other listeners): the curves then come in this very task.
          if (s.settings.points !== prev.settings.points && scheduler.inFlight('adaptation') > 0) {
            core.view?.hold(ANSWER_HOLD_MS);
            queueMicrotask(() => client?.awaitAnswers(ANSWER_WAIT_MS));
          }
        }
        if (changed(evalKey(s.settings), evalKey(prev.settings))) adaptation.requestEvaluation();
      });
    },
    dispose() {
      unsubscribe?.();
      unsubscribe = null;
      client?.dispose();
      client = null;
    },
    startTraining: training.start,
    pauseTraining: training.pause,
    resumeTraining: training.resume,
    resetTraining: training.reset,
    uploadCheckpoint: checkpoints.upload,
    discardSavedModels: checkpoints.discardSaved,
    async downloadCheckpoint(method) {
      const file = await checkpoints.download(method);
      if (file) (opts.saveFile ?? saveDownload)(file);
      return file;
    },
    runReproduction: (methods, shots) => runReproduction(core, methods, shots),
    metaStep: async (req) => (client ? client.request<'metaStepResult'>({ type: 'metaStep', ...req }) : null),
    copyLink: () => copyLink(store, (opts.linkBase ?? pageAddress.base)(), opts.copyText ?? copyToClipboard),
    idle,
    // Stripped from the production bundle (vite build's mode is 'production'); the tests' build uses --mode e2e.
    hooks: () => (import.meta.env.MODE !== 'production' ? testHooks(core, idle) : null),
  };
}

/**
 * The page's side of the worker protocol: starts the engine worker, matches answers to requests, keeps the
 * latest copy of every method's parameters, and restarts a worker that dies with those parameters. A worker
 * that stops without an error (self.close(), a hang) is found by a heartbeat: a ping it answers at once, even
 * while training; one that says nothing for HEARTBEAT.deadlineMs is restarted the same way.
 */
import { checkpointModelKey, type Checkpoint, type ModelKey } from '../meta/contracts/checkpoint';
import { provenanceLabel } from '../meta/contracts/provenance';
import { AnswerSlot, createAnswerMemory } from './answer-slot';
import type { BackendName, EnginePreference, WorkerRequest, WorkerResponse } from './protocol';

type WithId<T> = T extends { id: number } ? T : never;
type RequestWithId = WithId<WorkerRequest>;
type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface EngineClientOptions {
  backend: BackendName | null;
  /** 'tfjs' keeps every computation on the TF.js backend; default 'auto'. */
  engine?: EnginePreference;
  /** Every message that is not the answer to a request (progress, training state, snapshots...). */
  onEvent(msg: WorkerResponse): void;
  /**
   * The worker died and a new one was started; reason is the error seen. cause: 'crash' for an error event,
   * 'unresponsive' for a worker that stopped answering (closed or hung).
   */
  onRestart(reason: string, cause: RestartCause): void;
  /** The worker keeps dying; no new one is started. */
  onFatal(message: string): void;
  createWorker?: () => Worker;
  /**
   * The liveness check; default HEARTBEAT with the real worker, none with a createWorker of the caller's (a fake
   * worker answers only what its test tells it to). null: none.
   */
  heartbeat?: HeartbeatOptions | null;
  /**
   * Shared memory the worker writes each click's curves to (answer-slot.ts); default: some, where the page is
   * cross-origin isolated, with the real worker; none with a createWorker of the caller's. null: none.
   */
  answers?: SharedArrayBuffer | null;
}

export type RestartCause = 'crash' | 'unresponsive';

/** How far a request has got: done of total units (an evaluation's test tasks or episodes, over all methods). */
export interface RequestProgress {
  done: number;
  total: number;
}

/** A ping every intervalMs; a worker silent for deadlineMs (startupMs before it first says anything) is restarted. */
export interface HeartbeatOptions {
  intervalMs: number;
  deadlineMs: number;
  startupMs: number;
}

/**
 * A worker that stops is restarted within deadlineMs + intervalMs = 4 s. The worker answers pings between its
 * tasks, so the deadline must exceed its longest synchronous task. Measured in Chromium on the wasm backend
 * (tests/e2e/robustness.test.ts, on a shared 2-core machine): the longest is a chunk of the glyph classifiers'
 * evaluation (10 episodes on tfjs), 0.5 to 1.1 s, up to 1.8 s counted from the page under load; with
 * ?engine=tfjs a chunk of a 600-task reproduction request takes up to 1.2 s; training, clicks and the plane stay
 * under 0.2 s. 3.75 s leaves twice the worst of those; and should a machine be slower still, a silent restart
 * doubles the next worker's deadline (see silentRestarts), so it is not restarted in a loop.
 * startupMs covers loading the worker's script, before which nothing can answer.
 */
export const HEARTBEAT: HeartbeatOptions = { intervalMs: 250, deadlineMs: 3750, startupMs: 15_000 };

const MAX_RESTARTS = 3;
/** A worker that has answered this long is healthy: the deadline is back to HEARTBEAT's. */
const HEALTHY_MS = 60_000;

const defaultWorker = () => new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'maml-engine' });

export class EngineClient {
  private worker!: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(m: WorkerResponse): void; reject(e: Error): void; onProgress?: (p: RequestProgress) => void }>();
  /**
   * The latest parameters of every model (each method's, per problem): what a restarted worker gets back. The
   * worker sends a snapshot whenever a model's current parameters change (training, reset, a diverged run), so
   * this is always the current model, labelled by the provenance it carries.
   */
  readonly latest = new Map<ModelKey, { checkpoint: Checkpoint; source: string }>();
  restarts = 0;
  /** Set when the worker kept dying and was given up on: requests fail at once instead of hanging. */
  private dead = false;
  private readonly restartTimes: number[] = [];
  /**
   * Workers restarted in a row for silence. Each gives the next one twice the deadline (a machine too slow for
   * it is not restarted in a loop); a worker that answers for HEALTHY_MS resets it; past MAX_RESTARTS, given up.
   */
  private silentRestarts = 0;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  /** When the current worker last said anything (Date.now()), whether it has yet, and when it first did. */
  private lastHeard = 0;
  private heardFrom = false;
  private firstHeard = 0;
  private lastBeat = 0;
  private pingSeq = 0;
  /** Unanswered pings of the current worker: seq -> when sent. */
  private readonly pings = new Map<number, number>();
  /**
   * The heartbeat's figures, for the tests and the benchmark: pings sent and answered, and the slowest answer of
   * a started worker (pings sent before its first word wait for its script to load, which startupMs covers).
   */
  readonly liveness = { pings: 0, pongs: 0, slowestPongMs: 0 };
  /** Where the worker also writes adapt answers (null: messages only), and the adapt requests that may be read there. */
  private readonly slot: AnswerSlot | null;
  private readonly slotIds = new Set<number>();
  /** Requests answered from the slot, whose message is still to come (and is then dropped). */
  private readonly answeredEarly = new Set<number>();
  /** Adapt answers taken from shared memory and from messages (the tests and the benchmark). */
  readonly answersBy = { memory: 0, message: 0 };

  constructor(private readonly opts: EngineClientOptions) {
    const memory = opts.answers === undefined ? (opts.createWorker ? null : createAnswerMemory()) : opts.answers;
    this.slot = memory ? new AnswerSlot(memory) : null;
    this.start();
    const heartbeat = opts.heartbeat === undefined ? (opts.createWorker ? null : HEARTBEAT) : opts.heartbeat;
    if (heartbeat) {
      this.lastBeat = Date.now();
      this.heartbeatTimer = setInterval(() => this.beat(heartbeat), heartbeat.intervalMs);
    }
  }

  /** One heartbeat: restarts a worker silent for too long, else pings it. */
  private beat(hb: HeartbeatOptions): void {
    if (this.dead) return;
    const now = Date.now();
    // A late beat means this page was not running (a background tab, a long task of its own): what it did not
    // hear meanwhile says nothing about the worker, so the silence counts from now.
    if (now - this.lastBeat > 2 * hb.intervalMs) this.lastHeard = Math.max(this.lastHeard, now);
    this.lastBeat = now;
    const silent = now - this.lastHeard;
    if (silent > (this.heardFrom ? hb.deadlineMs * 2 ** this.silentRestarts : hb.startupMs)) {
      this.restart(`it stopped answering: no word for ${(silent / 1000).toFixed(1)} s`, 'unresponsive');
      return;
    }
    const seq = ++this.pingSeq;
    this.pings.set(seq, now);
    this.liveness.pings += 1;
    this.worker.postMessage({ type: 'ping', seq });
  }

  private start(): void {
    const worker = (this.opts.createWorker ?? defaultWorker)();
    this.worker = worker;
    this.lastHeard = Date.now();
    this.heardFrom = false;
    this.pings.clear();
    worker.onmessage = (e: MessageEvent<WorkerResponse>) => this.receive(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.restart(e.message || 'the engine worker stopped (no message)');
    };
    worker.onmessageerror = () => this.restart('a message from the engine worker could not be read');
    this.post({ type: 'init', backend: this.opts.backend, engine: this.opts.engine ?? 'auto', ...(this.slot ? { answers: this.slot.memory } : {}) });
  }

  private restart(reason: string, cause: RestartCause = 'crash'): void {
    this.worker.terminate();
    this.restarts += 1;
    // A worker that dies again and again (a broken backend at start-up) is not restarted for ever.
    const now = Date.now();
    this.restartTimes.push(now);
    // Nor is one that keeps going silent (its deadlines growing, slower than the 30 s window would see).
    if (cause === 'unresponsive') this.silentRestarts += 1;
    if (this.restartTimes.filter((t) => now - t < 30_000).length > MAX_RESTARTS || this.silentRestarts > MAX_RESTARTS) {
      for (const p of this.pending.values()) p.reject(new Error(`The engine worker keeps failing (${reason}).`));
      this.pending.clear();
      this.slotIds.clear();
      this.dead = true;
      this.stopHeartbeat();
      const when = this.silentRestarts > MAX_RESTARTS ? 'in a row without answering' : 'in 30 s';
      this.opts.onFatal(`The engine worker failed ${MAX_RESTARTS + 1} times ${when} and was not restarted again (${reason}). Try another backend, e.g. ?backend=cpu.`);
      return;
    }
    for (const p of this.pending.values()) p.reject(new Error(`The engine worker restarted (${reason}).`));
    this.pending.clear();
    this.slotIds.clear();
    this.answeredEarly.clear();
    this.start();
    for (const [, { checkpoint, source }] of this.latest) void this.load(checkpoint, source).catch(() => undefined);
    this.opts.onRestart(reason, cause);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private receive(msg: WorkerResponse): void {
    // Any word is a sign of life; a pong is nothing else.
    const now = Date.now();
    this.lastHeard = now;
    if (!this.heardFrom) this.firstHeard = now;
    this.heardFrom = true;
    if (msg.type === 'pong') {
      const sent = this.pings.get(msg.seq);
      if (sent !== undefined) {
        this.pings.delete(msg.seq);
        this.liveness.pongs += 1;
        if (sent >= this.firstHeard) this.liveness.slowestPongMs = Math.max(this.liveness.slowestPongMs, now - sent);
      }
      if (now - this.firstHeard >= HEALTHY_MS) this.silentRestarts = 0;
      return;
    }
    if (msg.type === 'snapshot') this.remember(msg.checkpoint, 'latest parameters');
    // A request's progress goes to that request's onProgress; it is not its answer (nor an event).
    if (msg.type === 'evalProgress') {
      this.pending.get(msg.id)?.onProgress?.({ done: msg.done, total: msg.total });
      return;
    }
    const id = 'id' in msg ? msg.id : null;
    if (id !== null && this.answeredEarly.delete(id)) return;
    if (id !== null && this.pending.has(id)) {
      const p = this.pending.get(id)!;
      this.pending.delete(id);
      if (this.slotIds.delete(id) && msg.type === 'adapted') this.answersBy.message += 1;
      if (msg.type === 'error') p.reject(new Error(msg.message));
      else p.resolve(msg);
      return;
    }
    this.opts.onEvent(msg);
  }

  private remember(checkpoint: Checkpoint, source: string): void {
    const key = checkpointModelKey(checkpoint);
    const prev = this.latest.get(key);
    const label = checkpoint.provenance ? provenanceLabel(checkpoint.provenance) : source === 'latest parameters' && prev ? prev.source : source;
    this.latest.set(key, { checkpoint, source: label });
  }

  post(msg: Exclude<WorkerRequest, RequestWithId>): void {
    if (!this.dead) this.worker.postMessage(msg);
  }

  /**
   * Sends a request and resolves with its answer (rejects with the worker's error message). onProgress hears the
   * request's progress reports (evaluate's evalProgress) until it is answered.
   */
  request<R extends WorkerResponse['type']>(
    msg: Distribute<RequestWithId>,
    opts: { onProgress?: (p: RequestProgress) => void } = {},
  ): Promise<Extract<WorkerResponse, { type: R }>> {
    if (this.dead) return Promise.reject(new Error('The engine worker has failed; reload the page or try another backend.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (m: WorkerResponse) => void, reject, onProgress: opts.onProgress });
      if (this.slot && msg.type === 'adapt') this.slotIds.add(id);
      this.worker.postMessage({ ...msg, id });
    });
  }

  /**
   * Waits at most ms for the answer of the latest adapt request, which the worker writes to shared memory, and
   * answers it (and any earlier one seen there) from there: called in a click's task, so that its curves are in
   * the frame that follows it. It reads the memory in a loop (a page may not Atomics.wait); the worker answers
   * an idle click in 1-2 ms. Returns at once without that memory or such a request; what is not answered in time
   * is by its message.
   */
  awaitAnswers(ms: number): void {
    const slot = this.slot;
    if (!slot || this.slotIds.size === 0) return;
    const latest = Math.max(...this.slotIds);
    const end = performance.now() + ms;
    do {
      const id = slot.latestId();
      if (!this.slotIds.has(id)) continue;
      const msg = slot.read(id);
      const p = this.pending.get(id);
      if (!msg || !p) continue;
      this.slotIds.delete(id);
      this.pending.delete(id);
      this.answeredEarly.add(id);
      this.answersBy.memory += 1;
      this.lastHeard = Date.now();
      p.resolve(msg);
    } while (this.slotIds.has(latest) && performance.now() < end);
  }

  async load(checkpoint: Checkpoint, source: string): Promise<void> {
    await this.request<'loaded'>({ type: 'load', checkpoint, source });
    this.remember(checkpoint, source);
  }

  /** Makes the worker throw, as a real crash would (test hook). */
  crash(): void {
    this.post({ type: 'crash' });
  }

  /** Test hooks: the worker closes itself without an error (self.close()), or blocks for ms (default: for ever). */
  stopSilently(): void {
    this.post({ type: 'stop' });
  }

  hang(ms?: number): void {
    this.post(ms === undefined ? { type: 'hang' } : { type: 'hang', ms });
  }

  dispose(): void {
    this.stopHeartbeat();
    this.worker.terminate();
  }
}

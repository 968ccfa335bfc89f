/**
 * The page's side of the worker protocol: starts the engine worker, matches answers to requests, keeps the
 * latest copy of every method's parameters, and restarts a worker that dies with those parameters.
 */
import { checkpointModelKey, type Checkpoint, type ModelKey } from '../meta/contracts/checkpoint';
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
  /** The worker died and a new one was started; reason is the error seen. */
  onRestart(reason: string): void;
  /** The worker keeps dying; no new one is started. */
  onFatal(message: string): void;
  createWorker?: () => Worker;
}

const MAX_RESTARTS = 3;

const defaultWorker = () => new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'maml-engine' });

export class EngineClient {
  private worker!: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(m: WorkerResponse): void; reject(e: Error): void }>();
  /** The latest parameters of every model (each method's, per problem): what a restarted worker gets back. */
  readonly latest = new Map<ModelKey, { checkpoint: Checkpoint; source: string }>();
  restarts = 0;
  /** Set when the worker kept dying and was given up on: requests fail at once instead of hanging. */
  private dead = false;
  private readonly restartTimes: number[] = [];

  constructor(private readonly opts: EngineClientOptions) {
    this.start();
  }

  private start(): void {
    const worker = (this.opts.createWorker ?? defaultWorker)();
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<WorkerResponse>) => this.receive(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.restart(e.message || 'the engine worker stopped (no message)');
    };
    worker.onmessageerror = () => this.restart('a message from the engine worker could not be read');
    this.post({ type: 'init', backend: this.opts.backend, engine: this.opts.engine ?? 'auto' });
  }

  private restart(reason: string): void {
    this.worker.terminate();
    this.restarts += 1;
    // A worker that dies again and again (a broken backend at start-up) is not restarted for ever.
    const now = Date.now();
    this.restartTimes.push(now);
    if (this.restartTimes.filter((t) => now - t < 30_000).length > MAX_RESTARTS) {
      for (const p of this.pending.values()) p.reject(new Error(`The engine worker keeps failing (${reason}).`));
      this.pending.clear();
      this.dead = true;
      this.opts.onFatal(`The engine worker failed ${MAX_RESTARTS + 1} times in 30 s and was not restarted again (${reason}). Try another backend, e.g. ?backend=cpu.`);
      return;
    }
    for (const p of this.pending.values()) p.reject(new Error(`The engine worker restarted (${reason}).`));
    this.pending.clear();
    this.start();
    for (const [, { checkpoint, source }] of this.latest) void this.load(checkpoint, source).catch(() => undefined);
    this.opts.onRestart(reason);
  }

  private receive(msg: WorkerResponse): void {
    if (msg.type === 'snapshot') this.remember(msg.checkpoint, 'latest parameters');
    const id = 'id' in msg ? msg.id : null;
    if (id !== null && this.pending.has(id)) {
      const p = this.pending.get(id)!;
      this.pending.delete(id);
      if (msg.type === 'error') p.reject(new Error(msg.message));
      else p.resolve(msg);
      return;
    }
    this.opts.onEvent(msg);
  }

  private remember(checkpoint: Checkpoint, source: string): void {
    const key = checkpointModelKey(checkpoint);
    const prev = this.latest.get(key);
    this.latest.set(key, { checkpoint, source: source === 'latest parameters' && prev ? prev.source : source });
  }

  post(msg: Exclude<WorkerRequest, RequestWithId>): void {
    if (!this.dead) this.worker.postMessage(msg);
  }

  /** Sends a request and resolves with its answer (rejects with the worker's error message). */
  request<R extends WorkerResponse['type']>(msg: Distribute<RequestWithId>): Promise<Extract<WorkerResponse, { type: R }>> {
    if (this.dead) return Promise.reject(new Error('The engine worker has failed; reload the page or try another backend.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (m: WorkerResponse) => void, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }

  async load(checkpoint: Checkpoint, source: string): Promise<void> {
    await this.request<'loaded'>({ type: 'load', checkpoint, source });
    this.remember(checkpoint, source);
  }

  /** Makes the worker throw, as a real crash would (test hook). */
  crash(): void {
    this.post({ type: 'crash' });
  }

  dispose(): void {
    this.worker.terminate();
  }
}

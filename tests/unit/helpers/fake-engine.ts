/**
 * For testing an engine session in Node: a FakeWorker that can answer requests the way the engine worker does
 * (asynchronously, by id), and a fetch that serves the shipped checkpoints from public/checkpoints/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkpointModelKey, type Checkpoint } from '../../../src/meta/contracts/checkpoint';
import { AnswerSlot, type AdaptedAnswer } from '../../../src/worker/answer-slot';
import type { WorkerResponse } from '../../../src/worker/protocol';
import { FakeWorker } from './fake-worker';

type Request = Record<string, unknown> & { type: string; id?: number };
type Answer = (msg: Request) => WorkerResponse;

/** Answers a load request as the worker does. */
export const loaded: Answer = (msg) => {
  const ckpt = msg.checkpoint as Checkpoint;
  return { type: 'loaded', id: msg.id as number, method: ckpt.algorithm, model: checkpointModelKey(ckpt), source: msg.source as string };
};

export class FakeEngineWorker extends FakeWorker {
  /** Request types answered by themselves (a macrotask later, like a real worker); the rest wait for answer(). */
  readonly auto: Partial<Record<string, Answer>> = { load: loaded };
  private readonly answered = new Set<number>();
  /**
   * Set: adapt requests are answered at once in the init's shared memory, as a worker quick enough for the
   * page's wait (answer-slot.ts), and by message a macrotask later, as the worker also posts it.
   */
  adaptInMemory: Answer | null = null;
  private slot: AnswerSlot | null = null;

  override postMessage(msg: unknown): void {
    super.postMessage(msg);
    const m = msg as Request;
    if (m.type === 'init') this.slot = m.answers instanceof SharedArrayBuffer ? new AnswerSlot(m.answers) : null;
    const inMemory = this.adaptInMemory;
    if (m.type === 'adapt' && inMemory && this.slot && typeof m.id === 'number') {
      const answer = inMemory(m);
      this.answered.add(m.id);
      this.slot.write(answer as AdaptedAnswer);
      setTimeout(() => {
        if (!this.terminated) this.emit(answer);
      }, 0);
    }
    const auto = this.auto[m.type];
    if (auto && typeof m.id === 'number') {
      this.answered.add(m.id);
      setTimeout(() => {
        if (!this.terminated) this.emit(auto(m));
      }, 0);
    }
  }

  /** Requests of a type posted and not answered yet, oldest first. */
  waiting(type: string): Request[] {
    return this.ofType(type).filter((m) => typeof m.id === 'number' && !this.answered.has(m.id as number));
  }

  /** Answers the oldest waiting request of a type with what `make` says; returns that request. */
  answer(type: string, make: Answer): Request {
    const [msg] = this.waiting(type);
    if (!msg) throw new Error(`no ${type} request is waiting`);
    this.answered.add(msg.id as number);
    this.emit(make(msg));
    return msg;
  }
}

export function fakeEngineFactory(): { workers: FakeEngineWorker[]; create: () => Worker; current(): FakeEngineWorker } {
  const workers: FakeEngineWorker[] = [];
  return {
    workers,
    create: () => {
      const w = new FakeEngineWorker();
      workers.push(w);
      return w as unknown as Worker;
    },
    current: () => workers[workers.length - 1],
  };
}

const CHECKPOINTS = resolve(__dirname, '../../../public/checkpoints');

/** A served file's replacement: a status and a body (JSON unless `type` says otherwise). */
export interface Served {
  status?: number;
  body: string | Uint8Array;
  type?: string;
}

/**
 * A fetch for `${prefix}<path>` that serves public/checkpoints/<path> (404 for what is not there), with some
 * paths replaced; it records every URL asked for.
 */
export function checkpointServer(prefix: string, replace: Record<string, Served> = {}): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fetchFn = async (input: RequestInfo | URL) => {
    const url = String(input);
    urls.push(url);
    if (!url.startsWith(prefix)) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    const path = url.slice(prefix.length);
    const file = resolve(CHECKPOINTS, path);
    const served: Served | null = replace[path] ?? (existsSync(file) ? { body: readFileSync(file), type: file.endsWith('.json') ? 'application/json' : 'application/octet-stream' } : null);
    if (!served) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    return new Response(served.body as BodyInit, { status: served.status ?? 200, headers: { 'content-type': served.type ?? 'application/json' } });
  };
  return { fetch: fetchFn as typeof fetch, urls };
}

/** Lets timers and settled promises run until `cond` holds (fails after `rounds` macrotasks). */
export async function until(cond: () => boolean, what = 'the condition', rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (cond()) return;
    await new Promise<void>((r) => setTimeout(r, 0));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Lets pending timers and promises run (a few macrotasks). */
export async function settleTasks(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setTimeout(r, 0));
}

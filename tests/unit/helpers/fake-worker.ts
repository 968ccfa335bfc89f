/**
 * A stand-in for a Web Worker, for testing EngineClient in Node: records what is posted to it and lets a
 * test deliver answers (onmessage), crashes (onerror) and unreadable messages (onmessageerror).
 */
import type { WorkerResponse } from '../../../src/worker/protocol';

export class FakeWorker {
  readonly posted: unknown[] = [];
  terminated = 0;
  onmessage: ((e: MessageEvent<WorkerResponse>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  onmessageerror: ((e: MessageEvent) => void) | null = null;
  /** How many times the client called preventDefault() on an error event given to it. */
  defaultPrevented = 0;

  postMessage(msg: unknown): void {
    if (this.terminated) throw new Error('postMessage on a terminated FakeWorker');
    this.posted.push(msg);
  }

  terminate(): void {
    this.terminated += 1;
  }

  /** Delivers a message from the "worker" to the page. */
  emit(msg: WorkerResponse): void {
    if (!this.onmessage) throw new Error('no onmessage handler installed');
    this.onmessage({ data: msg } as MessageEvent<WorkerResponse>);
  }

  /** Fires an error event as a crashing worker would. */
  crash(message: string): void {
    if (!this.onerror) throw new Error('no onerror handler installed');
    const event = {
      message,
      preventDefault: () => {
        this.defaultPrevented += 1;
      },
    };
    this.onerror(event as unknown as ErrorEvent);
  }

  /** Fires messageerror (a message that could not be deserialised). */
  messageError(): void {
    if (!this.onmessageerror) throw new Error('no onmessageerror handler installed');
    this.onmessageerror({ data: null } as MessageEvent);
  }

  /** Posted messages of one type. */
  ofType<T extends string>(type: T): Array<Record<string, unknown> & { type: T }> {
    return this.posted.filter(
      (m): m is Record<string, unknown> & { type: T } => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type,
    );
  }
}

/** A factory that records every FakeWorker it creates, in order. */
export function fakeWorkerFactory(): { workers: FakeWorker[]; create: () => Worker } {
  const workers: FakeWorker[] = [];
  return {
    workers,
    create: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w as unknown as Worker;
    },
  };
}

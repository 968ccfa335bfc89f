/**
 * The page's client and the real engine together (in this process, on the tfjs cpu backend), as the page and its
 * worker run: the client's copy of each model, the one a restarted worker gets back, is always the model's
 * current parameters with their provenance (issue 13, item 1): after Reset the model from before the run, after
 * a run that blew up the model that was kept.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Checkpoint } from '../../src/meta/contracts/checkpoint';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { defaultTrainConfig, PAPER_CONFIG, type TrainConfig } from '../../src/meta/contracts/config';
import { provenanceLabel, type Provenance } from '../../src/meta/contracts/provenance';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { EngineClient } from '../../src/worker/client';
import { WorkerEngine } from '../../src/worker/engine';
import type { WorkerRequest, WorkerResponse } from '../../src/worker/protocol';

/**
 * A Worker whose engine runs here: messages cross as copies, asynchronously, as between threads (as microtasks:
 * Node's timers would wait behind the training loop's event hops).
 */
class InProcessWorker {
  onmessage: ((e: MessageEvent<WorkerResponse>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  onmessageerror: ((e: MessageEvent) => void) | null = null;
  terminated = false;
  readonly engine = new WorkerEngine({
    post: (m) => {
      const copy = structuredClone(m);
      queueMicrotask(() => !this.terminated && this.onmessage?.({ data: copy } as MessageEvent<WorkerResponse>));
    },
    chooseBackend: async () => ({ backend: (await useNodeBackend('cpu')) as 'cpu', fallbacks: [] }),
  });

  postMessage(msg: WorkerRequest): void {
    const copy = structuredClone(msg);
    queueMicrotask(() => {
      if (this.terminated) return;
      if (copy.type === 'crash') this.onerror?.({ message: 'Error: crash requested', preventDefault: () => undefined } as unknown as ErrorEvent);
      else void this.engine.handle(copy);
    });
  }

  terminate(): void {
    this.terminated = true;
    this.engine.dispose();
  }
}

const SHIPPED_FILE = readCheckpointFile(readFileSync(resolve(__dirname, '../../public/checkpoints/maml.ckpt')));
/** Parameters as the float32 values they load as (a file's decimals and the exact float32 values compare equal). */
const float32 = (params: Checkpoint['params']) => Object.fromEntries(Object.entries(params).map(([n, p]) => [n, { shape: p.shape, values: p.values.map(Math.fround) }]));
const SHIPPED: Extract<Provenance, { kind: 'shipped' }> = { kind: 'shipped', file: 'maml.ckpt', iterations: SHIPPED_FILE.training.iterations, seed: SHIPPED_FILE.training.seed };

// A few hundred milliseconds each: one that waits is one that failed.
vi.setConfig({ testTimeout: 20_000 });

let clients: EngineClient[] = [];
afterEach(() => {
  clients.forEach((c) => c.dispose());
  clients = [];
});

/** A client on an in-process engine with the shipped MAML model loaded, as the page has it after start-up. */
async function page() {
  const events: WorkerResponse[] = [];
  const listeners = new Set<() => void>();
  const workers: InProcessWorker[] = [];
  const client = new EngineClient({
    backend: null,
    createWorker: () => {
      const w = new InProcessWorker();
      workers.push(w);
      return w as unknown as Worker;
    },
    onEvent: (m) => {
      events.push(m);
      listeners.forEach((l) => l());
    },
    onRestart: () => undefined,
    onFatal: () => undefined,
  });
  clients.push(client);
  /** The first event of a type from index `from` on that passes `test`, as soon as it comes. */
  const next = <T extends WorkerResponse['type']>(type: T, test: (m: Extract<WorkerResponse, { type: T }>) => boolean = () => true, from = 0) =>
    new Promise<Extract<WorkerResponse, { type: T }>>((resolve) => {
      const look = () => {
        const hit = events.slice(from).find((m) => m.type === type && test(m as Extract<WorkerResponse, { type: T }>));
        if (!hit) return;
        listeners.delete(look);
        resolve(hit as Extract<WorkerResponse, { type: T }>);
      };
      listeners.add(look);
      look();
    });
  await next('ready');
  await client.load({ ...SHIPPED_FILE, provenance: SHIPPED }, provenanceLabel(SHIPPED));
  return { client, events, workers, next };
}

const current = async (client: EngineClient): Promise<Checkpoint> => (await client.request<'snapshot'>({ type: 'export', method: 'maml' })).checkpoint;

/** Crashes the worker and waits for the new one to be ready (its reloads are queued ahead of any request). */
async function crash(p: Awaited<ReturnType<typeof page>>): Promise<void> {
  const from = p.events.length;
  p.client.crash();
  await p.next('ready', () => true, from);
  expect(p.workers).toHaveLength(2);
}

/** Pauses the run; resolves with the snapshot the pause sends. */
async function paused(p: Awaited<ReturnType<typeof page>>): Promise<Checkpoint> {
  const from = p.events.length;
  p.client.post({ type: 'pause' });
  await p.next('trainState', (m) => m.state === 'paused', from);
  const at = p.events.findIndex((m, i) => i >= from && m.type === 'trainState' && m.state === 'paused');
  return (await p.next('snapshot', () => true, at)).checkpoint;
}

const run = (config: Partial<TrainConfig>): TrainConfig => ({ ...defaultTrainConfig('maml'), metaBatch: 4, iterations: 1_000_000, ...config });

describe('the parameters a restarted worker gets back', () => {
  it('after Reset: the model from before the run, labelled as it is (not the run the client last saw)', async () => {
    const p = await page();
    p.client.post({ type: 'train', config: run({}) });
    await p.next('progress');
    await paused(p);
    expect(p.client.latest.get('maml')?.source).toMatch(/^trained in this page/);
    const from = p.events.length;
    p.client.post({ type: 'reset' });
    await p.next('snapshot', () => true, from);
    expect(float32(p.client.latest.get('maml')!.checkpoint.params)).toEqual(float32(SHIPPED_FILE.params));
    expect(p.client.latest.get('maml')?.source).toBe(provenanceLabel(SHIPPED));

    await crash(p);
    const back = await current(p.client);
    expect(float32(back.params)).toEqual(float32(SHIPPED_FILE.params));
    expect(back.provenance).toEqual(SHIPPED);
  });

  it('after a paused run: that run, exactly, labelled by its iterations', async () => {
    const p = await page();
    p.client.post({ type: 'train', config: run({}) });
    await p.next('progress');
    const snap = await paused(p);
    await crash(p);
    const back = await current(p.client);
    expect(back.params).toEqual(snap.params);
    expect(back.provenance).toEqual({ kind: 'trained', iterations: snap.training.iterations, planned: 1_000_000 });
  });

  it('after a run that blew up (meta learning rate 10): the model it never replaced, with the note', async () => {
    const p = await page();
    p.client.post({ type: 'train', config: { ...PAPER_CONFIG, algorithm: 'maml', metaLr: 10, iterations: 1000 } });
    await p.next('trainState', (m) => m.state === 'diverged');
    await p.next('snapshot');
    const note = { ...SHIPPED, diverged: { atIteration: 2, kept: 'previous' } };
    expect(p.client.latest.get('maml')?.source).toBe(`shipped checkpoint (${SHIPPED.iterations} iterations); kept: a training run diverged at iteration 2 and was discarded`);
    await crash(p);
    const back = await current(p.client);
    expect(float32(back.params)).toEqual(float32(SHIPPED_FILE.params));
    expect(back.provenance).toEqual(note);
  });
});

/**
 * The engine's side of the heartbeat (issue 13, item 2): a ping is answered at once, outside the engine's lock,
 * ahead of the requests waiting for it; the failure hooks do what they say (in Node, where there is no worker to
 * close, stop does nothing). That pings are answered during training in a real worker is a browser test's
 * (tests/e2e/robustness.test.ts): Node runs message ports in an order of its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTrainConfig } from '../../src/meta/contracts/config';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { WorkerEngine } from '../../src/worker/engine';
import type { WorkerResponse } from '../../src/worker/protocol';

const engines: WorkerEngine[] = [];
afterEach(() => {
  engines.splice(0).forEach((e) => e.dispose());
});

async function started(): Promise<{ engine: WorkerEngine; sent: WorkerResponse[] }> {
  const sent: WorkerResponse[] = [];
  const engine = new WorkerEngine({
    post: (m) => void sent.push(m),
    chooseBackend: async () => ({ backend: (await useNodeBackend('cpu')) as 'cpu', fallbacks: [] }),
  });
  engines.push(engine);
  await engine.handle({ type: 'init', backend: null, engine: 'auto' });
  return { engine, sent };
}

describe('ping', () => {
  it('is answered at once with its seq, before handle returns, and by nothing else', async () => {
    const { engine, sent } = await started();
    const n = sent.length;
    void engine.handle({ type: 'ping', seq: 41 });
    expect(sent.slice(n)).toEqual([{ type: 'pong', seq: 41 }]);
  });

  it('is answered ahead of work waiting for the lock (an evaluation, a training start)', async () => {
    const { engine, sent } = await started();
    const evaluation = engine.handle({ type: 'evaluate', id: 1, methods: ['maml', 'metasgd'], kShot: 5, steps: 10, tasks: 200, alpha: 0.01, seed: 3 });
    const training = engine.handle({ type: 'train', config: { ...defaultTrainConfig('maml'), metaBatch: 4, iterations: 10 } });
    void engine.handle({ type: 'ping', seq: 7 });
    const types = sent.map((m) => m.type);
    expect(types.indexOf('pong')).toBeGreaterThan(-1);
    expect(types).not.toContain('evaluated');
    await Promise.all([evaluation, training]);
    expect(sent.map((m) => m.type)).toContain('evaluated');
    expect(sent.findIndex((m) => m.type === 'pong')).toBeLessThan(sent.findIndex((m) => m.type === 'evaluated'));
  });

  it('hang blocks the thread for its ms; stop is harmless outside a worker', async () => {
    const { engine, sent } = await started();
    const t0 = performance.now();
    await engine.handle({ type: 'hang', ms: 60 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(59);
    await engine.handle({ type: 'stop' });
    void engine.handle({ type: 'ping', seq: 1 });
    expect(sent.filter((m) => m.type === 'pong' || m.type === 'error')).toEqual([{ type: 'pong', seq: 1 }]);
  });
});

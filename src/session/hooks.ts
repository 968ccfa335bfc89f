/**
 * Hooks for the browser tests and the benchmark (window.__playground on the page): the store, the worker's
 * test and timing requests, and whether what is shown is current.
 */
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { PAPER_EVAL, type TrainConfig } from '../meta/contracts/config';
import type { BenchPath, MetaStepRequest } from '../worker/protocol';
import type { RequestKind } from './refresh';
import type { SessionCore } from './shared';

export function testHooks(core: SessionCore, idle: (kind?: RequestKind) => boolean) {
  const client = () => core.client();
  return {
    store: core.store,
    crashWorker: () => client()?.crash(),
    /** The worker closes itself (self.close()): no error event; the heartbeat has to notice. */
    stopWorker: () => client()?.stopSilently(),
    /** The worker's thread loops for ms (default: for ever), answering nothing meanwhile. */
    hangWorker: (ms?: number) => client()?.hang(ms),
    /** The heartbeat's figures: pings sent and answered, the slowest answer (ms): the longest the worker was busy. */
    liveness: () => (client() ? { ...client()!.liveness } : null),
    memory: () => client()?.request<'memory'>({ type: 'memory' }),
    bench: (algorithms: AlgorithmId[], iterations: number, path: BenchPath = 'tfjs') => client()?.request<'benchResult'>({ type: 'bench', algorithms, iterations, path }),
    timeToQuality: (config: TrainConfig, target: number, seconds: number, evalEveryMs = 1000, validationTasks = 1000, testTasks: number = PAPER_EVAL.tasks) =>
      client()?.request<'timeToQualityResult'>({ type: 'timeToQuality', config, target, seconds, evalEveryMs, validationTasks, testTasks }),
    /** The latest parameters the page holds for a method (what export downloads). */
    checkpoint: (method: AlgorithmId) => client()?.latest.get(method)?.checkpoint ?? null,
    restarts: () => client()?.restarts ?? 0,
    /** Click answers taken from shared memory and from messages (answer-slot.ts). */
    answersBy: () => (client() ? { ...client()!.answersBy } : null),
    /** The worker's meta-iteration breakdown (what the Learn mode's scene 4 shows), asked for directly. */
    metaStep: (req: MetaStepRequest) => client()?.request<'metaStepResult'>({ type: 'metaStep', ...req }),
    gpuCheck: () => client()?.request<'gpuCheckResult'>({ type: 'gpuCheck' }),
    /** True when nothing of that kind (default: both) is being computed or waiting: what is shown is current. */
    idle,
  };
}

export type PlaygroundHooks = ReturnType<typeof testHooks>;

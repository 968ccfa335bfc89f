/**
 * The one typed message protocol between the page and the engine worker. The worker owns tfjs and every
 * tensor; only plain numbers cross this boundary.
 */
import type { AdaptationCurves } from '../meta/adaptation';
import type { AlgorithmId } from '../meta/algorithms/catalog';
import type { Checkpoint } from '../meta/checkpoint';
import type { EvalCurve } from '../meta/evaluate';
import type { Point, SinusoidTask } from '../meta/tasks/sinusoid';
import type { TrainConfig } from '../meta/config';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Tried in this order; the first whose setBackend() succeeds runs. */
export const BACKEND_ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Which implementation computes: 'auto' takes the fastest path for the job (typed arrays for the small MLPs'
 * test-time adaptation and for MAML / first-order MAML training), 'tfjs' keeps everything on the TF.js backend
 * (tests and benchmarks use it to exercise and compare that backend).
 */
export type EnginePreference = 'auto' | 'tfjs';

export function isBackendName(v: unknown): v is BackendName {
  return typeof v === 'string' && (BACKEND_ORDER as string[]).includes(v);
}

export type TrainState = 'idle' | 'running' | 'paused' | 'done' | 'diverged';

export interface AdaptRequest {
  methods: AlgorithmId[];
  points: Point[];
  grid: number[];
  steps: number;
  alpha: number;
  task: SinusoidTask | null;
}

export interface EvaluateRequest {
  methods: AlgorithmId[];
  kShot: number;
  steps: number;
  tasks: number;
  alpha: number;
  seed: number;
}

export interface TrainProgress {
  method: AlgorithmId;
  iteration: number;
  iterations: number;
  /** Mean meta-loss over the iterations since the last report. */
  metaLoss: number;
  itersPerSec: number;
  etaSeconds: number;
  /** The latest iteration's diagnostics: iMAML's cgResidual, Reptile's outerStepSize. */
  stats: Record<string, number>;
  /** Which implementation trains: "typed arrays" (src/meta/fast) or "tfjs (backend)". */
  path: string;
}

export type WorkerRequest =
  | { type: 'init'; backend: BackendName | null; engine: EnginePreference }
  | { type: 'load'; id: number; checkpoint: Checkpoint; source: string }
  | ({ type: 'adapt'; id: number } & AdaptRequest)
  | ({ type: 'evaluate'; id: number } & EvaluateRequest)
  | { type: 'train'; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'reset' }
  | { type: 'export'; id: number; method: AlgorithmId }
  | { type: 'memory'; id: number }
  /**
   * Times meta-iterations of fresh trainers (the benchmark); leaves the models alone. path 'typed' times the
   * typed-array MAML path (src/meta/fast; maml and fomaml only) instead of tfjs.
   */
  | { type: 'bench'; id: number; algorithms: AlgorithmId[]; iterations: number; path?: 'tfjs' | 'typed' }
  /** Test hook: throw inside the worker, as a real crash would. */
  | { type: 'crash' };

export type WorkerResponse =
  | { type: 'ready'; backend: BackendName; fallbacks: string[] }
  | { type: 'loaded'; id: number; method: AlgorithmId; source: string }
  /** path: which implementation adapted ('typed arrays' or 'tfjs (backend)'), shown in the page. */
  | { type: 'adapted'; id: number; results: Partial<Record<AlgorithmId, AdaptationCurves>>; path: string }
  | { type: 'evaluated'; id: number; results: Partial<Record<AlgorithmId, EvalCurve>> }
  | ({ type: 'progress' } & TrainProgress)
  | { type: 'trainState'; method: AlgorithmId | null; state: TrainState; message?: string }
  /** A copy of a method's current parameters: kept by the page for export and to restart a dead worker. */
  | { type: 'snapshot'; id: number | null; checkpoint: Checkpoint }
  | { type: 'memory'; id: number; numTensors: number; numBytes: number }
  | { type: 'benchResult'; id: number; backend: string; path: 'tfjs' | 'typed'; msPerIteration: Partial<Record<AlgorithmId, number>> }
  | { type: 'error'; id: number | null; message: string };

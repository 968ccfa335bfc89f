/**
 * The one typed message protocol between the page and the engine worker. The worker owns tfjs and every
 * tensor; only plain numbers cross this boundary.
 */
import type { MetaStepSettings } from '../meta/fast/breakdown';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import type { Checkpoint, ModelKey } from '../meta/contracts/checkpoint';
import type { ClassificationProblem, LabelledSet } from '../meta/contracts/tasks/episodes';
import type { Point, SinusoidTask } from '../meta/contracts/tasks/sinusoid';
import type { TrainConfig } from '../meta/contracts/config';
import type { AdaptationCurves, ClassAdaptation, ClassEvalCurve, EvalCurve, MetaStepBreakdown } from '../meta/contracts/types';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Tried in this order; the first whose setBackend() succeeds runs. */
export const BACKEND_ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Which implementation computes: 'auto' takes the fastest path for the job (typed arrays for the small MLPs'
 * test-time adaptation; for MAML / first-order MAML training, typed arrays or, on WebGPU where a probe finds
 * them faster, the fused WebGPU kernels); 'tfjs' keeps everything on the TF.js backend (tests and benchmarks use
 * it to exercise and compare that backend); 'gpu' is auto with the fused kernels for training wherever they run.
 */
export type EnginePreference = 'auto' | 'tfjs' | 'gpu';

export const ENGINE_PREFERENCES: EnginePreference[] = ['auto', 'tfjs', 'gpu'];

export function isBackendName(v: unknown): v is BackendName {
  return typeof v === 'string' && (BACKEND_ORDER as string[]).includes(v);
}

/** What the benchmark times: TF.js on its backend, typed arrays, the fused WebGPU kernels, or the naive reference. */
export type BenchPath = 'tfjs' | 'typed' | 'fused' | 'per-task loop';

export type TrainState = 'idle' | 'running' | 'paused' | 'done' | 'diverged';

export interface AdaptRequest {
  methods: AlgorithmId[];
  points: Point[];
  grid: number[];
  steps: number;
  alpha: number;
  task: SinusoidTask | null;
}

/**
 * The classification playgrounds: each method's model for this problem and number of classes, adapted to the
 * user's labelled support set, classifying the queries (the plane's grid, or drawings) at steps 0..steps.
 */
export interface ClassifyRequest {
  problem: ClassificationProblem;
  classes: number;
  methods: AlgorithmId[];
  support: LabelledSet;
  /** [n x input] row-major. */
  queries: Float32Array;
  queryLabels: Int32Array | null;
  steps: number;
  alpha: number;
}

/** Averaged curves: the sinusoid's paper protocol, or, with problem and classes, N-way classification episodes. */
export interface EvaluateRequest {
  problem?: ClassificationProblem;
  classes?: number;
  methods: AlgorithmId[];
  kShot: number;
  steps: number;
  tasks: number;
  alpha: number;
  seed: number;
}

/**
 * One real meta-iteration of a method's current sinusoid model (MAML's rule: `innerSteps` SGD steps of alpha on
 * each task's support set, the query loss at the adapted weights), on `tasks` tasks drawn from `seed`, taken apart
 * stage by stage (the Learn mode's scene 4). Leaves the model alone.
 */
export interface MetaStepRequest extends Omit<MetaStepSettings, 'shown'> {
  method: AlgorithmId;
}

export interface TrainProgress {
  method: AlgorithmId;
  /** The model being trained (the algorithm on its problem). */
  model: ModelKey;
  iteration: number;
  iterations: number;
  /** Mean meta-loss over the iterations since the last report. */
  metaLoss: number;
  itersPerSec: number;
  etaSeconds: number;
  /** The latest iteration's diagnostics: iMAML's cgResidual, Reptile's outerStepSize. */
  stats: Record<string, number>;
  /** Which implementation trains: "typed arrays" (src/meta/fast), "webgpu (fused)" or "tfjs (backend)". */
  path: string;
  /** Why that one (the WebGPU probe's timings), where there was a choice. */
  pathNote?: string;
}

export type WorkerRequest =
  /** answers: shared memory the worker also writes each `adapted` answer to (answer-slot.ts), where the page has it. */
  | { type: 'init'; backend: BackendName | null; engine: EnginePreference; answers?: SharedArrayBuffer }
  | { type: 'load'; id: number; checkpoint: Checkpoint; source: string }
  | ({ type: 'adapt'; id: number } & AdaptRequest)
  | ({ type: 'evaluate'; id: number } & EvaluateRequest)
  | ({ type: 'classify'; id: number } & ClassifyRequest)
  | ({ type: 'metaStep'; id: number } & MetaStepRequest)
  | { type: 'train'; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'reset' }
  /** A copy of a model's parameters; `model` names it (default: the method's sinusoid model). */
  | { type: 'export'; id: number; method: AlgorithmId; model?: ModelKey }
  /** Drops a model back to its random initialisation (the page discards a saved model); answered by its snapshot. */
  | { type: 'forget'; id: number; model: ModelKey }
  | { type: 'memory'; id: number }
  /**
   * Times meta-iterations of fresh trainers (the benchmark); leaves the models alone. path 'typed' times the
   * typed-array MAML path (src/meta/fast; maml and fomaml only) instead of tfjs, 'fused' that path with the
   * fused WebGPU meta-gradient (webgpu only), 'per-task loop' the naive tfjs reference (maml only).
   */
  | { type: 'bench'; id: number; algorithms: AlgorithmId[]; iterations: number; path?: BenchPath }
  /**
   * Test hook (issue 5, target 3): checks the fused WebGPU meta-gradient (src/meta/gpu/fused-maml.ts) against the
   * float64 typed-array path on one paper-sized batch. Needs the webgpu backend; answered by gpuCheckResult.
   */
  | { type: 'gpuCheck'; id: number }
  /**
   * Time to quality (the benchmark): a fresh trainer from random initialisation on the path the page would
   * use, evaluated (5-shot, one step, evalTasks of the paper's test tasks) every evalEveryMs of wall time until
   * the MSE reaches target or `seconds` pass. Leaves the models alone.
   */
  /**
   * Trains a fresh model until its 5-shot one-step MSE on `validationTasks` validation tasks (VALIDATION_EVAL)
   * is at most `target`, or `seconds` have passed; then scores it once on `testTasks` test tasks (PAPER_EVAL).
   */
  | { type: 'timeToQuality'; id: number; config: TrainConfig; target: number; seconds: number; evalEveryMs: number; validationTasks: number; testTasks: number }
  /** Test hook: throw inside the worker, as a real crash would. */
  | { type: 'crash' }
  /**
   * Liveness (client.ts's heartbeat): answered at once with a pong carrying the same seq, outside the engine's
   * lock, so also during training (which yields between steps) and while requests wait their turn.
   */
  | { type: 'ping'; seq: number }
  /** Test hook: the worker closes itself (self.close()): it stops without an error event, as a lost worker does. */
  | { type: 'stop' }
  /** Test hook: the worker's thread is blocked in a loop for ms milliseconds (default: for ever), as a hung worker is. */
  | { type: 'hang'; ms?: number };

/**
 * One inner-step count of a gpuCheck: GpuMaml (float32, WebGPU) against FastMaml (float64) on the same batch,
 * theta and alpha. Gradient errors are max_i |gpu_i - ref_i| / max_i |ref_i|; loss errors |gpu - ref| / |ref|.
 */
export interface GpuCheckCase {
  /** The shape: layer sizes, tasks, support and query points per task, inner steps. */
  sizes: number[];
  tasks: number;
  kSupport: number;
  kQuery: number;
  steps: number;
  exactGradError: number;
  firstOrderGradError: number;
  exactLossError: number;
  firstOrderLossError: number;
  /** How far exact and first order are apart, same measure (relative to the exact gradient): float64 and GPU. */
  exactVsFirstOrder: number;
  gpuExactVsFirstOrder: number;
}

export interface GpuCheckReport {
  /** False when the engine does not run on the webgpu backend (or GpuMaml refuses the shape); reason says why. */
  available: boolean;
  reason?: string;
  /** alpha of every case. */
  alpha?: number;
  /**
   * dispatchWorkgroups calls per metaGradient call (paper batch), counted by wrapping
   * GPUComputePassEncoder.prototype.dispatchWorkgroups during one call.
   */
  dispatchesPerCall?: number;
  /** GpuMaml's own dispatchesPerCall. */
  declaredDispatchesPerCall?: number;
  /**
   * The paper batch (sizes [1, 40, 40, 1], 25 sinusoid tasks, K = Q = 10) for 1 and 3 inner steps, then odd shapes
   * on random inputs: the oracle net's [4, 40, 40, 1] with K != Q, and a one-hidden-layer net with 3 outputs.
   */
  cases?: GpuCheckCase[];
  /** Median ms per exact metaGradient call on the paper batch (1 inner step), after a warm-up call. */
  msPerCall?: number;
}

export type WorkerResponse =
  | { type: 'ready'; backend: BackendName; fallbacks: string[]; /** e.g. "software adapter: SwiftShader" */ adapter?: string }
  | { type: 'loaded'; id: number; method: AlgorithmId; model: ModelKey; source: string }
  /**
   * path: which implementation adapted ('typed arrays' or 'tfjs (backend)'), shown in the page; pathNote: how it
   * was chosen, where two could serve (the first request's timings, JobPaths); computeMs: how long the worker
   * computed (the benchmark splits click-to-curves latency with it).
   */
  | { type: 'adapted'; id: number; results: Partial<Record<AlgorithmId, AdaptationCurves>>; path: string; pathNote?: string; computeMs: number }
  | { type: 'evaluated'; id: number; results: Partial<Record<AlgorithmId, EvalCurve | ClassEvalCurve>> }
  | { type: 'classified'; id: number; results: Partial<Record<AlgorithmId, ClassAdaptation>>; path: string; pathNote?: string; computeMs: number }
  | ({ type: 'progress' } & TrainProgress)
  /** A metaStep request's answer: computed by the typed-array kernels that train (src/meta/fast/breakdown.ts). */
  | ({ type: 'metaStepResult'; id: number; method: AlgorithmId } & MetaStepBreakdown)
  /**
   * An evaluate request's progress, after each chunk: done of total test tasks (episodes) scored, over all its
   * methods (total = tasks x methods). Monotone; the last one has done = total, then 'evaluated' answers.
   */
  | { type: 'evalProgress'; id: number; done: number; total: number }
  | { type: 'trainState'; method: AlgorithmId | null; model: ModelKey | null; state: TrainState; message?: string }
  /** A copy of a method's current parameters: kept by the page for export and to restart a dead worker. */
  | { type: 'snapshot'; id: number | null; checkpoint: Checkpoint }
  | { type: 'memory'; id: number; numTensors: number; numBytes: number }
  /**
   * kernelsPerIteration: TF.js kernels one iteration launches (tfjs paths; on WebGPU each is a dispatch), or the
   * GPU dispatches of one iteration (fused path).
   */
  | {
      type: 'benchResult';
      id: number;
      backend: string;
      path: BenchPath;
      msPerIteration: Partial<Record<AlgorithmId, number>>;
      kernelsPerIteration: Partial<Record<AlgorithmId, number>>;
    }
  | ({ type: 'gpuCheckResult'; id: number } & GpuCheckReport)
  | {
      type: 'timeToQualityResult';
      id: number;
      path: string;
      reached: boolean;
      /**
       * Validation scores while training. Wall seconds include the evaluations; trainSeconds only the
       * meta-iterations. Classification: accuracy after one step (mse NaN); the sinusoid: mse.
       */
      curve: { iteration: number; wallSeconds: number; trainSeconds: number; mse: number; accuracy?: number }[];
      /** The last model of the curve on the test tasks, scored once (not counted in the wall seconds); classification: its accuracy (mse and ci95 NaN). */
      test: { iteration: number; tasks: number; mse: number; ci95: number; accuracy?: number };
    }
  /** The answer to a ping. */
  | { type: 'pong'; seq: number }
  | { type: 'error'; id: number | null; message: string };

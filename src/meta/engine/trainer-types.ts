/** What runs a meta-training, whichever path: the interface MetaTrainer (TF.js) and TypedMamlTrainer share. */
import type { TrainConfig } from '../contracts/config';
import type { Params } from './params';

export type StepOutcome =
  | { ok: true; iteration: number; loss: number; stats: Record<string, number> }
  | { ok: false; iteration: number; loss: number; reason: string };

/**
 * Which implementation runs a training: TF.js on its backend, the typed-array MAML path (src/meta/fast), or that
 * path's loop with the meta-gradient from the fused WebGPU kernels (src/meta/gpu).
 */
export type TrainPath = 'tfjs' | 'typed arrays' | 'webgpu (fused)';

/** What the worker and scripts need of a running meta-training, whichever path runs it. */
export interface Trainer {
  readonly config: TrainConfig;
  readonly iteration: number;
  readonly path: TrainPath;
  /** The current meta-parameters as tensors, owned by the trainer: valid until its next step or dispose. */
  readonly params: Params;
  step(): Promise<StepOutcome>;
  /** Hands the current parameters to the caller, who then owns (and disposes) them; the trainer keeps none. */
  takeParams(): Params;
  dispose(): void;
}


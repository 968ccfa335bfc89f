/**
 * The "Inside the update" checkpoints (public/checkpoints/update/{shallow,deep,kfo}.json and logistic-*.json, made by
 * scripts/pretrain-update.ts): a linear model's meta-parameters, how they were trained, the validation curve
 * of the loss after one inner step against meta-training iterations, and the test evaluation. Validated on load
 * like the MLP checkpoints: own properties only, finite numbers, the right length for the model, a size cap;
 * unknown fields are dropped.
 */
import type { UpdateFamily } from './tasks/update';

export const UPDATE_CHECKPOINT_FORMAT = 'maml-playground/update-v1';
export const UPDATE_MODEL_KINDS = ['shallow', 'deep', 'kfo'] as const;
export type UpdateModelId = (typeof UPDATE_MODEL_KINDS)[number];

/** Parameter counts: shallow theta (2); deep W1 (2x2), W2 (2x2), W3 (1x2); KFO theta, L (1x1), R (2x2). */
export const UPDATE_META_SIZE: Record<UpdateModelId, number> = { shallow: 2, deep: 10, kfo: 7 };

export interface StepSummary {
  step: number;
  mean: number;
  ci95: number;
  median: number;
}

/** Linear regression (squared error) or binary logistic regression (cross-entropy). */
export const UPDATE_TASK_KINDS = ['regression', 'logistic'] as const;
export type UpdateTaskKind = (typeof UPDATE_TASK_KINDS)[number];

export interface UpdateCheckpoint {
  format: typeof UPDATE_CHECKPOINT_FORMAT;
  task: UpdateTaskKind;
  model: UpdateModelId;
  meta: number[];
  family: UpdateFamily;
  training: { alpha: number; innerSteps: number; kSupport: number; kQuery: number; metaBatch: number; metaLr: number; iterations: number; seed: number; keptIteration: number };
  /** Mean validation loss after one inner step, every validateEvery iterations (iteration 0: the initialisation). */
  curve: { iteration: number; loss: number }[];
  /** On the test tasks: the population loss before adaptation and after the reported steps. */
  evaluation: { tasks: number; seed: number; steps: StepSummary[] };
}

export class UpdateCheckpointError extends Error {}

const MAX_BYTES = 256 * 1024;
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(o: Record<string, unknown>, k: string, where: string): number {
  const v = own(o, k) ? o[k] : undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UpdateCheckpointError(`${where}.${k} must be a finite number.`);
  return v;
}

function pair(o: Record<string, unknown>, k: string, where: string): [number, number] {
  const v = own(o, k) ? o[k] : undefined;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new UpdateCheckpointError(`${where}.${k} must be two finite numbers.`);
  return [v[0], v[1]];
}

function obj(o: Record<string, unknown>, k: string, where: string): Record<string, unknown> {
  const v = own(o, k) ? o[k] : undefined;
  if (!isObj(v)) throw new UpdateCheckpointError(`${where}.${k} must be an object.`);
  return v;
}

function list(o: Record<string, unknown>, k: string, where: string, max: number): unknown[] {
  const v = own(o, k) ? o[k] : undefined;
  if (!Array.isArray(v) || v.length > max) throw new UpdateCheckpointError(`${where}.${k} must be a list of at most ${max}.`);
  return v;
}

/** Parses and checks a checkpoint's JSON text (or parsed value); throws UpdateCheckpointError with what is wrong. */
export function parseUpdateCheckpoint(input: string | unknown): UpdateCheckpoint {
  if (typeof input === 'string' && input.length > MAX_BYTES) throw new UpdateCheckpointError(`The file is larger than ${MAX_BYTES / 1024} KB.`);
  const raw: unknown = typeof input === 'string' ? JSON.parse(input) : input;
  if (!isObj(raw)) throw new UpdateCheckpointError('A checkpoint is a JSON object.');
  if (raw.format !== UPDATE_CHECKPOINT_FORMAT) throw new UpdateCheckpointError(`Unknown format; expected ${UPDATE_CHECKPOINT_FORMAT}.`);
  const task = own(raw, 'task') ? raw.task : undefined;
  if (typeof task !== 'string' || !(UPDATE_TASK_KINDS as readonly string[]).includes(task)) throw new UpdateCheckpointError(`Unknown task; expected one of ${UPDATE_TASK_KINDS.join(', ')}.`);
  const model = raw.model;
  if (typeof model !== 'string' || !(UPDATE_MODEL_KINDS as readonly string[]).includes(model)) throw new UpdateCheckpointError(`Unknown model; expected one of ${UPDATE_MODEL_KINDS.join(', ')}.`);
  const kind = model as UpdateModelId;
  const meta = list(raw, 'meta', 'checkpoint', 64);
  if (meta.length !== UPDATE_META_SIZE[kind] || !meta.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw new UpdateCheckpointError(`meta must be ${UPDATE_META_SIZE[kind]} finite numbers for the ${kind} model.`);
  const f = obj(raw, 'family', 'checkpoint');
  const family: UpdateFamily = { mean: pair(f, 'mean', 'family'), scales: pair(f, 'scales', 'family'), rotation: num(f, 'rotation', 'family'), inputScales: pair(f, 'inputScales', 'family') };
  const t = obj(raw, 'training', 'checkpoint');
  const training = Object.fromEntries(
    (['alpha', 'innerSteps', 'kSupport', 'kQuery', 'metaBatch', 'metaLr', 'iterations', 'seed', 'keptIteration'] as const).map((k) => [k, num(t, k, 'training')]),
  ) as UpdateCheckpoint['training'];
  const curve = list(raw, 'curve', 'checkpoint', 10000).map((p, i) => {
    if (!isObj(p)) throw new UpdateCheckpointError(`curve[${i}] must be an object.`);
    return { iteration: num(p, 'iteration', `curve[${i}]`), loss: num(p, 'loss', `curve[${i}]`) };
  });
  const e = obj(raw, 'evaluation', 'checkpoint');
  const steps = list(e, 'steps', 'evaluation', 64).map((p, i) => {
    if (!isObj(p)) throw new UpdateCheckpointError(`evaluation.steps[${i}] must be an object.`);
    const w = `evaluation.steps[${i}]`;
    const finiteOrNull = (k: string) => {
      const v = own(p, k) ? p[k] : undefined;
      // JSON has no Infinity: a diverged step is stored as null and read back as Infinity.
      if (v === null) return Infinity;
      return num(p, k, w);
    };
    return { step: num(p, 'step', w), mean: finiteOrNull('mean'), ci95: finiteOrNull('ci95'), median: finiteOrNull('median') };
  });
  return {
    format: UPDATE_CHECKPOINT_FORMAT,
    task: task as UpdateTaskKind,
    model: kind,
    meta: meta as number[],
    family,
    training,
    curve,
    evaluation: { tasks: num(e, 'tasks', 'evaluation'), seed: num(e, 'seed', 'evaluation'), steps },
  };
}

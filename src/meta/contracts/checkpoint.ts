import { ALGORITHM_INFO, isAlgorithmId, type AlgorithmId } from './algorithms';
import { architectureOf, modelShapes } from './architecture';
import { defaultTrainConfig, type ProblemKind, type ProblemShape, type TrainConfig } from './config';
import { classesOf, isProblemKind, PROBLEM_INFO, problemInfo } from './problems';
import type { EvalCurve, ParamArrays } from './types';

export const CHECKPOINT_FORMAT = 'maml-playground/checkpoint';
export const CHECKPOINT_VERSION = 1;

/** A saved set of meta-parameters with everything needed to reproduce and judge it. */
export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  algorithm: AlgorithmId;
  /** The problem (TrainConfig.problem; 'sinusoid' for files from before the plane). */
  task: ProblemKind;
  architecture: { sizes: number[]; activation: 'relu' };
  /** The run's settings and seed; iterations is the number actually done. */
  training: TrainConfig;
  createdAt: string;
  params: Record<string, { shape: number[]; values: number[] }>;
  /** Evaluation curves (MSE at steps 0..10) by K, where one was run. */
  evaluation?: EvalCurve[];
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

function sameShape(a: unknown, b: number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((d, i) => d === b[i]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Settings every checkpoint must have; the others (iMAML's) fall back to the algorithm's defaults. */
const REQUIRED_SETTINGS = ['metaBatch', 'kSupport', 'kQuery', 'innerSteps', 'alpha', 'metaLr', 'iterations', 'seed'] as const;
const OPTIONAL_SETTINGS = ['lambda', 'cgSteps'] as const;

/**
 * Checks an untrusted checkpoint (an uploaded file, a fetched one) and returns it typed, or throws a
 * CheckpointError whose message says what is wrong. Nothing is loaded until this passes. The architecture
 * and parameter set expected are the algorithm's own (the oracle's input, Meta-SGD's learned rates).
 */
export function validateCheckpoint(raw: unknown): Checkpoint {
  if (!isObject(raw)) throw new CheckpointError('The file is not a checkpoint: expected a JSON object.');
  if (raw.format !== CHECKPOINT_FORMAT)
    throw new CheckpointError(`The file is not a MAML Playground checkpoint (format is ${JSON.stringify(raw.format)}).`);
  if (raw.version !== CHECKPOINT_VERSION)
    throw new CheckpointError(`Unsupported checkpoint version ${JSON.stringify(raw.version)}; this app reads version ${CHECKPOINT_VERSION}.`);
  if (!isAlgorithmId(raw.algorithm))
    throw new CheckpointError(`Unknown algorithm ${JSON.stringify(raw.algorithm)}; known: ${Object.keys(ALGORITHM_INFO).join(', ')}.`);
  if (!isProblemKind(raw.task))
    throw new CheckpointError(`Unsupported task ${JSON.stringify(raw.task)}; expected ${Object.keys(PROBLEM_INFO).map((k) => JSON.stringify(k)).join(', ')}.`);
  const algorithm = raw.algorithm;
  const training = raw.training;
  if (!isObject(training)) throw new CheckpointError('The checkpoint has no training settings.');
  const nway = PROBLEM_INFO[raw.task].classes;
  const problem = { problem: raw.task, classes: nway ? training.classes : undefined } as const;
  if (nway) {
    if (training.problem !== raw.task) throw new CheckpointError(`A ${raw.task} checkpoint must say problem "${raw.task}" in its training settings.`);
    if (typeof problem.classes !== 'number' || !Number.isInteger(problem.classes) || problem.classes < nway.min || problem.classes > nway.max)
      throw new CheckpointError(`A ${raw.task} checkpoint needs a whole number of classes from ${nway.min} to ${nway.max} in its training settings.`);
  }
  let spec;
  try {
    spec = architectureOf(algorithm, problem as { problem: ProblemKind; classes?: number });
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
  const arch = raw.architecture;
  if (!isObject(arch) || !sameShape(arch.sizes, spec.sizes))
    throw new CheckpointError(`Architecture mismatch: ${ALGORITHM_INFO[algorithm].label} expects layer sizes ${spec.sizes.join('-')}.`);
  const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  for (const key of REQUIRED_SETTINGS)
    if (!isNumber(training[key])) throw new CheckpointError(`Training setting "${key}" is missing or not a number.`);
  for (const key of OPTIONAL_SETTINGS)
    if (key in training && !isNumber(training[key])) throw new CheckpointError(`Training setting "${key}" is not a number.`);
  if (!isObject(raw.params)) throw new CheckpointError('The checkpoint has no parameters.');
  const shapes = modelShapes(algorithm, problem as { problem: ProblemKind; classes?: number });
  for (const [name, shape] of Object.entries(shapes)) {
    const p = raw.params[name];
    if (!isObject(p)) throw new CheckpointError(`Parameter "${name}" is missing.`);
    if (!sameShape(p.shape, shape))
      throw new CheckpointError(`Parameter "${name}" has shape [${String(p.shape)}], expected [${shape.join(', ')}].`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(p.values) || p.values.length !== size)
      throw new CheckpointError(`Parameter "${name}" should have ${size} values.`);
    // Finite as float32 too: 1e39 is a finite double but loads as Infinity.
    const bad = p.values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(Math.fround(v)));
    if (bad >= 0) throw new CheckpointError(`Parameter "${name}" has a non-finite value at index ${bad}.`);
  }
  const extra = Object.keys(raw.params).filter((n) => !(n in shapes));
  if (extra.length) throw new CheckpointError(`Unexpected parameters: ${extra.join(', ')}.`);
  // Checkpoints from before iMAML have no lambda / cgSteps: they get the defaults, so every model has them.
  const defaults = defaultTrainConfig(algorithm);
  const filled = { ...training } as Record<string, unknown>;
  for (const key of OPTIONAL_SETTINGS) if (!(key in filled)) filled[key] = defaults[key];
  return { ...(raw as unknown as Checkpoint), training: { ...(filled as unknown as TrainConfig), algorithm } };
}

/** Parses checkpoint text (JSON) and validates it. */
export function parseCheckpoint(text: string): Checkpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`The file is not valid JSON (${(e as Error).message}).`);
  }
  return validateCheckpoint(raw);
}

export function checkpointArrays(ckpt: Checkpoint): ParamArrays {
  const out: ParamArrays = {};
  for (const [name, p] of Object.entries(ckpt.params)) out[name] = { shape: p.shape, values: Float32Array.from(p.values) };
  return out;
}

export function makeCheckpoint(
  algorithm: AlgorithmId,
  params: ParamArrays,
  training: TrainConfig,
  evaluation?: EvalCurve[],
): Checkpoint {
  const out: Checkpoint['params'] = {};
  // Nine significant digits bring every float32 back exactly, in about half the text of a double's seventeen.
  for (const [name, p] of Object.entries(params)) out[name] = { shape: p.shape, values: Array.from(p.values, (v) => Number(Math.fround(v).toPrecision(9))) };
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    algorithm,
    task: training.problem ?? 'sinusoid',
    architecture: { sizes: architectureOf(algorithm, training).sizes.slice(), activation: 'relu' },
    training,
    createdAt: new Date().toISOString(),
    params: out,
    ...(evaluation ? { evaluation } : {}),
  };
}

/**
 * Which model a set of parameters belongs to: an algorithm on a problem. Sinusoid models are named by their
 * algorithm alone (as they always were); classifiers by problem and classes too, e.g. "plane-2way/maml".
 */
export type ModelKey = string;

export function modelKey(algorithm: AlgorithmId, problem: ProblemShape = {}): ModelKey {
  const kind = problem.problem ?? 'sinusoid';
  return PROBLEM_INFO[kind].classes === null ? algorithm : `${kind}-${problem.classes}way/${algorithm}`;
}

export function checkpointModelKey(ckpt: Checkpoint): ModelKey {
  return modelKey(ckpt.algorithm, { problem: ckpt.task, classes: ckpt.training.classes });
}

/**
 * Where npm run pretrain writes a problem's checkpoints, relative to public/checkpoints/ ('' for the
 * sinusoid). Glyph models are trained for one K (1-shot) and used for both.
 */
export function checkpointFolder(problem: ProblemShape): string {
  return problemInfo(problem).checkpointFolder(classesOf(problem));
}

/** The file in a classification problem's checkpoint folder that lists the checkpoints shipped there. */
export const CHECKPOINT_INDEX = 'index.json';

export interface CheckpointIndex {
  format: 'maml-playground/checkpoint-index';
  checkpoints: AlgorithmId[];
}

export function checkpointIndex(algorithms: AlgorithmId[]): CheckpointIndex {
  return { format: 'maml-playground/checkpoint-index', checkpoints: [...algorithms] };
}

/** Reads a checkpoint folder's index (JSON text); throws a CheckpointError saying what is wrong. */
export function parseCheckpointIndex(text: string): CheckpointIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`The checkpoint index is not valid JSON (${(e as Error).message}).`);
  }
  if (!isObject(raw) || raw.format !== 'maml-playground/checkpoint-index' || !Array.isArray(raw.checkpoints))
    throw new CheckpointError('The checkpoint index is not one: expected {"format": "maml-playground/checkpoint-index", "checkpoints": [...]}.');
  const bad = raw.checkpoints.filter((id) => !isAlgorithmId(id));
  if (bad.length) throw new CheckpointError(`The checkpoint index names unknown algorithms: ${bad.map((b) => JSON.stringify(b)).join(', ')}.`);
  return checkpointIndex(raw.checkpoints as AlgorithmId[]);
}

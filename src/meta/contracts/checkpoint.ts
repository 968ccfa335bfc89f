import { ALGORITHM_INFO, isAlgorithmId, type AlgorithmId, type TrainSetting } from './algorithms';
import { architectureOf, modelShapes } from './architecture';
import { defaultTrainConfig, TRAIN_BOUNDS, withinBound, type ProblemKind, type ProblemShape, type TrainConfig } from './config';
import { classesOf, isProblemKind, PROBLEM_INFO, problemInfo } from './problems';
import { readProvenance, type Provenance } from './provenance';
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
  /** Where these parameters came from (shipped, trained here, uploaded, a diverged run...): what the page's label says. */
  provenance?: Provenance;
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
 * The largest checkpoint text read (a glyph Meta-SGD model, the largest made here, is about 3 MB): a padded or
 * runaway file is refused before it is parsed.
 */
export const MAX_CHECKPOINT_BYTES = 8 * 1024 * 1024;

/** An own property only: `constructor` or `__proto__` in a file are just unknown names, never inherited values. */
const own = (o: Record<string, unknown>, key: string): unknown => (Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined);

/** A value quoted in a message, cut to a few dozen characters. */
export function quote(v: unknown, max = 40): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** An array of numbers; JSON writes a non-finite mean (a run that diverged) as null, which stays as it is. */
const numberArray = (v: unknown): v is number[] => Array.isArray(v) && v.length <= 1000 && v.every((x) => typeof x === 'number' || x === null);

/** A stored evaluation curve, keeping only the fields the page reads; null when it is not one. */
function cleanCurve(c: unknown): EvalCurve | null {
  if (!isObject(c)) return null;
  const kShot = own(c, 'kShot'), tasks = own(c, 'tasks'), alpha = own(c, 'alpha'), mean = own(c, 'mean'), ci95 = own(c, 'ci95');
  if (typeof kShot !== 'number' || typeof tasks !== 'number' || typeof alpha !== 'number' || !numberArray(mean) || !numberArray(ci95)) return null;
  const out: EvalCurve & { classes?: number; accuracy?: { mean: number[]; ci95: number[]; median?: number[] } } = { kShot, tasks, alpha, mean, ci95 };
  for (const key of ['median', 'blowUp'] as const) {
    const v = own(c, key);
    if (numberArray(v)) out[key] = v;
  }
  const classes = own(c, 'classes'), accuracy = own(c, 'accuracy');
  if (typeof classes === 'number') out.classes = classes;
  if (isObject(accuracy) && numberArray(own(accuracy, 'mean')) && numberArray(own(accuracy, 'ci95'))) {
    out.accuracy = { mean: own(accuracy, 'mean') as number[], ci95: own(accuracy, 'ci95') as number[] };
    // Older files have no accuracy median: the curve is kept without it.
    const med = own(accuracy, 'median');
    if (numberArray(med)) out.accuracy.median = med;
  }
  return out;
}

/**
 * Checks an untrusted checkpoint (an uploaded file, a fetched one) and returns a clean copy, or throws a
 * CheckpointError whose message says what is wrong. Nothing is loaded until this passes. The architecture
 * and parameter set expected are the algorithm's own (the oracle's input, Meta-SGD's learned rates); only own
 * properties are read; every training setting must lie in the range the form allows (TRAIN_BOUNDS); fields
 * the app does not know are dropped, so nothing unknown is kept or exported again.
 */
export function validateCheckpoint(raw: unknown): Checkpoint {
  if (!isObject(raw)) throw new CheckpointError('The file is not a checkpoint: expected a JSON object.');
  if (own(raw, 'format') !== CHECKPOINT_FORMAT)
    throw new CheckpointError(`The file is not a MAML Playground checkpoint (format is ${quote(own(raw, 'format'))}).`);
  if (own(raw, 'version') !== CHECKPOINT_VERSION)
    throw new CheckpointError(`Unsupported checkpoint version ${quote(own(raw, 'version'))}; this app reads version ${CHECKPOINT_VERSION}.`);
  const algorithm = own(raw, 'algorithm');
  if (!isAlgorithmId(algorithm))
    throw new CheckpointError(`Unknown algorithm ${quote(algorithm)}; known: ${Object.keys(ALGORITHM_INFO).join(', ')}.`);
  const task = own(raw, 'task');
  if (!isProblemKind(task))
    throw new CheckpointError(`Unsupported task ${quote(task)}; expected ${Object.keys(PROBLEM_INFO).map((k) => JSON.stringify(k)).join(', ')}.`);
  const training = own(raw, 'training');
  if (!isObject(training)) throw new CheckpointError('The checkpoint has no training settings.');
  const nway = PROBLEM_INFO[task].classes;
  const classes = own(training, 'classes');
  if (nway) {
    if (own(training, 'problem') !== task) throw new CheckpointError(`A ${task} checkpoint must say problem "${task}" in its training settings.`);
    if (typeof classes !== 'number' || !Number.isInteger(classes) || classes < nway.min || classes > nway.max)
      throw new CheckpointError(`A ${task} checkpoint needs a whole number of classes from ${nway.min} to ${nway.max} in its training settings.`);
  }
  const problem: ProblemShape = nway ? { problem: task, classes: classes as number } : {};
  let spec;
  try {
    spec = architectureOf(algorithm, problem);
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
  const arch = own(raw, 'architecture');
  if (!isObject(arch) || !sameShape(own(arch, 'sizes'), spec.sizes))
    throw new CheckpointError(`Architecture mismatch: ${ALGORITHM_INFO[algorithm].label} expects layer sizes ${spec.sizes.join('-')}.`);
  const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  // Checkpoints from before iMAML have no lambda / cgSteps: they get the defaults, so every model has them.
  const defaults = defaultTrainConfig(algorithm);
  const settings = {} as Record<TrainSetting, number>;
  for (const key of [...REQUIRED_SETTINGS, ...OPTIONAL_SETTINGS]) {
    const v = own(training, key);
    const required = (REQUIRED_SETTINGS as readonly string[]).includes(key);
    if (v === undefined && !required) {
      settings[key] = defaults[key];
      continue;
    }
    if (!isNumber(v)) throw new CheckpointError(required ? `Training setting "${key}" is missing or not a number.` : `Training setting "${key}" is not a number.`);
    const bound = key === 'iterations' ? { ...TRAIN_BOUNDS.iterations, min: 0 } : TRAIN_BOUNDS[key];
    if (!withinBound(v, bound))
      throw new CheckpointError(`Training setting "${key}" is ${quote(v)}; expected ${bound.integer ? 'a whole number' : 'a number'} from ${bound.min} to ${bound.max}.`);
    settings[key] = v as number;
  }
  const params = own(raw, 'params');
  if (!isObject(params)) throw new CheckpointError('The checkpoint has no parameters.');
  const shapes = modelShapes(algorithm, problem);
  const cleanParams: Checkpoint['params'] = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const p = own(params, name);
    if (!isObject(p)) throw new CheckpointError(`Parameter "${name}" is missing.`);
    const pShape = own(p, 'shape');
    if (!sameShape(pShape, shape))
      throw new CheckpointError(`Parameter "${name}" has shape [${quote(pShape).replace(/^\[|\]$/g, '')}], expected [${shape.join(', ')}].`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = own(p, 'values');
    if (!Array.isArray(values) || values.length !== size)
      throw new CheckpointError(`Parameter "${name}" should have ${size} values.`);
    // Finite as float32 too: 1e39 is a finite double but loads as Infinity.
    const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(Math.fround(v)));
    if (bad >= 0) throw new CheckpointError(`Parameter "${name}" has a non-finite value at index ${bad}.`);
    cleanParams[name] = { shape: [...shape], values: values as number[] };
  }
  const extra = Object.keys(params).filter((n) => !Object.prototype.hasOwnProperty.call(shapes, n));
  if (extra.length) throw new CheckpointError(`Unexpected parameters: ${quote(extra.join(', '), 60).replace(/^"|"$/g, '')}.`);
  const createdAt = own(raw, 'createdAt');
  const evaluation = own(raw, 'evaluation');
  const curves = Array.isArray(evaluation) ? evaluation.slice(0, 20).map(cleanCurve).filter((c): c is EvalCurve => c !== null) : [];
  // A file's story about its parameters is kept when it is a well-formed one, dropped (not refused) when not.
  const provenance = readProvenance(own(raw, 'provenance'));
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    algorithm,
    task,
    architecture: { sizes: [...spec.sizes], activation: 'relu' },
    training: { ...settings, algorithm, ...(nway ? { problem: task, classes: classes as number } : {}) },
    createdAt: typeof createdAt === 'string' ? createdAt.slice(0, 40) : '',
    params: cleanParams,
    ...(curves.length ? { evaluation: curves } : {}),
    ...(provenance ? { provenance } : {}),
  };
}

/** Parses checkpoint text (JSON) and validates it. */
export function parseCheckpoint(text: string): Checkpoint {
  if (text.length > MAX_CHECKPOINT_BYTES)
    throw new CheckpointError(`The file is ${(text.length / 2 ** 20).toFixed(1)} MB; a checkpoint is at most ${MAX_CHECKPOINT_BYTES / 2 ** 20} MB.`);
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
  provenance?: Provenance,
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
    ...(provenance ? { provenance } : {}),
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

/** The algorithm and problem a model key names (the inverse of modelKey), or null when it names none. */
export function parseModelKey(key: ModelKey): { algorithm: AlgorithmId; problem: ProblemShape } | null {
  const m = /^(?:([a-z]+)-(\d+)way\/)?([a-z0-9]+)$/.exec(key);
  if (!m || !isAlgorithmId(m[3])) return null;
  if (m[1] === undefined) return { algorithm: m[3], problem: {} };
  if (!isProblemKind(m[1]) || PROBLEM_INFO[m[1]].classes === null) return null;
  const problem = { problem: m[1], classes: Number(m[2]) };
  return modelKey(m[3], problem) === key ? { algorithm: m[3], problem } : null;
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

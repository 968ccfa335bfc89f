/**
 * The single source of truth for the page: user-facing settings (serialised to the URL), engine status and
 * results. Panels read from here and write intents here; the controller (src/app/controller.ts) carries
 * intents to the worker and writes its answers back.
 */
import { useDeferredValue } from 'react';
import { createView, viewHook } from './view';
import { createStore } from 'zustand/vanilla';
import { ALGORITHM_IDS, ALGORITHM_INFO, type AlgorithmId } from '../meta/contracts/algorithms';
import { Rng } from '../meta/contracts/random';
import { samplePoints, sampleTask, SINUSOID_RANGES, xGrid, type Point, type SinusoidTask } from '../meta/contracts/tasks/sinusoid';
import { PAPER_CONFIG, type LecturePreset, type ProblemKind, type ProblemShape, type TrainConfig } from '../meta/contracts/config';
import { isClassification, PROBLEM_INFO } from '../meta/contracts/problems';
import type { ClassificationProblem } from '../meta/contracts/tasks/episodes';
import type { ModelKey } from '../meta/contracts/checkpoint';
import { provenanceLabel, type Provenance } from '../meta/contracts/provenance';
import type { Stroke } from '../meta/contracts/tasks/glyphs';
import type { BackendName, TrainProgress, TrainState } from '../worker/protocol';
import {
  clampPlane,
  defaultGlyphs,
  emptyGlyphs,
  defaultPlane,
  glyphsFromGenerator,
  isGeneratorFill,
  MAX_CLASSES,
  MAX_GLYPH_QUERIES,
  MAX_PLANE_POINTS,
  planeFromSeed,
  resizeEpisode,
  type GlyphSettings,
  type PlaneSettings,
} from './classification';
import type { AdaptationCurves, ClassAdaptation, ClassEvalCurve, EvalCurve } from '../meta/contracts/types';
import { fitNumber, getAt, K_CHOICES, MAX_POINTS, MAX_SEED, MAX_STEPS, NUMBER_SETTINGS, POINT_Y_RANGE, SCHEMA, withAt } from './schema';
import { defaultUpdate, optimaFromSeed, type UpdateSettings } from './update';
import { planeDroppedNotice, planePointsFollowTask, pointsFollowTask, sineDroppedNotice, type OffTaskCause } from './pointsFollow';

// The bounds live in the settings schema (schema.ts), with the link's keys and every field's limits.
export { K_CHOICES, MAX_POINTS, MAX_STEPS };
/** Shown when the page opens: the paper's comparison. The others are one click away. */
export const DEFAULT_METHODS: AlgorithmId[] = ['maml', 'fomaml', 'pretrained'];
/** Where curves are drawn, and the held-out points of the user's task loss. */
export const CURVE_GRID = xGrid(201);

export interface Settings {
  /** The true function; null when the points are the user's own with no true task behind them. */
  task: SinusoidTask | null;
  points: Point[];
  /** K: how many points "sample K points" draws, and the K of the averaged evaluation. */
  kShot: number;
  /** Test-time inner steps shown, 0..10. */
  steps: number;
  /** The step whose curve the task panel shows beside the pre-adaptation curve. */
  selectedStep: number;
  /** Test-time inner learning rate. */
  alpha: number;
  methods: AlgorithmId[];
  showTruth: boolean;
  /** Presenter mode: the plot, the loss chart and the training progress on one screen, projector-sized. */
  present: boolean;
  /** The Learn mode's scene (1..LEARN_SCENES), or 0: the playground without a lesson. */
  learn: number;
  /** Seed of the current random task and its sampled points. */
  seed: number;
  /** Live meta-training: algorithm and hyper-parameters (and the problem it trains on). */
  train: TrainConfig;
  /** Which playground is shown: sinusoid regression, or few-shot classification of points or of glyphs. */
  problem: ProblemKind;
  plane: PlaneSettings;
  glyphs: GlyphSettings;
  /** "Inside the update": theta, the tasks drawn and their family. */
  update: UpdateSettings;
}

export type NoticeLevel = 'info' | 'warning' | 'error';
export interface Notice {
  id: number;
  level: NoticeLevel;
  text: string;
  /** What it is about (e.g. 'link', 'diverged'): one notice per cause, replaced by the next, gone with clearCause. */
  cause?: string;
}

export interface LossPoint {
  iteration: number;
  loss: number;
}

export interface EngineStatus {
  worker: 'starting' | 'ready' | 'restarting' | 'failed';
  backend: BackendName | null;
  /** What runs the backend when worth naming, e.g. "software adapter: SwiftShader" (a forced backend); else null. */
  backendAdapter: string | null;
  /** Why each backend before the running one was skipped. */
  fallbacks: string[];
  /**
   * Where each model's current parameters came from (a checkpoint file, live training...), by ModelKey: the
   * algorithm id for its sinusoid model, e.g. "plane-2way/maml" for a classifier.
   */
  sources: Partial<Record<ModelKey, string>>;
  /** Where each model's current parameters came from, typed (sources holds its label: provenanceLabel). */
  provenance: Partial<Record<ModelKey, Provenance>>;
  /** The models this browser keeps across reloads (IndexedDB, src/session/persistence.ts). */
  saved: Partial<Record<ModelKey, true>>;
  trainState: TrainState;
  /** Start was pressed and the worker has not answered yet: the page shows "starting" at once (issue 14). */
  trainStarting: boolean;
  trainMethod: AlgorithmId | null;
  progress: TrainProgress | null;
  lossHistory: LossPoint[];
  /** Which implementation computed the shown adaptation curves ('typed arrays' or 'tfjs (backend)'), in how long. */
  adaptPath: string | null;
  /** How that implementation was chosen, where two could serve (e.g. "fastest by measurement: typed arrays 1.2 ms, tfjs (wasm) 3.4 ms"). */
  adaptPathNote: string | null;
  adaptMs: number | null;
  /**
   * The averaged curves' evaluation in flight: test tasks (episodes) scored of total, over all methods; null when
   * none is (cleared when it answers or fails). The charts show it instead of a bare "computing…" (issue 14).
   */
  evalProgress: { done: number; total: number } | null;
}

export interface Results {
  grid: number[];
  adaptation: Partial<Record<AlgorithmId, AdaptationCurves>>;
  evaluation: Partial<Record<AlgorithmId, EvalCurve>>;
  /** K and alpha the shown evaluation was computed for. */
  evaluationFor: { kShot: number; alpha: number } | null;
  /** The classification playground: each method adapted to the user's labelled examples... */
  classification: ClassResults | null;
  /** ...and averaged over test episodes (accuracy and cross-entropy against steps). */
  classEvaluation: ClassEvaluation | null;
  /** The shipped classifiers' own tables (600 test episodes, from their checkpoint files), by model. */
  classShipped: Partial<Record<ModelKey, ClassEvalCurve[]>>;
}

/** What the classifiers made of the user's examples; `for` says which problem and classes it belongs to. */
export interface ClassResults {
  problem: ClassificationProblem;
  classes: number;
  /** Plane: the grid's side (the queries are planeGrid(gridN)); glyphs: the indices in settings.glyphs.queries classified. */
  gridN: number | null;
  queryIndices: number[];
  /** Glyphs: the drawings to classify these answers are for (settings.glyphs.queries, by identity). */
  queries?: GlyphSettings['queries'];
  results: Partial<Record<AlgorithmId, ClassAdaptation>>;
}

export interface ClassEvaluation {
  problem: ClassificationProblem;
  classes: number;
  kShot: number;
  alpha: number;
  episodes: number;
  results: Partial<Record<AlgorithmId, ClassEvalCurve>>;
}

/** The paper's table reproduced: every method on the paper's 600 test tasks, K = 5, 10, 20. */
export interface Reproduction {
  /** Evaluations stored in the shipped checkpoint files (computed by npm run pretrain, in Node). */
  shipped: Partial<Record<AlgorithmId, EvalCurve[]>>;
  /** Computed in this browser, by K. */
  browser: Partial<Record<number, Partial<Record<AlgorithmId, EvalCurve>>>>;
  running: boolean;
  done: number;
  total: number;
}

export interface PlaygroundState {
  settings: Settings;
  status: EngineStatus;
  results: Results;
  reproduction: Reproduction;
  notices: Notice[];
  /**
   * The sine the user's points left (the store dropped it when a point went off it: the points decide the
   * task), kept so "Back to the sine" can sample from it again; null otherwise. Not in the link.
   */
  leftTask: SinusoidTask | null;
  /** The method a legend entry focuses: every panel dims the others. Not in the link. */
  focusMethod: AlgorithmId | null;

  /** Focuses a method (null: none); focusing the focused one again clears it. */
  setFocusMethod(id: AlgorithmId | null): void;
  // settings intents
  setSettings(patch: Partial<Settings>): void;
  setTrainConfig(patch: Partial<TrainConfig>): void;
  /** Another algorithm to train: its own default settings, keeping the iterations and seed chosen. */
  setTrainAlgorithm(id: AlgorithmId): void;
  /** The shown problem's lecture preset (presetFor): the sinusoid's LECTURE_CONFIG, the glyphs' GLYPH_LIVE_CONFIG. */
  applyLecturePreset(): void;
  newRandomTask(): void;
  /** K points of the true function (or, after the points left it, of that sine again, which comes back). */
  sampleTaskPoints(range?: readonly [number, number]): void;
  /** Forget the true function: the points are the user's own. */
  freeHand(): void;
  addPoint(p: Point): void;
  movePoint(index: number, p: Point): void;
  deletePoint(index: number): void;
  clearPoints(): void;
  /** Removes the last point placed on the shown problem's plot (the sinusoid's or the plane's). */
  undoPoint(): void;
  /** A new task on the tab shown (the sinusoid's, the plane's, a generated glyph episode). */
  newTask(): void;
  /** Clears what the user placed on the tab shown (points, or every drawing). */
  clearAll(): void;
  toggleMethod(id: AlgorithmId): void;

  // classification intents (issue 4)
  /** Shows another playground; the test-time alpha and the training problem follow it. */
  setProblem(problem: ProblemKind): void;
  setPlaneClasses(classes: number): void;
  setActiveClass(label: number): void;
  /** Adds a point of the active class (or of `label`). */
  addPlanePoint(p: { x: number; y: number }, label?: number): void;
  movePlanePoint(index: number, p: { x: number; y: number }): void;
  deletePlanePoint(index: number): void;
  clearPlanePoints(): void;
  newPlaneTask(): void;
  /** K points per class of the seed's task (which comes back if the points had left it). */
  samplePlaneTaskPoints(): void;
  setPlaneKShot(kShot: number): void;
  setGlyphDrawing(label: number, example: number, strokes: Stroke[]): void;
  setGlyphQuery(index: number, strokes: Stroke[]): void;
  addGlyphQuery(): void;
  removeGlyphQuery(index: number): void;
  setGlyphKShot(kShot: number): void;
  /** N characters (2..MAX_CLASSES); the N-way model classifies them. */
  setGlyphClasses(classes: number): void;
  fillGlyphsFromGenerator(): void;
  clearGlyphs(): void;

  // engine and results (written by the controller)
  setStatus(patch: Partial<EngineStatus>): void;
  setSource(model: ModelKey, source: string): void;
  /** A model's provenance, and its label in sources. */
  setProvenance(model: ModelKey, provenance: Provenance): void;
  /** Whether this browser keeps a model across reloads (its label says so). */
  setSaved(model: ModelKey, saved: boolean): void;
  pushProgress(p: TrainProgress): void;
  setAdaptation(a: Partial<Record<AlgorithmId, AdaptationCurves>>): void;
  setEvaluation(e: Partial<Record<AlgorithmId, EvalCurve>>, forSettings: { kShot: number; alpha: number }): void;
  setReproduction(patch: Partial<Reproduction>): void;
  setClassification(r: ClassResults | null): void;
  setClassEvaluation(e: ClassEvaluation | null): void;
  setClassShipped(model: ModelKey, curves: ClassEvalCurve[]): void;
  /** Shows a notice; one with a cause replaces that cause's notice (if its text changed). */
  notify(level: NoticeLevel, text: string, cause?: string): void;
  dismiss(id: number): void;
  /** Removes the notice of a cause, when what it said is no longer so. */
  clearCause(cause: string): void;
}

export const DEFAULT_SEED = 7;

export function taskFromSeed(seed: number, kShot: number): { task: SinusoidTask; points: Point[] } {
  const rng = new Rng(seed);
  const task = sampleTask(rng);
  return { task, points: samplePoints(task, kShot, rng) };
}

export function defaultSettings(): Settings {
  const seed = DEFAULT_SEED;
  const kShot = 5;
  return {
    ...taskFromSeed(seed, kShot),
    kShot,
    steps: MAX_STEPS,
    selectedStep: 1,
    alpha: PAPER_CONFIG.alpha,
    methods: [...DEFAULT_METHODS],
    showTruth: true,
    present: false,
    learn: 0,
    seed,
    train: { ...PAPER_CONFIG, algorithm: 'maml', iterations: 5000 },
    problem: 'sinusoid',
    plane: defaultPlane(),
    glyphs: defaultGlyphs(),
    update: defaultUpdate(),
  };
}

/** A problem's test-time alpha: the paper's for the sinusoid, the evaluation protocol's for the classifiers. */
export function defaultAlpha(problem: ProblemKind): number {
  return PROBLEM_INFO[problem].evaluation.alpha;
}

/** A classification problem's own settings (its tab's state); null for regression. */
export function classSettings(s: Pick<Settings, 'plane' | 'glyphs'>, problem: ProblemKind): PlaneSettings | GlyphSettings | null {
  return isClassification(problem) ? s[problem as ClassificationProblem] : null;
}

/** The shown problem's lecture preset, if it has one for the classes on its tab (a 5-way preset on a 3-way tab is not offered). */
export function presetFor(s: Pick<Settings, 'problem' | 'plane' | 'glyphs'>): LecturePreset | null {
  const preset = PROBLEM_INFO[s.problem].lecturePreset;
  const classes = classSettings(s, s.problem)?.classes;
  return preset && (preset.config.classes === undefined || preset.config.classes === classes) ? preset : null;
}

/** The problem (and classes) the page shows: what its models are keyed by (modelKey). */
export function viewShape(s: Pick<Settings, 'problem' | 'plane' | 'glyphs'>): ProblemShape {
  const own = classSettings(s, s.problem);
  return own ? { problem: s.problem, classes: own.classes } : {};
}

/** Whether a method exists for a problem: the oracle is told the task's parameters, which only some problems have. */
export const appliesTo = (id: AlgorithmId, problem: ProblemKind) => ALGORITHM_INFO[id].input !== 'x+task' || PROBLEM_INFO[problem].oracle;

/** An algorithm's default training run on a problem (classes: the playground's). */
export function trainConfigFor(algorithm: AlgorithmId, problem: ProblemKind, s: Pick<Settings, 'plane' | 'glyphs'>): TrainConfig {
  return PROBLEM_INFO[problem].trainConfig(algorithm, classSettings(s, problem)?.classes ?? 1);
}

/** A training run on `problem` follows the number of classes on its tab; a run on another problem does not. */
const trainWithClasses = (train: TrainConfig, problem: ProblemKind, classes: number): TrainConfig => (train.problem === problem ? { ...train, classes } : train);

const clampX = (x: number) => Math.min(SINUSOID_RANGES.x[1], Math.max(SINUSOID_RANGES.x[0], x));
/** y as far as the link carries it (the plot shows far less). */
const clampY = (y: number) => Math.min(POINT_Y_RANGE[1], Math.max(POINT_Y_RANGE[0], y));
/** The next seed, back to 1 after the largest a link holds. */
const nextSeed = (seed: number) => (seed < MAX_SEED ? seed + 1 : 1);

/**
 * The schema's numbers that `touched` names, kept within the bounds the link and the fields use: rounded where
 * they are whole numbers and clamped. One that cannot be (not a finite number, not one of its choices) keeps
 * the value it had, with a notice.
 */
function fitSettings(next: Settings, prev: Settings, touched: (path: string) => boolean, warn: (text: string) => void): Settings {
  let out = next;
  for (const setting of NUMBER_SETTINGS) {
    if (!touched(setting.path)) continue;
    const v = getAt(out, setting.path);
    const fitted = fitNumber(setting, v);
    if (fitted === null) {
      const kept = getAt(prev, setting.path);
      out = withAt(out, setting.path, kept);
      warn(`${setting.label} takes ${setting.expected}, not ${String(v)}: kept ${String(kept)}.`);
    } else if (fitted !== v) out = withAt(out, setting.path, fitted);
  }
  return out;
}

/**
 * The points decide the task (pointsFollow.ts): settings whose sine (or plane task) the points no longer follow
 * lose it, with a notice saying why. `leftTask` is the sine dropped, if any.
 */
function followedTask(settings: Settings, cause: OffTaskCause, notify: (text: string) => void): { settings: Settings; leftTask: SinusoidTask | null } {
  const task = settings.task;
  if (!task || pointsFollowTask(task, settings.points)) return { settings, leftTask: null };
  notify(sineDroppedNotice(cause));
  return { settings: { ...settings, task: null }, leftTask: task };
}

function followedPlane(settings: Settings, cause: OffTaskCause, notify: (text: string) => void): Settings {
  const p = settings.plane;
  if (!p.task || planePointsFollowTask(p.task, p.points)) return settings;
  notify(planeDroppedNotice(cause));
  return { ...settings, plane: { ...p, task: null } };
}

/** Once a true task is back, the notices that said it was dropped are no longer so. */
const OFF_TASK_CAUSES: OffTaskCause[] = ['add', 'move', 'link'];
const SINE_DROPPED = new Set(OFF_TASK_CAUSES.map(sineDroppedNotice));
const PLANE_DROPPED = new Set(OFF_TASK_CAUSES.map(planeDroppedNotice));
const withoutNotices = (notices: Notice[], texts: Set<string>) => (notices.some((n) => texts.has(n.text)) ? notices.filter((n) => !texts.has(n.text)) : notices);

let noticeId = 0;

export function initialStatus(): EngineStatus {
  return {
    worker: 'starting',
    backend: null,
    backendAdapter: null,
    fallbacks: [],
    sources: {},
    provenance: {},
    saved: {},
    trainState: 'idle',
    trainStarting: false,
    trainMethod: null,
    progress: null,
    evalProgress: null,
    lossHistory: [],
    adaptPath: null,
    adaptPathNote: null,
    adaptMs: null,
  };
}

/** Loss history kept for the training chart; older points are thinned so memory stays flat. */
const HISTORY_LIMIT = 2000;

export function appendHistory(history: LossPoint[], p: LossPoint): LossPoint[] {
  const next = [...history, p];
  if (next.length <= HISTORY_LIMIT) return next;
  return next.filter((_, i) => i % 2 === 0 || i === next.length - 1);
}

/** The tab-specific edits behind the generic intents (keys, menus): one entry per problem. */
const PROBLEM_EDITS: Record<ProblemKind, { newTask(s: PlaygroundState): void; clear(s: PlaygroundState): void; undo(s: PlaygroundState): void }> = {
  sinusoid: {
    newTask: (s) => s.newRandomTask(),
    clear: (s) => s.clearPoints(),
    undo: (s) => s.settings.points.length > 0 && s.deletePoint(s.settings.points.length - 1),
  },
  plane: {
    newTask: (s) => s.newPlaneTask(),
    clear: (s) => s.clearPlanePoints(),
    undo: (s) => s.settings.plane.points.length > 0 && s.deletePlanePoint(s.settings.plane.points.length - 1),
  },
  // Drawings are strokes, not points: nothing to undo point by point.
  glyphs: { newTask: (s) => s.fillGlyphsFromGenerator(), clear: (s) => s.clearGlyphs(), undo: () => undefined },
  // New tasks: optima drawn from the family; clear: theta and the tasks back to the defaults.
  update: {
    newTask: (s) => {
      const u = s.settings.update;
      const seed = nextSeed(u.seed);
      s.setSettings({ update: { ...u, seed, optima: optimaFromSeed(u, seed, u.optima.length || undefined) } });
    },
    clear: (s) => s.setSettings({ update: defaultUpdate() }),
    undo: () => undefined,
  },
};

const playgroundStore = createStore<PlaygroundState>()((set, get) => ({
  settings: defaultSettings(),
  status: initialStatus(),
  results: { grid: CURVE_GRID, adaptation: {}, evaluation: {}, evaluationFor: null, classification: null, classEvaluation: null, classShipped: {} },
  reproduction: { shipped: {}, browser: {}, running: false, done: 0, total: 0 },
  notices: [],
  leftTask: null,
  focusMethod: null,

  setFocusMethod: (id) => set((s) => ({ focusMethod: id === s.focusMethod ? null : id })),
  setSettings: (patch) =>
    set((s) => {
      const top = (path: string) => path.split('.')[0] in patch;
      let settings = fitSettings({ ...s.settings, ...patch }, s.settings, top, (text) => get().notify('warning', text));
      settings.selectedStep = Math.min(settings.steps, settings.selectedStep);
      // Points given with a task (a link) decide it: a task they do not follow is dropped.
      const info = (text: string) => get().notify('info', text);
      let leftTask = s.leftTask;
      if ('task' in patch || 'points' in patch) ({ settings, leftTask } = followedTask(settings, 'link', info));
      if ('plane' in patch) settings = followedPlane(settings, 'link', info);
      return { settings, leftTask };
    }),
  setTrainConfig: (patch) =>
    set((s) => {
      const named = (path: string) => path.startsWith('train.') && path.slice('train.'.length) in patch;
      const next = { ...s.settings, train: { ...s.settings.train, ...patch } };
      return { settings: fitSettings(next, s.settings, named, (text) => get().notify('warning', text)) };
    }),
  applyLecturePreset: () =>
    set((s) => {
      const preset = presetFor(s.settings);
      return preset ? { settings: { ...s.settings, train: { ...preset.config } } } : {};
    }),
  setTrainAlgorithm: (id) =>
    set((s) => {
      const { iterations, seed, problem } = s.settings.train;
      return { settings: { ...s.settings, train: { ...trainConfigFor(id, problem ?? 'sinusoid', s.settings), iterations, seed } } };
    }),
  newRandomTask: () =>
    set((s) => {
      const seed = nextSeed(s.settings.seed);
      return { settings: { ...s.settings, seed, ...taskFromSeed(seed, s.settings.kShot) }, leftTask: null, notices: withoutNotices(s.notices, SINE_DROPPED) };
    }),
  sampleTaskPoints: (range) =>
    set((s) => {
      // After the points left the sine, it comes back with points of its own.
      const task = s.settings.task ?? s.leftTask;
      if (!task) return {};
      // A fresh draw each time, still reproducible from the URL because the points themselves are serialised.
      const rng = new Rng(s.settings.seed * 7919 + s.settings.points.length + Date.now() % 100000);
      const notices = withoutNotices(s.notices, SINE_DROPPED);
      return { settings: { ...s.settings, task, points: samplePoints(task, s.settings.kShot, rng, range) }, leftTask: null, notices };
    }),
  freeHand: () => set((s) => ({ settings: { ...s.settings, task: null }, leftTask: null })),
  addPoint: (p) =>
    set((s) => {
      if (s.settings.points.length >= MAX_POINTS) {
        get().notify('warning', `At most ${MAX_POINTS} support points.`);
        return {};
      }
      const settings = { ...s.settings, points: [...s.settings.points, { x: clampX(p.x), y: clampY(p.y) }] };
      const out = followedTask(settings, 'add', (text) => get().notify('info', text));
      return out.leftTask ? out : { settings: out.settings };
    }),
  movePoint: (index, p) =>
    set((s) => {
      const settings = { ...s.settings, points: s.settings.points.map((q, i) => (i === index ? { x: clampX(p.x), y: clampY(p.y) } : q)) };
      const out = followedTask(settings, 'move', (text) => get().notify('info', text));
      return out.leftTask ? out : { settings: out.settings };
    }),
  deletePoint: (index) => set((s) => ({ settings: { ...s.settings, points: s.settings.points.filter((_, i) => i !== index) } })),
  clearPoints: () => set((s) => ({ settings: { ...s.settings, points: [] } })),
  undoPoint: () => PROBLEM_EDITS[get().settings.problem].undo(get()),
  newTask: () => PROBLEM_EDITS[get().settings.problem].newTask(get()),
  clearAll: () => PROBLEM_EDITS[get().settings.problem].clear(get()),
  toggleMethod: (id) =>
    set((s) => {
      const on = s.settings.methods.includes(id);
      const methods = on ? s.settings.methods.filter((m) => m !== id) : ALGORITHM_IDS.filter((m) => m === id || s.settings.methods.includes(m));
      return { settings: { ...s.settings, methods }, focusMethod: on && s.focusMethod === id ? null : s.focusMethod };
    }),

  setProblem: (problem) =>
    set((s) => {
      if (problem === s.settings.problem) return {};
      const algorithm = appliesTo(s.settings.train.algorithm, problem) ? s.settings.train.algorithm : 'maml';
      const train = { ...trainConfigFor(algorithm, problem, s.settings), seed: s.settings.train.seed };
      return { settings: { ...s.settings, problem, alpha: defaultAlpha(problem), train } };
    }),
  setPlaneClasses: (classes) =>
    set((s) => {
      const { min, max } = SCHEMA['plane.classes'];
      if (!Number.isInteger(classes) || classes < min || classes > max) {
        get().notify('warning', `A plane task has ${min} to ${max} classes, not ${classes}.`);
        return {};
      }
      const p = s.settings.plane;
      // A new task of that many classes, with fresh points (the old labels may not exist any more).
      const plane = { ...p, classes, activeClass: Math.min(p.activeClass, classes - 1), ...planeFromSeed(p.seed, classes, p.kShot) };
      const train = trainWithClasses(s.settings.train, 'plane', classes);
      return { settings: { ...s.settings, plane, train } };
    }),
  setActiveClass: (label) =>
    set((s) => {
      const p = s.settings.plane;
      if (!Number.isInteger(label) || label < 0 || label >= p.classes) {
        get().notify('warning', `Class ${label + 1} does not exist: this task has ${p.classes} classes.`);
        return {};
      }
      return { settings: { ...s.settings, plane: { ...p, activeClass: label } } };
    }),
  addPlanePoint: (pt, label) =>
    set((s) => {
      const p = s.settings.plane;
      const c = label ?? p.activeClass;
      if (p.points.length >= MAX_PLANE_POINTS) {
        get().notify('warning', `At most ${MAX_PLANE_POINTS} points.`);
        return {};
      }
      if (!Number.isInteger(c) || c < 0 || c >= p.classes) {
        get().notify('warning', `Class ${c + 1} does not exist: this task has ${p.classes} classes.`);
        return {};
      }
      const settings = { ...s.settings, plane: { ...p, points: [...p.points, { x: clampPlane(pt.x), y: clampPlane(pt.y), label: c }] } };
      return { settings: followedPlane(settings, 'add', (text) => get().notify('info', text)) };
    }),
  movePlanePoint: (index, pt) =>
    set((s) => {
      const p = s.settings.plane;
      const points = p.points.map((q, i) => (i === index ? { ...q, x: clampPlane(pt.x), y: clampPlane(pt.y) } : q));
      return { settings: followedPlane({ ...s.settings, plane: { ...p, points } }, 'move', (text) => get().notify('info', text)) };
    }),
  deletePlanePoint: (index) =>
    set((s) => ({ settings: { ...s.settings, plane: { ...s.settings.plane, points: s.settings.plane.points.filter((_, i) => i !== index) } } })),
  clearPlanePoints: () => set((s) => ({ settings: { ...s.settings, plane: { ...s.settings.plane, points: [] } } })),
  newPlaneTask: () =>
    set((s) => {
      const p = s.settings.plane;
      const seed = nextSeed(p.seed);
      return { settings: { ...s.settings, plane: { ...p, seed, ...planeFromSeed(seed, p.classes, p.kShot) } }, notices: withoutNotices(s.notices, PLANE_DROPPED) };
    }),
  samplePlaneTaskPoints: () =>
    set((s) => {
      const p = s.settings.plane;
      // The seed's task, with its points: after the points left the task, this brings it back.
      return { settings: { ...s.settings, plane: { ...p, ...planeFromSeed(p.seed, p.classes, p.kShot) } }, notices: withoutNotices(s.notices, PLANE_DROPPED) };
    }),
  setPlaneKShot: (kShot) =>
    set((s) => {
      const p = s.settings.plane;
      if (fitNumber(SCHEMA['plane.kShot'], kShot) !== kShot) return {};
      return { settings: { ...s.settings, plane: { ...p, kShot, ...(p.task ? { points: planeFromSeed(p.seed, p.classes, kShot).points } : {}) } } };
    }),
  setGlyphDrawing: (label, example, strokes) =>
    set((s) => {
      const g = s.settings.glyphs;
      if (!g.support[label] || example < 0 || example >= g.kShot) return {};
      const support = g.support.map((ex, c) => (c === label ? ex.map((d, k) => (k === example ? strokes : d)) : ex));
      return { settings: { ...s.settings, glyphs: { ...g, support } } };
    }),
  setGlyphQuery: (index, strokes) =>
    set((s) => {
      const g = s.settings.glyphs;
      if (index < 0 || index >= g.queries.length) return {};
      // A redrawn query is the user's own: its class is no longer known.
      const queries = g.queries.map((q, i) => (i === index ? { strokes, label: null } : q));
      return { settings: { ...s.settings, glyphs: { ...g, queries } } };
    }),
  addGlyphQuery: () =>
    set((s) => {
      const g = s.settings.glyphs;
      if (g.queries.length >= MAX_GLYPH_QUERIES) {
        get().notify('warning', `At most ${MAX_GLYPH_QUERIES} drawings to classify.`);
        return {};
      }
      return { settings: { ...s.settings, glyphs: { ...g, queries: [...g.queries, { strokes: [], label: null }] } } };
    }),
  removeGlyphQuery: (index) =>
    set((s) => ({ settings: { ...s.settings, glyphs: { ...s.settings.glyphs, queries: s.settings.glyphs.queries.filter((_, i) => i !== index) } } })),
  setGlyphClasses: (classes) =>
    set((s) => {
      const g = s.settings.glyphs;
      const { min, max } = SCHEMA['glyphs.classes'];
      if (!Number.isInteger(classes) || classes < min || classes > max) {
        get().notify('warning', `The glyph playground tells ${min} to ${max} characters apart, not ${classes}: the networks have at most ${MAX_CLASSES} outputs.`);
        return {};
      }
      const fill = g.seed > 0 && isGeneratorFill(g);
      const glyphs = fill
        ? { ...glyphsFromGenerator(g.seed, classes, g.kShot) }
        : { ...g, classes, support: resizeEpisode(g.support, classes, g.kShot) };
      const train = trainWithClasses(s.settings.train, 'glyphs', classes);
      return { settings: { ...s.settings, glyphs, train } };
    }),
  setGlyphKShot: (kShot) =>
    set((s) => {
      const g = s.settings.glyphs;
      if (!SCHEMA['glyphs.kShot'].choices!.includes(kShot)) {
        get().notify('warning', `Glyph episodes are ${SCHEMA['glyphs.kShot'].choices!.map((k) => `${k}-shot`).join(' or ')}, not ${kShot}-shot.`);
        return {};
      }
      // An episode the generator filled and nobody redrew is filled again at the new K (same characters);
      // anything the user drew stays as it is.
      if (g.seed > 0 && isGeneratorFill(g)) return { settings: { ...s.settings, glyphs: { ...glyphsFromGenerator(g.seed, g.classes, kShot), queries: g.queries } } };
      return { settings: { ...s.settings, glyphs: { ...g, kShot, support: resizeEpisode(g.support, g.classes, kShot) } } };
    }),
  fillGlyphsFromGenerator: () =>
    set((s) => {
      const g = s.settings.glyphs;
      return { settings: { ...s.settings, glyphs: glyphsFromGenerator(nextSeed(g.seed), g.classes, g.kShot) } };
    }),
  clearGlyphs: () =>
    set((s) => {
      const g = s.settings.glyphs;
      return { settings: { ...s.settings, glyphs: { ...emptyGlyphs(), classes: g.classes, kShot: g.kShot, support: resizeEpisode([], g.classes, g.kShot), seed: g.seed } } };
    }),

  setStatus: (patch) => set((s) => ({ status: { ...s.status, ...patch } })),
  setSource: (method, source) => set((s) => ({ status: { ...s.status, sources: { ...s.status.sources, [method]: source } } })),
  setProvenance: (model, provenance) =>
    set((s) => {
      const source = provenanceLabel(provenance, { saved: s.status.saved[model] });
      return { status: { ...s.status, provenance: { ...s.status.provenance, [model]: provenance }, sources: { ...s.status.sources, [model]: source } } };
    }),
  setSaved: (model, saved) =>
    set((s) => {
      if (!!s.status.saved[model] === saved) return {};
      const next = { ...s.status.saved };
      if (saved) next[model] = true;
      else delete next[model];
      const prov = s.status.provenance[model];
      const sources = prov ? { ...s.status.sources, [model]: provenanceLabel(prov, { saved }) } : s.status.sources;
      return { status: { ...s.status, saved: next, sources } };
    }),
  pushProgress: (p) =>
    set((s) => ({
      status: { ...s.status, progress: p, lossHistory: appendHistory(s.status.lossHistory, { iteration: p.iteration, loss: p.metaLoss }) },
    })),
  setAdaptation: (adaptation) => set((s) => ({ results: { ...s.results, adaptation } })),
  setEvaluation: (evaluation, evaluationFor) => set((s) => ({ results: { ...s.results, evaluation, evaluationFor } })),
  setReproduction: (patch) => set((s) => ({ reproduction: { ...s.reproduction, ...patch } })),
  setClassification: (classification) => set((s) => ({ results: { ...s.results, classification } })),
  setClassEvaluation: (classEvaluation) => set((s) => ({ results: { ...s.results, classEvaluation } })),
  setClassShipped: (model, curves) => set((s) => ({ results: { ...s.results, classShipped: { ...s.results.classShipped, [model]: curves } } })),
  notify: (level, text, cause) =>
    set((s) => {
      // A message already on screen is not shown twice.
      if (s.notices.some((n) => n.text === text && n.level === level && n.cause === cause)) return {};
      if (cause === undefined && s.notices.some((n) => n.text === text)) return {};
      const others = cause === undefined ? s.notices : s.notices.filter((n) => n.cause !== cause);
      return { notices: [...others, { id: ++noticeId, level, text, ...(cause === undefined ? {} : { cause }) }].slice(-5) };
    }),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  clearCause: (cause) => set((s) => (s.notices.some((n) => n.cause === cause) ? { notices: s.notices.filter((n) => n.cause !== cause) } : {})),
}));
/** What the panels render of the page's store (src/state/view.ts): the session holds it for a clicked point's curves. */
export const playgroundView = createView(playgroundStore);

/** The page's store: usePlayground(selector) in components (reading playgroundView), and zustand's API (getState, setState, subscribe). */
export const usePlayground = Object.assign(viewHook(playgroundStore, playgroundView), playgroundStore);


/**
 * The adaptation results for everything but the curves themselves (the loss chart, tables, text, warnings): a
 * deferred copy. A click's answer redraws the curves in the urgent render; these follow in a render React may
 * interrupt and yields from, so they never hold back the frame that shows the new curves (issue 17, target 6).
 */
export function useDeferredAdaptation(): PlaygroundState['results']['adaptation'] {
  return useDeferredValue(usePlayground((s) => s.results.adaptation));
}

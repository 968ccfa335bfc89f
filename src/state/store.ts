/**
 * The single source of truth for the page: user-facing settings (serialised to the URL), engine status and
 * results. Panels read from here and write intents here; the controller (src/app/controller.ts) carries
 * intents to the worker and writes its answers back.
 */
import { create } from 'zustand';
import type { AdaptationCurves } from '../meta/adaptation';
import { ALGORITHM_IDS, type AlgorithmId } from '../meta/algorithms/catalog';
import type { EvalCurve } from '../meta/evaluate';
import { Rng } from '../meta/random';
import { samplePoints, sampleTask, SINUSOID_RANGES, xGrid, type Point, type SinusoidTask } from '../meta/tasks/sinusoid';
import { defaultTrainConfig, LECTURE_CONFIG, PAPER_CONFIG, type TrainConfig } from '../meta/config';
import type { BackendName, TrainProgress, TrainState } from '../worker/protocol';

export const MAX_STEPS = 10;
export const MAX_POINTS = 50;
export const K_CHOICES = [5, 10, 20] as const;
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
  /** Seed of the current random task and its sampled points. */
  seed: number;
  /** Live meta-training: algorithm and hyper-parameters. */
  train: TrainConfig;
}

export type NoticeLevel = 'info' | 'warning' | 'error';
export interface Notice {
  id: number;
  level: NoticeLevel;
  text: string;
}

export interface LossPoint {
  iteration: number;
  loss: number;
}

export interface EngineStatus {
  worker: 'starting' | 'ready' | 'restarting' | 'failed';
  backend: BackendName | null;
  /** Why each backend before the running one was skipped. */
  fallbacks: string[];
  /** Where each method's current parameters came from (a checkpoint file, live training...). */
  sources: Partial<Record<AlgorithmId, string>>;
  trainState: TrainState;
  trainMethod: AlgorithmId | null;
  progress: TrainProgress | null;
  lossHistory: LossPoint[];
  /** Which implementation computed the shown adaptation curves ('typed arrays' or 'tfjs (backend)'), in how long. */
  adaptPath: string | null;
  adaptMs: number | null;
}

export interface Results {
  grid: number[];
  adaptation: Partial<Record<AlgorithmId, AdaptationCurves>>;
  evaluation: Partial<Record<AlgorithmId, EvalCurve>>;
  /** K and alpha the shown evaluation was computed for. */
  evaluationFor: { kShot: number; alpha: number } | null;
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

  // settings intents
  setSettings(patch: Partial<Settings>): void;
  setTrainConfig(patch: Partial<TrainConfig>): void;
  /** Another algorithm to train: its own default settings, keeping the iterations and seed chosen. */
  setTrainAlgorithm(id: AlgorithmId): void;
  /** MAML with the lecture preset's settings (LECTURE_CONFIG): the paper's 5-shot number in about 25 s here. */
  applyLecturePreset(): void;
  newRandomTask(): void;
  sampleTaskPoints(range?: readonly [number, number]): void;
  /** Forget the true function: the points are the user's own. */
  freeHand(): void;
  addPoint(p: Point): void;
  movePoint(index: number, p: Point): void;
  deletePoint(index: number): void;
  clearPoints(): void;
  toggleMethod(id: AlgorithmId): void;

  // engine and results (written by the controller)
  setStatus(patch: Partial<EngineStatus>): void;
  setSource(method: AlgorithmId, source: string): void;
  pushProgress(p: TrainProgress): void;
  setAdaptation(a: Partial<Record<AlgorithmId, AdaptationCurves>>): void;
  setEvaluation(e: Partial<Record<AlgorithmId, EvalCurve>>, forSettings: { kShot: number; alpha: number }): void;
  setReproduction(patch: Partial<Reproduction>): void;
  notify(level: NoticeLevel, text: string): void;
  dismiss(id: number): void;
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
    seed,
    train: { ...PAPER_CONFIG, algorithm: 'maml', iterations: 5000 },
  };
}

const clampX = (x: number) => Math.min(SINUSOID_RANGES.x[1], Math.max(SINUSOID_RANGES.x[0], x));

let noticeId = 0;

export function initialStatus(): EngineStatus {
  return {
    worker: 'starting',
    backend: null,
    fallbacks: [],
    sources: {},
    trainState: 'idle',
    trainMethod: null,
    progress: null,
    lossHistory: [],
    adaptPath: null,
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

export const usePlayground = create<PlaygroundState>()((set, get) => ({
  settings: defaultSettings(),
  status: initialStatus(),
  results: { grid: CURVE_GRID, adaptation: {}, evaluation: {}, evaluationFor: null },
  reproduction: { shipped: {}, browser: {}, running: false, done: 0, total: 0 },
  notices: [],

  setSettings: (patch) =>
    set((s) => {
      const settings = { ...s.settings, ...patch };
      settings.steps = Math.max(0, Math.min(MAX_STEPS, Math.round(settings.steps)));
      settings.selectedStep = Math.max(0, Math.min(settings.steps, Math.round(settings.selectedStep)));
      return { settings };
    }),
  setTrainConfig: (patch) => set((s) => ({ settings: { ...s.settings, train: { ...s.settings.train, ...patch } } })),
  applyLecturePreset: () => set((s) => ({ settings: { ...s.settings, train: { ...LECTURE_CONFIG } } })),
  setTrainAlgorithm: (id) =>
    set((s) => {
      const { iterations, seed } = s.settings.train;
      return { settings: { ...s.settings, train: { ...defaultTrainConfig(id), iterations, seed } } };
    }),
  newRandomTask: () =>
    set((s) => {
      const seed = s.settings.seed + 1;
      return { settings: { ...s.settings, seed, ...taskFromSeed(seed, s.settings.kShot) } };
    }),
  sampleTaskPoints: (range) =>
    set((s) => {
      const task = s.settings.task;
      if (!task) return {};
      // A fresh draw each time, still reproducible from the URL because the points themselves are serialised.
      const rng = new Rng(s.settings.seed * 7919 + s.settings.points.length + Date.now() % 100000);
      return { settings: { ...s.settings, points: samplePoints(task, s.settings.kShot, rng, range) } };
    }),
  freeHand: () => set((s) => ({ settings: { ...s.settings, task: null } })),
  addPoint: (p) =>
    set((s) => {
      if (s.settings.points.length >= MAX_POINTS) {
        get().notify('warning', `At most ${MAX_POINTS} support points.`);
        return {};
      }
      return { settings: { ...s.settings, points: [...s.settings.points, { x: clampX(p.x), y: p.y }] } };
    }),
  movePoint: (index, p) =>
    set((s) => ({
      settings: { ...s.settings, points: s.settings.points.map((q, i) => (i === index ? { x: clampX(p.x), y: p.y } : q)) },
    })),
  deletePoint: (index) => set((s) => ({ settings: { ...s.settings, points: s.settings.points.filter((_, i) => i !== index) } })),
  clearPoints: () => set((s) => ({ settings: { ...s.settings, points: [] } })),
  toggleMethod: (id) =>
    set((s) => {
      const on = s.settings.methods.includes(id);
      const methods = on ? s.settings.methods.filter((m) => m !== id) : ALGORITHM_IDS.filter((m) => m === id || s.settings.methods.includes(m));
      return { settings: { ...s.settings, methods } };
    }),

  setStatus: (patch) => set((s) => ({ status: { ...s.status, ...patch } })),
  setSource: (method, source) => set((s) => ({ status: { ...s.status, sources: { ...s.status.sources, [method]: source } } })),
  pushProgress: (p) =>
    set((s) => ({
      status: { ...s.status, progress: p, lossHistory: appendHistory(s.status.lossHistory, { iteration: p.iteration, loss: p.metaLoss }) },
    })),
  setAdaptation: (adaptation) => set((s) => ({ results: { ...s.results, adaptation } })),
  setEvaluation: (evaluation, evaluationFor) => set((s) => ({ results: { ...s.results, evaluation, evaluationFor } })),
  setReproduction: (patch) => set((s) => ({ reproduction: { ...s.reproduction, ...patch } })),
  notify: (level, text) =>
    set((s) => {
      // A message already on screen is not shown twice.
      if (s.notices.some((n) => n.text === text)) return {};
      return { notices: [...s.notices, { id: ++noticeId, level, text }].slice(-5) };
    }),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
}));

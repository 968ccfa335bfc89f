/**
 * What the playground knows about each problem, without tfjs, in the spirit of ALGORITHM_INFO: how its tasks
 * are drawn, its network, its loss, its test protocol and default training, where its checkpoints live, what
 * its link carries and which panels show it. Code that differs by problem reads it from here instead of
 * comparing problem names, so adding a problem is its id in PROBLEM_IDS (config.ts), one entry below, its task
 * file in tasks/ and its panels (registered in src/app/problemViews.tsx).
 */
import type { AlgorithmId } from './algorithms';
import { GLYPH_EVAL, GLYPH_LIVE, PLANE_LIVE, glyphTrainConfig, PAPER_EVAL, SINUSOID_LECTURE, type LecturePreset, PLANE_EVAL, planeTrainConfig, defaultTrainConfig, type ProblemKind, type ProblemShape, type TrainConfig } from './config';
import type { Rng } from './random';
import type { Episodes } from './tasks/episodes';
import { drawGlyphEpisodes, GLYPH_SIZE } from './tasks/glyphs';
import { drawPlaneEpisodes, MAX_CLASSES } from './tasks/plane';
import { UPDATE_PROTOCOL } from './tasks/update';
import type { LossKind, MlpSpec } from './types';

/** A test protocol: how many tasks, steps and held-out points, at which alpha and seed. */
export interface EvalProtocol {
  steps: number;
  tasks: number;
  alpha: number;
  queryPoints: number;
  seed: number;
}

export interface ProblemInfo {
  /** The tab's name. */
  label: string;
  /** The tab's one-paragraph introduction: what to do and what to watch. */
  lede: string;
  /** What one task is, for the training form ("2-D classification, 3-way (cross-entropy)"). */
  describe(classes: number): string;
  /** Squared error on y (regression) or cross-entropy on the class (classification). */
  loss: LossKind;
  /** N-way problems: the range of N and the default; null for regression. */
  classes: { min: number; max: number; default: number } | null;
  /** The network for N classes (ignored by regression): a ReLU MLP's layer sizes. */
  mlp(classes: number): MlpSpec;
  /** Whether the oracle baseline (told the task's parameters) exists here. */
  oracle: boolean;
  /** Classification: T N-way episodes with kSupport and kQuery examples of every class. */
  drawEpisodes: ((rng: Rng, tasks: number, classes: number, kSupport: number, kQuery: number) => Episodes) | null;
  /** The test protocol of the shipped tables (600 tasks); its alpha is also the page's default test-time alpha. */
  evaluation: EvalProtocol;
  /** Test tasks behind the page's live averaged curves (fewer than the protocol's, for speed). */
  liveEvalTasks: number;
  /** An algorithm's default training run here (N classes, where it has them). */
  trainConfig(algorithm: AlgorithmId, classes: number): TrainConfig;
  /**
   * Where npm run pretrain writes this problem's checkpoints, relative to public/checkpoints/. Glyph models
   * are trained for one K (1-shot) and used for both.
   */
  checkpointFolder(classes: number): string;
  /**
   * Which kernels serve it beside TF.js: typed arrays (src/meta/fast) for MAML training and for test-time
   * clicks, and the fused WebGPU meta-gradient (src/meta/gpu, squared error on one input).
   */
  typed: { trains: boolean; adapts: boolean; fused: boolean };
  /** Its own parameters in the page's link (besides the shared ones: methods, steps, alpha, training). */
  urlKeys: readonly string[];
  /**
   * The panels that show it (src/app/problemViews.tsx maps main and metrics to components), and which shared
   * ones apply: the MLP training panel, the methods' checkboxes (with their blow-up notes), the paper's table;
   * stacked: main and metrics panels one above the other at every width (side by side on wide screens otherwise).
   */
  view: { main: 'task' | 'plane' | 'glyphs' | 'update'; metrics: 'loss' | 'class' | 'models'; reproduction: boolean; training: boolean; methods: boolean; stacked: boolean };
  /**
   * Where its models run: 'worker' (the MLPs: TF.js or the typed-array kernels behind the worker, with shipped
   * checkpoints loaded there), or 'page' (closed-form 2-D maths in microseconds, src/meta/fast/update, called by
   * its panels; the worker is never asked).
   */
  computedIn: 'worker' | 'page';
  /** How the classification panels name what is scored: the whole task, and the user's examples. */
  words: { task: string; support: string };
  /**
   * A training run that shows meta-learning live in a lecture, where the problem has one (config.ts:
   * SINUSOID_LECTURE, GLYPH_LIVE, PLANE_LIVE). Offered only while the tab shows its config's classes.
   */
  lecturePreset: LecturePreset | null;
}

const NWAY = { min: 2, max: MAX_CLASSES } as const;

export const PROBLEM_INFO: Record<ProblemKind, ProblemInfo> = {
  sinusoid: {
    label: 'Sinusoid regression',
    lede: 'Click the plot to add points of a new task, drag them to move, shift-click (or right-click) to delete. MAML learned an initialisation that fits your points after one gradient step; the network pretrained on all tasks cannot.',
    describe: () => 'sinusoid regression (squared error)',
    loss: 'mse',
    classes: null,
    mlp: () => ({ sizes: [1, 40, 40, 1] }),
    oracle: true,
    drawEpisodes: null,
    evaluation: PAPER_EVAL,
    liveEvalTasks: 100,
    trainConfig: (algorithm) => ({ ...defaultTrainConfig(algorithm), iterations: 5000 }),
    checkpointFolder: () => '',
    typed: { trains: true, adapts: true, fused: true },
    urlKeys: ['seed', 'task', 'pts', 'k'],
    view: { main: 'task', metrics: 'loss', reproduction: true, training: true, methods: true, stacked: false },
    computedIn: 'worker',
    words: { task: 'true task', support: 'your points' },
    lecturePreset: SINUSOID_LECTURE,
  },
  plane: {
    label: '2-D classification',
    lede: 'Pick a class and click the square to place labelled points of a new task; drag to move, shift-click to delete. See how each network’s decision regions change with every gradient step on your points.',
    describe: (classes) => `2-D classification, ${classes}-way (cross-entropy)`,
    loss: 'crossEntropy',
    classes: { ...NWAY, default: 2 },
    mlp: (classes) => ({ sizes: [2, 40, 40, classes] }),
    oracle: false,
    drawEpisodes: drawPlaneEpisodes,
    evaluation: PLANE_EVAL,
    liveEvalTasks: 100,
    trainConfig: (algorithm, classes) => planeTrainConfig(algorithm, classes),
    checkpointFolder: (classes) => `plane-${classes}way/`,
    typed: { trains: true, adapts: true, fused: false },
    urlKeys: ['pn', 'pk', 'pseed', 'pc', 'ppts'],
    view: { main: 'plane', metrics: 'class', reproduction: false, training: true, methods: true, stacked: false },
    computedIn: 'worker',
    words: { task: 'true task (whole square)', support: 'your points' },
    lecturePreset: PLANE_LIVE,
  },
  glyphs: {
    label: 'Glyphs (Omniglot-style)',
    lede: 'Draw a few new characters (or fill them from the generator) and then drawings to classify. MAML tells characters it has never seen apart after one step on one example each; the pretrained network is at chance.',
    describe: (classes) => `glyphs, ${classes}-way (cross-entropy, ${GLYPH_SIZE * GLYPH_SIZE}-128-64-${classes} network)`,
    loss: 'crossEntropy',
    classes: { ...NWAY, default: 5 },
    // A 28 x 28 image in, one logit per class out; fully connected, like the paper's non-conv net.
    mlp: (classes) => ({ sizes: [GLYPH_SIZE * GLYPH_SIZE, 128, 64, classes] }),
    oracle: false,
    drawEpisodes: drawGlyphEpisodes,
    evaluation: GLYPH_EVAL,
    liveEvalTasks: 40,
    trainConfig: (algorithm, classes) => glyphTrainConfig(algorithm, classes, 1),
    checkpointFolder: (classes) => `glyphs-${classes}way-1shot/`,
    // Training on typed arrays: the first layer's products skip the zero pixels (mlp.ts's sparse kernels).
    // Test-time adaptation stays on TF.js.
    typed: { trains: true, adapts: false, fused: false },
    urlKeys: ['gn', 'gk', 'gseed', 'gw', 'gs', 'gq'],
    view: { main: 'glyphs', metrics: 'class', reproduction: false, training: true, methods: true, stacked: false },
    computedIn: 'worker',
    words: { task: 'drawings to classify (class known)', support: 'your drawings' },
    lecturePreset: GLYPH_LIVE,
  },
  update: {
    label: 'Inside the update',
    lede: 'Linear regression with two weights, so the weight space is a plane: drag θ or a task’s optimum and watch each task’s inner steps and the vector every update rule would move θ by. Below: why a shallow model’s fixed step cannot adapt fast on an ill-conditioned family, and how extra linear layers or a meta-learned preconditioner fix it.',
    describe: () => 'linear regression, y = w · x with x in the plane (squared error)',
    loss: 'mse',
    classes: null,
    // The shallow model is a network without hidden layers: 2 inputs, 1 output, no ReLU.
    mlp: () => ({ sizes: [2, 1] }),
    oracle: false,
    drawEpisodes: null,
    evaluation: { steps: Math.max(...UPDATE_PROTOCOL.steps), tasks: UPDATE_PROTOCOL.testTasks, alpha: UPDATE_PROTOCOL.alpha, queryPoints: 0, seed: UPDATE_PROTOCOL.testSeed },
    liveEvalTasks: 0,
    trainConfig: (algorithm) => ({ ...defaultTrainConfig(algorithm), problem: 'update', alpha: UPDATE_PROTOCOL.alpha, kSupport: UPDATE_PROTOCOL.kSupport, kQuery: UPDATE_PROTOCOL.kQuery }),
    checkpointFolder: () => 'update/',
    typed: { trains: false, adapts: false, fused: false },
    urlKeys: ['ut', 'uo', 'ul', 'um', 'us', 'us2', 'ur', 'ux', 'useed'],
    view: { main: 'update', metrics: 'models', reproduction: false, training: false, methods: false, stacked: true },
    computedIn: 'page',
    words: { task: 'task', support: 'support points' },
    lecturePreset: null,
  },
};

export function isProblemKind(id: unknown): id is ProblemKind {
  return typeof id === 'string' && Object.prototype.hasOwnProperty.call(PROBLEM_INFO, id);
}

/** A run's problem entry (the sinusoid when none is named, as in files from before the plane). */
export function problemInfo(problem: ProblemShape | ProblemKind | undefined): ProblemInfo {
  const kind = typeof problem === 'string' ? problem : (problem?.problem ?? 'sinusoid');
  return PROBLEM_INFO[kind];
}

/** Whether a problem's tasks are N-way classification. */
export const isClassification = (problem: ProblemShape | ProblemKind | undefined) => problemInfo(problem).classes !== null;

/** N for a problem shape: its classes, or the problem's default (1 for regression, whose output is y). */
export function classesOf(problem: ProblemShape): number {
  const info = problemInfo(problem);
  return info.classes === null ? 1 : (problem.classes ?? info.classes.default);
}

/** T episodes of a classification problem, N-way, with kSupport and kQuery examples of every class. */
export function drawEpisodes(problem: ProblemKind, rng: Rng, tasks: number, classes: number, kSupport: number, kQuery: number): Episodes {
  const draw = PROBLEM_INFO[problem].drawEpisodes;
  if (!draw) throw new Error(`${PROBLEM_INFO[problem].label} has no classification episodes.`);
  return draw(rng, tasks, classes, kSupport, kQuery);
}

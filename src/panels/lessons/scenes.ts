/**
 * The Learn mode's scenes (issue 15): a guided path through meta-learning, taught on the live engine. Each scene
 * is data: a title, a short text (at most about 120 words, for a reader who knows gradient descent but not
 * meta-learning), the equation it needs (KaTeX source), its source in the literature, the playground state it
 * sets (problem, task and points, methods, K, steps, training settings) and which live readout it shows. The
 * text states no number: every number on screen is computed live (LessonPanel's readouts, from the store's
 * results or the worker) or read from the shipped evaluation.
 *
 * `sceneSettings(n, now)` is the scene's state as a settings patch; `openScene` applies it (with `learn = n`) in one
 * store update, so the link and the history see one new view. The link's `learn=n` (schema.ts, LEARN_SCENES)
 * reopens scene n.
 */
import { ALGORITHM_IDS, type AlgorithmId } from '../../meta/contracts/algorithms';
import type { ProblemKind } from '../../meta/contracts/config';
import { PROBLEM_INFO } from '../../meta/contracts/problems';
import { Rng } from '../../meta/contracts/random';
import { samplePoints, SINUSOID_RANGES } from '../../meta/contracts/tasks/sinusoid';
import { planeFromSeed } from '../../state/classification';
import { LEARN_SCENES, MAX_STEPS } from '../../state/schema';
import { defaultAlpha, taskFromSeed, trainConfigFor, type PlaygroundState, type Settings } from '../../state/store';
import { defaultUpdate } from '../../state/update';

/** The live readout a scene shows under its text (LessonPanel renders each). */
export type SceneLive = 'family' | 'oneStep' | 'mamlStep' | 'slowMotion' | 'firstOrder' | 'emptyHalf' | 'shots' | 'family-compare' | 'plane' | 'train' | 'update';

export interface Scene {
  /** Stable id (test ids, headings). */
  id: string;
  title: string;
  /** The scene's text: paragraphs. No number typed in: those are the readouts'. */
  text: string[];
  /** The equation, KaTeX source (display mode). */
  tex: string;
  /** Where it comes from. */
  source: string;
  live: SceneLive;
  /** The playground state the scene sets, given the settings now. */
  state(now: Settings): Partial<Settings>;
}

/** The fields a switch of problem sets (as the store's setProblem does): the problem, its alpha, its training form. */
function onProblem(problem: ProblemKind, now: Settings, algorithm: AlgorithmId = 'maml'): Partial<Settings> {
  const train = problem === now.train.problem || (problem === 'sinusoid' && now.train.problem === undefined) ? now.train : trainConfigFor(algorithm, problem, now);
  return { problem, alpha: defaultAlpha(problem), train };
}

/** Methods in the catalog's order (the link's order, so a reopened link gives the same list). */
const inOrder = (methods: AlgorithmId[]) => ALGORITHM_IDS.filter((m) => methods.includes(m));

/** A sinusoid view: the seed's task with K points (or K points on [from, to] only), these methods, these steps. */
function sine(now: Settings, o: { seed: number; kShot: number; methods: AlgorithmId[]; steps?: number; selectedStep: number; range?: readonly [number, number] }): Partial<Settings> {
  const base = taskFromSeed(o.seed, o.kShot);
  const points = o.range ? samplePoints(base.task, o.kShot, new Rng(o.seed), o.range) : base.points;
  return {
    ...onProblem('sinusoid', now),
    seed: o.seed,
    task: base.task,
    points,
    kShot: o.kShot,
    methods: inOrder(o.methods),
    steps: o.steps ?? MAX_STEPS,
    selectedStep: o.selectedStep,
    showTruth: true,
  };
}

const [A_MIN, A_MAX] = SINUSOID_RANGES.amplitude;
const [X_MIN, X_MAX] = SINUSOID_RANGES.x;
/** The task family's ranges, in the equation from the generator's own constants. */
const FAMILY_TEX = `\\begin{gathered} y = A \\sin(x - \\varphi) \\\\ A \\sim U[${A_MIN}, ${A_MAX.toFixed(1)}],\\ \\varphi \\sim U[0, \\pi],\\ x \\sim U[${X_MIN}, ${X_MAX}] \\end{gathered}`;

const FINN = 'Finn, Abbeel & Levine 2017, “Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks”';

export const SCENES: readonly Scene[] = [
  {
    id: 'task-family',
    title: 'A family of tasks',
    text: [
      'Meta-learning learns from many related tasks at once. Here each task is one sine wave: its amplitude A and phase φ are drawn at random, and a task gives you only a few (x, y) points of its curve.',
      'Below, a few tasks drawn from the family; on the plot, one task (grey) and the K points you are given. Press N for another task. The question of this lesson: how can a network fit a new task from so few points?',
    ],
    tex: FAMILY_TEX,
    source: `${FINN}, §5.1 (regression).`,
    live: 'family',
    state: (now) => sine(now, { seed: 3, kShot: 5, methods: [], selectedStep: 0 }),
  },
  {
    id: 'pretrained',
    title: 'Training on all tasks at once fails',
    text: [
      'The obvious idea: train one network on points of every task (“pretrained”, or joint training), then fine-tune it with a gradient step on the new task’s points.',
      'It learns the average of all sines, which is nearly flat: the phases cancel. A gradient step on a handful of points cannot turn that into this task’s curve. Compare its error after one step with that of MAML (the next scene) below, as MSE against the true curve, and move the step scrubber.',
    ],
    tex: 'L_{\\mathcal{T}}(\\theta) = \\frac{1}{K} \\sum_{k=1}^{K} \\bigl(f_\\theta(x_k) - y_k\\bigr)^2',
    source: `${FINN}, §5.1 and Table 2 (pretrained baseline).`,
    live: 'oneStep',
    state: (now) => sine(now, { seed: 6, kShot: 5, methods: ['pretrained', 'maml'], selectedStep: 1 }),
  },
  {
    id: 'maml',
    title: 'MAML: an initialisation that one step adapts',
    text: [
      'MAML (model-agnostic meta-learning) changes what training asks for. Not “fit every task”, but “find weights θ from which one gradient step on a task’s few points fits that task”.',
      'The step itself is plain gradient descent with step size α: the adapted weights θ′ are task-specific, θ is shared. Before the step (dashed) MAML’s curve fits no task in particular; after it, it fits this one. The shipped evaluation below averages this over the paper’s test tasks.',
    ],
    tex: "\\theta'_{\\mathcal{T}} = \\theta - \\alpha \\nabla_\\theta L^{\\text{support}}_{\\mathcal{T}}(\\theta)",
    source: `${FINN}, §2.2 and Algorithm 1.`,
    live: 'mamlStep',
    state: (now) => sine(now, { seed: 6, kShot: 5, methods: ['maml'], selectedStep: 1 }),
  },
  {
    id: 'slow-motion',
    title: 'The inner and outer loop in slow motion',
    text: [
      'One meta-iteration of the engine, stage by stage, on the shipped MAML model. A meta-batch of tasks is drawn; each task takes its inner step on its support points; its query points (new points of the same task) score the adapted weights.',
      'The outer loop differentiates the mean query loss with respect to θ, through the inner step, and moves θ against that meta-gradient. Press “Next stage”; every number is the worker’s, computed by the kernels that train.',
    ],
    tex: "\\begin{aligned} \\theta'_i &= \\theta - \\alpha \\nabla_\\theta L^{\\text{support}}_{\\mathcal{T}_i}(\\theta) \\\\ \\theta &\\leftarrow \\theta - \\beta\\, \\nabla_\\theta \\frac{1}{T} \\sum_{i=1}^{T} L^{\\text{query}}_{\\mathcal{T}_i}(\\theta'_i) \\end{aligned}",
    source: `${FINN}, Algorithm 2 (supervised MAML).`,
    live: 'slowMotion',
    state: (now) => sine(now, { seed: 6, kShot: 5, methods: ['maml'], selectedStep: 1 }),
  },
  {
    id: 'first-order',
    title: 'Second order versus first order',
    text: [
      'The chain rule through the inner step multiplies the query gradient by the Jacobian of θ′ with respect to θ, which is I − αH, H the Hessian of the support loss. Exact MAML computes this with Hessian-vector products; first-order MAML drops the αH term.',
      'How much does that change the meta-gradient? Below, measured on the same meta-batch as the previous scene: the cosine between the two gradients and the ratio of their lengths. On the plot, both models adapted to the same points.',
    ],
    tex: "\\begin{gathered} \\nabla_\\theta L^{\\text{query}}(\\theta') = (I - \\alpha H)\\, \\nabla_{\\theta'} L^{\\text{query}}(\\theta') \\\\ H = \\nabla^2_\\theta L^{\\text{support}}(\\theta) \\end{gathered}",
    source: `${FINN}, §5.2 (first-order approximation).`,
    live: 'firstOrder',
    state: (now) => sine(now, { seed: 6, kShot: 5, methods: ['maml', 'fomaml'], selectedStep: 1 }),
  },
  {
    id: 'one-half',
    title: 'The one-half case',
    text: [
      'The paper’s striking case: every point on the left half. The right half of the task is empty: no point tells the network what happens there.',
      'MAML has learnt that tasks are sine waves, so a few steps on the left half still move the right half into place. The pretrained network has only the left points to go by. Below, each one’s error on the empty half alone, against the true curve.',
    ],
    tex: 'L_{\\text{empty half}} = \\frac{1}{|G|} \\sum_{x \\in G,\\; x > 0} \\bigl(f_{\\theta\'}(x) - y(x)\\bigr)^2',
    source: `${FINN}, §5.1 and Figure 2.`,
    live: 'emptyHalf',
    state: (now) => sine(now, { seed: 6, kShot: 10, methods: ['maml', 'pretrained'], selectedStep: MAX_STEPS, range: [X_MIN, 0] }),
  },
  {
    id: 'steps-shots',
    title: 'More steps, more shots',
    text: [
      'MAML was trained with one inner step, yet it keeps improving with more steps at test time, without overfitting its few points. The loss chart shows the error against the number of steps, averaged over test tasks.',
      'More points (K) help every method. The table below reads the shipped evaluation at each K the paper reports: MAML after one step against pretrained after the most steps.',
    ],
    tex: "\\theta^{(j+1)} = \\theta^{(j)} - \\alpha \\nabla L^{\\text{support}}\\bigl(\\theta^{(j)}\\bigr)",
    source: `${FINN}, §5.1 and Figure 3.`,
    live: 'shots',
    state: (now) => sine(now, { seed: 9, kShot: 10, methods: ['maml', 'pretrained'], selectedStep: MAX_STEPS }),
  },
  {
    id: 'family',
    title: 'The family, one sentence each',
    text: [
      'First-order MAML: the query gradient at θ′, no Hessian. Reptile: take a few SGD steps on a task, move θ toward where they ended. iMAML: a proximal inner problem and its implicit gradient, solved by conjugate gradient. ANIL: adapt only the last layer. Meta-SGD: learn a step size for every weight.',
      'All are on the plot, adapted to the same points; the table reads each one’s shipped evaluation.',
    ],
    tex: "\\begin{aligned} \\text{Reptile: } & \\theta \\leftarrow \\theta + \\epsilon\\,(\\phi - \\theta) \\\\ \\text{iMAML: } & \\bigl(I + \\tfrac{1}{\\lambda} H\\bigr)^{-1} \\nabla L^{\\text{query}}(\\phi) \\end{aligned}",
    source: 'Nichol, Achiam & Schulman 2018 (Reptile, §3); Rajeswaran, Finn, Kakade & Levine 2019 (iMAML, §3); Raghu, Raghu, Bengio & Vinyals 2020 (ANIL, §4); Li, Zhou, Chen & Li 2017 (Meta-SGD, §3).',
    live: 'family-compare',
    state: (now) => sine(now, { seed: 6, kShot: 5, methods: ['maml', 'fomaml', 'reptile', 'imaml', 'anil', 'metasgd'], selectedStep: 1 }),
  },
  {
    id: 'classification',
    title: 'Few-shot classification',
    text: [
      'The same algorithm classifies. An N-way K-shot task gives K labelled examples of each of N classes; the loss is cross-entropy instead of squared error.',
      `Here a task is a random partition of the plane: click to add points of the active class and watch the regions move after each step. The “${PROBLEM_INFO.glyphs.label}” tab does the same with drawn characters, the way the paper uses Omniglot.`,
    ],
    tex: 'L_{\\mathcal{T}}(\\theta) = -\\frac{1}{NK} \\sum_{(x, y)} \\log \\operatorname{softmax}\\bigl(f_\\theta(x)\\bigr)_y',
    source: `${FINN}, §5.2 (classification) and Table 1.`,
    live: 'plane',
    state: (now) => ({ ...onProblem('plane', now), methods: inOrder(['maml', 'pretrained']), selectedStep: 1, steps: MAX_STEPS, plane: { ...now.plane, classes: 2, kShot: 5, seed: 3, activeClass: 0, ...planeFromSeed(3, 2, 5) } }),
  },
  {
    id: 'train',
    title: 'Train your own',
    text: [
      'Everything so far used shipped models. Now train MAML from random weights, live in this tab: the lecture preset is the paper’s setting with a larger meta step size, so it gets there in a lecture’s time.',
      'Press Start (or T). Watch the meta-loss fall, and the curves on the plot change as the new parameters arrive; Pause, then move the points to test it.',
    ],
    tex: "\\min_\\theta \\; \\mathbb{E}_{\\mathcal{T}} \\Bigl[ L^{\\text{query}}_{\\mathcal{T}}\\bigl(\\theta - \\alpha \\nabla_\\theta L^{\\text{support}}_{\\mathcal{T}}(\\theta)\\bigr) \\Bigr]",
    source: `${FINN}, §5.1 (training setup) and Algorithm 2.`,
    live: 'train',
    state: (now) => ({ ...sine(now, { seed: 6, kShot: 5, methods: ['maml', 'pretrained'], selectedStep: 1 }), train: { ...PROBLEM_INFO.sinusoid.lecturePreset!.config } }),
  },
  {
    // After the ten, so their links (learn=1..10) keep their numbers.
    id: 'inside-update',
    title: 'Inside the update: every rule in a two-weight world',
    text: [
      'A linear model y = w · x has only two weights, so its whole weight space fits on the screen. Each task’s loss is a bowl; θ is the shared starting point, and each coloured arrow is the step one rule would take from the same tasks: joint training, first-order MAML, exact MAML, iMAML, Reptile.',
      'Drag θ or a task’s optimum and watch the arrows. Exact MAML multiplies the first-order vector by (I − αH): the readout below measures how far apart the two are here. The second panel shows why depth helps: extra linear layers learn a preconditioner that one fixed step cannot.',
    ],
    tex: "\\begin{aligned} \\phi &= \\theta - \\alpha \\nabla L^{\\text{support}}(\\theta) \\\\ g_{\\text{FO}} &= \\nabla L^{\\text{query}}(\\phi) \\\\ g_{\\text{MAML}} &= (I - \\alpha H)\\, g_{\\text{FO}} \\end{aligned}",
    source: 'Arnold, Iqbal & Sha 2021 (When MAML can adapt fast, §4 and Figure 1); Rajeswaran et al. 2019 (iMAML, §3); Nichol et al. 2018 (Reptile, §3).',
    live: 'update',
    state: (now) => ({ ...onProblem('update', now), methods: inOrder(['maml', 'fomaml', 'pretrained']), steps: 1, selectedStep: 1, update: defaultUpdate() }),
  },
];

if (SCENES.length !== LEARN_SCENES) throw new Error(`LEARN_SCENES (${LEARN_SCENES}) must equal the number of scenes (${SCENES.length}).`);

/** Scene n (1-based), or null. */
export const sceneAt = (n: number): Scene | null => (Number.isInteger(n) && n >= 1 && n <= SCENES.length ? SCENES[n - 1] : null);

/** The settings scene n sets (with learn = n), given the settings now; {} for no such scene. */
export function sceneSettings(n: number, now: Settings): Partial<Settings> {
  const scene = sceneAt(n);
  return scene ? { ...scene.state(now), learn: n } : {};
}

/** Opens scene n (its state and learn = n) in one store update; 0 leaves the Learn mode, keeping the state. */
export function openScene(st: PlaygroundState, n: number): void {
  if (n === 0) return st.setSettings({ learn: 0 });
  if (!sceneAt(n)) return;
  st.setSettings(sceneSettings(n, st.settings));
}

/** The next (+1) or previous (-1) scene from the one shown, if there is one. */
export function stepScene(st: PlaygroundState, delta: 1 | -1): boolean {
  const n = st.settings.learn + delta;
  if (st.settings.learn === 0 || !sceneAt(n)) return false;
  openScene(st, n);
  return true;
}

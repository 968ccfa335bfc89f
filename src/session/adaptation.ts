/**
 * The curves the page shows, asked of the worker whenever what they depend on changes: each method adapted to
 * the user's points (or labelled points, or drawings), and averaged over test tasks. Latest wins: while one
 * request of a kind is in flight, changes collapse into one more request with the settings of that moment.
 */
import { ALGORITHM_INFO, type AlgorithmId } from '../meta/contracts/algorithms';
import { isClassification, PROBLEM_INFO } from '../meta/contracts/problems';
import type { ClassificationProblem, LabelledSet } from '../meta/contracts/tasks/episodes';
import { planeGrid } from '../meta/contracts/tasks/plane';
import type { ClassEvalCurve } from '../meta/contracts/types';
import {
  glyphImages,
  glyphSupportProblems,
  glyphSupportSet,
  PLANE_GRID_N,
  planeSupportSet,
  planeTruth,
  queryLabel,
  readableQueries,
} from '../state/classification';
import { divergenceAdvice, divergenceCause } from '../state/notices';
import { appliesTo, CURVE_GRID, viewShape, type ClassResults, type Settings } from '../state/store';
import type { EngineClient } from '../worker/client';
import type { Checkpoints } from './checkpoints';
import { EVAL_DURING_TRAINING_MS, type Scheduler } from './refresh';
import type { SessionCore } from './shared';

/** The cause of the notice about diverged adaptations (store.notify). */
const DIVERGED = 'diverged';
/** Seeds of the test tasks behind the live averaged curves (their number is the catalog's liveEvalTasks). */
const LIVE_EVAL_SEED = 2024;
const LIVE_CLASS_SEED = 2025;
/** The averaged curves run to the most steps the page shows. */
const LIVE_EVAL_STEPS = 10;
/** The plane's grid, computed once: the queries behind the decision regions. */
const PLANE_GRID = planeGrid(PLANE_GRID_N);

/**
 * What each classification problem sends to classify (its support set and queries) and how its answer is filed;
 * null while its support set cannot be used (the panel says why and keeps what was drawn).
 */
interface ClassifyPlan {
  request: { support: LabelledSet; queries: Float32Array; queryLabels: Int32Array | null };
  answer: Pick<ClassResults, 'gridN' | 'queryIndices' | 'queries'>;
}
const CLASSIFY_PLANS: Record<ClassificationProblem, (s: Settings, classes: number) => ClassifyPlan | null> = {
  // The plane's whole grid, scored against the true task where there is one.
  plane: (s) => ({
    request: { support: planeSupportSet(s.plane), queries: PLANE_GRID, queryLabels: planeTruth(s.plane.task, PLANE_GRID) },
    answer: { gridN: PLANE_GRID_N, queryIndices: [] },
  }),
  // The readable drawings to classify, scored where every one's class is known.
  glyphs: (s, classes) => {
    const g = s.glyphs;
    if (glyphSupportProblems(g).length > 0) return null;
    const queries = readableQueries(g);
    const labels = queries.map(({ query }) => queryLabel(query, classes));
    const labelled = labels.every((l) => l !== null) && queries.length > 0;
    return {
      request: { support: glyphSupportSet(g), queries: glyphImages(queries.map(({ query }) => query.strokes), g.width), queryLabels: labelled ? Int32Array.from(labels as number[]) : null },
      answer: { gridN: null, queryIndices: queries.map(({ index }) => index), queries: g.queries },
    };
  },
};

export interface Adaptation {
  requestAdaptation(): void;
  requestEvaluation(): void;
  refreshAll(): void;
  /** A progress report of live training: the curves follow the trained model, as often as training allows. */
  followTraining(): void;
}

export function createAdaptation(core: SessionCore, scheduler: Scheduler, checkpoints: Pick<Checkpoints, 'settled' | 'ensureClassifiers'>): Adaptation {
  const { store } = core;
  /** Requests wait for the worker and, the first time, for the shipped checkpoints: no curves of random weights. */
  const readyClient = (): EngineClient | null => {
    const client = core.client();
    return client && checkpoints.settled() && store.getState().status.worker === 'ready' ? client : null;
  };

  /**
   * One notice for the latest answer's divergences, replaced by the next answer's and gone once an answer has
   * none (alpha or the points changed) or the methods it names are unticked. Methods that adapt with alpha are
   * told to lower it; those with learned rates (alpha not used) are not.
   */
  let diverged: { methods: AlgorithmId[]; alpha: number } = { methods: [], alpha: 0 };
  const showDiverged = (methods: AlgorithmId[], alpha: number) => {
    diverged = { methods, alpha };
    const withAlpha = methods.filter((m) => !ALGORITHM_INFO[m].learnedRates).map((m) => ALGORITHM_INFO[m].label);
    const parts = [
      ...(withAlpha.length ? [`Adaptation diverged for ${withAlpha.join(', ')} at alpha = ${alpha}: try a smaller test-time learning rate.`] : []),
      ...methods.filter((m) => ALGORITHM_INFO[m].learnedRates).map((m) => `Adaptation diverged for ${ALGORITHM_INFO[m].label}: ${divergenceCause(m)}; ${divergenceAdvice(m)}.`),
    ];
    if (parts.length) store.getState().notify('warning', parts.join(' '), DIVERGED);
    else store.getState().clearCause(DIVERGED);
  };
  const warnDiverged = (methods: AlgorithmId[], isDiverged: (m: AlgorithmId) => boolean, alpha: number) => showDiverged(methods.filter(isDiverged), alpha);
  /** Before the next answer: what is no longer shown is no longer told. */
  const forgetUnshown = () => {
    const shown = store.getState().settings.methods;
    const kept = diverged.methods.filter((m) => shown.includes(m));
    if (kept.length !== diverged.methods.length) showDiverged(kept, diverged.alpha);
  };

  async function adaptShown(): Promise<void> {
    const client = readyClient();
    if (!client) return;
    const s = store.getState().settings;
    // A problem computed on the page (PROBLEM_INFO[p].computedIn) asks the worker for nothing.
    if (PROBLEM_INFO[s.problem].computedIn !== 'worker') return;
    if (isClassification(s.problem)) return classify(client, s);
    const msg = await client.request<'adapted'>({ type: 'adapt', methods: s.methods, points: s.points, grid: CURVE_GRID, steps: s.steps, alpha: s.alpha, task: s.task });
    store.getState().setAdaptation(msg.results);
    store.getState().setStatus({ adaptPath: msg.path, adaptPathNote: msg.pathNote ?? null, adaptMs: msg.computeMs });
    warnDiverged(s.methods, (m) => msg.results[m]?.divergedAt != null, s.alpha);
  }

  /**
   * The classification playgrounds: the user's labelled points (or drawings) go to the worker with the queries
   * (the plane's grid, or the drawings to classify), once the problem's shipped models have loaded. A glyph
   * support set with problems is not sent; the panel shows why and the drawings stay.
   */
  async function classify(client: EngineClient, before: Settings): Promise<void> {
    await checkpoints.ensureClassifiers(viewShape(before));
    // The first time, the models took a while to load: what is sent is what is on screen now (its own models
    // loaded too, at once when it is the same problem).
    const s = store.getState().settings;
    if (!isClassification(s.problem)) return;
    const shape = viewShape(s);
    await checkpoints.ensureClassifiers(shape);
    const methods = s.methods.filter((m) => appliesTo(m, s.problem));
    const classes = shape.classes!;
    const problem = s.problem as ClassificationProblem;
    const plan = CLASSIFY_PLANS[problem](s, classes);
    if (!plan) {
      store.getState().setClassification(null);
      showDiverged([], s.alpha);
      return;
    }
    const msg = await client.request<'classified'>({ type: 'classify', classes, methods, steps: s.steps, alpha: s.alpha, problem, ...plan.request });
    store.getState().setClassification({ problem, classes, ...plan.answer, results: msg.results });
    store.getState().setStatus({ adaptPath: msg.path, adaptPathNote: msg.pathNote ?? null, adaptMs: msg.computeMs });
    warnDiverged(methods, (m) => store.getState().results.classification?.results[m]?.divergedAt != null, s.alpha);
  }

  /**
   * An evaluate request whose progress (test tasks or episodes scored, over all its methods) is kept in
   * status.evalProgress while it runs, from 0 of total, and cleared when it answers or fails.
   */
  async function evaluateWithProgress(client: EngineClient, req: Extract<Parameters<EngineClient['request']>[0], { type: 'evaluate' }>) {
    const total = req.tasks * req.methods.length;
    store.getState().setStatus({ evalProgress: total > 0 ? { done: 0, total } : null });
    try {
      return await client.request<'evaluated'>(req, { onProgress: (p) => store.getState().setStatus({ evalProgress: p }) });
    } finally {
      store.getState().setStatus({ evalProgress: null });
    }
  }

  async function evaluateShown(): Promise<void> {
    const client = readyClient();
    if (!client) return;
    const s = store.getState().settings;
    if (PROBLEM_INFO[s.problem].computedIn !== 'worker') return;
    if (isClassification(s.problem)) return evaluateClassifiers(client, s);
    const tasks = PROBLEM_INFO[s.problem].liveEvalTasks;
    const msg = await evaluateWithProgress(client, { type: 'evaluate', methods: s.methods, kShot: s.kShot, steps: LIVE_EVAL_STEPS, tasks, alpha: s.alpha, seed: LIVE_EVAL_SEED });
    store.getState().setEvaluation(msg.results, { kShot: s.kShot, alpha: s.alpha });
  }

  async function evaluateClassifiers(client: EngineClient, before: Settings): Promise<void> {
    await checkpoints.ensureClassifiers(viewShape(before));
    const s = store.getState().settings;
    if (!isClassification(s.problem)) return;
    const problem = s.problem as ClassificationProblem;
    const shape = viewShape(s);
    await checkpoints.ensureClassifiers(shape);
    const kShot = s[problem].kShot;
    const methods = s.methods.filter((m) => appliesTo(m, problem));
    const episodes = PROBLEM_INFO[problem].liveEvalTasks;
    const msg = await evaluateWithProgress(client, {
      type: 'evaluate',
      problem,
      classes: shape.classes,
      methods,
      kShot,
      steps: LIVE_EVAL_STEPS,
      tasks: episodes,
      alpha: s.alpha,
      seed: LIVE_CLASS_SEED,
    });
    const results = msg.results as Partial<Record<AlgorithmId, ClassEvalCurve>>;
    store.getState().setClassEvaluation({ problem, classes: shape.classes!, kShot, alpha: s.alpha, episodes, results });
  }

  const sendAdaptation = scheduler.latestOnly('adaptation', adaptShown);
  const requestAdaptation = () => {
    forgetUnshown();
    sendAdaptation();
  };
  const requestEvaluation = scheduler.latestOnly('evaluation', evaluateShown);
  return {
    requestAdaptation,
    requestEvaluation,
    refreshAll() {
      requestAdaptation();
      requestEvaluation();
    },
    followTraining() {
      if (scheduler.dueDuringTraining('adaptation', 0)) requestAdaptation();
      if (scheduler.dueDuringTraining('evaluation', EVAL_DURING_TRAINING_MS)) requestEvaluation();
    },
  };
}

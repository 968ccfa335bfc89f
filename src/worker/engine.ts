/**
 * The engine behind the worker: owns the TF.js backend's models and every tensor, and answers WorkerRequests
 * with WorkerResponses through an injected `post`, so Node tests can drive it as the worker does (the worker
 * entry, engine.worker.ts, only wires it to postMessage).
 * All engine work runs one piece at a time through a lock, so a training step never frees parameters that an
 * adaptation or evaluation is reading; the training loop yields between steps so clicks are answered.
 */
import * as tf from '@tensorflow/tfjs';
import { adaptToPoints } from '../meta/engine/adaptation';
import { ALGORITHMS, type AlgorithmId } from '../meta/engine/algorithms';
import {
  checkpointArrays,
  checkpointModelKey,
  makeCheckpoint,
  modelKey,
  parseModelKey,
  quote,
  validateCheckpoint,
  type Checkpoint,
  type ModelKey,
} from '../meta/contracts/checkpoint';
import { adaptClassifiers } from '../meta/engine/classification';
import { evaluate, evaluateClassification } from '../meta/engine/evaluate';
import { PROBLEM_INFO } from '../meta/contracts/problems';
import { LastGood, provenanceLabel, type Provenance } from '../meta/contracts/provenance';
import { learnerFor, type Learner } from '../meta/engine/inner';
import { disposeParams, paramsFromArrays, readParams, type Params } from '../meta/engine/params';
import { adaptFlat, flatLearner, type FlatLearner } from '../meta/fast/adapt';
import { metaStepBreakdown } from '../meta/fast/breakdown';
import { classifyFlat } from '../meta/fast/classify';
import { evaluateFlatChunked } from '../meta/fast/evaluate';
import { createTrainer, type Trainer } from '../meta/engine/trainer';
import { PAPER_EVAL, type ProblemShape, type TrainConfig } from '../meta/contracts/config';
import type { BackendChoice } from './backend';
import { runDiagnostic, type DiagnosticHost } from './diagnostics';
import { Models, problemOfKey, type Model } from './models';
import { gpuTrainerFor } from './gpu';
import { JobPaths, type JobPath } from './job-paths';
import type { AdaptRequest, BackendName, ClassifyRequest, EnginePreference, TrainState, WorkerRequest, WorkerResponse } from './protocol';
import type { ClassEvalCurve, EvalCurve, ParamArrays } from '../meta/contracts/types';

export interface WorkerEngineOptions {
  /** Every message the engine sends: the worker posts them to the page; tests record them. */
  post(msg: WorkerResponse): void;
  /** Starts a TF.js backend on init (the worker: webgpu -> webgl -> wasm -> cpu; Node tests: cpu). */
  chooseBackend(forced: BackendName | null): Promise<BackendChoice>;
  /** Makes the trainer of a training run; default the fastest path the engine preference allows (tests script one). */
  makeTrainer?(config: TrainConfig): Trainer;
}

interface Training {
  trainer: Trainer;
  method: AlgorithmId;
  key: ModelKey;
  state: TrainState;
  /** Which trainLoop may run: a quick pause + resume must not leave two loops stepping one trainer. */
  loop: number;
  /** Why this path trains (the WebGPU probe's timings), or null. */
  pathNote: string | null;
  /** The run's last parameters known to be good (confirmed by the next step's meta-loss). */
  lastGood: LastGood<ParamArrays>;
  /**
   * Once the run diverged: at which iteration, and the parameters it keeps: its last good ones, or null for the
   * model from before the run (a run that got nowhere good never replaces a model). Owned here until reset.
   */
  diverged: { atIteration: number; kept: { params: Params; iteration: number } | null } | null;
}

/** A model's current parameters as the engine serves them: the committed model, a live run, or what a diverged run kept. */
type Current = Pick<Model, 'params' | 'training' | 'evaluation' | 'provenance'>;

const PROGRESS_MS = 250;
const SNAPSHOT_MS = 2000;

export class WorkerEngine {
  private readonly post: (msg: WorkerResponse) => void;
  private readonly chooseBackend: WorkerEngineOptions['chooseBackend'];
  private readonly makeTrainer: WorkerEngineOptions['makeTrainer'];

  /**
   * Every model's current meta-parameters, by ModelKey: each algorithm's sinusoid model, and its classifiers
   * (per problem and number of classes). The one being trained lives in the trainer meanwhile.
   */
  private readonly models = new Models();
  private training: Training | null = null;
  /** Set by init: whether the fastest path (typed arrays) may run where it can, or TF.js only. */
  private enginePreference: EnginePreference = 'auto';
  /** Which path each job runs on, measured at its first request (issue 17, target 1). */
  private readonly jobPaths = new JobPaths();
  /** Parameter values read off the backend once per parameter set (a trainer makes a new one per iteration). */
  private readonly flatCache = new WeakMap<Params, Promise<ParamArrays>>();

  /** The lock: the promise the next engine operation waits for. */
  private chain: Promise<unknown> = Promise.resolve();

  /** Lets queued messages in: a macrotask hop (cpu/wasm data() resolves as a microtask and would starve them). */
  private readonly hop = new MessageChannel();
  private hopResolvers: (() => void)[] = [];

  private readonly scheduleAdapt: (req: AdaptRequest & { id: number }) => void;
  private readonly scheduleClassify: (req: ClassifyRequest & { id: number }) => void;
  private readonly diagnostics: DiagnosticHost;

  constructor(opts: WorkerEngineOptions) {
    this.post = opts.post;
    this.chooseBackend = opts.chooseBackend;
    this.makeTrainer = opts.makeTrainer;
    this.hop.port1.onmessage = () => {
      const rs = this.hopResolvers;
      this.hopResolvers = [];
      rs.forEach((r) => r());
    };
    this.scheduleAdapt = this.latestWins('Adaptation', (r) => this.adapt(r));
    this.scheduleClassify = this.latestWins('Classification', (r) => this.classify(r));
    this.diagnostics = {
      post: this.post,
      exclusive: (fn) => this.exclusive(fn),
      trainerFor: (config) => this.trainerFor(config),
      pathLabel: (trainer) => this.pathLabel(trainer),
      yieldToEvents: () => this.yieldToEvents(),
    };
  }

  /** Answers one request; a failure is posted as an error message (with the request's id), never thrown. */
  async handle(msg: WorkerRequest): Promise<void> {
    // Liveness: answered at once, outside the lock; the page restarts a worker that stops answering.
    if (msg.type === 'ping') return this.post({ type: 'pong', seq: msg.seq });
    try {
      await this.dispatch(msg);
    } catch (err) {
      const id = 'id' in msg ? msg.id : null;
      this.post({ type: 'error', id, message: (err as Error).message || String(err) });
    }
  }

  /** Stops training and lets go of the event hop (Node keeps a process alive for an open port). */
  dispose(): void {
    this.stopTraining();
    this.hop.port1.close();
    this.hop.port2.close();
  }

  private async dispatch(msg: WorkerRequest): Promise<void> {
    switch (msg.type) {
      case 'init':
        // Exclusive, so loads queued right behind init (after a restart) land on initialised models.
        return this.exclusive(async () => {
          this.enginePreference = msg.engine;
          const choice = await this.chooseBackend(msg.backend);
          this.models.reset();
          this.post({ type: 'ready', backend: choice.backend, fallbacks: choice.fallbacks, ...(choice.adapter ? { adapter: choice.adapter } : {}) });
        });
      case 'load':
        return this.exclusive(() => this.load(msg));
      case 'adapt':
        this.scheduleAdapt(msg);
        return;
      case 'classify':
        this.scheduleClassify(msg);
        return;
      case 'evaluate':
        return this.evaluate(msg);
      case 'metaStep':
        return this.exclusive(() => this.metaStep(msg));
      case 'train':
        return this.train(msg.config);
      case 'pause':
        if (this.training && this.training.state === 'running') {
          this.setTrainState('paused');
          await this.exclusive(() => this.training && this.snapshot(this.training.method, null, this.training.key));
        }
        return;
      case 'resume':
        // A diverged run is over: its trainer holds the parameters that blew up. Reset, or train again.
        if (this.training && this.training.state === 'paused') {
          this.setTrainState('running');
          this.startLoop(this.training);
        }
        return;
      case 'reset':
        await this.exclusive(async () => {
          const t = this.training;
          this.stopTraining();
          const message = t ? `Training of ${ALGORITHMS[t.method].label} discarded; its previous parameters are back.` : undefined;
          this.post({ type: 'trainState', method: t?.method ?? null, model: t?.key ?? null, state: 'idle', message });
          // The page's copy (what a restarted worker gets back) is the model again, not the run it last saw.
          if (t) await this.snapshot(t.method, null, t.key);
        });
        return;
      case 'forget':
        await this.exclusive(() => this.forget(msg));
        return;
      case 'export':
        await this.exclusive(() => this.snapshot(msg.method, msg.id, msg.model ?? msg.method));
        return;
      case 'memory':
      case 'bench':
      case 'timeToQuality':
      case 'gpuCheck':
      case 'crash':
      case 'stop':
      case 'hang':
        return runDiagnostic(msg, this.diagnostics);
    }
  }

  /** FIFO async lock: engine operations never interleave across their awaits. */
  private exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private yieldToEvents(): Promise<void> {
    return new Promise((r) => {
      this.hopResolvers.push(r);
      this.hop.port2.postMessage(null);
    });
  }

  // ---- models ----
  /**
   * A model's current parameters, with their settings and provenance: the committed model (Models), or the run
   * training it (live), or, after the run diverged, what it kept. Everything served or handed out reads this.
   */
  private current(method: AlgorithmId, problem: ProblemShape = {}): Current {
    const t = this.training && this.training.key === modelKey(method, problem) ? this.training : null;
    const model = this.models.of(method, problem);
    if (!t) return model;
    const { config } = t.trainer;
    if (t.diverged) {
      const { atIteration, kept } = t.diverged;
      if (kept)
        return {
          params: kept.params,
          training: { ...config, iterations: kept.iteration },
          provenance: { kind: 'trained', iterations: kept.iteration, planned: config.iterations, diverged: { atIteration, kept: 'run' } },
        };
      return { ...model, provenance: { ...model.provenance, diverged: { atIteration, kept: 'previous' } } };
    }
    const iterations = t.trainer.iteration;
    return { params: t.trainer.params, training: { ...config, iterations }, provenance: { kind: 'trained', iterations, planned: config.iterations } };
  }

  /** A method's current model as used at test time, by its algorithm's rule and its own training settings. */
  private currentLearner(method: AlgorithmId, problem: ProblemShape = {}): Learner {
    const { params, training } = this.current(method, problem);
    return learnerFor(method, params, training);
  }

  private async flatOf(l: Learner): Promise<FlatLearner> {
    let values = this.flatCache.get(l.params);
    if (!values) this.flatCache.set(l.params, (values = readParams(l.params)));
    return flatLearner(await values, l.rule, l.taskInput);
  }

  /**
   * Posts a copy of a model's current parameters with their provenance (the run's, while one trains it): the
   * page keeps the latest for export and to restart a dead worker with, and labels the model by it. Posted
   * whenever a model's current parameters change other than by a load: training (every few seconds, on pause,
   * done, diverged), reset, a run replaced, a model forgotten.
   */
  private async snapshot(method: AlgorithmId, id: number | null, key: ModelKey = method): Promise<Checkpoint> {
    const problem = problemOfKey(key);
    const cur = this.current(method, problem);
    const arrays = await readParams(cur.params);
    const t = this.training && this.training.key === key && !this.training.diverged ? this.training : null;
    // A live run's parameters: a candidate for its last good ones, confirmed by the next step's meta-loss.
    if (t) t.lastGood.offer(arrays, t.trainer.iteration);
    const ckpt = makeCheckpoint(method, arrays, cur.training, cur.evaluation, cur.provenance);
    this.post({ type: 'snapshot', id, checkpoint: ckpt });
    return ckpt;
  }

  private load(msg: Extract<WorkerRequest, { type: 'load' }>): void {
    const ckpt = validateCheckpoint(msg.checkpoint);
    const key = checkpointModelKey(ckpt);
    if (this.training && this.training.key === key)
      throw new Error(`${ALGORITHMS[ckpt.algorithm].label} is being trained on this problem; reset training before loading a checkpoint for it.`);
    // A checkpoint that does not say where it came from is someone's file, named by its source.
    const provenance: Provenance = ckpt.provenance ?? { kind: 'uploaded', fileName: msg.source.slice(0, 200) || 'a checkpoint', iterations: ckpt.training.iterations };
    this.models.set(key, { params: paramsFromArrays(checkpointArrays(ckpt)), training: ckpt.training, evaluation: ckpt.evaluation, provenance });
    this.post({ type: 'loaded', id: msg.id, method: ckpt.algorithm, model: key, source: msg.source });
  }

  /** Drops a model back to its random initialisation (the page's "discard"), answered with its snapshot. */
  private async forget(msg: Extract<WorkerRequest, { type: 'forget' }>): Promise<void> {
    const named = parseModelKey(msg.model);
    if (!named) throw new Error(`There is no model ${quote(msg.model)}.`);
    if (this.training && this.training.key === msg.model)
      throw new Error(`${ALGORITHMS[named.algorithm].label} is being trained on this problem; reset training before discarding its model.`);
    this.models.forget(msg.model);
    await this.snapshot(named.algorithm, msg.id, msg.model);
  }

  // ---- adaptation and classification: the latest request wins; a drag sends many and only the newest matters ----
  /**
   * Runs requests one at a time through the lock; while one runs, only the newest waiting one is kept (the
   * others are dropped unanswered).
   */
  private latestWins<R extends { id: number }>(what: string, run: (r: R) => Promise<void>): (req: R) => void {
    let pending: R | null = null;
    return (req) => {
      const idle = pending === null;
      pending = req;
      if (!idle) return;
      let r = req;
      void this.exclusive(async () => {
        r = pending!;
        pending = null;
        await run(r);
      }).catch((e) => this.post({ type: 'error', id: r.id, message: `${what} failed: ${(e as Error).message}` }));
    };
  }

  /** The label of a job's path in the page: 'typed arrays', or 'tfjs (backend)'. */
  private jobPathLabel = (path: JobPath): string => (path === 'tfjs' ? `tfjs (${tf.getBackend()})` : path);

  /**
   * A click's curves: on typed arrays or on TF.js, whichever measured faster for this job on this machine
   * (JobPaths); TF.js only with ?engine=tfjs.
   */
  private async adapt(r: AdaptRequest & { id: number }): Promise<void> {
    const t0 = performance.now();
    const learners = r.methods.map((m) => this.currentLearner(m));
    const typed = async () => adaptFlat(await Promise.all(learners.map((l) => this.flatOf(l))), r.points, r.grid, r.steps, r.alpha, r.task);
    const tfjs = () => adaptToPoints(learners, r.points, r.grid, r.steps, r.alpha, r.task);
    const { result: curves, path, note } = await this.jobPaths.run('adapt:sinusoid', this.enginePreference === 'tfjs' ? { tfjs } : { 'typed arrays': typed, tfjs }, this.jobPathLabel);
    const results: Partial<Record<AlgorithmId, NonNullable<(typeof curves)[number]>>> = {};
    r.methods.forEach((m, i) => {
      const c = curves[i];
      if (c) results[m] = c;
    });
    this.post({ type: 'adapted', id: r.id, results, path: this.jobPathLabel(path), ...(note ? { pathNote: note } : {}), computeMs: performance.now() - t0 });
  }

  /**
   * A classification click: on typed arrays where the problem's kernels adapt (the plane, its grid walked row by
   * row) or on TF.js (the glyphs' 784-input networks), the faster by measurement where both can (JobPaths).
   */
  private async classify(r: ClassifyRequest & { id: number }): Promise<void> {
    const t0 = performance.now();
    const problem = { problem: r.problem, classes: r.classes };
    const learners = r.methods.map((m) => this.currentLearner(m, problem));
    const input = { classes: r.classes, support: r.support, queries: r.queries, queryLabels: r.queryLabels, steps: r.steps, alpha: r.alpha };
    const typed = async () => classifyFlat(await Promise.all(learners.map((l) => this.flatOf(l))), input);
    const tfjs = () => adaptClassifiers(learners, input);
    const canType = this.enginePreference !== 'tfjs' && PROBLEM_INFO[r.problem].typed.adapts;
    const { result: curves, path, note } = await this.jobPaths.run(`classify:${r.problem}`, canType ? { 'typed arrays': typed, tfjs } : { tfjs }, this.jobPathLabel);
    const results: Partial<Record<AlgorithmId, (typeof curves)[number]>> = {};
    r.methods.forEach((m, i) => (results[m] = curves[i]));
    this.post({ type: 'classified', id: r.id, results, path: this.jobPathLabel(path), ...(note ? { pathNote: note } : {}), computeMs: performance.now() - t0 });
  }

  /**
   * One meta-iteration of a method's current sinusoid model taken apart (the Learn mode's slow motion), by the
   * typed-array kernels that train; the model itself is not changed.
   */
  private async metaStep(r: Extract<WorkerRequest, { type: 'metaStep' }>): Promise<void> {
    const learner = await this.flatOf(this.currentLearner(r.method));
    if (learner.taskInput) throw new Error(`${ALGORITHMS[r.method].label} is told the task; its meta-iteration is not MAML's.`);
    const { tasks, kSupport, kQuery, innerSteps, alpha, metaLr, seed } = r;
    const b = metaStepBreakdown(learner.sizes, learner.theta, { tasks, kSupport, kQuery, innerSteps, alpha, metaLr, seed });
    this.post({ type: 'metaStepResult', id: r.id, method: r.method, ...b });
  }

  /** Averaged curves, chunk by chunk through the lock, so adaptation requests (clicks) are answered in between. */
  private async evaluate(msg: Extract<WorkerRequest, { type: 'evaluate' }>): Promise<void> {
    const results: Partial<Record<AlgorithmId, EvalCurve | ClassEvalCurve>> = {};
    // A macrotask before each chunk: on cpu/wasm the backend's reads resolve as microtasks, so without it the
    // whole evaluation (seconds for the glyphs) would hold the thread: no click, no ping answered meanwhile.
    const exclusive = async <T>(fn: () => Promise<T> | T) => {
      await this.yieldToEvents();
      return this.exclusive(fn);
    };
    // Progress over all methods: after each chunk, evalProgress with the tasks (episodes) scored so far.
    const total = msg.tasks * msg.methods.length;
    let done = 0;
    const counted = (chunk: number) => {
      let scored = 0;
      return async <T>(fn: () => Promise<T> | T): Promise<T> => {
        const v = await exclusive(fn);
        const n = Math.min(chunk, msg.tasks - scored);
        scored += n;
        done += n;
        this.post({ type: 'evalProgress', id: msg.id, done, total });
        return v;
      };
    };
    if (msg.problem) {
      const problem = { problem: msg.problem, classes: msg.classes };
      const protocol = PROBLEM_INFO[msg.problem].evaluation;
      const cfg = { problem: msg.problem, classes: msg.classes!, kShot: msg.kShot, steps: msg.steps, tasks: msg.tasks, alpha: msg.alpha, seed: msg.seed, queryPoints: protocol.queryPoints };
      for (const m of msg.methods) results[m] = await evaluateClassification(() => this.currentLearner(m, problem), cfg, { chunk: 10, runChunk: counted(10) });
      this.post({ type: 'evaluated', id: msg.id, results });
      return;
    }
    for (const m of msg.methods) {
      const cfg = { kShot: msg.kShot, steps: msg.steps, tasks: msg.tasks, alpha: msg.alpha, seed: msg.seed, queryPoints: PAPER_EVAL.queryPoints };
      results[m] =
        this.enginePreference === 'tfjs'
          ? await evaluate(() => this.currentLearner(m), cfg, { chunk: 25, runChunk: counted(25) })
          : await evaluateFlatChunked(() => this.flatOf(this.currentLearner(m)), cfg, 50, counted(50));
    }
    this.post({ type: 'evaluated', id: msg.id, results });
  }

  // ---- training: idle -> running <-> paused, running -> done, running -> diverged (over: it keeps what was good); reset -> idle ----
  /** The trainer the engine preference allows: fused WebGPU where the probe says so, else typed arrays or TF.js. */
  private async trainerFor(config: TrainConfig): Promise<{ trainer: Trainer; note: string | null }> {
    const gpu = await gpuTrainerFor(config, this.enginePreference);
    return { trainer: gpu.trainer ?? createTrainer(config, this.enginePreference === 'tfjs' ? 'tfjs' : 'auto'), note: gpu.note };
  }

  /** What the page shows as the training engine. */
  private pathLabel(trainer: Trainer): string {
    return trainer.path === 'tfjs' ? `tfjs (${tf.getBackend()})` : trainer.path;
  }

  private setTrainState(state: TrainState, message?: string): void {
    const t = this.training;
    if (t) t.state = state;
    this.post({ type: 'trainState', method: t?.method ?? null, model: t?.key ?? null, state, ...(message ? { message } : {}) });
  }

  /**
   * A new training replaces any other (its model keeps the parameters it had before that one started, and the
   * page is told so with a snapshot).
   */
  private async train(config: TrainConfig): Promise<void> {
    await this.exclusive(async () => {
      const old = this.training;
      this.stopTraining();
      if (old) await this.snapshot(old.method, null, old.key);
    });
    const { trainer, note } = await this.exclusive(() => (this.makeTrainer ? { trainer: this.makeTrainer(config), note: null } : this.trainerFor(config)));
    const t: Training = {
      trainer,
      method: config.algorithm,
      key: modelKey(config.algorithm, config),
      state: 'running',
      loop: 0,
      pathNote: note,
      lastGood: new LastGood<ParamArrays>(),
      diverged: null,
    };
    this.training = t;
    this.setTrainState('running');
    this.startLoop(t);
  }

  /** Runs the loop in the background; a failure pauses training and says why. */
  private startLoop(t: Training): void {
    void this.trainLoop(t).catch((e) => {
      if (this.training === t) this.setTrainState('paused', `Training stopped: ${(e as Error).message}`);
    });
  }

  private async trainLoop(t: Training): Promise<void> {
    const loop = ++t.loop;
    const { iterations } = t.trainer.config;
    let lastReport = performance.now();
    let lastSnapshot = lastReport;
    let lastYield = lastReport;
    let itersAtReport = t.trainer.iteration;
    let lossSum = 0;
    let lossCount = 0;
    const mine = () => this.training === t && t.loop === loop;
    while (mine() && t.state === 'running' && t.trainer.iteration < iterations) {
      const outcome = await this.exclusive(() => (mine() ? t.trainer.step() : null));
      if (!outcome) return;
      // Refused by the trainer (not finite, blown up against predicting zero), or far above the run's start.
      const blownUp = t.lastGood.observe(outcome.iteration, outcome.loss, !outcome.ok);
      if (!outcome.ok || blownUp) {
        const { alpha, metaLr } = t.trainer.config;
        const reason = outcome.ok
          ? `Training diverged at iteration ${outcome.iteration}: ${blownUp} (alpha = ${alpha}, meta learning rate = ${metaLr}).`
          : outcome.reason;
        await this.exclusive(() => this.diverge(t, outcome.iteration, reason));
        return;
      }
      lossSum += outcome.loss;
      lossCount += 1;
      const now = performance.now();
      if (now - lastReport >= PROGRESS_MS || t.trainer.iteration === iterations) {
        const rate = ((t.trainer.iteration - itersAtReport) * 1000) / (now - lastReport);
        this.post({
          type: 'progress',
          method: t.method,
          model: t.key,
          iteration: t.trainer.iteration,
          iterations,
          metaLoss: lossSum / lossCount,
          itersPerSec: rate,
          etaSeconds: rate > 0 ? (iterations - t.trainer.iteration) / rate : Infinity,
          stats: outcome.stats,
          path: this.pathLabel(t.trainer),
          ...(t.pathNote ? { pathNote: t.pathNote } : {}),
        });
        lastReport = now;
        itersAtReport = t.trainer.iteration;
        lossSum = lossCount = 0;
      }
      if (now - lastSnapshot >= SNAPSHOT_MS) {
        lastSnapshot = now;
        await this.exclusive(() => this.snapshot(t.method, null, t.key));
      }
      if (now - lastYield >= 8) {
        lastYield = now;
        await this.yieldToEvents();
      }
    }
    if (mine() && t.trainer.iteration >= iterations) {
      await this.exclusive(async () => {
        if (this.training !== t) return; // reset or restarted meanwhile
        // The trained parameters become the method's model; the trainer is done.
        const provenance: Provenance = { kind: 'trained', iterations: t.trainer.iteration, planned: iterations };
        this.models.set(t.key, { params: t.trainer.takeParams(), training: { ...t.trainer.config }, provenance });
        t.trainer.dispose();
        this.training = null;
        this.post({ type: 'trainState', method: t.method, model: t.key, state: 'done', message: `Training finished: ${iterations} iterations.` });
        await this.snapshot(t.method, null, t.key);
      });
    }
  }

  /**
   * The run stops for good: it keeps its last good parameters if it got anywhere with them, else the model from
   * before it stays; the notice and the snapshot's provenance say which. Reset brings back the model before the run.
   */
  private async diverge(t: Training, atIteration: number, reason: string): Promise<void> {
    if (this.training !== t) return; // reset or replaced meanwhile
    const good = t.lastGood.good;
    const kept = good && good.iteration > 0 ? { params: paramsFromArrays(good.value), iteration: good.iteration } : null;
    t.diverged = { atIteration, kept };
    const before = provenanceLabel(this.models.of(t.method, problemOfKey(t.key)).provenance);
    const what = kept
      ? `Kept: this run's last good parameters (iteration ${kept.iteration}); Reset brings back the model from before it (${before}).`
      : `Kept: the model from before this run (${before}); the run's parameters were discarded.`;
    this.setTrainState('diverged', `${reason} ${what}`);
    await this.snapshot(t.method, null, t.key);
  }

  private stopTraining(): void {
    const t = this.training;
    if (!t) return;
    t.trainer.dispose();
    if (t.diverged?.kept) disposeParams(t.diverged.kept.params);
    this.training = null;
  }
}

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
import { checkpointArrays, checkpointModelKey, makeCheckpoint, modelKey, validateCheckpoint, type Checkpoint, type ModelKey } from '../meta/contracts/checkpoint';
import { adaptClassifiers } from '../meta/engine/classification';
import { evaluate, evaluateClassification } from '../meta/engine/evaluate';
import { PROBLEM_INFO } from '../meta/contracts/problems';
import { learnerFor, type Learner } from '../meta/engine/inner';
import { paramsFromArrays, readParams, type Params } from '../meta/engine/params';
import { adaptFlat, flatLearner, type FlatLearner } from '../meta/fast/adapt';
import { classifyFlat } from '../meta/fast/classify';
import { evaluateFlatChunked } from '../meta/fast/evaluate';
import { createTrainer, type Trainer } from '../meta/engine/trainer';
import { PAPER_EVAL, type ProblemShape, type TrainConfig } from '../meta/contracts/config';
import type { BackendChoice } from './backend';
import { runDiagnostic, type DiagnosticHost } from './diagnostics';
import { Models, problemOfKey } from './models';
import { gpuTrainerFor } from './gpu';
import type { AdaptRequest, BackendName, ClassifyRequest, EnginePreference, TrainState, WorkerRequest, WorkerResponse } from './protocol';
import type { ClassEvalCurve, EvalCurve, ParamArrays } from '../meta/contracts/types';

export interface WorkerEngineOptions {
  /** Every message the engine sends: the worker posts them to the page; tests record them. */
  post(msg: WorkerResponse): void;
  /** Starts a TF.js backend on init (the worker: webgpu -> webgl -> wasm -> cpu; Node tests: cpu). */
  chooseBackend(forced: BackendName | null): Promise<BackendChoice>;
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
}

const PROGRESS_MS = 250;
const SNAPSHOT_MS = 2000;

export class WorkerEngine {
  private readonly post: (msg: WorkerResponse) => void;
  private readonly chooseBackend: WorkerEngineOptions['chooseBackend'];

  /**
   * Every model's current meta-parameters, by ModelKey: each algorithm's sinusoid model, and its classifiers
   * (per problem and number of classes). The one being trained lives in the trainer meanwhile.
   */
  private readonly models = new Models();
  private training: Training | null = null;
  /** Set by init: whether the fastest path (typed arrays) may run where it can, or TF.js only. */
  private enginePreference: EnginePreference = 'auto';
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
          this.post({ type: 'ready', backend: choice.backend, fallbacks: choice.fallbacks });
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
      case 'train':
        return this.train(msg.config);
      case 'pause':
        if (this.training && this.training.state === 'running') {
          this.setTrainState('paused');
          await this.exclusive(() => this.training && this.snapshot(this.training.method, null, this.training.key));
        }
        return;
      case 'resume':
        if (this.training && (this.training.state === 'paused' || this.training.state === 'diverged')) {
          this.setTrainState('running');
          this.startLoop(this.training);
        }
        return;
      case 'reset':
        await this.exclusive(() => {
          const method = this.training?.method ?? null;
          const model = this.training?.key ?? null;
          this.stopTraining();
          const message = method ? `Training of ${ALGORITHMS[method].label} discarded; its previous parameters are back.` : undefined;
          this.post({ type: 'trainState', method, model, state: 'idle', message });
        });
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
  private currentParams(method: AlgorithmId, problem: ProblemShape = {}): Params {
    if (this.training && this.training.key === modelKey(method, problem)) return this.training.trainer.params;
    return this.models.of(method, problem).params;
  }

  /** A method's current model as used at test time, by its algorithm's rule and its own training settings. */
  private currentLearner(method: AlgorithmId, problem: ProblemShape = {}): Learner {
    const live = this.training && this.training.key === modelKey(method, problem);
    const config = live ? this.training!.trainer.config : this.models.of(method, problem).training;
    return learnerFor(method, this.currentParams(method, problem), config);
  }

  private async flatOf(l: Learner): Promise<FlatLearner> {
    let values = this.flatCache.get(l.params);
    if (!values) this.flatCache.set(l.params, (values = readParams(l.params)));
    return flatLearner(await values, l.rule, l.taskInput);
  }

  /**
   * Posts a copy of a model's current parameters (the one in training, if it is): the page keeps the latest for
   * export and to restart a dead worker with.
   */
  private async snapshot(method: AlgorithmId, id: number | null, key: ModelKey = method): Promise<Checkpoint> {
    const problem = problemOfKey(key);
    const live = this.training && this.training.key === key ? this.training : null;
    const model = this.models.of(method, problem);
    const config = live ? { ...live.trainer.config, iterations: live.trainer.iteration } : model.training;
    const ckpt = makeCheckpoint(method, await readParams(this.currentParams(method, problem)), config, live ? undefined : model.evaluation);
    this.post({ type: 'snapshot', id, checkpoint: ckpt });
    return ckpt;
  }

  private load(msg: Extract<WorkerRequest, { type: 'load' }>): void {
    const ckpt = validateCheckpoint(msg.checkpoint);
    const key = checkpointModelKey(ckpt);
    if (this.training && this.training.key === key)
      throw new Error(`${ALGORITHMS[ckpt.algorithm].label} is being trained on this problem; reset training before loading a checkpoint for it.`);
    this.models.set(key, { params: paramsFromArrays(checkpointArrays(ckpt)), training: ckpt.training, evaluation: ckpt.evaluation });
    this.post({ type: 'loaded', id: msg.id, method: ckpt.algorithm, model: key, source: msg.source });
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

  private async adapt(r: AdaptRequest & { id: number }): Promise<void> {
    const t0 = performance.now();
    const learners = r.methods.map((m) => this.currentLearner(m));
    const typed = this.enginePreference !== 'tfjs';
    const curves = typed
      ? adaptFlat(await Promise.all(learners.map((l) => this.flatOf(l))), r.points, r.grid, r.steps, r.alpha, r.task)
      : await adaptToPoints(learners, r.points, r.grid, r.steps, r.alpha, r.task);
    const results: Partial<Record<AlgorithmId, NonNullable<(typeof curves)[number]>>> = {};
    r.methods.forEach((m, i) => {
      const c = curves[i];
      if (c) results[m] = c;
    });
    this.post({ type: 'adapted', id: r.id, results, path: typed ? 'typed arrays' : `tfjs (${tf.getBackend()})`, computeMs: performance.now() - t0 });
  }

  /**
   * The plane's classifiers adapt on typed arrays (its grid walked row by row); the glyphs' 784-input networks,
   * where dense products dominate, on the tfjs backend.
   */
  private async classify(r: ClassifyRequest & { id: number }): Promise<void> {
    const t0 = performance.now();
    const problem = { problem: r.problem, classes: r.classes };
    const learners = r.methods.map((m) => this.currentLearner(m, problem));
    const input = { classes: r.classes, support: r.support, queries: r.queries, queryLabels: r.queryLabels, steps: r.steps, alpha: r.alpha };
    const typed = this.enginePreference !== 'tfjs' && PROBLEM_INFO[r.problem].typed.adapts;
    const curves = typed ? classifyFlat(await Promise.all(learners.map((l) => this.flatOf(l))), input) : await adaptClassifiers(learners, input);
    const results: Partial<Record<AlgorithmId, (typeof curves)[number]>> = {};
    r.methods.forEach((m, i) => (results[m] = curves[i]));
    this.post({ type: 'classified', id: r.id, results, path: typed ? 'typed arrays' : `tfjs (${tf.getBackend()})`, computeMs: performance.now() - t0 });
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
    if (msg.problem) {
      const problem = { problem: msg.problem, classes: msg.classes };
      const protocol = PROBLEM_INFO[msg.problem].evaluation;
      const cfg = { problem: msg.problem, classes: msg.classes!, kShot: msg.kShot, steps: msg.steps, tasks: msg.tasks, alpha: msg.alpha, seed: msg.seed, queryPoints: protocol.queryPoints };
      for (const m of msg.methods) results[m] = await evaluateClassification(() => this.currentLearner(m, problem), cfg, { chunk: 10, runChunk: exclusive });
      this.post({ type: 'evaluated', id: msg.id, results });
      return;
    }
    for (const m of msg.methods) {
      const cfg = { kShot: msg.kShot, steps: msg.steps, tasks: msg.tasks, alpha: msg.alpha, seed: msg.seed, queryPoints: PAPER_EVAL.queryPoints };
      results[m] =
        this.enginePreference === 'tfjs'
          ? await evaluate(() => this.currentLearner(m), cfg, { chunk: 25, runChunk: exclusive })
          : await evaluateFlatChunked(() => this.flatOf(this.currentLearner(m)), cfg, 50, exclusive);
    }
    this.post({ type: 'evaluated', id: msg.id, results });
  }

  // ---- training: idle -> running <-> paused, running -> diverged -> running, running -> done; reset -> idle ----
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

  /** A new training replaces any other (its model keeps the parameters it had before that one started). */
  private async train(config: TrainConfig): Promise<void> {
    await this.exclusive(() => this.stopTraining());
    const { trainer, note } = await this.exclusive(() => this.trainerFor(config));
    const t: Training = { trainer, method: config.algorithm, key: modelKey(config.algorithm, config), state: 'running', loop: 0, pathNote: note };
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
      if (!outcome.ok) {
        this.setTrainState('diverged', outcome.reason);
        await this.exclusive(() => this.snapshot(t.method, null, t.key));
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
        this.models.set(t.key, { params: t.trainer.takeParams(), training: { ...t.trainer.config } });
        t.trainer.dispose();
        this.training = null;
        this.post({ type: 'trainState', method: t.method, model: t.key, state: 'done', message: `Training finished: ${iterations} iterations.` });
        await this.snapshot(t.method, null, t.key);
      });
    }
  }

  private stopTraining(): void {
    if (!this.training) return;
    this.training.trainer.dispose();
    this.training = null;
  }
}

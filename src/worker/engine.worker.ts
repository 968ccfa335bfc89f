/// <reference lib="webworker" />
/**
 * The engine worker: owns the tfjs backend and every tensor. Speaks WorkerRequest/WorkerResponse only.
 * All engine work runs one piece at a time through a lock, so a training step never frees parameters that an
 * adaptation or evaluation is reading; the training loop yields between steps so clicks are answered.
 */
import * as tf from '@tensorflow/tfjs';
import { adaptToPoints } from '../meta/engine/adaptation';
import { ALGORITHMS, type AlgorithmId } from '../meta/engine/algorithms';
import { checkpointArrays, checkpointModelKey, makeCheckpoint, modelKey, validateCheckpoint, type Checkpoint, type ModelKey } from '../meta/contracts/checkpoint';
import { adaptClassifiers } from '../meta/engine/classification';
import { evaluate, evaluateClassification, GLYPH_EVAL, PLANE_EVAL } from '../meta/engine/evaluate';
import { learnerFor, type Learner } from '../meta/engine/inner';
import { paramsFromArrays, readParams, type Params } from '../meta/engine/params';
import { adaptFlat, flatLearner, type FlatLearner } from '../meta/fast/adapt';
import { classifyFlat } from '../meta/fast/classify';
import { evaluateFlat, evaluateFlatChunked } from '../meta/fast/evaluate';
import { createTrainer, MetaTrainer, type Trainer } from '../meta/engine/trainer';
import { TypedMamlTrainer, typedPathTrains } from '../meta/engine/typed-trainer';
import { defaultTrainConfig, PAPER_EVAL, type ProblemShape, type TrainConfig } from '../meta/contracts/config';
import { chooseBackend } from './backend';
import { Models, problemOfKey } from './models';
import { countDispatches, gpuCheck, gpuTrainerFor } from './gpu';
import { PerTaskLoopMaml } from '../meta/engine/reference-loop';
import type { AdaptRequest, BenchPath, ClassifyRequest, EnginePreference, TrainState, WorkerRequest, WorkerResponse } from './protocol';
import type { ClassEvalCurve, EvalCurve, ParamArrays } from '../meta/contracts/types';

declare const self: DedicatedWorkerGlobalScope;

function post(msg: WorkerResponse): void {
  self.postMessage(msg);
}

/** FIFO async lock: engine operations never interleave across their awaits. */
let chain: Promise<unknown> = Promise.resolve();
function exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
  const run = chain.then(fn, fn);
  chain = run.catch(() => undefined);
  return run;
}

/** Lets queued messages in: a macrotask hop (cpu/wasm data() resolves as a microtask and would starve them). */
const hop = new MessageChannel();
let hopResolvers: (() => void)[] = [];
hop.port1.onmessage = () => {
  const rs = hopResolvers;
  hopResolvers = [];
  rs.forEach((r) => r());
};
function yieldToEvents(): Promise<void> {
  return new Promise((r) => {
    hopResolvers.push(r);
    hop.port2.postMessage(null);
  });
}

/**
 * Every model's current meta-parameters, by ModelKey: each algorithm's sinusoid model, and its classifiers
 * (per problem and number of classes). The one being trained lives in the trainer meanwhile.
 */
const models = new Models();

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
let training: Training | null = null;

function currentParams(method: AlgorithmId, problem: ProblemShape = {}): Params {
  if (training && training.key === modelKey(method, problem)) return training.trainer.params;
  return models.of(method, problem).params;
}

/** A method's current model as used at test time, by its algorithm's rule and its own training settings. */
function currentLearner(method: AlgorithmId, problem: ProblemShape = {}): Learner {
  const live = training && training.key === modelKey(method, problem);
  const config = live ? training!.trainer.config : models.of(method, problem).training;
  return learnerFor(method, currentParams(method, problem), config);
}

async function snapshot(method: AlgorithmId, id: number | null, key: ModelKey = method): Promise<Checkpoint> {
  const problem = problemOfKey(key);
  const live = training && training.key === key ? training : null;
  const model = models.of(method, problem);
  const config = live ? { ...live.trainer.config, iterations: live.trainer.iteration } : model.training;
  const ckpt = makeCheckpoint(method, await readParams(currentParams(method, problem)), config, live ? undefined : model.evaluation);
  post({ type: 'snapshot', id, checkpoint: ckpt });
  return ckpt;
}

function setTrainState(state: TrainState, message?: string): void {
  if (training) training.state = state;
  post({ type: 'trainState', method: training?.method ?? null, model: training?.key ?? null, state, ...(message ? { message } : {}) });
}

/** Set by init: whether the fastest path (typed arrays) may run where it can, or TF.js only. */
let enginePreference: EnginePreference = 'auto';

/** Parameter values read off the backend once per parameter set (a trainer makes a new one per iteration). */
const flatCache = new WeakMap<Params, Promise<ParamArrays>>();
async function flatOf(l: Learner): Promise<FlatLearner> {
  let values = flatCache.get(l.params);
  if (!values) flatCache.set(l.params, (values = readParams(l.params)));
  return flatLearner(await values, l.rule, l.taskInput);
}

// ---- adaptation and classification: the latest request wins; a drag sends many and only the newest matters ----
/** Runs requests one at a time through the lock; while one runs, only the newest waiting one is kept. */
function latestWins<R extends { id: number }>(what: string, run: (r: R) => Promise<void>): (req: R) => void {
  let pending: R | null = null;
  return (req) => {
    const idle = pending === null;
    pending = req;
    if (!idle) return;
    void exclusive(async () => {
      const r = pending!;
      pending = null;
      await run(r);
    }).catch((e) => post({ type: 'error', id: req.id, message: `${what} failed: ${(e as Error).message}` }));
  };
}

const scheduleAdapt = latestWins<AdaptRequest & { id: number }>('Adaptation', async (r) => {
  const t0 = performance.now();
  const learners = r.methods.map((m) => currentLearner(m));
  const typed = enginePreference !== 'tfjs';
  const curves = typed
    ? adaptFlat(await Promise.all(learners.map(flatOf)), r.points, r.grid, r.steps, r.alpha, r.task)
    : await adaptToPoints(learners, r.points, r.grid, r.steps, r.alpha, r.task);
  const results: Partial<Record<AlgorithmId, NonNullable<(typeof curves)[number]>>> = {};
  r.methods.forEach((m, i) => {
    const c = curves[i];
    if (c) results[m] = c;
  });
  post({ type: 'adapted', id: r.id, results, path: typed ? 'typed arrays' : `tfjs (${tf.getBackend()})`, computeMs: performance.now() - t0 });
});

/**
 * The plane's classifiers adapt on typed arrays (its grid walked row by row); the glyphs' 784-input networks,
 * where dense products dominate, on the tfjs backend.
 */
const scheduleClassify = latestWins<ClassifyRequest & { id: number }>('Classification', async (r) => {
  const t0 = performance.now();
  const problem = { problem: r.problem, classes: r.classes };
  const learners = r.methods.map((m) => currentLearner(m, problem));
  const input = { classes: r.classes, support: r.support, queries: r.queries, queryLabels: r.queryLabels, steps: r.steps, alpha: r.alpha };
  const typed = enginePreference !== 'tfjs' && r.problem === 'plane';
  const curves = typed ? classifyFlat(await Promise.all(learners.map(flatOf)), input) : await adaptClassifiers(learners, input);
  const results: Partial<Record<AlgorithmId, (typeof curves)[number]>> = {};
  r.methods.forEach((m, i) => (results[m] = curves[i]));
  post({ type: 'classified', id: r.id, results, path: typed ? 'typed arrays' : `tfjs (${tf.getBackend()})`, computeMs: performance.now() - t0 });
});

// ---- training loop ----
/** The trainer the engine preference allows: fused WebGPU where the probe says so, else typed arrays or TF.js. */
async function trainerFor(config: TrainConfig): Promise<{ trainer: Trainer; note: string | null }> {
  const gpu = await gpuTrainerFor(config, enginePreference);
  return { trainer: gpu.trainer ?? createTrainer(config, enginePreference === 'tfjs' ? 'tfjs' : 'auto'), note: gpu.note };
}

/** What the page shows as the training engine. */
const pathLabel = (trainer: Trainer) => (trainer.path === 'tfjs' ? `tfjs (${tf.getBackend()})` : trainer.path);

const PROGRESS_MS = 250;
const SNAPSHOT_MS = 2000;

async function trainLoop(t: Training): Promise<void> {
  const loop = ++t.loop;
  const { iterations } = t.trainer.config;
  let lastReport = performance.now();
  let lastSnapshot = lastReport;
  let lastYield = lastReport;
  let itersAtReport = t.trainer.iteration;
  let lossSum = 0;
  let lossCount = 0;
  const mine = () => training === t && t.loop === loop;
  while (mine() && t.state === 'running' && t.trainer.iteration < iterations) {
    const outcome = await exclusive(() => (mine() ? t.trainer.step() : null));
    if (!outcome) return;
    if (!outcome.ok) {
      setTrainState('diverged', outcome.reason);
      await exclusive(() => snapshot(t.method, null, t.key));
      return;
    }
    lossSum += outcome.loss;
    lossCount += 1;
    const now = performance.now();
    if (now - lastReport >= PROGRESS_MS || t.trainer.iteration === iterations) {
      const rate = ((t.trainer.iteration - itersAtReport) * 1000) / (now - lastReport);
      post({
        type: 'progress',
        method: t.method,
        model: t.key,
        iteration: t.trainer.iteration,
        iterations,
        metaLoss: lossSum / lossCount,
        itersPerSec: rate,
        etaSeconds: rate > 0 ? (iterations - t.trainer.iteration) / rate : Infinity,
        stats: outcome.stats,
        path: pathLabel(t.trainer),
        ...(t.pathNote ? { pathNote: t.pathNote } : {}),
      });
      lastReport = now;
      itersAtReport = t.trainer.iteration;
      lossSum = lossCount = 0;
    }
    if (now - lastSnapshot >= SNAPSHOT_MS) {
      lastSnapshot = now;
      await exclusive(() => snapshot(t.method, null, t.key));
    }
    if (now - lastYield >= 8) {
      lastYield = now;
      await yieldToEvents();
    }
  }
  if (mine() && t.trainer.iteration >= iterations) {
    await exclusive(async () => {
      if (training !== t) return; // reset or restarted meanwhile
      // The trained parameters become the method's model; the trainer is done.
      models.set(t.key, { params: t.trainer.takeParams(), training: { ...t.trainer.config } });
      t.trainer.dispose();
      training = null;
      post({ type: 'trainState', method: t.method, model: t.key, state: 'done', message: `Training finished: ${iterations} iterations.` });
      await snapshot(t.method, null, t.key);
    });
  }
}

function stopTraining(): void {
  if (!training) return;
  training.trainer.dispose();
  training = null;
}

/** One meta-iteration of the path being benchmarked, from a fresh trainer. */
async function benchStepper(path: BenchPath, config: TrainConfig): Promise<{ run(): Promise<void>; dispose(): void }> {
  if (path === 'per-task loop') {
    const loop = new PerTaskLoopMaml(config);
    return { run: async () => void (await loop.step()), dispose: () => loop.dispose() };
  }
  let trainer: Trainer;
  if (path === 'fused') {
    const gpu = await gpuTrainerFor(config, 'gpu');
    if (!gpu.trainer) throw new Error(gpu.note ?? 'The fused WebGPU kernels are not available here.');
    trainer = gpu.trainer;
  } else trainer = path === 'typed' ? new TypedMamlTrainer(config) : new MetaTrainer(config);
  return {
    run: async () => {
      const r = await trainer.step();
      if (!r.ok) throw new Error(r.reason);
    },
    dispose: () => trainer.dispose(),
  };
}

// ---- messages ----
async function handle(msg: WorkerRequest): Promise<void> {
  switch (msg.type) {
    case 'init':
      // Exclusive, so loads queued right behind init (after a restart) land on initialised models.
      return exclusive(async () => {
        enginePreference = msg.engine;
        const choice = await chooseBackend(msg.backend);
        models.reset();
        post({ type: 'ready', backend: choice.backend, fallbacks: choice.fallbacks });
      });
    case 'load':
      return exclusive(() => {
        const ckpt = validateCheckpoint(msg.checkpoint);
        const key = checkpointModelKey(ckpt);
        if (training && training.key === key)
          throw new Error(`${ALGORITHMS[ckpt.algorithm].label} is being trained on this problem; reset training before loading a checkpoint for it.`);
        models.set(key, { params: paramsFromArrays(checkpointArrays(ckpt)), training: ckpt.training, evaluation: ckpt.evaluation });
        post({ type: 'loaded', id: msg.id, method: ckpt.algorithm, model: key, source: msg.source });
      });
    case 'adapt':
      scheduleAdapt(msg);
      return;
    case 'classify':
      scheduleClassify(msg);
      return;
    case 'evaluate': {
      // Chunk by chunk through the lock, so adaptation requests (clicks) are answered in between.
      const results: Partial<Record<AlgorithmId, EvalCurve | ClassEvalCurve>> = {};
      if (msg.problem) {
        const problem = { problem: msg.problem, classes: msg.classes };
        const protocol = msg.problem === 'glyphs' ? GLYPH_EVAL : PLANE_EVAL;
        const cfg = { problem: msg.problem, classes: msg.classes!, kShot: msg.kShot, steps: msg.steps, tasks: msg.tasks, alpha: msg.alpha, seed: msg.seed, queryPoints: protocol.queryPoints };
        for (const m of msg.methods) results[m] = await evaluateClassification(() => currentLearner(m, problem), cfg, { chunk: 10, runChunk: exclusive });
        post({ type: 'evaluated', id: msg.id, results });
        return;
      }
      for (const m of msg.methods) {
        const cfg = { kShot: msg.kShot, steps: msg.steps, tasks: msg.tasks, alpha: msg.alpha, seed: msg.seed, queryPoints: PAPER_EVAL.queryPoints };
        results[m] =
          enginePreference === 'tfjs'
            ? await evaluate(() => currentLearner(m), cfg, { chunk: 25, runChunk: exclusive })
            : await evaluateFlatChunked(() => flatOf(currentLearner(m)), cfg, 50, exclusive);
      }
      post({ type: 'evaluated', id: msg.id, results });
      return;
    }
    case 'train': {
      await exclusive(() => stopTraining());
      const { trainer, note } = await exclusive(() => trainerFor(msg.config));
      const t: Training = { trainer, method: msg.config.algorithm, key: modelKey(msg.config.algorithm, msg.config), state: 'running', loop: 0, pathNote: note };
      training = t;
      setTrainState('running');
      void trainLoop(t).catch((e) => {
        setTrainState('paused', `Training stopped: ${(e as Error).message}`);
      });
      return;
    }
    case 'pause':
      if (training && training.state === 'running') {
        setTrainState('paused');
        await exclusive(() => training && snapshot(training.method, null, training.key));
      }
      return;
    case 'resume':
      if (training && (training.state === 'paused' || training.state === 'diverged')) {
        setTrainState('running');
        void trainLoop(training);
      }
      return;
    case 'reset':
      await exclusive(() => {
        const method = training?.method ?? null;
        const model = training?.key ?? null;
        stopTraining();
        post({ type: 'trainState', method, model, state: 'idle', message: method ? `Training of ${ALGORITHMS[method].label} discarded; its previous parameters are back.` : undefined });
      });
      return;
    case 'export':
      await exclusive(() => snapshot(msg.method, msg.id, msg.model ?? msg.method));
      return;
    case 'memory':
      // Through the lock: counted between engine operations, never halfway through one.
      return exclusive(() => {
        const mem = tf.memory();
        post({ type: 'memory', id: msg.id, numTensors: mem.numTensors, numBytes: mem.numBytes });
      });
    case 'bench':
      return exclusive(async () => {
        const path = msg.path ?? 'tfjs';
        const msPerIteration: Partial<Record<AlgorithmId, number>> = {};
        const kernelsPerIteration: Partial<Record<AlgorithmId, number>> = {};
        for (const algorithm of msg.algorithms) {
          const config = { ...defaultTrainConfig(algorithm), iterations: msg.iterations };
          if ((path === 'typed' || path === 'fused') && !typedPathTrains(config)) continue;
          if (path === 'per-task loop' && algorithm !== 'maml') continue;
          const step = await benchStepper(path, config);
          const times: number[] = [];
          for (let i = 0; i < msg.iterations + 3; i++) {
            const t0 = performance.now();
            await step.run();
            if (i >= 3) times.push(performance.now() - t0); // the first steps compile kernels
          }
          // One more iteration, counted: TF.js kernels (on WebGPU, one dispatch each), or the fused path's dispatches.
          if (path === 'fused') kernelsPerIteration[algorithm] = await countDispatches(() => step.run());
          else if (path !== 'typed') kernelsPerIteration[algorithm] = (await tf.profile(() => step.run() as unknown as tf.TensorContainer)).kernels.length;
          step.dispose();
          times.sort((a, b) => a - b);
          msPerIteration[algorithm] = times[Math.floor(times.length / 2)];
        }
        post({ type: 'benchResult', id: msg.id, backend: path === 'typed' ? 'typed arrays' : path === 'fused' ? 'webgpu (fused)' : tf.getBackend(), path, msPerIteration, kernelsPerIteration });
      });
    case 'timeToQuality':
      return exclusive(async () => {
        const { trainer } = await trainerFor(msg.config);
        const evalCfg = { ...PAPER_EVAL, kShot: 5, steps: 1, tasks: msg.evalTasks };
        const curve: { iteration: number; wallSeconds: number; trainSeconds: number; mse: number }[] = [];
        const start = performance.now();
        let train = 0;
        let reached = false;
        try {
          while (!reached && performance.now() - start < msg.seconds * 1000) {
            const t0 = performance.now();
            while (performance.now() - t0 < msg.evalEveryMs) {
              const r = await trainer.step();
              if (!r.ok) throw new Error(`Training diverged: ${r.reason}`);
            }
            train += performance.now() - t0;
            const l = learnerFor(msg.config.algorithm, trainer.params, msg.config);
            const mse = evaluateFlat(flatLearner(await readParams(l.params), l.rule, l.taskInput), evalCfg).mean[1];
            curve.push({ iteration: trainer.iteration, wallSeconds: (performance.now() - start) / 1000, trainSeconds: train / 1000, mse });
            reached = mse <= msg.target;
          }
        } finally {
          trainer.dispose();
        }
        const path = pathLabel(trainer);
        post({ type: 'timeToQualityResult', id: msg.id, path, reached, curve });
      });
    case 'gpuCheck':
      return exclusive(async () => {
        post({ type: 'gpuCheckResult', id: msg.id, ...(await gpuCheck()) });
      });
    case 'crash':
      // Thrown outside any promise so that it reaches the worker's global error handler, as a real crash would.
      setTimeout(() => {
        throw new Error('Simulated worker crash (test hook)');
      });
      return;
  }
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const msg = e.data;
  handle(msg).catch((err) => {
    const id = 'id' in msg ? msg.id : null;
    post({ type: 'error', id, message: (err as Error).message || String(err) });
  });
};

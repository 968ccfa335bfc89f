/**
 * The worker's diagnostic requests, for the benchmark and the browser tests: speed of meta-iterations, time to
 * quality, the fused WebGPU check, tensor memory, and simulated failures: a crash, a worker that closes itself, a
 * hung thread. None of them touches the models; each measurement runs through the engine's lock, so it never
 * overlaps a training step or a click. Message-free like the engine: answers go through the host's post.
 */
import * as tf from '@tensorflow/tfjs';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { defaultTrainConfig, PAPER_EVAL, VALIDATION_EVAL, type TrainConfig } from '../meta/contracts/config';
import { learnerFor } from '../meta/engine/inner';
import { readParams } from '../meta/engine/params';
import { PerTaskLoopMaml } from '../meta/engine/reference-loop';
import { createTrainer, MetaTrainer, type Trainer } from '../meta/engine/trainer';
import { mamlKernelsTrain, typedPathTrains } from '../meta/engine/typed-trainer';
import { flatLearner } from '../meta/fast/adapt';
import { classificationAccuracyFlat, evaluateFlat } from '../meta/fast/evaluate';
import { flatEpisodes } from '../meta/fast/maml';
import { classesOf, drawEpisodes, isClassification, problemInfo } from '../meta/contracts/problems';
import { Rng } from '../meta/contracts/random';
import { countDispatches, gpuCheck, gpuTrainerFor } from './gpu';
import type { BenchPath, WorkerRequest, WorkerResponse } from './protocol';

export type DiagnosticRequest = Extract<WorkerRequest, { type: 'memory' | 'bench' | 'timeToQuality' | 'gpuCheck' | 'crash' | 'stop' | 'hang' }>;

/** What a diagnostic needs of the engine. */
export interface DiagnosticHost {
  post(msg: WorkerResponse): void;
  /** The engine's lock. */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T>;
  /** A fresh trainer on the path the page would train with (the engine preference's). */
  trainerFor(config: TrainConfig): Promise<{ trainer: Trainer; note: string | null }>;
  /** What the page shows as a trainer's path. */
  pathLabel(trainer: Trainer): string;
  /** Lets queued messages in (a macrotask): a long diagnostic still answers pings, so it is not taken for a hang. */
  yieldToEvents(): Promise<void>;
}

/** A long diagnostic lets messages in this often (ms): well inside the page's heartbeat deadline (client.ts). */
const YIELD_MS = 100;

export function runDiagnostic(msg: DiagnosticRequest, host: DiagnosticHost): Promise<void> {
  switch (msg.type) {
    case 'memory':
      // Through the lock: counted between engine operations, never halfway through one.
      return host.exclusive(() => {
        const mem = tf.memory();
        host.post({ type: 'memory', id: msg.id, numTensors: mem.numTensors, numBytes: mem.numBytes });
      });
    case 'bench':
      return host.exclusive(() => bench(msg, host));
    case 'timeToQuality':
      return host.exclusive(() => timeToQuality(msg, host));
    case 'gpuCheck':
      return host.exclusive(async () => {
        host.post({ type: 'gpuCheckResult', id: msg.id, ...(await gpuCheck()) });
      });
    case 'crash':
      // Thrown outside any promise so that it reaches the worker's global error handler, as a real crash would.
      setTimeout(() => {
        throw new Error('Simulated worker crash (test hook)');
      });
      return Promise.resolve();
    case 'stop':
      // A worker that stops without a word: no error event, no answer ever again (a no-op outside a worker).
      (globalThis as { close?: () => void }).close?.();
      return Promise.resolve();
    case 'hang':
      // Blocks the thread, outside the lock: nothing is answered, not even a ping, until it ends (if ever).
      hang(msg.ms ?? Infinity);
      return Promise.resolve();
  }
}

/** Busy-waits for ms milliseconds (Infinity: for ever). */
function hang(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // nothing: the point is that the thread never gets to its event loop
  }
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
  } else trainer = path === 'typed' ? createTrainer(config) : new MetaTrainer(config);
  return {
    run: async () => {
      const r = await trainer.step();
      if (!r.ok) throw new Error(r.reason);
    },
    dispose: () => trainer.dispose(),
  };
}

/** Median ms per meta-iteration of each algorithm on one path, and the kernels (or dispatches) of one. */
async function bench(msg: Extract<DiagnosticRequest, { type: 'bench' }>, host: DiagnosticHost): Promise<void> {
  const path = msg.path ?? 'tfjs';
  const msPerIteration: Partial<Record<AlgorithmId, number>> = {};
  const kernelsPerIteration: Partial<Record<AlgorithmId, number>> = {};
  for (const algorithm of msg.algorithms) {
    const config = { ...defaultTrainConfig(algorithm), iterations: msg.iterations };
    if (path === 'typed' && !typedPathTrains(config)) continue;
    if (path === 'fused' && !mamlKernelsTrain(config)) continue;
    if (path === 'per-task loop' && algorithm !== 'maml') continue;
    const step = await benchStepper(path, config);
    const times: number[] = [];
    for (let i = 0; i < msg.iterations + 3; i++) {
      const t0 = performance.now();
      await step.run();
      if (i >= 3) times.push(performance.now() - t0); // the first steps compile kernels
      await host.yieldToEvents(); // untimed
    }
    // One more iteration, counted: TF.js kernels (on WebGPU, one dispatch each), or the fused path's dispatches.
    if (path === 'fused') kernelsPerIteration[algorithm] = await countDispatches(() => step.run());
    else if (path !== 'typed') kernelsPerIteration[algorithm] = (await tf.profile(() => step.run() as unknown as tf.TensorContainer)).kernels.length;
    step.dispose();
    times.sort((a, b) => a - b);
    msPerIteration[algorithm] = times[Math.floor(times.length / 2)];
  }
  const backend = path === 'typed' ? 'typed arrays' : path === 'fused' ? 'webgpu (fused)' : tf.getBackend();
  host.post({ type: 'benchResult', id: msg.id, backend, path, msPerIteration, kernelsPerIteration });
}

/**
 * A fresh trainer, scored every evalEveryMs of training on validation tasks (their own seed, never trained on
 * nor the test tasks) until it reaches the target or time runs out; the model it stopped at is then scored once on
 * the test tasks, which choose nothing. The sinusoid: 5-shot MSE after one step (reached at or below the target);
 * a classification problem: query accuracy after one step on its own protocol's episodes at the trained K
 * (reached at or above the target; issue 17 target 2), both episode sets drawn once before the clock starts.
 */
async function timeToQuality(msg: Extract<DiagnosticRequest, { type: 'timeToQuality' }>, host: DiagnosticHost): Promise<void> {
  const { trainer } = await host.trainerFor(msg.config);
  const oneStep = { kShot: 5, steps: 1 };
  const info = problemInfo(msg.config);
  const classes = isClassification(msg.config) ? classesOf(msg.config) : null;
  const episodesOf = (seed: number, tasks: number) =>
    classes === null ? null : flatEpisodes(drawEpisodes(msg.config.problem!, new Rng(seed), tasks, classes, msg.config.kSupport, info.evaluation.queryPoints), classes);
  const validation = episodesOf(VALIDATION_EVAL.seed, msg.validationTasks);
  const testEpisodes = episodesOf(info.evaluation.seed, msg.testTasks);
  const learner = async () => {
    const l = learnerFor(msg.config.algorithm, trainer.params, msg.config);
    return flatLearner(await readParams(l.params), l.rule, l.taskInput);
  };
  const curve: { iteration: number; wallSeconds: number; trainSeconds: number; mse: number; accuracy?: number }[] = [];
  const start = performance.now();
  let train = 0;
  let reached = false;
  let test: { iteration: number; tasks: number; mse: number; ci95: number; accuracy?: number };
  try {
    while (!reached && performance.now() - start < msg.seconds * 1000) {
      const t0 = performance.now();
      let yielded = t0;
      let paused = 0;
      while (performance.now() - t0 < msg.evalEveryMs) {
        const r = await trainer.step();
        if (!r.ok) throw new Error(`Training diverged: ${r.reason}`);
        if (performance.now() - yielded >= YIELD_MS) {
          const y0 = performance.now();
          await host.yieldToEvents();
          yielded = performance.now();
          paused += yielded - y0; // not training time
        }
      }
      train += performance.now() - t0 - paused;
      const flat = await learner();
      const point = { iteration: trainer.iteration, wallSeconds: (performance.now() - start) / 1000, trainSeconds: train / 1000 };
      if (validation) {
        const accuracy = classificationAccuracyFlat(flat.theta, flat.sizes, validation, info.evaluation.alpha, 1);
        curve.push({ ...point, mse: NaN, accuracy });
        reached = accuracy >= msg.target;
      } else {
        const mse = evaluateFlat(flat, { ...VALIDATION_EVAL, ...oneStep, tasks: msg.validationTasks }).mean[1];
        curve.push({ ...point, mse });
        reached = mse <= msg.target;
      }
    }
    const flat = await learner();
    if (testEpisodes) {
      test = { iteration: trainer.iteration, tasks: msg.testTasks, mse: NaN, ci95: NaN, accuracy: classificationAccuracyFlat(flat.theta, flat.sizes, testEpisodes, info.evaluation.alpha, 1) };
    } else {
      const scored = evaluateFlat(flat, { ...PAPER_EVAL, ...oneStep, tasks: msg.testTasks });
      test = { iteration: trainer.iteration, tasks: msg.testTasks, mse: scored.mean[1], ci95: scored.ci95[1] };
    }
  } finally {
    trainer.dispose();
  }
  host.post({ type: 'timeToQualityResult', id: msg.id, path: host.pathLabel(trainer), reached, curve, test });
}

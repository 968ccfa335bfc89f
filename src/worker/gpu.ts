/// <reference types="@webgpu/types" />
/**
 * The worker's use of the fused WebGPU MAML kernels (src/meta/gpu): choosing them for training where they are
 * faster than the typed-array path (a short probe, on this device, for this shape), and the check that holds
 * them to the float64 path in the browser tests and the benchmark.
 */
import * as tf from '@tensorflow/tfjs';
import { SINUSOID_MLP } from '../meta/contracts/architecture';
import type { TrainConfig } from '../meta/contracts/config';
import { problemInfo } from '../meta/contracts/problems';
import { FastMaml, initFlat } from '../meta/fast/maml';
import { mamlKernelsTrain, TypedMamlTrainer } from '../meta/engine/typed-trainer';
import { GpuMaml } from '../meta/gpu/fused-maml';
import { Rng } from '../meta/contracts/random';
import { drawMetaBatch, randomTaskSet, type TaskSet } from '../meta/contracts/tasks/sampling';
import type { EnginePreference, GpuCheckCase, GpuCheckReport } from './protocol';

/** The TF.js webgpu backend's device, or why there is none. */
function webgpuDevice(): GPUDevice | string {
  if (tf.getBackend() !== 'webgpu') return `the engine runs on ${tf.getBackend()}, not webgpu`;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  return device ?? 'the webgpu backend has no device';
}

/** Median ms of a few calls after one warm-up (which compiles the pipelines). */
async function msPerCall(call: () => unknown, n = 5): Promise<number> {
  await call();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

/** Every WebGPU compute dispatch (dispatchWorkgroups call, by anyone) while fn runs. */
export async function countDispatches(fn: () => Promise<unknown>): Promise<number> {
  const proto = (self as unknown as { GPUComputePassEncoder: { prototype: GPUComputePassEncoder } }).GPUComputePassEncoder.prototype;
  const original = proto.dispatchWorkgroups;
  let dispatches = 0;
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>) {
    dispatches += 1;
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.dispatchWorkgroups = original;
  }
  return dispatches;
}

export interface GpuChoice {
  /** A trainer on the fused kernels, or null: train on the usual path. */
  trainer: TypedMamlTrainer | null;
  /** What was decided and why, for the page (e.g. the probe's timings). */
  note: string | null;
}

/**
 * MAML and first-order MAML train with the meta-gradient from the fused WebGPU kernels when the backend is
 * webgpu and either the user asked for them (engine=gpu) or a probe on this device finds them faster than the
 * typed-array path. On SwiftShader (an emulated GPU) they are not; on a real GPU they may be, which is why it is
 * measured here rather than assumed. If the kernels fail, training goes on on typed arrays and says why.
 */
export async function gpuTrainerFor(config: TrainConfig, preference: EnginePreference): Promise<GpuChoice> {
  if (preference === 'tfjs' || !mamlKernelsTrain(config) || !problemInfo(config).typed.fused) return { trainer: null, note: null };
  const device = webgpuDevice();
  if (typeof device === 'string') return { trainer: null, note: preference === 'gpu' ? `Fused WebGPU kernels unavailable: ${device}.` : null };
  const shape = { sizes: SINUSOID_MLP.sizes, tasks: config.metaBatch, kSupport: config.kSupport, kQuery: config.kQuery, maxSteps: config.innerSteps };
  const why = GpuMaml.limits(shape, device.limits.maxStorageBufferBindingSize);
  if (why) return { trainer: null, note: `Fused WebGPU kernels unavailable for this shape: ${why}.` };
  let gpu: GpuMaml | null = null;
  try {
    gpu = new GpuMaml(device, shape);
    if (preference === 'gpu') return { trainer: new TypedMamlTrainer(config, gpu), note: 'Fused WebGPU kernels, as requested (engine=gpu).' };
    const exact = config.algorithm === 'maml';
    const rng = new Rng(config.seed);
    const theta = initFlat(SINUSOID_MLP.sizes, rng.fork());
    const data = drawMetaBatch(rng, config.metaBatch, config.kSupport, config.kQuery);
    const grad = new Float64Array(theta.length);
    const cpu = new FastMaml(SINUSOID_MLP.sizes, config.innerSteps, config.kSupport, config.kQuery);
    const probe = gpu;
    const gpuMs = await msPerCall(() => probe.metaGradient(theta, data, config.innerSteps, config.alpha, exact, grad));
    const cpuMs = await msPerCall(() => cpu.metaGradient(theta, data, config.innerSteps, config.alpha, exact, grad));
    const timing = `probe: fused WebGPU ${gpuMs.toFixed(1)} ms, typed arrays ${cpuMs.toFixed(1)} ms per meta-gradient`;
    if (gpuMs < cpuMs) return { trainer: new TypedMamlTrainer(config, gpu), note: `Fused WebGPU kernels (${timing}).` };
    gpu.dispose();
    return { trainer: null, note: `Typed arrays (${timing}).` };
  } catch (e) {
    // A device that fails here (lost, out of memory, a shader it refuses) must not stop training: the typed
    // path takes over, and the page says why.
    gpu?.dispose();
    return { trainer: null, note: `Typed arrays: the fused WebGPU kernels failed (${(e as Error).message}).` };
  }
}

// ---- test hook: the fused WebGPU meta-gradient against the float64 typed-array path (issue 5, target 3) ----

/** max_i |a_i - b_i| / max_i |b_i|. */
function relErr(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** GpuMaml against FastMaml, exact and first order, on one batch for each inner-step count. */
async function gpuCases(gpu: GpuMaml, sizes: number[], theta: Float64Array, data: TaskSet, stepsList: number[], alpha: number): Promise<GpuCheckCase[]> {
  const { kSupport, kQuery } = data;
  const cpu = new FastMaml(sizes, Math.max(...stepsList), kSupport, kQuery);
  const cases: GpuCheckCase[] = [];
  for (const steps of stepsList) {
    const [ge, gf, ce, cf] = [0, 1, 2, 3].map(() => new Float64Array(theta.length));
    const gLossE = await gpu.metaGradient(theta, data, steps, alpha, true, ge);
    const gLossF = await gpu.metaGradient(theta, data, steps, alpha, false, gf);
    const cLossE = cpu.metaGradient(theta, data, steps, alpha, true, ce);
    const cLossF = cpu.metaGradient(theta, data, steps, alpha, false, cf);
    cases.push({
      sizes,
      tasks: data.tasks.length,
      kSupport,
      kQuery,
      steps,
      exactGradError: relErr(ge, ce),
      firstOrderGradError: relErr(gf, cf),
      exactLossError: Math.abs(gLossE - cLossE) / Math.abs(cLossE),
      firstOrderLossError: Math.abs(gLossF - cLossF) / Math.abs(cLossF),
      exactVsFirstOrder: relErr(cf, ce),
      gpuExactVsFirstOrder: relErr(gf, ge),
    });
  }
  return cases;
}


export async function gpuCheck(): Promise<GpuCheckReport> {
  const device = webgpuDevice();
  if (typeof device === 'string') return { available: false, reason: device };
  const alpha = 0.01;
  // The paper's batch: the sinusoid net, 25 tasks, K = Q = 10.
  const sizes = [1, 40, 40, 1];
  const shape = { sizes, tasks: 25, kSupport: 10, kQuery: 10, maxSteps: 5 };
  const why = GpuMaml.limits(shape);
  if (why) return { available: false, reason: why };
  const rng = new Rng(1234);
  const theta = initFlat(sizes, rng.fork());
  const data = drawMetaBatch(rng, shape.tasks, shape.kSupport, shape.kQuery);
  const gpu = new GpuMaml(device, shape);
  try {
    // Dispatches counted independently of the class.
    const g = new Float64Array(theta.length);
    const dispatches = await countDispatches(() => gpu.metaGradient(theta, data, 1, alpha, true, g));
    const cases = await gpuCases(gpu, sizes, theta, data, [1, 3], alpha);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await gpu.metaGradient(theta, data, 1, alpha, true, g);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    // Other shapes: the oracle net with K != Q, and one hidden layer with 3 outputs at the most steps allowed;
    // both built for more tasks than they are given.
    for (const [s, tasks, K, Q, steps] of [
      [[4, 40, 40, 1], 6, 5, 7, 2],
      [[2, 17, 3], 4, 3, 4, 5],
    ] as [number[], number, number, number, number][]) {
      const other = new GpuMaml(device, { sizes: s, tasks: tasks + 2, kSupport: K, kQuery: Q, maxSteps: steps });
      try {
        const set = randomTaskSet(rng, tasks, K, Q, s[0], s[s.length - 1]);
        cases.push(...(await gpuCases(other, s, initFlat(s, rng.fork()), set, [steps], alpha)));
      } finally {
        other.dispose();
      }
    }
    return {
      available: true,
      alpha,
      dispatchesPerCall: dispatches,
      declaredDispatchesPerCall: gpu.dispatchesPerCall,
      cases,
      msPerCall: times[1],
    };
  } finally {
    gpu.dispose();
  }
}

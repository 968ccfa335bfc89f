/// <reference types="@webgpu/types" />
/**
 * TF.js's own WebGPU backend (@tensorflow/tfjs-backend-webgpu) on a real GPU, outside the browser: Node + Dawn's
 * Node bindings (the npm package `webgpu`, dawn.node), for the comparison with the fused kernels
 * (scripts/gpu-node/fused-bench.ts) and the typed-array CPU path.
 *
 * It installs Dawn's WebGPU globals and `navigator.gpu` BEFORE the backend module is evaluated (the backend
 * registers 'webgpu' at load time only if `navigator.gpu` exists, hence the dynamic import), then for each
 * algorithm (default maml, fomaml, pretrained) runs the project's batched MetaTrainer (src/meta/engine/trainer.ts) with
 * defaultTrainConfig(alg) (the paper's batch: 25 tasks, K = 10, one inner step) and prints:
 *   - median / p10 / p90 wall ms of `await trainer.step()` (each step reads the loss back: synchronised), after
 *     warm-ups; the first step's ms (shader compiles included);
 *   - TF.js kernels per iteration (tf.profile, as the worker's 'bench' does) and, independently, the real
 *     GPU work of one plain iteration: dispatchWorkgroups calls, queue submits, buffer maps (readbacks), counted
 *     by wrapping Dawn's prototypes;
 *   - all that twice: WEBGPU_CPU_FORWARD off (the app's setting, src/worker/backend.ts: every kernel on the GPU)
 *     and on (TF.js's default: small ops on CPU-resident data run on its CPU backend, fewer dispatches);
 *   - for scale, the same trainer on TF.js's cpu backend and the typed-array trainer (src/meta/fast) on this
 *     machine's CPU (TFJS_CPU=0 skips them);
 *   - correctness (WEBGPU_CPU_FORWARD off): MAML's and first-order MAML's meta-gradient (getAlgorithm(alg).metaGradient, one batch) on
 *     webgpu vs on the cpu backend: max |webgpu - cpu| / max |cpu| over all parameters, and the loss's relative
 *     difference.
 * Then a markdown table and one line `JSON: {...}`.
 *
 * Bundle (tfjs bundled in, `webgpu` external, next to .gpucarry/node_modules/webgpu):
 *   node_modules/.bin/esbuild scripts/gpu-node/tfjs-webgpu-bench.ts --bundle --platform=node --target=node20 \
 *     --format=esm --external:webgpu --outfile=.gpucarry/tfjs-webgpu-bench.mjs
 * Run locally on SwiftShader:
 *   VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json LD_LIBRARY_PATH=/usr/lib/chromium \
 *     TFJS_ITERS=3 TFJS_WARMUP=1 node .gpucarry/tfjs-webgpu-bench.mjs
 * On the device: bash scripts/gpu-node/device-run-tfjs.sh (carry [".gl", ".gpucarry"]).
 * Env: TFJS_ITERS (timed steps, default 30), TFJS_WARMUP (default 5), TFJS_ALGS (default maml,fomaml,pretrained),
 * TFJS_CPU (0: skip the CPU rows), TFJS_FORWARD (WEBGPU_CPU_FORWARD modes to run, default '0,1'), TFJS_CHECK (0: skip the correctness check), DAWN_ARGS (options for create()),
 * WEBGPU_MODULE (where `webgpu` is imported from).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { AlgorithmId } from '../../src/meta/engine/algorithms';

const ITERS = Number(process.env.TFJS_ITERS ?? 30);
const WARMUP = Number(process.env.TFJS_WARMUP ?? 5);
const ALGS = (process.env.TFJS_ALGS ?? 'maml,fomaml,pretrained').split(',').filter(Boolean) as AlgorithmId[];
const WITH_CPU = process.env.TFJS_CPU !== '0';
const WITH_CHECK = process.env.TFJS_CHECK !== '0';
const FORWARD_MODES = (process.env.TFJS_FORWARD ?? '0,1').split(',').filter(Boolean).map((x) => x === '1');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

interface Timing {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  iterations: number;
  firstMs: number;
}

interface Counts {
  kernels: number;
  dispatches: number | null;
  submits: number | null;
  maps: number | null;
}

interface AlgResult {
  algorithm: AlgorithmId;
  /** WEBGPU_CPU_FORWARD off (the app's setting). */
  webgpu?: Timing & Counts;
  /** WEBGPU_CPU_FORWARD on (TF.js's default). */
  webgpuCpuForward?: Timing & Counts;
  webgpuError?: string;
  tfjsCpu?: Timing & { kernels: number };
  typedArrays?: Timing;
  finalLoss?: number;
}

interface Check {
  algorithm: AlgorithmId;
  gradRelDiff: number;
  gradAbsDiff: number;
  lossWebgpu: number;
  lossCpu: number;
  lossRelDiff: number;
  params: number;
}

/** GPU calls counted while `counting` is on (prototype wrappers, installed once). */
const counter = { on: false, dispatches: 0, submits: 0, maps: 0, installed: false };

function installCounters(): void {
  const g = globalThis as unknown as Record<string, { prototype: Record<string, unknown> } | undefined>;
  const wrap = (cls: string, method: string, field: 'dispatches' | 'submits' | 'maps') => {
    const proto = g[cls]?.prototype;
    const original = proto?.[method];
    if (!proto || typeof original !== 'function') return false;
    proto[method] = function (this: unknown, ...args: unknown[]) {
      if (counter.on) counter[field] += 1;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    return true;
  };
  counter.installed =
    wrap('GPUComputePassEncoder', 'dispatchWorkgroups', 'dispatches') && wrap('GPUQueue', 'submit', 'submits') && wrap('GPUBuffer', 'mapAsync', 'maps');
}

async function timeSteps(step: () => Promise<unknown>): Promise<Timing> {
  const t0 = performance.now();
  await step();
  const firstMs = performance.now() - t0;
  for (let i = 1; i < WARMUP; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < ITERS; i++) {
    const t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  return { medianMs: median(times), p10Ms: pct(times, 0.1), p90Ms: pct(times, 0.9), iterations: times.length, firstMs };
}

function flat(arrays: Float32Array[]): Float64Array {
  const n = arrays.reduce((s, a) => s + a.length, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

async function main() {
  const spec = process.env.WEBGPU_MODULE ?? 'webgpu';
  const webgpu = (await import(spec)) as { create: (o: string[]) => GPU; globals: Record<string, unknown> };
  Object.assign(globalThis, webgpu.globals);
  const dawnArgs = (process.env.DAWN_ARGS ?? '').split(' ').filter(Boolean);
  const gpu = webgpu.create(dawnArgs);
  // Node 21+ has a read-only globalThis.navigator; define ours over it. tfjs-backend-webgpu reads only .gpu.
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu, userAgent: `node ${process.version}`, hardwareConcurrency: 1, language: 'en' },
    configurable: true,
    writable: true,
  });
  console.log(`node ${process.version} ${process.platform}-${process.arch}; dawn args: ${JSON.stringify(dawnArgs)}`);

  // tfjs-backend-webgpu 4.22 asks for requiredFeatures [..., ['bgra8unorm-storage']] (an array inside the list; a
  // browser's WebIDL conversion stringifies it). Flatten it so that a stricter binding cannot reject the request.
  const adapterProto = (globalThis as unknown as { GPUAdapter?: { prototype: GPUAdapter } }).GPUAdapter?.prototype;
  if (adapterProto) {
    const requestDevice = adapterProto.requestDevice;
    adapterProto.requestDevice = function (this: GPUAdapter, desc?: GPUDeviceDescriptor) {
      if (desc?.requiredFeatures) {
        const asked = [...desc.requiredFeatures];
        const flatFeatures = asked.flat() as GPUFeatureName[];
        if (flatFeatures.some((f, i) => f !== asked[i])) console.log(`(flattened requiredFeatures to ${JSON.stringify(flatFeatures)})`);
        desc = { ...desc, requiredFeatures: flatFeatures };
      }
      return requestDevice.call(this, desc);
    };
  }

  let adapterInfo: Record<string, string | undefined> = {};
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('requestAdapter returned null');
    const withInfo = adapter as unknown as { info?: Record<string, string>; requestAdapterInfo?: () => Promise<Record<string, string>> };
    const info = withInfo.info ?? (await withInfo.requestAdapterInfo?.()) ?? {};
    adapterInfo = { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description };
    console.log(`adapter: ${JSON.stringify(adapterInfo)}; features: ${[...adapter.features].sort().join(', ')}`);
  } catch (e) {
    console.log(`no adapter: ${(e as Error).message}`);
    try {
      await webgpu.create(['adapter=__list_adapters__']).requestAdapter();
    } catch (e2) {
      console.log(`adapter list: ${(e2 as Error).message}`);
    }
    console.log(`JSON: ${JSON.stringify({ available: false, reason: 'no adapter' })}`);
    process.exit(2);
  }
  installCounters();

  // Only now: the backend registers itself at load time if navigator.gpu exists.
  const tf = (await import('@tensorflow/tfjs')) as typeof tfTypes;
  await import('@tensorflow/tfjs-backend-webgpu');
  const { MetaTrainer, initialModel } = await import('../../src/meta/engine/trainer');
  const { TypedMamlTrainer, typedPathTrains } = await import('../../src/meta/engine/typed-trainer');
  const { defaultTrainConfig } = await import('../../src/meta/contracts/config');
  const { getAlgorithm } = await import('../../src/meta/engine/algorithms');
  const { disposeParams } = await import('../../src/meta/engine/params');
  const { Rng } = await import('../../src/meta/contracts/random');
  const { sampleMetaBatch, disposeBatch } = await import('../../src/meta/engine/meta-batch');

  console.log(`tf ${tf.version.tfjs}; backends registered: ${Object.keys(tf.engine().registryFactory).join(', ')}`);
  let ok = false;
  let backendError = '';
  try {
    ok = await tf.setBackend('webgpu');
    await tf.ready();
  } catch (e) {
    backendError = (e as Error).stack ?? String(e);
  }
  console.log(`setBackend('webgpu') -> ${ok}; tf.getBackend() = ${tf.getBackend()}${backendError ? `; error: ${backendError}` : ''}`);
  if (!ok || tf.getBackend() !== 'webgpu') {
    console.log(`JSON: ${JSON.stringify({ available: false, reason: `setBackend('webgpu') failed${backendError ? `: ${backendError.split('\n')[0]}` : ''}`, adapter: adapterInfo })}`);
    process.exit(3);
  }
  const backend = tf.backend() as unknown as { adapterInfo?: unknown; device?: GPUDevice; supportTimestampQuery?: boolean };
  const flags = ['WEBGPU_CPU_FORWARD', 'WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 'WEBGPU_USE_GLSL', 'WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD'];
  const flagValues: Record<string, unknown> = {};
  for (const f of flags) {
    try {
      flagValues[f] = tf.env().get(f);
    } catch {
      /* not a flag in this version */
    }
  }
  console.log(`backend adapterInfo: ${JSON.stringify(backend.adapterInfo)}; timestamp-query ${backend.supportTimestampQuery}; flags ${JSON.stringify(flagValues)}`);
  backend.device?.addEventListener('uncapturederror', (e) => console.log(`uncaptured WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`));
  console.log(`counting GPU calls: ${counter.installed}; timed ${ITERS} steps after ${WARMUP} warm-ups; WEBGPU_CPU_FORWARD modes ${JSON.stringify(FORWARD_MODES)}`);

  // One plain iteration with the GPU calls counted, then one under tf.profile for TF.js's kernel count (profiling
  // times every kernel by itself, with its own submit and timestamp readback, so its GPU counts are not typical).
  const measure = async (alg: AlgorithmId): Promise<{ t: Timing & Counts; loss: number }> => {
    const trainer = new MetaTrainer(defaultTrainConfig(alg));
    try {
      let last = NaN;
      const step = async () => {
        const o = await trainer.step();
        if (!o.ok) throw new Error(`diverged: ${o.reason}`);
        last = o.loss;
      };
      const t = await timeSteps(step);
      counter.dispatches = counter.submits = counter.maps = 0;
      counter.on = true;
      try {
        await step();
      } finally {
        counter.on = false;
      }
      const profile = await tf.profile(() => step() as unknown as tfTypes.TensorContainer);
      const counts: Counts = {
        kernels: profile.kernels.length,
        dispatches: counter.installed ? counter.dispatches : null,
        submits: counter.installed ? counter.submits : null,
        maps: counter.installed ? counter.maps : null,
      };
      return { t: { ...t, ...counts }, loss: last };
    } finally {
      trainer.dispose();
    }
  };

  const results: AlgResult[] = ALGS.map((algorithm) => ({ algorithm }));
  // WEBGPU_CPU_FORWARD off first: the app's setting (src/worker/backend.ts), every kernel on the GPU; then on
  // (TF.js's default: small ops on CPU-resident data run on its CPU backend).
  for (const forward of FORWARD_MODES) {
    tf.env().set('WEBGPU_CPU_FORWARD', forward);
    for (const r of results) {
      const key = forward ? 'webgpuCpuForward' : 'webgpu';
      try {
        const { t, loss } = await measure(r.algorithm);
        r[key] = t;
        r.finalLoss = loss;
        console.log(
          `[${r.algorithm}] webgpu, WEBGPU_CPU_FORWARD=${forward}: median ${t.medianMs.toFixed(2)} ms (p10 ${t.p10Ms.toFixed(2)}, p90 ${t.p90Ms.toFixed(2)}, first ${t.firstMs.toFixed(0)}); ` +
            `kernels ${t.kernels}, dispatches ${t.dispatches}, submits ${t.submits}, readbacks ${t.maps}; loss ${loss.toFixed(4)}; tensors ${tf.memory().numTensors}`,
        );
      } catch (e) {
        counter.on = false;
        r.webgpuError = `${r.webgpuError ?? ''}[forward ${forward}] ${(e as Error).stack ?? String(e)}`;
        console.log(`[${r.algorithm}] webgpu (WEBGPU_CPU_FORWARD=${forward}) failed: ${(e as Error).stack ?? e}`);
      }
    }
  }
  tf.env().set('WEBGPU_CPU_FORWARD', false);

  // Correctness: one batch's meta-gradient on webgpu vs on cpu (same seeds, tensors rebuilt on each backend).
  const checks: Check[] = [];
  if (WITH_CHECK) {
    const gradientOn = async (name: string, alg: AlgorithmId) => {
      await tf.setBackend(name);
      const config = defaultTrainConfig(alg);
      const params = initialModel(config);
      const { batch } = sampleMetaBatch(new Rng(4321), config.metaBatch, config.kSupport, config.kQuery);
      const { loss, grads } = tf.tidy(() => getAlgorithm(alg).metaGradient!(params, batch, config));
      const names = Object.keys(grads).sort();
      const arrays = await Promise.all(names.map((n) => grads[n].data() as Promise<Float32Array>));
      const lossValue = (await loss.data())[0];
      loss.dispose();
      disposeParams(grads);
      disposeParams(params);
      disposeBatch(batch);
      return { grad: flat(arrays), loss: lossValue };
    };
    for (const alg of ['maml', 'fomaml'] as AlgorithmId[]) {
      try {
        const g = await gradientOn('webgpu', alg);
        const c = await gradientOn('cpu', alg);
        let diff = 0;
        let scale = 0;
        for (let i = 0; i < c.grad.length; i++) {
          diff = Math.max(diff, Math.abs(g.grad[i] - c.grad[i]));
          scale = Math.max(scale, Math.abs(c.grad[i]));
        }
        const ch: Check = {
          algorithm: alg, gradRelDiff: diff / scale, gradAbsDiff: diff, lossWebgpu: g.loss, lossCpu: c.loss,
          lossRelDiff: Math.abs(g.loss - c.loss) / Math.abs(c.loss), params: c.grad.length,
        };
        checks.push(ch);
        console.log(`[check ${alg}] P=${ch.params}: grad max rel diff ${ch.gradRelDiff.toExponential(2)} (abs ${ch.gradAbsDiff.toExponential(2)}); loss ${g.loss.toFixed(6)} vs ${c.loss.toFixed(6)} (rel ${ch.lossRelDiff.toExponential(2)})`);
      } catch (e) {
        console.log(`[check ${alg}] failed: ${(e as Error).stack ?? e}`);
      }
    }
  }

  // For scale: the same trainer on TF.js's cpu backend, and the typed-array trainer, on this machine's CPU.
  if (WITH_CPU) {
    await tf.setBackend('cpu');
    for (const r of results) {
      const config = defaultTrainConfig(r.algorithm);
      const trainer = new MetaTrainer(config);
      try {
        const step = async () => void (await trainer.step());
        const t = await timeSteps(step);
        const profile = await tf.profile(() => step() as unknown as tfTypes.TensorContainer);
        r.tfjsCpu = { ...t, kernels: profile.kernels.length };
      } finally {
        trainer.dispose();
      }
      if (typedPathTrains(config)) {
        const typed = new TypedMamlTrainer(config);
        try {
          r.typedArrays = await timeSteps(() => typed.step());
        } finally {
          typed.dispose();
        }
      }
      console.log(`[${r.algorithm}] tfjs cpu ${r.tfjsCpu?.medianMs.toFixed(2)} ms (${r.tfjsCpu?.kernels} kernels); typed arrays ${r.typedArrays ? r.typedArrays.medianMs.toFixed(3) : '—'} ms`);
    }
  }

  const f = (x: number | undefined, d = 2) => (x === undefined ? '—' : x.toFixed(d));
  console.log(`\nTF.js webgpu on ${adapterInfo.description || adapterInfo.device || adapterInfo.vendor} (Dawn, Node ${process.version}); median ms per awaited trainer.step(), ${ITERS} steps after ${WARMUP} warm-ups`);
  console.log('| algorithm | WEBGPU_CPU_FORWARD | webgpu ms (p10–p90) | first step ms | TF.js kernels | dispatches | submits | readbacks |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results)
    for (const [mode, w] of [['off (app)', r.webgpu], ['on (TF.js default)', r.webgpuCpuForward]] as const)
      if (w)
        console.log(
          `| ${r.algorithm} | ${mode} | ${f(w.medianMs)} (${f(w.p10Ms)}–${f(w.p90Ms)}) | ${f(w.firstMs, 0)} | ${w.kernels} | ${w.dispatches ?? '—'} | ${w.submits ?? '—'} | ${w.maps ?? '—'} |`,
        );
  if (WITH_CPU) {
    console.log('\n| algorithm | tfjs cpu ms (kernels) | typed arrays ms |');
    console.log('| --- | --- | --- |');
    for (const r of results)
      console.log(`| ${r.algorithm} | ${r.tfjsCpu ? `${f(r.tfjsCpu.medianMs)} (${r.tfjsCpu.kernels})` : '—'} | ${f(r.typedArrays?.medianMs, 3)} |`);
  }
  if (checks.length) {
    console.log('\n| meta-gradient, one batch | max rel diff webgpu vs cpu | max abs diff | loss rel diff |');
    console.log('| --- | --- | --- | --- |');
    for (const c of checks) console.log(`| ${c.algorithm} | ${c.gradRelDiff.toExponential(2)} | ${c.gradAbsDiff.toExponential(2)} | ${c.lossRelDiff.toExponential(2)} |`);
  }
  console.log(`JSON: ${JSON.stringify({ available: true, node: process.version, adapter: adapterInfo, tfjs: tf.version.tfjs, flags: flagValues, iterations: ITERS, warmup: WARMUP, results, checks })}`);
  const failed = results.some((r) => r.webgpuError);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`fatal: ${(e as Error).stack ?? e}`);
  console.log(`JSON: ${JSON.stringify({ available: false, reason: String((e as Error).message ?? e) })}`);
  process.exit(1);
});

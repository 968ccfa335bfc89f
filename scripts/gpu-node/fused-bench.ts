/// <reference types="@webgpu/types" />
/**
 * The fused WebGPU MAML meta-gradient (src/meta/gpu/fused-maml.ts, GpuMaml) on a real GPU, outside the browser:
 * Node + Dawn's Node bindings (the npm package `webgpu`, dawn.node), e.g. on a Vulkan-capable NVIDIA machine.
 * The browser bench (scripts/bench.ts) can only time it on SwiftShader; this measures it on hardware.
 *
 * For each shape (the paper's batch, more inner steps, a plane-like net, bigger meta-batches) it prints:
 *   - the adapter (vendor / architecture / device / description) and the device limits it asked for;
 *   - the max error of GpuMaml's exact and first-order meta-gradients and losses against the float64
 *     typed-array reference (src/meta/fast/maml.ts FastMaml), as src/worker/gpu.ts's gpuCheck computes it
 *     (max |gpu - cpu| / max |cpu|), plus the absolute max error;
 *   - dispatches per call (counted by wrapping GPUComputePassEncoder.dispatchWorkgroups), and the declared count;
 *   - median (and p10 / p90) wall ms per awaited metaGradient call, exact and first order, after warm-ups; the
 *     ratio exact / first order; the first call's ms (pipeline compile included);
 *   - queued through the API: N metaGradient calls issued without awaiting, then awaited together (GpuMaml
 *     serialises them internally, each with its own upload and readback), ms per call;
 *   - pipelined (below the API, reusing GpuMaml's own pipelines and bind groups, read via its private fields;
 *     the class itself is not changed): N x (upload theta + tasks, the 2 dispatches, copy to staging) submitted
 *     back to back with ONE readback at the end, ms per call; and N x (the 2 dispatches) in one command buffer,
 *     ms per call (pure GPU throughput);
 *   - GPU time of the two dispatches by timestamp queries, where the adapter has 'timestamp-query';
 *   - the float64 CPU reference's ms per call on this machine's CPU, for scale.
 * Then a markdown table and one line `JSON: {...}`.
 *
 * `webgpu` is not a dependency of the app: install it elsewhere and bundle this file next to it, e.g.
 *   mkdir -p .gpucarry && cd .gpucarry && echo '{"name":"gpucarry","private":true}' > package.json && npm i webgpu@0.6.2 && cd ..
 *   node_modules/.bin/esbuild scripts/gpu-node/fused-bench.ts --bundle --platform=node --target=node20 \
 *     --format=esm --external:webgpu --outfile=.gpucarry/fused-bench.mjs
 *   node .gpucarry/fused-bench.mjs
 * (scripts/gpu-node/prepare.sh does this and packs node + dawn.node for the device machine; see its header.)
 * It is loaded by a dynamic import so that this file type-checks in the repo without the package.
 * Env: FUSED_CALLS (timed calls per measurement, default 200), FUSED_WARMUP (default 20), FUSED_QUEUE (calls
 * queued before one readback, default 50), DAWN_ARGS (space-separated options for create(), e.g.
 * 'backend=vulkan' or 'adapter=NVIDIA H100 80GB HBM3'), FUSED_SHAPES (comma-separated shape names to run).
 */
import { FastMaml, initFlat } from '../../src/meta/fast/maml';
import { GpuMaml, type GpuMamlOptions } from '../../src/meta/gpu/fused-maml';
import { Rng } from '../../src/meta/contracts/random';
import { drawMetaBatch, randomTaskSet } from '../../src/meta/contracts/tasks/sampling';

const CALLS = Number(process.env.FUSED_CALLS ?? 200);
const WARMUP = Number(process.env.FUSED_WARMUP ?? 20);
const QUEUE = Number(process.env.FUSED_QUEUE ?? 50);
/** A measurement stops early after this many ms (the slow shapes on a slow adapter). */
const BUDGET_MS = Number(process.env.FUSED_BUDGET_MS ?? 8000);
const ALPHA = 0.01;

interface Shape {
  name: string;
  sizes: number[];
  tasks: number;
  k: number;
  q: number;
  steps: number;
  note: string;
}

const SHAPES: Shape[] = [
  { name: 'paper', sizes: [1, 40, 40, 1], tasks: 25, k: 10, q: 10, steps: 1, note: "the paper's sinusoid batch" },
  { name: 'steps5', sizes: [1, 40, 40, 1], tasks: 25, k: 10, q: 10, steps: 5, note: '5 inner steps' },
  { name: 'plane', sizes: [2, 40, 40, 5], tasks: 25, k: 25, q: 25, steps: 1, note: 'plane-like net, random data' },
  { name: 'batch100', sizes: [1, 40, 40, 1], tasks: 100, k: 10, q: 10, steps: 1, note: 'meta-batch 100' },
  { name: 'batch1000', sizes: [1, 40, 40, 1], tasks: 1000, k: 10, q: 10, steps: 1, note: 'meta-batch 1000' },
  { name: 'batch100x5', sizes: [1, 40, 40, 1], tasks: 100, k: 10, q: 10, steps: 5, note: 'meta-batch 100, 5 steps' },
  { name: 'batch10000', sizes: [1, 40, 40, 1], tasks: 10000, k: 10, q: 10, steps: 1, note: 'meta-batch 10000' },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** max_i |a_i - b_i| / max_i |b_i| (as gpuCheck), and max_i |a_i - b_i|. */
function errors(a: Float64Array, b: Float64Array): { rel: number; abs: number } {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { rel: diff / scale, abs: diff };
}


interface Timing {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  calls: number;
}

/** Wall ms of each awaited call, after warm-ups; stops early past BUDGET_MS. */
async function timeCalls(call: () => unknown, calls = CALLS, warmup = WARMUP): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await call();
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
    if (performance.now() - start > BUDGET_MS && times.length >= 5) break;
  }
  return { medianMs: median(times), p10Ms: pct(times, 0.1), p90Ms: pct(times, 0.9), calls: times.length };
}

/** Median over `reps` repetitions of (total ms of fn) / n. */
async function perCallOfBatch(fn: () => Promise<unknown>, n: number, reps = 5): Promise<number> {
  await fn();
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    ts.push((performance.now() - t0) / n);
  }
  return median(ts);
}

/** GpuMaml's private state this script reuses (read only; the class is not changed). */
interface Internals {
  plan: { P: number; dStride: number };
  bound: { pipelines: { task: GPUComputePipeline; mean: GPUComputePipeline }; task: GPUBindGroup; mean: GPUBindGroup } | null;
  uniform: GPUBuffer;
  theta: GPUBuffer;
  data: GPUBuffer;
  mean: GPUBuffer;
  staging: GPUBuffer;
  theta32: Float32Array<ArrayBuffer>;
  data32: Float32Array<ArrayBuffer>;
}

function internals(g: GpuMaml): Internals {
  const i = g as unknown as Internals;
  if (!i.bound || !i.plan || !i.staging) throw new Error('GpuMaml internals not as expected (bound / plan / staging)');
  return i;
}

/** Encodes the two dispatches of one call exactly as GpuMaml.run does. */
function encodeCall(enc: GPUCommandEncoder, i: Internals, T: number, timestamps?: { set: GPUQuerySet; at: number }) {
  const b = i.bound!;
  const WG = 64;
  if (timestamps) {
    // Two passes so the per-task and the mean dispatch are timed separately.
    const p1 = enc.beginComputePass({ timestampWrites: { querySet: timestamps.set, beginningOfPassWriteIndex: timestamps.at, endOfPassWriteIndex: timestamps.at + 1 } });
    p1.setPipeline(b.pipelines.task);
    p1.setBindGroup(0, b.task);
    p1.dispatchWorkgroups(T);
    p1.end();
    const p2 = enc.beginComputePass({ timestampWrites: { querySet: timestamps.set, beginningOfPassWriteIndex: timestamps.at + 2, endOfPassWriteIndex: timestamps.at + 3 } });
    p2.setPipeline(b.pipelines.mean);
    p2.setBindGroup(0, b.mean);
    p2.dispatchWorkgroups(Math.ceil((i.plan.P + 1) / WG));
    p2.end();
    return;
  }
  const pass = enc.beginComputePass();
  pass.setPipeline(b.pipelines.task);
  pass.setBindGroup(0, b.task);
  pass.dispatchWorkgroups(T);
  pass.setPipeline(b.pipelines.mean);
  pass.setBindGroup(0, b.mean);
  pass.dispatchWorkgroups(Math.ceil((i.plan.P + 1) / WG));
  pass.end();
}

interface ShapeResult {
  name: string;
  note: string;
  sizes: number[];
  tasks: number;
  kSupport: number;
  kQuery: number;
  steps: number;
  params: number;
  limits: string | null;
  error?: string;
  dispatchesPerCall?: number | null;
  declaredDispatchesPerCall?: number;
  firstCallMs?: number;
  exactRelErr?: number;
  exactAbsErr?: number;
  firstOrderRelErr?: number;
  firstOrderAbsErr?: number;
  exactLossRelErr?: number;
  firstOrderLossRelErr?: number;
  exactVsFirstOrderCpu?: number;
  exact?: Timing;
  firstOrder?: Timing;
  exactOverFirstOrder?: number;
  queuedApiMsPerCall?: { exact: number; firstOrder: number };
  pipelinedMsPerCall?: { exact: number; firstOrder: number };
  gpuOnlyMsPerCall?: { exact: number; firstOrder: number };
  timestampMs?: { exact: { task: number; mean: number }; firstOrder: { task: number; mean: number } } | null;
  cpuFloat64Ms?: { exact: number; firstOrder: number };
}

async function main() {
  const spec = process.env.WEBGPU_MODULE ?? 'webgpu';
  const webgpu = (await import(spec)) as { create: (o: string[]) => GPU; globals: Record<string, unknown> };
  Object.assign(globalThis, webgpu.globals);
  const dawnArgs = (process.env.DAWN_ARGS ?? '').split(' ').filter(Boolean);
  const gpu = webgpu.create(['enable-dawn-features=allow_unsafe_apis', 'disable-dawn-features=timestamp_quantization', ...dawnArgs]);
  console.log(`node ${process.version} ${process.platform}-${process.arch}; dawn args: ${JSON.stringify(dawnArgs)}`);
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    console.log(`requestAdapter threw: ${(e as Error).message}`);
  }
  if (!adapter) {
    console.log('no adapter');
    // Dawn lists the adapters it sees when asked for one that does not exist.
    try {
      await webgpu.create(['adapter=__list_adapters__']).requestAdapter();
    } catch (e) {
      console.log(`adapter list: ${(e as Error).message}`);
    }
    console.log(`JSON: ${JSON.stringify({ available: false, reason: 'no adapter' })}`);
    process.exit(2);
  }
  // adapter.info is newer than this repo's @webgpu/types; older Dawn has requestAdapterInfo().
  const withInfo = adapter as unknown as { info?: Record<string, string>; requestAdapterInfo?: () => Promise<Record<string, string>> };
  const info = withInfo.info ?? (await withInfo.requestAdapterInfo?.()) ?? {};
  const adapterInfo = { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description };
  const features = [...adapter.features].sort();
  console.log(`adapter: ${JSON.stringify(adapterInfo)}`);
  console.log(`adapter features: ${features.join(', ')}`);
  const hasTimestamps = adapter.features.has('timestamp-query');
  const maxBinding = adapter.limits.maxStorageBufferBindingSize;
  const device = await adapter.requestDevice({
    requiredFeatures: hasTimestamps ? ['timestamp-query'] : [],
    requiredLimits: { maxStorageBufferBindingSize: maxBinding, maxBufferSize: adapter.limits.maxBufferSize },
  });
  device.addEventListener('uncapturederror', (e) => console.log(`uncaptured WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`));
  console.log(`device: maxStorageBufferBindingSize ${device.limits.maxStorageBufferBindingSize}, timestamp-query ${hasTimestamps}`);

  // Dispatch counting, independent of the class (as src/worker/gpu.ts's countDispatches).
  const proto = (globalThis as unknown as { GPUComputePassEncoder?: { prototype: GPUComputePassEncoder } }).GPUComputePassEncoder?.prototype;
  let dispatches = 0;
  let counting = false;
  if (proto && typeof proto.dispatchWorkgroups === 'function') {
    const original = proto.dispatchWorkgroups;
    proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>) {
      if (counting) dispatches += 1;
      return original.apply(this, args);
    };
  }

  const only = process.env.FUSED_SHAPES?.split(',');
  const results: ShapeResult[] = [];
  for (const s of SHAPES.filter((x) => !only || only.includes(x.name))) {
    const opts: GpuMamlOptions = { sizes: s.sizes, tasks: s.tasks, kSupport: s.k, kQuery: s.q, maxSteps: s.steps };
    const rng = new Rng(1234);
    const theta = initFlat(s.sizes, rng.fork());
    const sinusoid = s.sizes[0] === 1 && s.sizes[s.sizes.length - 1] === 1;
    const data = sinusoid ? drawMetaBatch(rng, s.tasks, s.k, s.q) : randomTaskSet(rng, s.tasks, s.k, s.q, s.sizes[0], s.sizes[s.sizes.length - 1]);
    const r: ShapeResult = {
      name: s.name, note: s.note, sizes: s.sizes, tasks: s.tasks, kSupport: s.k, kQuery: s.q, steps: s.steps,
      params: theta.length, limits: GpuMaml.limits(opts, device.limits.maxStorageBufferBindingSize),
    };
    results.push(r);
    if (r.limits) {
      console.log(`[${s.name}] skipped: ${r.limits}`);
      continue;
    }
    let g: GpuMaml | null = null;
    try {
      g = new GpuMaml(device, opts);
      const gm = g;
      const n = theta.length;
      const [ge, gf, ce, cf] = [0, 1, 2, 3].map(() => new Float64Array(n));
      const cpu = new FastMaml(s.sizes, s.steps, s.k, s.q);

      // First call: compiles the pipelines; counted dispatches.
      const t0 = performance.now();
      dispatches = 0;
      counting = true;
      const lossE = await gm.metaGradient(theta, data, s.steps, ALPHA, true, ge);
      counting = false;
      r.firstCallMs = performance.now() - t0;
      r.dispatchesPerCall = proto ? dispatches : null;
      r.declaredDispatchesPerCall = gm.dispatchesPerCall;
      const lossF = await gm.metaGradient(theta, data, s.steps, ALPHA, false, gf);
      const cLossE = cpu.metaGradient(theta, data, s.steps, ALPHA, true, ce);
      const cLossF = cpu.metaGradient(theta, data, s.steps, ALPHA, false, cf);
      const eE = errors(ge, ce);
      const eF = errors(gf, cf);
      Object.assign(r, {
        exactRelErr: eE.rel, exactAbsErr: eE.abs, firstOrderRelErr: eF.rel, firstOrderAbsErr: eF.abs,
        exactLossRelErr: Math.abs(lossE - cLossE) / Math.abs(cLossE),
        firstOrderLossRelErr: Math.abs(lossF - cLossF) / Math.abs(cLossF),
        exactVsFirstOrderCpu: errors(cf, ce).rel,
      });
      console.log(`[${s.name}] P=${n} first call ${r.firstCallMs.toFixed(1)} ms; dispatches ${r.dispatchesPerCall} (declared ${r.declaredDispatchesPerCall}); ` +
        `rel err exact ${eE.rel.toExponential(2)} first-order ${eF.rel.toExponential(2)}; loss ${lossE.toFixed(5)} vs ${cLossE.toFixed(5)}`);

      // Awaited calls, exact and first order, twice alternately (the second pair is reported; the first warms up).
      const grad = new Float64Array(n);
      const callE = () => gm.metaGradient(theta, data, s.steps, ALPHA, true, grad);
      const callF = () => gm.metaGradient(theta, data, s.steps, ALPHA, false, grad);
      await timeCalls(callE, Math.min(CALLS, 20));
      await timeCalls(callF, Math.min(CALLS, 20));
      r.exact = await timeCalls(callE);
      r.firstOrder = await timeCalls(callF);
      r.exactOverFirstOrder = r.exact.medianMs / r.firstOrder.medianMs;
      console.log(`[${s.name}] awaited: exact ${r.exact.medianMs.toFixed(3)} ms (p10 ${r.exact.p10Ms.toFixed(3)}, p90 ${r.exact.p90Ms.toFixed(3)}, ${r.exact.calls} calls), ` +
        `first-order ${r.firstOrder.medianMs.toFixed(3)} ms; ratio ${r.exactOverFirstOrder.toFixed(2)}`);

      // Queued through the API: issued without awaiting (GpuMaml runs them one after another).
      const queued = (exact: boolean) => () => Promise.all(Array.from({ length: QUEUE }, () => gm.metaGradient(theta, data, s.steps, ALPHA, exact, grad)));
      r.queuedApiMsPerCall = { exact: await perCallOfBatch(queued(true), QUEUE), firstOrder: await perCallOfBatch(queued(false), QUEUE) };

      // Below the API: GpuMaml's pipelines and buffers, N calls' work submitted before one readback.
      const i = internals(gm);
      const q = device.queue;
      const T = data.tasks.length;
      const setMode = async (exact: boolean) => {
        await gm.metaGradient(theta, data, s.steps, ALPHA, exact, grad); // leaves the uniform (steps, exact, alpha, T) set
      };
      const pipelined = async () => {
        for (let k = 0; k < QUEUE; k++) {
          q.writeBuffer(i.theta, 0, i.theta32);
          q.writeBuffer(i.data, 0, i.data32, 0, T * i.plan.dStride);
          const enc = device.createCommandEncoder();
          encodeCall(enc, i, T);
          enc.copyBufferToBuffer(i.mean, 0, i.staging, 0, (i.plan.P + 1) * 4);
          q.submit([enc.finish()]);
        }
        await i.staging.mapAsync(GPUMapMode.READ);
        i.staging.unmap();
      };
      const gpuOnly = async () => {
        const enc = device.createCommandEncoder();
        for (let k = 0; k < QUEUE; k++) encodeCall(enc, i, T);
        q.submit([enc.finish()]);
        await q.onSubmittedWorkDone();
      };
      await setMode(true);
      const pE = await perCallOfBatch(pipelined, QUEUE);
      const oE = await perCallOfBatch(gpuOnly, QUEUE);
      await setMode(false);
      const pF = await perCallOfBatch(pipelined, QUEUE);
      const oF = await perCallOfBatch(gpuOnly, QUEUE);
      r.pipelinedMsPerCall = { exact: pE, firstOrder: pF };
      r.gpuOnlyMsPerCall = { exact: oE, firstOrder: oF };

      // Timestamp queries around each dispatch (in its own pass).
      r.timestampMs = null;
      if (hasTimestamps) {
        const reps = 50;
        const set = device.createQuerySet({ type: 'timestamp', count: 4 * reps });
        const resolve = device.createBuffer({ size: 8 * 4 * reps, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
        const read = device.createBuffer({ size: 8 * 4 * reps, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
        const stamp = async () => {
          for (let k = 0; k < reps; k++) {
            const enc = device.createCommandEncoder();
            encodeCall(enc, i, T, { set, at: 4 * k });
            q.submit([enc.finish()]);
          }
          const enc = device.createCommandEncoder();
          enc.resolveQuerySet(set, 0, 4 * reps, resolve, 0);
          enc.copyBufferToBuffer(resolve, 0, read, 0, 8 * 4 * reps);
          q.submit([enc.finish()]);
          await read.mapAsync(GPUMapMode.READ);
          const ts = new BigUint64Array(read.getMappedRange().slice(0));
          read.unmap();
          const task: number[] = [];
          const mean: number[] = [];
          for (let k = 0; k < reps; k++) {
            task.push(Number(ts[4 * k + 1] - ts[4 * k]) / 1e6);
            mean.push(Number(ts[4 * k + 3] - ts[4 * k + 2]) / 1e6);
          }
          return { task: median(task), mean: median(mean) };
        };
        await setMode(true);
        await stamp();
        const tE = await stamp();
        await setMode(false);
        const tF = await stamp();
        r.timestampMs = { exact: tE, firstOrder: tF };
        set.destroy();
        resolve.destroy();
        read.destroy();
      }
      console.log(`[${s.name}] queued via API ${r.queuedApiMsPerCall.exact.toFixed(3)} / ${r.queuedApiMsPerCall.firstOrder.toFixed(3)} ms; ` +
        `pipelined (1 readback per ${QUEUE}) ${pE.toFixed(3)} / ${pF.toFixed(3)} ms; GPU only ${oE.toFixed(4)} / ${oF.toFixed(4)} ms; ` +
        `timestamps ${r.timestampMs ? `${r.timestampMs.exact.task.toFixed(4)}+${r.timestampMs.exact.mean.toFixed(4)} / ${r.timestampMs.firstOrder.task.toFixed(4)}+${r.timestampMs.firstOrder.mean.toFixed(4)}` : 'n/a'} ms (exact / first-order)`);

      // The float64 CPU reference on this machine, for scale (not timed for the biggest batches: it is linear in tasks).
      if (s.tasks * (s.steps + 1) <= 4000) {
        const cpuCalls = Math.max(3, Math.min(100, Math.floor(2000 / (s.tasks * (s.steps + 1)))));
        r.cpuFloat64Ms = {
          exact: (await timeCalls(() => cpu.metaGradient(theta, data, s.steps, ALPHA, true, grad), cpuCalls, 1)).medianMs,
          firstOrder: (await timeCalls(() => cpu.metaGradient(theta, data, s.steps, ALPHA, false, grad), cpuCalls, 1)).medianMs,
        };
        console.log(`[${s.name}] CPU float64 reference ${r.cpuFloat64Ms.exact.toFixed(3)} / ${r.cpuFloat64Ms.firstOrder.toFixed(3)} ms`);
      }
    } catch (e) {
      r.error = (e as Error).stack ?? String(e);
      console.log(`[${s.name}] FAILED: ${r.error}`);
    } finally {
      g?.dispose();
    }
  }

  // ---- report ----
  const f = (v: number | undefined, d = 3) => (v === undefined ? '—' : v.toFixed(d));
  const e = (v: number | undefined) => (v === undefined ? '—' : v.toExponential(1));
  console.log(`\n## Fused WebGPU MAML meta-gradient (GpuMaml) on ${adapterInfo.description || adapterInfo.device || adapterInfo.vendor} (${adapterInfo.vendor}, ${adapterInfo.architecture}), Node + dawn.node`);
  console.log(`ms per call: median of up to ${CALLS} awaited calls after ${WARMUP} warm-ups; queued / pipelined / GPU-only: ${QUEUE} calls per batch; 'GPU ts' = timestamp-query time of the per-task + mean dispatches`);
  console.log('| shape | sizes | tasks | K=Q | steps | dispatches | exact ms | first-order ms | exact/FO | queued API ms (E/FO) | pipelined ms (E/FO) | GPU-only ms (E/FO) | GPU ts ms (E/FO) | CPU f64 ms (E/FO) | grad rel err (E/FO) | first call ms |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    if (r.limits || r.error) {
      console.log(`| ${r.name} | ${r.sizes.join('-')} | ${r.tasks} | ${r.kSupport}=${r.kQuery} | ${r.steps} | ${r.limits ? `skipped: ${r.limits}` : `failed: ${r.error!.split('\n')[0]}`} |`);
      continue;
    }
    const ts = r.timestampMs ? `${f(r.timestampMs.exact.task + r.timestampMs.exact.mean, 4)} / ${f(r.timestampMs.firstOrder.task + r.timestampMs.firstOrder.mean, 4)}` : '—';
    console.log(`| ${r.name} | ${r.sizes.join('-')} | ${r.tasks} | ${r.kSupport}=${r.kQuery} | ${r.steps} | ${r.dispatchesPerCall ?? '—'} (declared ${r.declaredDispatchesPerCall}) | ` +
      `${f(r.exact?.medianMs)} | ${f(r.firstOrder?.medianMs)} | ${f(r.exactOverFirstOrder, 2)} | ${f(r.queuedApiMsPerCall?.exact)} / ${f(r.queuedApiMsPerCall?.firstOrder)} | ` +
      `${f(r.pipelinedMsPerCall?.exact)} / ${f(r.pipelinedMsPerCall?.firstOrder)} | ${f(r.gpuOnlyMsPerCall?.exact, 4)} / ${f(r.gpuOnlyMsPerCall?.firstOrder, 4)} | ${ts} | ` +
      `${f(r.cpuFloat64Ms?.exact)} / ${f(r.cpuFloat64Ms?.firstOrder)} | ${e(r.exactRelErr)} / ${e(r.firstOrderRelErr)} | ${f(r.firstCallMs, 1)} |`);
  }
  const worst = Math.max(...results.flatMap((r) => [r.exactRelErr ?? 0, r.firstOrderRelErr ?? 0]));
  console.log(`\nworst relative gradient error against float64: ${worst.toExponential(2)}`);
  const json = { date: new Date().toISOString(), node: process.version, adapter: adapterInfo, features, timestampQuery: hasTimestamps, calls: CALLS, warmup: WARMUP, queue: QUEUE, alpha: ALPHA, worstRelErr: worst, shapes: results };
  console.log(`JSON: ${JSON.stringify(json)}`);
  device.destroy();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.log(`fused-bench failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { softwareGpuAdapter, softwareWebglRenderer } from './adapter-kind';
import { pickFastest, PROBE_BUDGET_MS, PROBE_ROUND_LIMIT_MS, type ProbeTiming } from './probe';
import { BACKEND_ORDER, type BackendName } from './protocol';

// The .wasm binaries are served by our own origin (Vite emits them as assets): no CDN at run time.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

// The threaded build's pthread workers fail inside our bundled module worker ("e is not defined"), and
// threads buy little on matrices this small: SIMD single-threaded wasm.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

// Small tensors would otherwise be computed on the CPU by the webgpu backend; we want WebGPU to mean WebGPU.
tf.env().set('WEBGPU_CPU_FORWARD', false);

export interface BackendChoice {
  backend: BackendName;
  /** One line per backend tried and skipped, saying why. */
  fallbacks: string[];
  /** What runs it when that is worth naming, e.g. "software adapter: SwiftShader"; absent otherwise. */
  adapter?: string;
}

/** The name of the software adapter WebGPU would run on (e.g. "SwiftShader"), or null: hardware or unknown. */
async function webgpuSoftware(): Promise<string | null> {
  try {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return null;
    const adapter = (await gpu.requestAdapter()) as {
      info?: GPUAdapterInfoLike;
      isFallbackAdapter?: boolean;
      requestAdapterInfo?: () => Promise<GPUAdapterInfoLike>;
    } | null;
    if (!adapter) return null;
    const info = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : undefined);
    return softwareGpuAdapter(info, adapter.isFallbackAdapter === true);
  } catch {
    return null;
  }
}
type GPUAdapterInfoLike = { vendor?: string; architecture?: string; device?: string; description?: string };

/** The name of the software renderer WebGL would run on (e.g. "SwiftShader"), or null: hardware or unknown. */
function webglSoftware(): string | null {
  try {
    if (typeof OffscreenCanvas === 'undefined') return null;
    const canvas = new OffscreenCanvas(1, 1);
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return softwareWebglRenderer(renderer);
  } catch {
    return null;
  }
}

/** The software adapter or renderer a GPU backend would run on, or null. */
async function softwareFor(name: BackendName): Promise<string | null> {
  if (name === 'webgpu') return webgpuSoftware();
  if (name === 'webgl') return webglSoftware();
  return null;
}

/** Proves the backend computes: a tiny matMul whose answer is known, read back asynchronously. */
async function smokeTest(): Promise<void> {
  const t = tf.matMul(tf.tensor2d([1, 2], [1, 2]), tf.tensor2d([3, 4], [2, 1]));
  const [v] = await t.data();
  t.dispose();
  if (v !== 11) throw new Error(`smoke test computed ${v} instead of 11`);
}

async function tryBackend(name: BackendName): Promise<string | null> {
  if (name === 'webgpu' && !(typeof navigator !== 'undefined' && 'gpu' in navigator))
    return 'navigator.gpu is not available in this browser';
  try {
    if (!(await tf.setBackend(name))) return 'setBackend returned false (no adapter or context)';
    await tf.ready();
    await smokeTest();
    return null;
  } catch (e) {
    return (e as Error).message || String(e);
  }
}

/**
 * webgpu -> webgl -> wasm -> cpu, checking every setBackend result (webgpu registers itself even when no
 * adapter exists). A GPU backend on a software adapter (SwiftShader: headless Chromium without a GPU) is
 * skipped, saying so: it is slower than wasm (issue 17). A forced backend is tried first, software or not, and
 * the choice names its software adapter; if it fails, the usual order follows and says why.
 */
export async function chooseBackend(forced: BackendName | null): Promise<BackendChoice> {
  const order = forced ? [forced, ...BACKEND_ORDER.filter((b) => b !== forced)] : BACKEND_ORDER;
  const fallbacks: string[] = [];
  /** Backends on real hardware that started, in order, while a faster one may follow (a GPU before wasm). */
  const started: BackendName[] = [];
  for (const name of order) {
    const software = await softwareFor(name);
    const kind = name === 'webgpu' ? 'adapter' : 'renderer';
    if (software && name !== forced) {
      fallbacks.push(`${name}: software ${kind} (${software}), slower than wasm here`);
      continue;
    }
    const failure = await tryBackend(name);
    if (failure === null) {
      if (name === forced) return { backend: name, fallbacks, ...(software ? { adapter: `software ${kind}: ${software}` } : {}) };
      started.push(name);
      // A GPU that starts is timed against wasm; wasm (or cpu, the last resort) ends the list.
      if (name === 'wasm' || name === 'cpu') break;
      continue;
    }
    fallbacks.push(`${name}${name === forced ? ' (requested)' : ''}: ${failure}`);
  }
  if (started.length === 0) throw new Error(`No TF.js backend could start: ${fallbacks.join('; ')}`);
  if (started.length === 1) {
    if (tf.getBackend() !== started[0]) await tf.setBackend(started[0]);
    return { backend: started[0], fallbacks };
  }
  const picked = pickFastest(await probeBackends(started));
  const backend = picked?.backend ?? started[started.length - 1];
  await tf.setBackend(backend);
  await tf.ready();
  return { backend, fallbacks: [...fallbacks, ...(picked?.lines ?? [])] };
}

/**
 * Times a representative adaptation on each backend (issue 17, target 1): the sinusoid network's five SGD steps
 * on 10 points, read back asynchronously; a first round (shader compilation) then the best of two. A backend
 * whose first round takes over PROBE_ROUND_LIMIT_MS, or that runs past the whole PROBE_BUDGET_MS, is not timed.
 */
async function probeBackends(names: BackendName[]): Promise<ProbeTiming[]> {
  const t0 = performance.now();
  const out: ProbeTiming[] = [];
  for (const backend of names) {
    if (performance.now() - t0 > PROBE_BUDGET_MS) {
      out.push({ backend, ms: null, why: 'not timed (the probe ran out of time)' });
      continue;
    }
    try {
      await tf.setBackend(backend);
      await tf.ready();
      const first = await timeAdaptation();
      if (first > PROBE_ROUND_LIMIT_MS) {
        out.push({ backend, ms: first });
        continue;
      }
      out.push({ backend, ms: Math.min(await timeAdaptation(), await timeAdaptation()) });
    } catch (e) {
      out.push({ backend, ms: null, why: `the probe failed (${(e as Error).message})` });
    }
  }
  return out;
}

/** One probe round: ms for five SGD steps of a 1-40-40-1 ReLU net on 10 points, to the loss read back. */
async function timeAdaptation(): Promise<number> {
  const t0 = performance.now();
  const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -0.3, 0.3, 'float32', seed);
  let params = [rand([1, 40], 1), tf.zeros([40]), rand([40, 40], 2), tf.zeros([40]), rand([40, 1], 3), tf.zeros([1])];
  const x = tf.linspace(-5, 5, 10).reshape([10, 1]);
  const y = tf.sin(x);
  const loss = (p: tf.Tensor[]) => tf.tidy(() => {
    const h1 = tf.relu(tf.add(tf.matMul(x, p[0] as tf.Tensor2D), p[1]));
    const h2 = tf.relu(tf.add(tf.matMul(h1 as tf.Tensor2D, p[2] as tf.Tensor2D), p[3]));
    return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(h2 as tf.Tensor2D, p[4] as tf.Tensor2D), p[5]), y))) as tf.Scalar;
  });
  for (let step = 0; step < 5; step++) {
    const next = tf.tidy(() => {
      const grads = tf.grads((...p: tf.Tensor[]) => loss(p))(params);
      return params.map((p, i) => tf.sub(p, tf.mul(grads[i], 0.01)));
    });
    tf.dispose(params);
    params = next;
  }
  const final = loss(params);
  await final.data();
  tf.dispose([...params, x, y, final]);
  return performance.now() - t0;
}

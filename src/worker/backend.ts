import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { softwareGpuAdapter, softwareWebglRenderer } from './adapter-kind';
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
  for (const name of order) {
    const software = await softwareFor(name);
    const kind = name === 'webgpu' ? 'adapter' : 'renderer';
    if (software && name !== forced) {
      fallbacks.push(`${name}: software ${kind} (${software}), slower than wasm here`);
      continue;
    }
    const failure = await tryBackend(name);
    if (failure === null) return { backend: name, fallbacks, ...(software ? { adapter: `software ${kind}: ${software}` } : {}) };
    fallbacks.push(`${name}${name === forced ? ' (requested)' : ''}: ${failure}`);
  }
  throw new Error(`No TF.js backend could start: ${fallbacks.join('; ')}`);
}

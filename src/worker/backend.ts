import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
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
 * adapter exists). A forced backend is tried first; if it fails, the usual order follows and says why.
 */
export async function chooseBackend(forced: BackendName | null): Promise<BackendChoice> {
  const order = forced ? [forced, ...BACKEND_ORDER.filter((b) => b !== forced)] : BACKEND_ORDER;
  const fallbacks: string[] = [];
  for (const name of order) {
    const failure = await tryBackend(name);
    if (failure === null) return { backend: name, fallbacks };
    fallbacks.push(`${name}${name === forced ? ' (requested)' : ''}: ${failure}`);
  }
  throw new Error(`No TF.js backend could start: ${fallbacks.join('; ')}`);
}

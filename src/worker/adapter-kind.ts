/**
 * Which GPU adapters are software: emulated on the CPU (SwiftShader, llvmpipe, WARP...). On such an adapter the
 * WebGPU or WebGL backend is many times slower than wasm (issue 17: a 2-D click 2.6-10 s on SwiftShader WebGPU,
 * 0.1-0.34 s on wasm), so the worker does not choose it unless asked (?backend=...). Pure: no browser API here.
 */

/** What a GPUAdapter says about itself (GPUAdapterInfo), all optional. */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/** Known software rasterisers / emulated GPUs, by a lower-case substring, with the name the page shows. */
const SOFTWARE: ReadonlyArray<readonly [string, string]> = [
  ['swiftshader', 'SwiftShader'],
  ['llvmpipe', 'llvmpipe'],
  ['lavapipe', 'lavapipe'],
  ['softpipe', 'softpipe'],
  ['microsoft basic render', 'Microsoft Basic Render Driver'],
  ['warp', 'WARP'],
];

function knownSoftware(text: string): string | null {
  const t = text.toLowerCase();
  for (const [needle, name] of SOFTWARE) {
    if (needle === 'warp' ? /\bwarp\b/.test(t) : t.includes(needle)) return name;
  }
  return null;
}

/**
 * The software adapter's name (e.g. "SwiftShader"), or null for a hardware adapter. A fallback adapter
 * (GPUAdapter.isFallbackAdapter) with no known name is "fallback adapter".
 */
export function softwareGpuAdapter(info: AdapterInfoLike | null | undefined, isFallbackAdapter = false): string | null {
  const text = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ');
  return knownSoftware(text) ?? (isFallbackAdapter ? 'fallback adapter' : null);
}

/** The software renderer's name from a WebGL renderer string (UNMASKED_RENDERER_WEBGL), or null. */
export function softwareWebglRenderer(renderer: string | null | undefined): string | null {
  if (!renderer) return null;
  return knownSoftware(renderer) ?? (/\bsoftware\b/i.test(renderer) ? 'software renderer' : null);
}

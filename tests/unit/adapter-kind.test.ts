import { describe, expect, it } from 'vitest';
import { softwareGpuAdapter, softwareWebglRenderer } from '../../src/worker/adapter-kind';

describe('softwareGpuAdapter', () => {
  it('names SwiftShader from what Chromium reports for it', () => {
    expect(softwareGpuAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: '' })).toBe('SwiftShader');
    expect(softwareGpuAdapter({ vendor: '', architecture: '', description: 'SwiftShader Device (Subzero)' })).toBe('SwiftShader');
  });
  it('names other software rasterisers', () => {
    expect(softwareGpuAdapter({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('llvmpipe');
    expect(softwareGpuAdapter({ description: 'Microsoft Basic Render Driver' })).toBe('Microsoft Basic Render Driver');
  });
  it('calls an unnamed fallback adapter a fallback adapter', () => {
    expect(softwareGpuAdapter({ vendor: 'unknown' }, true)).toBe('fallback adapter');
    expect(softwareGpuAdapter(undefined, true)).toBe('fallback adapter');
  });
  it('leaves hardware adapters alone', () => {
    expect(softwareGpuAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toBeNull();
    expect(softwareGpuAdapter({ vendor: 'apple', architecture: 'metal-3' })).toBeNull();
    expect(softwareGpuAdapter({ vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) Iris(R) Xe Graphics' })).toBeNull();
    expect(softwareGpuAdapter({})).toBeNull();
    expect(softwareGpuAdapter(null)).toBeNull();
  });
});

describe('softwareWebglRenderer', () => {
  it('names SwiftShader in an ANGLE renderer string', () => {
    expect(softwareWebglRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe('SwiftShader');
    expect(softwareWebglRenderer('Google SwiftShader')).toBe('SwiftShader');
  });
  it('names llvmpipe and generic software renderers', () => {
    expect(softwareWebglRenderer('llvmpipe (LLVM 12.0.0, 256 bits)')).toBe('llvmpipe');
    expect(softwareWebglRenderer('Software Rasterizer')).toBe('software renderer');
  });
  it('leaves hardware renderers alone', () => {
    expect(softwareWebglRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBeNull();
    expect(softwareWebglRenderer('Apple M1')).toBeNull();
    expect(softwareWebglRenderer('WebKit WebGL')).toBeNull();
    expect(softwareWebglRenderer('')).toBeNull();
    expect(softwareWebglRenderer(null)).toBeNull();
  });
});

/**
 * The fused WebGPU meta-gradient (src/meta/gpu/fused-maml.ts; issue 5, target 3) in the worker, checked by the
 * worker's gpuCheck hook against the float64 typed-array path (FastMaml) on one paper-sized batch: sinusoid net
 * [1, 40, 40, 1], 25 tasks, K = Q = 10, alpha 0.01, k = 1 and 3 inner steps. Headless Chromium runs WebGPU on
 * SwiftShader (a CPU emulator): this proves correctness and the dispatch count, not speed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GpuCheckReport } from '../../src/worker/protocol';
import { launch, openApp } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ webgpu: true });
});
afterAll(async () => {
  await browser?.close();
});

// Float32 against float64, measured on SwiftShader (Chromium 156): gradient errors (max |diff| / max |ref|) of
// 1.0e-7 to 2.8e-7 in every case (exact and first order, k = 1, 2, 3, 5), loss errors 2e-8 to 1.8e-7. 1e-5 leaves
// ~35x room for other GPUs' summation order and FMA, and is still four orders of magnitude below how far exact
// and first order are apart here (0.13 to 0.73; at least 100x the tolerance is asserted below).
const GRAD_TOL = 1e-5;
const LOSS_TOL = 1e-5;

it('computes the exact and first-order MAML meta-gradients in <= 3 dispatches, matching float64', async () => {
  const { page, errors } = await openApp(browser, '?backend=webgpu', { settle: 'adaptation' });
  expect(await page.textContent('[data-testid="backend-name"]')).toMatch(/webgpu/);
  const r = (await page.evaluate(() => (window as any).__playground.gpuCheck())) as GpuCheckReport;
  expect(r.available, r.reason).toBe(true);
  expect(r.dispatchesPerCall).toBeGreaterThanOrEqual(1);
  expect(r.dispatchesPerCall).toBeLessThanOrEqual(3);
  expect(r.dispatchesPerCall).toBe(r.declaredDispatchesPerCall);
  const paper = r.cases!.filter((c) => c.sizes.join() === '1,40,40,1' && c.tasks === 25 && c.kSupport === 10 && c.kQuery === 10);
  expect(paper.map((c) => c.steps)).toEqual([1, 3]);
  // ...and the other shapes: the oracle net [4, 40, 40, 1] with K != Q, one hidden layer with 3 outputs.
  expect(r.cases!.length).toBe(4);
  for (const c of r.cases!) {
    const name = `[${c.sizes.join(', ')}], k = ${c.steps}`;
    expect(c.exactGradError, `exact, ${name}`).toBeLessThan(GRAD_TOL);
    expect(c.firstOrderGradError, `first order, ${name}`).toBeLessThan(GRAD_TOL);
    expect(c.exactLossError, `exact loss, ${name}`).toBeLessThan(LOSS_TOL);
    expect(c.firstOrderLossError, `first-order loss, ${name}`).toBeLessThan(LOSS_TOL);
    // An exact path that silently became first order (or the reverse) would fail here: the two differ by far
    // more than the tolerance, in float64 and on the GPU alike.
    expect(c.exactVsFirstOrder).toBeGreaterThan(100 * GRAD_TOL);
    expect(c.gpuExactVsFirstOrder).toBeGreaterThan(100 * GRAD_TOL);
  }
  expect(r.msPerCall).toBeGreaterThan(0);
  expect(errors).toEqual([]);
  await page.close();
});

/** Trains MAML for a few iterations from the page and returns the engine shown, its note and the parameters. */
async function trainFew(query: string, iterations = 6) {
  const { page, errors } = await openApp(browser, `${query}&algo=maml&it=${iterations}&mb=5`, { settle: 'adaptation' });
  await page.click('[data-testid="train-start"]');
  await page.waitForFunction(() => /done/i.test(document.querySelector('[data-testid="train-state"]')?.textContent ?? ''), undefined, { timeout: 120_000 });
  const path = (await page.textContent('[data-testid="train-path"]'))?.trim();
  const note = await page.getAttribute('[data-testid="train-path"]', 'title');
  const ckpt = await page.evaluate(() => (window as any).__playground.checkpoint('maml'));
  await page.close();
  expect(errors).toEqual([]);
  return { path, note, params: ckpt.params as Record<string, { values: number[] }> };
}

it('trains MAML on the fused kernels when asked (engine=gpu), to the parameters the typed-array path reaches', async () => {
  const gpu = await trainFew('?backend=webgpu&engine=gpu');
  expect(gpu.path).toBe('webgpu (fused)');
  const typed = await trainFew('?backend=wasm');
  expect(typed.path).toBe('typed arrays');
  // Same seed, same tasks, same Adam: six iterations apart only by float32 against float64 meta-gradients.
  let worst = 0;
  let moved = 0;
  for (const [name, { values }] of Object.entries(typed.params)) {
    values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - gpu.params[name].values[i]))));
  }
  expect(worst).toBeLessThan(1e-5);
  // ...and the iterations really move them: after one, the parameters are far from where six take them.
  const init = await trainFew('?backend=wasm', 1);
  for (const [name, { values }] of Object.entries(typed.params)) values.forEach((v, i) => (moved = Math.max(moved, Math.abs(v - init.params[name].values[i]))));
  expect(moved).toBeGreaterThan(1e-3);
});

it('on WebGPU by default, a probe picks the faster of fused kernels and typed arrays, and says so', async () => {
  const auto = await trainFew('?backend=webgpu');
  expect(['webgpu (fused)', 'typed arrays']).toContain(auto.path);
  expect(auto.note).toMatch(/probe: fused WebGPU [\d.]+ ms, typed arrays [\d.]+ ms/);
  const [gpuMs, cpuMs] = auto.note!.match(/[\d.]+ ms/g)!.map((m) => parseFloat(m));
  expect(auto.path).toBe(gpuMs < cpuMs ? 'webgpu (fused)' : 'typed arrays');
});

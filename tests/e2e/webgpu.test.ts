/**
 * WebGPU in the worker. Headless Chromium here runs WebGPU on SwiftShader (a CPU emulator), so this checks
 * correctness of adaptation on WebGPU, not speed: the curves must match the wasm backend's to float32 tolerance.
 * Both pages keep adaptation on TF.js (engine=tfjs); a third, with the default engine, adapts on typed arrays
 * and must draw the same curves.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { curveData, dataToPage, launch, openApp, pathOf, settle, waitForCurveChange } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ webgpu: true });
});
afterAll(async () => {
  await browser?.close();
});

const QUERY = '?task=3,1&pts=-4:2;-2:-1;0:-2.5;2:1;4:2.8&step=5&engine=tfjs';
// The averaged curves (300 adapted tasks) take minutes on emulated WebGPU; these checks need the user's task only.
const ONLY = { only: 'adaptation' } as const;

it('runs on WebGPU in the worker, adapts to clicks, and agrees with wasm', async () => {
  // Forced: on SwiftShader, a software adapter, the page would otherwise choose wasm (backend-choice.test.ts).
  const gpu = await openApp(browser, `${QUERY}&backend=webgpu`, { settle: 'adaptation' });
  expect(await gpu.page.textContent('[data-testid="backend-name"]')).toMatch(/webgpu/);
  const cpu = await openApp(browser, `${QUERY}&backend=wasm`, { settle: 'adaptation' });
  for (const { page } of [gpu, cpu]) {
    await page.waitForFunction(() => (document.querySelector('[data-testid="training-panel"]')?.textContent ?? '').includes('shipped checkpoint'));
    await settle(page, ONLY);
  }
  for (const method of ['maml', 'fomaml', 'pretrained']) {
    for (const step of [0, 5]) {
      const a = await curveData(gpu.page, method, step);
      const b = await curveData(cpu.page, method, step);
      expect(a.length).toBe(b.length);
      const worst = Math.max(...a.map((p, i) => Math.abs(p.y - b[i].y)));
      expect(worst).toBeLessThan(1e-2); // path coordinates are rounded to SVG precision
    }
  }
  // The default engine adapts on typed arrays, says so, and draws the same curves for the same points.
  const typed = await openApp(browser, `${QUERY.replace('&engine=tfjs', '')}&backend=wasm`, { settle: 'adaptation' });
  await typed.page.waitForFunction(() => (document.querySelector('[data-testid="training-panel"]')?.textContent ?? '').includes('shipped checkpoint'));
  await settle(typed.page, ONLY);
  expect(await typed.page.textContent('[data-testid="adapt-path"]')).toBe('typed arrays');
  for (const method of ['maml', 'fomaml', 'pretrained']) {
    for (const step of [0, 5]) {
      const t = await curveData(typed.page, method, step);
      const w = await curveData(cpu.page, method, step);
      expect(Math.max(...t.map((q, i) => Math.abs(q.y - w[i].y)))).toBeLessThan(1e-2);
    }
  }
  await typed.page.close();
  // A click on WebGPU changes the adapted curve.
  const before = await pathOf(gpu.page, 'maml', 5);
  const p = await dataToPage(gpu.page, 1, 3);
  await gpu.page.mouse.click(p.x, p.y);
  await waitForCurveChange(gpu.page, 'maml', 5, before);
  await settle(gpu.page, ONLY);
  // ...and it is the same curve wasm draws for the same six points.
  await cpu.page.mouse.click(p.x, p.y);
  await waitForCurveChange(cpu.page, 'maml', 5, before);
  await settle(cpu.page, ONLY);
  const a = await curveData(gpu.page, 'maml', 5);
  const b = await curveData(cpu.page, 'maml', 5);
  expect(Math.max(...a.map((q, i) => Math.abs(q.y - b[i].y)))).toBeLessThan(1e-2);
  expect(await gpu.page.textContent('[data-testid="adapt-path"]')).toBe('tfjs (webgpu)');
  expect(await cpu.page.textContent('[data-testid="adapt-path"]')).toBe('tfjs (wasm)');
  expect(gpu.errors).toEqual([]);
  await gpu.page.close();
  await cpu.page.close();
});

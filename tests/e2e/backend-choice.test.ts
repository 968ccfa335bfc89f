/**
 * The backend choice (issue 17): Chromium with WebGPU enabled and no GPU exposes SwiftShader, a software
 * adapter, for both WebGPU and WebGL. Neither is chosen by default (wasm is faster here) and the page says why;
 * forced with ?backend=webgpu it runs, and the page names the software adapter. Each job that two paths can
 * serve (a click's curves: typed arrays or TF.js on the backend) takes the faster by measurement, and says so.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launch, openApp } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ webgpu: true });
});
afterAll(async () => {
  await browser?.close();
});

const ONLY = { settle: 'adaptation' } as const;

it('skips the software WebGPU adapter and software WebGL by default, naming them, and lands on wasm', async () => {
  const { page, errors } = await openApp(browser, '', ONLY);
  expect(await page.textContent('[data-testid="backend-name"]')).toBe('wasm');
  const fallbacks = (await page.$$eval('[data-testid="backend-fallbacks"] li', (li) => li.map((l) => l.textContent ?? ''))).join('\n');
  expect(fallbacks).toMatch(/^webgpu: software adapter \(SwiftShader\), slower than wasm here$/m);
  expect(fallbacks).toMatch(/^webgl: software renderer \(SwiftShader\), slower than wasm here$/m);
  // The curves for the points: both paths timed on the first request, the faster kept and named.
  const note = (await page.textContent('[data-testid="adapt-path-note"]')) ?? '';
  const timed = note.match(/fastest by measurement: typed arrays ([\d.]+) ms, tfjs \(wasm\) (over )?([\d.]+) ms/);
  expect(timed, note).not.toBeNull();
  const [typedMs, tfjsMs] = [Number(timed![1]), Number(timed![3])];
  expect(await page.textContent('[data-testid="adapt-path"]')).toBe(typedMs <= tfjsMs || timed![2] ? 'typed arrays' : 'tfjs (wasm)');
  expect(errors).toEqual([]);
  await page.close();
});

it('runs a forced ?backend=webgpu on the software adapter and names it', async () => {
  const { page, errors } = await openApp(browser, '?backend=webgpu', ONLY);
  expect(await page.textContent('[data-testid="backend-name"]')).toBe('webgpu (software adapter: SwiftShader)');
  expect(await page.$('[data-testid="backend-fallbacks"]')).toBeNull();
  expect(errors).toEqual([]);
  await page.close();
});

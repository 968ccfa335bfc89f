/**
 * Charts never say "computing…" without progress (issue 14): on the glyph tab the averaged chart counts the
 * test episodes evaluated ("… n / N", n rising, with a named <progress>), then shows the curves.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('averaged evaluation progress', () => {
  it('the glyph tab: the averaged chart counts episodes n / N, n rising, then shows the curves', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // Sampled in the page every frame from its start until the averaged curves arrive: the chart's message, the
    // caption's count and the <progress>.
    await page.addInitScript(() => {
      const out: unknown[] = [];
      (window as any).__progressSamples = out;
      const look = () => {
        const bar = document.querySelector<HTMLProgressElement>('[data-testid="eval-progress"]');
        if (bar) {
          out.push({
            chart: document.querySelector('[data-chart="average"] .chart-empty')?.textContent ?? '',
            caption: document.querySelector('[data-testid="class-avg-progress"]')?.textContent ?? '',
            value: bar.value,
            max: bar.max,
            label: bar.getAttribute('aria-label') ?? '',
          });
        }
        if ((window as any).__playground?.store.getState().results.classEvaluation) return;
        requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    });
    await page.goto(`${inject('baseURL')}?backend=wasm&p=glyphs`);
    await page.waitForFunction(() => (window as any).__playground?.store.getState().results.classEvaluation, undefined, { timeout: 150_000 });
    const samples = (await page.evaluate(() => (window as any).__progressSamples)) as { chart: string; caption: string; value: number; max: number; label: string }[];
    expect(samples.length).toBeGreaterThan(1);
    const max = samples[0].max;
    const methods = await page.evaluate(() => (window as any).__playground.store.getState().settings.methods.length as number);
    expect(max % 40).toBe(0);
    expect(max).toBeGreaterThanOrEqual(40);
    expect(max).toBeLessThanOrEqual(40 * methods);
    for (const s of samples) {
      expect(s.max).toBe(max);
      expect(s.label).toMatch(/test episodes evaluated/);
      expect(s.caption).toBe(`${s.value} / ${max}`);
      if (s.chart) expect(s.chart).toMatch(new RegExp(`^averaging over 40 test episodes.*… ${s.value} / ${max}$`));
    }
    const values = samples.map((s) => s.value);
    values.forEach((v, i) => i > 0 && expect(v).toBeGreaterThanOrEqual(values[i - 1]));
    // n rises: more than one count was shown, at least one of them part way.
    expect(new Set(values).size).toBeGreaterThan(1);
    expect(values.some((v) => v > 0 && v < max)).toBe(true);
    // Then the curves, and the count is gone.
    await page.waitForSelector('[data-chart="average"] path[data-series="average"]', { timeout: 30_000 });
    expect(await page.$('[data-testid="eval-progress"]')).toBeNull();
    expect(await page.textContent('[data-testid="class-metrics-panel"]')).not.toMatch(/computing…/);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});

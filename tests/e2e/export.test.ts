/**
 * Figure export and method focus (issue 14): the task panel's SVG parses and holds every shown curve (same
 * method, step and path as the page) with its legend; its CSV holds the store's numbers; the PNG is twice the
 * figure's size; focusing a method dims the others in every panel.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openApp } from './browser';

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launch();
  ({ page } = await openApp(browser, '?backend=wasm'));
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

async function download(testId: string): Promise<{ name: string; body: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testId}"]`)]);
  const path = await d.path();
  const body = readFileSync(path!);
  // Kept in the temporary folder, to look at.
  writeFileSync(join(tmpdir(), d.suggestedFilename()), body);
  return { name: d.suggestedFilename(), body };
}

describe('figure export', () => {
  it('the task panel as SVG: parses, holds each shown curve as drawn, its axes and its legend', async () => {
    const { name, body } = await download('export-svg-task');
    expect(name).toBe('sinusoid_task_maml-fomaml-pretrained_step1.svg');
    const shown = await page.$$eval('[data-testid="task-panel"] path.curve', (ps) => ps.map((p) => ({ method: p.getAttribute('data-method'), step: p.getAttribute('data-step'), d: p.getAttribute('d') })));
    expect(shown.length).toBe(6);
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const root = doc.documentElement;
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        root: root.localName,
        ns: root.namespaceURI,
        width: Number(root.getAttribute('width')),
        height: Number(root.getAttribute('height')),
        curves: Array.from(doc.querySelectorAll('path[data-method][data-step]'))
          .filter((p) => /\bcurve\b/.test(p.getAttribute('data-class') ?? ''))
          .map((p) => ({ method: p.getAttribute('data-method'), step: p.getAttribute('data-step'), d: p.getAttribute('d'), stroke: (p.getAttribute('style') ?? '').match(/(?:^|;)stroke:([^;]+)/)?.[1] ?? null })),
        texts: Array.from(doc.querySelectorAll('text')).map((t) => t.textContent ?? ''),
        ticks: doc.querySelectorAll('.tick, [data-class~="tick"]').length,
      };
    }, body.toString('utf8'));
    expect(parsed.error).toBeNull();
    expect(parsed.root).toBe('svg');
    expect(parsed.ns).toBe('http://www.w3.org/2000/svg');
    expect(parsed.width).toBeGreaterThan(300);
    expect(parsed.curves.map(({ method, step, d }) => ({ method, step, d }))).toEqual(shown);
    for (const c of parsed.curves) expect(c.stroke).toMatch(/rgb\(/);
    const text = parsed.texts.join(' ');
    for (const label of ['MAML', 'First-order MAML', 'Pretrained', 'before adaptation', 'after', '1 step', 'your support points', 'Your task']) expect(text).toContain(label);
    // Axes: tick labels -5..5 and the axis labels.
    for (const t of ['-5', '0', '5', 'x', 'y']) expect(parsed.texts.map((s) => s.replace('−', '-').trim())).toContain(t);
  });

  it('the task and loss panels as CSV: the numbers equal the store\u2019s', async () => {
    const state = await page.evaluate(() => {
      const s = (window as any).__playground.store.getState();
      return { grid: s.results.grid, adaptation: s.results.adaptation, evaluation: s.results.evaluation, methods: s.settings.methods, selectedStep: s.settings.selectedStep };
    });
    const table = (csv: string) => {
      const [head, ...rows] = csv.trimEnd().split('\n').map((l) => l.split(','));
      return (c: string) => {
        const i = head.indexOf(c);
        expect(i, c).toBeGreaterThanOrEqual(0);
        return rows.map((r) => (r[i] === '' ? null : Number(r[i])));
      };
    };
    const task = await download('export-csv-task');
    expect(task.name).toBe('sinusoid_task_maml-fomaml-pretrained_step1.csv');
    const t = table(task.body.toString('utf8'));
    expect(t('x')).toEqual(state.grid);
    for (const id of state.methods) {
      expect(t(`${id}_step0`)).toEqual(state.adaptation[id].predictions[0]);
      expect(t(`${id}_step1`)).toEqual(state.adaptation[id].predictions[1]);
    }
    const loss = await download('export-csv-loss');
    const l = table(loss.body.toString('utf8'));
    for (const id of state.methods) {
      expect(l(`${id}_your_task_mse`)).toEqual(state.adaptation[id].taskLoss);
      expect(l(`${id}_mean`)).toEqual(state.evaluation[id].mean);
      expect(l(`${id}_ci95`)).toEqual(state.evaluation[id].ci95);
    }
  });

  it('PNG: twice the figure\u2019s size; the loss panel exports too', async () => {
    const svg = await download('export-svg-task');
    const w = Number(svg.body.toString('utf8').match(/<svg[^>]* width="(\d+)"/)![1]);
    const h = Number(svg.body.toString('utf8').match(/<svg[^>]* height="(\d+)"/)![1]);
    const png = await download('export-png-task');
    expect(png.name).toBe('sinusoid_task_maml-fomaml-pretrained_step1.png');
    expect(png.body.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.body.readUInt32BE(16)).toBe(2 * w);
    expect(png.body.readUInt32BE(20)).toBe(2 * h);
    const loss = await download('export-svg-loss');
    expect(loss.body.toString('utf8')).toMatch(/data-class="loss-line"/);
  });
});

describe('focus one method', () => {
  it('a legend entry focuses its method: the others dim in every panel; again shows all', async () => {
    const opacity = (sel: string) => page.$eval(sel, (e) => Number(getComputedStyle(e).opacity));
    const focus = '[data-testid="focus-task-legend-maml"]';
    await page.focus(focus);
    await page.keyboard.press('Enter');
    expect(await page.getAttribute(focus, 'aria-pressed')).toBe('true');
    expect(await opacity('[data-testid="task-panel"] path.curve-after[data-method="fomaml"]')).toBeLessThanOrEqual(0.25);
    expect(await opacity('[data-testid="loss-panel"] path.loss-line[data-method="pretrained"]')).toBeLessThanOrEqual(0.25);
    expect(await opacity('[data-testid="task-panel"] path.curve-after[data-method="maml"]')).toBe(1);
    expect(await opacity('[data-testid="loss-panel"] path.loss-line[data-method="maml"]')).toBe(1);
    await page.click(focus);
    expect(await page.getAttribute(focus, 'aria-pressed')).toBe('false');
    expect(await opacity('[data-testid="task-panel"] path.curve-after[data-method="fomaml"]')).toBe(1);
  });
});

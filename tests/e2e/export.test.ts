/**
 * Figure export and method focus (issue 14): the task panel's SVG parses and holds every shown curve (same
 * method, step and path as the page) with its legend; its CSV holds the store's numbers; the PNG is twice the
 * figure's size; focusing a method dims the others in every panel. The classification panels (plane, glyphs) export
 * a faithful SVG too: every canvas (decision regions, glyph pads) as an embedded image where it is drawn.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openApp, settle } from './browser';

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launch();
  ({ page } = await openApp(browser, '?backend=wasm'));
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

async function download(testId: string, on: Page = page): Promise<{ name: string; body: Buffer }> {
  const [d] = await Promise.all([on.waitForEvent('download'), on.click(`[data-testid="${testId}"]`)]);
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

/** An exported SVG, parsed in the page: its size, its images (with the attributes kept from their canvases) and texts. */
async function parseFigure(on: Page, text: string) {
  return on.evaluate((svg) => {
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const root = doc.documentElement;
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: root.localName,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      images: Array.from(doc.querySelectorAll('image')).map((im) => ({
        testid: im.getAttribute('data-testid'),
        cls: im.getAttribute('data-class'),
        href: im.getAttribute('href') ?? '',
        width: Number(im.getAttribute('width')),
        height: Number(im.getAttribute('height')),
      })),
      texts: Array.from(doc.querySelectorAll('text')).map((t) => (t.textContent ?? '').trim()),
      classes: Array.from(doc.querySelectorAll('[data-class]')).map((e) => e.getAttribute('data-class') ?? ''),
    };
  }, text);
}

/** The PNG's pixel size (IHDR). */
function pngSize(body: Buffer): { width: number; height: number } {
  expect(body.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: body.readUInt32BE(16), height: body.readUInt32BE(20) };
}

/** A CSV as a column reader: numbers (blank: null), or the text where a column holds words. */
function csvColumns(csv: string) {
  const [head, ...rows] = csv.trimEnd().split('\n').map((l) => l.split(','));
  return { head, rows, col: (c: string) => rows.map((r) => (r[head.indexOf(c)] === '' ? null : Number(r[head.indexOf(c)]))) };
}

describe('figure export of the classification panels', () => {
  it('plane: the SVG holds every shown region (each small multiple and the large plot) as an image, each method\u2019s label; PNG 2x; CSV equals the page', async () => {
    const { page: p, errors } = await openApp(browser, '?backend=wasm&p=plane&pseed=5&step=1', { ready: '[data-testid="plane-area"]' });
    await p.waitForFunction(() => {
      const thumbs = Array.from(document.querySelectorAll('canvas[data-testid^="plane-thumb-"]'));
      return thumbs.length > 0 && thumbs.every((c) => c.getAttribute('data-ready') === 'true');
    });
    await settle(p);
    const svg = await download('export-svg-plane', p);
    expect(svg.name).toBe('plane_plane_maml-fomaml-pretrained_step1.svg');
    const fig = await parseFigure(p, svg.body.toString('utf8'));
    expect(fig.error).toBeNull();
    expect(fig.root).toBe('svg');
    // Every small multiple the page shows, as the same pixels at its drawn size.
    const thumbs = await p.$$eval('canvas[data-testid^="plane-thumb-"]', (cs) =>
      (cs as HTMLCanvasElement[]).map((c) => ({ testid: c.getAttribute('data-testid'), href: c.toDataURL('image/png'), width: c.getBoundingClientRect().width })),
    );
    // Three methods, each at every step column shown.
    const columns = await p.$$eval('.plane-thumbs-step', (c) => c.length);
    expect(columns).toBeGreaterThanOrEqual(2);
    expect(thumbs.length).toBe(3 * columns);
    for (const t of thumbs) {
      const im = fig.images.find((i) => i.testid === t.testid);
      expect(im, t.testid!).toBeDefined();
      expect(im!.href).toBe(t.href);
      expect(im!.href.startsWith('data:image/png;base64,')).toBe(true);
      expect(im!.width).toBeCloseTo(t.width, 0);
    }
    // The large plot's regions (already an <image> in its SVG) and its axes' frame.
    expect(fig.images.filter((i) => /plane-regions/.test(i.cls ?? '')).length).toBe(1);
    const text = fig.texts.join(' ');
    for (const label of ['MAML', 'First-order MAML', 'Pretrained', 'Your classification task', 'Every method, before and after each step']) expect(text).toContain(label);
    // The legend, wrapped on the page, comes line by line and whole.
    expect(text.replace(/\s+/g, ' ')).toContain('Colour: the most likely class');
    // PNG: twice the figure, which is as wide as the panel.
    const panelWidth = await p.$eval('[data-testid="plane-panel"]', (e) => e.getBoundingClientRect().width);
    expect(fig.width).toBe(Math.ceil(panelWidth));
    const png = await download('export-png-plane', p);
    expect(png.name).toBe('plane_plane_maml-fomaml-pretrained_step1.png');
    expect(pngSize(png.body)).toEqual({ width: 2 * fig.width, height: 2 * fig.height });
    // CSV: the points and every shown method's probabilities at the step shown, as the page holds them.
    const state = await p.evaluate(() => {
      const s = (window as any).__playground.store.getState();
      const r = s.results.classification;
      return {
        points: s.settings.plane.points,
        classes: r.classes,
        probs: Object.fromEntries(s.settings.methods.map((id: string) => [id, Array.from(r.results[id].probabilities[1] as Float32Array)])),
      };
    });
    const csv = csvColumns((await download('export-csv-plane', p)).body.toString('utf8'));
    const n = state.points.length;
    expect(csv.col('x').slice(0, n)).toEqual(state.points.map((q: { x: number }) => q.x));
    expect(csv.col('label').slice(0, n)).toEqual(state.points.map((q: { label: number }) => q.label));
    for (const [id, probs] of Object.entries(state.probs) as [string, number[]][])
      for (let c = 0; c < state.classes; c++) expect(csv.col(`${id}_step1_p${c}`).slice(n)).toEqual(probs.filter((_, i) => i % state.classes === c));
    // On a phone the figure still holds every small multiple.
    await p.setViewportSize({ width: 390, height: 844 });
    await p.waitForTimeout(300);
    const phone = await parseFigure(p, (await download('export-svg-plane', p)).body.toString('utf8'));
    expect(phone.error).toBeNull();
    for (const t of thumbs) expect(phone.images.some((i) => i.testid === t.testid), t.testid!).toBe(true);
    expect(errors).toEqual([]);
    await p.close();
  });

  it('glyphs: the SVG holds an image per shown pad (and what the model sees), the bars, each method\u2019s label; PNG 2x; CSV equals the page', async () => {
    const { page: p, errors } = await openApp(browser, '?backend=wasm&p=glyphs&step=1', { ready: '[data-testid="glyph-pad-0-0"]' });
    await p.waitForSelector('[data-testid="glyph-probs-maml-0"]');
    await settle(p);
    const svg = await download('export-svg-glyph', p);
    expect(svg.name).toBe('glyphs_glyph_maml-fomaml-pretrained_step1.svg');
    const fig = await parseFigure(p, svg.body.toString('utf8'));
    expect(fig.error).toBeNull();
    const pads = await p.$$eval('[data-testid="glyph-panel"] canvas', (cs) =>
      (cs as HTMLCanvasElement[]).map((c) => ({ testid: c.getAttribute('data-testid'), href: c.toDataURL('image/png') })),
    );
    // 5 characters x 1 example, and the drawings to classify; each with its preview.
    expect(pads.filter((c) => /^glyph-pad-\d+-\d+$/.test(c.testid ?? '')).length).toBe(5);
    expect(pads.filter((c) => /^glyph-query-\d+$/.test(c.testid ?? '')).length).toBeGreaterThan(0);
    for (const c of pads) {
      const im = fig.images.find((i) => i.testid === c.testid);
      expect(im, c.testid!).toBeDefined();
      expect(im!.href).toBe(c.href);
    }
    // The probability bars: every one the page draws (before and after, per method and drawing).
    const bars = await p.$$eval('[data-testid="glyph-panel"] svg.glyph-bars', (b) => b.length);
    expect(bars).toBeGreaterThan(0);
    expect(fig.classes.filter((c) => /\bglyph-bars\b/.test(c)).length).toBe(bars);
    const text = fig.texts.join(' ');
    for (const label of ['Your characters', 'Character 1', 'Character 5', 'Drawings to classify', 'MAML', 'First-order MAML', 'Pretrained']) expect(text).toContain(label);
    const panelWidth = await p.$eval('[data-testid="glyph-panel"]', (e) => e.getBoundingClientRect().width);
    expect(fig.width).toBe(Math.ceil(panelWidth));
    const png = await download('export-png-glyph', p);
    expect(png.name).toBe('glyphs_glyph_maml-fomaml-pretrained_step1.png');
    expect(pngSize(png.body)).toEqual({ width: 2 * fig.width, height: 2 * fig.height });
    // CSV: per method and drawing, the probabilities after the step, as the page's bars hold them.
    const shown = await p.$$eval('[data-testid^="glyph-probs-"][data-after]', (rows) =>
      rows.map((r) => ({ method: r.getAttribute('data-method'), testid: r.getAttribute('data-testid')!, after: JSON.parse(r.getAttribute('data-after')!) as number[] })),
    );
    const csv = csvColumns((await download('export-csv-glyph', p)).body.toString('utf8'));
    expect(csv.rows.length).toBe(shown.length);
    for (const row of shown) {
      const drawing = Number(row.testid.split('-').at(-1));
      const line = csv.rows.find((r) => r[0] === row.method && Number(r[2]) === drawing)!;
      expect(line, row.testid).toBeDefined();
      expect(Number(line[1])).toBe(1);
      expect(line.slice(3).map(Number)).toEqual(row.after);
    }
    // On a phone (pads wrap, tables scroll sideways) the figure still holds every pad, as wide as the panel or wider.
    await p.setViewportSize({ width: 390, height: 844 });
    await p.waitForTimeout(300);
    const phone = await parseFigure(p, (await download('export-svg-glyph', p)).body.toString('utf8'));
    expect(phone.error).toBeNull();
    for (const c of pads) expect(phone.images.some((i) => i.testid === c.testid), c.testid!).toBe(true);
    expect(phone.width).toBeGreaterThanOrEqual(Math.floor(await p.$eval('[data-testid="glyph-panel"]', (e) => e.getBoundingClientRect().width)));
    expect(await p.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    expect(errors).toEqual([]);
    await p.close();
  });
});

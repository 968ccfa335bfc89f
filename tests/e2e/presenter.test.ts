/**
 * Issue 14, lecture-ready: presenter mode puts the main plot (with its legend and step scrubber), the loss chart
 * and the training progress with its buttons on one screen with no scrolling, at 1280x720 and 1920x1080 on every
 * tab, with axis text at least 18 px, curves at least 3 px and points at least 12 px; every keyboard shortcut
 * changes the state it names; Start shows its new state before the worker answers; the ETA shown 5 s into a short
 * run is within ±25% of the run's measured length.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openApp, settle } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const state = (page: Page) => page.evaluate(() => (window as any).__playground.store.getState().settings);
const status = (page: Page) => page.evaluate(() => (window as any).__playground.store.getState().status);

/** What each tab shows as its plot and its scrubber. */
const TABS = {
  sinusoid: { ready: undefined, plot: '[data-testid="task-panel"] svg.task-plot', scrubber: '[data-testid="step-slider"]' },
  plane: { ready: '[data-testid="plane-regions"]', plot: '[data-testid="plane-plot"]', scrubber: '[data-testid="plane-step"]' },
  glyphs: { ready: '[data-testid="glyph-support"]', plot: '[data-testid="glyph-support"]', scrubber: '[data-testid="glyph-step"]' },
} as const;

interface Layout {
  viewport: { w: number; h: number };
  scroll: { w: number; h: number };
  boxes: Record<string, { top: number; bottom: number; left: number; right: number } | null>;
  /** Smallest tick text on screen (computed font size times the SVG's scale), per chart. */
  axisPx: Record<string, number>;
  curvePx: number | null;
  pointPx: number | null;
}

async function measure(page: Page, plot: string, scrubber: string): Promise<Layout> {
  return page.evaluate(
    ({ plot, scrubber }) => {
      const box = (sel: string) => {
        const el = document.querySelector(sel);
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
      };
      const scaleOf = (el: Element) => {
        const m = (el as SVGGraphicsElement).getScreenCTM();
        return m ? Math.hypot(m.a, m.b) : 0;
      };
      const axisPx: Record<string, number> = {};
      const charts: [string, string][] = [
        ['plot', plot],
        ['loss', '.top-row > :nth-child(2) figure.chart:not([data-chart="average"]) svg'],
      ];
      for (const [name, sel] of charts) {
        const svg = document.querySelector(sel);
        const ticks = svg ? [...svg.querySelectorAll('.axis text, .axis-label')].filter((t) => (t as SVGGraphicsElement).getBBox().width > 0 && getComputedStyle(t).display !== 'none') : [];
        if (ticks.length) axisPx[name] = Math.min(...ticks.map((t) => parseFloat(getComputedStyle(t).fontSize) * scaleOf(t)));
      }
      const curve = document.querySelector('.task-plot path.curve-after, .top-row > :nth-child(2) path.loss-line');
      const point = document.querySelector('.task-plot circle.support-point, .plane-plot circle.plane-point');
      return {
        viewport: { w: innerWidth, h: innerHeight },
        scroll: { w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight },
        boxes: {
          plot: box(plot),
          scrubber: box(scrubber),
          legend: box('.top-row > :first-child .legend, .top-row > :first-child .plane-legend, .top-row > :nth-child(2) .legend'),
          loss: box('.top-row > :nth-child(2) figure.chart:not([data-chart="average"]) svg'),
          progress: box('[data-testid="train-progress"]'),
          start: box('[data-testid="train-start"]'),
          eta: box('[data-testid="train-eta"]'),
        },
        axisPx,
        curvePx: curve ? parseFloat(getComputedStyle(curve).strokeWidth) * scaleOf(curve) : null,
        pointPx: point ? 2 * parseFloat(getComputedStyle(point).r) * scaleOf(point) : null,
      };
    },
    { plot, scrubber },
  );
}

describe('presenter mode', () => {
  for (const [problem, tab] of Object.entries(TABS)) {
    it(`${problem}: one screen at 1280x720 and 1920x1080, projector-sized`, async () => {
      const { page, errors } = await openApp(browser, `?backend=wasm&p=${problem}&present=1`, { ready: tab.ready });
      try {
        expect(await page.getAttribute('[data-testid="app"]', 'class')).toContain('presenter');
        for (const [w, h] of [
          [1280, 720],
          [1920, 1080],
        ]) {
          await page.setViewportSize({ width: w, height: h });
          await page.waitForTimeout(300);
          const m = await measure(page, tab.plot, tab.scrubber);
          const where = `${problem} ${w}x${h}: ${JSON.stringify(m)}`;
          // No scrolling, and every part inside the viewport.
          expect(m.scroll.h, where).toBeLessThanOrEqual(h);
          expect(m.scroll.w, where).toBeLessThanOrEqual(w);
          for (const [name, b] of Object.entries(m.boxes)) {
            expect(b, `${name} missing: ${where}`).not.toBeNull();
            expect(b!.top, `${name}: ${where}`).toBeGreaterThanOrEqual(0);
            expect(b!.left, `${name}: ${where}`).toBeGreaterThanOrEqual(0);
            expect(b!.bottom, `${name}: ${where}`).toBeLessThanOrEqual(h);
            expect(b!.right, `${name}: ${where}`).toBeLessThanOrEqual(w);
          }
          expect(m.axisPx.loss, where).toBeGreaterThanOrEqual(18);
          if (problem !== 'glyphs') expect(m.axisPx.plot, where).toBeGreaterThanOrEqual(18);
          if (m.curvePx !== null) expect(m.curvePx, where).toBeGreaterThanOrEqual(3);
          if (m.pointPx !== null) expect(m.pointPx, where).toBeGreaterThanOrEqual(12);
        }
        // The button leaves presenter mode, and the link says so.
        await page.click('[data-testid="presenter-toggle"]');
        expect((await state(page)).present).toBe(false);
        expect(await page.getAttribute('[data-testid="app"]', 'class')).not.toContain('presenter');
        await page.waitForFunction(() => !location.search.includes('present=1'));
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});

describe('keyboard', () => {
  it('every shortcut changes the state it names, with the plot focused; none while typing in a field', async () => {
    const { page, errors } = await openApp(browser, '?backend=wasm');
    try {
      await page.focus('[data-testid="task-panel"] svg.task-plot');
      const key = async (k: string) => {
        await page.keyboard.press(k);
        await page.waitForTimeout(50);
      };

      // ? opens the list (a modal dialog with a name); Escape closes it.
      await key('Shift+Slash');
      const dialog = page.locator('[data-testid="shortcuts-overlay"]');
      expect(await dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
      expect(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(1);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('shortcuts-close');
      await key('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('shortcuts-close');
      // Keys do nothing behind it.
      const before = await state(page);
      await key('n');
      expect((await state(page)).seed).toBe(before.seed);
      await key('Escape');
      expect(await dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(false);

      // N: a new task.
      const s0 = await state(page);
      await key('n');
      const s1 = await state(page);
      expect(s1.task).not.toEqual(s0.task);

      // L: the left-half case.
      await key('l');
      const s2 = await state(page);
      expect(s2.points.length).toBe(s2.kShot);
      expect(s2.points.every((p: { x: number }) => p.x <= 0)).toBe(true);

      // Arrows and digits: the scrubber's step.
      await page.evaluate(() => (window as any).__playground.store.getState().setSettings({ selectedStep: 1 }));
      await key('ArrowRight');
      expect((await state(page)).selectedStep).toBe(2);
      await key('ArrowLeft');
      await key('ArrowLeft');
      expect((await state(page)).selectedStep).toBe(0);
      await key('7');
      expect((await state(page)).selectedStep).toBe(7);
      expect(await page.inputValue('[data-testid="step-slider"]')).toBe('7');

      // U and Ctrl+Z: undo the last point; C: clear.
      const n = (await state(page)).points.length;
      const last = (await state(page)).points.at(-2);
      await key('u');
      expect((await state(page)).points.length).toBe(n - 1);
      expect((await state(page)).points.at(-1)).toEqual(last);
      await key('Control+z');
      expect((await state(page)).points.length).toBe(n - 2);
      await key('c');
      expect((await state(page)).points.length).toBe(0);

      // P: presenter mode, in the link too.
      await key('p');
      expect((await state(page)).present).toBe(true);
      expect(await page.getAttribute('[data-testid="app"]', 'class')).toContain('presenter');
      await page.waitForFunction(() => location.search.includes('present=1'));
      await key('p');
      expect((await state(page)).present).toBe(false);

      // F: fullscreen (headless Chromium grants it to a key press).
      await key('f');
      await page.waitForFunction(() => document.fullscreenElement !== null, undefined, { timeout: 5000 });
      await key('f');
      await page.waitForFunction(() => document.fullscreenElement === null, undefined, { timeout: 5000 });

      // E: the main plot's figure is downloaded, where the page has an export.
      const hasExport = (await page.$('[data-testid="export-svg-task"]')) !== null;
      if (hasExport) {
        const download = page.waitForEvent('download', { timeout: 10_000 });
        await key('e');
        expect((await download).suggestedFilename()).toMatch(/\.svg$/);
      }

      // T: start, then pause, then resume training.
      await key('t');
      expect(['starting', 'running']).toContain(await page.textContent('[data-testid="train-state"]'));
      await page.waitForFunction(() => document.querySelector('[data-testid="train-state"]')?.textContent === 'running', undefined, { timeout: 30_000 });
      await key('t');
      await page.waitForFunction(() => document.querySelector('[data-testid="train-state"]')?.textContent === 'paused', undefined, { timeout: 10_000 });
      await key('t');
      await page.waitForFunction(() => document.querySelector('[data-testid="train-state"]')?.textContent === 'running', undefined, { timeout: 10_000 });
      await page.click('[data-testid="train-reset"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="train-state"]')?.textContent === 'idle', undefined, { timeout: 10_000 });

      // Typing in a field is typing: digits go into the field, not to the scrubber.
      const step = (await state(page)).selectedStep;
      await page.click('[data-testid="alpha-input"]');
      await page.keyboard.press('3');
      await page.keyboard.press('n');
      expect((await state(page)).selectedStep).toBe(step);
      await page.keyboard.press('Escape');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('training feedback', () => {
  it('Start shows the new state at once, before the worker answers', async () => {
    const { page } = await openApp(browser, '?backend=wasm&it=200');
    try {
      // The first text the state shows after the click, and whether the worker had answered by then.
      const seen = await page.evaluate(
        () =>
          new Promise<{ state: string | null | undefined; startDisabled: boolean; workerState: string; ms: number }>((resolve) => {
            const el = document.querySelector('[data-testid="train-state"]')!;
            const start = document.querySelector<HTMLButtonElement>('[data-testid="train-start"]')!;
            const t0 = performance.now();
            new MutationObserver((_, obs) => {
              obs.disconnect();
              resolve({
                state: el.textContent,
                startDisabled: start.disabled,
                workerState: (window as any).__playground.store.getState().status.trainState,
                ms: performance.now() - t0,
              });
            }).observe(el, { childList: true, characterData: true, subtree: true });
            start.click();
          }),
      );
      // The worker had not answered ('idle' in the store), and the page already said 'starting'.
      expect(seen.workerState).toBe('idle');
      expect(seen.state).toBe('starting');
      expect(seen.startDisabled).toBe(true);
      expect(seen.ms).toBeLessThan(100);
      await page.waitForFunction(() => ['running', 'done'].includes(document.querySelector('[data-testid="train-state"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
    } finally {
      await page.close();
    }
  });

  it('the ETA shown 5 s into a run is within ±25% of the run’s measured length', async () => {
    const { page } = await openApp(browser, '?backend=wasm&it=12000');
    try {
      await settle(page);
      const t0 = Date.now();
      await page.click('[data-testid="train-start"]');
      // Samples of the shown ETA from 5 s on, with the time each was read.
      const samples: { t: number; eta: string }[] = [];
      while ((await status(page)).trainState !== 'done' && Date.now() - t0 < 120_000) {
        const eta = (await page.textContent('[data-testid="train-eta"]')) ?? '';
        const t = (Date.now() - t0) / 1000;
        if (t >= 5 && (await status(page)).trainState === 'running') samples.push({ t, eta });
        await page.waitForTimeout(500);
      }
      const total = (Date.now() - t0) / 1000;
      expect((await status(page)).trainState).toBe('done');
      // The run must be long enough for the check to mean something.
      expect(total).toBeGreaterThan(7);
      const seconds = (text: string) => {
        const m = /^(?:(\d+) min )?(\d+) s$/.exec(text.trim());
        return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : NaN;
      };
      expect(samples.length).toBeGreaterThan(2);
      for (const s of samples) {
        const predicted = s.t + seconds(s.eta);
        // ±25% of the measured length, plus the half-second the samples are read apart.
        expect(Math.abs(predicted - total), `at ${s.t.toFixed(1)} s the ETA read "${s.eta}"; the run took ${total.toFixed(1)} s`).toBeLessThanOrEqual(0.25 * total + 0.5);
      }
    } finally {
      await page.close();
    }
  });
});

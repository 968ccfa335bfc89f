/**
 * Issue 14, layout: every tab at a phone's 390x844, a laptop's 1280x720 and a projector's 1920x1080 fits the
 * screen (no horizontal overflow, and no element past the right edge outside a scroll container: the stronger
 * check, which a clipping panel would otherwise hide); points are finger-sized targets and a tap deletes one; the
 * start states say what to do (an empty plot's prompt, the glyph tab ready with predictions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch } from './browser';
import { offscreen, openAt, pageOverflow, TABS, VIEWPORTS } from './layout-check';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('every tab fits the screen', () => {
  for (const vp of VIEWPORTS) {
    for (const tab of TABS) {
      it(`${tab.problem} at ${vp.width}x${vp.height}: nothing past the right edge, points at least 24 px to touch`, async () => {
        const { ctx, page, errors } = await openAt(browser, vp, `?backend=wasm&p=${tab.problem}`, tab.ready);
        expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
        expect(await offscreen(page)).toEqual([]);
        // Touch targets: each point's hit area (the invisible circle around the dot) is at least 24 x 24 px.
        if (tab.problem !== 'glyphs') {
          const sizes = await page.$$eval('circle.point-hit', (cs) => cs.map((c) => Math.min(c.getBoundingClientRect().width, c.getBoundingClientRect().height)));
          expect(sizes.length).toBeGreaterThan(0);
          expect(Math.min(...sizes)).toBeGreaterThanOrEqual(24);
        }
        expect(errors).toEqual([]);
        await ctx.close();
      });
    }
  }
});

/** The centre of the index-th point's dot in the viewport (scrolled into view first, as a finger would). */
async function pointCentre(page: Page, selector: string, index: number): Promise<{ x: number; y: number }> {
  return page.$eval(`${selector}[data-index="${index}"]`, (c) => {
    c.scrollIntoView({ block: 'center' });
    const r = c.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
}

describe('on a phone (390x844, touch)', () => {
  it('the sinusoid plot fills the width; a tap selects a point and "Delete point" removes it', async () => {
    const { ctx, page, errors } = await openAt(browser, VIEWPORTS[0], '?backend=wasm', TABS[0].ready);
    const plot = await page.$eval('[data-testid="task-panel"] svg.task-plot', (s) => s.getBoundingClientRect().width);
    const panel = await page.$eval('[data-testid="task-panel"]', (s) => s.clientWidth);
    expect(plot).toBeGreaterThan(panel * 0.85);
    const count = () => page.$$eval('[data-testid="task-panel"] circle.support-point', (cs) => cs.length);
    const before = await count();
    expect(before).toBeGreaterThan(1);
    // A tap just beside the dot (inside its hit circle, outside the dot) selects it.
    const c = await pointCentre(page, '[data-testid="task-panel"] circle.support-point', 0);
    await page.touchscreen.tap(c.x + 8, c.y);
    await page.waitForSelector('[data-testid="delete-point"]');
    expect(await count()).toBe(before);
    const box = (await (await page.$('[data-testid="delete-point"]'))!.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(24);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="task-panel"] circle.support-point').length === n, before - 1);
    expect(await page.$('[data-testid="delete-point"]')).toBeNull();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('the plane plot fills the width (no fixed 420 px); a tap and "Delete point" remove a point there too', async () => {
    const { ctx, page, errors } = await openAt(browser, VIEWPORTS[0], '?backend=wasm&p=plane', TABS[1].ready);
    const right = await page.$eval('[data-testid="plane-plot"]', (s) => s.getBoundingClientRect().right);
    expect(right).toBeLessThanOrEqual(390);
    const count = () => page.$$eval('[data-testid="plane-point"]', (cs) => cs.length);
    const before = await count();
    const c = await pointCentre(page, '[data-testid="plane-point"]', 1);
    await page.touchscreen.tap(c.x, c.y);
    await page.waitForSelector('[data-testid="plane-delete-point"]');
    await page.tap('[data-testid="plane-delete-point"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="plane-point"]').length === n, before - 1);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('start states', () => {
  it('an empty sinusoid plot says how to add points, and its legend shows only the curves before adaptation', async () => {
    const { ctx, page, errors } = await openAt(browser, VIEWPORTS[1], '?backend=wasm', TABS[0].ready);
    expect(await page.$('[data-testid="task-empty-prompt"]')).toBeNull();
    await page.click('[data-testid="clear-points"]');
    await page.waitForSelector('[data-testid="task-empty-prompt"]');
    expect(await page.textContent('[data-testid="task-empty-prompt"]')).toMatch(/add support points/);
    expect(await page.$$('[data-testid="task-legend"] [data-testid="legend-before-only"]')).not.toHaveLength(0);
    expect(await page.textContent('[data-testid="task-legend"]')).not.toMatch(/after \d+ step/);
    // Nothing adapts to no points: no curve after adaptation is shown.
    expect(await page.$$eval('[data-testid="task-panel"] path.curve-after', (ps) => ps.filter((p) => getComputedStyle(p).display !== 'none').length)).toBe(0);
    // The text for screen readers says so too.
    expect(await page.textContent('[data-testid="task-plot-text"]')).toMatch(/No support points/);
    await page.click('[data-testid="sample-points"]');
    await page.waitForSelector('[data-testid="task-empty-prompt"]', { state: 'detached' });
    expect(await page.textContent('[data-testid="task-plot-text"]')).toMatch(/support points: \(/);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('the glyph tab opens ready: a generated episode, no pad outlined red, predictions for the drawings to classify', async () => {
    const { ctx, page, errors } = await openAt(browser, VIEWPORTS[1], '?backend=wasm&p=glyphs', TABS[2].ready);
    expect(await page.$$('.glyph-pad.has-problem')).toHaveLength(0);
    expect(await page.$('[data-testid="glyph-ready"]')).not.toBeNull();
    await page.waitForSelector('[data-testid="glyph-probs-maml-0"]', { timeout: 60_000 });
    expect(Number(await page.getAttribute('[data-testid="glyph-query-acc-maml"]', 'data-after'))).toBeGreaterThan(0);
    // Charts never say a bare "computing…": cleared, the chart of the user's task says what it waits for.
    expect(await page.textContent('[data-testid="class-metrics-panel"]')).not.toMatch(/computing…/);
    await page.click('[data-testid="glyph-clear"]');
    await page.waitForSelector('[data-testid="class-metrics-panel"] :text("draw every character to see a score")');
    expect(await page.textContent('[data-testid="class-metrics-panel"]')).not.toMatch(/computing…/);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

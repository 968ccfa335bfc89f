/**
 * Classification live (issue 17 target 2): the glyph tab offers its live preset, which sets the settings it names
 * and states its measured promise; a 3-way glyph tab does not (the preset trains 5-way). The same for the plane's
 * 5-way preset.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLYPH_LIVE, PLANE_LIVE } from '../../src/meta/contracts/config';
import { launch, openApp } from './browser';
import { offscreen, openAt, pageOverflow, VIEWPORTS } from './layout-check';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser.close();
});

const PRESET = '[data-testid="train-lecture-preset"]';

describe('the glyph live preset', () => {
  it('sets MAML with its Adam step, meta-batch and query size, by keyboard, and says its promise', async () => {
    const { page, errors } = await openApp(browser, '?backend=wasm&p=glyphs&algo=fomaml', { ready: '[data-testid="glyph-pad-0-0"]' });
    const button = page.locator(PRESET);
    expect(await button.textContent()).toContain(GLYPH_LIVE.promise);
    expect(await button.getAttribute('title')).toBe(GLYPH_LIVE.title);
    await button.focus();
    await page.keyboard.press('Enter');
    expect(await page.inputValue('[data-testid="train-algorithm"]')).toBe('maml');
    // The number fields follow the store one render later (their text is a draft synced by an effect).
    await expect.poll(async () => Number(await page.inputValue('[data-testid="train-metaLr"]'))).toBe(GLYPH_LIVE.config.metaLr);
    await expect.poll(async () => Number(await page.inputValue('[data-testid="train-metaBatch"]'))).toBe(GLYPH_LIVE.config.metaBatch);
    // Not form fields (the tooltip names them): the settings the run will take.
    const train = await page.evaluate(() => (window as any).__playground.store.getState().settings.train);
    expect(train.metaLr).toBe(GLYPH_LIVE.config.metaLr);
    expect(train.kQuery).toBe(GLYPH_LIVE.config.kQuery);
    expect(train.kSupport).toBe(1);
    expect(await page.textContent('[data-testid="train-problem"]')).toMatch(/glyphs, 5-way/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the plane 5-way tab offers its own; neither is offered for other numbers of classes', async () => {
    const { page } = await openApp(browser, '?backend=wasm&p=plane&pn=5', { ready: '[data-testid="train-problem"]' });
    expect(await page.textContent(PRESET)).toContain(PLANE_LIVE.promise);
    await page.click(PRESET);
    await expect.poll(async () => Number(await page.inputValue('[data-testid="train-metaLr"]'))).toBe(PLANE_LIVE.config.metaLr);
    await expect.poll(async () => Number(await page.inputValue('[data-testid="train-metaBatch"]'))).toBe(PLANE_LIVE.config.metaBatch);
    await page.close();
    for (const query of ['?backend=wasm&p=glyphs&gn=3', '?backend=wasm&p=plane']) {
      const { page } = await openApp(browser, query, { ready: '[data-testid="train-problem"]' });
      expect(await page.locator(PRESET).count(), query).toBe(0);
      await page.close();
    }
  });
});

describe('the live presets fit every screen and are touch targets with names', () => {
  for (const vp of VIEWPORTS) {
    for (const [query, ready] of [
      ['?backend=wasm&p=glyphs', '[data-testid="glyph-pad-0-0"]'],
      ['?backend=wasm&p=plane&pn=5', '[data-testid="plane-area"]'],
    ] as const) {
      it(`${query} at ${vp.width}x${vp.height}`, async () => {
        const { ctx, page, errors } = await openAt(browser, vp, query, ready);
        const button = page.locator(PRESET);
        await button.scrollIntoViewIfNeeded();
        const box = (await button.boundingBox())!;
        expect(box.height).toBeGreaterThanOrEqual(24);
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(vp.width);
        expect(((await button.textContent()) ?? '').trim().length).toBeGreaterThan(10);
        expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
        expect(await offscreen(page)).toEqual([]);
        // A tap (a click where the screen has no touch) applies it.
        if (vp.width < 500) await button.tap();
        else await button.click();
        await expect.poll(() => page.evaluate(() => (window as any).__playground.store.getState().settings.train.algorithm)).toBe('maml');
        expect(errors).toEqual([]);
        await ctx.close();
      });
    }
  }
});

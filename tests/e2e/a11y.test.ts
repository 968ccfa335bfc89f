/**
 * Issue 14, accessibility: axe-core (WCAG 2 A and AA rules) finds no serious or critical violation on any tab, at a
 * laptop's 1280x720 and a phone's 390x844, in presenter mode and with the shortcuts overlay open (where the page
 * has them).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch } from './browser';
import { openAt, TABS, VIEWPORTS } from './layout-check';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The serious and critical violations axe finds on the page: "rule (selector, ...)" each. */
async function axe(page: Page): Promise<string[]> {
  // Injected as a script element's text: the page's Content-Security-Policy allows no inline script, so the
  // context bypasses it (bypassCSP), or evaluated directly.
  await page.evaluate(AXE);
  return page.evaluate(
    `axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.nodes.map((n) => n.target.join(' ')).join(', ') + ')'))`,
  ) as Promise<string[]>;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('axe: no serious or critical WCAG 2 A/AA violation', () => {
  for (const vp of [VIEWPORTS[1], VIEWPORTS[0]]) {
    for (const tab of TABS) {
      it(`${tab.problem} at ${vp.width}x${vp.height}`, async () => {
        const { ctx, page } = await openAt(browser, vp, `?backend=wasm&p=${tab.problem}`, tab.ready);
        expect(await axe(page)).toEqual([]);
        // With a point selected (its "Delete point" button shown).
        if (tab.problem === 'sinusoid') {
          await page.click('[data-testid="task-panel"] circle.support-point[data-index="0"]');
          await page.waitForSelector('[data-testid="delete-point"]');
          expect(await axe(page)).toEqual([]);
        }
        await ctx.close();
      });
    }
  }

  it('in presenter mode, and with the shortcuts overlay open', async () => {
    for (const tab of TABS) {
      const { ctx, page } = await openAt(browser, VIEWPORTS[2], `?backend=wasm&p=${tab.problem}&present=1`, tab.ready);
      expect(await axe(page), tab.problem).toEqual([]);
      const open = await page.$('[data-testid="shortcuts-open"]');
      if (open) {
        await open.click();
        await page.waitForSelector('[data-testid="shortcuts-overlay"]');
        expect(await axe(page), `${tab.problem}, overlay`).toEqual([]);
      }
      await ctx.close();
    }
  });
});

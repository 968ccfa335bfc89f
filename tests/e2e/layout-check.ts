import type { Browser, BrowserContext, Page } from 'playwright-core';
import { inject } from 'vitest';
import { settle } from './browser';

/**
 * In the page (a string, so no bundler helper leaks into it): the elements that reach past the viewport's right
 * edge and are not inside a scroll container (which the reader can scroll to them). A part clipped by an
 * `overflow: hidden` ancestor counts only as far as that ancestor reaches.
 */
const OFFSCREEN = `(limit) => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const scrolls = (e) => {
    const s = getComputedStyle(e);
    return (s.overflowX === 'auto' || s.overflowX === 'scroll') && e !== document.documentElement && e !== document.body;
  };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let right = r.right;
    let skip = false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (scrolls(a)) { skip = true; break; }
      const s = getComputedStyle(a);
      if (s.overflowX === 'hidden' || s.overflowX === 'clip') right = Math.min(right, a.getBoundingClientRect().right);
    }
    if (skip || getComputedStyle(el).visibility === 'hidden') continue;
    if (right > vw + 0.5) {
      const c = typeof el.className === 'string' ? el.className : (el.className && el.className.baseVal) || '';
      const id = el.getAttribute('data-testid');
      out.push(el.tagName.toLowerCase() + (c ? '.' + c.trim().split(/\\s+/).join('.') : '') + (id ? '[' + id + ']' : '') + ' right ' + Math.round(right) + ' > ' + vw);
      if (out.length >= limit) break;
    }
  }
  return out;
}`;

/**
 * What sticks out of the page on the right, beyond the viewport and outside any scroll container (a phone cuts
 * it off): a short description of each element (at most `limit`), empty when nothing does. Stronger than
 * `scrollWidth <= innerWidth`, which an `overflow: hidden` ancestor hides.
 */
export function offscreen(page: Page, limit = 8): Promise<string[]> {
  return page.evaluate(`(${OFFSCREEN})(${limit})`) as Promise<string[]>;
}

/** The page's own horizontal overflow: document width beyond the viewport (0: none). */
export function pageOverflow(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - innerWidth') as Promise<number>;
}

export const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

/** Each tab, and what shows it is drawn. */
export const TABS = [
  { problem: 'sinusoid', ready: '[data-testid="task-panel"] path.curve[data-method="maml"]' },
  { problem: 'plane', ready: '[data-testid="plane-area"]' },
  { problem: 'glyphs', ready: '[data-testid="glyph-pad-0-0"]' },
  { problem: 'update', ready: '[data-testid="update-logistic-row-kfo"]' },
] as const;

/** A page at the given size (a touch screen at phone width), settled on the given link. */
export async function openAt(browser: Browser, viewport: { width: number; height: number }, query: string, ready: string): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport, hasTouch: viewport.width < 500, serviceWorkers: 'block' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${inject('baseURL')}${query}`);
  await page.waitForSelector(ready, { timeout: 60_000 });
  await settle(page);
  return { ctx, page, errors };
}

/**
 * The test-time alpha tells its risk (issue 13): next to it, the share of the live test tasks on which each shown
 * method blows up, from the engine's averaged curves; Meta-SGD's unreliable steps are named with a measurement.
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

async function risk(page: Page): Promise<{ state: string; text: string; shares: Record<string, { from: number; share: number }> }> {
  await page.waitForSelector('[data-testid="alpha-risk"]:not([data-state="measuring"])', { timeout: 60_000 });
  return page.$eval('[data-testid="alpha-risk"]', (el) => ({
    state: el.getAttribute('data-state') ?? '',
    text: el.textContent ?? '',
    shares: Object.fromEntries(
      [...el.querySelectorAll('[data-from]')].map((s) => [s.getAttribute('data-testid')!.replace('alpha-risk-', ''), { from: Number(s.getAttribute('data-from')), share: Number(s.getAttribute('data-share')) }]),
    ),
  }));
}

describe('the blow-up risk next to the test-time alpha', () => {
  it("is measured at the alpha chosen: at 0.05 MAML blows up on most tasks, and the page says from which step", async () => {
    const { page } = await openApp(browser, '?backend=wasm&methods=maml,pretrained&alpha=0.05');
    await settle(page);
    const r = await risk(page);
    expect(r.state).toBe('risky');
    expect(r.shares.maml.share).toBeGreaterThan(0.5);
    expect(r.shares.maml.from).toBeGreaterThanOrEqual(1);
    expect(r.text).toMatch(/α = 0.05 \(100 test tasks, K = 5, steps 1–10\)/);
    // Changing alpha re-measures: at 0.001 nothing blows up.
    await page.fill('[data-testid="alpha-input"]', '0.001');
    await page.press('[data-testid="alpha-input"]', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="alpha-risk"]')?.textContent?.includes('α = 0.001'), undefined, { timeout: 60_000 });
    await settle(page);
    const safe = await risk(page);
    expect(safe.state).toBe('safe');
    expect(safe.text).toMatch(/no shown method blew up/);
    await page.close();
  });

  it("names Meta-SGD's unreliable steps at the paper's alpha, and why (its learned rates, not alpha)", async () => {
    const { page } = await openApp(browser, '?backend=wasm&methods=maml,metasgd&alpha=0.01');
    await settle(page);
    const r = await risk(page);
    expect(Object.keys(r.shares)).toContain('metasgd');
    expect(r.shares.metasgd.from).toBeGreaterThan(1);
    expect(r.shares.metasgd.share).toBeGreaterThan(0.1);
    expect(r.text).toMatch(/Meta-SGD blows up on \d+% by step \d+, unreliable from step \d+ \(its learned rates overshoot; α is not used\)/);
    // The unreliable steps are marked: from the first one named, every later step shown.
    const marked = await page.$$eval('[data-testid="alpha-risk-metasgd"] .risk-step', (cells) => cells.map((c) => [Number(c.getAttribute('data-step')), c.classList.contains('unreliable')] as const));
    expect(marked).toHaveLength(10);
    expect(marked.find(([, bad]) => bad)?.[0]).toBe(r.shares.metasgd.from);
    await page.close();
  });
});

/**
 * Issue 16, "Inside the update": the tab opens by its link, draws an arrow per update rule, and dragging theta
 * (pointer) or moving it (keyboard) moves every arrow; MAML's and first-order MAML's arrows differ by exactly what
 * the engine (src/meta/fast/update/rules.ts, run here in Node on the numbers the page shows) computes; the shipped
 * deep and KFO models beat the shallow one after one step in the page's own evaluation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { populationQuad } from '../../src/meta/contracts/tasks/update';
import { RULE_IDS, ruleUpdates } from '../../src/meta/fast/update/rules';
import { launch } from './browser';
import { openAt, VIEWPORTS } from './layout-check';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const READY = '[data-testid="update-arrow-maml"]';

async function arrows(page: Page): Promise<Record<string, [number, number]>> {
  return page.$$eval('[data-testid^="update-arrow-"]', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-testid')!.slice('update-arrow-'.length), [Number(e.getAttribute('data-v1')), Number(e.getAttribute('data-v2'))]])),
  );
}

async function pair(page: Page, testId: string): Promise<[number, number]> {
  return page.$eval(`[data-testid="${testId}"]`, (e) => [Number(e.getAttribute('data-w1')), Number(e.getAttribute('data-w2'))] as [number, number]);
}

/** What the engine computes for the view the page shows (theta, optima, alpha, k, lambda, input scale read from it). */
async function engineView(page: Page) {
  const panel = await page.$eval('[data-testid="update-panel"]', (e) => ({
    alpha: Number(e.getAttribute('data-alpha')),
    steps: Number(e.getAttribute('data-steps')),
    lambda: Number(e.getAttribute('data-lambda')),
    inputScale: Number(e.getAttribute('data-input-scale')),
  }));
  const theta = await pair(page, 'update-theta');
  const n = await page.$$eval('[data-testid^="update-optimum-"]', (els) => els.length);
  const optima = await Promise.all(Array.from({ length: n }, (_, i) => pair(page, `update-optimum-${i}`)));
  const tasks = optima.map((o) => {
    const q = populationQuad({ inputScales: [1, panel.inputScale] }, o);
    return { support: q, query: q };
  });
  return ruleUpdates(theta, tasks, panel);
}

describe('Inside the update', () => {
  it('opens by its link with the given theta, and draws one arrow per rule', async () => {
    const { ctx, page, errors } = await openAt(browser, VIEWPORTS[1], '?backend=wasm&p=update&ut=1.5:-2&steps=2', READY);
    expect(await page.$eval('[data-testid="app"]', (e) => e.getAttribute('data-problem'))).toBe('update');
    expect(await pair(page, 'update-theta')).toEqual([1.5, -2]);
    expect(Object.keys(await arrows(page)).sort()).toEqual([...RULE_IDS].sort());
    // The MLP tabs' training panel and method checkboxes do not apply here.
    expect(await page.$('[data-testid="show-maml"]')).toBeNull();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('dragging theta moves every arrow, and MAML differs from first-order MAML by what the engine computes', async () => {
    const { ctx, page, errors } = await openAt(browser, VIEWPORTS[2], '?backend=wasm&p=update&steps=3', READY);
    const before = await arrows(page);
    const theta0 = await pair(page, 'update-theta');
    const h = await page.$eval('[data-testid="update-theta"] circle.update-hit', (c) => {
      c.scrollIntoView({ block: 'center' });
      const r = c.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
    await page.mouse.move(h.x, h.y);
    await page.mouse.down();
    await page.mouse.move(h.x + 40, h.y - 30, { steps: 5 });
    await page.mouse.move(h.x + 80, h.y - 60, { steps: 5 });
    await page.mouse.up();
    const theta1 = await pair(page, 'update-theta');
    expect(theta1[0]).toBeGreaterThan(theta0[0] + 0.3);
    expect(theta1[1]).toBeGreaterThan(theta0[1] + 0.3);
    const after = await arrows(page);
    for (const id of RULE_IDS) expect(Math.hypot(after[id][0] - before[id][0], after[id][1] - before[id][1]), id).toBeGreaterThan(1e-3);
    // The engine, in Node, on the numbers the page shows.
    const engine = await engineView(page);
    for (const id of RULE_IDS) {
      expect(after[id][0], id).toBeCloseTo(engine.mean[id][0], 9);
      expect(after[id][1], id).toBeCloseTo(engine.mean[id][1], 9);
    }
    const diff = Math.hypot(engine.mean.maml[0] - engine.mean.fomaml[0], engine.mean.maml[1] - engine.mean.fomaml[1]);
    expect(diff).toBeGreaterThan(0.01);
    const shown = await page.$eval('[data-testid="update-maml-fomaml"]', (e) => Number(e.getAttribute('data-diff')));
    expect(shown).toBeCloseTo(diff, 9);
    expect(Math.hypot(after.maml[0] - after.fomaml[0], after.maml[1] - after.fomaml[1])).toBeCloseTo(diff, 9);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('moves theta and a task optimum by keyboard, and the link keeps them', async () => {
    const { ctx, page } = await openAt(browser, VIEWPORTS[1], '?backend=wasm&p=update&ut=0:0', READY);
    await page.focus('[data-testid="update-theta"]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowUp');
    expect(await pair(page, 'update-theta')).toEqual([0.1, 0.5]);
    const o0 = await pair(page, 'update-optimum-0');
    const before = (await arrows(page)).maml;
    await page.focus('[data-testid="update-optimum-0"]');
    await page.keyboard.press('ArrowDown');
    expect(await pair(page, 'update-optimum-0')).toEqual([o0[0], Number((o0[1] - 0.1).toFixed(3))]);
    expect((await arrows(page)).maml).not.toEqual(before);
    await page.waitForFunction(() => new URL(location.href).searchParams.get('ut') === '0.1:0.5');
    await ctx.close();
  });

  it("evaluates the shipped models on the page: deep and KFO beat shallow after one step beyond the CIs, for linear and logistic regression", async () => {
    const { ctx, page } = await openAt(browser, VIEWPORTS[1], '?backend=wasm&p=update', '[data-testid="update-logistic-row-kfo"]');
    for (const prefix of ['update-row', 'update-logistic-row']) {
      const row = (m: string) => page.$eval(`[data-testid="${prefix}-${m}"]`, (e) => ({ mean: Number(e.getAttribute('data-one-step')), ci: Number(e.getAttribute('data-one-step-ci')) }));
      const shallow = await row('shallow');
      for (const m of ['deep', 'kfo']) {
        const r = await row(m);
        expect(r.mean + r.ci, `${prefix} ${m}`).toBeLessThan(shallow.mean - shallow.ci);
      }
    }
    // One logistic test task's boundaries: a true one and one per model, and another task on request.
    const boundaries = () => page.$$eval('[data-testid="update-input-plane"] path[data-model]', (ps) => ps.map((p) => p.getAttribute('d')));
    const first = await boundaries();
    expect(first).toHaveLength(3);
    await page.click('[data-testid="update-logistic-next"]');
    expect(await boundaries()).not.toEqual(first);
    await ctx.close();
  });

  it('meta-trains theta live (its path is drawn and theta moves toward the family), and trains the three models live', async () => {
    const { ctx, page, errors } = await openAt(browser, VIEWPORTS[1], '?backend=wasm&p=update&ut=-4:-4&steps=1', READY);
    await page.click('[data-testid="update-train"]');
    await page.waitForSelector('[data-testid="update-theta-path"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="update-train"]')?.textContent?.includes('Meta-train'), null, { timeout: 30_000 });
    const theta = await pair(page, 'update-theta');
    // The family's mean is (1, 0.5): 200 MAML steps from (-4, -4) come much closer.
    expect(Math.hypot(theta[0] - 1, theta[1] - 0.5)).toBeLessThan(0.5 * Math.hypot(5, 4.5));
    await page.click('[data-testid="update-live-run"]');
    for (const m of ['shallow', 'deep', 'kfo']) await page.waitForSelector(`[data-testid="update-live-${m}"]`);
    await page.click('[data-testid="update-live-run"]');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

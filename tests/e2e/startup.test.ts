/**
 * Start-up in short tasks (issue 17, target 4: no long task over 50 ms during load). How long each task takes is
 * the bench's to measure (`BENCH_ONLY=load npx tsx scripts/bench.ts`; `scripts/trace-load.ts` names the code in
 * each); these checks hold the structure that keeps them short: the first screen mounts in parts, each its own
 * commit (the header and the controls, the main panel, the metrics panel, the training panel), the
 * page before React is a plain header, and nothing is lost on the way.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, waitForCurves } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const PARTS = ['controls', 'task-panel', 'loss-panel', 'training-panel'] as const;

describe('start-up', () => {
  it('the index page shows the title before any script runs, and fetches the session\'s chunks with the entry', async () => {
    const html = await (await fetch(inject('baseURL'))).text();
    expect(html).toMatch(/<div id="root">.*<h1>MAML Playground<\/h1>/s);
    // The entry imports the session dynamically (its evaluation a task of its own): preloaded, it does not wait.
    const preloads = [...html.matchAll(/<link rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
    expect(preloads.some((f) => /\/controller-[\w-]+\.js$/.test(f))).toBe(true);
    for (const f of preloads) expect((await fetch(new URL(f, inject('baseURL')))).ok).toBe(true);
  });

  for (const viewport of [{ width: 390, height: 844 }, { width: 1400, height: 1000 }]) {
    it(`at ${viewport.width}x${viewport.height} the first screen mounts in parts, each its own commit, and nothing is missing`, async () => {
      const page = await browser.newPage({ viewport });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      // Each batch of DOM changes the page makes (a React commit is one) gets a number; each part is stamped with
      // the batch it appeared in.
      await page.addInitScript((parts) => {
        const seen: Record<string, number> = {};
        let batch = 0;
        (window as any).__parts = seen;
        new MutationObserver(() => {
          batch += 1;
          for (const id of parts) if (!(id in seen) && document.querySelector(`[data-testid="${id}"]`)) seen[id] = batch;
        }).observe(document, { subtree: true, childList: true });
      }, [...PARTS]);
      await page.goto(`${inject('baseURL')}?backend=wasm`);
      await waitForCurves(page);
      // The worker may answer before React has mounted the last part (its bundle cached from an earlier test).
      await page.waitForSelector('[data-testid="training-panel"]');
      const seen: Record<string, number> = await page.evaluate(() => (window as any).__parts);
      expect(Object.keys(seen).sort()).toEqual([...PARTS].sort());
      expect(seen['task-panel']).toBeGreaterThan(seen['controls']);
      expect(seen['loss-panel']).toBeGreaterThan(seen['task-panel']);
      expect(seen['training-panel']).toBeGreaterThan(seen['loss-panel']);
      // React replaced the static header: one title, no loading line, the whole first screen.
      await expect(page.locator('h1').count()).resolves.toBe(1);
      await expect(page.getByText('Loading the playground').count()).resolves.toBe(0);
      for (const id of PARTS) await expect(page.locator(`[data-testid="${id}"]`).count()).resolves.toBe(1);
      await page.waitForFunction(() => /wasm/.test(document.querySelector('[data-testid="backend-name"]')?.textContent ?? ''));
      await page.waitForSelector('[data-testid="loss-panel"] path.loss-line[data-method="maml"]');
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});

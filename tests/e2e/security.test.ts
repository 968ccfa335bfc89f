/**
 * The Content-Security-Policy (issue 13): the app's own origin only, as a header from the server and as a meta
 * tag for static hosts, enforced (an injected inline script does not run) and never in the app's way (no
 * violation while it loads, computes and switches problems, on wasm, webgl and webgpu). And the test hooks stay
 * out of the production bundle.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, openApp } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ webgpu: true });
});
afterAll(async () => {
  await browser?.close();
});

/** Records CSP violations the page reports, from before any of its scripts run. */
async function watchViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    (window as any).__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as any).__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

describe('the production bundle', () => {
  it('has no test hooks (window.__playground, the crash and bench requests); the tests\' build (--mode e2e) has them', () => {
    const out = mkdtempSync(join(tmpdir(), 'prod-'));
    execFileSync('node_modules/.bin/vite', ['build', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], { stdio: 'pipe' });
    const read = (dir: string) => readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, 'assets', f), 'utf8')).join('\n');
    const prod = read(out);
    rmSync(out, { recursive: true, force: true });
    expect(prod.length).toBeGreaterThan(100_000);
    for (const hook of ['__playground', 'crashWorker', 'timeToQuality:']) expect(prod, hook).not.toContain(hook);
    // The build under test (dist/) is the one with hooks, or these tests could not drive it.
    expect(read('dist')).toContain('__playground');
  });
});

describe('Content-Security-Policy', () => {
  it('comes as a header and as a meta tag, and allows only the own origin', async () => {
    const res = await fetch(inject('baseURL'));
    const header = res.headers.get('content-security-policy') ?? '';
    expect(header).toMatch(/default-src 'self'/);
    expect(header).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(header).not.toContain("'unsafe-eval'");
    expect(header).not.toMatch(/https?:|\*/);
    const html = await res.text();
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;/);
  });

  it('is enforced: an inline script injected into the page does not run', async () => {
    const { page } = await openApp(browser, '?backend=wasm');
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.append(s);
      await new Promise((r) => setTimeout(r, 100));
      return (window as any).__inlineRan === true;
    });
    expect(ran).toBe(false);
    await page.close();
  });

  for (const backend of ['wasm', 'webgl', 'webgpu']) {
    it(`lets the app load and compute on ${backend} with no violation`, async () => {
      const app = await openApp(browser, `?backend=${backend}`);
      await watchViolations(app.page);
      await app.page.reload();
      await app.page.waitForSelector('[data-testid="task-panel"] path.curve[data-method="maml"]', { timeout: 60_000 });
      // A blocked wasm compile or worker would show as a fallback to another backend (the worker's own
      // violations are not reported to the document).
      expect(await app.page.textContent('[data-testid="backend-name"]')).toContain(backend);
      // The other problems load their own checkpoints and run their own kernels.
      await app.page.goto(`${inject('baseURL')}?backend=${backend}&p=plane`);
      await app.page.waitForSelector('[data-testid="plane-regions"]', { timeout: 60_000 });
      await app.page.waitForTimeout(1500);
      expect(await app.page.evaluate(() => (window as any).__cspViolations)).toEqual([]);
      expect(app.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
      await app.page.close();
    });
  }
});

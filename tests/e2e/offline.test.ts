/**
 * Offline use (issue 14): after one visit, with the server stopped and the network off, a reload still shows the
 * page, names its backend (wasm: the wasm binary comes from the cache too), adapts to a click, and the plane and
 * glyph tabs load their shipped checkpoints. The app is served from a sub-path by a server of this file's own,
 * which it really stops (nothing answers on its port), so only the service worker's cache can answer. The
 * same steps with service workers blocked fail at the reload: the test can fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataToPage, launch, pathOf, settle, shownPoints, waitForCurveChange, waitForCurves } from './browser';

/** The sub-path the app is served under: scope, start_url and every asset path must work below it. */
const SUB = '/maml-playground/';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** `vite preview` of dist/ under SUB (with the COOP/COEP and CSP headers of vite.config.ts). */
async function serve(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const server: ChildProcess = spawn(
    'node_modules/.bin/vite',
    ['preview', '--base', SUB, '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}${SUB}`;
  const end = Date.now() + 30_000;
  while (!(await answers(url))) {
    if (Date.now() > end) throw new Error(`preview server did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = new Promise((r) => server.once('exit', r));
  return {
    url,
    stop: async () => {
      server.kill();
      await exited;
      if (await answers(url)) throw new Error('the server still answers');
    },
  };
}

/** What the built service worker precaches (its manifest in dist/sw.js). */
function precacheList(): string[] {
  const sw = readFileSync('dist/sw.js', 'utf8');
  return [...new Set([...sw.matchAll(/\{url:"([^"]+)",revision:/g)].map((m) => m[1]))];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Opens the app and waits for its backend and the sinusoid's curves (openApp, on this file's server). */
async function open(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await shows(page);
  return { page, errors };
}

async function shows(page: Page): Promise<void> {
  await page.waitForFunction(() => /webgpu|webgl|wasm|cpu/.test(document.querySelector('[data-testid="backend-name"]')?.textContent ?? ''), undefined, {
    timeout: 60_000,
  });
  await waitForCurves(page);
  await settle(page);
}

/** Takes the network away: the server stopped, the browser offline, and any request that still reaches the network recorded and refused. */
async function goOffline(context: BrowserContext, stop: () => Promise<void>): Promise<string[]> {
  await stop();
  await context.setOffline(true);
  // Requests the service worker answers never get here; everything else would need the network.
  const reached: string[] = [];
  await context.route('**/*', (route) => {
    reached.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  return reached;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('offline', () => {
  it('precaches the page, its JS, the worker, the three wasm binaries, every shipped checkpoint and the manifest with its icons', () => {
    const list = precacheList();
    const shipped = filesUnder('public/checkpoints')
      .filter((f) => f.endsWith('.ckpt') || f.endsWith('index.json'))
      .map((f) => relative('public', f).split('\\').join('/'));
    expect(shipped.length).toBeGreaterThanOrEqual(30);
    for (const f of shipped) expect(list, f).toContain(f);
    const built = readdirSync('dist/assets').filter((f) => /\.(js|css|wasm)$/.test(f));
    expect(built.filter((f) => f.endsWith('.wasm'))).toHaveLength(3);
    expect(built.some((f) => f.startsWith('engine.worker'))).toBe(true);
    for (const f of built) expect(list, f).toContain(`assets/${f}`);
    for (const f of ['index.html', 'manifest.webmanifest', 'icon-192.png', 'icon-512.png', 'icon-maskable-512.png']) expect(list, f).toContain(f);
    // The Learn mode's equation fonts (KaTeX's woff2, bundled: issue 15).
    const fonts = readdirSync('dist/assets').filter((f) => f.endsWith('.woff2'));
    expect(fonts.some((f) => f.startsWith('KaTeX_Main-Regular'))).toBe(true);
    for (const f of fonts) expect(list, f).toContain(`assets/${f}`);
  });

  it('after one visit, with the server stopped, a reload shows the page, adapts to a click and loads the plane and glyph checkpoints', async () => {
    const server = await serve();
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      const { page, errors } = await open(context, `${server.url}?backend=wasm`);
      // The first visit: the service worker installs (precaching everything) and takes the page.
      const installed = await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 50));
        const names = await caches.keys();
        let entries = 0;
        for (const n of names) entries += (await (await caches.open(n)).keys()).length;
        return { scope: reg.scope, script: reg.active?.scriptURL, names, entries };
      });
      expect(installed.scope).toBe(server.url);
      expect(installed.script).toBe(`${server.url}sw.js`);
      expect(installed.names.some((n) => n.startsWith('workbox-precache'))).toBe(true);
      expect(installed.entries).toBe(precacheList().length);
      // The manifest's start_url and scope resolve to the sub-path; its icons load.
      const manifest = await page.evaluate(async () => {
        const href = (document.querySelector('link[rel="manifest"]') as HTMLLinkElement).href;
        const m = await (await fetch(href)).json();
        const icons = await Promise.all(m.icons.map(async (i: { src: string }) => (await fetch(new URL(i.src, href))).headers.get('content-type')));
        return { name: m.name, start: new URL(m.start_url, href).href, scope: new URL(m.scope, href).href, icons };
      });
      expect(manifest).toEqual({ name: 'MAML Playground', start: server.url, scope: server.url, icons: ['image/png', 'image/png', 'image/png'] });

      const reached = await goOffline(context, server.stop);
      expect(await answers(server.url)).toBe(false);
      await page.reload();
      await shows(page);
      expect(await page.textContent('[data-testid="backend-name"]')).toContain('wasm');
      const state = await page.evaluate(() => ({ online: navigator.onLine, isolated: crossOriginIsolated, controlled: !!navigator.serviceWorker.controller }));
      expect(state).toEqual({ online: false, isolated: true, controlled: true });

      // The sinusoid's models are the shipped ones (a checkpoint that could not be fetched starts untrained).
      const sources = () => page.evaluate(() => (window as any).__playground.store.getState().status.sources as Record<string, string>);
      const sinusoid = await sources();
      for (const m of ['maml', 'fomaml', 'reptile', 'pretrained']) expect(sinusoid[m], m).toMatch(/shipped checkpoint/);

      // A click adds a point and the curves change.
      const before = await pathOf(page, 'maml', 1);
      const n = (await shownPoints(page)).length;
      const at = await dataToPage(page, 1.5, 2.5);
      await page.mouse.click(at.x, at.y);
      await waitForCurveChange(page, 'maml', 1, before);
      await settle(page);
      expect((await shownPoints(page)).length).toBe(n + 1);

      // The other problems load their shipped checkpoints from the cache.
      await page.click('[data-testid="problem-plane"]');
      await page.waitForSelector('[data-testid="plane-area"]', { timeout: 60_000 });
      await settle(page);
      const plane = await sources();
      for (const m of ['maml', 'fomaml', 'pretrained']) expect(plane[`plane-2way/${m}`], m).toMatch(/shipped checkpoint/);
      await page.click('[data-testid="problem-glyphs"]');
      await page.waitForSelector('[data-testid="glyph-pad-0-0"]', { timeout: 60_000 });
      await settle(page);
      const glyphs = Object.entries(await sources()).filter(([k]) => k.startsWith('glyphs'));
      expect(glyphs.length).toBeGreaterThanOrEqual(3);
      for (const [k, v] of glyphs) expect(v, k).toMatch(/shipped checkpoint|random initialisation/);
      expect(glyphs.filter(([, v]) => /shipped checkpoint/.test(v)).length).toBeGreaterThanOrEqual(3);

      // The Learn mode (issue 15): its equations render with KaTeX's own fonts, from the cache.
      await page.click('[data-testid="problem-sinusoid"]');
      await page.click('[data-testid="learn-toggle"]');
      await page.waitForSelector('[data-testid="lesson"] .katex');
      const katexFont = await page.evaluate(async () => {
        await document.fonts.ready;
        return [...document.fonts].filter((f) => f.family.replace(/"/g, '') === 'KaTeX_Main' && f.status === 'loaded').length;
      });
      expect(katexFont).toBeGreaterThan(0);

      expect(reached).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await server.stop().catch(() => undefined);
    }
  });

  it('fails without the service worker: the same reload finds no page', async () => {
    const server = await serve();
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, serviceWorkers: 'block' });
    try {
      const { page } = await open(context, `${server.url}?backend=wasm`);
      const reached = await goOffline(context, server.stop);
      const reload = await page.reload().then(
        () => 'loaded',
        (e: Error) => e.message,
      );
      expect(reload).toMatch(/ERR_INTERNET_DISCONNECTED/);
      // The route that stands for the network saw the page's request (the main test's saw none).
      expect(reached).toEqual([`${server.url}?backend=wasm`]);
      // Chromium's own error page, not the app.
      await page.waitForFunction(() => location.protocol === 'chrome-error:', undefined, { timeout: 10_000 });
      expect(await page.$('[data-testid="backend-name"]')).toBeNull();
    } finally {
      await context.close();
      await server.stop().catch(() => undefined);
    }
  });
});

import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';

/** Debian's Chromium; flags from ../shared/notes/tfjs-facts.md (closed network, no GPU). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch(opts: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...(opts.webgpu ? ['--enable-unsafe-webgpu'] : []),
    ],
  });
}

export interface AppPage {
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
}

/** Opens the app with the given query string and waits until the engine runs and the curves are drawn. */
export async function openApp(browser: Browser, query = '', opts: { settle?: 'adaptation'; ready?: string } = {}): Promise<AppPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${inject('baseURL')}${query}`);
  await page.waitForFunction(() => {
    const b = document.querySelector('[data-testid="backend-name"]')?.textContent ?? '';
    return /webgpu|webgl|wasm|cpu/.test(b);
  }, undefined, { timeout: 60_000 });
  // The sinusoid's curves, or what the caller names (the classification playgrounds).
  if (opts.ready) await page.waitForSelector(opts.ready, { timeout: 60_000 });
  else await waitForCurves(page);
  await settle(page, { only: opts.settle });
  return { page, errors };
}

/** Waits until no adaptation or evaluation is pending: what the page shows is current. */
export async function settle(page: Page, opts: { only?: 'adaptation' | 'evaluation'; timeout?: number } = {}): Promise<void> {
  const timeout = opts.timeout ?? 120_000;
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    // Idle twice, a painted frame apart, so a request about to start is not missed.
    const idle = await page.evaluate(
      (only) =>
        new Promise<boolean>((resolve) => {
          const pg = (window as any).__playground;
          if (!pg?.idle(only)) return resolve(false);
          requestAnimationFrame(() => setTimeout(() => resolve(pg.idle(only)), 30));
        }),
      opts.only,
    );
    if (idle) return;
    await page.waitForTimeout(100);
  }
  throw new Error('the page did not settle (adaptation or evaluation still pending)');
}

export async function waitForCurves(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="task-panel"] path.curve[data-method="maml"]', { timeout: 60_000 });
}

/** The plot's data domain: x in [-5, 5], y in [-6, 6] (fixed by the task panel). */
const X_DOMAIN = [-5, 5] as const;
const Y_DOMAIN = [-6, 6] as const;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The plotting area: in SVG user units (attributes) and on the page (client rect). */
async function plotArea(page: Page): Promise<{ svg: Box; client: Box }> {
  return page.$eval('[data-testid="task-panel"] rect.plot-area', (r) => {
    const c = r.getBoundingClientRect();
    const a = (n: string) => Number(r.getAttribute(n) ?? 0);
    return {
      svg: { x: a('x'), y: a('y'), width: a('width'), height: a('height') },
      client: { x: c.left, y: c.top, width: c.width, height: c.height },
    };
  });
}

function toData(b: Box, px: number, py: number): { x: number; y: number } {
  return {
    x: X_DOMAIN[0] + ((px - b.x) / b.width) * (X_DOMAIN[1] - X_DOMAIN[0]),
    y: Y_DOMAIN[1] - ((py - b.y) / b.height) * (Y_DOMAIN[1] - Y_DOMAIN[0]),
  };
}

/** Page coordinates of a data point: where to click. */
export async function dataToPage(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const { client: b } = await plotArea(page);
  return {
    x: b.x + ((x - X_DOMAIN[0]) / (X_DOMAIN[1] - X_DOMAIN[0])) * b.width,
    y: b.y + ((Y_DOMAIN[1] - y) / (Y_DOMAIN[1] - Y_DOMAIN[0])) * b.height,
  };
}

/** A shown curve in data coordinates, read back from its SVG path. */
export async function curveData(page: Page, method: string, step: number): Promise<{ x: number; y: number }[]> {
  const d = await page.getAttribute(`[data-testid="task-panel"] path.curve[data-method="${method}"][data-step="${step}"]`, 'd');
  if (!d) return [];
  const { svg } = await plotArea(page);
  const nums = d.match(/-?\d+(\.\d+)?(e-?\d+)?/g)!.map(Number);
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i + 1 < nums.length; i += 2) out.push(toData(svg, nums[i], nums[i + 1]));
  return out;
}

/** The support points shown, in data coordinates (from their circles). */
export async function shownPoints(page: Page): Promise<{ x: number; y: number }[]> {
  const { svg } = await plotArea(page);
  const centres = await page.$$eval('[data-testid="task-panel"] circle.support-point', (cs) =>
    cs.map((c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))] as [number, number]),
  );
  return centres.map(([cx, cy]) => toData(svg, cx, cy));
}

/** Mean squared vertical distance from the points to a curve (nearest curve vertex in x). */
export function curveDistance(curve: { x: number; y: number }[], points: { x: number; y: number }[]): number {
  let sum = 0;
  for (const p of points) {
    let best = curve[0];
    for (const c of curve) if (Math.abs(c.x - p.x) < Math.abs(best.x - p.x)) best = c;
    sum += (best.y - p.y) ** 2;
  }
  return sum / points.length;
}

/** Waits until the given curve's path differs from `before`. */
export async function waitForCurveChange(page: Page, method: string, step: number, before: string | null): Promise<string> {
  const sel = `[data-testid="task-panel"] path.curve[data-method="${method}"][data-step="${step}"]`;
  await page.waitForFunction(
    ([s, b]) => {
      const d = document.querySelector(s)?.getAttribute('d') ?? null;
      return d !== null && d !== b;
    },
    [sel, before] as const,
    { timeout: 30_000 },
  );
  return (await page.getAttribute(sel, 'd'))!;
}

export function pathOf(page: Page, method: string, step: number): Promise<string | null> {
  return page.getAttribute(`[data-testid="task-panel"] path.curve[data-method="${method}"][data-step="${step}"]`, 'd');
}

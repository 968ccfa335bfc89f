/**
 * The meta-learning family in the page: choosing methods, each with its own colour, legend entry and loss
 * curve; each algorithm's own training settings and diagnostics; the paper's striking case; and the paper's
 * table computed in this browser, which must equal what npm run pretrain measured in Node on the same tasks.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHM_IDS } from '../../src/meta/contracts/algorithms';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { METHOD_COLORS } from '../../src/panels/theme';
import { curveData, dataToPage, launch, openApp, settle } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const TASK = { amplitude: 3.5, phase: 1.2 };
const truth = (x: number) => TASK.amplitude * Math.sin(x - TASK.phase);
const pts = (xs: number[]) => xs.map((x) => `${x}:${truth(x).toFixed(3)}`).join(';');
const viewQuery = (xs: number[], extra = '') => `?backend=wasm&task=${TASK.amplitude},${TASK.phase}&pts=${encodeURIComponent(pts(xs))}${extra}`;

async function text(page: Page, testId: string): Promise<string> {
  return (await page.textContent(`[data-testid="${testId}"]`)) ?? '';
}

describe('choosing methods', () => {
  it('a chosen method appears in the task panel, the legend and both loss charts, in its own colour; unchosen, it goes', async () => {
    const { page, errors } = await openApp(browser, viewQuery([-4, -2.5, -1, 0.5, 2, 3.5]));
    for (const id of ['reptile', 'oracle'] as const) {
      expect(await page.isChecked(`[data-testid="show-${id}"]`)).toBe(false);
      expect(await page.$(`[data-testid="task-panel"] path.curve[data-method="${id}"]`)).toBeNull();
      await page.click(`[data-testid="show-${id}"]`);
    }
    await settle(page);
    for (const id of ['reptile', 'oracle'] as const) {
      const curve = `[data-testid="task-panel"] path.curve-after[data-method="${id}"]`;
      expect(await page.getAttribute(curve, 'stroke')).toBe(METHOD_COLORS[id]);
      expect(await page.$(`[data-testid="task-legend"] li[data-method="${id}"]`)).not.toBeNull();
      for (const chart of ['task', 'average'])
        expect(await page.getAttribute(`[data-testid="loss-panel"] path.loss-line[data-chart="${chart}"][data-method="${id}"]`, 'stroke')).toBe(METHOD_COLORS[id]);
    }
    // The oracle is told A and phase: its curve is the true function already, before any step, and it does
    // not move with the points. Pretrained, told nothing, is far off.
    const mseToTruth = (c: { x: number; y: number }[]) => c.reduce((a, p) => a + (p.y - truth(p.x)) ** 2, 0) / c.length;
    const oracle = await curveData(page, 'oracle', 0);
    expect(oracle.length).toBeGreaterThan(100);
    expect(mseToTruth(oracle)).toBeLessThan(0.1);
    expect(mseToTruth(await curveData(page, 'pretrained', 0))).toBeGreaterThan(1);
    await page.click('[data-testid="show-reptile"]');
    await settle(page);
    expect(await page.$('[data-testid="task-panel"] path.curve[data-method="reptile"]')).toBeNull();
    expect(await page.$('[data-testid="loss-panel"] path.loss-line[data-method="reptile"]')).toBeNull();
    // Free-hand points: no amplitude or phase to give the oracle, and the page says so.
    await page.click('[data-testid="free-hand"]');
    await page.waitForSelector('[data-testid="oracle-no-task"]');
    await settle(page);
    expect(await page.$('[data-testid="task-panel"] path.curve[data-method="oracle"]')).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("the paper's striking case", () => {
  it('points on the left half only: MAML recovers the right half better than the pretrained baseline', async () => {
    const { page, errors } = await openApp(browser, viewQuery([-4.6, -3.7, -2.9, -1.8, -0.7], '&step=10'));
    const half = await text(page, 'empty-half');
    expect(half).toMatch(/empty half \(x from 0 to 5\)/);
    const value = async (id: string) => Number(await text(page, `empty-half-${id}`));
    const maml = await value('maml');
    const pretrained = await value('pretrained');
    expect(Number.isFinite(maml) && Number.isFinite(pretrained)).toBe(true);
    expect(maml).toBeLessThan(pretrained);
    // A point clicked on the right half: no empty half, no readout. (Not "sample K points": five random
    // points all land on one side one time in sixteen.)
    const at = await dataToPage(page, 2.5, truth(2.5));
    await page.mouse.click(at.x, at.y);
    await page.waitForSelector('[data-testid="empty-half"]', { state: 'detached' });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('training each algorithm', () => {
  it("shows each algorithm's own settings, trains iMAML with its diagnostics, and will not train scratch", async () => {
    const { page, errors } = await openApp(browser, '?backend=wasm', { settle: 'adaptation' });
    const field = (key: string) => page.$(`[data-testid="train-${key}"]`);
    await page.selectOption('[data-testid="train-algorithm"]', 'maml');
    expect(await field('lambda')).toBeNull();
    expect(await field('innerSteps')).not.toBeNull();
    await page.selectOption('[data-testid="train-algorithm"]', 'reptile');
    expect(await page.textContent('[data-testid="training-panel"] .train-config')).toMatch(/Outer step ε/);
    await page.selectOption('[data-testid="train-algorithm"]', 'pretrained');
    expect(await field('innerSteps')).toBeNull();
    await page.selectOption('[data-testid="train-algorithm"]', 'scratch');
    expect(await page.isDisabled('[data-testid="train-start"]')).toBe(true);
    expect(await text(page, 'train-not-trainable')).toMatch(/nothing to meta-train/);

    await page.selectOption('[data-testid="train-algorithm"]', 'imaml');
    expect(await field('lambda')).not.toBeNull();
    expect(await field('cgSteps')).not.toBeNull();
    await page.fill('[data-testid="train-iterations"]', '20');
    await page.click('[data-testid="train-start"]');
    await page.waitForFunction(() => /done/i.test(document.querySelector('[data-testid="train-state"]')?.textContent ?? ''), undefined, { timeout: 120_000 });
    const residual = Number(await text(page, 'train-cg-residual'));
    expect(Number.isFinite(residual)).toBe(true);
    expect(residual).toBeLessThan(1);
    expect(Number.isFinite(Number(await text(page, 'train-inner-grad')))).toBe(true);
    expect(await text(page, 'source-imaml')).toMatch(/trained in this page/);
    // iMAML trains on typed arrays (src/meta/fast/algorithms.ts), whatever backend TF.js runs on.
    expect(await text(page, 'train-path')).toBe('typed arrays');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('every algorithm on the fast path', () => {
  it('Reptile trains on typed arrays in the page, on TF.js with ?engine=tfjs, with its annealed outer step either way', async () => {
    for (const [engine, path] of [['', 'typed arrays'], ['&engine=tfjs', 'tfjs (wasm)']]) {
      const { page, errors } = await openApp(browser, `?backend=wasm&algo=reptile&it=30${engine}`, { settle: 'adaptation' });
      await page.click('[data-testid="train-start"]');
      await page.waitForFunction(() => /done/i.test(document.querySelector('[data-testid="train-state"]')?.textContent ?? ''), undefined, { timeout: 120_000 });
      expect(await text(page, 'train-path')).toBe(path);
      // The last reported step, shown with the progress: the run's metaLr annealed over 30 iterations, at
      // iteration 30 (before its update) metaLr / 30.
      const { progress, lr } = await page.evaluate(() => {
        const st = (window as any).__playground.store.getState();
        return { progress: st.status.progress, lr: st.settings.train.metaLr };
      });
      expect(progress).toMatchObject({ method: 'reptile', iteration: 30, path });
      expect(progress.stats.outerStepSize).toBeCloseTo(lr / 30, 12);
      expect(await page.$('[data-testid="train-outer-step"]')).not.toBeNull();
      expect(await text(page, 'source-reptile')).toMatch(/trained in this page/);
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});

describe('paper vs this run', () => {
  it('computes every method on the 600 paper tasks in this browser, equal to the numbers npm run pretrain measured', async () => {
    const { page, errors } = await openApp(browser, '?backend=wasm');
    // The paper's numbers beside its two methods' rows, and nowhere else.
    expect(await Promise.all([1, 5, 10].map((s) => text(page, `repro-paper-maml-5-${s}`)))).toEqual(['0.67', '0.38', '0.35']);
    expect(await Promise.all([1, 5, 10].map((s) => text(page, `repro-paper-pretrained-5-${s}`)))).toEqual(['2.41', '2.23', '2.19']);
    expect(await text(page, 'repro-paper-maml-10-1')).toBe('');
    await page.click('[data-testid="reproduce-run"]');
    const total = ALGORITHM_IDS.length * 3;
    await page.waitForFunction(
      (n) => (document.querySelector('[data-testid="reproduce-count"]')?.textContent ?? '').trim() === `${n} / ${n}`,
      total,
      { timeout: 600_000, polling: 500 },
    );
    await page.waitForSelector('[data-testid="reproduce-run"]:not([disabled])');
    for (const id of ALGORITHM_IDS) {
      const ckpt = readCheckpointFile(readFileSync(`public/checkpoints/${id}.ckpt`));
      for (const e of ckpt.evaluation!) {
        for (const step of [1, 5, 10]) {
          const where = `${id} K=${e.kShot} step ${step}`;
          const m = e.mean[step] as number | null;
          // JSON keeps a NaN mean as null; a mean over tasks where some adaptation blew up is astronomically large.
          const diverged = m === null || !Number.isFinite(m) || Math.abs(m) > 1e6;
          const shown = await text(page, `repro-${id}-${e.kShot}-${step}`);
          const shipped = await text(page, `repro-shipped-${id}-${e.kShot}-${step}`);
          // Beneath each mean: the median over the tasks and the share that blew up, as the file stores them.
          const detail = await text(page, `repro-shipped-${id}-${e.kShot}-${step}-detail`);
          expect(detail, where).toContain(`median ${e.median![step].toFixed(3)}`);
          expect(detail.includes('blew up'), where).toBe(e.blowUp![step] > 0);
          expect(await text(page, `repro-${id}-${e.kShot}-${step}-detail`), where).toMatch(/^median \d/);
          if (diverged) {
            expect(shipped, where).toBe('diverged');
            expect(shown, where).toBe('diverged');
            continue;
          }
          expect(shipped, where).toBe(`${m.toFixed(3)} ± ${e.ci95[step].toFixed(3)}`);
          // Same tasks, same float32 maths in the same wasm kernels: equal to rounding.
          expect(Math.abs(Number(shown.split('±')[0]) - m), where).toBeLessThanOrEqual(2e-3 * Math.max(1, m));
        }
      }
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});

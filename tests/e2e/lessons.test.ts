/**
 * Issue 15, the Learn mode: a walk through every scene by keyboard, checking that each scene set its state
 * (points, methods, step), rendered its equation (KaTeX), and that the claim its text makes holds on the live
 * numbers: scene 2, pretrained's error after one step is above MAML's; scene 4, the meta-gradient on screen is the
 * engine's, computed again here in Node by the same kernels (src/meta/fast/breakdown.ts) from the shipped MAML
 * checkpoint; scene 5, the cosine and norm ratio shown are that batch's; scene 6, MAML's error on the empty half
 * is below pretrained's. Scene links reopen the same scene; Back and Forward move between scenes. Layout (no
 * horizontal overflow at 390x844, 1280x720, 1920x1080; in presenter mode the scene text and the plot on one
 * screen) and axe-core (no serious or critical violation) in the Learn mode.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkpointArrays } from '../../src/meta/contracts/checkpoint';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { flatLearner } from '../../src/meta/fast/adapt';
import { metaStepBreakdown } from '../../src/meta/fast/breakdown';
import { metaStepRequest } from '../../src/panels/lessons/metaStep';
import { SCENES } from '../../src/panels/lessons/scenes';
import { launch, settle } from './browser';
import { offscreen, openAt, pageOverflow, VIEWPORTS } from './layout-check';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const LESSON = '[data-testid="lesson"]';
const sceneOf = (page: Page) => page.$eval(LESSON, (e) => Number(e.getAttribute('data-scene')));
const settings = (page: Page) => page.evaluate(() => (window as any).__playground.store.getState().settings);
/** A readout's full value (data-value), once it has one. */
async function value(page: Page, testId: string): Promise<number> {
  const sel = `[data-testid="${testId}"]`;
  await page.waitForFunction((s) => (document.querySelector(s)?.getAttribute('data-value') ?? '') !== '', sel, { timeout: 60_000 });
  return Number(await page.$eval(sel, (e) => e.getAttribute('data-value')));
}
const idOf = (id: string) => SCENES.findIndex((s) => s.id === id) + 1;

/** The Node side of scene 4: the same breakdown on the shipped MAML model's parameters. */
function nodeBreakdown(seed: number) {
  const l = flatLearner(checkpointArrays(readCheckpointFile(readFileSync('public/checkpoints/maml.ckpt'))), {}, false);
  const { tasks, kSupport, kQuery, innerSteps, alpha, metaLr } = metaStepRequest(seed);
  return metaStepBreakdown(l.sizes, l.theta, { tasks, kSupport, kQuery, innerSteps, alpha, metaLr, seed });
}

const close = (a: number, b: number, rel = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1e-12, Math.abs(b)));

describe('the Learn mode, walked by keyboard', () => {
  it('every scene sets its state, renders its equation, and its claim holds on the live numbers', async () => {
    const { ctx, page, errors } = await openAt(browser, VIEWPORTS[1], '?backend=wasm', '[data-testid="task-panel"] path.curve[data-method="maml"]');
    await page.click('[data-testid="learn-toggle"]');
    await page.waitForSelector(LESSON);
    // Keys go to the page (a button keeps the focus: arrows are the Learn mode's there).
    for (let n = 1; n <= SCENES.length; n++) {
      if (n > 1) await page.keyboard.press('ArrowRight');
      await page.waitForFunction((k) => document.querySelector('[data-testid="lesson"]')?.getAttribute('data-scene') === String(k), n);
      await settle(page);
      const s = await settings(page);
      expect(s.learn).toBe(n);
      expect(new URL(page.url()).searchParams.get('learn') ?? String(n)).toBe(String(n));
      // Its equation, rendered by KaTeX.
      expect(await page.$$eval(`${LESSON} .katex`, (e) => e.length)).toBeGreaterThan(0);
      expect(await page.$$eval(`${LESSON} .katex-error`, (e) => e.length)).toBe(0);
      const scene = SCENES[n - 1];
      if (scene.id === 'pretrained') {
        expect(s.methods).toEqual(['maml', 'pretrained']);
        expect(s.points).toHaveLength(5);
        expect(s.selectedStep).toBe(1);
        const pre = await value(page, 'lesson-mse-pretrained');
        const maml = await value(page, 'lesson-mse-maml');
        expect(pre).toBeGreaterThan(maml);
        // The readout is the store's live number.
        const live = await page.evaluate(() => (window as any).__playground.store.getState().results.adaptation.maml.taskLoss[1]);
        expect(maml).toBe(live);
      }
      if (scene.id === 'maml') {
        expect(s.methods).toEqual(['maml']);
        expect(await value(page, 'lesson-mse-after')).toBeLessThan(await value(page, 'lesson-mse-before'));
      }
      if (scene.id === 'slow-motion') {
        await page.waitForSelector('[data-testid="lesson-live"][data-ready="true"]', { timeout: 60_000 });
        // Step through the stages with the button (by keyboard: focus it, Enter).
        for (let stage = 1; stage <= 4; stage++) {
          await page.focus('[data-testid="stage-next"]');
          await page.keyboard.press('Enter');
          await page.waitForSelector(`[data-testid="lesson-live"][data-stage="${stage}"]`);
        }
        const want = nodeBreakdown(1);
        close(await value(page, 'stage-grad-norm'), want.exactNorm);
        for (let k = 0; k < want.shown.length; k++) close(await value(page, `stage-grad-${k}`), want.exactGrad[want.shown[k]]);
        close(await value(page, 'stage-meta-loss'), want.metaLoss);
        close(await value(page, 'stage-meta-loss-after'), want.metaLossAfter);
        for (let t = 0; t < want.tasks.length; t++) close(await value(page, `stage-query-${t}`), want.tasks[t].queryLoss);
        // And through the test hook, the worker's own answer for the same request.
        const hook = await page.evaluate((req) => (window as any).__playground.metaStep(req), metaStepRequest(1));
        expect(hook.exactGrad).toEqual(want.exactGrad.map((v) => expect.closeTo(v, 12)));
        expect(want.metaLossAfter).toBeLessThan(want.metaLoss);
        // Another batch: the next seed's tasks, from the first stage again, still the engine's numbers.
        await page.click('[data-testid="stage-batch"]');
        await page.waitForSelector('[data-testid="lesson-live"][data-stage="0"][data-ready="true"]');
        for (let stage = 1; stage <= 3; stage++) await page.click('[data-testid="stage-next"]');
        const next = nodeBreakdown(2);
        expect(next.exactNorm).not.toBeCloseTo(want.exactNorm, 6);
        close(await value(page, 'stage-grad-norm'), next.exactNorm);
        // Scene 5 measures on this batch, the one last drawn here.
        // Arrow keys on the focused button move scenes, not stages: back to the page's body first.
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      }
      if (scene.id === 'first-order') {
        expect(s.methods).toEqual(['maml', 'fomaml']);
        const want = nodeBreakdown(2);
        close(await value(page, 'lesson-cosine'), want.cosine);
        close(await value(page, 'lesson-norm-ratio'), want.normRatio);
        expect(want.cosine).toBeLessThan(1);
      }
      if (scene.id === 'one-half') {
        expect(s.points.length).toBeGreaterThan(0);
        expect(s.points.every((p: { x: number }) => p.x <= 0)).toBe(true);
        const maml = await value(page, 'lesson-half-maml');
        const pre = await value(page, 'lesson-half-pretrained');
        expect(maml).toBeLessThan(pre);
      }
      if (scene.id === 'steps-shots') {
        for (const k of [5, 10, 20]) expect(await value(page, `lesson-shots-maml-${k}`)).toBeLessThan(await value(page, `lesson-shots-pretrained-${k}`));
      }
      if (scene.id === 'family') {
        expect(s.methods).toEqual(['maml', 'fomaml', 'reptile', 'imaml', 'anil', 'metasgd']);
        for (const m of s.methods) expect(Number.isFinite(await value(page, `lesson-family-${m}`))).toBe(true);
      }
      if (scene.id === 'classification') {
        expect(s.problem).toBe('plane');
        await page.waitForSelector('[data-testid="plane-area"]');
        expect(await value(page, 'lesson-acc-maml')).toBeGreaterThan(0);
      }
      if (scene.id === 'inside-update') {
        expect(s.problem).toBe('update');
        await page.waitForSelector('[data-testid="update-maml-fomaml"]');
        // The readout is the panel's own computation: the same distance the vector table states.
        const diff = Number(await page.getAttribute('[data-testid="update-maml-fomaml"]', 'data-diff'));
        close(await value(page, 'lesson-update-diff'), diff);
        expect(diff).toBeGreaterThan(0);
        expect(await value(page, 'lesson-update-cosine')).toBeLessThan(1);
      }
      if (scene.id === 'train') {
        expect(s.train.metaLr).not.toBe(0.001);
        // Start trains MAML with the lecture preset, live; the scene's readout follows the progress; Pause stops it.
        await page.click('[data-testid="lesson-train"]');
        await page.waitForFunction(() => (document.querySelector('[data-testid="lesson-meta-loss"]')?.getAttribute('data-value') ?? '') !== '', undefined, { timeout: 60_000 });
        const status = await page.evaluate(() => (window as any).__playground.store.getState().status);
        expect(status.trainState).toBe('running');
        expect(status.progress.iterations).toBe(s.train.iterations);
        await page.click('[data-testid="lesson-train"]');
        await page.waitForFunction(() => (window as any).__playground.store.getState().status.trainState === 'paused');
      }
    }
    // Past the last scene: nothing; back by keyboard.
    await page.keyboard.press('ArrowRight');
    expect(await sceneOf(page)).toBe(SCENES.length);
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction((k) => document.querySelector('[data-testid="lesson"]')?.getAttribute('data-scene') === String(k), SCENES.length - 1);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a scene link reopens that scene with its state; "Reset scene" puts it back; Back and Forward move between scenes', async () => {
    const n = idOf('one-half');
    const { ctx, page, errors } = await openAt(browser, VIEWPORTS[1], `?backend=wasm&learn=${n}`, LESSON);
    expect(await sceneOf(page)).toBe(n);
    const s = await settings(page);
    expect(s.points.every((p: { x: number }) => p.x <= 0)).toBe(true);
    // With the plot focused the arrows keep stepping the scrubber; the scene stays.
    const step = s.selectedStep;
    await page.focus('[data-testid="task-panel"] svg.task-plot');
    await page.keyboard.press('ArrowLeft');
    expect((await settings(page)).selectedStep).toBe(step - 1);
    expect(await sceneOf(page)).toBe(n);
    // Play: clear the points; reset brings the scene back.
    await page.keyboard.press('c');
    expect((await settings(page)).points).toHaveLength(0);
    await page.click('[data-testid="scene-reset"]');
    expect((await settings(page)).points).toEqual(s.points);
    // The address follows; another scene is another history entry.
    await page.waitForFunction((k) => new URL(location.href).searchParams.get('learn') === String(k), n);
    await page.click('[data-testid="scene-next"]');
    await page.waitForFunction((k) => new URL(location.href).searchParams.get('learn') === String(k), n + 1);
    await page.goBack();
    await page.waitForFunction((k) => document.querySelector('[data-testid="lesson"]')?.getAttribute('data-scene') === String(k), n);
    expect((await settings(page)).points).toEqual(s.points);
    await page.goForward();
    await page.waitForFunction((k) => document.querySelector('[data-testid="lesson"]')?.getAttribute('data-scene') === String(k), n + 1);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('the Learn mode fits the screen and passes axe', () => {
  for (const vp of VIEWPORTS) {
    it(`at ${vp.width}x${vp.height}: no horizontal overflow in any scene; axe finds nothing serious`, async () => {
      const { ctx, page, errors } = await openAt(browser, vp, '?backend=wasm&learn=1', LESSON);
      for (let n = 1; n <= SCENES.length; n++) {
        if (n > 1) await page.click('[data-testid="scene-next"]');
        await page.waitForFunction((k) => document.querySelector('[data-testid="lesson"]')?.getAttribute('data-scene') === String(k), n);
        await settle(page);
        if (SCENES[n - 1].id === 'slow-motion') {
          await page.waitForSelector('[data-testid="lesson-live"][data-ready="true"]', { timeout: 60_000 });
          for (let i = 0; i < 4; i++) await page.click('[data-testid="stage-next"]');
        }
        expect(await pageOverflow(page), `scene ${n}`).toBeLessThanOrEqual(0);
        expect(await offscreen(page), `scene ${n}`).toEqual([]);
        if (vp.width === 1280 || (vp.width === 390 && [1, 4, 8].includes(n))) {
          await page.evaluate(AXE);
          const bad = await page.evaluate(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) => r.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => v.id + ' (' + v.nodes.map((n) => n.target.join(' ')).join(', ') + ')'))`);
          expect(bad, `scene ${n}`).toEqual([]);
        }
      }
      expect(errors).toEqual([]);
      await ctx.close();
    });
  }

  for (const vp of [VIEWPORTS[1], VIEWPORTS[2]]) {
    it(`presenter mode at ${vp.width}x${vp.height}: the scene's text, its equation and the plot on one screen, no scrolling`, async () => {
      const { ctx, page, errors } = await openAt(browser, vp, '?backend=wasm&present=1&learn=1', '[data-testid="task-panel"] svg.task-plot');
      for (let n = 1; n <= SCENES.length; n++) {
        if (n !== 1) await page.click('[data-testid="scene-next"]');
        await page.waitForFunction((k) => document.querySelector('[data-testid="lesson"]')?.getAttribute('data-scene') === String(k), n);
        // Inside the viewport and seen: the element (or a part of it) is what is on screen at its centre, not clipped away.
        const inside = (sel: string) =>
          page.$eval(sel, (e) => {
            const r = e.getBoundingClientRect();
            const within = r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5;
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 8));
            return within && hit !== null && (e === hit || e.contains(hit));
          });
        expect(await inside(`${LESSON} h2`), `scene ${n} title`).toBe(true);
        for (let i = 0; i < SCENES[n - 1].text.length; i++) expect(await inside(`${LESSON} .lesson-text:nth-of-type(${i + 1})`), `scene ${n} text ${i}`).toBe(true);
        expect(await inside(`${LESSON} .katex`), `scene ${n} equation`).toBe(true);
        // The equation fits its column (no sideways scrolling on a projector).
        expect(await page.$eval('[data-testid="lesson-equation"]', (e) => e.scrollWidth <= e.clientWidth + 1), `scene ${n} equation width`).toBe(true);
        const plots: Record<string, string> = { classification: '[data-testid="plane-plot"]', 'inside-update': '[data-testid="update-plot"]' };
        const plot = plots[SCENES[n - 1].id] ?? '[data-testid="task-panel"] svg.task-plot';
        await page.waitForSelector(plot);
        expect(await inside(plot), `scene ${n} plot`).toBe(true);
        expect(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight + 1)).toBe(true);
        expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
      }
      await page.evaluate(AXE);
      const bad = await page.evaluate(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ' (' + v.nodes.map((n) => n.target.join(' ')).join(', ') + ')'))`);
      expect(bad).toEqual([]);
      expect(errors).toEqual([]);
      await ctx.close();
    });
  }
});

/**
 * The classification playgrounds in the page (issue 4): points clicked in the plane with their classes and
 * glyphs drawn with the mouse; the shown predictions move the right way (support accuracy rises after
 * adaptation); bad drawings get a message and lose nothing; classifiers train live; the link restores the view.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BINARY_CHECKPOINT_EXT, readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { planeLabel } from '../../src/meta/contracts/tasks/plane';
import { planeFromSeed } from '../../src/state/classification';
import { launch, openApp, settle } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function text(page: Page, testId: string): Promise<string> {
  return (await page.textContent(`[data-testid="${testId}"]`)) ?? '';
}

/** A value the panel keeps in a data attribute. */
async function attr(page: Page, testId: string, name: string): Promise<number> {
  return Number(await page.getAttribute(`[data-testid="${testId}"]`, name));
}

/** Page coordinates of a point of the plane's square [-1, 1]^2. */
async function planeToPage(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const b = (await (await page.$('[data-testid="plane-area"]'))!.boundingBox())!;
  return { x: b.x + ((x + 1) / 2) * b.width, y: b.y + ((1 - y) / 2) * b.height };
}

const planePoints = (page: Page) => page.evaluate(() => (window as any).__playground.store.getState().settings.plane.points as { x: number; y: number; label: number }[]);

describe('2-D classification', () => {
  it('clicked points of each class: support and task accuracy rise after one step, MAML above pretrained; drag and delete work', async () => {
    const seed = 5;
    const { task } = planeFromSeed(seed, 2, 5);
    const { page, errors } = await openApp(browser, `?backend=wasm&p=plane&pseed=${seed}&ppts=&step=1`, { ready: '[data-testid="plane-area"]' });
    expect(await page.getAttribute('[data-testid="problem-plane"]', 'aria-selected')).toBe('true');
    expect(await planePoints(page)).toEqual([]);
    // The whole square on screen (mouse events outside the viewport go nowhere).
    await page.$eval('[data-testid="plane-area"]', (el) => el.scrollIntoView({ block: 'center' }));
    // Four points of each class, placed where the true task says that class is (a fixed lattice, no randomness).
    const ticks = [-0.85, -0.6, -0.35, -0.1, 0.15, 0.4, 0.65, 0.9];
    const lattice = ticks.flatMap((x) => ticks.map((y) => [x, y] as const));
    const spread = <T,>(xs: T[], n: number) => Array.from({ length: Math.min(n, xs.length) }, (_, i) => xs[Math.floor((i * xs.length) / Math.min(n, xs.length))]);
    for (const c of [0, 1]) {
      await page.click(`[data-testid="plane-class-${c}"]`);
      expect(await page.getAttribute(`[data-testid="plane-class-${c}"]`, 'aria-pressed')).toBe('true');
      for (const [x, y] of spread(lattice.filter(([x, y]) => planeLabel(task, x, y) === c), 4)) {
        const at = await planeToPage(page, x, y);
        await page.mouse.click(at.x, at.y);
      }
    }
    const placed = await planePoints(page);
    expect(placed.length).toBe(8);
    for (const p of placed) expect(p.label).toBe(planeLabel(task, p.x, p.y));
    expect(await page.$$eval('[data-testid="plane-point"]', (cs) => cs.length)).toBe(placed.length);
    await settle(page);

    const supportBefore = await attr(page, 'plane-support-acc-maml', 'data-before');
    const supportAfter = await attr(page, 'plane-support-acc-maml', 'data-after');
    expect(supportAfter).toBeGreaterThan(supportBefore);
    expect(supportAfter).toBeGreaterThanOrEqual(0.99);
    const taskAfter = (m: string) => attr(page, `plane-task-acc-${m}`, 'data-after');
    expect(await taskAfter('maml')).toBeGreaterThan(await attr(page, 'plane-task-acc-maml', 'data-before'));
    expect(await taskAfter('maml')).toBeGreaterThan(await taskAfter('pretrained'));
    // Decision regions before and after the step are drawn, and differ.
    const thumb = (s: number) => page.$eval(`[data-testid="plane-thumb-maml-${s}"]`, (el) => el.getAttribute('href') ?? (el as HTMLCanvasElement).toDataURL?.() ?? '');
    expect(await thumb(0)).not.toEqual(await thumb(1));
    // The averaged curves: MAML's accuracy after one step above pretrained's, over the test episodes.
    await page.waitForSelector('[data-testid="class-avg-maml"]');
    const avg = (m: string) => page.getAttribute(`[data-testid="class-avg-${m}"]`, 'data-values').then((v) => JSON.parse(v!) as number[]);
    expect((await avg('maml'))[1]).toBeGreaterThan((await avg('pretrained'))[1]);
    // The shipped table: the checkpoint's own 600-episode numbers, as in its EVALUATION.md.
    const shipped = await page.getAttribute('[data-testid="class-shipped-maml-5"] td[data-step="1"]', 'data-value');
    expect(Number(shipped)).toBeCloseTo(0.8657, 3);

    // Drag the first point, then shift-click it away.
    const first = placed[0];
    const from = await planeToPage(page, first.x, first.y);
    const to = await planeToPage(page, first.x * 0.5, first.y * 0.5);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.mouse.up();
    const moved = (await planePoints(page))[0];
    expect(moved.x).toBeCloseTo(first.x * 0.5, 1);
    expect(moved.y).toBeCloseTo(first.y * 0.5, 1);
    expect(moved.label).toBe(first.label);
    await page.keyboard.down('Shift');
    await page.mouse.click(to.x, to.y);
    await page.keyboard.up('Shift');
    expect((await planePoints(page)).length).toBe(placed.length - 1);
    // Right-click deletes too; a grabbed point is selected and Delete removes it; keys pick the class.
    const second = (await planePoints(page))[0];
    const at2 = await planeToPage(page, second.x, second.y);
    await page.mouse.click(at2.x, at2.y, { button: 'right' });
    expect((await planePoints(page)).length).toBe(placed.length - 2);
    const third = (await planePoints(page))[0];
    const at3 = await planeToPage(page, third.x, third.y);
    await page.mouse.move(at3.x, at3.y);
    await page.mouse.down();
    await page.mouse.up();
    await page.keyboard.press('Delete');
    expect((await planePoints(page)).length).toBe(placed.length - 3);
    await page.keyboard.press('1');
    expect(await page.getAttribute('[data-testid="plane-class-0"]', 'aria-pressed')).toBe('true');
    const spot = await planeToPage(page, 0.05, 0.05);
    await page.mouse.click(spot.x, spot.y);
    expect((await planePoints(page)).at(-1)!.label).toBe(0);
    await page.keyboard.down('Shift');
    await page.mouse.click(spot.x + 40, spot.y);
    await page.keyboard.up('Shift');
    expect((await planePoints(page)).at(-1)!.label).toBe(1); // shift-click on empty ground: the next class
    await settle(page);

    // The link holds the problem and the points (written a moment after each change).
    await page.waitForFunction((n) => new URL(location.href).searchParams.get('ppts')?.split(';').length === n, placed.length - 1);
    const link = new URL(page.url());
    expect(link.searchParams.get('p')).toBe('plane');
    expect(link.searchParams.get('ppts')!.split(';')).toHaveLength(placed.length - 1);
    // ...and opening it restores them.
    const shown = await planePoints(page);
    const again = await openApp(browser, link.search, { ready: '[data-testid="plane-area"]' });
    const restored = await planePoints(again.page);
    expect(restored.map((p) => p.label)).toEqual(shown.map((p) => p.label));
    restored.forEach((p, i) => expect(Math.abs(p.x - shown[i].x) + Math.abs(p.y - shown[i].y)).toBeLessThan(2e-3));
    expect(again.errors).toEqual([]);
    await settle(again.page);
    // Plane clicks adapt on typed arrays; the same link on the TF.js engine gives the same scores.
    expect(await text(again.page, 'adapt-path')).toBe('typed arrays');
    const tfjs = await openApp(browser, `${link.search}&engine=tfjs`, { ready: '[data-testid="plane-area"]' });
    await settle(tfjs.page);
    expect(await text(tfjs.page, 'adapt-path')).toBe('tfjs (wasm)');
    for (const m of ['maml', 'pretrained'])
      for (const at of ['data-before', 'data-after']) {
        // One grid point of 1,681 on a boundary may fall either way in float32 and float64.
        expect(Math.abs((await attr(tfjs.page, `plane-task-acc-${m}`, at)) - (await attr(again.page, `plane-task-acc-${m}`, at))), `${m} ${at}`).toBeLessThan(2e-3);
        expect(Math.abs((await attr(tfjs.page, `plane-support-acc-${m}`, at)) - (await attr(again.page, `plane-support-acc-${m}`, at)))).toBeLessThan(1e-6);
      }
    expect(tfjs.errors).toEqual([]);
    await tfjs.page.close();
    await again.page.close();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('more classes: the 3-way task and its shipped models; a class the task does not have is refused with a message', async () => {
    const { page, errors } = await openApp(browser, '?backend=wasm&p=plane&pn=3', { ready: '[data-testid="plane-area"]' });
    await settle(page);
    expect(await page.$$eval('[data-testid^="plane-class-"]', (bs) => bs.length)).toBe(3);
    expect(await text(page, 'source-maml')).toMatch(/shipped checkpoint/);
    const labels = new Set((await planePoints(page)).map((p) => p.label));
    expect(labels).toEqual(new Set([0, 1, 2]));
    expect(await attr(page, 'plane-support-acc-maml', 'data-after')).toBeGreaterThan(await attr(page, 'plane-support-acc-maml', 'data-before'));
    await page.evaluate(() => (window as any).__playground.store.getState().setActiveClass(4));
    await page.waitForSelector('[data-testid="notices"] :text("Class 5 does not exist")');
    expect(await page.getAttribute('[data-testid="plane-class-0"]', 'aria-pressed')).toBe('true');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a broken shipped classifier file is named in a notice; that method starts untrained, the others load', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/checkpoints/plane-2way/maml.ckpt', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"format": "maml-playground/checkpoint", "version": 1, "algorithm": "maml", "params": 7' }));
    await page.goto(`${inject('baseURL')}?backend=wasm&p=plane`);
    await page.waitForSelector('[data-testid="notices"] :text("plane-2way/maml.ckpt could not be loaded")', { timeout: 60_000 });
    await settle(page);
    expect(await text(page, 'source-maml')).toMatch(/random initialisation/);
    expect(await text(page, 'source-fomaml')).toMatch(/shipped checkpoint \(10000 iterations\)/);
    expect(await text(page, 'source-reptile')).toMatch(/random initialisation|shipped checkpoint/);
    // The page still classifies with every method.
    expect(await page.$('[data-testid="plane-support-acc-fomaml"]')).not.toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains a plane classifier live with a progress bar; the page then shows the trained model', async () => {
    const { page, errors } = await openApp(browser, '?backend=wasm&p=plane', { ready: '[data-testid="plane-area"]' });
    expect(await text(page, 'train-problem')).toMatch(/2-D classification, 2-way/);
    expect(await page.$('[data-testid="train-algorithm"] option[value="oracle"]')).toBeNull();
    await page.selectOption('[data-testid="train-algorithm"]', 'reptile');
    await page.fill('[data-testid="train-iterations"]', '150');
    await page.click('[data-testid="train-start"]');
    await page.waitForFunction(() => /done/i.test(document.querySelector('[data-testid="train-state"]')?.textContent ?? ''), undefined, { timeout: 120_000 });
    expect(await page.getAttribute('[data-testid="train-progress"]', 'value')).toBe('150');
    // Reptile trains the plane on typed arrays (src/meta/fast/algorithms.ts), as MAML does.
    expect(await text(page, 'train-path')).toBe('typed arrays');
    expect(await text(page, 'source-reptile')).toMatch(/trained in this page/);
    // The trained model is the plane's, not the sinusoid's: that one is still the shipped checkpoint.
    const sources = await page.evaluate(() => (window as any).__playground.store.getState().status.sources);
    expect(sources['plane-2way/reptile']).toMatch(/trained in this page/);
    expect(sources.reptile).toMatch(/shipped checkpoint/);
    await page.click('[data-testid="show-reptile"]');
    await settle(page);
    expect(await page.$('[data-testid="plane-support-acc-reptile"]')).not.toBeNull();
    // Downloaded, the trained classifier is a plane checkpoint; loaded back, it is the plane model again.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-reptile"]')]);
    expect(download.suggestedFilename()).toBe('plane-2way-reptile-checkpoint.json');
    const saved = join(tmpdir(), 'plane-reptile.json');
    await download.saveAs(saved);
    const ckpt = JSON.parse(readFileSync(saved, 'utf8'));
    expect(ckpt).toMatchObject({ algorithm: 'reptile', task: 'plane', training: { problem: 'plane', classes: 2, iterations: 150 } });
    await page.setInputFiles('[data-testid="checkpoint-upload"]', saved);
    await page.waitForFunction(() => /Loaded plane-reptile\.json/.test(document.querySelector('[data-testid="notices"]')?.textContent ?? ''));
    expect(await text(page, 'source-reptile')).toMatch(/uploaded file plane-reptile\.json/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** Draws strokes (pad coordinates in [0, 1]) on a canvas pad with the mouse. */
async function draw(page: Page, testId: string, strokes: [number, number][][]): Promise<void> {
  // A person scrolls to the pad first: the pads lower down may start below the fold.
  const pad = (await page.$(`[data-testid="${testId}"]`))!;
  await pad.scrollIntoViewIfNeeded();
  const b = (await pad.boundingBox())!;
  for (const s of strokes) {
    await page.mouse.move(b.x + s[0][0] * b.width, b.y + s[0][1] * b.height);
    await page.mouse.down();
    for (const [x, y] of s.slice(1)) await page.mouse.move(b.x + x * b.width, b.y + y * b.height, { steps: 4 });
    await page.mouse.up();
  }
}

/** Five characters a person could draw: a bar, a pole, a box, a cross and a hook. */
const CHARACTERS: [number, number][][][] = [
  [[[0.15, 0.5], [0.85, 0.5]]],
  [[[0.5, 0.15], [0.5, 0.85]]],
  [[[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8], [0.2, 0.2]]],
  [[[0.2, 0.2], [0.8, 0.8]], [[0.8, 0.2], [0.2, 0.8]]],
  [[[0.3, 0.2], [0.7, 0.2], [0.7, 0.8], [0.3, 0.6]]],
];

const glyphs = (page: Page) => page.evaluate(() => (window as any).__playground.store.getState().settings.glyphs);

describe('glyphs', () => {
  it('drawn with the mouse: messages until every character is drawn, then MAML classifies a new drawing after one step', async () => {
    const { page, errors } = await openApp(browser, '?backend=wasm&p=glyphs&step=1', { ready: '[data-testid="glyph-pad-0-0"]' });
    // The tab opens with a generated episode; "Clear all" leaves nothing drawn: one message per character, and no predictions.
    await page.click('[data-testid="glyph-clear"]');
    expect(await page.$$eval('[data-testid="glyph-problems"] li', (ls) => ls.length)).toBe(5);
    for (let c = 0; c < 4; c++) await draw(page, `glyph-pad-${c}-0`, CHARACTERS[c]);
    expect(await text(page, 'glyph-problems')).toMatch(/Character 5 has no drawing/);
    // A dot is refused by name; the other drawings stay.
    await draw(page, 'glyph-pad-4-0', [[[0.5, 0.5], [0.51, 0.5]]]);
    await page.waitForSelector('[data-testid="glyph-problems"] li:has-text("too small")');
    expect((await glyphs(page)).support.slice(0, 4).every((ex: unknown[][]) => ex[0].length > 0)).toBe(true);
    await page.click('[data-testid="glyph-pad-clear-4-0"]');
    await draw(page, 'glyph-pad-4-0', CHARACTERS[4]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="glyph-problems"] li').length === 0);
    // A new drawing of the cross, a little smaller and shifted, to classify.
    await draw(page, 'glyph-query-0', [
      [[0.3, 0.35], [0.75, 0.8]],
      [[0.75, 0.3], [0.3, 0.75]],
    ]);
    await settle(page);
    expect(await attr(page, 'glyph-support-acc-maml', 'data-after')).toBeGreaterThan(await attr(page, 'glyph-support-acc-maml', 'data-before'));
    expect(await attr(page, 'glyph-support-acc-maml', 'data-after')).toBe(1);
    expect(await attr(page, 'glyph-probs-maml-0', 'data-pred-after')).toBe(3);
    const probs = JSON.parse((await page.getAttribute('[data-testid="glyph-probs-maml-0"]', 'data-after'))!) as number[];
    expect(probs).toHaveLength(5);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(probs[3]).toBe(Math.max(...probs));
    // The link carries the drawings: opened again, the same episode is classified the same way.
    await page.waitForFunction(() => (new URL(location.href).searchParams.get('gq') ?? '').length > 8);
    const again = await openApp(browser, new URL(page.url()).search, { ready: '[data-testid="glyph-pad-0-0"]' });
    expect(await again.page.$$eval('[data-testid="glyph-problems"] li', (ls) => ls.length)).toBe(0);
    expect(await attr(again.page, 'glyph-probs-maml-0', 'data-pred-after')).toBe(3);
    await again.page.close();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filled from the generator with one click: MAML reads the held-out drawings far better than pretrained; K changes keep what was drawn', async () => {
    const { page, errors } = await openApp(browser, '?backend=wasm&p=glyphs&step=1', { ready: '[data-testid="glyph-pad-0-0"]' });
    await page.click('[data-testid="glyph-fill"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="glyph-problems"] li').length === 0);
    await settle(page);
    const g = await glyphs(page);
    expect(g.queries).toHaveLength(10);
    const maml = await attr(page, 'glyph-query-acc-maml', 'data-after');
    const pretrained = await attr(page, 'glyph-query-acc-pretrained', 'data-after');
    expect(maml).toBeGreaterThanOrEqual(0.6);
    expect(maml).toBeGreaterThan(pretrained);
    // 5-shot: the generator's episode is filled again with five drawings of the same characters.
    await page.selectOption('[data-testid="glyph-kshot"]', '5');
    await page.waitForSelector('[data-testid="glyph-pad-4-4"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="glyph-problems"] li').length === 0);
    expect((await glyphs(page)).queries).toEqual(g.queries);
    // A drawing of the user's own is never replaced: clear one pad, and going to 1-shot and back keeps the rest.
    await page.click('[data-testid="glyph-pad-clear-1-3"]');
    expect(await text(page, 'glyph-problems')).toMatch(/Character 2 has 4 of 5 examples/);
    const kept = (await glyphs(page)).support;
    await page.selectOption('[data-testid="glyph-kshot"]', '1');
    await page.selectOption('[data-testid="glyph-kshot"]', '5');
    expect((await glyphs(page)).support).toEqual(kept);
    // Three characters: the 3-way model (none is shipped: random weights, said so) classifies them; the two
    // characters set aside keep their drawings.
    await page.selectOption('[data-testid="glyph-classes"]', '3');
    await page.waitForSelector('[data-testid="glyph-pad-2-0"]');
    expect(await page.$('[data-testid="glyph-pad-3-0"]')).toBeNull();
    await page.waitForFunction(() => /random initialisation/.test(document.querySelector('[data-testid="glyph-source-maml"]')?.textContent ?? ''));
    expect(await text(page, 'train-problem')).toMatch(/glyphs, 3-way/);
    // No 3-way glyph files are shipped: said in the sources, with no notice of a broken file.
    expect(await page.evaluate(() => (window as any).__playground.store.getState().notices.map((n: { text: string }) => n.text))).not.toContainEqual(expect.stringMatching(/could not/));
    // The pad emptied above, drawn again with the mouse.
    await page.$eval('[data-testid="glyph-pad-1-3"]', (el) => el.scrollIntoView({ block: 'center' }));
    await draw(page, 'glyph-pad-1-3', CHARACTERS[1]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="glyph-problems"] li').length === 0);
    await settle(page);
    const three = JSON.parse((await page.getAttribute('[data-testid="glyph-probs-maml-0"]', 'data-after'))!) as number[];
    expect(three).toHaveLength(3);
    expect((await glyphs(page)).support[4]).toEqual(kept[4]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('meta-trains the glyph classifier live (second-order MAML on the 784-128-64-5 network)', async () => {
    const { page, errors } = await openApp(browser, '?backend=wasm&p=glyphs', { ready: '[data-testid="glyph-pad-0-0"]' });
    expect(await text(page, 'train-problem')).toMatch(/glyphs, 5-way/);
    await page.fill('[data-testid="train-iterations"]', '3');
    await page.click('[data-testid="train-start"]');
    await page.waitForFunction(() => /done/i.test(document.querySelector('[data-testid="train-state"]')?.textContent ?? ''), undefined, { timeout: 120_000 });
    expect(await page.getAttribute('[data-testid="train-progress"]', 'value')).toBe('3');
    // On typed arrays: the sparse first layer (npm run bench, part glyphs, times it against TF.js).
    expect(await text(page, 'train-path')).toBe('typed arrays');
    const sources = await page.evaluate(() => (window as any).__playground.store.getState().status.sources);
    expect(sources['glyphs-5way/maml']).toMatch(/trained in this page: iteration 3 of 3/);
    expect(sources.maml).toMatch(/shipped checkpoint/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('shipped classifier tables (issue 13: median and blow-up beside the mean)', () => {
  /** The stored 5-shot (or 1-shot) evaluation of a shipped file, as npm run pretrain -- --reevaluate wrote it. */
  const stored = (folder: string, id: string, kShot: number) =>
    (readCheckpointFile(readFileSync(`public/checkpoints/${folder}/${id}${BINARY_CHECKPOINT_EXT}`)).evaluation as unknown as { kShot: number; blowUp: number[]; accuracy: { median: number[] } }[]).find(
      (e) => e.kShot === kShot,
    )!;

  it.each([
    ['plane', '?backend=wasm&p=plane', '[data-testid="plane-area"]', 'plane-2way'],
    ['glyphs', '?backend=wasm&p=glyphs', '[data-testid="glyph-pad-0-0"]', 'glyphs-5way-1shot'],
  ])('%s tab: the table has a median and a blew-up column with the files\' numbers, and scrolls rather than clips at 390x844', async (_name, query, ready, folder) => {
    const { page, errors } = await openApp(browser, query, { ready });
    await page.waitForSelector('[data-testid="class-shipped-table"]');
    const heads = await page.$$eval('[data-testid="class-shipped-table"] thead th', (ths) => ths.map((t) => t.textContent?.trim()));
    expect(heads).toContain('median');
    expect(heads).toContain('blew up');
    for (const id of ['maml', 'pretrained']) {
      for (const kShot of [1, 5]) {
        const row = `[data-testid="class-shipped-${id}-${kShot}"]`;
        const e = stored(folder, id, kShot);
        for (const k of [0, 1, 5]) {
          const cell = await page.$eval(`${row} td[data-median-step="${k}"]`, (td) => ({ value: Number(td.getAttribute('data-value')), text: td.textContent }));
          expect(cell.value).toBeCloseTo(e.accuracy.median[k], 6);
          expect(cell.text).toBe(`${(100 * e.accuracy.median[k]).toFixed(1)}%`);
        }
        // No shipped classifier's loss blew up on any episode: the column says so in words.
        expect(Math.max(...e.blowUp)).toBe(0);
        expect(await page.textContent(`${row} td[data-blowup]`)).toBe('none');
      }
    }
    // A phone: the page does not scroll sideways; the table's own region does, and its last column is reachable.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    const reach = await page.$eval('[data-testid="class-shipped-table"]', (table) => {
      const region = table.closest('[role="region"]') as HTMLElement;
      region.scrollLeft = region.scrollWidth;
      const last = table.querySelector('tbody tr td[data-blowup]')!.getBoundingClientRect();
      const box = region.getBoundingClientRect();
      return { scrolls: region.scrollWidth > region.clientWidth, overflow: getComputedStyle(region).overflowX, lastRight: last.right, boxRight: box.right, name: region.getAttribute('aria-label') };
    });
    expect(reach.scrolls).toBe(true);
    expect(reach.overflow).toBe('auto');
    expect(reach.lastRight).toBeLessThanOrEqual(reach.boxRight + 1);
    expect(reach.name).toMatch(/Shipped checkpoints table/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

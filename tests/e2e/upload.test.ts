/**
 * Untrusted checkpoint files in the page (issue 13, item 4): inherited property names, settings outside the
 * form's ranges and a padded 50 MB file are refused with a short message and change nothing; a file with
 * fields the app does not know loads, and what is downloaded again holds none of them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openApp, pathOf, settle } from './browser';
import { readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** The shipped MAML checkpoint (binary on disk) as a JSON object to change. */
const shipped = () => JSON.parse(JSON.stringify(readCheckpointFile(readFileSync('public/checkpoints/maml.ckpt'))));

async function uploadRefused(page: Page, name: string, body: string | Uint8Array, why: RegExp): Promise<void> {
  const file = join(tmpdir(), name);
  writeFileSync(file, body);
  const before = await page.$$eval('[data-testid="notices"] .notice-error', (n) => n.length);
  await page.setInputFiles('[data-testid="checkpoint-upload"]', file);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="notices"] .notice-error').length > n || /not loaded/.test(document.querySelector('[data-testid="notices"] .notice-error:last-child')?.textContent ?? ''), before);
  const text = (await page.$$eval('[data-testid="notices"] .notice-error', (ns) => ns.map((n) => n.textContent ?? ''))).join('\n');
  expect(text).toMatch(why);
  expect(text).toMatch(/not loaded/);
}

describe('checkpoint upload', () => {
  it('refuses inherited names, out-of-range settings and a padded file, and the model stays as it was (TF.js engine too)', async () => {
    const { page } = await openApp(browser, '?backend=wasm&engine=tfjs');
    const curve = await pathOf(page, 'maml', 1);
    for (const name of ['constructor', 'toString']) {
      const c = shipped();
      c.params[name] = { shape: [1], values: [0] };
      await uploadRefused(page, `proto-${name}.json`, JSON.stringify(c), new RegExp(`Unexpected parameters: ${name}`));
    }
    for (const [key, value] of [['metaBatch', -5], ['innerSteps', 1e9], ['alpha', 1e300], ['iterations', -1], ['seed', 0.5], ['lambda', 1e30]] as const) {
      const c = shipped();
      c.training[key] = value;
      await uploadRefused(page, `bad-${key}.json`, JSON.stringify(c), new RegExp(`"${key}" is`));
    }
    const padded = JSON.stringify({ ...shipped(), padding: 'x'.repeat(50 * 2 ** 20) });
    await uploadRefused(page, 'padded.json', padded, /MB; a checkpoint is at most 8 MB/);
    // Nothing changed, and adaptation still works on the TF.js path.
    await settle(page);
    expect(await pathOf(page, 'maml', 1)).toBe(curve);
    const notices = await page.textContent('[data-testid="notices"]');
    expect(notices!.length).toBeLessThan(2000);
    await page.close();
  });

  it('keeps no unknown field: a file with extras loads, and its download holds only what the app knows', async () => {
    const { page } = await openApp(browser, '?backend=wasm');
    const c = shipped();
    c.comment = 'x'.repeat(10_000);
    c.training.secret = 'y';
    c.params.w0.note = 'z';
    const file = join(tmpdir(), 'maml-extras.json');
    writeFileSync(file, JSON.stringify(c));
    await page.setInputFiles('[data-testid="checkpoint-upload"]', file);
    await page.waitForFunction(() => /Loaded maml-extras\.json/.test(document.querySelector('[data-testid="notices"]')?.textContent ?? ''));
    await settle(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-maml"]')]);
    const saved = join(tmpdir(), 'maml-extras-out.json');
    await download.saveAs(saved);
    const out = JSON.parse(readFileSync(saved, 'utf8'));
    expect(out.comment).toBeUndefined();
    expect(out.training.secret).toBeUndefined();
    expect(out.params.w0.note).toBeUndefined();
    expect(out.params.w0.values.slice(0, 5)).toEqual(c.params.w0.values.slice(0, 5).map((v: number) => Number(Math.fround(v).toPrecision(9))));
    await page.close();
  });

  it('reads the binary form (issue 17): a shipped .ckpt loads; a truncated one, or one with a NaN, is refused and changes nothing', async () => {
    const { page } = await openApp(browser, '?backend=wasm');
    const curve = await pathOf(page, 'maml', 1);
    const bytes = readFileSync('public/checkpoints/maml.ckpt');
    await uploadRefused(page, 'cut.ckpt', bytes.subarray(0, 300), /header length .* runs past the end of the file/);
    const nan = Buffer.from(bytes);
    nan.writeFloatLE(NaN, nan.length - 4);
    await uploadRefused(page, 'nan.ckpt', nan, /Parameter "b2" has a non-finite value at index 0/);
    await settle(page);
    expect(await pathOf(page, 'maml', 1)).toBe(curve);
    const file = join(tmpdir(), 'reptile-shipped.ckpt');
    writeFileSync(file, readFileSync('public/checkpoints/reptile.ckpt'));
    await page.setInputFiles('[data-testid="checkpoint-upload"]', file);
    await page.waitForFunction(() => /Loaded reptile-shipped\.ckpt into Reptile/.test(document.querySelector('[data-testid="notices"]')?.textContent ?? ''));
    await page.close();
  });
});

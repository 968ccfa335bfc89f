/**
 * npm run bench: median ms per meta-iteration of every trainable algorithm (the paper's sinusoid setting,
 * each algorithm with its default inner loop) on every backend available, in Node (cpu, wasm) and in a
 * headless-Chromium worker (webgpu, webgl, wasm, cpu), the cost ratio exact MAML / first-order MAML in the
 * same run, plus click-to-curves latency in the page. Prints a table and writes bench-results/bench.json.
 * Needs a build (npm run bench builds first) and /usr/bin/chromium.
 * WebGPU/WebGL in headless Chromium here run on SwiftShader (a CPU emulator): correctness, not GPU speed, so
 * only MAML and first-order MAML are timed there.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import { ALGORITHM_IDS, ALGORITHMS, type AlgorithmId } from '../src/meta/algorithms';
import { useNodeBackend } from '../src/meta/node-backend';
import { MetaTrainer } from '../src/meta/trainer';
import { defaultTrainConfig } from '../src/meta/config';
import { SINUSOID_MLP } from '../src/meta/architecture';
import { FastMamlTrainer } from '../src/meta/fast/maml';

/** Every algorithm with something to train (scratch has not). */
const ALGOS: AlgorithmId[] = ALGORITHM_IDS.filter((a) => ALGORITHMS[a].outer !== 'none');
/** On emulated GPUs a meta-iteration takes seconds: the two whose ratio matters. */
const GPU_ALGOS: AlgorithmId[] = ['maml', 'fomaml'];
const ITER = Number(process.env.BENCH_ITERATIONS ?? 30);
const PORT = 4392;

interface Row {
  where: string;
  backend: string;
  ms: Partial<Record<AlgorithmId, number>>;
  note?: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function nodeRow(backend: string): Promise<Row> {
  await useNodeBackend(backend);
  const out: Row = { where: 'node', backend, ms: {} };
  for (const algorithm of ALGOS) {
    const trainer = new MetaTrainer({ ...defaultTrainConfig(algorithm), iterations: ITER });
    const times: number[] = [];
    for (let i = 0; i < ITER + 3; i++) {
      const t0 = performance.now();
      await trainer.step();
      if (i >= 3) times.push(performance.now() - t0);
    }
    trainer.dispose();
    out.ms[algorithm] = median(times);
  }
  return out;
}

/** The typed-array MAML path (src/meta/fast, no tfjs): MAML and first-order MAML only. */
function typedRow(): Row {
  const out: Row = { where: 'node', backend: 'typed arrays', ms: {}, note: 'src/meta/fast, no tfjs' };
  for (const algorithm of ['maml', 'fomaml'] as const) {
    const trainer = new FastMamlTrainer({ ...defaultTrainConfig(algorithm), sizes: SINUSOID_MLP.sizes, exact: algorithm === 'maml' });
    const times: number[] = [];
    for (let i = 0; i < ITER + 3; i++) {
      const t0 = performance.now();
      trainer.step();
      if (i >= 3) times.push(performance.now() - t0);
    }
    out.ms[algorithm] = median(times);
  }
  return out;
}

async function browserRows(): Promise<{ rows: Row[]; latency: Record<string, { median: number; p95: number }> }> {
  const server = spawn('node_modules/.bin/vite', ['preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 2500));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu'],
  });
  const rows: Row[] = [];
  const latency: Record<string, { median: number; p95: number }> = {};
  try {
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${PORT}/?backend=${backend}`);
      await page.waitForFunction(() => /webgpu|webgl|wasm|cpu/.test(document.querySelector('[data-testid="backend-name"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
      const running = ((await page.textContent('[data-testid="backend-name"]')) ?? '').trim();
      if (!running.includes(backend)) {
        rows.push({ where: 'browser worker', backend, ms: {}, note: `unavailable (fell back to ${running})` });
        await page.close();
        continue;
      }
      await page.waitForSelector('[data-testid="task-panel"] path.curve[data-method="maml"]', { timeout: 60_000 });
      // Measure clicks on a settled page: the averaged curves computed at load would otherwise queue ahead.
      await page.waitForFunction(() => (window as any).__playground.idle(), undefined, { timeout: 600_000, polling: 250 });
      // Click to curves: a point added through the store until every shown method's curves are in the store and painted.
      const lat = await page.evaluate(async (n) => {
        const pg = (window as any).__playground;
        const times: number[] = [];
        for (let i = 0; i < n; i++) {
          const before = pg.store.getState().results.adaptation;
          const t0 = performance.now();
          pg.store.getState().addPoint({ x: -4.5 + (9 * i) / n, y: Math.sin(i) });
          await new Promise<void>((resolve) => {
            const un = pg.store.subscribe((s: any) => {
              if (s.results.adaptation !== before) {
                un();
                requestAnimationFrame(() => resolve());
              }
            });
          });
          times.push(performance.now() - t0);
          pg.store.getState().deletePoint(pg.store.getState().settings.points.length - 1);
          await new Promise((r) => setTimeout(r, 50));
        }
        return times;
      }, 20);
      latency[backend] = { median: median(lat), p95: pct(lat, 0.95) };
      const gpu = backend === 'webgpu' || backend === 'webgl';
      const iters = gpu ? Math.min(ITER, 10) : ITER;
      const res = await page.evaluate(([a, n]) => (window as any).__playground.bench(a, n), [gpu ? GPU_ALGOS : ALGOS, iters] as const);
      rows.push({ where: 'browser worker', backend, ms: res.msPerIteration, note: gpu ? 'SwiftShader (CPU emulation) here' : undefined });
      if (backend === 'wasm') {
        // The typed-array path does not depend on the tfjs backend: timed once, in the same worker.
        const typed = await page.evaluate(([a, n]) => (window as any).__playground.bench(a, n, 'typed'), [['maml', 'fomaml'], ITER] as const);
        rows.push({ where: 'browser worker', backend: 'typed arrays', ms: typed.msPerIteration, note: 'src/meta/fast, no tfjs' });
      }
      await page.close();
    }
  } finally {
    await browser.close();
    server.kill();
  }
  return { rows, latency };
}

const rows: Row[] = [];
for (const b of ['cpu', 'wasm']) rows.push(await nodeRow(b));
rows.push(typedRow());
tf.engine().reset();
const { rows: br, latency } = await browserRows();
rows.push(...br);

const f = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
const settings = ALGOS.map((a) => {
  const c = defaultTrainConfig(a);
  if (!ALGORITHMS[a].settings.includes('innerSteps')) return `${a}: no inner loop`;
  return `${a}: k=${c.innerSteps}${ALGORITHMS[a].proximal ? `, ${c.cgSteps} CG steps` : ''}`;
}).join('; ');
console.log(`\nMedian ms per meta-iteration (sinusoid, 25 tasks x (10 + 10) points, 1-40-40-1), ${ITER} iterations after 3 warm-up`);
console.log(`Each algorithm in its default setting (${settings})`);
console.log(`| where | backend | ${ALGOS.join(' | ')} | exact / first-order MAML | note |`);
console.log(`|---|---|${ALGOS.map(() => '---|').join('')}---|---|`);
for (const r of rows) {
  const ratio = r.ms.maml !== undefined && r.ms.fomaml ? (r.ms.maml / r.ms.fomaml).toFixed(2) : '—';
  console.log(`| ${r.where} | ${r.backend} | ${ALGOS.map((a) => f(r.ms[a])).join(' | ')} | ${ratio} | ${r.note ?? ''} |`);
}
console.log('\nClick to curves (3 methods, 10 steps, 201-point grid; store update to painted frame), ms');
console.log('| backend | median | p95 |');
console.log('|---|---|---|');
for (const [b, l] of Object.entries(latency)) console.log(`| ${b} | ${l.median.toFixed(1)} | ${l.p95.toFixed(1)} |`);

mkdirSync('bench-results', { recursive: true });
const ratios = rows.map((r) => ({ where: r.where, backend: r.backend, exactOverFirstOrder: r.ms.maml !== undefined && r.ms.fomaml ? r.ms.maml / r.ms.fomaml : null }));
const json = { date: new Date().toISOString(), iterations: ITER, msPerIteration: rows, exactOverFirstOrder: ratios, clickToCurvesMs: latency };
writeFileSync('bench-results/bench.json', JSON.stringify(json, null, 2));
console.log('\nJSON: bench-results/bench.json');
console.log(JSON.stringify(json));

/**
 * Where start-up's long tasks go (issue 17, target 4): loads the built page (as the bench's `load` part does: wasm,
 * a fresh context, nothing cached) under a Chrome trace with the V8 sampling profiler on, and for every main-thread
 * task over TRACE_MIN_MS (default 30 ms) until the averaged curves are in prints what ran inside it: the trace's
 * own events (script compile and evaluation per file, style, layout, paint, GC) and the profiler's self time per
 * function (file:line), so a long task is named by the code that made it.
 *
 * Needs a build (`npx vite build --mode e2e`) and /usr/bin/chromium. TRACE_PORT (default 4422) the preview
 * server's port, TRACE_LOADS (default 3) the loads traced, TRACE_MIN_MS the shortest task reported, TRACE_OUT a
 * folder to keep the raw traces in (Chrome's DevTools Performance panel opens them), TRACE_PROFILER=0 leaves the
 * sampling profiler off (it slows every task). Each task's thread CPU time (the trace's tdur) is printed beside its
 * wall time, as a hint only: on this machine it reads far below the wall time even for tasks nothing else held up.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const PORT = Number(process.env.TRACE_PORT ?? 4422);
const LOADS = Number(process.env.TRACE_LOADS ?? 3);
const MIN_MS = Number(process.env.TRACE_MIN_MS ?? 30);
const OUT = process.env.TRACE_OUT;

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** The thread's CPU time in the event (µs), as the trace reports it. */
  tdur?: number;
  pid: number;
  tid: number;
  id?: string;
  args?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'toplevel',
  'blink.user_timing',
  'v8',
  'v8.execute',
  // The sampling profiler makes every task slower (~1.3x here): TRACE_PROFILER=0 leaves it off.
  ...(process.env.TRACE_PROFILER === '0' ? [] : ['disabled-by-default-v8.cpu_profiler']),
  'disabled-by-default-v8.compile',
  'loading',
].join(',');

/** A file's name without its folder and query: enough to tell the chunks apart. */
const short = (url: string | undefined) => (url ? url.replace(/^.*\//, '').replace(/\?.*$/, '') : '');

/** The events the Performance panel names a task by, and what they say about which file. */
function label(e: TraceEvent): string {
  const d = e.args?.data ?? e.args ?? {};
  const file = short(d.url ?? d.fileName ?? e.args?.fileName);
  return file ? `${e.name} ${file}` : e.name;
}

function analyse(events: TraceEvent[], endMs: number): string[] {
  const lines: string[] = [];
  // The page's main thread and its navigation start in trace time, from the session's first mark (user timing
  // events carry their startTime, ms from navigation): the about:blank renderer the context opens is another.
  const main = events.find((e) => e.name === 'maml:session-start' && e.args?.data?.startTime !== undefined);
  if (!main) return ['no maml:session-start mark in the trace'];
  const navStart = main.ts - main.args!.data.startTime * 1000;
  const end = navStart + endMs * 1000;
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined);
  const tasks = onMain
    .filter((e) => (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') && (e.dur! / 1000 >= MIN_MS || (e.tdur ?? 0) / 1000 >= MIN_MS))
    .filter((e) => e.ts >= navStart && e.ts <= end)
    // Nested RunTask events: keep the outermost.
    .filter((e, _, all) => !all.some((o) => o !== e && o.ts <= e.ts && o.ts + o.dur! >= e.ts + e.dur! && o.dur! > e.dur!));

  // The sampling profiler's samples on that thread: one ProfileChunk stream per Profile id.
  const nodes = new Map<number, ProfileNode>();
  const samples: { ts: number; node: number }[] = [];
  const profiles = new Map<string, number>();
  for (const e of events) {
    if (e.name === 'Profile' && e.pid === main.pid && e.tid === main.tid && e.id) profiles.set(e.id, e.args?.data?.startTime ?? e.ts);
  }
  const clock = new Map<string, number>();
  for (const e of events) {
    if (e.name !== 'ProfileChunk' || e.pid !== main.pid || !e.id || !profiles.has(e.id)) continue;
    const p = e.args?.data?.cpuProfile ?? {};
    for (const n of (p.nodes ?? []) as ProfileNode[]) nodes.set(n.id, n);
    const deltas: number[] = e.args?.data?.timeDeltas ?? [];
    let t = clock.get(e.id) ?? profiles.get(e.id)!;
    (p.samples ?? []).forEach((s: number, i: number) => {
      t += deltas[i] ?? 0;
      samples.push({ ts: t, node: s });
    });
    clock.set(e.id, t);
  }
  samples.sort((a, b) => a.ts - b.ts);

  const allTasks = onMain.filter((e) => (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') && e.ts >= navStart && e.ts <= end);
  const longest = (f: (e: TraceEvent) => number) => Math.max(0, ...allTasks.map(f)) / 1000;
  lines.push(`longest task until the averaged curves: wall ${longest((e) => e.dur!).toFixed(1)} ms, CPU ${longest((e) => e.tdur ?? 0).toFixed(1)} ms`);
  for (const task of tasks) {
    const t0 = task.ts;
    const t1 = task.ts + task.dur!;
    const cpu = task.tdur === undefined ? '' : ` (CPU ${(task.tdur / 1000).toFixed(1)} ms)`;
    lines.push(`task at ${((t0 - navStart) / 1000).toFixed(0)} ms: ${(task.dur! / 1000).toFixed(1)} ms${cpu}`);
    // The trace's events inside the task, by self time (their own time less their children's).
    const inside = onMain.filter((e) => e !== task && e.ts >= t0 && e.ts + e.dur! <= t1).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const self = new Map<TraceEvent, number>(inside.map((e) => [e, e.dur!]));
    const stack: TraceEvent[] = [];
    for (const e of inside) {
      while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur! <= e.ts) stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) self.set(parent, self.get(parent)! - e.dur!);
      stack.push(e);
    }
    const byLabel = new Map<string, number>();
    for (const [e, s] of self) byLabel.set(label(e), (byLabel.get(label(e)) ?? 0) + s);
    const top = [...byLabel].sort((a, b) => b[1] - a[1]).filter(([, s]) => s >= 1000).slice(0, 12);
    lines.push(`  trace events, self ms: ${top.map(([l, s]) => `${l} ${(s / 1000).toFixed(1)}`).join('; ')}`);
    // Profiler samples inside the task: self time per function, and per file.
    const inTask = samples.filter((s) => s.ts >= t0 && s.ts <= t1);
    const perFn = new Map<string, number>();
    const perFile = new Map<string, number>();
    for (let i = 0; i < inTask.length; i++) {
      const dt = (inTask[i + 1]?.ts ?? t1) - inTask[i].ts;
      const n = nodes.get(inTask[i].node);
      if (!n) continue;
      const cf = n.callFrame;
      const fn = `${cf.functionName || '(anonymous)'} ${short(cf.url)}:${cf.lineNumber + 1}:${cf.columnNumber + 1}`;
      perFn.set(fn, (perFn.get(fn) ?? 0) + dt);
      const file = short(cf.url) || cf.functionName;
      perFile.set(file, (perFile.get(file) ?? 0) + dt);
    }
    const fmt = (m: Map<string, number>, k: number) =>
      [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([l, s]) => `${l} ${(s / 1000).toFixed(1)}`).join('; ');
    if (!samples.length) continue;
    lines.push(`  profiler, self ms per file: ${fmt(perFile, 8)}`);
    lines.push(`  profiler, self ms per function: ${fmt(perFn, 14)}`);
  }
  if (!tasks.length) lines.push(`no task over ${MIN_MS} ms`);
  return lines;
}

const server = spawn('node_modules/.bin/vite', ['preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 2500));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
});
try {
  if (OUT) mkdirSync(OUT, { recursive: true });
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { __load: { longTasks: number[][]; averaged: number | null; first: number | null } };
      w.__load = { longTasks: [], averaged: null, first: null };
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__load.longTasks.push([e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
      new MutationObserver(() => {
        if (w.__load.first === null && document.querySelector('[data-testid="task-panel"] path.curve[data-method="maml"][d]')) w.__load.first = performance.now();
        if (w.__load.averaged === null && document.querySelector('[data-testid="loss-panel"] path.loss-line[data-chart="average"][data-method="maml"][d]')) w.__load.averaged = performance.now();
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['d'] });
    });
    await browser.startTracing(page, { categories: CATEGORIES.split(',') });
    await page.goto(`http://127.0.0.1:${PORT}/?backend=wasm`);
    await page.waitForFunction(() => (window as unknown as { __load: { averaged: number | null } }).__load.averaged !== null, undefined, { timeout: 120_000, polling: 50 });
    await page.waitForTimeout(300);
    const info = await page.evaluate(() => {
      const w = window as unknown as { __load: { longTasks: number[][]; averaged: number; first: number } };
      return { ...w.__load, timeOrigin: performance.timeOrigin };
    });
    const buffer = await browser.stopTracing();
    const trace = JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] };
    if (OUT) writeFileSync(`${OUT}/load-${i + 1}.json`, buffer);
    const events = trace.traceEvents;
    console.log(`\n## load ${i + 1}: first curves ${info.first.toFixed(0)} ms, averaged ${info.averaged.toFixed(0)} ms; PerformanceObserver long tasks: ${info.longTasks.map(([s, d]) => `${d.toFixed(0)} at ${s.toFixed(0)}`).join(', ') || 'none'}`);
    for (const l of analyse(events, info.averaged + 50)) console.log(l);
    await context.close();
  }
} finally {
  await browser.close();
  server.kill();
}

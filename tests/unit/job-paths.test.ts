/**
 * The fastest path for each job, by measurement (src/worker/job-paths.ts): the first request of a job that two
 * paths serve runs on each twice, the faster is kept and answers; later requests run on it alone.
 */
import { describe, expect, it } from 'vitest';
import { JobPaths, type JobPath } from '../../src/worker/job-paths';
import { PROBE_ROUND_LIMIT_MS } from '../../src/worker/probe';

/** A clock each path advances by its own cost per call (the first call can cost more: compiling). */
function rig(costs: Record<JobPath, number[]>) {
  let t = 0;
  const calls: JobPath[] = [];
  const path = (p: JobPath) => () => {
    const n = calls.filter((c) => c === p).length;
    calls.push(p);
    t += costs[p][Math.min(n, costs[p].length - 1)];
    return `${p} #${n + 1}`;
  };
  return { jobs: new JobPaths(() => t), calls, path };
}

describe('JobPaths', () => {
  it('measures both paths twice on the first request, answers with the faster, and then runs only it', async () => {
    const { jobs, calls, path } = rig({ 'typed arrays': [3, 1.2], tfjs: [40, 4] });
    const first = await jobs.run('adapt:sinusoid', { 'typed arrays': path('typed arrays'), tfjs: path('tfjs') }, (p) => (p === 'tfjs' ? 'tfjs (wasm)' : p));
    expect(first).toEqual({ result: 'typed arrays #2', path: 'typed arrays', note: 'fastest by measurement: typed arrays 1.2 ms, tfjs (wasm) 4.0 ms' });
    // The usual order's best (first offered) is timed last, so it is warm for the next request.
    expect(calls).toEqual(['tfjs', 'tfjs', 'typed arrays', 'typed arrays']);
    const next = await jobs.run('adapt:sinusoid', { 'typed arrays': path('typed arrays'), tfjs: path('tfjs') });
    expect(next.result).toBe('typed arrays #3');
    expect(next.note).toBe(first.note);
    expect(calls).toHaveLength(5);
    expect(jobs.pathOf('adapt:sinusoid')).toBe('typed arrays');
  });

  it('keeps TF.js where it is the faster (a GPU), per job: another job is measured on its own', async () => {
    const { jobs, path } = rig({ 'typed arrays': [9, 9], tfjs: [60, 2] });
    expect((await jobs.run('classify:plane', { 'typed arrays': path('typed arrays'), tfjs: path('tfjs') })).path).toBe('tfjs');
    expect(jobs.pathOf('adapt:sinusoid')).toBeNull();
  });

  it('a path whose first round is over the limit is not timed again and loses', async () => {
    const { jobs, calls, path } = rig({ 'typed arrays': [5, 5], tfjs: [PROBE_ROUND_LIMIT_MS + 1, 0.1] });
    const r = await jobs.run('classify:plane', { 'typed arrays': path('typed arrays'), tfjs: path('tfjs') });
    expect(r.path).toBe('typed arrays');
    expect(r.note).toContain(`tfjs over ${PROBE_ROUND_LIMIT_MS} ms`);
    expect(calls.filter((c) => c === 'tfjs')).toHaveLength(1);
  });

  it('one path: it runs once, with no note; none: an error', async () => {
    const { jobs, calls, path } = rig({ 'typed arrays': [1], tfjs: [1] });
    expect(await jobs.run('classify:glyphs', { tfjs: path('tfjs') })).toEqual({ result: 'tfjs #1', path: 'tfjs', note: null });
    expect(calls).toEqual(['tfjs']);
    await expect(jobs.run('x', {})).rejects.toThrow('No path serves x.');
  });

  it('a kept path that a later request does not offer (engine=tfjs) is not forced on it', async () => {
    const { jobs, path } = rig({ 'typed arrays': [1, 1], tfjs: [5, 5] });
    await jobs.run('adapt:sinusoid', { 'typed arrays': path('typed arrays'), tfjs: path('tfjs') });
    expect((await jobs.run('adapt:sinusoid', { tfjs: path('tfjs') })).path).toBe('tfjs');
  });
});

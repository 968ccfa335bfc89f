/**
 * nextTask (src/app/tasks.ts) cuts the page's start-up into tasks (issue 17, target 4): what follows an await of it
 * must run in a later task, after the current task's microtasks, never as a microtask of the current one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTask } from '../../src/app/tasks';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The order in which a nextTask continuation and the current task's microtasks (queued after it) run. */
async function order(): Promise<string[]> {
  const seen: string[] = [];
  const done = nextTask().then(() => seen.push('next task'));
  queueMicrotask(() => seen.push('microtask'));
  void Promise.resolve().then(() => Promise.resolve().then(() => seen.push('microtask chain')));
  await done;
  return seen;
}

describe('nextTask', () => {
  it('resumes after the current task and its microtasks (MessageChannel where there is no scheduler.yield)', async () => {
    expect((globalThis as { scheduler?: unknown }).scheduler).toBeUndefined();
    expect(await order()).toEqual(['microtask', 'microtask chain', 'next task']);
  });

  it('uses scheduler.yield where the browser has it', async () => {
    const yieldSpy = vi.fn(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
    vi.stubGlobal('scheduler', { yield: yieldSpy });
    expect(await order()).toEqual(['microtask', 'microtask chain', 'next task']);
    expect(yieldSpy).toHaveBeenCalledTimes(1);
  });

  it('falls back to a zero timeout without MessageChannel', async () => {
    vi.stubGlobal('MessageChannel', undefined);
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    expect(await order()).toEqual(['microtask', 'microtask chain', 'next task']);
    expect(timeout).toHaveBeenCalledWith(expect.any(Function), 0);
    timeout.mockRestore();
  });
});

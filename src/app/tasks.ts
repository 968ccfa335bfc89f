/**
 * Start-up in short tasks (issue 17, target 4: no long task over 50 ms during load). The browser can paint, take
 * input and hear the engine worker between two tasks; code that would run for tens of milliseconds in one go is
 * cut where this is awaited.
 */

interface YieldingScheduler {
  yield?: () => Promise<void>;
}

/**
 * Resolves in a new task: `scheduler.yield()` where the browser has it (it resumes ahead of other queued work),
 * else a MessageChannel message (no timer clamp), else a zero timeout.
 */
export function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: YieldingScheduler }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

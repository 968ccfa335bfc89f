/**
 * When the page asks the worker for curves: at most one request of a kind in flight (clicks and drags never
 * queue stale work), and, while training, no more often than the worker can afford.
 */
import type { SessionCore } from './shared';

export type RequestKind = 'adaptation' | 'evaluation';

/**
 * How long the panels wait for a moved point's curves before drawing the point alone (one frame at 60 Hz): the
 * worker answers a click in 1-2 ms, so the point and its curves land in the same frame (issue 17, target 6).
 */
export const ANSWER_HOLD_MS = 16;

/**
 * How long a click's task waits for its curves in shared memory (EngineClient.awaitAnswers), where the page has
 * some: the worker answers an idle click in 1-2 ms; one busy training or evaluating may take longer, and its
 * answer then comes by message within the hold.
 */
export const ANSWER_WAIT_MS = 8;

/** While training, the averaged curves are refreshed this often. */
export const EVAL_DURING_TRAINING_MS = 4000;

/** Whether a refresh that last ended at `last.end` and took `last.ms` may run again at `now`. */
export function refreshDue(last: { end: number; ms: number }, now: number, minGapMs: number): boolean {
  return now - last.end > Math.max(minGapMs, 4 * last.ms);
}

export interface Scheduler {
  /**
   * Runs `send` so that at most one call is in flight; calls made meanwhile collapse into one more run after
   * it. Each run is timed for dueDuringTraining.
   */
  latestOnly(kind: RequestKind, send: () => Promise<void>): () => void;
  /**
   * While training, the curves follow the trained model, but never at the cost of training: each kind of refresh
   * waits minGapMs and at least four times its own last duration, so it takes at most a fifth of the worker's
   * time (a glyph evaluation takes seconds; a sinusoid click a few ms).
   */
  dueDuringTraining(kind: RequestKind, minGapMs: number): boolean;
  /** Requests of a kind (default: both) being computed or waiting. */
  inFlight(kind?: RequestKind): number;
}

export function createScheduler(core: Pick<SessionCore, 'store' | 'now'>): Scheduler {
  const inFlight: Record<RequestKind, number> = { adaptation: 0, evaluation: 0 };
  const lastRun: Record<RequestKind, { end: number; ms: number }> = { adaptation: { end: 0, ms: 0 }, evaluation: { end: 0, ms: 0 } };

  const timed = async (kind: RequestKind, work: () => Promise<void>) => {
    const t0 = core.now();
    try {
      await work();
    } finally {
      lastRun[kind] = { end: core.now(), ms: core.now() - t0 };
    }
  };

  return {
    latestOnly(kind, send) {
      let busy = false;
      let again = false;
      const run = async () => {
        busy = true;
        again = false;
        inFlight[kind] += 1;
        try {
          await timed(kind, send);
        } catch (e) {
          // A restart rejects what was pending; the restart itself is already announced.
          const st = core.store.getState();
          if (st.status.worker === 'ready') st.notify('error', (e as Error).message);
        }
        inFlight[kind] -= 1;
        busy = false;
        if (again) void run();
      };
      return () => {
        if (busy) again = true;
        else void run();
      };
    },
    dueDuringTraining: (kind, minGapMs) => refreshDue(lastRun[kind], core.now(), minGapMs),
    inFlight: (kind) => (kind ? inFlight[kind] : inFlight.adaptation + inFlight.evaluation),
  };
}

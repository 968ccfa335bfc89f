/**
 * What the parts of an engine session share: the store it reads intents from and writes answers to, the worker
 * client while it runs, and the ways it reaches the outside (fetch, the clock). One object per session, so two
 * sessions (a test's, the page's) never share a counter or a client.
 */
import type { StoreApi } from 'zustand';
import type { PlaygroundState } from '../state/store';
import type { StoreView } from '../state/view';
import type { EngineClient } from '../worker/client';

/** The page's store (usePlayground) or any store of the same state. */
export type PlaygroundStore = StoreApi<PlaygroundState>;

export interface SessionCore {
  store: PlaygroundStore;
  /** The worker client: null before start() and after dispose(). */
  client(): EngineClient | null;
  fetch: typeof fetch;
  /**
   * What the panels render of the store, held while a moved point's curves are computed (the answer's first store
   * change ends the hold); null: nothing held (tests).
   */
  view: Pick<StoreView<PlaygroundState>, 'hold'> | null;
  /** The folder of the shipped checkpoints, ending in '/' (the page: `${BASE_URL}checkpoints/`). */
  checkpointsUrl: string;
  /** Milliseconds, for the refresh policy (performance.now on the page). */
  now(): number;
}

/** A named moment of the start-up (the bench reads them: performance.getEntriesByType('mark'), prefix "maml:"). */
export function mark(name: string): void {
  globalThis.performance?.mark?.(`maml:${name}`);
}

/**
 * What the panels render: a store's state as last published to them. Every change is published at once, as
 * zustand's own hook would see it, unless a hold is on: then the panels keep what they show for at most a few
 * ms, so that a change and the answer it waits for reach the screen in one render and one frame (issue 17,
 * target 6: a clicked point and its adapted curves land in the frame after the click, not in one frame each).
 * A hold covers the changes of the task that asked for it; the first change of any later task (the answer, or
 * anything else the user does meanwhile) ends it, so nothing but that one frame's wait is ever held back.
 * The store itself (getState, the session, the address, persistence) always has the change at once.
 */
import { useSyncExternalStore } from 'react';
import type { StoreApi } from 'zustand';

export interface StoreView<S> {
  subscribe(listener: () => void): () => void;
  /** The state the panels render. */
  get(): S;
  /**
   * Keeps the panels on what they showed before the change being made now, until release() or ms pass. Call it
   * from a store listener, while that change is being made (a listener that ran before it may have published it:
   * it is taken back before React renders, which it does after this task's code).
   */
  hold(ms: number): void;
  /** Publishes what the store holds now, if a hold was on (the answer came, or the hold's time is up). */
  release(): void;
  /** Whether a hold is on (the tests). */
  held(): boolean;
}

export function createView<S>(api: StoreApi<S>): StoreView<S> {
  let view = api.getState();
  /** What the panels showed before the latest publish. */
  let before = view;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const listeners = new Set<() => void>();
  const publish = () => {
    const s = api.getState();
    if (s === view) return;
    before = view;
    view = s;
    listeners.forEach((l) => l());
  };
  /** True from a hold until the end of the task that asked for it: the changes of that task are held with it. */
  let opening = false;
  api.subscribe(() => {
    if (timer === null) publish();
    // Anything from a later task (the answer, a key, another click) ends the hold: nothing else waits on it.
    else if (!opening) release();
  });
  const release = () => {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    publish();
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get: () => view,
    hold(ms) {
      if (timer !== null) return;
      if (view === api.getState()) view = before;
      timer = setTimeout(release, ms);
      opening = true;
      queueMicrotask(() => (opening = false));
    },
    release,
    held: () => timer !== null,
  };
}

/** The hook of a view: zustand's useStore, reading the view instead of the store. */
export function viewHook<S>(api: StoreApi<S>, view: StoreView<S>) {
  return function useView<T>(selector: (s: S) => T): T {
    return useSyncExternalStore(
      view.subscribe,
      () => selector(view.get()),
      () => selector(api.getInitialState()),
    );
  };
}

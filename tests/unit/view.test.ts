/**
 * The panels' view of a store (src/state/view.ts): every change at once, except while a hold is on, which keeps
 * what the panels showed before the change being made until release() or the hold's time is up.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { createView } from '../../src/state/view';

type S = { points: number[]; curves: string };
const make = () => createStore<S>()(() => ({ points: [], curves: 'none' }));

afterEach(() => {
  vi.useRealTimers();
});

describe('createView', () => {
  it('without a hold: every change is published at once, to every listener', () => {
    const store = make();
    const view = createView(store);
    const seen: number[] = [];
    view.subscribe(() => seen.push(view.get().points.length));
    store.setState({ points: [1] });
    store.setState({ points: [1, 2] });
    expect(view.get()).toBe(store.getState());
    expect(seen).toEqual([1, 2]);
  });

  for (const order of ['hold asked before the view hears the change', 'hold asked after the view published it'] as const) {
    it(`a hold from a store listener keeps the panels on the state before the change (${order}); the answer and the point are published together`, () => {
      const store = make();
      let view!: ReturnType<typeof createView<S>>;
      const holdOnPoints = (s: S, prev: S) => {
        if (s.points !== prev.points) view.hold(16);
      };
      if (order === 'hold asked before the view hears the change') {
        store.subscribe(holdOnPoints);
        view = createView(store);
      } else {
        view = createView(store);
        store.subscribe(holdOnPoints);
      }
      const before = view.get();
      const published: S[] = [];
      view.subscribe(() => published.push(view.get()));
      store.setState({ points: [1] });
      expect(store.getState().points).toEqual([1]);
      expect(view.get()).toBe(before);
      expect(view.held()).toBe(true);
      store.setState({ curves: 'for [1]' });
      expect(view.get()).toBe(before);
      view.release();
      expect(view.held()).toBe(false);
      expect(view.get()).toEqual({ points: [1], curves: 'for [1]' });
      expect(published.at(-1)).toEqual({ points: [1], curves: 'for [1]' });
    });
  }

  it('a hold ends by itself after its time: the point is drawn alone when no answer comes', () => {
    vi.useFakeTimers();
    const store = make();
    const view = createView(store);
    store.subscribe((s, prev) => {
      if (s.points !== prev.points) view.hold(16);
    });
    store.setState({ points: [3] });
    vi.advanceTimersByTime(15);
    expect(view.get().points).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(view.get().points).toEqual([3]);
    expect(view.held()).toBe(false);
    // A release with no hold on publishes nothing new and breaks nothing.
    view.release();
    expect(view.get()).toBe(store.getState());
  });
});

describe('createView: what ends a hold', () => {
  it('the changes of the task that asked for the hold are held with it; the first change of a later task (a key, the answer) ends it', async () => {
    const store = make();
    const view = createView(store);
    store.subscribe((s, prev) => {
      if (s.points !== prev.points) view.hold(1000);
    });
    store.setState({ points: [1] });
    // The same click also changes something else: still held.
    store.setState({ curves: 'notice' });
    expect(view.get().points).toEqual([]);
    expect(view.held()).toBe(true);
    await Promise.resolve();
    // A later task: a key selects something. Published at once, with the point.
    store.setState({ curves: 'key' });
    expect(view.held()).toBe(false);
    expect(view.get()).toEqual({ points: [1], curves: 'key' });
  });
});

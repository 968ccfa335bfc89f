/**
 * The view in the page's address: read at start-up, kept up to date while the user works, and handed out as a
 * link ("Copy link to this view"). The query holds every setting (src/state/url.ts).
 */
import { listSome } from '../state/notices';
import type { Settings } from '../state/store';
import { parseUrl, serializeSettings } from '../state/url';
import type { BackendName, EnginePreference } from '../worker/protocol';
import type { PlaygroundStore } from './shared';

/** The page's address, as the link code needs it (the page: window.location and history). */
export interface PageAddress {
  /** The address without its query: origin and path. */
  base(): string;
  /** The query, with its '?'. */
  search(): string;
  /** Replaces the query in place (no history entry). */
  replace(query: string): void;
  /** Adds a history entry with this query (a new view: Back returns to the one before). */
  push?(query: string): void;
  /** Calls `listener` when Back or Forward brings another of the app's entries; returns a function that stops it. */
  onPop?(listener: () => void): () => void;
}

/** The query parameters that are engine choices, not settings of the task: kept as they came. */
const ENGINE_KEYS = ['backend', 'engine'] as const;
/** The address follows the settings this long after the last change. */
const ADDRESS_DELAY_MS = 250;

/** The link that reproduces a view (its settings and points). */
export const shareLink = (base: string, settings: Settings) => `${base}?${serializeSettings(settings)}`;

/**
 * Puts the query's settings in the store (defaults, with a notice naming what was not understood, for
 * parameters that are wrong) and returns the engine choices it names.
 */
export function readAddress(store: PlaygroundStore, search: string): { backend: BackendName | null; engine: EnginePreference } {
  const parsed = parseUrl(search);
  const st = store.getState();
  st.setSettings(parsed.settings);
  // One notice for the link, naming a few of its problems (each quotes at most 80 characters of a value).
  if (parsed.problems.length) st.notify('warning', `Some link parameters were not understood and defaults were used instead: ${listSome(parsed.problems, 4, '; ')}.`, 'link');
  return { backend: parsed.backend, engine: parsed.engine };
}

/**
 * Keeps the address's query equal to the settings. Another problem tab is another view: it gets a history entry
 * of its own (the one left keeps the view as it was), so Back and Forward move between the app's views instead of
 * out of the app; when they do, the entry's problem comes back with its test-time alpha and training form (the
 * settings a tab switch sets), the rest as it is now. A Learn mode scene (`learn`) is a view too: moving to
 * another scene adds an entry, and Back or Forward to an entry of another scene opens that scene again, with the
 * state `scene` gives for it (the Learn mode's own; without it, only the scene number comes back). Returns a
 * function that stops it.
 */
export function syncAddress(store: PlaygroundStore, address: PageAddress, scene?: (learn: number, now: Settings) => Partial<Settings>): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Set while Back or Forward applies an entry: that change is the entry's own, not a new view. */
  let popping = false;
  const query = (settings: Settings) => {
    const here = new URLSearchParams(address.search());
    const keep = ENGINE_KEYS.filter((k) => here.has(k)).map((k) => `&${k}=${encodeURIComponent(here.get(k)!)}`);
    return `?${serializeSettings(settings)}${keep.join('')}`;
  };
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.settings === prev.settings) return;
    clearTimeout(timer);
    const newView = s.settings.problem !== prev.settings.problem || s.settings.learn !== prev.settings.learn;
    if (address.push && !popping && newView) {
      address.replace(query(prev.settings));
      address.push(query(s.settings));
      return;
    }
    timer = setTimeout(() => address.replace(query(store.getState().settings)), ADDRESS_DELAY_MS);
  });
  const stopPop = address.onPop?.(() => {
    clearTimeout(timer);
    const entry = parseUrl(address.search()).settings;
    const st = store.getState();
    if (entry.problem === st.settings.problem && entry.learn === st.settings.learn) return;
    popping = true;
    try {
      const view = { problem: entry.problem, alpha: entry.alpha, train: entry.train, learn: entry.learn };
      st.setSettings(entry.learn > 0 && entry.learn !== st.settings.learn && scene ? { ...view, ...scene(entry.learn, st.settings) } : view);
    } finally {
      popping = false;
    }
  });
  return () => {
    clearTimeout(timer);
    stopPop?.();
    unsubscribe();
  };
}

/** Copies the link to the current view when the clipboard allows it, and says so (or shows it) in a notice. */
export async function copyLink(store: PlaygroundStore, base: string, copyText: (text: string) => Promise<void>): Promise<string> {
  const url = shareLink(base, store.getState().settings);
  try {
    await copyText(url);
    store.getState().notify('info', `Link to this view copied to the clipboard: ${url}`);
  } catch {
    store.getState().notify('info', `Link to this view: ${url}`);
  }
  return url;
}

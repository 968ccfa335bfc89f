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

/** Keeps the address's query equal to the settings. Returns a function that stops it. */
export function syncAddress(store: PlaygroundStore, address: PageAddress): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.settings === prev.settings) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const q = serializeSettings(store.getState().settings);
      const here = new URLSearchParams(address.search());
      const keep = ENGINE_KEYS.filter((k) => here.has(k)).map((k) => `&${k}=${encodeURIComponent(here.get(k)!)}`);
      address.replace(`?${q}${keep.join('')}`);
    }, ADDRESS_DELAY_MS);
  });
  return () => {
    clearTimeout(timer);
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

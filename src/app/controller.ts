/**
 * Wires the page's engine session (src/session/) into the page: the settings come from the address and go back
 * to it, the session starts with the real worker and fetch, and the browser tests and the benchmark get their
 * hooks (window.__playground). The panels take the session's commands from SessionContext.
 */
import { pageAddress } from '../session/browser';
import { readAddress, syncAddress } from '../session/link';
import { createSession, type Session } from '../session/session';
import { usePlayground } from '../state/store';

/** The page's session, for the shell's own controls. */
let page: Session | null = null;

/** Starts the page's session. Returns it and a function that stops everything. */
export function startPage(): { session: Session; stop(): void } {
  const store = usePlayground;
  const { backend, engine } = readAddress(store, window.location.search);
  const session = createSession({ store, backend, engine });
  session.start();
  const stopAddress = syncAddress(store, pageAddress);
  (window as unknown as Record<string, unknown>).__playground = session.hooks();
  page = session;
  return {
    session,
    stop() {
      stopAddress();
      session.dispose();
      if (page === session) page = null;
    },
  };
}

/** "Copy link to this view" (Controls): the page session's copyLink. */
export const copyShareLink = (): Promise<string> => page?.copyLink() ?? Promise.resolve('');

/**
 * Wires the page's engine session (src/session/) into the page: the settings come from the address and go back
 * to it, the session starts with the real worker and fetch, and the browser tests and the benchmark get their
 * hooks (window.__playground). The panels take the session's commands from SessionContext.
 */
import { pageAddress } from '../session/browser';
import { readAddress, syncAddress } from '../session/link';
import { createSession, type Session } from '../session/session';
import { openScene, sceneSettings } from '../panels/lessons/scenes';
import { playgroundView, usePlayground } from '../state/store';

/** Starts the page's session. Returns it and a function that stops everything. */
export function startPage(): { session: Session; stop(): void } {
  const store = usePlayground;
  const { backend, engine } = readAddress(store, window.location.search);
  // A link into the Learn mode (?learn=n) reopens scene n with its state.
  if (store.getState().settings.learn > 0) openScene(store.getState(), store.getState().settings.learn);
  const session = createSession({ store, backend, engine, view: playgroundView });
  session.start();
  const stopAddress = syncAddress(store, pageAddress, sceneSettings);
  // The tests' and the benchmark's hooks; none in the production bundle (see Session.hooks).
  if (import.meta.env.MODE !== 'production') (window as unknown as Record<string, unknown>).__playground = session.hooks();
  return {
    session,
    stop() {
      stopAddress();
      session.dispose();
    },
  };
}

/**
 * The page's React tree, rendered into #root. Its own chunk: main.tsx starts the session (and with it the engine
 * worker's download) before this code is even fetched, and the first render is a transition, which React renders
 * in slices of a few milliseconds, so start-up holds the main thread in short tasks only (issue 17, target 4).
 */
import { startTransition, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './App';
import { SessionContext } from '../session/context';
import type { Session } from '../session/session';

export function renderApp(container: HTMLElement, session: Session): void {
  const root = createRoot(container);
  startTransition(() => {
    root.render(
      <StrictMode>
        <SessionContext value={session}>
          <App />
        </SessionContext>
      </StrictMode>,
    );
  });
}

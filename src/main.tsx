import { registerOffline } from './app/offline';
import { nextTask } from './app/tasks';
import './app/styles.css';
import './app/responsive.css';

// Start-up in short tasks (issue 17, target 4: no long task over 50 ms during load). This entry is small; the
// store with the catalogs, then the session's code (src/app/controller.ts and what it imports) are chunks
// evaluated in tasks of their own; the session, started in the next, starts the engine worker (it loads TF.js on its own thread) and
// the shipped checkpoints' downloads; then the React tree (src/app/root.tsx, its own chunk, fetched only now so
// the worker's download goes first; React's DOM renderer is a chunk evaluated before it), whose first render is a
// transition that React renders in slices of a few milliseconds.
void (async () => {
  // The store and the catalogs first, then the session's own code: two evaluations, two tasks (both chunks are
  // preloaded by index.html, so the second waits for no download).
  await import('./state/store');
  await nextTask();
  const { startPage } = await import('./app/controller');
  await nextTask();
  const { session } = startPage();
  await nextTask();
  registerOffline();
  // React's DOM renderer is evaluated on its own first, then the app's tree (the root chunk), each in its task.
  await import('react-dom/client');
  await nextTask();
  const { renderApp } = await import('./app/root');
  await nextTask();
  renderApp(document.getElementById('root')!, session);
})();

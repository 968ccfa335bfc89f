import { lazy, startTransition, Suspense, useCallback, useEffect, useState } from 'react';
import { PROBLEM_IDS } from '../meta/contracts/config';
import { PROBLEM_INFO } from '../meta/contracts/problems';
import { LearnButton } from '../panels/lessons/LearnButton';
import { sceneAt } from '../panels/lessons/scenes';
import { Notices } from '../panels/Notices';
import { TrainingPanel } from '../panels/TrainingPanel';
import { usePlayground } from '../state/store';
import { Controls } from './Controls';
import { MAIN_PANELS, METRICS_PANELS } from './problemViews';
import { useShortcuts, ViewButtons } from './presenter';
import './lessons.css';

/** The Learn mode's panel, with KaTeX: loaded when a scene is first shown (its own chunk, precached for offline use). */
const LessonPanel = lazy(() => import('../panels/lessons/LessonPanel').then((m) => ({ default: m.LessonPanel })));
/** Below the first screen, or shown on demand: their own chunks, so start-up parses and renders less (issue 17). */
const ReproductionPanel = lazy(() => import('../panels/ReproductionPanel').then((m) => ({ default: m.ReproductionPanel })));
const loadOverlay = () => import('./ShortcutsOverlay');
const ShortcutsOverlay = lazy(() => loadOverlay().then((m) => ({ default: m.ShortcutsOverlay })));

/** Runs fn when the browser is idle (or after a second where it cannot say); returns the cancel. */
function whenIdle(fn: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(fn, { timeout: 3000 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(fn, 1000);
  return () => clearTimeout(id);
}

/**
 * False until the page's start-up is over (the averaged curves are in, the engine failed, or 4 s passed), then
 * true for good: what is below the first screen mounts after that, so its render and its updates (the shipped
 * checkpoints' numbers arriving) do not hold the main thread while the first curves are computed and drawn.
 */
function useStarted(): boolean {
  const over = usePlayground((s) => s.results.evaluationFor !== null || s.status.worker === 'failed');
  const [started, setStarted] = useState(false);
  useEffect(() => {
    if (started) return;
    if (over) return whenIdle(() => setStarted(true));
    const id = setTimeout(() => setStarted(true), 4000);
    return () => clearTimeout(id);
  }, [over, started]);
  return started;
}

/** The parts of the first screen after the header and the controls, in the order they mount (usePaintedFrames). */
const STAGES = { main: 1, metrics: 2, training: 3 } as const;

/**
 * How many frames have been painted since the app mounted, counted up to the last stage: the first screen mounts
 * in parts, one painted frame apart (the header and the controls, then the main panel, then the metrics panel
 * beside or under it, then the training panel, below the first screen at every supported size), so that each
 * part's render, commit, style, layout and paint are tasks of their own under 50 ms instead of one (issue 17,
 * target 4). The first curves wait for the engine worker, usually longer than these few frames (the browser tests
 * reach the training panel through openApp, which waits for its "Running on" line).
 */
function usePaintedFrames(): number {
  const [frames, setFrames] = useState(0);
  useEffect(() => {
    if (frames >= STAGES.training) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = () => {
      clearTimeout(fallback);
      cancelAnimationFrame(frame);
      timer = setTimeout(() => startTransition(() => setFrames((f) => f + 1)), 0);
    };
    // A timeout set from an animation frame callback runs after that frame has been rendered; a page in a
    // background tab gets no frames, so a timer moves on without one.
    const frame = requestAnimationFrame(next);
    const fallback = setTimeout(next, 100);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(fallback);
      clearTimeout(timer);
    };
  }, [frames]);
  return frames;
}

function ProblemTabs() {
  const problem = usePlayground((s) => s.settings.problem);
  const setProblem = usePlayground((s) => s.setProblem);
  return (
    <nav className="problem-tabs" role="tablist" aria-label="Problem">
      {PROBLEM_IDS.map((id) => (
        <button key={id} type="button" role="tab" aria-selected={problem === id} data-testid={`problem-${id}`} onClick={() => setProblem(id)}>
          {PROBLEM_INFO[id].label}
        </button>
      ))}
    </nav>
  );
}

export default function App() {
  const problem = usePlayground((s) => s.settings.problem);
  const { view, lede } = PROBLEM_INFO[problem];
  const Main = MAIN_PANELS[view.main];
  const Metrics = METRICS_PANELS[view.metrics];
  const present = usePlayground((s) => s.settings.present);
  const scene = sceneAt(usePlayground((s) => s.settings.learn));
  const learning = scene !== null ? ` learning${scene.live === 'train' ? ' lesson-trains' : ''}` : '';
  const [help, setHelp] = useState(false);
  // The overlay is loaded when first opened and stays mounted after (its dialog gives focus back on close).
  const [helpLoaded, setHelpLoaded] = useState(false);
  if (help && !helpLoaded) setHelpLoaded(true);
  const toggleHelp = useCallback(() => setHelp((h) => !h), []);
  const closeHelp = useCallback(() => setHelp(false), []);
  useShortcuts(help, toggleHelp);
  const started = useStarted();
  const frames = usePaintedFrames();
  // Fetched once the page is idle, so the ? key opens the list at once.
  useEffect(() => whenIdle(() => void loadOverlay()), []);
  return (
    <div className={`app${present ? ' presenter' : ''}${learning}`} data-testid="app" data-problem={problem}>
      <header className="app-header">
        <h1>MAML Playground</h1>
        <ProblemTabs />
        <ViewButtons onHelp={toggleHelp}>
          <LearnButton />
        </ViewButtons>
        <p className="lede">{lede}</p>
      </header>
      <Notices />
      <Controls />
      <main className="layout">
        {scene && (
          <Suspense fallback={null}>
            <LessonPanel />
          </Suspense>
        )}
        <div className={view.stacked ? 'top-row stacked' : 'top-row'}>
          {/* One boundary: a tab's two panels (each its own chunk but the first tab's) appear together. */}
          <Suspense fallback={null}>
            {frames >= STAGES.main && <Main />}
            {frames >= STAGES.metrics && <Metrics />}
          </Suspense>
        </div>
        {view.training && frames >= STAGES.training && <TrainingPanel />}
        {view.reproduction && started && (
          <Suspense fallback={null}>
            <ReproductionPanel />
          </Suspense>
        )}
      </main>
      {helpLoaded && (
        <Suspense fallback={null}>
          <ShortcutsOverlay open={help} onClose={closeHelp} />
        </Suspense>
      )}
    </div>
  );
}

export { App };

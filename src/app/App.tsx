import { lazy, Suspense, useCallback, useState } from 'react';
import { PROBLEM_IDS } from '../meta/contracts/config';
import { PROBLEM_INFO } from '../meta/contracts/problems';
import { LearnButton } from '../panels/lessons/LearnButton';
import { sceneAt } from '../panels/lessons/scenes';
import { Notices } from '../panels/Notices';
import { ReproductionPanel } from '../panels/ReproductionPanel';
import { TrainingPanel } from '../panels/TrainingPanel';
import { usePlayground } from '../state/store';
import { Controls } from './Controls';
import { MAIN_PANELS, METRICS_PANELS } from './problemViews';
import { useShortcuts, ViewButtons } from './presenter';
import { ShortcutsOverlay } from './ShortcutsOverlay';
import './lessons.css';

/** The Learn mode's panel, with KaTeX: loaded when a scene is first shown (its own chunk, precached for offline use). */
const LessonPanel = lazy(() => import('../panels/lessons/LessonPanel').then((m) => ({ default: m.LessonPanel })));

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
  const toggleHelp = useCallback(() => setHelp((h) => !h), []);
  const closeHelp = useCallback(() => setHelp(false), []);
  useShortcuts(help, toggleHelp);
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
          <Main />
          <Metrics />
        </div>
        {view.training && <TrainingPanel />}
        {view.reproduction && <ReproductionPanel />}
      </main>
      <ShortcutsOverlay open={help} onClose={closeHelp} />
    </div>
  );
}

export { App };

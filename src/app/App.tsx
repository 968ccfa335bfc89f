import { ClassMetricsPanel } from '../panels/ClassMetricsPanel';
import { GlyphPanel } from '../panels/GlyphPanel';
import { LossPanel } from '../panels/LossPanel';
import { Notices } from '../panels/Notices';
import { PlanePanel } from '../panels/PlanePanel';
import { TaskPanel } from '../panels/TaskPanel';
import { ReproductionPanel } from '../panels/ReproductionPanel';
import { TrainingPanel } from '../panels/TrainingPanel';
import type { ProblemKind } from '../meta/contracts/config';
import { usePlayground } from '../state/store';
import { Controls } from './Controls';

const PROBLEMS: { id: ProblemKind; label: string; lede: string }[] = [
  {
    id: 'sinusoid',
    label: 'Sinusoid regression',
    lede: 'Click the plot to add points of a new task, drag them to move, shift-click (or right-click) to delete. MAML learned an initialisation that fits your points after one gradient step; the network pretrained on all tasks cannot.',
  },
  {
    id: 'plane',
    label: '2-D classification',
    lede: 'Pick a class and click the square to place labelled points of a new task; drag to move, shift-click to delete. See how each network’s decision regions change with every gradient step on your points.',
  },
  {
    id: 'glyphs',
    label: 'Glyphs (Omniglot-style)',
    lede: 'Draw a few new characters (or fill them from the generator) and then drawings to classify. MAML tells characters it has never seen apart after one step on one example each; the pretrained network is at chance.',
  },
];

function ProblemTabs() {
  const problem = usePlayground((s) => s.settings.problem);
  const setProblem = usePlayground((s) => s.setProblem);
  return (
    <nav className="problem-tabs" role="tablist" aria-label="Problem">
      {PROBLEMS.map((p) => (
        <button key={p.id} type="button" role="tab" aria-selected={problem === p.id} data-testid={`problem-${p.id}`} onClick={() => setProblem(p.id)}>
          {p.label}
        </button>
      ))}
    </nav>
  );
}

export default function App() {
  const problem = usePlayground((s) => s.settings.problem);
  return (
    <div className="app">
      <header className="app-header">
        <h1>MAML Playground</h1>
        <ProblemTabs />
        <p className="lede">{PROBLEMS.find((p) => p.id === problem)!.lede}</p>
      </header>
      <Notices />
      <Controls />
      <main className="layout">
        {problem === 'sinusoid' ? (
          <div className="top-row">
            <TaskPanel />
            <LossPanel />
          </div>
        ) : (
          <div className="top-row">
            {problem === 'plane' ? <PlanePanel /> : <GlyphPanel />}
            <ClassMetricsPanel />
          </div>
        )}
        <TrainingPanel />
        {problem === 'sinusoid' && <ReproductionPanel />}
      </main>
    </div>
  );
}

export { App };

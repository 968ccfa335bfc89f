import { LossPanel } from '../panels/LossPanel';
import { Notices } from '../panels/Notices';
import { TaskPanel } from '../panels/TaskPanel';
import { ReproductionPanel } from '../panels/ReproductionPanel';
import { TrainingPanel } from '../panels/TrainingPanel';
import { Controls } from './Controls';

export default function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>MAML Playground</h1>
        <p className="lede">
          Click the plot to add points of a new task, drag them to move, shift-click (or right-click) to delete. MAML
          learned an initialisation that fits your points after one gradient step; the network pretrained on all
          tasks cannot.
        </p>
      </header>
      <Notices />
      <Controls />
      <main className="layout">
        <div className="top-row">
          <TaskPanel />
          <LossPanel />
        </div>
        <TrainingPanel />
        <ReproductionPanel />
      </main>
    </div>
  );
}

export { App };

/**
 * The Learn mode (issue 15): the scene shown (settings.learn), its text, its equation (KaTeX, bundled, so it renders
 * offline), its source, and its live readout: numbers computed from the store's results, the worker's
 * meta-iteration breakdown, or the shipped evaluation, never typed into the text. Previous / next (and the arrow
 * keys, src/app/shortcuts.ts), "Reset scene" (the scene's state again), and a way out.
 */
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { memo, useEffect, useMemo } from 'react';
import type { AlgorithmId } from '../../meta/contracts/algorithms';
import { LECTURE_PROMISE } from '../../meta/contracts/config';
import { PAPER_CITATION, PAPER_TABLE } from '../../meta/contracts/paper';
import { Rng } from '../../meta/contracts/random';
import { emptyHalf, mseOnRange, sampleTask, sinusoid, xGrid } from '../../meta/contracts/tasks/sinusoid';
import { useSession } from '../../session/context';
import { K_CHOICES, LEARN_SCENES } from '../../state/schema';
import { useDeferredAdaptation, usePlayground } from '../../state/store';
import { formatValue } from '../format';
import { MethodName } from '../MethodName';
import { ScrollRegion } from '../ScrollRegion';
import { useUpdateComputation } from '../UpdatePanel';
import { STAGES, useMetaStep } from './metaStep';
import { openScene, sceneAt, type SceneLive } from './scenes';

/** A number as shown, with its full value in data-value for the tests. */
function Num({ v, testId, digits = 3 }: { v: number | null | undefined; testId?: string; digits?: number }) {
  return (
    <b className="mono" data-testid={testId} data-value={v === null || v === undefined ? '' : String(v)}>
      {formatValue(v, digits)}
    </b>
  );
}

/** KaTeX to HTML (and MathML for screen readers), once per source. */
export const Equation = memo(function Equation({ tex }: { tex: string }) {
  const html = useMemo(() => katex.renderToString(tex, { displayMode: true, throwOnError: false, output: 'htmlAndMathml' }), [tex]);
  return (
    <ScrollRegion label="Equation" className="lesson-equation" testId="lesson-equation">
      <div dangerouslySetInnerHTML={{ __html: html }} />
    </ScrollRegion>
  );
});

// ---- the live readouts ----

/** Colours of a few tasks side by side (Okabe-Ito). */
const TASK_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];

/** A few sine tasks in one small plot, each in its colour, with its points where given. */
function TasksPlot({ tasks, label }: { tasks: { amplitude: number; phase: number; support?: { x: number; y: number }[] }[]; label: string }) {
  const xs = xGrid(61);
  const yMax = Math.max(...tasks.map((t) => t.amplitude));
  const W = 300;
  const H = 80;
  const px = (x: number) => ((x - xs[0]) / (xs[xs.length - 1] - xs[0])) * W;
  const py = (y: number) => H / 2 - (y / yMax) * (H / 2 - 4);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="lesson-family-plot" role="img" aria-label={label}>
      {tasks.map((t, i) => (
        <g key={i}>
          <polyline fill="none" stroke={TASK_COLORS[i % TASK_COLORS.length]} strokeWidth={2} points={xs.map((x) => `${px(x).toFixed(1)},${py(sinusoid(t, x)).toFixed(1)}`).join(' ')} />
          {t.support?.map((p, k) => <circle key={k} cx={px(p.x)} cy={py(p.y)} r={2.5} fill={TASK_COLORS[i % TASK_COLORS.length]} />)}
        </g>
      ))}
    </svg>
  );
}

const Swatch = ({ i }: { i: number }) => <span className="lesson-dot" style={{ background: TASK_COLORS[i % TASK_COLORS.length] }} aria-hidden="true" />;

/** Scene 1: a few tasks of the family, drawn here, and their A and phi. */
function Family() {
  const tasks = useMemo(() => {
    const rng = new Rng(2024);
    return Array.from({ length: 4 }, () => sampleTask(rng));
  }, []);
  return (
    <div className="lesson-family" data-testid="lesson-family">
      <TasksPlot tasks={tasks} label="Four sine tasks drawn from the family" />
      <ul className="lesson-list">
        {tasks.map((t, i) => (
          <li key={i}>
            <Swatch i={i} /> A = <Num v={t.amplitude} digits={2} />, φ = <Num v={t.phase} digits={2} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The MSE against the true curve after `step` steps, live from the adaptation results. */
function useTaskLoss(id: AlgorithmId, step: number): number | null {
  return usePlayground((s) => s.results.adaptation[id]?.taskLoss?.[step] ?? null);
}

/** The shipped evaluation's mean MSE of a method at K after `step` steps, or null until the checkpoints load. */
function useShipped(id: AlgorithmId, kShot: number, step: number | 'last'): number | null {
  return usePlayground((s) => {
    const c = s.reproduction.shipped[id]?.find((e) => e.kShot === kShot);
    if (!c) return null;
    return c.mean[step === 'last' ? c.mean.length - 1 : step] ?? null;
  });
}

/** Scene 2: pretrained against MAML after one step on these points. */
function OneStep() {
  const k = usePlayground((s) => s.settings.points.length);
  const pre = useTaskLoss('pretrained', 1);
  const maml = useTaskLoss('maml', 1);
  return (
    <p className="lesson-live" data-testid="lesson-live">
      After one step on these <Num v={k} digits={0} /> points, MSE against the true curve: <MethodName id="pretrained" /> <Num v={pre} testId="lesson-mse-pretrained" />, <MethodName id="maml" />{' '}
      <Num v={maml} testId="lesson-mse-maml" />.
    </p>
  );
}

/** The paper's row for MAML (its K and its MSE after 1, 5, 10 steps). */
const PAPER_MAML = PAPER_TABLE.find((r) => r.method === 'maml')!;

/** Scene 3: MAML before and after its step here, and over the paper's test tasks. */
function MamlStep() {
  const before = useTaskLoss('maml', 0);
  const after = useTaskLoss('maml', 1);
  const shipped = useShipped('maml', PAPER_MAML.kShot, 1);
  return (
    <p className="lesson-live" data-testid="lesson-live">
      This task: MSE <Num v={before} testId="lesson-mse-before" /> before the step, <Num v={after} testId="lesson-mse-after" /> after it. Shipped evaluation (K ={' '}
      <Num v={PAPER_MAML.kShot} digits={0} />, one step, mean over the test tasks): <Num v={shipped} testId="lesson-shipped-maml" />; the paper reports{' '}
      <Num v={PAPER_MAML.mse[0]} digits={2} /> ({PAPER_CITATION}).
    </p>
  );
}

/** Loads the breakdown once the MAML model is there (and again when it changes). */
function useBreakdown() {
  const session = useSession();
  const source = usePlayground((s) => s.status.sources.maml ?? null);
  const m = useMetaStep();
  useEffect(() => {
    if (source === null) return;
    void useMetaStep.getState().load(session, useMetaStep.getState().seed);
  }, [session, source]);
  return { ...m, session };
}

const short = (v: number) => formatValue(v, 4);

/** Scene 4: one meta-iteration of the engine, stage by stage. */
function SlowMotion() {
  const { result: r, stage, loading, error, next, restart, load, seed, session } = useBreakdown();
  return (
    <div className="lesson-live slow-motion" data-testid="lesson-live" data-stage={stage} data-ready={r && !loading ? 'true' : 'false'}>
      <div className="lesson-buttons">
        <button type="button" data-testid="stage-next" onClick={next} disabled={!r || loading || stage >= STAGES.length - 1}>
          Next stage
        </button>
        <button type="button" onClick={restart} disabled={!r || stage === 0}>
          First stage
        </button>
        <button type="button" data-testid="stage-batch" onClick={() => void load(session, seed + 1)} disabled={loading}>
          Another batch
        </button>
        <span className="muted" aria-live="polite">
          Stage {stage + 1} of {STAGES.length}: {STAGES[stage]}
        </span>
      </div>
      {error && <p className="error-text">{error}</p>}
      {!r && !error && <p className="muted">Waiting for the engine and the shipped MAML model…</p>}
      {r && (
        <>
          <p>
            Meta-batch of <Num v={r.tasks.length} digits={0} /> tasks (seed <Num v={r.seed} digits={0} />), K = <Num v={r.kSupport} digits={0} /> support and{' '}
            <Num v={r.kQuery} digits={0} /> query points each, α = <Num v={r.alpha} digits={4} />
          </p>
          <TasksPlot tasks={r.tasks} label="The meta-batch's tasks, each with its support points" />
          <ScrollRegion label="The meta-batch's tasks" testId="stage-tasks">
            <table className="lesson-table">
              <thead>
                <tr>
                  <th scope="col">task</th>
                  <th scope="col">A</th>
                  <th scope="col">φ</th>
                  {stage >= 1 && <th scope="col">support loss at θ → θ′</th>}
                  {stage >= 2 && <th scope="col">query loss at θ′</th>}
                </tr>
              </thead>
              <tbody>
                {r.tasks.map((t, i) => (
                  <tr key={i}>
                    <th scope="row">
                      <Swatch i={i} /> {i + 1}
                    </th>
                    <td className="mono">{t.amplitude.toFixed(2)}</td>
                    <td className="mono">{t.phase.toFixed(2)}</td>
                    {stage >= 1 && (
                      <td className="mono" data-testid={`stage-inner-${i}`}>
                        {t.supportLoss.map(short).join(' → ')}
                      </td>
                    )}
                    {stage >= 2 && (
                      <td className="mono" data-testid={`stage-query-${i}`} data-value={t.queryLoss}>
                        {short(t.queryLoss)}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
          {stage >= 2 && (
            <p>
              Meta-loss (mean query loss): <Num v={r.metaLoss} testId="stage-meta-loss" digits={4} />
            </p>
          )}
          {stage >= 3 && (
            <p data-testid="stage-gradient">
              Meta-gradient: norm <Num v={r.exactNorm} testId="stage-grad-norm" digits={4} />; with respect to the first layer's first weights:{' '}
              {r.shown.map((idx, k) => (
                <span key={idx}>
                  <Num v={r.exactGrad[idx]} testId={`stage-grad-${k}`} digits={4} />
                  {k < r.shown.length - 1 ? ', ' : ''}
                </span>
              ))}
              .
            </p>
          )}
          {stage >= 4 && (
            <p data-testid="stage-update">
              θ ← θ − β g with β = <Num v={r.metaLr} digits={4} /> (training itself runs Adam on g): those weights go from {r.thetaBefore.map(short).join(', ')} to{' '}
              {r.thetaAfter.map(short).join(', ')}; the meta-loss on this batch from <Num v={r.metaLoss} digits={5} /> to <Num v={r.metaLossAfter} testId="stage-meta-loss-after" digits={5} />.
            </p>
          )}
        </>
      )}
    </div>
  );
}

/** Scene 5: exact against first-order meta-gradient on scene 4's batch. */
function FirstOrder() {
  const { result: r, error } = useBreakdown();
  return (
    <div className="lesson-live" data-testid="lesson-live">
      {error && <p className="error-text">{error}</p>}
      {r ? (
        <p>
          On scene 4's meta-batch (seed <Num v={r.seed} digits={0} />): cosine between the exact and the first-order meta-gradient{' '}
          <Num v={r.cosine} testId="lesson-cosine" digits={4} />, length ratio (first order / exact) <Num v={r.normRatio} testId="lesson-norm-ratio" digits={4} />; norms{' '}
          <Num v={r.exactNorm} digits={4} /> and <Num v={r.firstOrderNorm} digits={4} />.
        </p>
      ) : (
        !error && <p className="muted">Waiting for the engine and the shipped MAML model…</p>
      )}
    </div>
  );
}

/** Scene 6: each method's MSE on the half with no points, against the true curve, at the step shown. */
function EmptyHalfLive() {
  const task = usePlayground((s) => s.settings.task);
  const points = usePlayground((s) => s.settings.points);
  const step = usePlayground((s) => s.settings.selectedStep);
  const methods = usePlayground((s) => s.settings.methods);
  const grid = usePlayground((s) => s.results.grid);
  const adaptation = useDeferredAdaptation();
  const half = emptyHalf(points);
  if (!task || !half) return <p className="lesson-live muted">Put every point on one half (key L) to see the error on the other.</p>;
  return (
    <p className="lesson-live" data-testid="lesson-live">
      MSE on the empty half (x from <Num v={half[0]} digits={0} /> to <Num v={half[1]} digits={0} />) after <Num v={step} digits={0} /> steps:{' '}
      {methods.map((id, i) => {
        const preds = adaptation[id]?.predictions;
        const v = preds ? mseOnRange(task, grid, preds[Math.min(step, preds.length - 1)], half) : null;
        return (
          <span key={id}>
            <MethodName id={id} /> <Num v={v} testId={`lesson-half-${id}`} />
            {i < methods.length - 1 ? ', ' : '.'}
          </span>
        );
      })}
    </p>
  );
}

/** Scene 7: the shipped evaluation at every K. */
function Shots() {
  const rows = K_CHOICES.map((k) => ({ k }));
  return (
    <ScrollRegion label="Shipped evaluation by K" testId="lesson-live">
      <table className="lesson-table">
        <caption>Shipped evaluation, MSE over the test tasks</caption>
        <thead>
          <tr>
            <th scope="col">K</th>
            <th scope="col">
              <MethodName id="maml" />, one step
            </th>
            <th scope="col">
              <MethodName id="pretrained" />, all steps
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ k }) => (
            <ShotRow key={k} k={k} />
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

function ShotRow({ k }: { k: number }) {
  const maml = useShipped('maml', k, 1);
  const pre = useShipped('pretrained', k, 'last');
  return (
    <tr>
      <th scope="row">{k}</th>
      <td>
        <Num v={maml} testId={`lesson-shots-maml-${k}`} />
      </td>
      <td>
        <Num v={pre} testId={`lesson-shots-pretrained-${k}`} />
      </td>
    </tr>
  );
}

/** Scene 8: each method here (MSE at the step shown) and in the shipped evaluation (5-shot, one step). */
function FamilyCompare() {
  const methods = usePlayground((s) => s.settings.methods);
  const step = usePlayground((s) => s.settings.selectedStep);
  return (
    <ScrollRegion label="The family compared" testId="lesson-live">
      <table className="lesson-table">
        <thead>
          <tr>
            <th scope="col">method</th>
            <th scope="col">
              this task, after <Num v={step} digits={0} /> steps
            </th>
            <th scope="col">
              shipped, K = <Num v={PAPER_MAML.kShot} digits={0} />, one step
            </th>
          </tr>
        </thead>
        <tbody>
          {methods.map((id) => (
            <FamilyRow key={id} id={id} step={step} />
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

function FamilyRow({ id, step }: { id: AlgorithmId; step: number }) {
  const here = useTaskLoss(id, step);
  const shipped = useShipped(id, PAPER_MAML.kShot, 1);
  return (
    <tr>
      <th scope="row">
        <MethodName id={id} />
      </th>
      <td>
        <Num v={here} testId={`lesson-family-${id}`} />
      </td>
      <td>
        <Num v={shipped} />
      </td>
    </tr>
  );
}

/** Scene 9: accuracy on the plane's held-out points after the step shown. */
function PlaneLive() {
  const step = usePlayground((s) => s.settings.selectedStep);
  const methods = usePlayground((s) => s.settings.methods);
  const results = usePlayground((s) => s.results.classification?.results ?? null);
  return (
    <p className="lesson-live" data-testid="lesson-live">
      Accuracy on points of this task you did not place, after <Num v={step} digits={0} /> steps:{' '}
      {methods.map((id, i) => (
        <span key={id}>
          <MethodName id={id} /> <Num v={results?.[id]?.queryAccuracy?.[step] ?? null} testId={`lesson-acc-${id}`} />
          {i < methods.length - 1 ? ', ' : '.'}
        </span>
      ))}
    </p>
  );
}

/** Scene 10: the training run, live, with its Start / Pause. */
function TrainLive() {
  const { startTraining, pauseTraining, resumeTraining } = useSession();
  const state = usePlayground((s) => s.status.trainState);
  const starting = usePlayground((s) => s.status.trainStarting);
  const progress = usePlayground((s) => s.status.progress);
  const algorithm = usePlayground((s) => s.settings.train.algorithm);
  const label = state === 'running' ? 'Pause' : state === 'paused' ? 'Resume' : 'Start training';
  const act = state === 'running' ? pauseTraining : state === 'paused' ? resumeTraining : startTraining;
  return (
    <div className="lesson-live" data-testid="lesson-live">
      <div className="lesson-buttons">
        <button type="button" data-testid="lesson-train" onClick={act} disabled={starting}>
          {label}
        </button>
        <span className="muted">
          Lecture preset for <MethodName id={algorithm} />: the paper's one-step error in {LECTURE_PROMISE} (measured by npm run bench).
        </span>
      </div>
      {progress && (
        <p>
          Iteration <Num v={progress.iteration} digits={0} /> of <Num v={progress.iterations} digits={0} />, meta-loss <Num v={progress.metaLoss} testId="lesson-meta-loss" />.
        </p>
      )}
    </div>
  );
}

/** Inside the update: how far exact MAML's vector is from first-order MAML's on the tasks shown, from the same computation the panel draws. */
function UpdateLive() {
  const { rules } = useUpdateComputation();
  const [m1, m2] = rules.mean.maml;
  const [f1, f2] = rules.mean.fomaml;
  const nm = Math.hypot(m1, m2);
  const nf = Math.hypot(f1, f2);
  const cosine = nm > 0 && nf > 0 ? (m1 * f1 + m2 * f2) / (nm * nf) : null;
  return (
    <p className="lesson-live" data-testid="lesson-live">
      Mean update vectors over these tasks: exact <MethodName id="maml" /> length <Num v={nm} testId="lesson-update-maml" />, <MethodName id="fomaml" /> length{' '}
      <Num v={nf} testId="lesson-update-fomaml" />, cosine between them <Num v={cosine} testId="lesson-update-cosine" />, distance between their tips{' '}
      <Num v={Math.hypot(m1 - f1, m2 - f2)} testId="lesson-update-diff" />.
    </p>
  );
}

const LIVE: Record<SceneLive, () => React.JSX.Element> = {
  update: UpdateLive,
  family: Family,
  oneStep: OneStep,
  mamlStep: MamlStep,
  slowMotion: SlowMotion,
  firstOrder: FirstOrder,
  emptyHalf: EmptyHalfLive,
  shots: Shots,
  'family-compare': FamilyCompare,
  plane: PlaneLive,
  train: TrainLive,
};

/** Previous, next, reset, leave: the scene bar. */
function SceneNav({ n }: { n: number }) {
  const st = () => usePlayground.getState();
  return (
    <nav className="lesson-nav" aria-label="Lesson scenes">
      <button type="button" data-testid="scene-prev" onClick={() => openScene(st(), n - 1)} disabled={n <= 1} aria-label="Previous scene">
        ←
      </button>
      <span className="lesson-count" data-testid="scene-count">
        {n} / {LEARN_SCENES}
      </span>
      <button type="button" data-testid="scene-next" onClick={() => openScene(st(), n + 1)} disabled={n >= LEARN_SCENES} aria-label="Next scene">
        →
      </button>
      <button
        type="button"
        data-testid="scene-reset"
        onClick={() => {
          openScene(st(), n);
          useMetaStep.getState().restart();
        }}
        title="Put this scene's points, methods and steps back"
      >
        Reset scene
      </button>
      <button type="button" data-testid="learn-close" onClick={() => openScene(st(), 0)}>
        Leave lesson
      </button>
    </nav>
  );
}

export function LessonPanel() {
  const n = usePlayground((s) => s.settings.learn);
  const scene = sceneAt(n);
  if (!scene) return null;
  const Live = LIVE[scene.live];
  return (
    <section className="panel lesson-panel" data-testid="lesson" data-scene={n} data-scene-id={scene.id} aria-labelledby="lesson-title" tabIndex={0}>
      <SceneNav n={n} />
      <h2 id="lesson-title">
        {n}. {scene.title}
      </h2>
      {scene.text.map((p, i) => (
        <p key={i} className="lesson-text">
          {p}
        </p>
      ))}
      <Equation tex={scene.tex} />
      <Live />
      <p className="lesson-source muted">Source: {scene.source}</p>
    </section>
  );
}

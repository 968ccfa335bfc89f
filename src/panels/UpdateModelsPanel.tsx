/**
 * "Inside the update", second panel: shallow versus deep linear versus KFO (Arnold, Iqbal and Sha, AISTATS 2021).
 * The shipped checkpoints (public/checkpoints/update/, validated on load) are evaluated here, on the page, on the
 * 600 test tasks (milliseconds); each model's effective-weight trajectory on the tasks of the plane above; the
 * loss after one inner step against meta-training iterations (the shipped run's validation curve, and a live run
 * on the family as set above, trained in chunks between frames); the learned effective preconditioners drawn as
 * ellipses. Every number is computed, none typed.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { parseUpdateCheckpoint, UPDATE_MODEL_KINDS, type UpdateCheckpoint, type UpdateModelId } from '../meta/contracts/update-checkpoint';
import { Rng } from '../meta/contracts/random';
import { drawLogisticTasks, LOGISTIC_PROTOCOL as L, populationQuad, UPDATE_PROTOCOL as P } from '../meta/contracts/tasks/update';
import { adapt, effectivePreconditioner, lossValue, UPDATE_MODELS } from '../meta/fast/update/linear';
import { compareModels, evaluateLosses, summarise, testTasks, UpdateTrainer, type UpdateRow } from '../meta/fast/update/train';
import { usePlayground } from '../state/store';
import { familyOf, UPDATE_RANGE } from '../state/update';
import { PlotFrame } from './PlotFrame';
import { dataMap, frameAround } from './plotGeometry';
import { ScrollRegion } from './ScrollRegion';
import { boundaryInBox, insideBox, matrixEllipse } from './updateGeometry';

const MODEL_COLORS: Record<UpdateModelId, string> = { shallow: '#666666', deep: '#AA4499', kfo: '#886600' };
const MODEL_NAMES: Record<UpdateModelId, string> = { shallow: 'shallow w', deep: 'deep W₃W₂W₁', kfo: 'shallow + KFO' };
const PLANE = dataMap(frameAround(300, 300, { top: 10, right: 10, bottom: 40, left: 48 }), [-UPDATE_RANGE, UPDATE_RANGE], [-UPDATE_RANGE, UPDATE_RANGE]);
const CURVE = frameAround(300, 200, { top: 10, right: 10, bottom: 40, left: 52 });
const fmt = (v: number) => (!Number.isFinite(v) ? 'not finite' : Math.abs(v) >= 1000 ? v.toExponential(1) : v.toFixed(3));
/** A table cell: mean ± 95% CI (the mean alone when it is not finite or huge), the median, and the share that blew up where any did. */
const cell = (s: { mean: number; ci95: number; median: number; blowUp: number }) =>
  `${Number.isFinite(s.mean) && Math.abs(s.mean) < 1000 ? `${fmt(s.mean)} ± ${fmt(s.ci95)}` : fmt(s.mean)} (${fmt(s.median)})` +
  (s.blowUp > 0 ? `, blew up on ${(100 * s.blowUp).toFixed(1)}%` : '');
/** A factor or a percentage in words: three significant digits, no trailing zeros. */
const short = (v: number) => String(Number(v.toPrecision(3)));

type Models = Record<UpdateModelId, UpdateCheckpoint>;
type Loaded = { kind: 'loading' } | { kind: 'error'; text: string } | { kind: 'ready'; ckpts: Models; logistic: Models };

const byModel = (list: UpdateCheckpoint[]) => Object.fromEntries(list.map((c) => [c.model, c])) as Models;

function useShippedModels(): Loaded {
  const [state, setState] = useState<Loaded>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    const load = (names: string[]) =>
      Promise.all(
        names.map(async (name) => {
          const r = await fetch(`checkpoints/update/${name}.json`);
          if (!r.ok) throw new Error(`checkpoints/update/${name}.json: HTTP ${r.status}`);
          return parseUpdateCheckpoint(await r.text());
        }),
      );
    Promise.all([load([...UPDATE_MODEL_KINDS]), load(UPDATE_MODEL_KINDS.map((k) => `logistic-${k}`))])
      .then(([reg, log]) => live && setState({ kind: 'ready', ckpts: byModel(reg), logistic: byModel(log) }))
      .catch((e: Error) => live && setState({ kind: 'error', text: e.message }));
    return () => {
      live = false;
    };
  }, []);
  return state;
}

type LiveCurves = Record<UpdateModelId, { iteration: number; loss: number }[]>;
const LIVE_ITERATIONS = 3000;
// 25 iterations of each model per frame: 3.4 + 5.2 + 3.3 ms in Node on this loaded 2-core machine, so the page keeps drawing.
const LIVE_CHUNK = 25;

/** Meta-trains the three models on the current family, a chunk per frame, scoring one-step loss on 300 validation tasks. */
function useLiveRun() {
  const u = usePlayground((s) => s.settings.update);
  const [running, setRunning] = useState(false);
  const [curves, setCurves] = useState<LiveCurves | null>(null);
  const familyRef = useRef(familyOf(u));
  familyRef.current = familyOf(u);
  useEffect(() => {
    if (!running) return;
    const family = familyRef.current;
    const settings = { alpha: P.alpha, innerSteps: P.innerSteps, kSupport: P.kSupport, kQuery: P.kQuery, metaBatch: P.metaBatch, metaLr: P.metaLr };
    const trainers = UPDATE_MODEL_KINDS.map((k) => new UpdateTrainer(UPDATE_MODELS[k], family, settings, 1));
    const val = testTasks(family, 300, P.kSupport, P.validationSeed);
    const score = (t: UpdateTrainer) => summarise(evaluateLosses(t.model, t.meta, val, P.alpha, 1))[1].mean;
    const acc = Object.fromEntries(UPDATE_MODEL_KINDS.map((k, i) => [k, [{ iteration: 0, loss: score(trainers[i]) }]])) as LiveCurves;
    setCurves({ ...acc });
    let frame = 0;
    const tick = () => {
      trainers.forEach((t, i) => {
        t.run(LIVE_CHUNK);
        acc[UPDATE_MODEL_KINDS[i]] = [...acc[UPDATE_MODEL_KINDS[i]], { iteration: t.iteration, loss: score(t) }];
      });
      setCurves({ ...acc });
      if (trainers[0].iteration >= LIVE_ITERATIONS) setRunning(false);
      else frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [running]);
  return { running, setRunning, curves };
}

function LossCurves({ ckpts, live }: { ckpts: Record<UpdateModelId, UpdateCheckpoint>; live: LiveCurves | null }) {
  const maxIt = Math.max(...UPDATE_MODEL_KINDS.map((k) => ckpts[k].training.iterations), ...(live ? UPDATE_MODEL_KINDS.map((k) => live[k].at(-1)?.iteration ?? 0) : [0]));
  const all = UPDATE_MODEL_KINDS.flatMap((k) => [...ckpts[k].curve, ...(live?.[k] ?? [])].map((p) => p.loss)).filter((v) => Number.isFinite(v));
  const yMax = Math.min(Math.max(...all, 0.1) * 1.05, 5);
  const m = dataMap(CURVE, [0, maxIt], [0, yMax]);
  const line = (pts: { iteration: number; loss: number }[]) => 'M' + pts.map((p) => `${m.x(p.iteration).toFixed(1)},${m.y(Math.min(p.loss, yMax)).toFixed(1)}`).join('L');
  return (
    <svg className="plot update-curves" viewBox={CURVE.viewBox} role="img" aria-label="Loss after one inner step against meta-training iterations, per model (solid: the shipped run; dashed: the live run)" data-testid="update-curves">
      <PlotFrame frame={CURVE} x={m.x} y={m.y} clipId="update-curves-clip" xAxis={{ ticks: 4 }} yAxis={{ ticks: 4, grid: true }} xLabel="meta-training iterations" yLabel="loss after 1 step" />
      <g clipPath="url(#update-curves-clip)" fill="none" strokeWidth={2}>
        {UPDATE_MODEL_KINDS.map((k) => (
          <path key={k} d={line(ckpts[k].curve)} stroke={MODEL_COLORS[k]} data-model={k} />
        ))}
        {live &&
          UPDATE_MODEL_KINDS.map((k) => live[k].length > 1 && <path key={`live-${k}`} d={line(live[k])} stroke={MODEL_COLORS[k]} strokeDasharray="5 3" data-testid={`update-live-${k}`} />)}
      </g>
    </svg>
  );
}

const LOGR_NAMES: Record<UpdateModelId, string> = { shallow: 'LogR', deep: 'LogR + LinNet', kfo: 'LogR + KFO' };
const INPUT = dataMap(frameAround(320, 200, { top: 10, right: 10, bottom: 40, left: 52 }), [-3, 3], [-0.75, 0.75]);

/**
 * Binary logistic regression (LogR versus LogR + LinNet, and + KFO): the shipped models evaluated here on the 600
 * test tasks (cross-entropy on 200 held-out points each), and one test task's points in the input plane with each
 * model's decision boundary (w . x = 0) after one step on them, beside the true one.
 */
function LogisticSection({ models }: { models: Models }) {
  const [shown, setShown] = useState(0);
  const family = models.shallow.family;
  // The 600 x 200-point evaluation (some 40-150 ms) runs in its own task after the panel has painted.
  const [done, setDone] = useState<{ rows: UpdateRow[]; tasks: ReturnType<typeof drawLogisticTasks>; told: number } | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      const tasks = drawLogisticTasks(new Rng(P.testSeed), family, P.testTasks, L.kSupport, L.testQuery);
      const rows = compareModels(
        UPDATE_MODEL_KINDS.map((k) => ({ name: k, model: UPDATE_MODELS[k], meta: models[k].meta })),
        family,
        { tasks: P.testTasks, seed: P.testSeed, kSupport: L.kSupport, alpha: L.alpha, steps: [1] },
        tasks,
      );
      const told = tasks.reduce((a, t) => a + lossValue(t.query, t.wStar), 0) / tasks.length;
      setDone({ rows, tasks, told });
    }, 0);
    return () => clearTimeout(timer);
  }, [models, family]);
  if (!done) return <p className="muted">Evaluating the logistic-regression models on {P.testTasks} test tasks…</p>;
  const { rows, tasks, told } = done;
  const task = tasks[shown % tasks.length];
  const line = (w: readonly [number, number]) => {
    const seg = boundaryInBox(w, INPUT.xDomain, INPUT.yDomain);
    return seg ? `M${INPUT.x(seg[0][0]).toFixed(1)},${INPUT.y(seg[0][1]).toFixed(1)}L${INPUT.x(seg[1][0]).toFixed(1)},${INPUT.y(seg[1][1]).toFixed(1)}` : '';
  };
  const adapted = UPDATE_MODEL_KINDS.map((k) => ({ k, w: adapt(UPDATE_MODELS[k], models[k].meta, task.support, L.alpha, 1).w[1] }));
  const pts = Array.from({ length: task.support.y.length }, (_, i) => ({ x: task.support.x[2 * i], y: task.support.x[2 * i + 1], label: task.support.y[i] }));
  return (
    <div className="update-logistic" data-testid="update-logistic">
      <h3>Binary logistic regression: LogR versus LogR + LinNet</h3>
      <ScrollRegion label="Test losses of the shipped logistic models">
        <table className="update-models-table" data-testid="update-logistic-table">
          <caption>
            {P.testTasks} test tasks, {L.kSupport}-shot, α = {L.alpha}: cross-entropy on {L.testQuery} held-out points, mean ± 95% CI (median; the share of tasks whose loss passed 100 or overflowed, where any did). Told the task’s w*: {fmt(told)}; chance: {fmt(Math.LN2)}.
          </caption>
          <thead>
            <tr>
              <th scope="col">model</th>
              <th scope="col">before</th>
              <th scope="col">1 step</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.model} data-testid={`update-logistic-row-${r.model}`} data-one-step={r.steps[1].mean} data-one-step-ci={r.steps[1].ci95}>
                <th scope="row" style={{ color: MODEL_COLORS[r.model as UpdateModelId] }}>
                  {LOGR_NAMES[r.model as UpdateModelId]}
                </th>
                {r.steps.map((s) => (
                  <td key={s.step}>
                    {cell(s)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <figure>
        <svg className="plot update-input-plane" viewBox={INPUT.viewBox} role="img" aria-label={`Test task ${(shown % tasks.length) + 1}: its ${pts.length} labelled points and each model's decision boundary after one step, with the true one dashed`} data-testid="update-input-plane">
          <PlotFrame frame={INPUT} x={INPUT.x} y={INPUT.y} clipId="update-input-clip" xAxis={{ ticks: 6 }} yAxis={{ ticks: 4 }} xLabel="x₁" yLabel="x₂" />
          <g clipPath="url(#update-input-clip)">
            {pts.map((p, i) => (
              <circle key={i} cx={INPUT.x(p.x)} cy={INPUT.y(Math.max(-0.75, Math.min(0.75, p.y)))} r={4} fill={p.label ? '#333' : '#fff'} stroke="#333" />
            ))}
            <path d={line(task.wStar)} stroke="#000" strokeDasharray="5 4" strokeWidth={1.5} />
            {adapted.map(({ k, w }) => (
              <path key={k} d={line(w)} stroke={MODEL_COLORS[k]} strokeWidth={2.5} data-model={k} />
            ))}
          </g>
        </svg>
        <figcaption className="small">
          Filled: class 1, hollow: class 0; dashed: the true boundary w* · x = 0; solid: each model’s after one step on these points (x₂ is drawn 4× taller).{' '}
          <button type="button" data-testid="update-logistic-next" onClick={() => setShown((i) => i + 1)}>
            Another test task
          </button>
        </figcaption>
      </figure>
    </div>
  );
}

export function UpdateModelsPanel() {
  const loaded = useShippedModels();
  const live = useLiveRun();
  const u = usePlayground((s) => s.settings.update);
  const steps = usePlayground((s) => s.settings.steps);
  const rows = useMemo<UpdateRow[] | null>(() => {
    if (loaded.kind !== 'ready') return null;
    const c = loaded.ckpts;
    return compareModels(
      UPDATE_MODEL_KINDS.map((k) => ({ name: k, model: UPDATE_MODELS[k], meta: c[k].meta })),
      c.shallow.family,
      { tasks: P.testTasks, seed: P.testSeed, kSupport: P.kSupport, alpha: P.alpha, steps: P.steps },
    );
  }, [loaded]);
  if (loaded.kind !== 'ready' || !rows)
    return (
      <section className="panel update-models-panel" data-testid="update-models-panel" aria-labelledby="update-models-title">
        <h2 id="update-models-title">Shallow, deep and KFO</h2>
        <p className={loaded.kind === 'error' ? 'error' : 'muted'}>{loaded.kind === 'error' ? `The shipped models could not be read: ${loaded.text}` : 'Loading the shipped models…'}</p>
      </section>
    );
  const { ckpts } = loaded;
  const family = familyOf(u);
  const trained = ckpts.shallow.family;
  const shownSteps = Math.min(steps, 5);
  const pre = Object.fromEntries(UPDATE_MODEL_KINDS.map((k) => [k, effectivePreconditioner(UPDATE_MODELS[k], ckpts[k].meta)])) as unknown as Record<UpdateModelId, number[]>;
  const trajectories = UPDATE_MODEL_KINDS.map((k) => ({
    k,
    paths: u.optima.map((o) => insideBox(adapt(UPDATE_MODELS[k], ckpts[k].meta, populationQuad(family, o), P.alpha, shownSteps).w, UPDATE_RANGE)),
  }));
  const plPath = (pts: readonly (readonly number[])[]) => (pts.length ? 'M' + pts.map((p) => `${PLANE.x(p[0]).toFixed(1)},${PLANE.y(p[1]).toFixed(1)}`).join('L') : '');
  const oneStep = Object.fromEntries(rows.map((r) => [r.model, r.steps[1]])) as Record<UpdateModelId, UpdateRow['steps'][number]>;
  const ratio = oneStep.deep.mean / oneStep.shallow.mean;
  // The preconditioners drawn at a common scale: the largest semi-axis fills the box.
  const scale = Math.max(...UPDATE_MODEL_KINDS.map((k) => Math.max(Math.hypot(pre[k][0], pre[k][2]), Math.hypot(pre[k][1], pre[k][3]))));
  return (
    <section className="panel update-models-panel" data-testid="update-models-panel" aria-labelledby="update-models-title">
      <h2 id="update-models-title">Shallow, deep and KFO: why MAML needs depth</h2>
      <p data-testid="update-why">
        On the family these models were trained on, the loss is {short(1 / trained.inputScales[1] ** 2)}× flatter along w₂, where the tasks’ optima spread {short(trained.scales[1])} against{' '}
        {short(trained.scales[0])} along w₁. The shallow model’s one step at the fixed α = {P.alpha} moves w₂ only {short(100 * 2 * P.alpha * trained.inputScales[1] ** 2)}% of the way; the deep model’s upper layers act as a meta-optimizer for the bottom one, a learned preconditioner, and its one-step loss is{' '}
        {short(100 * ratio)}% of the shallow model’s.
      </p>
      <ScrollRegion label="Test losses of the shipped models">
        <table className="update-models-table" data-testid="update-models-table">
          <caption>
            Shipped models (MAML, {P.innerSteps} inner step, trained on the default family) on {P.testTasks} test tasks, {P.kSupport}-shot, α = {P.alpha}: mean ± 95% CI (median; the share of tasks whose loss passed 100 or overflowed, where any did)
          </caption>
          <thead>
            <tr>
              <th scope="col">model</th>
              {rows[0].steps.map((s) => (
                <th key={s.step} scope="col">
                  {s.step === 0 ? 'before' : `${s.step} step${s.step === 1 ? '' : 's'}`}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.model} data-testid={`update-row-${r.model}`} data-one-step={r.steps[1].mean} data-one-step-ci={r.steps[1].ci95}>
                <th scope="row" style={{ color: MODEL_COLORS[r.model as UpdateModelId] }}>
                  {MODEL_NAMES[r.model as UpdateModelId]}
                </th>
                {r.steps.map((s) => (
                  <td key={s.step}>
                    {cell(s)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <p className="muted small">
        All three were trained for one step: the deep model’s inner dynamics are not linear, and stepped again at the same α its layers grow and it diverges (the 5-step column), while KFO’s
        transformed steps keep improving.
      </p>
      <div className="update-models-grid">
        <figure>
          <svg className="plot update-models-plane" viewBox={PLANE.viewBox} role="img" aria-label={`Effective-weight trajectories of the three models over ${shownSteps} steps on the tasks above`} data-testid="update-models-plane">
            <PlotFrame frame={PLANE} x={PLANE.x} y={PLANE.y} clipId="update-models-clip" xAxis={{ ticks: 4, grid: true }} yAxis={{ ticks: 4, grid: true }} xLabel="w₁" yLabel="w₂" />
            <g clipPath="url(#update-models-clip)">
              {u.optima.map((o, i) => (
                <circle key={i} cx={PLANE.x(o[0])} cy={PLANE.y(o[1])} r={4} fill="none" stroke="#000" />
              ))}
              {trajectories.map(({ k, paths }) =>
                paths.map((p, i) => (
                  <g key={`${k}-${i}`} stroke={MODEL_COLORS[k]} fill={MODEL_COLORS[k]} data-model={k}>
                    <path d={plPath(p)} fill="none" strokeWidth={2} />
                    {p.map((q, j) => (
                      <circle key={j} cx={PLANE.x(q[0])} cy={PLANE.y(q[1])} r={j === 0 ? 4 : 2.5} />
                    ))}
                  </g>
                )),
              )}
            </g>
          </svg>
          <figcaption className="small">Each model’s effective w during {shownSteps} inner step{shownSteps === 1 ? '' : 's'} (large dot: its meta-learned start) toward the tasks’ optima (rings).</figcaption>
        </figure>
        <figure>
          <LossCurves ckpts={ckpts} live={live.curves} />
          <figcaption className="small">
            Loss after one step on validation tasks during meta-training (solid: the shipped run; dashed: a live run on the family set above).{' '}
            <button type="button" data-testid="update-live-run" onClick={() => live.setRunning((r) => !r)}>
              {live.running ? 'Stop' : `Train all three live (${LIVE_ITERATIONS} iterations)`}
            </button>
          </figcaption>
        </figure>
        <figure>
          <svg className="plot update-preconditioner" viewBox="0 0 220 220" role="img" aria-label="The learned effective preconditioners as ellipses: the image of the unit circle" data-testid="update-preconditioner">
            <line x1={10} y1={110} x2={210} y2={110} stroke="#ccc" />
            <line x1={110} y1={10} x2={110} y2={210} stroke="#ccc" />
            {UPDATE_MODEL_KINDS.map((k) => (
              <path
                key={k}
                data-model={k}
                d={'M' + matrixEllipse(pre[k]).map(([a, b]) => `${(110 + (95 * a) / scale).toFixed(1)},${(110 - (95 * b) / scale).toFixed(1)}`).join('L')}
                fill="none"
                stroke={MODEL_COLORS[k]}
                strokeWidth={2}
              />
            ))}
            <text x={206} y={124} textAnchor="end" className="small-label">
              w₁
            </text>
            <text x={116} y={22} className="small-label">
              w₂
            </text>
          </svg>
          <figcaption className="small">
            Effective preconditioners P (one step moves w by −αP∇L):{' '}
            {UPDATE_MODEL_KINDS.map((k) => (
              <span key={k} data-testid={`update-pre-${k}`} style={{ color: MODEL_COLORS[k] }}>
                {MODEL_NAMES[k]} [{pre[k].map((v) => v.toFixed(2)).join(', ')}]{k === 'kfo' ? '' : '; '}
              </span>
            ))}
          </figcaption>
        </figure>
      </div>
      <LogisticSection models={loaded.logistic} />
    </section>
  );
}

export default UpdateModelsPanel;

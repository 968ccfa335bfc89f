/**
 * "Inside the update" (issue 16): the shallow model's 2-D weight plane. Contours of a few tasks' losses (their
 * population losses, so each is an ellipse around its draggable optimum), theta (draggable), each task's inner
 * trajectory over k steps at alpha (the page's shared test-time alpha and steps), and the vector each update
 * rule would move theta by, as an arrow in the rule's colour; a table gives the same numbers. Everything is
 * recomputed synchronously from the pure kernels (src/meta/fast/update) on every change: microseconds. "Meta-train
 * θ" takes steps of the chosen rule on fresh tasks from the family, one every animation frame, and draws theta's path.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ALGORITHM_INFO } from '../meta/contracts/algorithms';
import { Rng } from '../meta/contracts/random';
import { drawUpdateTasks, familyCovariance, populationQuad, UPDATE_PROTOCOL } from '../meta/contracts/tasks/update';
import { RULE_IDS, ruleUpdates, type RuleId } from '../meta/fast/update/rules';
import { SCHEMA } from '../state/schema';
import { usePlayground } from '../state/store';
import { familyOf, UPDATE_RANGE, type UpdateSettings, type Vec2 } from '../state/update';
import { MethodLegend } from './MethodLegend';
import { NumberField } from './NumberField';
import { PlotFrame } from './PlotFrame';
import { ScrollRegion } from './ScrollRegion';
import { dataMap, frameAround } from './plotGeometry';
import { METHOD_COLORS } from './theme';
import { arrowHead, clipToBox, contourPoints, insideBox, symEigen } from './updateGeometry';

/** The display step: each arrow is -BETA v, the step live meta-training takes. */
export const BETA = 0.5;
const PLOT = dataMap(frameAround(480, 480, { top: 12, right: 14, bottom: 44, left: 52 }), [-UPDATE_RANGE, UPDATE_RANGE], [-UPDATE_RANGE, UPDATE_RANGE]);
const CLIP_ID = 'update-plot-clip';
const LEVELS = [0.1, 0.5, 1.5, 3];
const TASK_COLORS = ['#555555', '#8a6d3b', '#3b6d8a', '#6d3b8a', '#3b8a5a', '#8a3b4f'];
const KEY_STEP = 0.1;
const fmt = (v: number) => (Math.abs(v) >= 1000 ? v.toExponential(2) : v.toFixed(3));
const path = (pts: readonly (readonly [number, number])[]) =>
  pts.length ? 'M' + pts.map(([a, b]) => `${PLOT.x(a).toFixed(1)},${PLOT.y(b).toFixed(1)}`).join('L') : '';
/** Contours are cut just past the plot's edge (inside its right margin), where the clip hides them anyway. */
const clampEdge = (v: number) => Math.max(-UPDATE_RANGE - 0.3, Math.min(UPDATE_RANGE + 0.3, v));
const clampV = (v: number) => Math.max(-UPDATE_RANGE, Math.min(UPDATE_RANGE, Number(v.toFixed(3))));

/** What the panel computes from the settings: the tasks' losses and every rule's vectors. */
export function useUpdateComputation() {
  const u = usePlayground((s) => s.settings.update);
  const alpha = usePlayground((s) => s.settings.alpha);
  const steps = usePlayground((s) => s.settings.steps);
  return useMemo(() => {
    const family = familyOf(u);
    const tasks = u.optima.map((o) => {
      const q = populationQuad(family, o);
      return { support: q, query: q };
    });
    return { u, alpha, steps, family, tasks, rules: ruleUpdates(u.theta, tasks, { alpha, steps, lambda: u.lambda }) };
  }, [u, alpha, steps]);
}

function setUpdate(patch: Partial<UpdateSettings>) {
  const s = usePlayground.getState();
  s.setSettings({ update: { ...s.settings.update, ...patch } });
}

/** A draggable point: pointer (mouse, pen, touch) and keyboard (arrow keys; Shift for bigger steps). */
function Handle({ at, label, testId, className, onMove, children }: { at: Vec2; label: string; testId: string; className: string; onMove: (v: Vec2) => void; children: React.ReactNode }) {
  const dragging = useRef(false);
  const { px, py } = PLOT.toPixel({ x: at[0], y: at[1] });
  const move = (e: React.PointerEvent<SVGGElement>) => {
    if (!dragging.current) return;
    const p = PLOT.fromClient(e.currentTarget.ownerSVGElement, e.clientX, e.clientY);
    if (p) onMove([clampV(p.x), clampV(p.y)]);
  };
  return (
    <g
      className={`update-handle ${className}`}
      data-testid={testId}
      data-w1={at[0]}
      data-w2={at[1]}
      role="button"
      tabIndex={0}
      aria-label={`${label} at (${at[0].toFixed(2)}, ${at[1].toFixed(2)}): drag it, or move it with the arrow keys`}
      transform={`translate(${px},${py})`}
      onPointerDown={(e) => {
        dragging.current = true;
        e.currentTarget.setPointerCapture(e.pointerId);
        e.preventDefault();
      }}
      onPointerMove={move}
      onPointerUp={(e) => {
        dragging.current = false;
        if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
      }}
      onPointerCancel={() => (dragging.current = false)}
      onKeyDown={(e) => {
        const d = e.shiftKey ? 5 * KEY_STEP : KEY_STEP;
        const delta: Record<string, Vec2> = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] };
        const m = delta[e.key];
        if (!m) return;
        e.preventDefault();
        onMove([clampV(at[0] + m[0]), clampV(at[1] + m[1])]);
      }}
    >
      {/* a finger-sized target around the dot */}
      <circle r={22} fill="transparent" className="point-hit update-hit" />
      {children}
    </g>
  );
}

function Arrow({ id, from, v }: { id: RuleId; from: Vec2; v: readonly [number, number] }) {
  const x0 = PLOT.x(from[0]);
  const y0 = PLOT.y(from[1]);
  // Drawn up to the plot's edge when it would leave it (the numbers stay whole in data-v1, data-v2 and the table).
  const end = clipToBox(from, [-BETA * v[0], -BETA * v[1]], UPDATE_RANGE);
  const x1 = PLOT.x(end[0]);
  const y1 = PLOT.y(end[1]);
  const head = arrowHead(x0, y0, x1, y1);
  return (
    <g className="update-arrow" data-method={id} data-testid={`update-arrow-${id}`} data-v1={v[0]} data-v2={v[1]} stroke={METHOD_COLORS[id]} fill="none" strokeWidth={2.5}>
      <line x1={x0} y1={y0} x2={x1} y2={y1} strokeDasharray={id === 'fomaml' ? '6 3' : id === 'reptile' ? '2 3' : undefined} />
      {head && <polyline points={head.map((p) => p.join(',')).join(' ')} strokeLinejoin="round" />}
    </g>
  );
}

/** Live meta-training of theta by one rule on fresh tasks from the family; returns the path and the controls' state. */
function useLiveTraining() {
  const [rule, setRule] = useState<RuleId>('maml');
  const [running, setRunning] = useState(false);
  const [pathPts, setPath] = useState<Vec2[]>([]);
  const rng = useRef(new Rng(1));
  useEffect(() => {
    if (!running) return;
    let frame = 0;
    let iterations = 0;
    const tick = () => {
      const st = usePlayground.getState().settings;
      const u = st.update;
      const tasks = drawUpdateTasks(rng.current, familyOf(u), 10, UPDATE_PROTOCOL.kSupport, 0);
      const v = ruleUpdates(u.theta, tasks, { alpha: st.alpha, steps: st.steps, lambda: u.lambda }).mean[rule];
      const next: Vec2 = [clampV(u.theta[0] - BETA * v[0]), clampV(u.theta[1] - BETA * v[1])];
      setPath((p) => (p.length ? [...p, next] : [u.theta, next]).slice(-400));
      setUpdate({ theta: next });
      iterations++;
      if (iterations >= 200 || !Number.isFinite(next[0] + next[1])) setRunning(false);
      else frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [running, rule]);
  return { rule, setRule, running, setRunning, pathPts, setPath };
}

export function UpdatePanel() {
  const { u, alpha, steps, family, tasks, rules } = useUpdateComputation();
  const live = useLiveTraining();
  const onTheta = useCallback((v: Vec2) => setUpdate({ theta: v }), []);
  const cov = familyCovariance(family);
  const eig = symEigen(cov[0], cov[1], cov[2]);
  const familyRing = (k: number) => {
    const c = Math.cos(eig.angle);
    const s = Math.sin(eig.angle);
    const r1 = k * Math.sqrt(Math.max(eig.l1, 0));
    const r2 = k * Math.sqrt(Math.max(eig.l2, 0));
    return Array.from({ length: 65 }, (_, i) => {
      const t = (2 * Math.PI * i) / 64;
      return [u.mean[0] + c * r1 * Math.cos(t) - s * r2 * Math.sin(t), u.mean[1] + s * r1 * Math.cos(t) + c * r2 * Math.sin(t)] as [number, number];
    });
  };
  const diff = Math.hypot(rules.mean.maml[0] - rules.mean.fomaml[0], rules.mean.maml[1] - rules.mean.fomaml[1]);
  return (
    <section
      className="panel update-panel"
      data-testid="update-panel"
      aria-labelledby="update-panel-title"
      data-alpha={alpha}
      data-steps={steps}
      data-lambda={u.lambda}
      data-input-scale={u.inputScale}
    >
      <div className="panel-head">
        <h2 id="update-panel-title">Inside the update: one θ, {tasks.length} tasks, five rules</h2>
      </div>
      <p className="muted small">
        Each ellipse is a task’s loss (squared error of y = w · x, inputs x₁ ~ N(0, 1), x₂ ~ N(0, {fmt(u.inputScale ** 2)})); the star is its optimum; the dashed ellipses are the family’s one and two standard deviations around its mean (×, draggable). From θ, each task takes {steps} step
        {steps === 1 ? '' : 's'} at α = {alpha} (thin lines). The arrows are −{BETA} v for each rule’s update vector v, averaged over the tasks.
      </p>
      <div className="update-body">
        <div className="plot-wrap">
          <svg className="plot update-plot" viewBox={PLOT.viewBox} role="group" aria-labelledby="update-panel-title" aria-describedby="update-vectors-caption" data-testid="update-plot">
            <PlotFrame frame={PLOT} x={PLOT.x} y={PLOT.y} clipId={CLIP_ID} xAxis={{ ticks: 6, grid: true }} yAxis={{ ticks: 6, grid: true }} xLabel="w₁" yLabel="w₂" />
            <g clipPath={`url(#${CLIP_ID})`} pointerEvents="none">
              <path className="update-family" d={path(familyRing(1))} fill="none" stroke="#999" strokeDasharray="4 4" />
              <path className="update-family" d={path(familyRing(2))} fill="none" stroke="#bbb" strokeDasharray="4 4" />
              {tasks.map((t, i) => (
                <g key={i} stroke={TASK_COLORS[i % TASK_COLORS.length]} fill="none" opacity={0.6}>
                  {LEVELS.map((l) => (
                    <path key={l} d={path(contourPoints(t.support, l, 128).map(([a, b]) => [clampEdge(a), clampEdge(b)] as [number, number]))} strokeWidth={1} />
                  ))}
                </g>
              ))}
              {rules.tasks.map((t, i) => (
                <g key={i} className="update-trajectory" data-testid={`update-trajectory-${i}`} stroke={TASK_COLORS[i % TASK_COLORS.length]} fill={TASK_COLORS[i % TASK_COLORS.length]}>
                  <path d={path(insideBox(t.trajectory, UPDATE_RANGE))} fill="none" strokeWidth={1.5} />
                  {insideBox(t.trajectory, UPDATE_RANGE).slice(1).map((p, j) => (
                    <circle key={j} cx={PLOT.x(p[0])} cy={PLOT.y(p[1])} r={2.5} />
                  ))}
                  <rect x={PLOT.x(t.proximal[0]) - 3} y={PLOT.y(t.proximal[1]) - 3} width={6} height={6} fill={METHOD_COLORS.imaml} stroke="none" transform={`rotate(45 ${PLOT.x(t.proximal[0])} ${PLOT.y(t.proximal[1])})`} />
                </g>
              ))}
              {live.pathPts.length > 1 && <path className="update-theta-path" data-testid="update-theta-path" d={path(live.pathPts)} fill="none" stroke="#000" strokeWidth={1.5} opacity={0.7} />}
              {RULE_IDS.map((id) => (
                <Arrow key={id} id={id} from={u.theta} v={rules.mean[id]} />
              ))}
            </g>
            {u.optima.map((o, i) => (
              <Handle
                key={i}
                at={o}
                label={`Optimum of task ${i + 1}`}
                testId={`update-optimum-${i}`}
                className="update-optimum"
                onMove={(v) => setUpdate({ optima: usePlayground.getState().settings.update.optima.map((p, j) => (j === i ? v : p)) })}
              >
                <path d="M0,-8L2.4,-2.5L8,-2.5L3.5,1.2L5,7L0,3.6L-5,7L-3.5,1.2L-8,-2.5L-2.4,-2.5Z" fill={TASK_COLORS[i % TASK_COLORS.length]} stroke="#fff" />
              </Handle>
            ))}
            <Handle at={u.mean} label="Mean of the task family" testId="update-mean" className="update-mean" onMove={(v) => setUpdate({ mean: v })}>
              <path d="M-7,-7L7,7M-7,7L7,-7" stroke="#555" strokeWidth={2.5} />
            </Handle>
            <Handle at={u.theta} label="θ" testId="update-theta" className="update-theta" onMove={onTheta}>
              <circle r={7} fill="#000" stroke="#fff" strokeWidth={2} />
            </Handle>
          </svg>
        </div>
        <div className="update-side">
          <MethodLegend testId="update-legend" methods={RULE_IDS} entry={(id) => <span className="muted small"> {RULE_WORDS[id as RuleId]}</span>} />
          <ScrollRegion label="Update vectors">
            <table className="update-vectors" data-testid="update-vectors">
              <caption id="update-vectors-caption">
                Update vectors v at θ = ({fmt(u.theta[0])}, {fmt(u.theta[1])}), mean over the tasks
              </caption>
              <thead>
                <tr>
                  <th scope="col">rule</th>
                  <th scope="col">v₁</th>
                  <th scope="col">v₂</th>
                  <th scope="col">|v|</th>
                </tr>
              </thead>
              <tbody>
                {RULE_IDS.map((id) => (
                  <tr key={id} data-testid={`update-vector-${id}`} data-v1={rules.mean[id][0]} data-v2={rules.mean[id][1]}>
                    <th scope="row">{ALGORITHM_INFO[id].label}</th>
                    <td>{fmt(rules.mean[id][0])}</td>
                    <td>{fmt(rules.mean[id][1])}</td>
                    <td>{fmt(Math.hypot(...rules.mean[id]))}</td>
                  </tr>
                ))}
                <tr data-testid="update-maml-fomaml" data-diff={diff}>
                  <th scope="row">|MAML − first-order|</th>
                  <td colSpan={3}>{fmt(diff)}</td>
                </tr>
              </tbody>
            </table>
          </ScrollRegion>
          <fieldset className="update-train">
            <legend>Meta-train θ live</legend>
            <label>
              Rule{' '}
              <select data-testid="update-train-rule" value={live.rule} onChange={(e) => live.setRule(e.target.value as RuleId)}>
                {RULE_IDS.map((id) => (
                  <option key={id} value={id}>
                    {ALGORITHM_INFO[id].label}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" data-testid="update-train" onClick={() => live.setRunning((r) => !r)}>
              {live.running ? 'Stop' : 'Meta-train θ (200 steps)'}
            </button>
            <button type="button" onClick={() => live.setPath([])} disabled={live.pathPts.length === 0}>
              Clear path
            </button>
            <p className="muted small">Each step: 10 fresh tasks from the family (20 support points each), θ ← θ − {BETA} v.</p>
          </fieldset>
          <fieldset className="update-family-form">
            <legend>Task family and iMAML</legend>
            <NumberField label="Spread along axis 1" testId="update-scale1" value={u.scale1} setting={SCHEMA['update.scale1']} onCommit={(v) => setUpdate({ scale1: v })} />
            <NumberField label="Spread along axis 2" testId="update-scale2" value={u.scale2} setting={SCHEMA['update.scale2']} onCommit={(v) => setUpdate({ scale2: v })} />
            <NumberField label="Rotation (degrees)" testId="update-rotation" value={u.rotation} setting={SCHEMA['update.rotation']} onCommit={(v) => setUpdate({ rotation: v })} />
            <NumberField label="Input scale of x₂" testId="update-input-scale" value={u.inputScale} setting={SCHEMA['update.inputScale']} onCommit={(v) => setUpdate({ inputScale: v })} />
            <NumberField label="iMAML λ" testId="update-lambda" value={u.lambda} setting={SCHEMA['update.lambda']} onCommit={(v) => setUpdate({ lambda: v })} />
            <button type="button" data-testid="update-new-tasks" onClick={() => usePlayground.getState().newTask()}>
              New tasks from the family
            </button>
          </fieldset>
        </div>
      </div>
    </section>
  );
}

const RULE_WORDS: Record<RuleId, string> = {
  pretrained: 'gradient at θ',
  fomaml: 'query gradient at φ',
  maml: 'pulled back through dφ/dθ = ∏(I − αH)',
  imaml: '(I + H/λ)⁻¹ × gradient at the proximal φ* (◆)',
  reptile: '(θ − φ) / (kα)',
};

export default UpdatePanel;

/**
 * The task panel: the user's support points, the true function, and each method's prediction before and
 * after adaptation. Click to add a point, drag to move it, shift-click / right-click / Delete to remove it.
 *
 * The plot is split into small components that each subscribe to their own slice of the store, so a drag
 * (which changes only settings.points) re-renders the points layer and not the curves, and training
 * progress re-renders nothing here.
 */
import * as d3 from 'd3';
import { memo, useCallback, useMemo, useRef } from 'react';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { emptyHalf, mseOnRange, sinusoid, SINUSOID_RANGES, xGrid } from '../meta/contracts/tasks/sinusoid';
import { K_CHOICES, useDeferredAdaptation, usePlayground } from '../state/store';
import { hitRadius, usePointEditing, useSvgScale } from './usePointEditing';
import { PointHits } from './PointHits';
import { PointDeleteButton, ScreenReaderText } from './PointControls';
import { ChartMessage } from './ChartMessage';
import { methodLabel } from './theme';
import { adaptationNote, BEFORE_STYLE, markerPaint, markerPath, METHOD_COLORS, plural, POINT_COLOR, SELECTED_COLOR, TRUTH_COLOR } from './theme';
import { ExportMenu } from './ExportMenu';
import { formatStepLoss } from './format';
import { divergenceWarning } from '../state/notices';
import { MethodName } from './MethodName';
import { LineSample, MethodLegend } from './MethodLegend';
import { PlotFrame, type AxisOptions } from './PlotFrame';
import { dataMap, frame } from './plotGeometry';

// ---- fixed geometry: the domain never changes, so the scales are built once ----
const PLOT = dataMap(frame(640, 380, { top: 14, right: 18, bottom: 46, left: 52 }), SINUSOID_RANGES.x, [-6, 6]);
const { x: xScale, y: yScale } = PLOT;
const CLIP_ID = 'task-plot-clip';
/** Values far outside the plot are clamped before scaling so a diverged curve still gives a sane path. */
const Y_LIMIT = 1000;
const clampY = (y: number) => Math.min(Y_LIMIT, Math.max(-Y_LIMIT, y));
const TRUTH_GRID = xGrid(241, PLOT.xDomain);
const X_AXIS: AxisOptions = { tickValues: d3.range(-5, 6, 1), grid: true };
const Y_AXIS: AxisOptions = { tickValues: d3.range(-6, 7, 2), grid: true };
const LABEL_INSET = { bottom: 8, left: 16 };

// ---- the true function ----
const TruthCurve = memo(function TruthCurve() {
  const task = usePlayground((s) => s.settings.task);
  const showTruth = usePlayground((s) => s.settings.showTruth);
  const d = useMemo(() => {
    if (!task) return null;
    return d3
      .line<number>()
      .x((x) => xScale(x))
      .y((x) => yScale(sinusoid(task, x)))(TRUTH_GRID);
  }, [task]);
  if (!showTruth || d === null) return null;
  return <path className="truth" d={d} fill="none" stroke={TRUTH_COLOR} strokeWidth={2.5} strokeDasharray="7 5" />;
});

/** Markers along a curve (each method's shape: a second channel beside its colour), every MARKER_EVERY grid points, offset per method so they do not sit on each other. */
const MARKER_EVERY = 20;
function markerPoints(grid: number[], ys: number[], index: number): { px: number; py: number }[] {
  const out: { px: number; py: number }[] = [];
  for (let i = (index * 7) % MARKER_EVERY + 4; i < grid.length && i < ys.length; i += MARKER_EVERY) {
    const y = ys[i];
    if (Number.isFinite(y) && y >= -6 && y <= 6) out.push({ px: xScale(grid[i]), py: yScale(y) });
  }
  return out;
}

// ---- the methods' predictions ----
const Curves = memo(function Curves() {
  const grid = usePlayground((s) => s.results.grid);
  const adaptation = usePlayground((s) => s.results.adaptation);
  const methods = usePlayground((s) => s.settings.methods);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);

  const line = useMemo(
    () =>
      d3
        .line<number>()
        .defined((y, i) => i < grid.length && Number.isFinite(y))
        .x((_, i) => xScale(grid[i]))
        .y((y) => yScale(clampY(y)))
        // Hundredths of a pixel: a shorter path string to build, set and parse on every click (issue 17, target 6).
        .digits(2),
    [grid],
  );
  // The last drawn path of each curve: a curve whose predictions did not change (the curves before adaptation, on
  // a click) keeps its string and markers, so React sets nothing and the browser parses nothing for it.
  const drawn = useRef(new Map<string, { grid: number[]; ys: number[]; d: string; marks: { px: number; py: number }[] }>());

  const paths = useMemo(() => {
    type Drawn = { id: AlgorithmId; step: number; d: string; marks: { px: number; py: number }[] };
    const before: Drawn[] = [];
    const after: Drawn[] = [];
    if (grid.length === 0) return { before, after };
    const cache = drawn.current;
    const draw = (id: AlgorithmId, m: number, step: number, ys: number[], key: string): Drawn => {
      const last = cache.get(key);
      if (last && last.grid === grid && sameValues(last.ys, ys)) return { id, step, d: last.d, marks: last.marks };
      const entry = { grid, ys, d: line(ys) ?? '', marks: markerPoints(grid, ys, m) };
      cache.set(key, entry);
      return { id, step, d: entry.d, marks: entry.marks };
    };
    methods.forEach((id, m) => {
      const preds = adaptation[id]?.predictions;
      if (!preds || preds.length === 0) return;
      before.push(draw(id, m, 0, preds[0], `${id}-before-${m}`));
      const step = Math.min(selectedStep, preds.length - 1);
      if (step > 0) after.push(draw(id, m, step, preds[step], `${id}-after-${m}`));
    });
    return { before, after };
  }, [grid, adaptation, methods, selectedStep, line]);

  return (
    <g className="curves">
      {paths.before.map((p) => (
        <path
          key={`${p.id}-before`}
          className="curve curve-before"
          data-method={p.id}
          data-step={p.step}
          d={p.d}
          fill="none"
          stroke={METHOD_COLORS[p.id]}
          strokeWidth={BEFORE_STYLE.width}
          strokeDasharray={BEFORE_STYLE.dash}
          strokeOpacity={BEFORE_STYLE.opacity}
        />
      ))}
      {paths.before.map((p) => (
        <CurveMarkers key={`${p.id}-before-marks`} id={p.id} step={p.step} marks={p.marks} hollow />
      ))}
      {paths.after.map((p) => (
        <path
          key={`${p.id}-after`}
          className="curve curve-after"
          data-method={p.id}
          data-step={p.step}
          d={p.d}
          fill="none"
          stroke={METHOD_COLORS[p.id]}
          strokeWidth={3}
        />
      ))}
      {paths.after.map((p) => (
        <CurveMarkers key={`${p.id}-after-marks`} id={p.id} step={p.step} marks={p.marks} />
      ))}
    </g>
  );
});

/** Whether two prediction arrays hold the same numbers (NaN equal to NaN: a diverged step draws the same). */
function sameValues(a: number[], b: number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

const CurveMarkers = memo(function CurveMarkers({ id, step, marks, hollow = false }: { id: AlgorithmId; step: number; marks: { px: number; py: number }[]; hollow?: boolean }) {
  const d = markerPath(id, hollow ? 40 : 48);
  const paint = markerPaint(id, hollow);
  return (
    <g className="curve-markers" data-method={id} data-step={step} fill={paint.fill} stroke={paint.stroke} strokeWidth={paint.strokeWidth} opacity={hollow ? BEFORE_STYLE.opacity : undefined}>
      {marks.map((m, i) => (
        <path key={i} d={d} transform={`translate(${m.px.toFixed(1)},${m.py.toFixed(1)})`} />
      ))}
    </g>
  );
});

const Frame = memo(function Frame() {
  return (
    <PlotFrame frame={PLOT} x={xScale} y={yScale} clipId={CLIP_ID} xAxis={X_AXIS} yAxis={Y_AXIS} xLabel="x" yLabel="y" labelInset={LABEL_INSET}>
      <line className="zero-line" x1={PLOT.left} x2={PLOT.right} y1={yScale(0)} y2={yScale(0)} />
    </PlotFrame>
  );
});

/** The store's point edits, stable for the hooks that take them. */
const movePoint = (i: number, p: { x: number; y: number }) => usePlayground.getState().movePoint(i, p);
const deletePoint = (i: number) => usePlayground.getState().deletePoint(i);

// ---- the interactive plot ----
function Plot() {
  const points = usePlayground((s) => s.settings.points);
  // Selection and its keys (Delete, Backspace, Escape) are the hook's.
  const edit = usePointEditing(points.length, PLOT.fromClient, movePoint, deletePoint);
  const { svgRef, selected: sel, select: setSelected } = edit;
  // Touch targets: every point's hit circle is at least HIT_RADIUS_CSS on screen, however small the plot is drawn.
  const pxPerUnit = useSvgScale(svgRef, PLOT.width);
  const dotR = Math.max(7, 5 / pxPerUnit);
  const hitR = hitRadius(dotR, pxPerUnit);

  const onAreaClick = useCallback(
    (e: React.MouseEvent<SVGRectElement>) => {
      if (e.button !== 0) return;
      const p = PLOT.fromClient(svgRef.current, e.clientX, e.clientY);
      if (!p) return;
      usePlayground.getState().addPoint(p);
      setSelected(null);
    },
    [svgRef, setSelected],
  );
  const selectedAt = sel !== null && points[sel] ? PLOT.toPixel(points[sel]) : null;

  return (
    <div className="plot-wrap">
      <svg
        ref={svgRef}
        className={points.length === 0 ? 'plot task-plot no-points' : 'plot task-plot'}
        viewBox={PLOT.viewBox}
        role="img"
        aria-label="Task plot: click to add a support point, drag to move, shift-click or right-click to delete (touch: tap a point, then Delete point)"
        aria-describedby="task-plot-text"
        tabIndex={0}
      >
        <Frame />
        <rect
          className="plot-area"
          x={PLOT.left}
          y={PLOT.top}
          width={PLOT.innerWidth}
          height={PLOT.innerHeight}
          fill="transparent"
          onClick={onAreaClick}
        />
        <g clipPath={`url(#${CLIP_ID})`} pointerEvents="none">
          <TruthCurve />
          <Curves />
        </g>
        <ChartMessage frame={PLOT} text={points.length === 0 ? 'Click (or tap) the plot to add support points' : null} className="plot-prompt" testId="task-empty-prompt" />
        <PointHits points={points} toPixel={PLOT.toPixel} r={hitR} edit={edit} />
        <g className="support-points">
          {points.map((p, i) => {
            const { px, py } = PLOT.toPixel(p);
            return (
              <circle
                // Points have no identity beyond their position in the list (data-index is the same index).
                key={i}
                className={i === sel ? 'support-point selected' : 'support-point'}
                data-index={i}
                cx={px}
                cy={py}
                r={i === sel ? dotR + 2 : dotR}
                fill={POINT_COLOR}
                stroke={i === sel ? SELECTED_COLOR : '#ffffff'}
                strokeWidth={i === sel ? 4 : 2}
                {...edit.handlers(i)}
              >
                <title>{`(${p.x.toFixed(2)}, ${p.y.toFixed(2)}): drag to move, shift-click or right-click to delete`}</title>
              </circle>
            );
          })}
        </g>
      </svg>
      {selectedAt && <PointDeleteButton frame={PLOT} px={selectedAt.px} py={selectedAt.py} onDelete={edit.deleteSelected} testId="delete-point" />}
      <PlotText />
    </div>
  );
}

/** The plot's essentials as text (screen readers): the points, and each method's error at the chosen step. */
const PlotText = memo(function PlotText() {
  const points = usePlayground((s) => s.settings.points);
  const methods = usePlayground((s) => s.settings.methods);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const hasTask = usePlayground((s) => s.settings.task !== null);
  const adaptation = useDeferredAdaptation();
  return (
    <ScreenReaderText id="task-plot-text" testId="task-plot-text">
      <p>
        {points.length === 0
          ? 'No support points yet.'
          : `${plural(points.length, 'support point')}: ${points.map((p) => `(${p.x.toFixed(2)}, ${p.y.toFixed(2)})`).join(', ')}.`}
      </p>
      {points.length > 0 && (
        <ul>
          {methods.map((id) => {
            const a = adaptation[id];
            const losses = a ? (hasTask ? a.taskLoss : a.supportLoss) : null;
            const step = losses ? Math.min(selectedStep, losses.length - 1) : 0;
            return (
              <li key={id}>
                {methodLabel(id)}: {hasTask ? 'MSE against the true function' : 'MSE on your points'} after {plural(step, 'step')}{' '}
                {losses ? formatStepLoss(losses[step] ?? null, step, a?.divergedAt ?? null) : 'not computed yet'}
              </li>
            );
          })}
        </ul>
      )}
    </ScreenReaderText>
  );
});

// ---- controls above the plot ----
const Toolbar = memo(function Toolbar() {
  const hasTask = usePlayground((s) => s.settings.task !== null);
  // After the points left the sine, sampling brings it back (with points of its own).
  const canSample = usePlayground((s) => s.settings.task !== null || s.leftTask !== null);
  const kShot = usePlayground((s) => s.settings.kShot);
  const showTruth = usePlayground((s) => s.settings.showTruth);
  const nPoints = usePlayground((s) => s.settings.points.length);
  const a = usePlayground.getState;
  return (
    <div className="toolbar">
      <button type="button" data-testid="new-task" onClick={() => a().newRandomTask()}>
        New random task
      </button>
      <button
        type="button"
        data-testid="sample-points"
        disabled={!canSample}
        title={hasTask ? undefined : canSample ? 'Your points left the sine: back to it, with K points sampled from it' : 'Free-hand points have no true function to sample from'}
        onClick={() => a().sampleTaskPoints()}
      >
        {hasTask || !canSample ? 'Sample K points from this task' : 'Back to the sine (sample K points)'}
      </button>
      <button
        type="button"
        data-testid="sample-left"
        disabled={!canSample}
        title="Sample K points with x in [−5, 0] only: what does each method guess on the right?"
        onClick={() => a().sampleTaskPoints([-5, 0])}
      >
        Points on left half only
      </button>
      <button type="button" data-testid="clear-points" disabled={nPoints === 0} onClick={() => a().clearPoints()}>
        Clear points
      </button>
      <button type="button" data-testid="free-hand" disabled={!hasTask} onClick={() => a().freeHand()}>
        Free-hand (no true function)
      </button>
      <label className="inline">
        <input
          type="checkbox"
          data-testid="show-truth"
          checked={showTruth}
          onChange={(e) => a().setSettings({ showTruth: e.target.checked })}
        />
        Show true function
      </label>
      <label className="inline">
        K =
        <select data-testid="k-select" value={kShot} onChange={(e) => a().setSettings({ kShot: Number(e.target.value) })}>
          {K_CHOICES.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
});

// ---- step scrubber, legend, task description, divergence warnings ----
const StepScrubber = memo(function StepScrubber() {
  const steps = usePlayground((s) => s.settings.steps);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  return (
    <div className="step-scrubber">
      <label>
        <span className="step-label" data-testid="step-label">
          after {plural(selectedStep, 'step')}
        </span>
        <input
          type="range"
          data-testid="step-slider"
          min={0}
          max={steps}
          step={1}
          value={selectedStep}
          onChange={(e) => usePlayground.getState().setSettings({ selectedStep: Number(e.target.value) })}
        />
      </label>
      <span className="hint">of gradient descent on your points</span>
    </div>
  );
});

const Legend = memo(function Legend() {
  const methods = usePlayground((s) => s.settings.methods);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const showTruth = usePlayground((s) => s.settings.showTruth);
  const hasTask = usePlayground((s) => s.settings.task !== null);
  const nPoints = usePlayground((s) => s.settings.points.length);
  // With no points there is nothing to adapt to: the plot shows only the curves before adaptation.
  const entry = (id: AlgorithmId) => nPoints === 0 ? (
    <>
      <LineSample color={METHOD_COLORS[id]} width={BEFORE_STYLE.width} dash={BEFORE_STYLE.dash} opacity={BEFORE_STYLE.opacity} marker={id} hollow />
      <span data-testid="legend-before-only">before adaptation (no points to adapt to yet)</span>
      {adaptationNote(id) && <span className="muted legend-note">({adaptationNote(id)})</span>}
    </>
  ) : (
    <>
      <LineSample color={METHOD_COLORS[id]} width={3} marker={id} />
      <span>after {plural(selectedStep, 'step')}</span>
      <LineSample color={METHOD_COLORS[id]} width={BEFORE_STYLE.width} dash={BEFORE_STYLE.dash} opacity={BEFORE_STYLE.opacity} marker={id} hollow />
      <span>before adaptation</span>
      {adaptationNote(id) && <span className="muted legend-note">({adaptationNote(id)})</span>}
      {id === 'oracle' && !hasTask && <span className="warning legend-note" data-testid="oracle-no-task">no true function: nothing to show</span>}
    </>
  );
  return (
    <MethodLegend testId="task-legend" methods={methods} entry={entry}>
      {hasTask && showTruth && (
        <li key="truth">
          <LineSample color={TRUTH_COLOR} width={2.5} dash="7 5" />
          <span>true function</span>
        </li>
      )}
      <li key="points">
        <svg width="16" height="16" aria-hidden="true">
          <circle cx="8" cy="8" r="6" fill={POINT_COLOR} />
        </svg>
        <span>your support points</span>
      </li>
    </MethodLegend>
  );
});

/** The paper's striking case: with every point on one half, each method's error on the empty half. */
const EmptyHalf = memo(function EmptyHalf() {
  const task = usePlayground((s) => s.settings.task);
  const points = usePlayground((s) => s.settings.points);
  const methods = usePlayground((s) => s.settings.methods);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const grid = usePlayground((s) => s.results.grid);
  const adaptation = useDeferredAdaptation();
  const half = emptyHalf(points);
  if (!task || !half) return null;
  return (
    <p className="empty-half" data-testid="empty-half">
      All points are on one half. MSE on the empty half (x from {half[0]} to {half[1]}) after {plural(selectedStep, 'step')}:{' '}
      {methods.map((id) => {
        const preds = adaptation[id]?.predictions;
        const step = preds ? Math.min(selectedStep, preds.length - 1) : 0;
        const v = preds ? mseOnRange(task, grid, preds[step], half) : null;
        return (
          <span key={id} className="empty-half-value" data-method={id}>
            <MethodName id={id} /> <b className="mono" data-testid={`empty-half-${id}`}>{formatStepLoss(v, step, adaptation[id]?.divergedAt ?? null)}</b>{' '}
          </span>
        );
      })}
    </p>
  );
});

/** After the points left the shown sine (the store dropped it), which sine that was and how it is scored now. */
const LeftTask = memo(function LeftTask() {
  const hasTask = usePlayground((s) => s.settings.task !== null);
  const left = usePlayground((s) => s.leftTask);
  if (hasTask || !left) return null;
  return (
    <p className="note" data-testid="points-left-task">
      Your points left the sine with A = {left.amplitude.toFixed(2)}, φ = {left.phase.toFixed(2)}: they are scored on themselves only (support-set MSE),
      never against that sine. &quot;Back to the sine&quot; samples K points from it again.
    </p>
  );
});

const TaskInfo = memo(function TaskInfo() {
  const task = usePlayground((s) => s.settings.task);
  const nPoints = usePlayground((s) => s.settings.points.length);
  return (
    <p className="task-info" data-testid="task-info">
      {task ? (
        <>
          True function: y = A·sin(x − φ) with <b>A = {task.amplitude.toFixed(2)}</b>, <b>φ = {task.phase.toFixed(2)}</b> rad
        </>
      ) : (
        <>Free-hand points: no true function</>
      )}
      <span className="muted"> · {plural(nPoints, 'support point')}</span>
    </p>
  );
});

const DivergenceWarnings = memo(function DivergenceWarnings() {
  const adaptation = useDeferredAdaptation();
  const methods = usePlayground((s) => s.settings.methods);
  const diverged = methods.flatMap((id) => {
    const at = adaptation[id]?.divergedAt;
    return at === null || at === undefined ? [] : [{ id, at }];
  });
  if (diverged.length === 0) return null;
  return (
    <div className="divergence-warnings" role="alert">
      {diverged.map(({ id, at }) => (
        <p key={id} className="warning" data-testid={`diverged-${id}`} data-method={id}>
          ⚠ {divergenceWarning(id, at, 'its curve stops there')}
        </p>
      ))}
    </div>
  );
});

export function TaskPanel() {
  return (
    <section className="panel task-panel" data-testid="task-panel" aria-labelledby="task-panel-title">
      <div className="panel-head">
        <h2 id="task-panel-title">Your task</h2>
        <ExportMenu panel="task" />
      </div>
      <Toolbar />
      <Plot />
      <StepScrubber />
      <DivergenceWarnings />
      <Legend />
      <TaskInfo />
      <LeftTask />
      <EmptyHalf />
    </section>
  );
}

export default TaskPanel;

/**
 * The plane panel (issue 4): few-shot classification of points in [-1, 1]^2. The user places labelled support
 * points (click: the active class; shift-click: the next class), drags them, shift-clicks or right-clicks them
 * away, and sees the decision regions each method gives before and after every adaptation step: one method
 * large (the focused one, at the selected step), every method and step small beside it, and a table of support
 * and true-task accuracy before and after.
 *
 * As in the task panel, each layer subscribes to its own slice of the store: dragging a point re-renders the
 * points layer (and, when the worker answers, the regions), training progress re-renders only the source cells.
 * The plot has a fixed size and every slot that results fill is reserved, so nothing moves when they arrive.
 */
import * as d3 from 'd3';
import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { modelKey } from '../meta/contracts/checkpoint';
import { PLANE_RANGE, type PlaneTask } from '../meta/contracts/tasks/plane';
import { MAX_CLASSES, PLANE_K_CHOICES, type PlanePoint } from '../state/classification';
import { divergenceWarning } from '../state/notices';
import { appliesTo, usePlayground, type PlaygroundState } from '../state/store';
import { ChartMessage } from './ChartMessage';
import { PlotFrame, type AxisOptions } from './PlotFrame';
import { dataMap, frameAround } from './plotGeometry';
import { hitRadius, usePointEditing, useSvgScale } from './usePointEditing';
import { PointHits } from './PointHits';
import { PointDeleteButton, ScreenReaderText } from './PointControls';
import { describeSource, formatChange, matching, modelBoundaryPath, regionPixels, stepIndex, thumbSteps, truthBoundaryPath } from './classPlots';
import { CLASS_COLORS, methodLabel, plural, TRUTH_COLOR } from './theme';
import { ExportMenu } from './ExportMenu';
import { MethodName } from './MethodName';
import type { ClassAdaptation } from '../meta/contracts/types';
import { ScrollRegion } from './ScrollRegion';

// ---- fixed geometry: a square plot area over [-1, 1]^2, the same size whatever the results ----
const SIZE = 420;
const PLOT = dataMap(frameAround(SIZE, SIZE, { top: 30, right: 14, bottom: 42, left: 46 }), PLANE_RANGE, PLANE_RANGE);
const { x: xScale, y: yScale } = PLOT;
const [LO, HI] = PLANE_RANGE;
const AXIS: AxisOptions = { tickValues: [-1, -0.5, 0, 0.5, 1], tickFormat: d3.format('~g') };
const CLIP_ID = 'plane-plot-clip';
/** The large regions image is computed at half the plot's pixels and scaled up smoothly. */
const REGION_RES = SIZE / 2;
/** Thumbnails: drawn at this many pixels, shown at THUMB_CSS (sharp on high-density screens). */
const THUMB_RES = 112;
const THUMB_CSS = 64;
const POINT_OUTLINE = '#1a1a1a';
/** The shown model's decision boundary (solid; the true one is dashed). */
const MODEL_BOUNDARY_COLOR = '#222222';

const classLabel = (c: number) => `Class ${c + 1}`;

// ---- store slices ----

/** The classification results if they are for the plane with the classes on screen, else null. */
const selectPlaneResults = (s: PlaygroundState) => matching(s.results.classification, 'plane', s.settings.plane.classes);

/** The shown methods that have a classifier (the oracle has none). */
function useShownMethods(): AlgorithmId[] {
  const methods = usePlayground((s) => s.settings.methods);
  return useMemo(() => methods.filter((id) => appliesTo(id, 'plane')), [methods]);
}

/** One method's class probabilities at one step, with the grid they are on; null while there are none. */
interface Regions {
  probs: Float32Array;
  gridN: number;
  classes: number;
  step: number;
}

function regionsOf(a: ClassAdaptation | undefined, gridN: number | null, classes: number, step: number): Regions | null {
  if (!a || gridN === null || a.probabilities.length === 0) return null;
  const s = stepIndex(a.probabilities.length, step);
  const probs = a.probabilities[s];
  return probs && probs.length === gridN * gridN * classes ? { probs, gridN, classes, step: s } : null;
}

// ---- drawing regions into pixels ----

let sharedCanvas: HTMLCanvasElement | null = null;

/** The regions as a PNG data URL (for the SVG <image>), through one reused off-screen canvas. */
function regionsDataUrl(r: Regions, size: number): string {
  sharedCanvas ??= document.createElement('canvas');
  sharedCanvas.width = size;
  sharedCanvas.height = size;
  const ctx = sharedCanvas.getContext('2d');
  if (!ctx) return '';
  ctx.putImageData(new ImageData(regionPixels(r.probs, r.gridN, r.classes, size, CLASS_COLORS), size, size), 0, 0);
  return sharedCanvas.toDataURL();
}

// ---- the large plot's layers ----

/** The focused method's regions at the selected step, its decision boundary, the title, and what is being computed. */
const FocusedRegions = memo(function FocusedRegions({ method }: { method: AlgorithmId | null }) {
  const results = usePlayground(selectPlaneResults);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const classes = usePlayground((s) => s.settings.plane.classes);
  const r = useMemo(
    () => (method && results ? regionsOf(results.results[method], results.gridN, classes, selectedStep) : null),
    [method, results, classes, selectedStep],
  );
  // The image and the boundary are recomputed only when the probabilities shown change.
  const href = useMemo(() => (r ? regionsDataUrl(r, REGION_RES) : null), [r]);
  const boundary = useMemo(() => (r ? modelBoundaryPath(r.probs, r.gridN, r.classes, xScale, yScale) : ''), [r]);
  const shownStep = r?.step ?? selectedStep;
  const title = method
    ? `${methodLabel(method)} ${shownStep === 0 ? 'before adaptation (step 0)' : `after ${plural(shownStep, 'step')}`}`
    : 'No method shown';
  const status = method === null ? 'tick a method to see its regions' : r === null ? `computing ${methodLabel(method)}'s regions (adapting to your points)…` : null;
  return (
    <>
      <g clipPath={`url(#${CLIP_ID})`} pointerEvents="none">
        {href && (
          <image
            className="plane-regions"
            data-testid="plane-regions"
            data-method={method ?? undefined}
            data-step={shownStep}
            href={href}
            x={PLOT.left}
            y={PLOT.top}
            width={PLOT.innerWidth}
            height={PLOT.innerHeight}
            preserveAspectRatio="none"
          />
        )}
        {boundary && (
          <>
            <path d={boundary} fill="none" stroke="#ffffff" strokeWidth={4} strokeOpacity={0.6} />
            <path className="plane-model-boundary" data-testid="plane-model-boundary" d={boundary} fill="none" stroke={MODEL_BOUNDARY_COLOR} strokeWidth={1.75} />
          </>
        )}
      </g>
      <text className="plane-plot-title" data-testid="plane-plot-title" x={PLOT.left} y={PLOT.top - 10}>
        {title}
      </text>
      <ChartMessage frame={PLOT} text={status} className="plane-plot-status" testId="plane-plot-status" />
    </>
  );
});

/** The true decision boundary, dashed (when the task is known and "Show true boundary" is ticked). */
const TruthBoundary = memo(function TruthBoundary() {
  const task = usePlayground((s) => s.settings.plane.task);
  const showTruth = usePlayground((s) => s.settings.showTruth);
  const d = useMemo(() => (task ? truthBoundaryPath(task, xScale, yScale) : null), [task]);
  if (!showTruth || !d) return null;
  return (
    <g clipPath={`url(#${CLIP_ID})`} pointerEvents="none">
      {/* A light halo under the dashes keeps the line readable over any region colour. */}
      <path d={d} fill="none" stroke="#ffffff" strokeWidth={4.5} strokeOpacity={0.7} />
      <path className="truth plane-truth" data-testid="plane-truth-boundary" d={d} fill="none" stroke={TRUTH_COLOR} strokeWidth={2.5} strokeDasharray="8 5" />
    </g>
  );
});

const Frame = memo(function Frame() {
  return <PlotFrame frame={PLOT} x={xScale} y={yScale} clipId={CLIP_ID} xAxis={AXIS} yAxis={AXIS} xLabel="x" yLabel="y" />;
});

/** The store's point edits, stable for the hooks that take them. */
const movePlanePoint = (i: number, p: { x: number; y: number }) => usePlayground.getState().movePlanePoint(i, p);
const deletePlanePoint = (i: number) => usePlayground.getState().deletePlanePoint(i);

/** The interactive plot: regions, boundaries and the support points. */
const Plot = memo(function Plot({ method }: { method: AlgorithmId | null }) {
  const points = usePlayground((s) => s.settings.plane.points);
  // Selection and its keys (Delete, Backspace, Escape) are the hook's; the class keys are the plot's own (below).
  const edit = usePointEditing(points.length, PLOT.fromClient, movePlanePoint, deletePlanePoint);
  const { svgRef, selected: sel, select: setSelected } = edit;
  // Touch targets: every point's hit circle is at least HIT_RADIUS_CSS on screen, however small the plot is drawn.
  const pxPerUnit = useSvgScale(svgRef, PLOT.width);
  const dotR = Math.max(7, 5 / pxPerUnit);
  const hitR = hitRadius(dotR, pxPerUnit);
  const selectedAt = sel !== null && points[sel] ? PLOT.toPixel(points[sel]) : null;

  const onAreaClick = useCallback(
    (e: React.MouseEvent<SVGRectElement>) => {
      if (e.button !== 0) return;
      const p = PLOT.fromClient(svgRef.current, e.clientX, e.clientY);
      if (!p) return;
      const st = usePlayground.getState();
      const { activeClass, classes } = st.settings.plane;
      // Shift-click places the next class: with two classes, click and shift-click are the two labels.
      st.addPlanePoint(p, e.shiftKey ? (activeClass + 1) % classes : activeClass);
      setSelected(null);
    },
    [svgRef, setSelected],
  );

  // Keys while the plot has focus: 1..N choose the class.
  const onKeyDown = useCallback((e: React.KeyboardEvent<SVGSVGElement>) => {
    const st = usePlayground.getState();
    const n = Number(e.key);
    if (Number.isInteger(n) && n >= 1 && n <= st.settings.plane.classes && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      st.setActiveClass(n - 1);
    }
  }, []);

  return (
    <div className="plot-wrap plane-plot-wrap">
    <svg
      ref={svgRef}
      className="plane-plot"
      data-testid="plane-plot"
      data-figure-part=""
      viewBox={PLOT.viewBox}
      role="img"
      aria-label="Decision regions: click to add a point of the active class (shift-click: the next class), drag to move, shift-click or right-click a point to delete (touch: tap a point, then Delete point), keys 1 to 5 choose the class"
      aria-describedby="plane-plot-text"
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <Frame />
      <FocusedRegions method={method} />
      <TruthBoundary />
      <rect className="plane-frame" x={PLOT.left} y={PLOT.top} width={PLOT.innerWidth} height={PLOT.innerHeight} fill="none" pointerEvents="none" />
      <rect
        className="plot-area plane-area"
        data-testid="plane-area"
        x={PLOT.left}
        y={PLOT.top}
        width={PLOT.innerWidth}
        height={PLOT.innerHeight}
        fill="transparent"
        onClick={onAreaClick}
      />
      <ChartMessage frame={PLOT} text={points.length === 0 ? 'Click (or tap) to add points' : null} className="plot-prompt" testId="plane-empty-prompt" />
      <PointHits points={points} toPixel={PLOT.toPixel} r={hitR} edit={edit} />
      <g className="plane-points">
        {points.map((p, i) => {
          const { px, py } = PLOT.toPixel(p);
          return (
            <circle
              // Points have no identity beyond their place in the list (data-index is that index).
              key={i}
              className={i === sel ? 'plane-point selected' : 'plane-point'}
              data-testid="plane-point"
              data-index={i}
              data-label={p.label}
              cx={px}
              cy={py}
              r={i === sel ? dotR + 1.5 : dotR}
              fill={CLASS_COLORS[p.label % CLASS_COLORS.length]}
              stroke={POINT_OUTLINE}
              strokeWidth={i === sel ? 3.5 : 2}
              {...edit.handlers(i)}
            >
              <title>{`${classLabel(p.label)} at (${p.x.toFixed(2)}, ${p.y.toFixed(2)}): drag to move, shift-click or right-click to delete`}</title>
            </circle>
          );
        })}
      </g>
    </svg>
      {selectedAt && <PointDeleteButton frame={PLOT} px={selectedAt.px} py={selectedAt.py} onDelete={edit.deleteSelected} testId="plane-delete-point" />}
      <PlanePlotText method={method} />
    </div>
  );
});

/** The plot's essentials as text (screen readers): the points, and each method's accuracy at the chosen step. */
const PlanePlotText = memo(function PlanePlotText({ method }: { method: AlgorithmId | null }) {
  const points = usePlayground((s) => s.settings.plane.points);
  const results = usePlayground(selectPlaneResults);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const a = method ? results?.results[method] : undefined;
  const acc = (v: number[] | null | undefined) => (v && v.length > 0 ? formatChange(v[0], v[stepIndex(v.length, selectedStep)]) : 'not computed yet');
  return (
    <ScreenReaderText id="plane-plot-text" testId="plane-plot-text">
      <p>
        {points.length === 0
          ? 'No points yet.'
          : `${plural(points.length, 'point')}: ${points.map((p) => `${classLabel(p.label).toLowerCase()} at (${p.x.toFixed(2)}, ${p.y.toFixed(2)})`).join(', ')}.`}
      </p>
      {method && (
        <p>
          {methodLabel(method)}, accuracy before adaptation and after {plural(selectedStep, 'step')}: on your points {acc(a?.supportAccuracy)}; on the true task{' '}
          {acc(a?.queryAccuracy)}.
        </p>
      )}
    </ScreenReaderText>
  );
});

// ---- controls ----

/**
 * The task's controls, in two rows of fixed content: the class row (at most MAX_CLASSES buttons and the classes
 * select) and the points row, so choosing classes or K never reflows what is below.
 */
const Toolbar = memo(function Toolbar() {
  const classes = usePlayground((s) => s.settings.plane.classes);
  const activeClass = usePlayground((s) => s.settings.plane.activeClass);
  const kShot = usePlayground((s) => s.settings.plane.kShot);
  const hasTask = usePlayground((s) => s.settings.plane.task !== null);
  const nPoints = usePlayground((s) => s.settings.plane.points.length);
  const a = usePlayground.getState;
  return (
    <>
      <div className="toolbar plane-toolbar">
        <div className="plane-classes" role="group" aria-label="Class of the next point">
          {d3.range(classes).map((c) => (
            <button
              key={c}
              type="button"
              className="plane-class-button"
              data-testid={`plane-class-${c}`}
              aria-pressed={c === activeClass}
              style={c === activeClass ? { background: CLASS_COLORS[c], borderColor: POINT_OUTLINE, color: '#fff' } : { borderColor: CLASS_COLORS[c] }}
              title={`Clicks add points of ${classLabel(c).toLowerCase()} (key ${c + 1})`}
              onClick={() => a().setActiveClass(c)}
            >
              <span className="swatch" style={{ background: CLASS_COLORS[c] }} />
              {classLabel(c)}
            </button>
          ))}
        </div>
        <label className="inline">
          classes
          <select data-testid="plane-classes" value={classes} onChange={(e) => a().setPlaneClasses(Number(e.target.value))}>
            {d3.range(2, MAX_CLASSES + 1).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="toolbar plane-toolbar">
        <label className="inline">
          K per class
          <select data-testid="plane-kshot" value={kShot} onChange={(e) => a().setPlaneKShot(Number(e.target.value))}>
            {PLANE_K_CHOICES.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="plane-new-task" onClick={() => a().newPlaneTask()}>
          New random task
        </button>
        <button
          type="button"
          data-testid="plane-sample"
          title={hasTask ? undefined : 'Your points left the true task: back to it, with K points per class sampled from it'}
          onClick={() => a().samplePlaneTaskPoints()}
        >
          Sample K points per class
        </button>
        <button type="button" data-testid="plane-clear" disabled={nPoints === 0} onClick={() => a().clearPlanePoints()}>
          Clear points
        </button>
      </div>
    </>
  );
});

/** Which method the large plot shows, at which step, and whether the true boundary is drawn. */
const ViewControls = memo(function ViewControls({ methods, focused, onFocus }: { methods: AlgorithmId[]; focused: AlgorithmId | null; onFocus: (id: AlgorithmId) => void }) {
  const steps = usePlayground((s) => s.settings.steps);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const showTruth = usePlayground((s) => s.settings.showTruth);
  return (
    <>
      <div className="plane-focus" role="group" aria-label="Method whose regions the large plot shows">
        <span className="hint">Regions of</span>
        {methods.map((id) => (
          <button key={id} type="button" className="plane-focus-button" data-testid={`plane-focus-${id}`} aria-pressed={id === focused} onClick={() => onFocus(id)}>
            <MethodName id={id} />
          </button>
        ))}
      </div>
      <div className="plane-view-controls">
        <label className="plane-step">
          <span className="step-label" data-testid="plane-step-label">
            after {plural(selectedStep, 'step')}
          </span>
          <input
            type="range"
            data-testid="plane-step"
            min={0}
            max={steps}
            step={1}
            value={selectedStep}
            aria-label="Adaptation step shown"
            onChange={(e) => usePlayground.getState().setSettings({ selectedStep: Number(e.target.value) })}
          />
        </label>
        <label className="inline">
          <input type="checkbox" data-testid="plane-truth" checked={showTruth} onChange={(e) => usePlayground.getState().setSettings({ showTruth: e.target.checked })} />
          Show true boundary
        </label>
      </div>
    </>
  );
});

// ---- small multiples: every method at every step ----

/** One method at one step, as a small canvas with the support points on it. */
const Thumb = memo(function Thumb({
  method,
  step,
  probs,
  gridN,
  classes,
  points,
  active,
  onPick,
}: {
  method: AlgorithmId;
  step: number;
  /** Props by value (not a Regions object), so memo skips a thumbnail whose probabilities did not change. */
  probs: Float32Array | null;
  gridN: number;
  classes: number;
  points: PlanePoint[];
  active: boolean;
  onPick: (id: AlgorithmId, step: number) => void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  // The regions' pixels are computed when the regions change, not on every point drag (which redraws the dots).
  const image = useMemo(
    () => (probs ? new ImageData(regionPixels(probs, gridN, classes, THUMB_RES, CLASS_COLORS), THUMB_RES, THUMB_RES) : null),
    [probs, gridN, classes],
  );
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    if (!image) {
      ctx.fillStyle = '#eef0f2';
      ctx.fillRect(0, 0, THUMB_RES, THUMB_RES);
    } else {
      ctx.putImageData(image, 0, 0);
    }
    const k = THUMB_RES / (HI - LO);
    for (const p of points) {
      ctx.beginPath();
      ctx.arc((p.x - LO) * k, (HI - p.y) * k, 4.5, 0, 2 * Math.PI);
      ctx.fillStyle = CLASS_COLORS[p.label % CLASS_COLORS.length];
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = POINT_OUTLINE;
      ctx.stroke();
    }
  }, [image, points]);
  const label = `${methodLabel(method)}, step ${step}`;
  return (
    <button
      type="button"
      className={active ? 'plane-thumb active' : 'plane-thumb'}
      aria-pressed={active}
      aria-label={`${label}: show it large`}
      title={label}
      onClick={() => onPick(method, step)}
    >
      {/* The testid is on the canvas itself, so a test can read its pixels (toDataURL); a click on it reaches the button. */}
      <canvas
        ref={ref}
        data-testid={`plane-thumb-${method}-${step}`}
        data-method={method}
        data-step={step}
        data-ready={probs !== null}
        width={THUMB_RES}
        height={THUMB_RES}
        style={{ width: THUMB_CSS, height: THUMB_CSS }}
      />
    </button>
  );
});

const Thumbnails = memo(function Thumbnails({ methods, focused, onPick }: { methods: AlgorithmId[]; focused: AlgorithmId | null; onPick: (id: AlgorithmId, step: number) => void }) {
  // Deferred: new results reach the large plot in one commit and the thumbnails (most of the pixels to colour)
  // in a following one, so the plot the user is working on is not held up by them.
  const results = useDeferredValue(usePlayground(selectPlaneResults));
  const points = usePlayground((s) => s.settings.plane.points);
  const classes = usePlayground((s) => s.settings.plane.classes);
  const steps = usePlayground((s) => s.settings.steps);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const columns = useMemo(() => thumbSteps(steps, selectedStep), [steps, selectedStep]);
  // Regions per (method, step); a thumbnail whose probabilities are the same array is not redrawn.
  const cells = useMemo(
    () => methods.map((id) => columns.map((step) => (results ? regionsOf(results.results[id], results.gridN, classes, step) : null))),
    [methods, columns, results, classes],
  );
  return (
    <div className="plane-thumbs" data-testid="plane-thumbs" style={{ gridTemplateColumns: `auto repeat(${columns.length}, ${THUMB_CSS + 6}px)` }}>
      <span className="plane-thumbs-corner hint">step</span>
      {columns.map((step) => (
        <span key={step} className={step === selectedStep ? 'plane-thumbs-step selected' : 'plane-thumbs-step'}>
          {step}
        </span>
      ))}
      {methods.map((id, m) => (
        <ThumbRow key={id} id={id} columns={columns} cells={cells[m]} points={points} focused={focused} selectedStep={selectedStep} onPick={onPick} />
      ))}
    </div>
  );
});

function ThumbRow({
  id,
  columns,
  cells,
  points,
  focused,
  selectedStep,
  onPick,
}: {
  id: AlgorithmId;
  columns: number[];
  cells: (Regions | null)[];
  points: PlanePoint[];
  focused: AlgorithmId | null;
  selectedStep: number;
  onPick: (id: AlgorithmId, step: number) => void;
}) {
  return (
    <>
      <span className="plane-thumbs-method" data-method={id}>
        <MethodName id={id} />
      </span>
      {columns.map((step, j) => (
        <Thumb
          key={step}
          method={id}
          step={step}
          probs={cells[j]?.probs ?? null}
          gridN={cells[j]?.gridN ?? 0}
          classes={cells[j]?.classes ?? 0}
          points={points}
          active={id === focused && step === selectedStep}
          onPick={onPick}
        />
      ))}
    </>
  );
}

// ---- accuracy before / after, and where each model came from ----

/** A "before → after" cell; data-before / data-after hold the raw fractions (0..1) once there are results. */
function ChangeCell({ testid, values, step, missing }: { testid: string; values: number[] | null | undefined; step: number; missing: string }) {
  if (!values || values.length === 0) {
    return (
      <td className="plane-acc muted" data-testid={testid}>
        {missing}
      </td>
    );
  }
  const before = values[0];
  const after = values[stepIndex(values.length, step)];
  return (
    <td className="plane-acc" data-testid={testid} data-before={before} data-after={after}>
      {formatChange(before, after)}
    </td>
  );
}

const SourceCell = memo(function SourceCell({ id, classes }: { id: AlgorithmId; classes: number }) {
  const key = modelKey(id, { problem: 'plane', classes });
  // sources is keyed by model (modelKey), so a classifier's source never reads as its sinusoid namesake's.
  const source = usePlayground((s) => (s.status.sources as Readonly<Record<string, string | undefined>>)[key]);
  return (
    <td className="source" data-testid={`plane-source-${id}`}>
      {describeSource(source)}
    </td>
  );
});

const AccuracyTable = memo(function AccuracyTable({ methods }: { methods: AlgorithmId[] }) {
  const results = usePlayground(selectPlaneResults);
  const classes = usePlayground((s) => s.settings.plane.classes);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const hasTask = usePlayground((s) => s.settings.plane.task !== null);
  const nPoints = usePlayground((s) => s.settings.plane.points.length);
  return (
    <ScrollRegion label="Accuracy table (scrolls sideways)">
      <table className="plane-acc-table" data-testid="plane-acc-table">
        <thead>
          <tr>
            <th scope="col" className="method-col">
              Method
            </th>
            <th scope="col" title="Accuracy on your points">
              your points
              <br />
              <span className="muted">step 0 → {selectedStep}</span>
            </th>
            <th scope="col" title="Accuracy against the true task, over the whole square">
              true task
              <br />
              <span className="muted">step 0 → {selectedStep}</span>
            </th>
            <th scope="col" className="method-col">
              parameters
            </th>
          </tr>
        </thead>
        <tbody>
          {methods.map((id) => {
            const a = results?.results[id];
            return (
              <tr key={id} data-method={id}>
                <th scope="row">
                  <MethodName id={id} />
                </th>
                <ChangeCell testid={`plane-support-acc-${id}`} values={a?.supportAccuracy} step={selectedStep} missing={!a ? 'computing…' : nPoints === 0 ? 'no points' : '—'} />
                <ChangeCell
                  testid={`plane-task-acc-${id}`}
                  values={hasTask ? a?.queryAccuracy : null}
                  step={selectedStep}
                  missing={!hasTask ? 'none: points off it' : !a ? 'computing…' : '—'}
                />
                <SourceCell id={id} classes={classes} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
});

// ---- notes under the plot ----

function describeTask(task: PlaneTask | null, classes: number): string {
  // The store drops the task when the points leave it (a point in another class's region): the points decide.
  if (!task) return 'Your points left the true task (a point is in another class’s region): scored on your points only, no true-task accuracy. "Sample K points per class" brings the task back.';
  if (task.kind === 'line') return 'True task: two classes split by a straight line.';
  if (task.kind === 'circle') return 'True task: inside a circle versus outside.';
  return `True task: ${classes} classes, each point belongs to its nearest of ${classes} random centres.`;
}

const TaskInfo = memo(function TaskInfo() {
  const task = usePlayground((s) => s.settings.plane.task);
  const classes = usePlayground((s) => s.settings.plane.classes);
  const points = usePlayground((s) => s.settings.plane.points);
  const counts = useMemo(() => d3.range(classes).map((c) => points.filter((p) => p.label === c).length), [points, classes]);
  return (
    <p className="task-info" data-testid="plane-task-info" data-figure-part="">
      {describeTask(task, classes)}
      <span className="muted">
        {' '}
        · {plural(points.length, 'point')}
        {points.length > 0 && ` (${counts.map((n, c) => `${classLabel(c).toLowerCase()}: ${n}`).join(', ')})`}
      </span>
    </p>
  );
});

const DivergenceWarnings = memo(function DivergenceWarnings({ methods }: { methods: AlgorithmId[] }) {
  const results = usePlayground(selectPlaneResults);
  const diverged = methods.flatMap((id) => {
    const at = results?.results[id]?.divergedAt;
    return at === null || at === undefined ? [] : [{ id, at }];
  });
  if (diverged.length === 0) return null;
  return (
    <div className="divergence-warnings" role="alert" data-figure-part="">
      {diverged.map(({ id, at }) => (
        <p key={id} className="warning" data-testid={`plane-diverged-${id}`} data-method={id}>
          ⚠ {divergenceWarning(id, at, 'its regions are grey from there')}
        </p>
      ))}
    </div>
  );
});

const Legend = memo(function Legend() {
  const showTruth = usePlayground((s) => s.settings.showTruth);
  const hasTask = usePlayground((s) => s.settings.plane.task !== null);
  return (
    <p className="hint plane-legend" data-figure-part="">
      Colour: the most likely class, stronger where the model is surer; solid line: the shown method&apos;s decision boundary
      {hasTask && showTruth && <>; dashed: the true boundary</>}. Click adds a point of the chosen class (shift-click: the next
      class, keys 1–5 choose it); drag to move; shift-click or right-click a point to delete it.
    </p>
  );
});

export function PlanePanel() {
  const methods = useShownMethods();
  const [focus, setFocus] = useState<AlgorithmId | null>(null);
  // The focused method, or the first shown one when it is not (or no longer) shown.
  const focused = focus !== null && methods.includes(focus) ? focus : (methods[0] ?? null);
  const onPick = useCallback((id: AlgorithmId, step: number) => {
    setFocus(id);
    usePlayground.getState().setSettings({ selectedStep: step });
  }, []);
  return (
    <section className="panel plane-panel" data-testid="plane-panel" aria-labelledby="plane-panel-title">
      <div className="panel-head">
        <h2 id="plane-panel-title">Your classification task</h2>
        <ExportMenu panel="plane" />
      </div>
      <Toolbar />
      <ViewControls methods={methods} focused={focused} onFocus={setFocus} />
      <div className="plane-body">
        <Plot method={focused} />
        <div className="plane-side" data-figure-part="">
          <h3>Every method, before and after each step</h3>
          <Thumbnails methods={methods} focused={focused} onPick={onPick} />
          <AccuracyTable methods={methods} />
        </div>
      </div>
      <DivergenceWarnings methods={methods} />
      <TaskInfo />
      <Legend />
    </section>
  );
}

export default PlanePanel;

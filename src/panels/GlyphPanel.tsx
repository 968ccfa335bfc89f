/**
 * The glyph playground (issue 4): draw N new characters, K examples each, on small pads; each shown method
 * adapts to them in a few steps and classifies the drawings in the bottom row, with its class probabilities
 * before adaptation (step 0) and after the step chosen in the toolbar. "Fill from the generator" draws a whole
 * episode (with the true class of each drawing to classify, so the panel can mark right and wrong).
 *
 * Drawing: a stroke per pointerdown..pointerup (mouse, pen or touch), stored on pointerup in [0, 1]^2 of the
 * pad's CSS box (y down). Nothing drawn is ever dropped: a pad whose drawing cannot be used yet gets a red
 * outline and a line in the list above the pads, and keeps its ink.
 *
 * Layout is fixed (pad sizes, a scrolling problem list of fixed height, result rows reserved before results
 * arrive), so drawing on one pad never moves another. Each pad subscribes to its own drawing only.
 */
import { memo, useCallback, useEffect, useMemo, useRef } from 'react';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { modelKey } from '../meta/contracts/checkpoint';
import { drawingProblem, GLYPH_SIZE, rasterize, type Point2, type Stroke } from '../meta/contracts/tasks/glyphs';
import { GLYPH_K_CHOICES, glyphSupportProblems, MAX_CLASSES, MAX_GLYPH_QUERIES, queryLabel, type GlyphQuery } from '../state/classification';

/** The glyph episodes' sizes offered (2..MAX_CLASSES characters). */
const GLYPH_N_CHOICES = Array.from({ length: MAX_CLASSES - 1 }, (_, i) => i + 2);
import { divergenceAdvice } from '../state/notices';
import { appliesTo, usePlayground, type ClassResults } from '../state/store';
import { formatPct, matching, stepIndex } from './classPlots';
import { CLASS_COLORS, METHOD_COLORS, methodLabel, plural } from './theme';
import { ExportMenu } from './ExportMenu';
import { LegendName } from './MethodLegend';
import type { ClassAdaptation } from '../meta/contracts/types';
import { ScrollRegion } from './ScrollRegion';

// ---------------------------------------------------------------------------------------------------------
// Pure helpers (unit-tested in tests/unit/glyph-panel.test.ts)
// ---------------------------------------------------------------------------------------------------------

/** Index of the largest finite value, or -1 when there is none (a diverged model's NaNs). */
export function argmax(row: ArrayLike<number>): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (Number.isFinite(v) && v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/** Row `row` of a [rows x classes] row-major probability matrix, as plain numbers (null when out of range). */
export function probabilityRow(probs: Float32Array | undefined, row: number, classes: number): number[] | null {
  if (!probs || row < 0 || classes <= 0 || (row + 1) * classes > probs.length) return null;
  return Array.from(probs.subarray(row * classes, (row + 1) * classes));
}


/**
 * The classification results when they belong to this glyph playground (problem and classes match, every
 * classified query still exists), else null.
 */
export function glyphResultsFor(results: ClassResults | null, classes: number, queries: readonly GlyphQuery[]): ClassResults | null {
  const r = matching(results, 'glyphs', classes);
  if (!r) return null;
  // Computed for other drawings to classify (one was removed or redrawn since): wait for the new answer.
  if (r.queries !== undefined && r.queries !== queries) return null;
  if (r.queryIndices.some((i) => !Number.isInteger(i) || i < 0 || i >= queries.length)) return null;
  return r;
}

/**
 * Accuracy of one method at one step on the classified queries whose class is known (the generator's):
 * null when none is labelled or the step was not computed.
 */
export function labelledQueryAccuracy(
  a: ClassAdaptation,
  step: number,
  classes: number,
  queryIndices: readonly number[],
  labels: readonly (number | null)[],
): { correct: number; total: number; accuracy: number } | null {
  const probs = a.probabilities[step];
  if (!probs) return null;
  let correct = 0;
  let total = 0;
  queryIndices.forEach((qi, j) => {
    const label = labels[qi];
    if (label === null || label === undefined) return;
    const row = probabilityRow(probs, j, classes);
    if (!row) return;
    total++;
    if (argmax(row) === label) correct++;
  });
  return total === 0 ? null : { correct, total, accuracy: correct / total };
}

/** A pointer position in the pad's CSS box, normalised to [0, 1]^2 (clamped) and rounded to 1/1000. */
export function normalisePoint(clientX: number, clientY: number, rect: { left: number; top: number; width: number; height: number }): Point2 {
  const f = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
  return [f((clientX - rect.left) / (rect.width || 1)), f((clientY - rect.top) / (rect.height || 1))];
}

/** Points closer than this (fraction of the pad, about a CSS pixel) to the last one are not stored. */
export const MIN_POINT_STEP = 0.012;

/** Appends p to a stroke unless it is within MIN_POINT_STEP of its last point; says whether it did. */
export function extendStroke(stroke: Stroke, p: Point2): boolean {
  const last = stroke[stroke.length - 1];
  if (last && Math.hypot(p[0] - last[0], p[1] - last[1]) < MIN_POINT_STEP) return false;
  stroke.push(p);
  return true;
}


// ---------------------------------------------------------------------------------------------------------
// Geometry and small shared pieces
// ---------------------------------------------------------------------------------------------------------

/** Drawing pads: CSS pixels (fixed; the browser tests draw at positions computed from it). */
const PAD = 84;
/** The model's view of a drawing: GLYPH_SIZE pixels at one CSS pixel each. */
const PREVIEW = GLYPH_SIZE;
const INK = '#1a1a1a';
const PEN_CSS_WIDTH = 3.5;
/** The probability bars: each group (before / after) is BAR_W wide and BAR_H tall. */
const BAR_W = 62;
const BAR_H = 24;
const BAR_GAP = 2;
/** A pad with its side column (preview and buttons): the support grid's column width. */
const CELL_W = PAD + 36;
const EMPTY: Stroke[] = [];
const NO_LABELS: (number | null)[] = [];

const classColor = (c: number) => CLASS_COLORS[c % CLASS_COLORS.length];

function drawStrokes(ctx: CanvasRenderingContext2D, strokes: readonly Stroke[], size: number) {
  ctx.strokeStyle = INK;
  ctx.fillStyle = INK;
  ctx.lineWidth = PEN_CSS_WIDTH;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const s of strokes) {
    if (s.length === 0) continue;
    if (s.length === 1) {
      ctx.beginPath();
      ctx.arc(s[0][0] * size, s[0][1] * size, PEN_CSS_WIDTH / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.beginPath();
    ctx.moveTo(s[0][0] * size, s[0][1] * size);
    for (let i = 1; i < s.length; i++) ctx.lineTo(s[i][0] * size, s[i][1] * size);
    ctx.stroke();
  }
}

/** Sizes the canvas's backing store for the device pixel ratio and returns a context in CSS pixels. */
function context(canvas: HTMLCanvasElement, size: number): CanvasRenderingContext2D | null {
  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;
  const px = Math.max(1, Math.round(size * dpr));
  if (canvas.width !== px || canvas.height !== px) {
    canvas.width = px;
    canvas.height = px;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(px / size, 0, 0, px / size, 0, 0);
  return ctx;
}

/** What the model sees: the drawing rasterised exactly as the worker will (centred, scaled, GLYPH_SIZE^2). */
const GlyphPreview = memo(function GlyphPreview({ strokes, width, testId }: { strokes: Stroke[]; width: number; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const hasInk = strokes.some((s) => s.length > 0);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    canvas.width = PREVIEW;
    canvas.height = PREVIEW;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(PREVIEW, PREVIEW);
    const ink = hasInk ? rasterize(strokes, width, PREVIEW) : new Float32Array(PREVIEW * PREVIEW);
    for (let i = 0; i < ink.length; i++) {
      const v = Math.round(255 * (1 - Math.min(1, Math.max(0, ink[i]))));
      img.data[4 * i] = v;
      img.data[4 * i + 1] = v;
      img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [strokes, width, hasInk]);
  return (
    <canvas
      ref={ref}
      className="glyph-preview"
      data-testid={testId}
      width={PREVIEW}
      height={PREVIEW}
      title={`What the model sees: ${GLYPH_SIZE} × ${GLYPH_SIZE} pixels`}
      aria-hidden="true"
    />
  );
});

interface DrawPadProps {
  strokes: Stroke[];
  /** Stroke half-width of the rasteriser (for the preview). */
  width: number;
  /** Stores the pad's drawing with one more stroke (reads the newest drawing itself, never a stale copy). */
  onStroke(stroke: Stroke): void;
  onClear(): void;
  testId: string;
  clearTestId: string;
  previewTestId: string;
  label: string;
  /** Why the drawing cannot be used, shown as a red outline and a tooltip; null when it can. */
  problem: string | null;
  /** A second button beside the clear one (the query pads' remove). */
  extra?: React.ReactNode;
}

/** One drawing pad: a canvas to draw on, a preview of what the model sees, and a clear button. */
const DrawPad = memo(function DrawPad({ strokes, width, onStroke, onClear, testId, clearTestId, previewTestId, label, problem, extra }: DrawPadProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const active = useRef<{ pointerId: number; stroke: Stroke } | null>(null);
  const strokesRef = useRef(strokes);
  strokesRef.current = strokes;

  const repaint = useCallback(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const ctx = context(canvas, PAD);
    if (!ctx) return;
    ctx.clearRect(0, 0, PAD, PAD);
    drawStrokes(ctx, strokesRef.current, PAD);
    if (active.current) drawStrokes(ctx, [active.current.stroke], PAD);
  }, []);

  // Redraw whenever the stored drawing changes (a fill from the generator, a clear, the committed stroke).
  useEffect(repaint, [strokes, repaint]);

  const point = (e: React.PointerEvent<HTMLCanvasElement> | PointerEvent): Point2 | null => {
    const canvas = ref.current;
    return canvas ? normalisePoint(e.clientX, e.clientY, canvas.getBoundingClientRect()) : null;
  };

  const finish = useCallback(
    (pointerId: number) => {
      const a = active.current;
      if (!a || a.pointerId !== pointerId) return;
      active.current = null;
      const canvas = ref.current;
      if (canvas?.hasPointerCapture(pointerId)) canvas.releasePointerCapture(pointerId);
      // Whatever was drawn is kept, even a stroke cut short by a cancelled pointer.
      if (a.stroke.length > 0) onStroke(a.stroke);
    },
    [onStroke],
  );

  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    if (active.current) return; // a second finger while drawing is ignored
    const p = point(e);
    if (!p) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    active.current = { pointerId: e.pointerId, stroke: [p] };
    repaint();
  };

  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const a = active.current;
    if (!a || a.pointerId !== e.pointerId) return;
    const events = typeof e.nativeEvent.getCoalescedEvents === 'function' ? e.nativeEvent.getCoalescedEvents() : [];
    const before = a.stroke.length;
    for (const ev of events.length > 0 ? events : [e.nativeEvent]) {
      const p = point(ev);
      if (p) extendStroke(a.stroke, p);
    }
    if (a.stroke.length === before) return;
    const ctx = ref.current && context(ref.current, PAD);
    if (!ctx) return;
    drawStrokes(ctx, [a.stroke.slice(Math.max(0, before - 1))], PAD);
  };

  const onEnd = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const a = active.current;
    if (a && a.pointerId === e.pointerId && e.type === 'pointerup') {
      const p = point(e);
      if (p) extendStroke(a.stroke, p);
    }
    finish(e.pointerId);
  };

  const hasInk = strokes.some((s) => s.length > 0);
  return (
    <div className={`glyph-pad${problem ? ' has-problem' : ''}`}>
      <canvas
        ref={ref}
        className="glyph-canvas"
        data-testid={testId}
        data-strokes={strokes.length}
        data-problem={problem ? (hasInk ? 'unreadable' : 'empty') : undefined}
        width={PAD}
        height={PAD}
        style={{ width: PAD, height: PAD }}
        role="img"
        aria-label={`${label}: draw here${problem ? ` (${problem})` : ''}`}
        title={problem ?? undefined}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onEnd}
        onPointerCancel={onEnd}
        onLostPointerCapture={onEnd}
        onContextMenu={(e) => e.preventDefault()}
      />
      <div className="glyph-pad-side">
        <GlyphPreview strokes={strokes} width={width} testId={previewTestId} />
        <button type="button" className="glyph-pad-button" data-testid={clearTestId} data-figure-skip="" disabled={!hasInk} title={`Clear ${label.toLowerCase()}`} aria-label={`Clear ${label.toLowerCase()}`} onClick={onClear}>
          ⌫
        </button>
        {extra}
      </div>
    </div>
  );
});

// ---------------------------------------------------------------------------------------------------------
// Toolbar, problems
// ---------------------------------------------------------------------------------------------------------

const Toolbar = memo(function Toolbar() {
  const kShot = usePlayground((s) => s.settings.glyphs.kShot);
  const classes = usePlayground((s) => s.settings.glyphs.classes);
  const steps = usePlayground((s) => s.settings.steps);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const a = usePlayground.getState;
  return (
    <div className="toolbar glyph-toolbar">
      <button type="button" data-testid="glyph-fill" title="N characters of a new generated alphabet: K drawings of each, and two more of each to classify" onClick={() => a().fillGlyphsFromGenerator()}>
        Fill from the generator
      </button>
      <button type="button" data-testid="glyph-clear" onClick={() => a().clearGlyphs()}>
        Clear all
      </button>
      <label className="inline" title="N: how many characters the episode has (the N-way model classifies them; 5-way is shipped, others train below)">
        N =
        <select data-testid="glyph-classes" value={classes} onChange={(e) => a().setGlyphClasses(Number(e.target.value))}>
          {GLYPH_N_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label className="inline">
        K =
        <select data-testid="glyph-kshot" value={kShot} onChange={(e) => a().setGlyphKShot(Number(e.target.value))}>
          {GLYPH_K_CHOICES.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <span className="hint">examples per character</span>
      </label>
      <label className="inline">
        after
        <select data-testid="glyph-step" value={selectedStep} onChange={(e) => a().setSettings({ selectedStep: Number(e.target.value) })}>
          {Array.from({ length: steps + 1 }, (_, s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {selectedStep === 1 ? 'step' : 'steps'} of adaptation
      </label>
    </div>
  );
});

/** The support set's problems, in a box of fixed height (it scrolls), so the pads below never move. */
const Problems = memo(function Problems({ problems, kShot }: { problems: string[]; kShot: number }) {
  return (
    // Focusable: a long list scrolls inside the box, and the keyboard must reach it (axe: scrollable-region-focusable).
    <div className="glyph-problems-box" aria-live="polite" role="region" aria-label="Support set status" tabIndex={0}>
      {problems.length === 0 ? (
        <p className="glyph-ready" data-testid="glyph-ready">
          ✓ Every character has its {plural(kShot, 'drawing')}: each method adapts to them and classifies the drawings below.
        </p>
      ) : (
        <>
          <p className="glyph-waiting" data-testid="glyph-waiting">
            Adaptation waits for a usable support set (what you drew is kept):
          </p>
          <ul className="glyph-problems" data-testid="glyph-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
});

// ---------------------------------------------------------------------------------------------------------
// The support pads
// ---------------------------------------------------------------------------------------------------------

const SupportPad = memo(function SupportPad({ c, k }: { c: number; k: number }) {
  const strokes = usePlayground((s) => s.settings.glyphs.support[c]?.[k] ?? EMPTY);
  const width = usePlayground((s) => s.settings.glyphs.width);
  const problem = useMemo(() => drawingProblem(strokes), [strokes]);
  const onStroke = useCallback(
    (stroke: Stroke) => {
      const st = usePlayground.getState();
      const current = st.settings.glyphs.support[c]?.[k] ?? EMPTY;
      st.setGlyphDrawing(c, k, [...current, stroke]);
    },
    [c, k],
  );
  const onClear = useCallback(() => usePlayground.getState().setGlyphDrawing(c, k, []), [c, k]);
  return (
    <DrawPad
      strokes={strokes}
      width={width}
      onStroke={onStroke}
      onClear={onClear}
      testId={`glyph-pad-${c}-${k}`}
      clearTestId={`glyph-pad-clear-${c}-${k}`}
      previewTestId={`glyph-preview-${c}-${k}`}
      label={`Character ${c + 1}, example ${k + 1}`}
      problem={problem}
    />
  );
});

const SupportGrid = memo(function SupportGrid() {
  const classes = usePlayground((s) => s.settings.glyphs.classes);
  const kShot = usePlayground((s) => s.settings.glyphs.kShot);
  return (
    // One column per character (its name, then its K pads); the columns wrap onto more rows on a narrow screen.
    <div className="glyph-support" data-testid="glyph-support" data-figure-part="">
      {Array.from({ length: classes }, (_, c) => (
        <div key={c} className="glyph-class-col" style={{ width: CELL_W }}>
          <div className="glyph-class-head" data-testid={`glyph-class-${c}`}>
            <span className="swatch" style={{ background: classColor(c) }} />
            Character {c + 1}
          </div>
          {Array.from({ length: kShot }, (_, k) => (
            <div key={k} className="glyph-cell" style={{ borderLeftColor: classColor(c) }}>
              <SupportPad c={c} k={k} />
            </div>
          ))}
        </div>
      ))}
    </div>
  );
});

// ---------------------------------------------------------------------------------------------------------
// The drawings to classify, with each method's class probabilities
// ---------------------------------------------------------------------------------------------------------

/** N bars, one per class (coloured by class), heights the probabilities; the true class marked under its bar. */
function Bars({ probs, label, pred }: { probs: number[] | null; label: number | null; pred: number }) {
  const n = probs?.length ?? 0;
  const bw = n > 0 ? (BAR_W - (n - 1) * BAR_GAP) / n : 0;
  return (
    <svg className="glyph-bars" width={BAR_W} height={BAR_H + 5} aria-hidden="true">
      <rect x={0} y={0} width={BAR_W} height={BAR_H} fill="#f3f4f6" />
      {probs?.map((p, c) => {
        const h = Number.isFinite(p) ? Math.max(0, Math.min(1, p)) * BAR_H : 0;
        const x = c * (bw + BAR_GAP);
        return (
          <g key={c}>
            <rect x={x} y={BAR_H - h} width={bw} height={h} fill={classColor(c)} stroke={c === pred ? INK : 'none'} strokeWidth={c === pred ? 1 : 0} />
            {c === label && <rect x={x} y={BAR_H + 1.5} width={bw} height={3} fill={INK} />}
          </g>
        );
      })}
    </svg>
  );
}

function Mark({ pred, label }: { pred: number; label: number | null }) {
  if (label === null || pred < 0) return <span className="glyph-mark" />;
  const ok = pred === label;
  return (
    <span className={`glyph-mark ${ok ? 'right' : 'wrong'}`} title={ok ? 'right' : `wrong: it is character ${label + 1}`}>
      {ok ? '✓' : '✗'}
    </span>
  );
}

const QueryProbs = memo(function QueryProbs({ method, i, label, usable }: { method: AlgorithmId; i: number; label: number | null; usable: boolean }) {
  const classification = usePlayground((s) => s.results.classification);
  const classes = usePlayground((s) => s.settings.glyphs.classes);
  const queries = usePlayground((s) => s.settings.glyphs.queries);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const r = usable ? glyphResultsFor(classification, classes, queries) : null;
  const a = r?.results[method];
  const j = r ? r.queryIndices.indexOf(i) : -1;
  const step = a ? stepIndex(a.probabilities.length, selectedStep) : 0;
  const before = a && j >= 0 ? probabilityRow(a.probabilities[0], j, classes) : null;
  const after = a && j >= 0 ? probabilityRow(a.probabilities[step], j, classes) : null;
  const name = methodLabel(method);
  if (!before || !after) {
    return (
      <div className="glyph-probs-row empty" data-method={method} title={`${name}: no prediction yet`}>
        <span className="glyph-method-tick" style={{ background: METHOD_COLORS[method] }} />
        <span className="muted glyph-probs-none">—</span>
      </div>
    );
  }
  const predBefore = argmax(before);
  const predAfter = argmax(after);
  const pct = (v: number[]) => v.map((p, c) => `${c + 1}: ${formatPct(p)}`).join(', ');
  return (
    <div
      className="glyph-probs-row"
      data-testid={`glyph-probs-${method}-${i}`}
      data-method={method}
      data-step={step}
      data-before={JSON.stringify(before)}
      data-after={JSON.stringify(after)}
      data-pred-before={predBefore}
      data-pred-after={predAfter}
      data-label={label ?? undefined}
      title={`${name}, class probabilities before adaptation (${pct(before)}) and after ${plural(step, 'step')} (${pct(after)})`}
    >
      <span className="glyph-method-tick" style={{ background: METHOD_COLORS[method] }} />
      <Bars probs={before} label={label} pred={predBefore} />
      <Mark pred={predBefore} label={label} />
      <Bars probs={after} label={label} pred={predAfter} />
      <Mark pred={predAfter} label={label} />
    </div>
  );
});

const QueryCell = memo(function QueryCell({ i, methods, usable }: { i: number; methods: AlgorithmId[]; usable: boolean }) {
  const query = usePlayground((s) => s.settings.glyphs.queries[i]) as GlyphQuery | undefined;
  const width = usePlayground((s) => s.settings.glyphs.width);
  const classes = usePlayground((s) => s.settings.glyphs.classes);
  const strokes = query?.strokes ?? EMPTY;
  // A character beyond N (the episode was made smaller) has no class here.
  const label = query ? queryLabel(query, classes) : null;
  const problem = useMemo(() => drawingProblem(strokes), [strokes]);
  const hasInk = strokes.some((s) => s.length > 0);
  const onStroke = useCallback(
    (stroke: Stroke) => {
      const st = usePlayground.getState();
      const current = st.settings.glyphs.queries[i]?.strokes ?? EMPTY;
      st.setGlyphQuery(i, [...current, stroke]);
    },
    [i],
  );
  const onClear = useCallback(() => usePlayground.getState().setGlyphQuery(i, []), [i]);
  const remove = useMemo(
    () => (
      <button
        type="button"
        className="glyph-pad-button"
        data-testid={`glyph-query-remove-${i}`}
        data-figure-skip=""
        title={`Remove drawing ${i + 1}`}
        aria-label={`Remove drawing ${i + 1}`}
        onClick={() => usePlayground.getState().removeGlyphQuery(i)}
      >
        ✕
      </button>
    ),
    [i],
  );
  return (
    <div className="glyph-query" data-label={label ?? undefined}>
      <DrawPad
        strokes={strokes}
        width={width}
        onStroke={onStroke}
        onClear={onClear}
        testId={`glyph-query-${i}`}
        clearTestId={`glyph-query-clear-${i}`}
        previewTestId={`glyph-query-preview-${i}`}
        label={`Drawing ${i + 1} to classify`}
        // An empty pad to classify is not a mistake, just not drawn yet: only unreadable ink is outlined.
        problem={hasInk ? problem : null}
        extra={remove}
      />
      <div className="glyph-query-label" data-testid={`glyph-query-label-${i}`}>
        {label !== null ? (
          <>
            <span className="swatch" style={{ background: classColor(label) }} />
            is character {label + 1}
          </>
        ) : hasInk ? (
          problem ? <span className="glyph-query-bad">too small to read</span> : <span className="muted">your drawing</span>
        ) : (
          <span className="muted">draw a character</span>
        )}
      </div>
      <div className="glyph-probs" style={{ height: methods.length * (BAR_H + 9) }}>
        {methods.map((m) => (
          <QueryProbs key={m} method={m} i={i} label={label} usable={usable} />
        ))}
      </div>
    </div>
  );
});

const Queries = memo(function Queries({ methods, usable }: { methods: AlgorithmId[]; usable: boolean }) {
  const count = usePlayground((s) => s.settings.glyphs.queries.length);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  return (
    <div className="glyph-queries-section" data-figure-part="">
      <h3>Drawings to classify</h3>
      <p className="hint glyph-bars-key">
        Under each drawing, per method: its class probabilities before adaptation (left) and after {plural(selectedStep, 'step')} (right), one bar per
        character in its colour; the outlined bar is the prediction, the mark under a bar the true character.
      </p>
      <div className="glyph-queries" data-testid="glyph-queries">
        {Array.from({ length: count }, (_, i) => (
          <QueryCell key={i} i={i} methods={methods} usable={usable} />
        ))}
        <div className="glyph-query glyph-query-add-cell" data-figure-skip="">
          <button type="button" data-testid="glyph-query-add" disabled={count >= MAX_GLYPH_QUERIES} onClick={() => usePlayground.getState().addGlyphQuery()}>
            Add a drawing to classify
          </button>
        </div>
      </div>
    </div>
  );
});

// ---------------------------------------------------------------------------------------------------------
// Per-method summary
// ---------------------------------------------------------------------------------------------------------

function Accuracy({ testId, before, after, step }: { testId: string; before: number | null; after: number | null; step: number }) {
  return (
    <td className="glyph-acc mono" data-testid={testId} data-before={before ?? ''} data-after={after ?? ''} data-step={step}>
      {formatPct(before)} → <b>{formatPct(after)}</b>
    </td>
  );
}

const MethodSummary = memo(function MethodSummary({ method, usable, hasLabels }: { method: AlgorithmId; usable: boolean; hasLabels: boolean }) {
  const classification = usePlayground((s) => s.results.classification);
  const classes = usePlayground((s) => s.settings.glyphs.classes);
  const queries = usePlayground((s) => s.settings.glyphs.queries);
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const source = usePlayground((s) => s.status.sources[modelKey(method, { problem: 'glyphs', classes })]);
  const labels = useMemo(() => (queries.length === 0 ? NO_LABELS : queries.map((q) => queryLabel(q, classes))), [queries, classes]);
  const r = usable ? glyphResultsFor(classification, classes, queries) : null;
  const a = r?.results[method];
  const step = a ? stepIndex(a.probabilities.length, selectedStep) : 0;
  const supBefore = a?.supportAccuracy[0] ?? null;
  const supAfter = a?.supportAccuracy[step] ?? null;
  const qBefore = a && r ? labelledQueryAccuracy(a, 0, classes, r.queryIndices, labels) : null;
  const qAfter = a && r ? labelledQueryAccuracy(a, step, classes, r.queryIndices, labels) : null;
  return (
    <tr className="glyph-summary" data-method={method} data-testid={`glyph-summary-${method}`}>
      <th scope="row">
        <LegendName id={method} />
      </th>
      <Accuracy testId={`glyph-support-acc-${method}`} before={supBefore} after={supAfter} step={step} />
      {hasLabels && <Accuracy testId={`glyph-query-acc-${method}`} before={qBefore?.accuracy ?? null} after={qAfter?.accuracy ?? null} step={step} />}
      <td className="glyph-source-cell">
        {a && a.divergedAt !== null && (
          <span className="warning glyph-diverged" data-testid={`glyph-diverged-${method}`}>
            ⚠ diverged at step {a.divergedAt}: {divergenceAdvice(method)}
          </span>
        )}
        <span className="muted glyph-source" data-testid={`glyph-source-${method}`} title={source}>
          {source ?? 'not loaded yet'}
        </span>
      </td>
    </tr>
  );
});

const Summary = memo(function Summary({ methods, usable }: { methods: AlgorithmId[]; usable: boolean }) {
  const selectedStep = usePlayground((s) => s.settings.selectedStep);
  const queries = usePlayground((s) => s.settings.glyphs.queries);
  const classes = usePlayground((s) => s.settings.glyphs.classes);
  const hasLabels = queries.some((q) => queryLabel(q, classes) !== null);
  const labelled = useMemo(() => queries.filter((q) => queryLabel(q, classes) !== null && drawingProblem(q.strokes) === null).length, [queries, classes]);
  return (
    <div className="glyph-summary-section" data-figure-part="">
      <h3>Accuracy before adaptation → after {plural(selectedStep, 'step')}</h3>
      {methods.length === 0 ? (
        <p className="muted">Tick a method to compare.</p>
      ) : (
        <ScrollRegion label="Accuracy table (scrolls sideways)">
          <table className="glyph-summaries" data-testid="glyph-summaries">
            <thead>
              <tr>
                <th scope="col">method</th>
                <th scope="col">on your examples</th>
                {hasLabels && <th scope="col">on the {plural(labelled, 'drawing')} of known class</th>}
                <th scope="col">parameters</th>
              </tr>
            </thead>
            <tbody>
              {methods.map((m) => (
                <MethodSummary key={m} method={m} usable={usable} hasLabels={hasLabels} />
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </div>
  );
});

// ---------------------------------------------------------------------------------------------------------
// The panel
// ---------------------------------------------------------------------------------------------------------

export function GlyphPanel() {
  const glyphs = usePlayground((s) => s.settings.glyphs);
  const allMethods = usePlayground((s) => s.settings.methods);
  const problems = useMemo(() => glyphSupportProblems(glyphs), [glyphs]);
  const usable = problems.length === 0;
  const methods = useMemo(() => allMethods.filter((id) => appliesTo(id, 'glyphs')), [allMethods]);
  return (
    <section className="panel glyph-panel" data-testid="glyph-panel" aria-labelledby="glyph-panel-title">
      <div className="panel-head">
        <h2 id="glyph-panel-title">Your characters</h2>
        <ExportMenu panel="glyph" />
      </div>
      <p className="hint glyph-intro">
        Draw {glyphs.classes} new characters, {plural(glyphs.kShot, 'example')} of each (mouse, pen or touch). Each method adapts to them in a few
        gradient steps and classifies the drawings in the bottom row.
      </p>
      <Toolbar />
      <Problems problems={problems} kShot={glyphs.kShot} />
      <SupportGrid />
      <Queries methods={methods} usable={usable} />
      <Summary methods={methods} usable={usable} />
    </section>
  );
}

export default GlyphPanel;

/**
 * Colours and small formatting helpers shared by every panel, so a method looks the same everywhere.
 *
 * Nine methods need nine colours that stay apart, also for the common colour-vision deficiencies: Paul Tol's
 * "muted" scheme (designed for nine qualitative colours, colour-blind safe), its cyan and sand darkened a little
 * to read as 2 px lines on white, and black for the oracle. No nine-colour set keeps every pair far apart under
 * deuteranopia or protanopia, so each method also has its own marker shape (METHOD_MARKERS), a second channel
 * drawn on every curve and in every legend entry; tests/unit/theme.test.ts checks both.
 */
import * as d3 from 'd3';
import { ALGORITHM_INFO, type AlgorithmId, type GradientOrder } from '../meta/contracts/algorithms';

export const METHOD_COLORS: Record<AlgorithmId, string> = {
  maml: '#332288', // indigo
  fomaml: '#6CB8E0', // cyan (darkened)
  reptile: '#44AA99', // teal
  imaml: '#117733', // green
  anil: '#999933', // olive
  metasgd: '#D4B94A', // sand (darkened)
  pretrained: '#CC6677', // rose
  scratch: '#882255', // wine
  oracle: '#000000', // black
};

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross' | 'star' | 'wye' | 'x' | 'asterisk';

/** Each method's marker: the second channel beside its colour (distinct for all nine). */
export const METHOD_MARKERS: Record<AlgorithmId, MarkerShape> = {
  maml: 'circle',
  fomaml: 'triangle',
  reptile: 'square',
  imaml: 'diamond',
  anil: 'star',
  metasgd: 'x',
  pretrained: 'cross',
  scratch: 'wye',
  oracle: 'asterisk',
};

const SYMBOLS: Record<MarkerShape, d3.SymbolType> = {
  circle: d3.symbolCircle,
  square: d3.symbolSquare,
  triangle: d3.symbolTriangle,
  diamond: d3.symbolDiamond,
  cross: d3.symbolCross,
  star: d3.symbolStar,
  wye: d3.symbolWye,
  x: d3.symbolX,
  asterisk: d3.symbolAsterisk,
};

/** Shapes drawn as strokes (they have no area to fill). */
export const STROKED_MARKERS: ReadonlySet<MarkerShape> = new Set(['x', 'asterisk']);

/** Path data of a method's marker centred at (0, 0); `size` is its area in square pixels. */
export function markerPath(id: AlgorithmId, size = 48): string {
  return d3.symbol(SYMBOLS[METHOD_MARKERS[id]], size)() ?? '';
}

/** Fill and stroke of a method's marker: filled (after adaptation, loss charts) or hollow (before). */
export function markerPaint(id: AlgorithmId, hollow = false): { fill: string; stroke: string; strokeWidth: number } {
  const color = METHOD_COLORS[id];
  if (STROKED_MARKERS.has(METHOD_MARKERS[id])) return { fill: 'none', stroke: color, strokeWidth: 2 };
  return hollow ? { fill: '#ffffff', stroke: color, strokeWidth: 1.75 } : { fill: color, stroke: '#ffffff', strokeWidth: 1 };
}

/** Baselines are drawn dashed, meta-learners solid, so the two families read apart at a glance. */
export function methodDash(id: AlgorithmId): string | undefined {
  return ALGORITHM_INFO[id].gradientOrder === 'none' ? '6 3' : undefined;
}

/** How the task panel draws a curve before adaptation: dashed, but wide and opaque enough to read from a projector. */
export const BEFORE_STYLE = { width: 2.25, dash: '5 4', opacity: 0.8 } as const;

/** Opacity of the methods not in focus (a legend entry focuses one method in every panel). */
export const DIMMED_OPACITY = 0.2;

/** The true function (dashed). */
export const TRUTH_COLOR = '#555555';
/** Support points. */
export const POINT_COLOR = '#1a1a1a';
/** Ring around the selected support point. */
export const SELECTED_COLOR = '#D55E00';

export function methodLabel(id: AlgorithmId): string {
  return ALGORITHM_INFO[id].label;
}

const ORDER_TEXT: Record<GradientOrder, string> = {
  second: 'exact 2nd order',
  implicit: 'implicit gradient, CG',
  first: '1st-order approximation',
  none: 'no inner loop',
};

/** "MAML (exact 2nd order)". */
export function methodLabelWithOrder(id: AlgorithmId): string {
  const a = ALGORITHM_INFO[id];
  return `${a.label} (${ORDER_TEXT[a.gradientOrder]})`;
}

export function formatDuration(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How a method adapts, where it differs from plain SGD with the shared alpha: shown beside its legend entry. */
export function adaptationNote(id: AlgorithmId): string | null {
  const a = ALGORITHM_INFO[id];
  if (a.input === 'x+task') return 'told A and φ; does not adapt; needs a true function';
  if (a.learnedRates) return 'adapts with its learned per-parameter rates (α not used)';
  if (a.adapts === 'head') return 'adapts the last layer only';
  if (a.proximal) return 'adapts with its proximal term λ';
  return null;
}

/**
 * Class colours of the classification playgrounds (up to 5 classes): a second palette, apart from the method
 * colours, since a decision-region plot shows both (regions by class, panels by method).
 */
export const CLASS_COLORS = ['#d7301f', '#2b8cbe', '#31a354', '#984ea3', '#ff7f00'];

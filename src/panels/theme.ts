/**
 * Colours and small formatting helpers shared by every panel, so a method looks the same everywhere.
 * Method colours are from the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies).
 */
import { ALGORITHM_INFO, type AlgorithmId, type GradientOrder } from '../meta/contracts/algorithms';

export const METHOD_COLORS: Record<AlgorithmId, string> = {
  maml: '#0072B2', // blue
  fomaml: '#E69F00', // orange
  reptile: '#56B4E9', // sky blue
  imaml: '#CC79A7', // reddish purple
  anil: '#D55E00', // vermillion
  metasgd: '#A89400', // the palette's yellow, darkened to read on white
  pretrained: '#009E73', // bluish green
  scratch: '#8C8C8C', // grey
  oracle: '#000000', // black
};

/** Baselines are drawn dashed, meta-learners solid, so the two families read apart at a glance. */
export function methodDash(id: AlgorithmId): string | undefined {
  return ALGORITHM_INFO[id].gradientOrder === 'none' ? '6 3' : undefined;
}

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

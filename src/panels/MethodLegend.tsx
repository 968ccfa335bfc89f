/**
 * The method legend every panel draws the same way: a list with one entry per shown method (its swatch and name,
 * from MethodName, then whatever the panel says about it: line samples, notes), and the panel's own entries after
 * them (the true function, the points, chance). LineSample is the short stretch of line the entries show.
 */
import { useEffect, type ReactNode } from 'react';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { usePlayground } from '../state/store';
import { MethodName } from './MethodName';
import { markerPaint, markerPath } from './theme';

/** A method's name as legends and summary rows set it (bold, swatch first). */
export function LegendName({ id, label }: { id: AlgorithmId; label?: string }) {
  return (
    <span className="legend-name">
      <MethodName id={id} label={label} />
    </span>
  );
}

export interface MethodLegendProps {
  testId: string;
  methods: readonly AlgorithmId[];
  /** What follows a method's name in its entry. */
  entry?: (id: AlgorithmId) => ReactNode;
  /** Entries after the methods' (each an <li>). */
  children?: ReactNode;
}

/**
 * The focused method (store.focusMethod) as an attribute of the page's root element, so the style sheet dims
 * every other method's curves, bands, markers and legend entries in every panel (styles.css, "focus").
 */
function useFocusAttribute(focus: AlgorithmId | null) {
  useEffect(() => {
    const root = document.documentElement;
    if (focus) root.dataset.focusMethod = focus;
    else delete root.dataset.focusMethod;
  }, [focus]);
}

export function MethodLegend({ testId, methods, entry, children }: MethodLegendProps) {
  const focus = usePlayground((s) => s.focusMethod);
  useFocusAttribute(focus);
  return (
    <ul className="legend" data-testid={testId}>
      {methods.map((id) => (
        <li key={id} data-method={id}>
          {/* Clicking a method's name (or Enter / Space on it) focuses it; doing so again shows all methods. */}
          <button
            type="button"
            className="legend-name legend-focus"
            aria-pressed={focus === id}
            data-testid={`focus-${testId}-${id}`}
            title={focus === id ? 'Show all methods again' : 'Focus this method: dim the others in every panel'}
            onClick={() => usePlayground.getState().setFocusMethod(id)}
          >
            <MethodName id={id} />
          </button>
          {entry?.(id)}
        </li>
      ))}
      {children}
    </ul>
  );
}

export interface LineSampleProps {
  color: string;
  width: number;
  dash?: string;
  opacity?: number;
  /** Space left at each end (a dotted line with round caps would otherwise spill over). */
  inset?: number;
  linecap?: 'round' | 'butt' | 'square';
  /** A method's marker in the middle of the line (hollow: as on a curve before adaptation). */
  marker?: AlgorithmId;
  hollow?: boolean;
}

/** A 30 x 12 stretch of line in a plot's style. */
export function LineSample({ color, width, dash, opacity, inset = 0, linecap, marker, hollow }: LineSampleProps) {
  const paint = marker ? markerPaint(marker, hollow) : null;
  return (
    <svg width="30" height="12" aria-hidden="true">
      <line x1={inset} x2={30 - inset} y1="6" y2="6" stroke={color} strokeWidth={width} strokeDasharray={dash} strokeOpacity={opacity} strokeLinecap={linecap} />
      {marker && paint && <path d={markerPath(marker, 40)} transform="translate(15,6)" fill={paint.fill} stroke={paint.stroke} strokeWidth={paint.strokeWidth} />}
    </svg>
  );
}

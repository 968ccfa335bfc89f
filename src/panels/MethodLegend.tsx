/**
 * The method legend every panel draws the same way: a list with one entry per shown method (its swatch and name,
 * from MethodName, then whatever the panel says about it: line samples, notes), and the panel's own entries after
 * them (the true function, the points, chance). LineSample is the short stretch of line the entries show.
 */
import type { ReactNode } from 'react';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { MethodName } from './MethodName';

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

export function MethodLegend({ testId, methods, entry, children }: MethodLegendProps) {
  return (
    <ul className="legend" data-testid={testId}>
      {methods.map((id) => (
        <li key={id} data-method={id}>
          <LegendName id={id} />
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
}

/** A 30 x 12 stretch of line in a plot's style. */
export function LineSample({ color, width, dash, opacity, inset = 0, linecap }: LineSampleProps) {
  return (
    <svg width="30" height="12" aria-hidden="true">
      <line x1={inset} x2={30 - inset} y1="6" y2="6" stroke={color} strokeWidth={width} strokeDasharray={dash} strokeOpacity={opacity} strokeLinecap={linecap} />
    </svg>
  );
}

/**
 * What the two point-editing plots (the sinusoid's and the plane's) share beyond the editing hook: the touch way
 * to delete a point (a "Delete point" button beside the selected one; a tap selects a point), the prompt on an
 * empty plot, and the plot's essentials as text for a screen reader (the points and each method's result), which
 * the SVG (role="img") does not expose otherwise.
 */
import type { ReactNode } from 'react';
import type { Frame } from './plotGeometry';

/**
 * An HTML button over the plot beside the selected point (px, py in the SVG's units): placed inside the plot's
 * box on whichever side has room, so it is never off screen. The wrapper (.plot-wrap) is position: relative.
 */
export function PointDeleteButton({ frame: f, px, py, onDelete, testId }: { frame: Frame; px: number; py: number; onDelete(): void; testId: string }) {
  const left = (px / f.width) * 100;
  const top = (py / f.height) * 100;
  const side = px > f.width * 0.6 ? 'left' : 'right';
  const vertical = py < f.height * 0.25 ? 'below' : 'above';
  return (
    <button
      type="button"
      className={`point-delete point-delete-${side} point-delete-${vertical}`}
      data-testid={testId}
      style={{ left: `${left}%`, top: `${top}%` }}
      // The plot behind never sees this press (no new point, no drag).
      onPointerDown={(e) => e.stopPropagation()}
      onClick={(e) => {
        e.stopPropagation();
        onDelete();
      }}
    >
      Delete point
    </button>
  );
}

/** A visually hidden block (read by screen readers, referenced by the plot's aria-describedby). */
export function ScreenReaderText({ id, children, testId }: { id: string; children: ReactNode; testId?: string }) {
  return (
    <div id={id} className="sr-only" data-testid={testId}>
      {children}
    </div>
  );
}

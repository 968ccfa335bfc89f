/**
 * A box that scrolls sideways when its content (a wide table, the glyph pads) is wider than the screen: a named
 * region the keyboard can reach (tab to it, then the arrow keys scroll it), so what is past its edge is never out
 * of reach on a phone or for a keyboard user (axe: scrollable-region-focusable).
 */
import type { ReactNode } from 'react';

export function ScrollRegion({ label, className, testId, children }: { label: string; className?: string; testId?: string; children: ReactNode }) {
  return (
    <div className={className ? `table-scroll ${className}` : 'table-scroll'} role="region" aria-label={label} tabIndex={0} data-testid={testId}>
      {children}
    </div>
  );
}

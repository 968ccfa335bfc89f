/**
 * The message over an empty chart ("no method shown", "computing…", "add points to see a loss"): centred on the
 * plotting area, never in the way of a click. Nothing is drawn while there is no message.
 */
import type { Frame } from './plotGeometry';

export function ChartMessage({ frame: f, text, className, testId }: { frame: Frame; text: string | null; className?: string; testId?: string }) {
  if (!text) return null;
  return (
    <text
      className={className ? `chart-empty ${className}` : 'chart-empty'}
      data-testid={testId}
      x={f.left + f.innerWidth / 2}
      y={f.top + f.innerHeight / 2}
      textAnchor="middle"
      pointerEvents="none"
    >
      {text}
    </text>
  );
}

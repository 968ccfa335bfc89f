/** Hit circles under a plot's dots: a finger-sized target around each point, with the dot's own handlers. */
import type { PointEditing } from './usePointEditing';

export function PointHits<P>({ points, toPixel, r, edit }: { points: readonly P[]; toPixel: (p: P) => { px: number; py: number }; r: number; edit: PointEditing }) {
  return (
    <g className="point-hits" fill="transparent">
      {points.map((p, i) => {
        const { px, py } = toPixel(p);
        return <circle key={i} className="point-hit" data-index={i} cx={px} cy={py} r={r} {...edit.handlers(i)} />;
      })}
    </g>
  );
}

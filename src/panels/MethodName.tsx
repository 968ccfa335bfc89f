/** A method as every panel names it: its swatch (its marker in its colour), then its label (or a longer one the caller gives). */
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { markerPaint, markerPath, methodLabel } from './theme';

/** A method's marker in its colour, 14 x 14: the swatch of legends and tables. */
export function MethodSwatch({ id }: { id: AlgorithmId }) {
  const paint = markerPaint(id);
  return (
    <svg className="swatch method-swatch" width="14" height="14" viewBox="-7 -7 14 14" aria-hidden="true" data-marker-method={id}>
      <path d={markerPath(id, 70)} fill={paint.fill} stroke={paint.fill === 'none' ? paint.stroke : 'none'} strokeWidth={paint.strokeWidth} />
    </svg>
  );
}

export function MethodName({ id, label }: { id: AlgorithmId; label?: string }) {
  return (
    <>
      <MethodSwatch id={id} />
      {label ?? methodLabel(id)}
    </>
  );
}

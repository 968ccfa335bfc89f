/** A method as every panel names it: its colour swatch, then its label (or a longer one the caller gives). */
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { METHOD_COLORS, methodLabel } from './theme';

export function MethodName({ id, label }: { id: AlgorithmId; label?: string }) {
  return (
    <>
      <span className="swatch" style={{ background: METHOD_COLORS[id] }} />
      {label ?? methodLabel(id)}
    </>
  );
}

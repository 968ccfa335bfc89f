/** A method's marker at each step of a per-step curve (loss and metric charts): its shape, beside its colour (issue 14). */
import type * as d3 from 'd3';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { markerPaint, markerPath } from './theme';

export function StepMarkers({
  id,
  x,
  y,
  steps,
  values,
  chart,
}: {
  id: AlgorithmId;
  x: (step: number) => number;
  y: d3.ScaleLinear<number, number>;
  steps: number;
  values: number[];
  chart?: string;
}) {
  const [lo, hi] = y.domain();
  const d = markerPath(id, 40);
  const paint = markerPaint(id);
  // At most about 11 markers: every step up to 10 steps, every other one above.
  const every = steps > 10 ? 2 : 1;
  const marks = values.slice(0, steps + 1).flatMap((v, i) => (i % every === 0 && Number.isFinite(v) && v >= lo && v <= hi ? [{ px: x(i), py: y(v) }] : []));
  return (
    <g className="step-markers" data-method={id} data-chart={chart} fill={paint.fill} stroke={paint.stroke} strokeWidth={paint.strokeWidth}>
      {marks.map((m, i) => (
        <path key={i} d={d} transform={`translate(${m.px.toFixed(1)},${m.py.toFixed(1)})`} />
      ))}
    </g>
  );
}

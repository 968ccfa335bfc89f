import * as d3 from 'd3';
import { useEffect, useRef } from 'react';

export interface AxisProps {
  scale: d3.AxisScale<d3.NumberValue>;
  orient: 'bottom' | 'left';
  /** Where the axis line sits (translate of the group). */
  x?: number;
  y?: number;
  ticks?: number;
  tickValues?: number[];
  tickFormat?: (d: d3.NumberValue) => string;
  /** Draw ticks across the plot this long (grid lines), else short ticks. */
  gridSize?: number;
}

/**
 * A d3 axis drawn into a React-owned <g>; redrawn only when what it draws changes: its scale's domain and range,
 * its ticks' values and labels, its grid. A chart that re-renders with an equal scale (a new object, the same
 * numbers: a click's loss chart) leaves its axes alone (issue 17, target 6).
 */
export function Axis({ scale, orient, x = 0, y = 0, ticks, tickValues, tickFormat, gridSize }: AxisProps) {
  const ref = useRef<SVGGElement>(null);
  const drawn = useRef('');
  useEffect(() => {
    if (!ref.current) return;
    const axis = orient === 'bottom' ? d3.axisBottom(scale) : d3.axisLeft(scale);
    if (ticks !== undefined) axis.ticks(ticks);
    if (tickValues) axis.tickValues(tickValues);
    if (tickFormat) axis.tickFormat(tickFormat);
    if (gridSize !== undefined) axis.tickSizeInner(-gridSize).tickSizeOuter(0).tickPadding(8);
    const signature = axisSignature(scale, orient, ticks, tickValues, tickFormat, gridSize);
    if (signature === drawn.current) return;
    drawn.current = signature;
    d3.select(ref.current).call(axis);
  }, [scale, orient, ticks, tickValues, tickFormat, gridSize]);
  return <g ref={ref} className={`axis axis-${orient}${gridSize !== undefined ? ' axis-grid' : ''}`} transform={`translate(${x},${y})`} />;
}

/** What an axis draws, as text: the same text, the same axis. */
function axisSignature(
  scale: d3.AxisScale<d3.NumberValue>,
  orient: AxisProps['orient'],
  ticks: number | undefined,
  tickValues: number[] | undefined,
  tickFormat: AxisProps['tickFormat'],
  gridSize: number | undefined,
): string {
  const s = scale as d3.AxisScale<d3.NumberValue> & { ticks?: (n?: number) => d3.NumberValue[]; tickFormat?: (n?: number) => (d: d3.NumberValue) => string };
  const values: d3.NumberValue[] = tickValues ?? (s.ticks ? s.ticks(ticks) : scale.domain());
  const format = tickFormat ?? (s.tickFormat ? s.tickFormat(ticks) : (d: d3.NumberValue) => String(d));
  return [orient, scale.domain().map(String).join(','), scale.range().join(','), gridSize ?? '', values.map((v) => `${String(v)}:${format(v)}`).join(';')].join('|');
}

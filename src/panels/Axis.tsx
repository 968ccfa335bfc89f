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

/** A d3 axis drawn into a React-owned <g>; redrawn only when its scale or options change. */
export function Axis({ scale, orient, x = 0, y = 0, ticks, tickValues, tickFormat, gridSize }: AxisProps) {
  const ref = useRef<SVGGElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const axis = orient === 'bottom' ? d3.axisBottom(scale) : d3.axisLeft(scale);
    if (ticks !== undefined) axis.ticks(ticks);
    if (tickValues) axis.tickValues(tickValues);
    if (tickFormat) axis.tickFormat(tickFormat);
    if (gridSize !== undefined) axis.tickSizeInner(-gridSize).tickSizeOuter(0).tickPadding(8);
    d3.select(ref.current).call(axis);
  }, [scale, orient, ticks, tickValues, tickFormat, gridSize]);
  return <g ref={ref} className={`axis axis-${orient}${gridSize !== undefined ? ' axis-grid' : ''}`} transform={`translate(${x},${y})`} />;
}

/**
 * What every plot draws around its data: the clip path of the plotting area, the two axes and their labels. The
 * geometry and scales come from plotGeometry.ts; the panel draws its own layers after this, clipped by clipId.
 */
import type * as d3 from 'd3';
import { memo, type ReactNode } from 'react';
import { Axis } from './Axis';
import type { Frame } from './plotGeometry';

export interface AxisOptions {
  ticks?: number;
  tickValues?: number[];
  tickFormat?: (d: d3.NumberValue) => string;
  /** Ticks drawn across the plotting area (grid lines). */
  grid?: boolean;
}

export interface PlotFrameProps {
  frame: Frame;
  x: d3.AxisScale<d3.NumberValue>;
  y: d3.AxisScale<d3.NumberValue>;
  /** Id of the plotting area's clip path (unique in the page). */
  clipId: string;
  /** How far the clip reaches past the plotting area (pixels), so a line along an edge is not cut in half. */
  clipPad?: { top?: number; right?: number; bottom?: number };
  xAxis?: AxisOptions;
  yAxis?: AxisOptions;
  xLabel: ReactNode;
  yLabel: ReactNode;
  yLabelClassName?: string;
  /** Where the labels sit: the x label's baseline this far above the SVG's bottom, the y label this far from its left. */
  labelInset?: { bottom: number; left: number };
  /** Drawn after the axes, under the labels (a zero line). */
  children?: ReactNode;
}

const NO_AXIS: AxisOptions = {};
const LABEL_INSET = { bottom: 6, left: 14 };

export const PlotFrame = memo(function PlotFrame({
  frame: f,
  x,
  y,
  clipId,
  clipPad,
  xAxis = NO_AXIS,
  yAxis = NO_AXIS,
  xLabel,
  yLabel,
  yLabelClassName,
  labelInset = LABEL_INSET,
  children,
}: PlotFrameProps) {
  const pad = { top: clipPad?.top ?? 0, right: clipPad?.right ?? 0, bottom: clipPad?.bottom ?? 0 };
  return (
    <>
      <defs>
        <clipPath id={clipId}>
          <rect x={f.left} y={f.top - pad.top} width={f.innerWidth + pad.right} height={f.innerHeight + pad.top + pad.bottom} />
        </clipPath>
      </defs>
      <Axis
        scale={x}
        orient="bottom"
        y={f.bottom}
        ticks={xAxis.ticks}
        tickValues={xAxis.tickValues}
        tickFormat={xAxis.tickFormat}
        gridSize={xAxis.grid ? f.innerHeight : undefined}
      />
      <Axis
        scale={y}
        orient="left"
        x={f.left}
        ticks={yAxis.ticks}
        tickValues={yAxis.tickValues}
        tickFormat={yAxis.tickFormat}
        gridSize={yAxis.grid ? f.innerWidth : undefined}
      />
      {children}
      <text className="axis-label" x={f.left + f.innerWidth / 2} y={f.height - labelInset.bottom} textAnchor="middle">
        {xLabel}
      </text>
      <text
        className={yLabelClassName ? `axis-label ${yLabelClassName}` : 'axis-label'}
        transform={`translate(${labelInset.left},${f.top + f.innerHeight / 2}) rotate(-90)`}
        textAnchor="middle"
      >
        {yLabel}
      </text>
    </>
  );
});

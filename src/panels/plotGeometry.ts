/**
 * The geometry every plot shares: an SVG of a fixed size with margins around the plotting area, and the mapping
 * between a data domain and that area's pixels (both ways, and from the screen through the SVG's own transform,
 * which CSS may scale). Pure (no React, no document), so it is unit-tested in Node (tests/unit/plot-frame.test.ts);
 * the axes, clip and labels drawn from it are PlotFrame's.
 */
import * as d3 from 'd3';

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** An SVG's size, in its own units, with the plotting area inside the margins. */
export interface Frame {
  width: number;
  height: number;
  margin: Margin;
  /** The plotting area's size. */
  innerWidth: number;
  innerHeight: number;
  /** The plotting area's edges. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** "0 0 width height". */
  viewBox: string;
}

/** A frame of the given outer size. */
export function frame(width: number, height: number, margin: Margin): Frame {
  return {
    width,
    height,
    margin,
    innerWidth: width - margin.left - margin.right,
    innerHeight: height - margin.top - margin.bottom,
    left: margin.left,
    right: width - margin.right,
    top: margin.top,
    bottom: height - margin.bottom,
    viewBox: `0 0 ${width} ${height}`,
  };
}

/** A frame around a plotting area of the given size. */
export function frameAround(innerWidth: number, innerHeight: number, margin: Margin): Frame {
  return frame(margin.left + innerWidth + margin.right, margin.top + innerHeight + margin.bottom, margin);
}

export type Domain = readonly [number, number];

/** Linear scales from the domains onto the plotting area: x left to right, y bottom to top. New scales each call. */
export function frameScales(f: Frame, xDomain: Domain, yDomain: Domain): { x: d3.ScaleLinear<number, number>; y: d3.ScaleLinear<number, number> } {
  return {
    x: d3.scaleLinear().domain([xDomain[0], xDomain[1]]).range([f.left, f.right]),
    y: d3.scaleLinear().domain([yDomain[0], yDomain[1]]).range([f.bottom, f.top]),
  };
}

export interface DataPoint {
  x: number;
  y: number;
}

/** The screen-to-SVG transform's part this needs (DOMMatrix has it); inverse() maps screen to SVG units. */
export interface ScreenMatrix {
  inverse(): { a: number; b: number; c: number; d: number; e: number; f: number };
}

/** An SVG element as far as fromClient reads it. */
export interface ScreenTransformed {
  getScreenCTM(): ScreenMatrix | null;
}

/** A frame with a fixed data domain on it: scales and the conversions a point editor needs. */
export interface DataMap extends Frame {
  xDomain: Domain;
  yDomain: Domain;
  x: d3.ScaleLinear<number, number>;
  y: d3.ScaleLinear<number, number>;
  /** The point moved inside the domain (a point outside it is drawn on its edge). */
  clampPoint(p: DataPoint): DataPoint;
  /** A data point's pixel position (clamped into the domain first). */
  toPixel(p: DataPoint): { px: number; py: number };
  /** SVG units to data, clamped into the domain; null when not finite. */
  toData(px: number, py: number): DataPoint | null;
  /** Screen (client) coordinates to data, through the SVG's current transform; null when there is none. */
  fromClient(svg: ScreenTransformed | null, clientX: number, clientY: number): DataPoint | null;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function dataMap(f: Frame, xDomain: Domain, yDomain: Domain): DataMap {
  const { x, y } = frameScales(f, xDomain, yDomain);
  const clampPoint = (p: DataPoint): DataPoint => ({ x: clamp(p.x, xDomain[0], xDomain[1]), y: clamp(p.y, yDomain[0], yDomain[1]) });
  const toData = (px: number, py: number): DataPoint | null => {
    const p = clampPoint({ x: x.invert(px), y: y.invert(py) });
    return Number.isFinite(p.x) && Number.isFinite(p.y) ? p : null;
  };
  return {
    ...f,
    xDomain,
    yDomain,
    x,
    y,
    clampPoint,
    toPixel(p) {
      const c = clampPoint(p);
      return { px: x(c.x), py: y(c.y) };
    },
    toData,
    fromClient(svg, clientX, clientY) {
      const ctm = svg?.getScreenCTM();
      if (!ctm) return null;
      const m = ctm.inverse();
      return toData(m.a * clientX + m.c * clientY + m.e, m.b * clientX + m.d * clientY + m.f);
    },
  };
}

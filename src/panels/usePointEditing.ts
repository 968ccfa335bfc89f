/**
 * Editing support points on an SVG plot, shared by the sinusoid's task panel and the plane panel: drag a point
 * to move it (pointer capture, so a fast drag never loses it), shift-click or right-click it to delete it, and
 * a selection (the last point grabbed) that the panel can delete from the keyboard. What a move or a delete does
 * to the store, and how screen coordinates become data, is the panel's.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export type ToData = (svg: SVGSVGElement | null, clientX: number, clientY: number) => { x: number; y: number } | null;

export interface PointEditing {
  svgRef: React.RefObject<SVGSVGElement | null>;
  /** The selected point, or null (a selection past the end of the list is none). */
  selected: number | null;
  select(index: number | null): void;
  /** The event handlers of point `index`'s circle. */
  handlers(index: number): {
    onPointerDown(e: React.PointerEvent<SVGCircleElement>): void;
    onPointerMove(e: React.PointerEvent<SVGCircleElement>): void;
    onPointerUp(e: React.PointerEvent<SVGCircleElement>): void;
    onPointerCancel(e: React.PointerEvent<SVGCircleElement>): void;
    onLostPointerCapture(e: React.PointerEvent<SVGCircleElement>): void;
    onClick(e: React.MouseEvent<SVGCircleElement>): void;
    onContextMenu(e: React.MouseEvent<SVGCircleElement>): void;
  };
}

export function usePointEditing(count: number, toData: ToData, move: (index: number, p: { x: number; y: number }) => void, remove: (index: number) => void): PointEditing {
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<{ index: number; pointerId: number } | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  // A selection that no longer exists (points deleted, cleared or resampled) is dropped.
  const sel = selected !== null && selected < count ? selected : null;
  useEffect(() => {
    if (selected !== null && selected >= count) setSelected(null);
  }, [selected, count]);

  const onPointDown = useCallback((e: React.PointerEvent<SVGCircleElement>, index: number) => {
    e.stopPropagation();
    if (e.button !== 0 || e.shiftKey) return; // right button and shift-click delete (below), never drag
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { index, pointerId: e.pointerId };
    setSelected(index);
    svgRef.current?.focus({ preventScroll: true });
  }, []);

  const onPointMove = useCallback(
    (e: React.PointerEvent<SVGCircleElement>) => {
      const d = drag.current;
      if (!d || d.pointerId !== e.pointerId) return;
      const p = toData(svgRef.current, e.clientX, e.clientY);
      if (p) move(d.index, p);
    },
    [toData, move],
  );

  const endDrag = useCallback((e: React.PointerEvent<SVGCircleElement>) => {
    const d = drag.current;
    if (!d || d.pointerId !== e.pointerId) return;
    drag.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  }, []);

  const onPointClick = useCallback(
    (e: React.MouseEvent<SVGCircleElement>, index: number) => {
      // A click on a point (including the one that ends a drag) never reaches the plot area behind it.
      e.stopPropagation();
      if (e.shiftKey) {
        remove(index);
        setSelected(null);
      }
    },
    [remove],
  );

  const onPointContextMenu = useCallback(
    (e: React.MouseEvent<SVGCircleElement>, index: number) => {
      e.preventDefault();
      e.stopPropagation();
      drag.current = null;
      remove(index);
      setSelected(null);
    },
    [remove],
  );

  const handlers = (index: number) => ({
    onPointerDown: (e: React.PointerEvent<SVGCircleElement>) => onPointDown(e, index),
    onPointerMove: onPointMove,
    onPointerUp: endDrag,
    onPointerCancel: endDrag,
    onLostPointerCapture: endDrag,
    onClick: (e: React.MouseEvent<SVGCircleElement>) => onPointClick(e, index),
    onContextMenu: (e: React.MouseEvent<SVGCircleElement>) => onPointContextMenu(e, index),
  });

  return { svgRef, selected: sel, select: setSelected, handlers };
}

/**
 * Editing support points on an SVG plot, shared by the sinusoid's task panel and the plane panel: drag a point
 * to move it (pointer capture, so a fast drag never loses it), shift-click or right-click it to delete it, and
 * a selection (the last point grabbed) that Delete / Backspace removes and Escape drops. The keys are heard on
 * the document while a point is selected, so they work with the plot focused (grabbing a point focuses it) and
 * after focus has moved on, but never while typing in a field. What a move or a delete does to the store, and
 * how screen coordinates become data, is the panel's.
 *
 * Touch: a tap on a point selects it, and the panel shows a "Delete point" button beside it (PointDeleteButton);
 * every point has an invisible hit circle at least HIT_RADIUS_CSS pixels in radius however small the plot is
 * drawn (pxPerUnit: how many CSS pixels one SVG unit is, from the SVG's rendered width).
 */
import { useCallback, useEffect, useRef, useState } from 'react';

/** Whether a key event's target is a field the user types in (its Backspace is not ours). */
export function isEditable(target: EventTarget | null): boolean {
  if (target === null || typeof target !== 'object') return false;
  const t = target as { tagName?: unknown; isContentEditable?: unknown };
  return t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable === true;
}

/** What a key does to the selection: delete the selected point, drop the selection, or nothing. */
export function selectionKeyAction(key: string, target: EventTarget | null, selected: number | null): 'delete' | 'deselect' | null {
  if (selected === null || isEditable(target)) return null;
  if (key === 'Delete' || key === 'Backspace') return 'delete';
  if (key === 'Escape') return 'deselect';
  return null;
}

/** A point's touch target: at least this radius in CSS pixels (a 28 px circle; WCAG 2.5.8 asks for 24). */
export const HIT_RADIUS_CSS = 14;

/** CSS pixels per SVG unit of an SVG drawn with the given viewBox width (1 until it has been laid out). */
export function useSvgScale(svgRef: React.RefObject<SVGSVGElement | null>, viewBoxWidth: number): number {
  const [scale, setScale] = useState(1);
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const update = () => {
      const w = svg.getBoundingClientRect().width;
      if (w > 0) setScale(w / viewBoxWidth);
    };
    // A ResizeObserver calls back once the SVG has been laid out (and on every resize after), when reading its
    // width costs nothing; reading it here, in the effect right after React's commit, forced the whole first
    // screen's layout inside the commit's task (~30 ms of a 50-90 ms long task at start-up, issue 17).
    if (typeof ResizeObserver === 'undefined') return void update();
    const ro = new ResizeObserver(update);
    ro.observe(svg);
    return () => ro.disconnect();
  }, [svgRef, viewBoxWidth]);
  return scale;
}

/** Radius, in SVG units, of a point's hit circle: never under HIT_RADIUS_CSS on screen, never under the dot's own. */
export const hitRadius = (r: number, pxPerUnit: number) => Math.max(r + 2, HIT_RADIUS_CSS / (pxPerUnit > 0 ? pxPerUnit : 1));

export type ToData = (svg: SVGSVGElement | null, clientX: number, clientY: number) => { x: number; y: number } | null;

export interface PointEditing {
  svgRef: React.RefObject<SVGSVGElement | null>;
  /** The selected point, or null (a selection past the end of the list is none). */
  selected: number | null;
  select(index: number | null): void;
  /** Deletes the selected point (the touch way: the panel's "Delete point" button). */
  deleteSelected(): void;
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

  // Delete / Backspace removes the selected point; Escape deselects.
  useEffect(() => {
    if (sel === null) return;
    const onKey = (e: KeyboardEvent) => {
      const action = selectionKeyAction(e.key, e.target, sel);
      if (action === 'delete') {
        e.preventDefault();
        remove(sel);
      }
      if (action !== null) setSelected(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [sel, remove]);

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

  const deleteSelected = useCallback(() => {
    if (sel === null) return;
    remove(sel);
    setSelected(null);
  }, [sel, remove]);

  return { svgRef, selected: sel, select: setSelected, deleteSelected, handlers };
}

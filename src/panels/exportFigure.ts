/**
 * Figure export (issue 14): a panel as a stand-alone SVG (its title, chart titles, plots with their axes, and its
 * legend), as a PNG at twice its on-screen size, and its data as CSV (figureData.ts).
 *
 * The SVG is a snapshot of the panel's layout: every plot <svg> is cloned where it sits on the page (vector, with
 * its viewBox), with the computed styles that matter (stroke, fill, opacity, font) written onto each element, since
 * the style sheet does not travel with the file; the HTML around the plots (headings, captions, the legend) is
 * written as SVG text and shapes at the same places (backgrounds, borders and outlines as rectangles, wrapped text
 * line by line). Raster pieces already in the plots (the plane's regions) are data-URL <image>s and stay
 * embedded; a <canvas> (the plane's small multiples, the glyph pads and their previews) becomes such an <image>
 * at its drawn place and size, keeping its data-testid, data-method and data-step. Curves keep their data-method
 * and data-step attributes.
 *
 * A panel names what its figure holds: its plots (svg.plot), headings, captions and legends, and any element
 * marked data-figure-part (the plane's plot and small multiples, the glyph pads, bars and accuracy table).
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Computed properties written onto each cloned SVG element. */
const SVG_STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'paint-order',
] as const;

/** What a figure is made of, found in the panel. */
const PLOT_SELECTOR = 'svg.plot';
const TEXT_SELECTOR = 'h2, figcaption, .legend, [data-figure-part]';
/** Parts of the panel never exported: the export buttons themselves, form controls, and what a panel marks data-figure-skip. */
const SKIP_SELECTOR = '.export-menu, input, select, textarea, [data-figure-skip]';

/** Whether a computed colour paints nothing. */
function clear(color: string): boolean {
  return color === '' || color === 'transparent' || /^rgba\(.*,\s*0(\.0+)?\)$/.test(color);
}

/** Attributes a canvas's image keeps, so a figure's pieces can be told apart. */
const KEPT_ATTRIBUTES = ['data-testid', 'data-method', 'data-step'];

function visible(el: Element): boolean {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return false;
  const cs = getComputedStyle(el);
  return cs.display !== 'none' && cs.visibility !== 'hidden';
}

/** A deep clone of an SVG element with the computed styles written into each element's style attribute. */
function inlineClone(src: SVGElement): SVGElement {
  const out = src.cloneNode(false) as SVGElement;
  const cs = getComputedStyle(src);
  if (cs.display === 'none') return out;
  const style: string[] = [];
  for (const p of SVG_STYLE_PROPS) {
    const v = cs.getPropertyValue(p);
    if (v !== '') style.push(`${p}:${v}`);
  }
  out.setAttribute('style', style.join(';'));
  out.removeAttribute('class');
  if (src.getAttribute('class')) out.setAttribute('data-class', src.getAttribute('class') ?? '');
  for (const child of Array.from(src.childNodes)) {
    if (child.nodeType === Node.ELEMENT_NODE) {
      const el = child as SVGElement;
      if (getComputedStyle(el).display === 'none') continue;
      out.appendChild(inlineClone(el));
    } else if (child.nodeType === Node.TEXT_NODE) out.appendChild(child.cloneNode());
  }
  return out;
}

interface Box {
  left: number;
  top: number;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number | undefined>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, String(v));
  return e;
}

/** An HTML block (a heading, caption or legend) as SVG at its place: its text, inline SVGs and colour swatches. */
function htmlToSvg(root: Element, origin: Box, into: SVGGElement): void {
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = (node.textContent ?? '').replace(/\s+/g, ' ');
      if (text.trim() === '' || !node.parentElement) return;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
      if (rects.length === 0) return;
      const cs = getComputedStyle(node.parentElement);
      const size = parseFloat(cs.fontSize) || 14;
      const opacity = effectiveOpacity(node.parentElement, root);
      // A text that wraps is written line by line, each where the page put it.
      const lines = rects.length > 1 ? wrappedLines(node as Text) : [{ text, r: rects[0] }];
      for (const { text: line, r } of lines) {
        const t = el('text', {
          x: r.left - origin.left,
          // The baseline: the line box's centre plus about a third of the font size.
          y: r.top - origin.top + r.height / 2 + size * 0.35,
          'font-family': cs.fontFamily,
          'font-size': `${size}px`,
          'font-weight': cs.fontWeight,
          'font-style': cs.fontStyle === 'normal' ? undefined : cs.fontStyle,
          fill: cs.color,
          opacity,
        });
        t.textContent = line;
        into.appendChild(t);
      }
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const e = node as Element;
    if (e.matches(SKIP_SELECTOR) || !visible(e)) return;
    const r = e.getBoundingClientRect();
    if (e instanceof HTMLCanvasElement) {
      canvasToSvg(e, origin, effectiveOpacity(e, root), into);
      return;
    }
    if (e instanceof SVGSVGElement) {
      const clone = inlineClone(e) as SVGSVGElement;
      clone.setAttribute('x', String(r.left - origin.left));
      clone.setAttribute('y', String(r.top - origin.top));
      clone.setAttribute('width', String(r.width));
      clone.setAttribute('height', String(r.height));
      const op = effectiveOpacity(e, root);
      if (op !== '1') clone.setAttribute('opacity', op);
      into.appendChild(clone);
      return;
    }
    boxShapes(e, r, origin, effectiveOpacity(e, root), into);
    for (const child of Array.from(e.childNodes)) walk(child);
  };
  walk(root);
}

/** A text node that wraps, as its lines: the words that share a line box, at that line's left. */
function wrappedLines(node: Text): { text: string; r: DOMRect }[] {
  const content = node.textContent ?? '';
  const range = document.createRange();
  const lines: { start: number; end: number; r: DOMRect }[] = [];
  for (const m of content.matchAll(/\S+/g)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    range.setStart(node, start);
    range.setEnd(node, end);
    const r = Array.from(range.getClientRects()).find((x) => x.width > 0);
    if (!r) continue;
    const line = lines.at(-1);
    if (line && Math.abs(r.top - line.r.top) < r.height / 2) line.end = end;
    else lines.push({ start, end, r });
  }
  return lines.map((l) => ({ text: content.slice(l.start, l.end).replace(/\s+/g, ' '), r: l.r }));
}

/**
 * A canvas as a PNG data-URL <image> over its content box (inside its border and padding), at its drawn size,
 * then its frame (the glyph pads' border, a marked pad's outline).
 */
function canvasToSvg(c: HTMLCanvasElement, origin: Box, opacity: string, into: SVGGElement): void {
  const r = c.getBoundingClientRect();
  const cs = getComputedStyle(c);
  const px = (v: string) => parseFloat(v) || 0;
  const left = px(cs.borderLeftWidth) + px(cs.paddingLeft);
  const top = px(cs.borderTopWidth) + px(cs.paddingTop);
  const width = r.width - left - px(cs.borderRightWidth) - px(cs.paddingRight);
  const height = r.height - top - px(cs.borderBottomWidth) - px(cs.paddingBottom);
  const image = el('image', {
    x: r.left - origin.left + left,
    y: r.top - origin.top + top,
    width,
    height,
    href: c.toDataURL('image/png'),
    preserveAspectRatio: 'none',
    opacity: opacity === '1' ? undefined : opacity,
    'image-rendering': cs.imageRendering === 'pixelated' ? 'pixelated' : undefined,
  });
  for (const a of KEPT_ATTRIBUTES) if (c.hasAttribute(a)) image.setAttribute(a, c.getAttribute(a) ?? '');
  into.appendChild(image);
  boxShapes(c, r, origin, opacity, into);
}

/** An HTML element's background, border and outline as SVG rectangles at its place (what CSS paints of its box). */
function boxShapes(e: Element, r: DOMRect, origin: Box, opacity: string, into: SVGGElement): void {
  const cs = getComputedStyle(e);
  const x = r.left - origin.left;
  const y = r.top - origin.top;
  const rx = parseFloat(cs.borderTopLeftRadius) || undefined;
  const op = opacity === '1' ? undefined : opacity;
  // A canvas paints its own background in its image.
  if (!(e instanceof HTMLCanvasElement) && !clear(cs.backgroundColor))
    into.appendChild(el('rect', { x, y, width: r.width, height: r.height, rx, fill: cs.backgroundColor, opacity: op }));
  const sides = (['Top', 'Right', 'Bottom', 'Left'] as const).map((side) => ({
    side,
    width: cs.getPropertyValue(`border-${side.toLowerCase()}-style`) === 'none' ? 0 : parseFloat(cs.getPropertyValue(`border-${side.toLowerCase()}-width`)) || 0,
    color: cs.getPropertyValue(`border-${side.toLowerCase()}-color`),
  }));
  const painted = sides.filter((b) => b.width > 0 && !clear(b.color));
  if (painted.length === 4 && painted.every((b) => b.width === painted[0].width && b.color === painted[0].color)) {
    const w = painted[0].width;
    into.appendChild(el('rect', { x: x + w / 2, y: y + w / 2, width: r.width - w, height: r.height - w, rx, fill: 'none', stroke: painted[0].color, 'stroke-width': w, opacity: op }));
  } else
    for (const b of painted) {
      const strip =
        b.side === 'Top'
          ? { x, y, width: r.width, height: b.width }
          : b.side === 'Bottom'
            ? { x, y: y + r.height - b.width, width: r.width, height: b.width }
            : b.side === 'Left'
              ? { x, y, width: b.width, height: r.height }
              : { x: x + r.width - b.width, y, width: b.width, height: r.height };
      into.appendChild(el('rect', { ...strip, fill: b.color, opacity: op }));
    }
  const ow = cs.outlineStyle === 'none' ? 0 : parseFloat(cs.outlineWidth) || 0;
  if (ow > 0 && !clear(cs.outlineColor)) {
    const off = (parseFloat(cs.outlineOffset) || 0) + ow / 2;
    into.appendChild(el('rect', { x: x - off, y: y - off, width: r.width + 2 * off, height: r.height + 2 * off, fill: 'none', stroke: cs.outlineColor, 'stroke-width': ow, opacity: op }));
  }
}

/** The product of the opacities from an element up to (and including) a root: a dimmed legend entry stays dimmed. */
function effectiveOpacity(e: Element, root: Element): string {
  let o = 1;
  for (let n: Element | null = e; n; n = n.parentElement) {
    o *= parseFloat(getComputedStyle(n).opacity) || (getComputedStyle(n).opacity === '0' ? 0 : 1);
    if (n === root) break;
  }
  return String(Math.round(o * 1000) / 1000);
}

export interface FigureSvg {
  /** The SVG document as text. */
  text: string;
  /** Its size in CSS pixels (the PNG is twice this). */
  width: number;
  height: number;
}

/** A panel's figure as a stand-alone SVG: its heading, chart captions, plots and legend, laid out as on the page. */
export function panelSvg(panel: HTMLElement): FigureSvg {
  const candidates = [...Array.from(panel.querySelectorAll(PLOT_SELECTOR)), ...Array.from(panel.querySelectorAll(TEXT_SELECTOR))].filter(
    (e) => visible(e) && !e.closest(SKIP_SELECTOR),
  );
  // A part inside another (a plot inside a marked block, a heading inside it) is drawn with it, once.
  const parts = candidates.filter((e) => !candidates.some((o) => o !== e && o.contains(e)));
  // Rows of parts (those that overlap vertically, such as two charts side by side), stacked with a small gap:
  // what lies between them on the page (toolbars, notes, tables) is left out, and so is its space.
  const placed = parts.map((p) => ({ p, r: p.getBoundingClientRect() })).sort((a, b) => a.r.top - b.r.top);
  const pad = 8;
  const gap = 10;
  // As wide as the panel on the page (wider only where a part reaches past it, such as a table scrolled sideways).
  const box = panel.getBoundingClientRect();
  const left = Math.min(box.left, Math.min(...placed.map(({ r }) => r.left)) - pad);
  const right = Math.max(box.right, Math.max(...placed.map(({ r }) => r.right)) + pad);
  const rows: { top: number; bottom: number; items: typeof placed }[] = [];
  for (const item of placed) {
    const row = rows.at(-1);
    if (row && item.r.top < row.bottom - 1) {
      row.items.push(item);
      row.bottom = Math.max(row.bottom, item.r.bottom);
    } else rows.push({ top: item.r.top, bottom: item.r.bottom, items: [item] });
  }
  const g = el('g', {});
  let y = pad;
  for (const row of rows) {
    for (const { p } of row.items) htmlToSvg(p, { left, top: row.top - y }, g);
    y += row.bottom - row.top + gap;
  }
  const width = Math.ceil(right - left);
  const height = Math.ceil(y - gap + pad);
  const svg = el('svg', { xmlns: SVG_NS, width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': getComputedStyle(panel).fontFamily });
  svg.appendChild(el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }));
  svg.appendChild(g);
  const text = new XMLSerializer().serializeToString(svg);
  return { text: `<?xml version="1.0" encoding="UTF-8"?>\n${text}`, width, height };
}

/** The SVG drawn at `scale` times its size onto a canvas, as PNG bytes. */
export async function svgToPng(fig: FigureSvg, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([fig.text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the figure could not be drawn'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(fig.width * scale);
    canvas.height = Math.round(fig.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2-D canvas');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Saves a blob under a file name (a download). */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

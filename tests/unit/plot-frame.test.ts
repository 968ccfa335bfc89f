/**
 * The panels' shared pieces: the plot geometry and its data <-> pixel mapping (plotGeometry.ts), the frame drawn
 * from it (PlotFrame), the empty-chart message (ChartMessage), the method legend (MethodLegend), and which keys act
 * on a plot's selected point (usePointEditing's selectionKeyAction).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ChartMessage } from '../../src/panels/ChartMessage';
import { STEP_CHART, stepChartScales } from '../../src/panels/classPlots';
import { LegendName, LineSample, MethodLegend } from '../../src/panels/MethodLegend';
import { PlotFrame } from '../../src/panels/PlotFrame';
import { dataMap, frame, frameAround, frameScales } from '../../src/panels/plotGeometry';
import { METHOD_COLORS } from '../../src/panels/theme';
import { isEditable, selectionKeyAction } from '../../src/panels/usePointEditing';

const MARGIN = { top: 14, right: 18, bottom: 46, left: 52 };

describe('plot geometry', () => {
  it('a frame of an outer size, and one around an inner size, agree', () => {
    const f = frame(640, 380, MARGIN);
    expect(f).toMatchObject({ width: 640, height: 380, innerWidth: 570, innerHeight: 320, left: 52, right: 622, top: 14, bottom: 334, viewBox: '0 0 640 380' });
    const g = frameAround(570, 320, MARGIN);
    expect(g).toEqual(f);
  });

  it('maps the domain onto the plotting area, y upwards', () => {
    const m = dataMap(frame(640, 380, MARGIN), [-5, 5], [-6, 6]);
    expect(m.toPixel({ x: -5, y: -6 })).toEqual({ px: m.left, py: m.bottom });
    expect(m.toPixel({ x: 5, y: 6 })).toEqual({ px: m.right, py: m.top });
    expect(m.toPixel({ x: 0, y: 0 })).toEqual({ px: m.left + m.innerWidth / 2, py: m.top + m.innerHeight / 2 });
    expect(m.x(2.5)).toBeCloseTo(m.left + 0.75 * m.innerWidth, 10);
    expect(m.y(3)).toBeCloseTo(m.bottom - 0.75 * m.innerHeight, 10);
  });

  it('data -> pixels -> data is the identity inside the domain', () => {
    const m = dataMap(frameAround(420, 420, { top: 30, right: 14, bottom: 42, left: 46 }), [-1, 1], [-1, 1]);
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let i = 0; i < 200; i++) {
      const p = { x: rand(), y: rand() };
      const { px, py } = m.toPixel(p);
      const back = m.toData(px, py)!;
      expect(back.x).toBeCloseTo(p.x, 12);
      expect(back.y).toBeCloseTo(p.y, 12);
    }
  });

  it('clamps into the domain both ways, and refuses what is not finite', () => {
    const m = dataMap(frame(640, 380, MARGIN), [-5, 5], [-6, 6]);
    expect(m.toPixel({ x: 40, y: -100 })).toEqual({ px: m.right, py: m.bottom });
    expect(m.clampPoint({ x: -9, y: 7 })).toEqual({ x: -5, y: 6 });
    expect(m.toData(0, 0)).toEqual({ x: -5, y: 6 }); // the SVG's corner, outside the plotting area
    expect(m.toData(m.width, m.height)).toEqual({ x: 5, y: -6 });
    expect(m.toData(NaN, 10)).toBeNull();
  });

  it('screen coordinates reach data through the SVG transform (CSS scaling and page offset)', () => {
    const m = dataMap(frame(640, 380, MARGIN), [-5, 5], [-6, 6]);
    // Shown at half size, its top left corner at (100, 200) on the screen: screen = svg / 2 + (100, 200).
    const svg = { getScreenCTM: () => ({ inverse: () => ({ a: 2, b: 0, c: 0, d: 2, e: -200, f: -400 }) }) };
    const p = { x: 1.25, y: -2.5 };
    const { px, py } = m.toPixel(p);
    const back = m.fromClient(svg, 100 + px / 2, 200 + py / 2)!;
    expect(back.x).toBeCloseTo(p.x, 10);
    expect(back.y).toBeCloseTo(p.y, 10);
    expect(m.fromClient(null, 0, 0)).toBeNull();
    expect(m.fromClient({ getScreenCTM: () => null }, 0, 0)).toBeNull();
  });

  it('step charts: steps along x (at least one), y from 0, rounded out only when asked; scales are fresh each time', () => {
    const a = stepChartScales(0, 0.93, false);
    expect(a.x.domain()).toEqual([0, 1]);
    expect(a.x.range()).toEqual([STEP_CHART.left, STEP_CHART.right]);
    expect(a.y.domain()).toEqual([0, 0.93]);
    expect(a.y.range()).toEqual([STEP_CHART.bottom, STEP_CHART.top]);
    expect(stepChartScales(10, 0.93, true).y.domain()).toEqual([0, 1]);
    const s = frameScales(STEP_CHART, [0, 1], [0, 0.93]);
    s.y.nice(5);
    expect(frameScales(STEP_CHART, [0, 1], [0, 0.93]).y.domain()).toEqual([0, 0.93]);
  });
});

describe('PlotFrame', () => {
  const f = frame(340, 250, { top: 12, right: 12, bottom: 42, left: 56 });
  const m = dataMap(f, [0, 10], [0, 1]);
  const html = (extra: Record<string, unknown>) =>
    renderToStaticMarkup(createElement('svg', null, createElement(PlotFrame, { frame: f, x: m.x, y: m.y, clipId: 'c1', xLabel: 'steps', yLabel: 'MSE', ...extra })));

  it('clips the plotting area, with the padding asked for', () => {
    expect(html({})).toContain('<clipPath id="c1"><rect x="56" y="12" width="272" height="196"></rect></clipPath>');
    expect(html({ clipPad: { top: 2, right: 2, bottom: 2 } })).toContain('<rect x="56" y="10" width="274" height="200">');
  });

  it('draws both axes and places the labels at the inset', () => {
    const out = html({ yLabelClassName: 'axis-label-small', labelInset: { bottom: 8, left: 16 } });
    expect(out).toContain('class="axis axis-bottom" transform="translate(0,208)"');
    expect(out).toContain('class="axis axis-left" transform="translate(56,0)"');
    expect(out).toContain('<text class="axis-label" x="192" y="242" text-anchor="middle">steps</text>');
    expect(out).toContain('<text class="axis-label axis-label-small" transform="translate(16,110) rotate(-90)" text-anchor="middle">MSE</text>');
    expect(html({ yAxis: { grid: true } })).toContain('class="axis axis-left axis-grid"');
  });
});

describe('ChartMessage', () => {
  const f = frame(340, 250, { top: 12, right: 12, bottom: 42, left: 56 });
  it('centres its text on the plotting area, and draws nothing without one', () => {
    expect(renderToStaticMarkup(createElement(ChartMessage, { frame: f, text: null }))).toBe('');
    const out = renderToStaticMarkup(createElement('svg', null, createElement(ChartMessage, { frame: f, text: 'computing…', className: 'plane-plot-status', testId: 'status' })));
    expect(out).toBe('<svg><text class="chart-empty plane-plot-status" data-testid="status" x="192" y="110" text-anchor="middle" pointer-events="none">computing…</text></svg>');
  });
});

describe('MethodLegend', () => {
  it('one entry per method, in order, each its name and what the panel adds; the panel\u2019s entries after', () => {
    const out = renderToStaticMarkup(
      createElement(
        MethodLegend,
        { testId: 'leg', methods: ['maml', 'pretrained'], entry: (id: string) => createElement('em', null, `about ${id}`) },
        createElement('li', { key: 'extra' }, 'points'),
      ),
    );
    expect(out.startsWith('<ul class="legend" data-testid="leg">')).toBe(true);
    // The name is a toggle that focuses the method (issue 14); its swatch is the method's marker in its colour.
    const entries = [
      ...out.matchAll(
        /<li data-method="(\w+)"><button type="button" class="legend-name legend-focus" aria-pressed="false" data-testid="focus-leg-\w+" title="[^"]+"><svg class="swatch method-swatch"[^>]*><path d="[^"]+" fill="([^"]+)"[^>]*><\/path><\/svg>[^<]+<\/button><em>about (\w+)<\/em><\/li>/g,
      ),
    ];
    expect(entries.map((e) => e[1])).toEqual(['maml', 'pretrained']);
    expect(entries.map((e) => e[3])).toEqual(['maml', 'pretrained']);
    expect(entries[0][2]).toBe(METHOD_COLORS.maml);
    expect(out.endsWith('<li>points</li></ul>')).toBe(true);
  });

  it('LegendName takes a longer label; LineSample draws the stroke asked for', () => {
    expect(renderToStaticMarkup(createElement(LegendName, { id: 'maml', label: 'MAML (exact)' }))).toContain('</svg>MAML (exact)</span>');
    const line = renderToStaticMarkup(createElement(LineSample, { color: '#555', width: 1.5, dash: '1.5 4', inset: 2, linecap: 'round' }));
    expect(line).toBe(
      '<svg width="30" height="12" aria-hidden="true"><line x1="2" x2="28" y1="6" y2="6" stroke="#555" stroke-width="1.5" stroke-dasharray="1.5 4" stroke-linecap="round"></line></svg>',
    );
  });
});

describe('selection keys', () => {
  const svg = { tagName: 'svg' } as unknown as EventTarget;
  it('Delete and Backspace delete the selected point, Escape drops the selection', () => {
    expect(selectionKeyAction('Delete', svg, 2)).toBe('delete');
    expect(selectionKeyAction('Backspace', svg, 0)).toBe('delete');
    expect(selectionKeyAction('Escape', svg, 1)).toBe('deselect');
    expect(selectionKeyAction('a', svg, 1)).toBeNull();
    expect(selectionKeyAction('1', null, 1)).toBeNull();
  });

  it('nothing without a selection, and never while typing in a field', () => {
    expect(selectionKeyAction('Delete', svg, null)).toBeNull();
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT']) {
      expect(isEditable({ tagName } as unknown as EventTarget)).toBe(true);
      expect(selectionKeyAction('Backspace', { tagName } as unknown as EventTarget, 0)).toBeNull();
    }
    expect(selectionKeyAction('Delete', { tagName: 'DIV', isContentEditable: true } as unknown as EventTarget, 0)).toBeNull();
    expect(selectionKeyAction('Delete', { tagName: 'BUTTON', isContentEditable: false } as unknown as EventTarget, 0)).toBe('delete');
    expect(isEditable(null)).toBe(false);
  });
});

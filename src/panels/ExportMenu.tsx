/**
 * Three buttons in a panel's header (issue 14): the panel as SVG, as PNG at twice its size, and its data as CSV.
 * File names say what they hold (figureData.figureName): problem, panel, methods and step. The export code itself
 * (figureData, exportFigure) is its own chunk, loaded on the first export: the page starts without it (issue 17).
 */
import { useState } from 'react';
import { usePlayground } from '../state/store';
import type { FigurePanel } from './figureData';

const PANEL_WORDS: Record<FigurePanel, string> = {
  task: 'task panel',
  loss: 'loss panel',
  plane: 'classification plot',
  'class-metrics': 'metrics panel',
  training: 'training chart',
  glyph: 'characters panel',
};

export function ExportMenu({ panel }: { panel: FigurePanel }) {
  const [error, setError] = useState<string | null>(null);
  const what = PANEL_WORDS[panel];
  const run = (kind: 'svg' | 'png' | 'csv') => async (e: React.MouseEvent<HTMLButtonElement>) => {
    setError(null);
    // The panel and the state as clicked, before the code loads.
    const root = e.currentTarget.closest<HTMLElement>('.panel');
    const state = usePlayground.getState();
    try {
      const [{ CSV_BUILDERS, figureName }, { download, panelSvg, svgToPng }] = await Promise.all([import('./figureData'), import('./exportFigure')]);
      const name = `${figureName(state, panel)}.${kind}`;
      if (kind === 'csv') {
        download(new Blob([CSV_BUILDERS[panel](state)], { type: 'text/csv' }), name);
        return;
      }
      if (!root) return;
      const fig = panelSvg(root);
      download(kind === 'svg' ? new Blob([fig.text], { type: 'image/svg+xml' }) : await svgToPng(fig, 2), name);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <span className="export-menu" role="group" aria-label={`Export the ${what}`}>
      <button type="button" data-testid={`export-svg-${panel}`} aria-label={`Download the ${what} as SVG`} title="Vector figure with its legend and axes" onClick={run('svg')}>
        SVG
      </button>
      <button type="button" data-testid={`export-png-${panel}`} aria-label={`Download the ${what} as PNG (2x)`} title="Picture at twice the size on screen" onClick={run('png')}>
        PNG
      </button>
      <button type="button" data-testid={`export-csv-${panel}`} aria-label={`Download the ${what}'s data as CSV`} title="The numbers drawn, as CSV" onClick={run('csv')}>
        CSV
      </button>
      {error && (
        <span className="warning" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

/**
 * Presenter mode and the keyboard (issue 14). Presenter mode is a setting (`present`, in the link as
 * `?present=1`): the app root gets the class `presenter`, and presenter.css lays the page out as one screen with
 * no scrolling (the main plot with its legend and step scrubber, the loss chart, the training progress and its
 * buttons) in a high-contrast theme with projector-sized text, curves and points (CSS variables the panels'
 * SVG read through their classes). The header's buttons and the keys (shortcuts.ts) switch it, and fullscreen.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { PROBLEM_INFO, type ProblemInfo } from '../meta/contracts/problems';
import { useSession } from '../session/context';
import { usePlayground } from '../state/store';
import { handleShortcut, type ShortcutContext } from './shortcuts';
import './presenter.css';

/** Fullscreen on or off, where the browser has it; a refusal (no user gesture, an iframe) becomes a notice. */
export function toggleFullscreen(): void {
  const doc = document as Document & { webkitFullscreenElement?: Element | null };
  if (doc.fullscreenElement ?? doc.webkitFullscreenElement) {
    void doc.exitFullscreen?.().catch(() => undefined);
    return;
  }
  const root = document.documentElement;
  if (typeof root.requestFullscreen !== 'function') {
    usePlayground.getState().notify('info', 'This browser has no fullscreen for pages; its own (F11) works.', 'fullscreen');
    return;
  }
  root.requestFullscreen().catch((e: unknown) => {
    usePlayground.getState().notify('info', `Fullscreen was refused (${e instanceof Error ? e.message : String(e)}); the browser's own (F11) works.`, 'fullscreen');
  });
}

/** Each main panel's name in its export buttons' test ids. */
const EXPORT_PANEL: Record<ProblemInfo['view']['main'], string> = { task: 'task', plane: 'plane', glyphs: 'glyph', update: 'update' };

/** The main panel's SVG export (the export menu's button), if the page has one. */
export function exportMainFigure(): boolean {
  const panel = EXPORT_PANEL[PROBLEM_INFO[usePlayground.getState().settings.problem].view.main];
  const button = document.querySelector<HTMLButtonElement>(`[data-testid="export-svg-${panel}"], [data-testid="export-csv-${panel}"]`);
  if (!button || button.disabled) return false;
  button.click();
  return true;
}

/** Whether the page is in fullscreen now (follows the browser's own changes too). */
function useFullscreen(): boolean {
  const [on, setOn] = useState(() => typeof document !== 'undefined' && document.fullscreenElement != null);
  useEffect(() => {
    const update = () => setOn(document.fullscreenElement != null);
    document.addEventListener('fullscreenchange', update);
    return () => document.removeEventListener('fullscreenchange', update);
  }, []);
  return on;
}

/** The document's key handler: runs the shortcuts table (not while the overlay is open: it has its own keys). */
export function useShortcuts(helpOpen: boolean, toggleHelp: () => void): void {
  const { startTraining, pauseTraining, resumeTraining } = useSession();
  useEffect(() => {
    if (helpOpen) return;
    const ctx: ShortcutContext = {
      state: () => usePlayground.getState(),
      startTraining,
      pauseTraining,
      resumeTraining,
      toggleFullscreen,
      toggleHelp,
      exportFigure: exportMainFigure,
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat && !e.key.startsWith('Arrow')) return;
      if (handleShortcut(e, ctx)) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [helpOpen, toggleHelp, startTraining, pauseTraining, resumeTraining]);
}

/** The header's view buttons: presenter mode, fullscreen, the shortcuts list. */
export function ViewButtons({ onHelp, children }: { onHelp(): void; children?: ReactNode }) {
  const present = usePlayground((s) => s.settings.present);
  const fullscreen = useFullscreen();
  return (
    <div className="view-buttons" role="group" aria-label="View">
      {children}
      <button
        type="button"
        data-testid="presenter-toggle"
        aria-pressed={present}
        title="Plot, loss chart and training on one screen, projector-sized (key P; link flag ?present=1)"
        onClick={() => usePlayground.getState().setSettings({ present: !present })}
      >
        {present ? 'Leave presenter mode' : 'Presenter mode'}
      </button>
      <button type="button" data-testid="fullscreen-toggle" aria-pressed={fullscreen} title="Key F" onClick={toggleFullscreen}>
        {fullscreen ? 'Exit fullscreen' : 'Fullscreen'}
      </button>
      <button type="button" data-testid="shortcuts-open" aria-haspopup="dialog" title="Keyboard shortcuts (key ?)" onClick={onHelp}>
        Keys ?
      </button>
    </div>
  );
}

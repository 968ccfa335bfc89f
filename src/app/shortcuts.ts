/**
 * The page's keyboard shortcuts (issue 14), in one table: the key handler (App) and the `?` overlay
 * (ShortcutsOverlay) both read it, so the overlay lists exactly what the keys do. The keys are heard on the
 * document, so they work with the plot focused, but never while typing in a field (input, select, textarea),
 * never with Ctrl/Alt/Cmd held (the browser's own shortcuts) except Ctrl/Cmd+Z, and not while the overlay is
 * open (it has its own: Escape closes it). Pure apart from what the context does (tests/unit/shortcuts.test.ts).
 */
import { ALGORITHM_INFO } from '../meta/contracts/algorithms';
import { isClassification } from '../meta/contracts/problems';
import { stepScene } from '../panels/lessons/scenes';
import type { PlaygroundState } from '../state/store';

/** What the shortcuts act on: the store's state and intents, the training commands, and the page's own views. */
export interface ShortcutContext {
  state(): PlaygroundState;
  startTraining(): void;
  pauseTraining(): void;
  resumeTraining(): void;
  toggleFullscreen(): void;
  toggleHelp(): void;
  /** Downloads the main panel's figure (its export menu's SVG); false when the page has none to export. */
  exportFigure(): boolean;
}

export interface Shortcut {
  id: string;
  /** KeyboardEvent.key values that run it. */
  keys: readonly string[];
  /** How the overlay writes the keys. */
  display: string;
  /** What it does, in the overlay's words. */
  label: string;
  /**
   * 'learn': only in the Learn mode (a scene shown), and not while a plot or a scrolling box has the focus (there
   * the same keys keep their everyday meaning: the arrows step the scrubber, or scroll). Default: everywhere.
   */
  scope?: 'learn';
  run(ctx: ShortcutContext, key: string): void;
}

/** The selected step (the scrubber's), within 0..steps. */
function setStep(ctx: ShortcutContext, step: (current: number) => number): void {
  const st = ctx.state();
  const { steps, selectedStep } = st.settings;
  st.setSettings({ selectedStep: Math.max(0, Math.min(steps, step(selectedStep))) });
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export const SHORTCUTS: readonly Shortcut[] = [
  {
    id: 'new-task',
    keys: ['n'],
    display: 'N',
    label: 'New random task (the plane: a new task; the characters: a new generated alphabet)',
    run(ctx) {
      ctx.state().newTask();
    },
  },
  {
    id: 'left-half',
    keys: ['l'],
    display: 'L',
    label: 'Points on the left half only: the paper’s striking case (sinusoid)',
    run(ctx) {
      const st = ctx.state();
      // The regression task has a left half; the classification tabs have none.
      if (!isClassification(st.settings.problem) && (st.settings.task !== null || st.leftTask !== null)) st.sampleTaskPoints([-5, 0]);
    },
  },
  { id: 'step-back', keys: ['ArrowLeft'], display: '←', label: 'One step fewer on the scrubber', run: (ctx) => setStep(ctx, (s) => s - 1) },
  { id: 'step-forward', keys: ['ArrowRight'], display: '→', label: 'One step more on the scrubber', run: (ctx) => setStep(ctx, (s) => s + 1) },
  {
    id: 'scene-back',
    keys: ['ArrowLeft', 'PageUp'],
    display: '← or Page Up',
    label: 'Learn mode: the previous scene (with the plot focused, ← steps the scrubber)',
    scope: 'learn',
    run: (ctx) => void stepScene(ctx.state(), -1),
  },
  {
    id: 'scene-forward',
    keys: ['ArrowRight', 'PageDown'],
    display: '→ or Page Down',
    label: 'Learn mode: the next scene (with the plot focused, → steps the scrubber)',
    scope: 'learn',
    run: (ctx) => void stepScene(ctx.state(), 1),
  },
  { id: 'step-digit', keys: DIGITS, display: '0 … 9', label: 'Show the curves after that many steps', run: (ctx, key) => setStep(ctx, () => Number(key)) },
  {
    id: 'train',
    keys: ['t'],
    display: 'T',
    label: 'Start, pause or resume meta-training',
    run(ctx) {
      const st = ctx.state();
      const { trainState, trainStarting } = st.status;
      if (trainStarting) return;
      if (trainState === 'running') ctx.pauseTraining();
      else if (trainState === 'paused') ctx.resumeTraining();
      else if (ALGORITHM_INFO[st.settings.train.algorithm].outer !== 'none') ctx.startTraining();
    },
  },
  {
    id: 'clear',
    keys: ['c'],
    display: 'C',
    label: 'Clear the points (the characters: every drawing)',
    run(ctx) {
      ctx.state().clearAll();
    },
  },
  { id: 'undo', keys: ['u', 'z'], display: 'U or Ctrl+Z', label: 'Undo the last point', run: (ctx) => ctx.state().undoPoint() },
  {
    id: 'present',
    keys: ['p'],
    display: 'P',
    label: 'Presenter mode: plot, loss chart and training on one screen, projector-sized',
    run(ctx) {
      const st = ctx.state();
      st.setSettings({ present: !st.settings.present });
    },
  },
  { id: 'fullscreen', keys: ['f'], display: 'F', label: 'Fullscreen on or off', run: (ctx) => ctx.toggleFullscreen() },
  {
    id: 'export',
    keys: ['e'],
    display: 'E',
    label: 'Export the main plot as SVG',
    run(ctx) {
      if (!ctx.exportFigure()) ctx.state().notify('info', 'This view has no figure to export yet.', 'export');
    },
  },
  { id: 'help', keys: ['?'], display: '?', label: 'This list of shortcuts', run: (ctx) => ctx.toggleHelp() },
];

/** Whether a key event's target is a field the user types in (its keys are not ours). */
export function isTyping(target: EventTarget | null): boolean {
  if (target === null || typeof target !== 'object') return false;
  const t = target as { tagName?: unknown; isContentEditable?: unknown };
  return t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable === true;
}

/** The parts of a KeyboardEvent the table reads. */
export interface KeyLike {
  key: string;
  target: EventTarget | null;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  defaultPrevented?: boolean;
}

/** Whether a key event's target is a plot or a box that scrolls by the arrow keys (or inside one). */
export function isPlotOrScroller(target: EventTarget | null): boolean {
  if (target === null || typeof target !== 'object') return false;
  const t = target as { tagName?: unknown; closest?: (sel: string) => unknown };
  if (t.tagName === 'svg') return true;
  return typeof t.closest === 'function' && t.closest('svg, .table-scroll') !== null;
}

/**
 * The shortcut a key press runs, or null (typing in a field, a browser shortcut, a key not in the table). In the
 * Learn mode (`learning`), a Learn-mode key wins unless a plot or a scrolling box has the focus.
 */
export function shortcutFor(e: KeyLike, learning = false): Shortcut | null {
  if (e.defaultPrevented || isTyping(e.target) || e.altKey) return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const modified = e.ctrlKey === true || e.metaKey === true;
  // Ctrl/Cmd+Z is the one modified key we take (undo); a bare Z is nothing, U is undo.
  if (modified) return key === 'z' ? (SHORTCUTS.find((s) => s.id === 'undo') ?? null) : null;
  if (key === 'z') return null;
  const lesson = learning && !isPlotOrScroller(e.target);
  const hits = SHORTCUTS.filter((s) => s.keys.includes(key));
  return (lesson ? hits.find((s) => s.scope === 'learn') : undefined) ?? hits.find((s) => s.scope !== 'learn') ?? null;
}

/** Runs the key's shortcut; true when one ran (the caller then prevents the key's default). */
export function handleShortcut(e: KeyLike, ctx: ShortcutContext): boolean {
  const s = shortcutFor(e, ctx.state().settings.learn > 0);
  if (!s) return false;
  s.run(ctx, e.key.length === 1 ? e.key.toLowerCase() : e.key);
  return true;
}

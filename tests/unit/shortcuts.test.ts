/**
 * Issue 14, keyboard: one table (src/app/shortcuts.ts) for the key handler and the `?` overlay. Every listed key
 * changes the state it names (on the page's store), none fires while typing in a field or with the browser's
 * modifiers, and the overlay lists every shortcut the issue asks for.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handleShortcut, SHORTCUTS, shortcutFor, type ShortcutContext } from '../../src/app/shortcuts';
import { defaultSettings, initialStatus, usePlayground } from '../../src/state/store';
import { openScene, SCENES } from '../../src/panels/lessons/scenes';

const body = { tagName: 'BODY' } as unknown as EventTarget;
const svg = { tagName: 'svg' } as unknown as EventTarget;

function context() {
  return {
    state: () => usePlayground.getState(),
    startTraining: vi.fn(),
    pauseTraining: vi.fn(),
    resumeTraining: vi.fn(),
    toggleFullscreen: vi.fn(),
    toggleHelp: vi.fn(),
    exportFigure: vi.fn(() => true),
  } satisfies ShortcutContext;
}

const press = (ctx: ShortcutContext, key: string, extra: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; target: EventTarget }> = {}) =>
  handleShortcut({ key, target: svg, ...extra }, ctx);
const st = () => usePlayground.getState();

beforeEach(() => {
  usePlayground.setState({ settings: defaultSettings(), status: initialStatus(), leftTask: null });
});

describe('the shortcuts table', () => {
  it('lists what the issue asks for, each key once', () => {
    const ids = SHORTCUTS.map((s) => s.id);
    for (const id of ['new-task', 'left-half', 'step-back', 'step-forward', 'step-digit', 'train', 'clear', 'undo', 'present', 'fullscreen', 'export', 'help'])
      expect(ids).toContain(id);
    // Each key once per scope: the Learn mode's keys may reuse everyday ones (the arrows), nothing else may.
    for (const scope of [undefined, 'learn']) {
      const keys = SHORTCUTS.filter((s) => s.scope === scope).flatMap((s) => s.keys);
      expect(new Set(keys).size).toBe(keys.length);
    }
    for (const s of SHORTCUTS) expect(s.label.length).toBeGreaterThan(5);
  });

  it('never fires while typing in a field, with Alt, or with Ctrl/Cmd (except Ctrl/Cmd+Z)', () => {
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT']) expect(shortcutFor({ key: 'n', target: { tagName } as unknown as EventTarget })).toBeNull();
    expect(shortcutFor({ key: 'n', target: { tagName: 'DIV', isContentEditable: true } as unknown as EventTarget })).toBeNull();
    expect(shortcutFor({ key: 'n', target: body, altKey: true })).toBeNull();
    expect(shortcutFor({ key: 'r', target: body, ctrlKey: true })).toBeNull();
    expect(shortcutFor({ key: 'f', target: body, metaKey: true })).toBeNull();
    expect(shortcutFor({ key: 'z', target: body, ctrlKey: true })?.id).toBe('undo');
    expect(shortcutFor({ key: 'z', target: body, metaKey: true })?.id).toBe('undo');
    expect(shortcutFor({ key: 'z', target: body })).toBeNull();
    expect(shortcutFor({ key: 'N', target: body })?.id).toBe('new-task');
    expect(shortcutFor({ key: 'n', target: body, defaultPrevented: true })).toBeNull();
    expect(shortcutFor({ key: 'x', target: body })).toBeNull();
  });
});

describe('each shortcut changes the state it names', () => {
  it('N: a new task on each problem', () => {
    const ctx = context();
    const before = st().settings.task;
    expect(press(ctx, 'n')).toBe(true);
    expect(st().settings.task).not.toEqual(before);
    st().setProblem('plane');
    const plane = st().settings.plane.seed;
    press(ctx, 'n');
    expect(st().settings.plane.seed).not.toBe(plane);
    st().setProblem('glyphs');
    st().clearGlyphs();
    press(ctx, 'n');
    expect(st().settings.glyphs.support.flat().some((d) => d.length > 0)).toBe(true);
  });

  it('L: K points on the left half', () => {
    press(context(), 'l');
    const { points, kShot } = st().settings;
    expect(points).toHaveLength(kShot);
    expect(points.every((p) => p.x <= 0)).toBe(true);
  });

  it('arrows and digits: the scrubber step, within 0..steps', () => {
    const ctx = context();
    st().setSettings({ selectedStep: 1, steps: 5 });
    press(ctx, 'ArrowRight');
    expect(st().settings.selectedStep).toBe(2);
    press(ctx, '9');
    expect(st().settings.selectedStep).toBe(5);
    press(ctx, '0');
    press(ctx, 'ArrowLeft');
    expect(st().settings.selectedStep).toBe(0);
    press(ctx, '3');
    expect(st().settings.selectedStep).toBe(3);
  });

  it('C clears, U and Ctrl+Z undo the last point (sinusoid and plane)', () => {
    const ctx = context();
    const pts = st().settings.points;
    press(ctx, 'u');
    expect(st().settings.points).toEqual(pts.slice(0, -1));
    press(ctx, 'z', { ctrlKey: true });
    expect(st().settings.points).toEqual(pts.slice(0, -2));
    press(ctx, 'c');
    expect(st().settings.points).toEqual([]);
    press(ctx, 'u');
    expect(st().settings.points).toEqual([]);
    st().setProblem('plane');
    const plane = st().settings.plane.points;
    press(ctx, 'u');
    expect(st().settings.plane.points).toEqual(plane.slice(0, -1));
    press(ctx, 'c');
    expect(st().settings.plane.points).toEqual([]);
  });

  it('T starts, pauses and resumes training; nothing while Start waits for the worker', () => {
    const ctx = context();
    press(ctx, 't');
    expect(ctx.startTraining).toHaveBeenCalledTimes(1);
    st().setStatus({ trainStarting: true });
    press(ctx, 't');
    expect(ctx.startTraining).toHaveBeenCalledTimes(1);
    st().setStatus({ trainStarting: false, trainState: 'running' });
    press(ctx, 't');
    expect(ctx.pauseTraining).toHaveBeenCalledTimes(1);
    st().setStatus({ trainState: 'paused' });
    press(ctx, 't');
    expect(ctx.resumeTraining).toHaveBeenCalledTimes(1);
    // A baseline with nothing to meta-train: no start.
    st().setStatus({ trainState: 'idle' });
    st().setTrainAlgorithm('scratch');
    press(ctx, 't');
    expect(ctx.startTraining).toHaveBeenCalledTimes(1);
  });

  it('P: presenter mode on and off; F: fullscreen; E: export; ?: the list', () => {
    const ctx = context();
    press(ctx, 'p');
    expect(st().settings.present).toBe(true);
    press(ctx, 'P');
    expect(st().settings.present).toBe(false);
    press(ctx, 'f');
    expect(ctx.toggleFullscreen).toHaveBeenCalledTimes(1);
    press(ctx, 'e');
    expect(ctx.exportFigure).toHaveBeenCalledTimes(1);
    press(ctx, '?');
    expect(ctx.toggleHelp).toHaveBeenCalledTimes(1);
    // Without a figure to export, a notice says so.
    ctx.exportFigure.mockReturnValue(false);
    press(ctx, 'e');
    expect(st().notices.at(-1)?.text).toMatch(/no figure to export/);
  });
});

describe('the Learn mode (issue 15): arrows and Page Up/Down move between scenes', () => {
  const plotChild = { tagName: 'path', closest: (sel: string) => (sel.includes('svg') ? {} : null) } as unknown as EventTarget;
  const scroller = { tagName: 'DIV', closest: (sel: string) => (sel.includes('.table-scroll') ? {} : null) } as unknown as EventTarget;
  const plain = { tagName: 'BUTTON', closest: () => null } as unknown as EventTarget;

  it('in a scene, → and Page Down open the next scene with its state, ← and Page Up the previous; not past either end', () => {
    const ctx = context();
    openScene(st(), 1);
    expect(handleShortcut({ key: 'ArrowRight', target: plain }, ctx)).toBe(true);
    expect(st().settings.learn).toBe(2);
    expect(st().settings.methods).toEqual(['maml', 'pretrained']);
    handleShortcut({ key: 'PageDown', target: body }, ctx);
    expect(st().settings.learn).toBe(3);
    handleShortcut({ key: 'PageUp', target: body }, ctx);
    handleShortcut({ key: 'ArrowLeft', target: body }, ctx);
    expect(st().settings.learn).toBe(1);
    handleShortcut({ key: 'ArrowLeft', target: body }, ctx);
    expect(st().settings.learn).toBe(1);
    openScene(st(), SCENES.length);
    handleShortcut({ key: 'ArrowRight', target: body }, ctx);
    expect(st().settings.learn).toBe(SCENES.length);
  });

  it('with a plot focused the arrows step the scrubber, in a scrolling box they are not taken, outside the Learn mode they step', () => {
    const ctx = context();
    openScene(st(), 2);
    const step = st().settings.selectedStep;
    expect(shortcutFor({ key: 'ArrowRight', target: plotChild }, true)?.id).toBe('step-forward');
    handleShortcut({ key: 'ArrowRight', target: svg }, ctx);
    expect(st().settings.learn).toBe(2);
    expect(st().settings.selectedStep).toBe(step + 1);
    expect(shortcutFor({ key: 'ArrowRight', target: scroller }, true)?.id).toBe('step-forward');
    expect(shortcutFor({ key: 'ArrowRight', target: plain }, true)?.id).toBe('scene-forward');
    expect(shortcutFor({ key: 'ArrowRight', target: plain }, false)?.id).toBe('step-forward');
    expect(shortcutFor({ key: 'PageDown', target: plain }, false)).toBeNull();
    expect(shortcutFor({ key: 'ArrowLeft', target: { tagName: 'INPUT' } as unknown as EventTarget }, true)).toBeNull();
  });
});

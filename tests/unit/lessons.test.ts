/**
 * Issue 15, the Learn mode's scenes (src/panels/lessons/scenes.ts) and their setting (`learn` in the schema): as
 * many scenes as the link's bound; each scene's text short, with no number typed into it (numbers are the live
 * readouts'), its equation valid KaTeX, its source named; each scene's state survives its link unchanged (the
 * link reopens it), and Back / Forward move between scenes with their state, like the problem tabs.
 */
import katex from 'katex';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { openScene, sceneAt, SCENES, sceneSettings, stepScene } from '../../src/panels/lessons/scenes';
import { syncAddress } from '../../src/session/link';
import { LEARN_SCENES, SCHEMA } from '../../src/state/schema';
import { defaultSettings, initialStatus, usePlayground } from '../../src/state/store';
import { parseUrl, serializeSettings } from '../../src/state/url';

const st = () => usePlayground.getState();

beforeEach(() => {
  usePlayground.setState({ settings: defaultSettings(), status: initialStatus(), leftTask: null, notices: [] });
});

describe('the scenes', () => {
  it('are as many as the link allows (learn = 0..LEARN_SCENES), at least the issue\'s ten, with distinct ids', () => {
    expect(SCENES.length).toBe(LEARN_SCENES);
    expect(SCENES.length).toBeGreaterThanOrEqual(10);
    expect(SCHEMA.learn).toMatchObject({ key: 'learn', min: 0, max: SCENES.length, integer: true });
    expect(new Set(SCENES.map((s) => s.id)).size).toBe(SCENES.length);
    expect(sceneAt(0)).toBeNull();
    expect(sceneAt(SCENES.length + 1)).toBeNull();
  });

  it.each(SCENES.map((s, i) => [i + 1, s] as const))('scene %i: at most about 120 words, no typed number, valid KaTeX, a source', (_, scene) => {
    const words = scene.text.join(' ').split(/\s+/).filter(Boolean);
    expect(words.length).toBeLessThanOrEqual(125);
    expect(scene.text.join(' ')).not.toMatch(/\d/);
    expect(() => katex.renderToString(scene.tex, { throwOnError: true, displayMode: true })).not.toThrow();
    expect(scene.source.length).toBeGreaterThan(10);
  });

  it('cite the paper of each method they teach', () => {
    const sources = SCENES.map((s) => s.source).join(' ');
    for (const who of ['Finn', 'Nichol', 'Rajeswaran', 'Li,', 'Raghu']) expect(sources).toContain(who);
  });
});

describe('a scene\'s state', () => {
  it.each(SCENES.map((_, i) => i + 1))('scene %i: opening it sets learn and its state; its link reopens exactly that; reset puts it back', (n) => {
    openScene(st(), n);
    const opened = st().settings;
    expect(opened.learn).toBe(n);
    const reopened = parseUrl(`?${serializeSettings(opened)}`);
    expect(reopened.problems).toEqual([]);
    expect(reopened.settings.learn).toBe(n);
    // The page opens the link's scene with its state (controller.ts): every setting the scene sets comes back
    // exactly (the link itself writes points to 3 decimals).
    const patch = sceneSettings(n, reopened.settings);
    for (const key of Object.keys(patch) as (keyof typeof patch)[]) expect(patch[key], key).toEqual(opened[key]);
    // Play, then reset.
    const plays: Record<string, object> = {
      sinusoid: { points: [] },
      plane: { plane: { ...opened.plane, points: [] } },
      update: { update: { ...opened.update, theta: [0.5, 0.5] } },
    };
    const points = plays[opened.problem];
    st().setSettings({ methods: [], selectedStep: 0, ...points });
    expect(st().settings).not.toEqual(opened);
    openScene(st(), n);
    expect(st().settings).toEqual(opened);
  });

  it('scenes set what they teach: pretrained against MAML after one step on K points; the left half only; the plane; the lecture preset', () => {
    openScene(st(), 2);
    expect(st().settings).toMatchObject({ problem: 'sinusoid', methods: ['maml', 'pretrained'], selectedStep: 1, kShot: 5 });
    expect(st().settings.points).toHaveLength(5);
    openScene(st(), SCENES.findIndex((s) => s.id === 'one-half') + 1);
    expect(st().settings.points.length).toBeGreaterThan(0);
    expect(st().settings.points.every((p) => p.x <= 0)).toBe(true);
    expect(st().settings.task).not.toBeNull();
    openScene(st(), SCENES.findIndex((s) => s.id === 'classification') + 1);
    expect(st().settings.problem).toBe('plane');
    expect(st().settings.train.problem).toBe('plane');
    openScene(st(), SCENES.findIndex((s) => s.id === 'train') + 1);
    expect(st().settings.problem).toBe('sinusoid');
    expect(st().settings.train.metaLr).not.toBe(defaultSettings().train.metaLr);
    openScene(st(), 0);
    expect(st().settings.learn).toBe(0);
    expect(stepScene(st(), 1)).toBe(false); // no scene to step from outside the Learn mode
  });
});

describe('Back and Forward between scenes', () => {
  it('each scene is a history entry; Back reopens the scene before with its state, Forward the next', () => {
    vi.useFakeTimers();
    try {
      const entries = [`?${serializeSettings(st().settings)}`];
      let at = 0;
      const listeners = new Set<() => void>();
      const address = {
        base: () => '',
        search: () => entries[at],
        replace: (q: string) => void (entries[at] = q),
        push: (q: string) => {
          entries.splice(at + 1, entries.length, q);
          at += 1;
        },
        onPop: (l: () => void) => {
          listeners.add(l);
          return () => void listeners.delete(l);
        },
      };
      const go = (d: number) => {
        at += d;
        listeners.forEach((l) => l());
      };
      const stop = syncAddress(usePlayground, address, sceneSettings);
      openScene(st(), 2);
      const two = st().settings;
      openScene(st(), 3);
      vi.advanceTimersByTime(300);
      expect(entries.map((e) => new URLSearchParams(e).get('learn'))).toEqual(['0', '2', '3']);
      st().setSettings({ methods: [] }); // play in scene 3
      go(-1);
      expect(st().settings.learn).toBe(2);
      expect(st().settings.methods).toEqual(two.methods);
      expect(st().settings.points).toEqual(two.points);
      vi.advanceTimersByTime(300);
      expect(entries).toHaveLength(3); // Back made no new entry
      go(1);
      expect(st().settings.learn).toBe(3);
      go(-2);
      expect(st().settings.learn).toBe(0);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

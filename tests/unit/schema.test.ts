/**
 * The settings schema (src/state/schema.ts) is the one place a setting's key, path, codec and bounds live.
 * The property checked here: for every setting, any value the page accepts (a number field's text, a select's
 * choice, a point or drawing at the link's resolution) is kept by the store and survives a shared link
 * unchanged, with no notice. And what the link refuses (non-decimal numbers, repeated keys) is named.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALGORITHM_IDS, TRAIN_SETTINGS } from '../../src/meta/contracts/algorithms';
import { PROBLEM_IDS, type ProblemKind } from '../../src/meta/contracts/config';
import { PROBLEM_INFO } from '../../src/meta/contracts/problems';
import { Rng } from '../../src/meta/contracts/random';
import type { Stroke } from '../../src/meta/contracts/tasks/glyphs';
import { parseField } from '../../src/panels/NumberField';
import {
  fixed,
  getAt,
  MAX_POINTS,
  NUMBER_SETTINGS,
  readDecimal,
  SCHEMA,
  SETTINGS,
  withAt,
  type NumberSetting,
  type Setting,
} from '../../src/state/schema';
import { defaultSettings, initialStatus, trainConfigFor, usePlayground, type Settings } from '../../src/state/store';
import { KNOWN_KEYS, parseUrl, serializeSettings, settingDefault } from '../../src/state/url';

const st = () => usePlayground.getState();

beforeEach(() => {
  usePlayground.setState({ settings: defaultSettings(), status: initialStatus(), notices: [] });
});

/** The settings a number field edits (Controls and the training form): the rest come from selects and buttons. */
const FIELD_PATHS = ['alpha', 'steps', ...TRAIN_SETTINGS.map((k) => `train.${k}`)];

/** Puts a value at a path through the store's own intents (which validate it), as the page does. */
function setInStore(path: string, value: unknown): void {
  const s = st();
  if (path === 'plane.classes') return s.setPlaneClasses(value as number);
  if (path === 'plane.kShot') return s.setPlaneKShot(value as number);
  if (path === 'plane.activeClass') return s.setActiveClass(value as number);
  if (path === 'glyphs.classes') return s.setGlyphClasses(value as number);
  if (path === 'glyphs.kShot') return s.setGlyphKShot(value as number);
  if (path === 'problem') return s.setProblem(value as ProblemKind);
  if (path.startsWith('train.')) return s.setTrainConfig({ [path.slice(6)]: value });
  // The points decide the task (pointsFollow.ts): a task or points tried on their own must not contradict the other.
  if (path === 'task') s.clearPoints();
  if (path === 'points') s.freeHand();
  if (path === 'plane.points') return s.setSettings({ plane: { ...s.settings.plane, task: null, points: value as Settings['plane']['points'] } });
  const top = path.split('.')[0] as keyof Settings;
  s.setSettings({ [top]: withAt(s.settings, path, value)[top] });
}

/** Field texts to try: bounds, values just outside, notations, and random values with many digits. */
function fieldTexts(setting: NumberSetting, rng: Rng): string[] {
  const { min, max } = setting;
  const texts = [String(min), String(max), String(min / 10), String(max * 10), '0', '1', '1e-7', '1e-6', '0.0012345678', '500', '200', '0x5', '0b11', '1e', 'Infinity', '-1', '5.', '.5', '2.5e-7', '1e400'];
  for (let i = 0; i < 40; i++) {
    // Uniform on a log scale for positive ranges (rates span decades), uniform otherwise.
    const v = min > 0 ? Math.exp(rng.uniform(Math.log(min), Math.log(max))) : rng.uniform(min, max);
    texts.push(String(setting.integer ? Math.round(v) : v), v.toPrecision(1 + rng.int(17)), v.toExponential(rng.int(10)));
  }
  return texts;
}

const randomStrokes = (rng: Rng): Stroke[] =>
  Array.from({ length: rng.int(3) }, () => {
    const pts: [number, number][] = [];
    for (let i = 0, n = 1 + rng.int(6); i < n; i++) {
      const p: [number, number] = [rng.int(100) / 99, rng.int(100) / 99];
      // The link drops a point that repeats the one before it.
      if (!pts.length || pts[pts.length - 1].join() !== p.join()) pts.push(p);
    }
    return pts;
  });

// (+ 0: -0 reads back as 0, the same number.)
const at = (decimals: number, v: number) => Number(v.toFixed(decimals)) + 0;

/**
 * Values the page can hold for a setting that no number field edits, at the link's resolution (points to
 * 3 decimals, the task to 4, drawings on the pad's 100 x 100 grid), given the settings s they go into.
 */
function pageValues(setting: Setting, s: Settings, rng: Rng): unknown[] {
  if (setting.kind === 'choice') return [...setting.choices];
  if (setting.kind === 'boolean') return [true, false];
  if (setting.kind === 'number') {
    const { min, max } = setting;
    if (setting.choices) return [...setting.choices];
    const hi = setting.path === 'plane.activeClass' ? s.plane.classes - 1 : max;
    const rand = () => (setting.integer ? min + rng.int(hi - min + 1) : at(setting.decimals ?? 17, rng.uniform(min, hi)));
    return [min, hi, ...Array.from({ length: 10 }, rand)];
  }
  const n = (k: number) => rng.int(k + 1);
  switch (setting.path) {
    case 'task':
      return [null, { amplitude: 0.1, phase: 0 }, { amplitude: 5, phase: 3.1416 }, ...Array.from({ length: 5 }, () => ({ amplitude: at(4, rng.uniform(0.1, 5)), phase: at(4, rng.uniform(0, Math.PI)) }))];
    case 'points':
      return [[], [{ x: -5, y: -1000 }, { x: 5, y: 1000 }], ...Array.from({ length: 5 }, () => Array.from({ length: n(MAX_POINTS) }, () => ({ x: at(3, rng.uniform(-5, 5)), y: at(3, rng.uniform(-1000, 1000)) })))];
    case 'methods':
      return [[], [...ALGORITHM_IDS], ...Array.from({ length: 5 }, () => ALGORITHM_IDS.filter(() => rng.next() < 0.5))];
    case 'plane.points':
      return [[], ...Array.from({ length: 5 }, () => Array.from({ length: n(100) }, () => ({ x: at(3, rng.uniform(-1, 1)), y: at(3, rng.uniform(-1, 1)), label: rng.int(s.plane.classes) })))];
    case 'glyphs.support':
      return Array.from({ length: 4 }, () => Array.from({ length: s.glyphs.classes }, () => Array.from({ length: s.glyphs.kShot }, () => randomStrokes(rng))));
    case 'glyphs.queries':
      return [[], [{ strokes: [], label: null }], ...Array.from({ length: 4 }, () => Array.from({ length: n(12) }, () => ({ strokes: randomStrokes(rng), label: rng.next() < 0.3 ? null : rng.int(5) })))];
    case 'update.theta':
    case 'update.mean': {
      const pt = () => [at(3, rng.uniform(-6, 6)), at(3, rng.uniform(-6, 6))];
      return [[-6, -6], [6, 6], ...Array.from({ length: 5 }, pt)];
    }
    case 'update.optima':
      return [[[0, 0]], [[-6, 6], [6, -6]], ...Array.from({ length: 5 }, () => Array.from({ length: 1 + rng.int(6) }, () => [at(3, rng.uniform(-6, 6)), at(3, rng.uniform(-6, 6))]))];
  }
  throw new Error(`no values for ${setting.path}`);
}

/** Sets the value in the store, checks the store kept it, and returns what a link of the store's settings reads back. */
function throughStoreAndLink(path: string, value: unknown) {
  setInStore(path, value);
  expect(getAt(st().settings, path), `the store keeps ${path} = ${JSON.stringify(value)}`).toEqual(value);
  expect(st().notices).toEqual([]);
  return parseUrl(serializeSettings(st().settings));
}

describe('the settings schema', () => {
  it('files every entry under its own path, with a key of its own, the link knowing them all', () => {
    for (const [path, setting] of Object.entries(SCHEMA)) expect(setting.path).toBe(path);
    const keys = SETTINGS.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(KNOWN_KEYS.has(k)).toBe(true);
    expect([...KNOWN_KEYS].sort()).toEqual([...keys, 'backend', 'engine'].sort());
  });

  it('covers every setting the store holds (except what follows from others) and the training settings', () => {
    const d = defaultSettings();
    const nested = ['train', 'plane', 'glyphs', 'update'] as const;
    const paths = Object.keys(d).flatMap((k) => (nested.includes(k as never) ? Object.keys(d[k as (typeof nested)[number]]).map((f) => `${k}.${f}`) : [k]));
    // The plane's task follows its seed, classes and K; the training problem and classes follow the problem shown
    // (the sinusoid's training config has neither).
    const derived = ['plane.task', 'train.problem', 'train.classes'];
    expect(paths.filter((p) => !derived.includes(p)).sort()).toEqual(Object.keys(SCHEMA).sort());
    expect(Object.keys(SCHEMA).filter((p) => p.startsWith('train.') && p !== 'train.algorithm').sort()).toEqual(TRAIN_SETTINGS.map((k) => `train.${k}`).sort());
  });

  it("lists each problem's own keys as the problem catalog does", () => {
    // `truth` is shared: the sinusoid's true function and the plane's true boundary show and hide with it.
    const catalogOnly: Partial<Record<ProblemKind, string[]>> = {};
    for (const p of PROBLEM_IDS) {
      const own = SETTINGS.filter((s) => s.owner === p).map((s) => s.key);
      const exceptions = catalogOnly[p] ?? [];
      expect(own.sort(), p).toEqual(PROBLEM_INFO[p].urlKeys.filter((k) => !exceptions.includes(k)).sort());
      for (const k of exceptions) {
        expect(PROBLEM_INFO[p].urlKeys, 'the exception is still in the catalog').toContain(k);
        expect(SETTINGS.find((s) => s.key === k)?.owner).toBeNull();
      }
    }
    for (const p of PROBLEM_IDS) for (const k of PROBLEM_INFO[p].urlKeys) expect(KNOWN_KEYS.has(k), k).toBe(true);
  });

  it("takes its defaults from the store, and every default and every problem's training default is within bounds", () => {
    const d = defaultSettings();
    expect(settingDefault(SCHEMA['train.metaLr'])).toBe(d.train.metaLr);
    expect(settingDefault(SCHEMA['glyphs.kShot'])).toBe(d.glyphs.kShot);
    for (const s of NUMBER_SETTINGS) {
      const v = settingDefault(s) as number;
      expect(s.read(s.write(v, d), d), `${s.path} = ${v}`).toEqual({ ok: true, value: v });
    }
    for (const problem of PROBLEM_IDS)
      for (const algorithm of ALGORITHM_IDS) {
        const t = trainConfigFor(algorithm, problem, d);
        for (const k of TRAIN_SETTINGS) {
          const s = SCHEMA[`train.${k}`];
          expect(s.read(s.write(t[k], d), d).ok, `${problem} ${algorithm} ${k} = ${t[k]}`).toBe(true);
        }
        const alpha = PROBLEM_INFO[problem].evaluation.alpha;
        expect(SCHEMA.alpha.read(String(alpha), d).ok).toBe(true);
      }
  });

  it('gives each number field its limits (no field keeps limits of its own)', () => {
    const SRC = resolve(__dirname, '../../src');
    const files: string[] = [];
    const walk = (dir: string) =>
      readdirSync(dir).forEach((f) => (statSync(resolve(dir, f)).isDirectory() ? walk(resolve(dir, f)) : f.endsWith('.tsx') && files.push(resolve(dir, f))));
    walk(SRC);
    const uses = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/<NumberField\b[\s\S]*?\/>/g)].map((m) => m[0]));
    expect(uses.length).toBeGreaterThanOrEqual(2);
    for (const use of uses) {
      expect(use).toMatch(/\bsetting=\{/);
      expect(use).not.toMatch(/\b(min|max|integer)[=\s]/);
    }
  });
});

describe('numbers in the link and in the fields', () => {
  it('reads decimal and scientific notation only', () => {
    for (const [t, v] of [['5', 5], ['-0.25', -0.25], ['.5', 0.5], ['5.', 5], ['1e-7', 1e-7], ['2.5E3', 2500], ['007', 7], ['-0', 0]] as const) expect(readDecimal(t), t).toBe(v);
    for (const t of ['0x5', '0b11', '0o7', 'Infinity', '-Infinity', 'NaN', '+1', ' 5', '5 ', '1e', 'e5', '', '.', '-', '1_000', '1,5', '1e400']) expect(readDecimal(t), t).toBeNull();
  });

  it('a field accepts exactly what the link reads back, for every setting a field edits', () => {
    const rng = new Rng(12);
    const d = defaultSettings();
    for (const path of FIELD_PATHS) {
      const setting = SCHEMA[path as keyof typeof SCHEMA] as NumberSetting;
      for (const text of fieldTexts(setting, rng)) {
        const field = parseField(text, { setting });
        const link = setting.read(text, d);
        expect(field.ok, `${path} = "${text}": field ${field.ok}, link ${link.ok}`).toBe(link.ok);
        if (field.ok && link.ok) expect(link.value).toBe(field.value);
      }
    }
  });

  it("the issue's cases: the α field refuses 1e-7 and the meta-batch field 500, as the link does", () => {
    expect(parseField('1e-7', { setting: SCHEMA.alpha }).ok).toBe(false);
    expect(parseField('1e-6', { setting: SCHEMA.alpha }).ok).toBe(true);
    expect(parseField('500', { setting: SCHEMA['train.metaBatch'] }).ok).toBe(false);
    expect(parseField('200', { setting: SCHEMA['train.metaBatch'] }).ok).toBe(true);
    expect(parseField('1e-7', { setting: SCHEMA['train.metaLr'] }).ok).toBe(true);
    expect(parseField('0x5', { setting: SCHEMA['train.metaBatch'] }).ok).toBe(false);
  });
});

describe('property: whatever the page accepts survives a shared link unchanged', () => {
  it('every value a number field accepts, for every field', () => {
    const rng = new Rng(7);
    let tried = 0;
    for (const path of FIELD_PATHS) {
      const setting = SCHEMA[path as keyof typeof SCHEMA] as NumberSetting;
      const accepted = fieldTexts(setting, rng)
        .map((t) => parseField(t, { setting }))
        .flatMap((p) => (p.ok ? [p.value] : []));
      expect(accepted).toContain(setting.min);
      expect(accepted).toContain(setting.max);
      for (const v of accepted) {
        usePlayground.setState({ settings: defaultSettings(), notices: [] });
        const back = throughStoreAndLink(path, v);
        expect(back.problems, `${path} = ${v}`).toEqual([]);
        expect(getAt(back.settings, path), `${path} = ${v}`).toBe(v);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(FIELD_PATHS.length * 30);
  });

  it('every value of every other setting, at the link resolution', () => {
    const rng = new Rng(8);
    for (const setting of SETTINGS.filter((s) => !FIELD_PATHS.includes(s.path))) {
      for (const problem of PROBLEM_IDS) {
        usePlayground.setState({ settings: defaultSettings(), notices: [] });
        st().setProblem(problem);
        // The largest plane task and glyph episode, so every class and drawing exists.
        st().setPlaneClasses(5);
        st().setGlyphClasses(5);
        st().setGlyphKShot(5);
        for (const v of pageValues(setting, st().settings, rng)) {
          const back = throughStoreAndLink(setting.path, v);
          expect(back.problems, `${problem}: ${setting.path} = ${JSON.stringify(v)}`).toEqual([]);
          expect(getAt(back.settings, setting.path), `${problem}: ${setting.path}`).toEqual(v);
        }
      }
    }
  });

  it('a whole view at once: every setting changed, read back equal', () => {
    const rng = new Rng(9);
    for (let round = 0; round < 20; round++) {
      usePlayground.setState({ settings: defaultSettings(), notices: [] });
      for (const setting of SETTINGS) {
        const options = FIELD_PATHS.includes(setting.path)
          ? fieldTexts(setting as NumberSetting, rng).flatMap((t) => {
              const p = parseField(t, { setting: setting as NumberSetting });
              return p.ok ? [p.value] : [];
            })
          : pageValues(setting, st().settings, rng);
        setInStore(setting.path, options[rng.int(options.length)]);
      }
      const s = st().settings;
      const back = parseUrl(serializeSettings(s));
      expect(back.problems).toEqual([]);
      for (const setting of SETTINGS) {
        // The glyph pads beyond K wait in the store and are not in the link.
        if (setting.path === 'glyphs.support') continue;
        expect(getAt(back.settings, setting.path), setting.path).toEqual(getAt(s, setting.path));
      }
    }
  });

  it("the sinusoid's phase pi, written 3.1416, reads back (a sampled task may be that close)", () => {
    const s = { ...defaultSettings(), task: { amplitude: 5, phase: Math.PI } };
    const back = parseUrl(serializeSettings(s));
    expect(back.problems).toEqual([]);
    expect(back.settings.task).toEqual({ amplitude: 5, phase: 3.1416 });
  });

  it('the check can fail: a value the link rounds is caught', () => {
    const s = withAt(defaultSettings(), 'glyphs.width', 1.23456);
    expect(getAt(parseUrl(serializeSettings(s)).settings, 'glyphs.width')).not.toBe(1.23456);
    expect(fixed(1.23456, 3)).toBe('1.235');
  });
});

describe('what the link refuses', () => {
  const d = defaultSettings();

  it('non-decimal numbers: a notice naming the key, and the default', () => {
    for (const [search, path] of [
      ['k=0x5', 'kShot'],
      ['steps=0b11', 'steps'],
      ['alpha=1e', 'alpha'],
      ['mb=0x10', 'train.metaBatch'],
      ['lr=%2B0.1', 'train.metaLr'],
      ['ts=Infinity', 'train.seed'],
      ['pn=0o3', 'plane.classes'],
      ['it=%201000', 'train.iterations'],
    ] as const) {
      const parsed = parseUrl(search);
      const key = search.split('=')[0];
      expect(parsed.problems, search).toHaveLength(1);
      expect(parsed.problems[0], search).toMatch(new RegExp(`^${key}=.*not a decimal number`));
      expect(getAt(parsed.settings, path), search).toEqual(getAt(d, path));
    }
    // Scientific notation is decimal: fine.
    expect(parseUrl('lr=1e-7&mb=2e1')).toMatchObject({ problems: [], settings: { train: { metaLr: 1e-7, metaBatch: 20 } } });
  });

  it('a repeated key: a notice saying which value is used (the first)', () => {
    const parsed = parseUrl('k=10&steps=3&k=20');
    expect(parsed.problems).toEqual(['k: given 2 times ("10", "20"); the first, "10", is used']);
    expect(parsed.settings.kShot).toBe(10);
    expect(parsed.settings.steps).toBe(3);
    const same = parseUrl('alpha=0.1&alpha=0.1&alpha=0.2');
    expect(same.problems).toHaveLength(1);
    expect(same.problems[0]).toMatch(/^alpha: given 3 times/);
    expect(same.settings.alpha).toBe(0.1);
    // A repeated bad value: its own notice too, and the default.
    const bad = parseUrl('k=0x5&k=5');
    expect(bad.problems).toHaveLength(2);
    expect(bad.settings.kShot).toBe(d.kShot);
    // A repeated unknown parameter is one notice.
    expect(parseUrl('zz=1&zz=2').problems).toEqual(['zz: unknown parameter']);
  });
});

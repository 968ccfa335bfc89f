/**
 * The URL state: serialize -> parse reproduces every setting, and parsing garbage never throws: each bad
 * field falls back to its default and is reported by key, while the valid fields beside it still apply.
 */
import { describe, expect, it } from 'vitest';
import { ALGORITHM_IDS } from '../../src/meta/engine/algorithms';
import { sinusoid } from '../../src/meta/contracts/tasks/sinusoid';
import { defaultSettings, MAX_POINTS, taskFromSeed, type Settings } from '../../src/state/store';
import { decodeDrawing, encodeDrawing, parseUrl, serializeSettings } from '../../src/state/url';
import { planeFromSeed } from '../../src/state/classification';
import type { Stroke } from '../../src/meta/contracts/tasks/glyphs';

/** A drawing whose coordinates the link carries exactly (multiples of 1/99), different for each (c, k). */
const drawing = (c: number, k: number): Stroke[] => [
  [[c / 99, k / 99], [(10 + c) / 99, (20 + k) / 99], [49 / 99, 1]],
  [[(50 + c) / 99, 0]],
];

/** A setting that differs from the default in every field, with values the URL carries exactly. */
function customSettings(): Settings {
  return {
    task: { amplitude: 2.3456, phase: 1.2345 },
    points: [
      { x: -4.321, y: 1.234 },
      { x: 5, y: -0.5 },
      { x: -5, y: 0 },
      { x: 0.001, y: -987.654 },
    ],
    kShot: 20,
    steps: 6,
    selectedStep: 4,
    alpha: 0.05,
    methods: ['fomaml', 'pretrained'],
    showTruth: false,
    present: true,
    learn: 4,
    seed: 123,
    train: {
      algorithm: 'fomaml',
      metaBatch: 10,
      kSupport: 5,
      kQuery: 15,
      innerSteps: 3,
      alpha: 0.02,
      metaLr: 0.0005,
      iterations: 1234,
      seed: 99,
      lambda: 4,
      cgSteps: 7,
      problem: 'plane',
      classes: 3,
    },
    problem: 'plane',
    plane: {
      classes: 3,
      kShot: 10,
      seed: 11,
      activeClass: 2,
      task: planeFromSeed(11, 3, 10).task,
      points: [
        { x: -0.5, y: 0.25, label: 0 },
        { x: 1, y: -1, label: 2 },
        { x: 0.123, y: -0.987, label: 1 },
      ],
    },
    glyphs: {
      classes: 5,
      kShot: 5,
      seed: 4,
      width: 1.25,
      support: Array.from({ length: 5 }, (_, c) => Array.from({ length: 5 }, (_, k) => (c === 4 && k === 4 ? [] : drawing(c, k)))),
      queries: [
        { strokes: drawing(9, 9), label: 3 },
        { strokes: drawing(8, 1), label: null },
        { strokes: [], label: null },
      ],
    },
    update: { theta: [-1.234, 5.5], optima: [[0.5, -2.25], [6, -6]], lambda: 2.5, mean: [0.75, -0.125], scale1: 0.3, scale2: 1.75, rotation: -33.5, inputScale: 0.4, seed: 17 },
  };
}

describe('drawings in the link', () => {
  it('round-trip at the pad resolution, dropping repeated points', () => {
    const d: Stroke[] = [[[0, 0], [0.001, 0.002], [1, 1]], [[0.5, 0.25]]];
    const back = decodeDrawing(encodeDrawing(d))!;
    expect(back).toEqual([[[0, 0], [1, 1]], [[50 / 99, 25 / 99]]]);
    expect(decodeDrawing('')).toEqual([]);
    expect(decodeDrawing('12a4')).toBeNull();
    expect(decodeDrawing('123')).toBeNull();
  });

  it('refuses malformed glyph and plane parameters by name, keeping the rest', () => {
    const q = new URLSearchParams(serializeSettings(customSettings()));
    q.set('gs', 'zz~12');
    q.set('ppts', '0:0:7');
    q.set('p', 'omniglot');
    const parsed = parseUrl(q.toString());
    expect(parsed.problems.map((p) => p.split('=')[0]).sort()).toEqual(['gs', 'p', 'ppts']);
    expect(parsed.settings.glyphs.kShot).toBe(5);
    expect(parsed.settings.glyphs.support.flat().every((d) => d.length === 0)).toBe(true);
    expect(parsed.settings.plane.classes).toBe(3);
    expect(parsed.settings.problem).toBe('sinusoid');
  });
});

describe('serializeSettings -> parseUrl round trip', () => {
  it('reproduces every setting exactly, with no problems', () => {
    const s = customSettings();
    const d = defaultSettings();
    // Guard: the case is only meaningful if every field differs from the default.
    for (const key of Object.keys(s) as (keyof Settings)[]) expect(s[key], key).not.toEqual(d[key]);
    for (const key of Object.keys(s.train) as (keyof Settings['train'])[]) expect(s.train[key], `train.${key}`).not.toEqual(d.train[key]);

    const parsed = parseUrl(serializeSettings(s));
    expect(parsed.problems).toEqual([]);
    expect(parsed.backend).toBeNull();
    expect(parsed.settings).toEqual(s);
  });

  it('keeps the significant digits of small learning rates', () => {
    const s = defaultSettings();
    s.alpha = 1.5e-6;
    s.train = { ...s.train, metaLr: 2.5e-7, alpha: 3.25e-5 };
    const back = parseUrl(serializeSettings(s));
    expect(back.problems).toEqual([]);
    expect(back.settings.alpha).toBe(1.5e-6);
    expect(back.settings.train.metaLr).toBe(2.5e-7);
    expect(back.settings.train.alpha).toBe(3.25e-5);
  });

  it('accepts a leading "?" as window.location.search has', () => {
    const s = customSettings();
    const parsed = parseUrl('?' + serializeSettings(s));
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings).toEqual(s);
  });

  it('rounds points to 3 decimals and the task to 4', () => {
    const s: Settings = {
      ...customSettings(),
      task: { amplitude: 1.234567, phase: 0.987654 },
      points: [{ x: 1.23456, y: -2.34567 }],
    };
    const parsed = parseUrl(serializeSettings(s));
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings.points).toEqual([{ x: 1.235, y: -2.346 }]);
    expect(parsed.settings.task).toEqual({ amplitude: 1.2346, phase: 0.9877 });
  });

  it('round-trips the default settings to within the URL precision', () => {
    const d = defaultSettings();
    const parsed = parseUrl(serializeSettings(d));
    expect(parsed.problems).toEqual([]);
    const s = parsed.settings;
    const rounded = { task: null, points: [], plane: { ...d.plane, points: [] } };
    expect({ ...s, ...rounded }).toEqual({ ...d, ...rounded });
    s.plane.points.forEach((p, i) => {
      expect(Math.abs(p.x - d.plane.points[i].x)).toBeLessThanOrEqual(0.0005 + 1e-12);
      expect(p.label).toBe(d.plane.points[i].label);
    });
    expect(s.task!.amplitude).toBeCloseTo(d.task!.amplitude, 4);
    expect(s.task!.phase).toBeCloseTo(d.task!.phase, 4);
    expect(s.points).toHaveLength(d.points.length);
    s.points.forEach((p, i) => {
      expect(Math.abs(p.x - d.points[i].x)).toBeLessThanOrEqual(0.0005 + 1e-12);
      expect(Math.abs(p.y - d.points[i].y)).toBeLessThanOrEqual(0.0005 + 1e-12);
    });
  });

  it('round-trips a free-hand setting (no task) with zero points and every method', () => {
    const s: Settings = { ...customSettings(), task: null, points: [], methods: [...ALGORITHM_IDS] };
    const q = serializeSettings(s);
    expect(new URLSearchParams(q).get('task')).toBe('none');
    expect(new URLSearchParams(q).get('pts')).toBe('');
    const parsed = parseUrl(q);
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings).toEqual(s);
  });

  it('round-trips an empty method list and each single method', () => {
    for (const methods of [[], ...ALGORITHM_IDS.map((m) => [m])]) {
      const s: Settings = { ...customSettings(), methods };
      const parsed = parseUrl(serializeSettings(s));
      expect(parsed.problems).toEqual([]);
      expect(parsed.settings.methods).toEqual(methods);
    }
  });
});

describe('parseUrl of well-formed input', () => {
  it('gives defaultSettings() exactly for an empty search', () => {
    for (const search of ['', '?']) {
      const parsed = parseUrl(search);
      expect(parsed.settings).toEqual(defaultSettings());
      expect(parsed.backend).toBeNull();
      expect(parsed.problems).toEqual([]);
    }
  });

  it('task=none gives no task and leaves the points alone', () => {
    const parsed = parseUrl('task=none');
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings.task).toBeNull();
    expect(parsed.settings.points).toEqual(defaultSettings().points);
  });

  it('pts= (empty) gives zero points', () => {
    const parsed = parseUrl('pts=');
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings.points).toEqual([]);
  });

  it('returns a valid backend', () => {
    for (const b of ['wasm', 'cpu', 'webgl', 'webgpu'] as const) {
      const parsed = parseUrl(`backend=${b}`);
      expect(parsed.problems).toEqual([]);
      expect(parsed.backend).toBe(b);
      expect(parsed.settings).toEqual(defaultSettings());
    }
  });

  it('engine: auto by default, tfjs on request, anything else is a problem and auto', () => {
    expect(parseUrl('').engine).toBe('auto');
    const tfjs = parseUrl('engine=tfjs');
    expect(tfjs.problems).toEqual([]);
    expect(tfjs.engine).toBe('tfjs');
    expect(parseUrl('engine=gpu').engine).toBe('gpu');
    const bad = parseUrl('engine=fast');
    expect(bad.engine).toBe('auto');
    expect(bad.problems.join()).toMatch(/engine.*auto, tfjs, gpu/);
  });

  it('seed without pts gives the seeded task and its sampled points', () => {
    const parsed = parseUrl('seed=42');
    expect(parsed.problems).toEqual([]);
    const expected = taskFromSeed(42, 5);
    expect(parsed.settings.seed).toBe(42);
    expect(parsed.settings.task).toEqual(expected.task);
    expect(parsed.settings.points).toEqual(expected.points);
    expect(parsed.settings.task).not.toEqual(defaultSettings().task);
    for (const p of parsed.settings.points) expect(p.y).toBeCloseTo(sinusoid(expected.task, p.x), 12);
  });

  it('seed uses K from the same URL whatever the parameter order', () => {
    for (const search of ['seed=42&k=10', 'k=10&seed=42']) {
      const parsed = parseUrl(search);
      expect(parsed.problems).toEqual([]);
      expect(parsed.settings.kShot).toBe(10);
      expect(parsed.settings.points).toHaveLength(10);
      expect(parsed.settings.points).toEqual(taskFromSeed(42, 10).points);
    }
  });

  it('explicit task and pts override the seeded ones', () => {
    const parsed = parseUrl('seed=42&task=1.5,0.5&pts=1:2;-3:0.25');
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings.seed).toBe(42);
    expect(parsed.settings.task).toEqual({ amplitude: 1.5, phase: 0.5 });
    expect(parsed.settings.points).toEqual([
      { x: 1, y: 2 },
      { x: -3, y: 0.25 },
    ]);
  });

  it('puts methods in the canonical order whatever order the URL lists them', () => {
    const parsed = parseUrl('methods=pretrained,maml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings.methods).toEqual(['maml', 'pretrained']);
  });

  it('clamps step to steps', () => {
    const parsed = parseUrl('steps=3&step=8');
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings.steps).toBe(3);
    expect(parsed.settings.selectedStep).toBe(3);
  });

  it('accepts exactly MAX_POINTS points', () => {
    const pts = Array.from({ length: MAX_POINTS }, (_, i) => `${(i / 10 - 2.5).toFixed(1)}:${i}`).join(';');
    const parsed = parseUrl(`pts=${encodeURIComponent(pts)}`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings.points).toHaveLength(MAX_POINTS);
  });
});

describe('parseUrl of malformed input', () => {
  const d = defaultSettings();
  const tooMany = Array.from({ length: MAX_POINTS + 1 }, (_, i) => `${(i / 10 - 2.5).toFixed(1)}:1`).join(';');

  // Each case: a bad parameter, its key, and a check that the field it names kept its default.
  const cases: Array<{ search: string; key: string; check(s: Settings, backend: string | null): void }> = [
    { search: 'k=abc', key: 'k', check: (s) => expect(s.kShot).toBe(d.kShot) },
    { search: 'k=7', key: 'k', check: (s) => expect(s.kShot).toBe(d.kShot) },
    { search: 'k=', key: 'k', check: (s) => expect(s.kShot).toBe(d.kShot) },
    { search: 'pts=zz:1', key: 'pts', check: (s) => expect(s.points).toEqual(d.points) },
    { search: 'pts=1:2:3', key: 'pts', check: (s) => expect(s.points).toEqual(d.points) },
    { search: 'pts=1:2;5.5:0', key: 'pts', check: (s) => expect(s.points).toEqual(d.points) },
    { search: 'pts=-5.01:0', key: 'pts', check: (s) => expect(s.points).toEqual(d.points) },
    { search: 'pts=1', key: 'pts', check: (s) => expect(s.points).toEqual(d.points) },
    { search: 'pts=1:2000', key: 'pts', check: (s) => expect(s.points).toEqual(d.points) },
    { search: `pts=${encodeURIComponent(tooMany)}`, key: 'pts', check: (s) => expect(s.points).toEqual(d.points) },
    { search: 'methods=maml,bogus', key: 'methods', check: (s) => expect(s.methods).toEqual(d.methods) },
    { search: 'alpha=-3', key: 'alpha', check: (s) => expect(s.alpha).toBe(d.alpha) },
    { search: 'alpha=NaN', key: 'alpha', check: (s) => expect(s.alpha).toBe(d.alpha) },
    { search: 'alpha=Infinity', key: 'alpha', check: (s) => expect(s.alpha).toBe(d.alpha) },
    { search: 'alpha=0', key: 'alpha', check: (s) => expect(s.alpha).toBe(d.alpha) },
    { search: 'task=9,1', key: 'task', check: (s) => expect(s.task).toEqual(d.task) },
    { search: 'task=1', key: 'task', check: (s) => expect(s.task).toEqual(d.task) },
    { search: 'task=1,4', key: 'task', check: (s) => expect(s.task).toEqual(d.task) },
    { search: 'task=1,', key: 'task', check: (s) => expect(s.task).toEqual(d.task) },
    { search: 'task=1,2,3', key: 'task', check: (s) => expect(s.task).toEqual(d.task) },
    { search: 'task=a,b', key: 'task', check: (s) => expect(s.task).toEqual(d.task) },
    { search: 'truth=2', key: 'truth', check: (s) => expect(s.showTruth).toBe(d.showTruth) },
    { search: 'algo=foo', key: 'algo', check: (s) => expect(s.train.algorithm).toBe(d.train.algorithm) },
    { search: 'it=1.5', key: 'it', check: (s) => expect(s.train.iterations).toBe(d.train.iterations) },
    { search: 'it=0', key: 'it', check: (s) => expect(s.train.iterations).toBe(d.train.iterations) },
    { search: 'mb=0', key: 'mb', check: (s) => expect(s.train.metaBatch).toBe(d.train.metaBatch) },
    { search: 'is=11', key: 'is', check: (s) => expect(s.train.innerSteps).toBe(d.train.innerSteps) },
    { search: 'lr=-1', key: 'lr', check: (s) => expect(s.train.metaLr).toBe(d.train.metaLr) },
    { search: 'steps=11', key: 'steps', check: (s) => expect(s.steps).toBe(d.steps) },
    { search: 'step=-1', key: 'step', check: (s) => expect(s.selectedStep).toBe(d.selectedStep) },
    { search: 'seed=-1', key: 'seed', check: (s) => expect({ seed: s.seed, task: s.task }).toEqual({ seed: d.seed, task: d.task }) },
    { search: 'backend=metal', key: 'backend', check: (_s, b) => expect(b).toBeNull() },
    { search: 'bogus=1', key: 'bogus', check: () => undefined },
    // Numbers are decimal (scientific notation included), within the bounds the fields use (issue 12).
    { search: 'k=0x5', key: 'k', check: (s) => expect(s.kShot).toBe(d.kShot) },
    { search: 'steps=0b11', key: 'steps', check: (s) => expect(s.steps).toBe(d.steps) },
    { search: 'alpha=1e-7', key: 'alpha', check: (s) => expect(s.alpha).toBe(d.alpha) },
    { search: 'mb=500', key: 'mb', check: (s) => expect(s.train.metaBatch).toBe(d.train.metaBatch) },
    { search: 'lr=1e', key: 'lr', check: (s) => expect(s.train.metaLr).toBe(d.train.metaLr) },
    { search: 'it=%2B100', key: 'it', check: (s) => expect(s.train.iterations).toBe(d.train.iterations) },
    { search: 'seed=0x10', key: 'seed', check: (s) => expect({ seed: s.seed, task: s.task }).toEqual({ seed: d.seed, task: d.task }) },
    { search: 'task=0x1,1', key: 'task', check: (s) => expect(s.task).toEqual(d.task) },
    { search: 'k=5&k=10', key: 'k', check: (s) => expect(s.kShot).toBe(5) },
  ];

  // Valid fields in the same URL that must still apply (none of them is the bad one's field).
  const valid = 'steps=3&truth=0&ts=77';

  it.each(cases)('$search: default kept, problem names "$key", other fields apply', ({ search, key, check }) => {
    const parsed = parseUrl(`${search}&${key === 'steps' || key === 'truth' ? 'ts=77' : valid}`);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].startsWith(`${key}=`) || parsed.problems[0].startsWith(`${key}:`), parsed.problems[0]).toBe(true);
    check(parsed.settings, parsed.backend);
    expect(parsed.settings.train.seed).toBe(77);
    if (key !== 'steps' && key !== 'truth') {
      expect(parsed.settings.steps).toBe(3);
      expect(parsed.settings.showTruth).toBe(false);
    }
    // Nothing but the named field and the valid ones moved.
    const rest = { ...parsed.settings, train: { ...parsed.settings.train, seed: d.train.seed }, steps: d.steps, showTruth: d.showTruth };
    expect(rest).toEqual(d);
  });

  it('reports every bad field of a URL full of garbage, and keeps the good ones', () => {
    const parsed = parseUrl(
      'k=7&pts=zz:1&methods=maml,bogus&alpha=NaN&task=9,1&truth=2&algo=foo&it=1.5&backend=metal&what=ever&steps=4&step=2&mb=7&seed=42',
    );
    const keys = parsed.problems.map((p) => p.split(/[=:]/)[0]).sort();
    expect(keys).toEqual(['algo', 'alpha', 'backend', 'it', 'k', 'methods', 'pts', 'task', 'truth', 'what'].sort());
    expect(parsed.backend).toBeNull();
    const s = parsed.settings;
    expect(s.steps).toBe(4);
    expect(s.selectedStep).toBe(2);
    expect(s.train.metaBatch).toBe(7);
    // A valid seed still applies: its task and points (the explicit ones were bad).
    expect(s.seed).toBe(42);
    expect(s.task).toEqual(taskFromSeed(42, 5).task);
    expect(s.points).toEqual(taskFromSeed(42, 5).points);
    expect(s.kShot).toBe(d.kShot);
    expect(s.methods).toEqual(d.methods);
    expect(s.alpha).toBe(d.alpha);
    expect(s.showTruth).toBe(d.showTruth);
    expect(s.train.algorithm).toBe(d.train.algorithm);
    expect(s.train.iterations).toBe(d.train.iterations);
  });

  it('never throws on arbitrary strings', () => {
    for (const search of ['%', '&&&', '=', 'pts=;;', 'task=,', 'k=%E0%A4%A', '?pts=1:1;;2:2', 'methods=,', 'seed=1e400']) {
      expect(() => parseUrl(search), search).not.toThrow();
    }
  });

  it('does not share the default objects with its result', () => {
    const a = parseUrl('');
    a.settings.train.metaBatch = 999;
    a.settings.methods.push('maml');
    expect(parseUrl('').settings).toEqual(defaultSettings());
  });
});

describe('a classification link', () => {
  it("opens with the problem's own alpha and training settings unless the link names them", () => {
    const plain = parseUrl('?p=glyphs');
    expect(plain.problems).toEqual([]);
    expect(plain.settings.alpha).toBe(0.4);
    expect(plain.settings.train).toMatchObject({ problem: 'glyphs', classes: 5, alpha: 0.4, metaBatch: 16 });
    const plane = parseUrl('?p=plane&pn=3&alpha=0.2&it=77');
    expect(plane.settings.alpha).toBe(0.2);
    expect(plane.settings.train).toMatchObject({ problem: 'plane', classes: 3, alpha: 0.5, iterations: 77 });
  });
});

describe('the link and the settings schema (issue 12)', () => {
  it('names a repeated parameter and uses its first value', () => {
    const parsed = parseUrl('mb=7&mb=9');
    expect(parsed.problems).toEqual(['mb: given 2 times ("7", "9"); the first, "7", is used']);
    expect(parsed.settings.train.metaBatch).toBe(7);
  });

  it('writes rates with every digit they have, and reads them back exactly', () => {
    const s = defaultSettings();
    s.alpha = 0.0012345678;
    s.train = { ...s.train, metaLr: 1e-7, alpha: 0.123456789, lambda: 3.3333333333333335 };
    const back = parseUrl(serializeSettings(s));
    expect(back.problems).toEqual([]);
    expect(back.settings.alpha).toBe(0.0012345678);
    expect(back.settings.train).toMatchObject({ metaLr: 1e-7, alpha: 0.123456789, lambda: 3.3333333333333335 });
  });

  it('round-trips an empty list of drawings to classify, and a task at phase pi', () => {
    const s: Settings = { ...customSettings(), task: { amplitude: 1, phase: Math.PI } };
    s.glyphs = { ...s.glyphs, queries: [] };
    const parsed = parseUrl(serializeSettings(s));
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings.glyphs.queries).toEqual([]);
    expect(parsed.settings.task).toEqual({ amplitude: 1, phase: 3.1416 });
  });

  it("a classification link with a refused training value takes the problem's own default for it", () => {
    const parsed = parseUrl('p=plane&ta=0x1');
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.settings.train.alpha).toBe(0.5);
  });
});

describe('what the link says back stays short (issue 13, item 6)', () => {
  it('quotes at most 80 characters of a value, with its length', () => {
    const parsed = parseUrl(`alpha=${'7'.repeat(1 << 20)}&pts=${'z'.repeat(5000)}`);
    expect(parsed.problems).toHaveLength(2);
    for (const p of parsed.problems) expect(p.length, p).toBeLessThan(300);
    const [pts, alpha] = [...parsed.problems].sort((a, b) => (a.startsWith('pts') ? -1 : 1) - (b.startsWith('pts') ? -1 : 1));
    expect(alpha).toMatch(/^alpha="7{79}…" \(1,048,576 characters\): /);
    expect(pts).toMatch(/^pts="z{79}…" \(5,000 characters\): expected "x:y;x:y;\.\.\."/);
    // Short values as before.
    expect(parseUrl('steps=banana').problems[0]).toMatch(/^steps="banana": /);
  });

  it('names a long unknown key by its start only', () => {
    const parsed = parseUrl(`${'q'.repeat(100_000)}=1`);
    expect(parsed.problems).toEqual([`${'q'.repeat(39)}…: unknown parameter`]);
  });

  it('many unknown keys are one line with a few names and the count; up to 3 are named one by one', () => {
    const many = parseUrl(Array.from({ length: 5000 }, (_, i) => `u${i}=1`).join('&'));
    expect(many.problems).toEqual(['5,000 unknown parameters: u0, u1, u2, … (4,997 more)']);
    expect(parseUrl('a1=1&a2=2&a3=3').problems).toEqual(['a1: unknown parameter', 'a2: unknown parameter', 'a3: unknown parameter']);
    expect(parseUrl('a1=1&a2=2&a3=3&a4=4').problems).toEqual(['4 unknown parameters: a1, a2, a3, … (1 more)']);
  });

  it('a key given thousands of times lists a few of its values', () => {
    const parsed = parseUrl(Array.from({ length: 3000 }, (_, i) => `k=${i % 3 === 0 ? 10 : 'x'.repeat(1000)}`).join('&'));
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].length).toBeLessThan(200);
    expect(parsed.problems[0]).toMatch(/^k: given 3,000 times \("10", "x{19}…" \(1,000 characters\), "x{19}…" \(1,000 characters\), … \(2,997 more\)\); the first, "10", is used$/);
  });
});

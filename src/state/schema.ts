/**
 * Every setting the page's link carries, in one table (the tensorflow/playground idea of one property list):
 * its parameter in the link, where it lives in the store's Settings, how it is written and read (its codec),
 * its bounds, and which problem owns it. The link (url.ts) reads and writes the settings from this table, the
 * store (store.ts) keeps its numbers within the same bounds, and every numeric field takes its limits from it
 * (NumberField's `setting`), so whatever a field accepts survives a shared link unchanged.
 *
 * A setting's default is the store's: defaultSettings() at its path (url.ts: settingDefault). This module
 * imports nothing from the store (the store imports it), so the paths are checked against Settings at compile
 * time in url.ts.
 */
import { ALGORITHM_IDS, type AlgorithmId, type TrainSetting } from '../meta/contracts/algorithms';
import { PROBLEM_IDS, TRAIN_BOUNDS, type ProblemKind } from '../meta/contracts/config';
import type { Stroke } from '../meta/contracts/tasks/glyphs';
import { MAX_CLASSES, PLANE_RANGE } from '../meta/contracts/tasks/plane';
import { SINUSOID_RANGES, type Point, type SinusoidTask } from '../meta/contracts/tasks/sinusoid';
import { MAX_UPDATE_TASKS, UPDATE_RANGE, type Vec2 } from './update';
import { GLYPH_K_CHOICES, MAX_GLYPH_QUERIES, MAX_PLANE_POINTS, type GlyphQuery, type PlanePoint } from './classification';

/** Test-time steps: 0..MAX_STEPS are computed and shown. */
export const MAX_STEPS = 10;
/** Support points of the sinusoid at most. */
export const MAX_POINTS = 50;
/** K of "sample K points" and of the averaged evaluation. */
export const K_CHOICES = [5, 10, 20] as const;
/**
 * The Learn mode's scenes (issue 15): `learn=n` opens scene n (1..LEARN_SCENES), 0 is the playground alone. The
 * scene list (src/panels/lessons/scenes.ts) has exactly this many; tests/unit/lessons.test.ts holds them equal.
 */
export const LEARN_SCENES = 11;
/** Seeds are 31-bit: the random generator's state and any link can hold them. */
export const MAX_SEED = TRAIN_BOUNDS.seed.max;
/** The sinusoid's points: x on the plot, y within this (the plot's own clamp). */
export const POINT_Y_RANGE = [-1000, 1000] as const;

// ---- numbers as the link and the fields write them ----

const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * A number written in decimal: "5", "-0.25", ".5", "1e-7", "2.5E3". Anything else is null: "0x5", "0b11",
 * "0o7", "Infinity", "NaN", "+1", " 5", "1e", "" (Number() reads several of these, the link does not). -0 is 0.
 */
export function readDecimal(text: string): number | null {
  if (!DECIMAL.test(text)) return null;
  const v = Number(text);
  return Number.isFinite(v) ? v + 0 : null;
}

/** v rounded to `decimals`, written without trailing zeros ("0.5", "3", "-2.346"). */
export const fixed = (v: number, decimals: number) => String(Number(v.toFixed(decimals)) + 0);

// ---- the table's entries ----

/** What a link's text means for a setting, or why it is refused. */
export type Read<T> = { ok: true; value: T } | { ok: false; why: string };
const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const no = (why: string): Read<never> => ({ ok: false, why });

/** What a few settings are read and written against: the settings read before them (a Settings fits). */
export interface LinkContext {
  steps: number;
  plane: { classes: number };
  glyphs: { classes: number; kShot: number };
}

interface SettingBase<T, P extends string> {
  /** Its parameter in the link. */
  key: string;
  /** Where it lives in the store's Settings, e.g. 'train.metaLr'. */
  path: P;
  /** Its name in notices. */
  label: string;
  /** The problem whose own parameter it is (PROBLEM_INFO[p].urlKeys); null: shared by every problem. */
  owner: ProblemKind | null;
  /** The link's text for a value. */
  write(value: T, ctx: LinkContext): string;
  /** The value a link's text means, given the settings read before it (the table's order), or why not. */
  read(raw: string, ctx: LinkContext): Read<T>;
}

export interface NumberSetting<P extends string = string> extends SettingBase<number, P> {
  kind: 'number';
  /** Bounds, inclusive. */
  min: number;
  max: number;
  integer: boolean;
  /** The only values allowed, where a select offers them (K); null: anything within the bounds. */
  choices: readonly number[] | null;
  /**
   * How the link writes it: null, the shortest decimal that reads back as the same number (so any value a
   * field accepts survives: 1.5e-6 stays 1.5e-6, 0.0012345678 stays); a number, rounded to that many decimals
   * (values no field takes, like a drawing's stroke width).
   */
  decimals: number | null;
  /** "an integer in [1, 200]", "one of 5, 10, 20": what it takes, for messages. */
  expected: string;
  /** A check against the settings read before it (the active class against the classes), or null. */
  check: ((v: number, ctx: LinkContext) => string | null) | null;
}

export interface ChoiceSetting<T extends string = string, P extends string = string> extends SettingBase<T, P> {
  kind: 'choice';
  choices: readonly T[];
}

export interface BooleanSetting<P extends string = string> extends SettingBase<boolean, P> {
  kind: 'boolean';
}

/** Points, drawings, the task, the method list: their own text. */
export interface CustomSetting<T = unknown, P extends string = string> extends SettingBase<T, P> {
  kind: 'custom';
}

export type Setting = NumberSetting | ChoiceSetting | BooleanSetting | CustomSetting;

type Common = { label: string; owner?: ProblemKind | null };

function number<P extends string>(
  path: P,
  key: string,
  o: Common & { min: number; max: number; integer?: boolean; choices?: readonly number[]; decimals?: number; check?: NumberSetting['check'] },
): NumberSetting<P> {
  const integer = o.integer ?? false;
  const choices = o.choices ?? null;
  const expected = choices ? `one of ${choices.join(', ')}` : `${integer ? 'an integer' : 'a number'} in [${o.min}, ${o.max}]`;
  const decimals = o.decimals ?? null;
  const check = o.check ?? null;
  return {
    kind: 'number',
    path,
    key,
    label: o.label,
    owner: o.owner ?? null,
    min: o.min,
    max: o.max,
    integer,
    choices,
    decimals,
    expected,
    check,
    write: (v) => (decimals === null ? String(v + 0) : fixed(v, decimals)),
    read(raw, ctx) {
      const v = readDecimal(raw);
      if (v === null) return no(raw === '' ? `expected ${expected}` : `not a decimal number (write it like 5, 0.01 or 1e-7); expected ${expected}`);
      if (v < o.min || v > o.max || (integer && !Number.isInteger(v)) || (choices && !choices.includes(v))) return no(`expected ${expected}`);
      const why = check?.(v, ctx);
      return why ? no(why) : ok(v);
    },
  };
}

function choice<T extends string, P extends string>(path: P, key: string, choices: readonly T[], o: Common): ChoiceSetting<T, P> {
  return {
    kind: 'choice',
    path,
    key,
    label: o.label,
    owner: o.owner ?? null,
    choices,
    write: (v) => v,
    read: (raw) => {
      const known = choices.find((c) => c === raw);
      return known === undefined ? no(`expected one of ${choices.join(', ')}`) : ok(known);
    },
  };
}

function boolean<P extends string>(path: P, key: string, o: Common): BooleanSetting<P> {
  return {
    kind: 'boolean',
    path,
    key,
    label: o.label,
    owner: o.owner ?? null,
    write: (v) => (v ? '1' : '0'),
    read: (raw) => (raw === '0' || raw === '1' ? ok(raw === '1') : no('expected 0 or 1')),
  };
}

function custom<T, P extends string>(path: P, key: string, o: Common & Pick<CustomSetting<T, P>, 'write' | 'read'>): CustomSetting<T, P> {
  return { kind: 'custom', path, key, label: o.label, owner: o.owner ?? null, write: o.write, read: o.read };
}

/** A decimal within [min, max], or null. */
function within(text: string | undefined, min: number, max: number): number | null {
  const v = readDecimal(text ?? '');
  return v !== null && v >= min && v <= max ? v : null;
}

// ---- drawings ----

/**
 * A drawing in the link: strokes joined by '.', each a run of points, each point two two-digit coordinates
 * (0..99 across the pad), consecutive repeats dropped. About 4 characters per point.
 */
export function encodeDrawing(strokes: Stroke[]): string {
  const q = (v: number) => String(Math.round(Math.min(1, Math.max(0, v)) * 99)).padStart(2, '0');
  return strokes
    .map((st) => {
      const pts = st.map(([x, y]) => q(x) + q(y));
      return pts.filter((p, i) => i === 0 || p !== pts[i - 1]).join('');
    })
    .join('.');
}

export function decodeDrawing(text: string): Stroke[] | null {
  if (text === '') return [];
  const strokes: Stroke[] = [];
  for (const run of text.split('.')) {
    if (!/^(\d{4})+$/.test(run)) return null;
    const st: Stroke = [];
    for (let i = 0; i < run.length; i += 4) st.push([Number(run.slice(i, i + 2)) / 99, Number(run.slice(i + 2, i + 4)) / 99]);
    strokes.push(st);
  }
  return strokes;
}

// ---- the custom codecs ----

const [A_MIN, A_MAX] = SINUSOID_RANGES.amplitude;
/** The phase is written to 4 decimals, π as 3.1416, which must read back: the bound rounded up to them. */
const PHASE_MAX = Math.ceil(SINUSOID_RANGES.phase[1] * 1e4) / 1e4;

const taskSetting = custom<SinusoidTask | null, 'task'>('task', 'task', {
  label: 'true function',
  owner: 'sinusoid',
  write: (t) => (t ? `${fixed(t.amplitude, 4)},${fixed(t.phase, 4)}` : 'none'),
  read: (raw) => {
    if (raw === 'none') return ok(null);
    const parts = raw.split(',');
    const a = within(parts[0], A_MIN, A_MAX);
    const ph = within(parts[1], SINUSOID_RANGES.phase[0], PHASE_MAX);
    if (parts.length === 2 && a !== null && ph !== null) return ok({ amplitude: a, phase: ph });
    return no(`expected "amplitude,phase" with amplitude in [${A_MIN}, ${A_MAX}] and phase in [0, pi], or "none"`);
  },
});

const [X_MIN, X_MAX] = SINUSOID_RANGES.x;
const [Y_MIN, Y_MAX] = POINT_Y_RANGE;
const pointsSetting = custom<Point[], 'points'>('points', 'pts', {
  label: 'points',
  owner: 'sinusoid',
  write: (points) => points.map((p) => `${fixed(p.x, 3)}:${fixed(p.y, 3)}`).join(';'),
  read: (raw) => {
    const parsed: Point[] = [];
    for (const item of raw === '' ? [] : raw.split(';')) {
      const [x, y, ...rest] = item.split(':');
      const px = within(x, X_MIN, X_MAX);
      const py = within(y, Y_MIN, Y_MAX);
      if (px === null || py === null || rest.length) return no(`expected "x:y;x:y;..." with x in [${X_MIN}, ${X_MAX}] and y in [${Y_MIN}, ${Y_MAX}]`);
      parsed.push({ x: px, y: py });
    }
    return parsed.length > MAX_POINTS ? no(`at most ${MAX_POINTS} points`) : ok(parsed);
  },
});

const methodsSetting = custom<AlgorithmId[], 'methods'>('methods', 'methods', {
  label: 'methods shown',
  write: (methods) => methods.join(','),
  read: (raw) => {
    const ids = raw === '' ? [] : raw.split(',');
    // The canonical order, whatever order the link lists them in.
    if (ids.every((id) => (ALGORITHM_IDS as string[]).includes(id))) return ok(ALGORITHM_IDS.filter((m) => ids.includes(m)));
    return no(`expected a comma-separated list of ${ALGORITHM_IDS.join(', ')}`);
  },
});

const [P_MIN, P_MAX] = PLANE_RANGE;
const planePointsSetting = custom<PlanePoint[], 'plane.points'>('plane.points', 'ppts', {
  label: 'plane points',
  owner: 'plane',
  write: (points) => points.map((p) => `${fixed(p.x, 3)}:${fixed(p.y, 3)}:${p.label}`).join(';'),
  read: (raw, ctx) => {
    const classes = ctx.plane.classes;
    const parsed: PlanePoint[] = [];
    for (const item of raw === '' ? [] : raw.split(';')) {
      const [x, y, c, ...rest] = item.split(':');
      const px = within(x, P_MIN, P_MAX);
      const py = within(y, P_MIN, P_MAX);
      const pc = within(c, 0, classes - 1);
      if (px === null || py === null || pc === null || !Number.isInteger(pc) || rest.length)
        return no(`expected "x:y:class;..." with x, y in [${P_MIN}, ${P_MAX}] and class in 0..${classes - 1}`);
      parsed.push({ x: px, y: py, label: pc });
    }
    return parsed.length > MAX_PLANE_POINTS ? no(`at most ${MAX_PLANE_POINTS} points`) : ok(parsed);
  },
});

/** The drawings in use (the first K of each of the first N characters) are written; the pads beyond wait. */
const glyphSupportSetting = custom<Stroke[][][], 'glyphs.support'>('glyphs.support', 'gs', {
  label: 'drawn examples',
  owner: 'glyphs',
  write: (support, { glyphs: { classes, kShot } }) =>
    support
      .slice(0, classes)
      .flatMap((examples) => examples.slice(0, kShot))
      .map(encodeDrawing)
      .join('~'),
  read: (raw, { glyphs: { classes, kShot } }) => {
    const drawings = raw.split('~').map(decodeDrawing);
    if (drawings.length !== classes * kShot || drawings.some((d) => d === null))
      return no(`expected ${classes * kShot} drawings (${classes} characters x K = ${kShot}) joined by "~"`);
    return ok(Array.from({ length: classes }, (_, c) => drawings.slice(c * kShot, (c + 1) * kShot) as Stroke[][]));
  },
});

const glyphQueriesSetting = custom<GlyphQuery[], 'glyphs.queries'>('glyphs.queries', 'gq', {
  label: 'drawings to classify',
  owner: 'glyphs',
  write: (queries) => queries.map((d) => `${d.label ?? '-'}${encodeDrawing(d.strokes)}`).join('~'),
  read: (raw) => {
    // No drawings at all is "" (one empty drawing of no class is "-").
    const queries = (raw === '' ? [] : raw.split('~')).map((item): GlyphQuery | null => {
      const label = item[0] === '-' ? null : /^\d$/.test(item[0] ?? '') ? Number(item[0]) : NaN;
      const strokes = decodeDrawing(item.slice(1));
      if (strokes === null || (label !== null && !(label < MAX_CLASSES))) return null;
      return { strokes, label };
    });
    if (queries.length > MAX_GLYPH_QUERIES || queries.some((d) => d === null))
      return no(`expected up to ${MAX_GLYPH_QUERIES} drawings, each a class digit or "-" and its strokes, joined by "~"`);
    return ok(queries as GlyphQuery[]);
  },
});

/** "x:y" in the update plane, 3 decimals. */
const writePair = (v: Vec2) => `${fixed(v[0], 3)}:${fixed(v[1], 3)}`;
function readPair(item: string): Vec2 | null {
  const [x, y, ...rest] = item.split(':');
  const px = within(x, -UPDATE_RANGE, UPDATE_RANGE);
  const py = within(y, -UPDATE_RANGE, UPDATE_RANGE);
  return px === null || py === null || rest.length ? null : [px, py];
}
const pairSetting = <P extends string>(path: P, key: string, label: string) =>
  custom<Vec2, P>(path, key, {
    label,
    owner: 'update',
    write: writePair,
    read: (raw) => {
      const v = readPair(raw);
      return v ? ok(v) : no(`expected "w1:w2" with both in [-${UPDATE_RANGE}, ${UPDATE_RANGE}]`);
    },
  });

const optimaSetting = custom<Vec2[], 'update.optima'>('update.optima', 'uo', {
  label: 'task optima',
  owner: 'update',
  write: (optima) => optima.map(writePair).join(';'),
  read: (raw) => {
    const items = raw.split(';').map(readPair);
    if (items.length < 1 || items.length > MAX_UPDATE_TASKS || items.some((v) => v === null))
      return no(`expected 1 to ${MAX_UPDATE_TASKS} optima "w1:w2;w1:w2;..." with each in [-${UPDATE_RANGE}, ${UPDATE_RANGE}]`);
    return ok(items as Vec2[]);
  },
});

// ---- the table ----

const seed = <P extends string>(path: P, key: string, label: string, owner: ProblemKind | null = null) =>
  number(path, key, { label, owner, min: 0, max: MAX_SEED, integer: true });

/** The training run's numbers (TRAIN_SETTINGS), in the link's order. */
const TRAIN: { [K in TrainSetting]: NumberSetting<`train.${K}`> } = {
  metaBatch: number('train.metaBatch', 'mb', { label: 'Meta-batch', ...TRAIN_BOUNDS.metaBatch }),
  kSupport: number('train.kSupport', 'ks', { label: 'K support', ...TRAIN_BOUNDS.kSupport }),
  kQuery: number('train.kQuery', 'kq', { label: 'K query', ...TRAIN_BOUNDS.kQuery }),
  innerSteps: number('train.innerSteps', 'is', { label: 'Inner steps', ...TRAIN_BOUNDS.innerSteps }),
  alpha: number('train.alpha', 'ta', { label: 'Inner α', ...TRAIN_BOUNDS.alpha }),
  metaLr: number('train.metaLr', 'lr', { label: 'Meta learning rate', ...TRAIN_BOUNDS.metaLr }),
  iterations: number('train.iterations', 'it', { label: 'Iterations', ...TRAIN_BOUNDS.iterations }),
  seed: number('train.seed', 'ts', { label: 'Training seed', ...TRAIN_BOUNDS.seed }),
  lambda: number('train.lambda', 'lam', { label: 'Proximal λ', ...TRAIN_BOUNDS.lambda }),
  cgSteps: number('train.cgSteps', 'cg', { label: 'CG iterations', ...TRAIN_BOUNDS.cgSteps }),
};

/** Every entry is filed under its own path (checked at compile time). */
const table = <T extends { [P in keyof T]: Setting & { path: P } }>(t: T) => t;

/**
 * Every setting in the link, by its path in Settings, in the order the link writes and reads them: a setting
 * read against others (the seed's points need K, the active class the classes) comes after them.
 */
export const SCHEMA = table({
  kShot: number('kShot', 'k', { label: 'K', owner: 'sinusoid', min: K_CHOICES[0], max: K_CHOICES[K_CHOICES.length - 1], integer: true, choices: K_CHOICES }),
  seed: seed('seed', 'seed', 'Task seed', 'sinusoid'),
  task: taskSetting,
  points: pointsSetting,
  steps: number('steps', 'steps', { label: 'Steps shown', min: 0, max: MAX_STEPS, integer: true }),
  selectedStep: number('selectedStep', 'step', { label: 'Step', min: 0, max: MAX_STEPS, integer: true }),
  alpha: number('alpha', 'alpha', { label: 'Test-time α', min: 1e-6, max: 100 }),
  methods: methodsSetting,
  // Shared: the plane's "true boundary" box shows and hides the same truth as the sinusoid's.
  showTruth: boolean('showTruth', 'truth', { label: 'Show the true function' }),
  // Presenter mode (issue 14): one screen for a projector; `?present=1` opens the page in it.
  present: boolean('present', 'present', { label: 'Presenter mode' }),
  // The Learn mode (issue 15): the scene shown, 0 for none; `?learn=4` reopens scene 4.
  learn: number('learn', 'learn', { label: 'Lesson scene', min: 0, max: LEARN_SCENES, integer: true }),
  'train.algorithm': choice('train.algorithm', 'algo', ALGORITHM_IDS, { label: 'Algorithm' }),
  'train.metaBatch': TRAIN.metaBatch,
  'train.kSupport': TRAIN.kSupport,
  'train.kQuery': TRAIN.kQuery,
  'train.innerSteps': TRAIN.innerSteps,
  'train.alpha': TRAIN.alpha,
  'train.metaLr': TRAIN.metaLr,
  'train.iterations': TRAIN.iterations,
  'train.seed': TRAIN.seed,
  'train.lambda': TRAIN.lambda,
  'train.cgSteps': TRAIN.cgSteps,
  problem: choice('problem', 'p', PROBLEM_IDS, { label: 'Problem' }),
  'plane.classes': number('plane.classes', 'pn', { label: 'Classes', owner: 'plane', min: 2, max: MAX_CLASSES, integer: true }),
  'plane.kShot': number('plane.kShot', 'pk', { label: 'K per class', owner: 'plane', min: 1, max: 20, integer: true }),
  'plane.seed': seed('plane.seed', 'pseed', 'Plane task seed', 'plane'),
  'plane.activeClass': number('plane.activeClass', 'pc', {
    label: 'Active class',
    owner: 'plane',
    min: 0,
    max: MAX_CLASSES - 1,
    integer: true,
    check: (v, ctx) => (v < ctx.plane.classes ? null : `the task has ${ctx.plane.classes} classes`),
  }),
  'plane.points': planePointsSetting,
  'glyphs.classes': number('glyphs.classes', 'gn', { label: 'Characters', owner: 'glyphs', min: 2, max: MAX_CLASSES, integer: true }),
  'glyphs.kShot': number('glyphs.kShot', 'gk', { label: 'Glyph K', owner: 'glyphs', min: GLYPH_K_CHOICES[0], max: GLYPH_K_CHOICES[GLYPH_K_CHOICES.length - 1], integer: true, choices: GLYPH_K_CHOICES }),
  'glyphs.seed': seed('glyphs.seed', 'gseed', 'Glyph episode seed', 'glyphs'),
  'glyphs.width': number('glyphs.width', 'gw', { label: 'Stroke width', owner: 'glyphs', min: 0.3, max: 4, decimals: 3 }),
  'glyphs.support': glyphSupportSetting,
  'glyphs.queries': glyphQueriesSetting,
  'update.theta': pairSetting('update.theta', 'ut', 'θ'),
  'update.optima': optimaSetting,
  'update.lambda': number('update.lambda', 'ul', { label: 'iMAML λ', owner: 'update', min: 0.05, max: 100 }),
  'update.mean': pairSetting('update.mean', 'um', 'family mean'),
  'update.scale1': number('update.scale1', 'us', { label: 'Spread along axis 1', owner: 'update', min: 0.05, max: 5 }),
  'update.scale2': number('update.scale2', 'us2', { label: 'Spread along axis 2', owner: 'update', min: 0.05, max: 5 }),
  'update.rotation': number('update.rotation', 'ur', { label: 'Rotation (degrees)', owner: 'update', min: -90, max: 90 }),
  'update.inputScale': number('update.inputScale', 'ux', { label: 'Input scale of x2', owner: 'update', min: 0.1, max: 1 }),
  'update.seed': seed('update.seed', 'useed', 'Update task seed', 'update'),
});

export type SettingPath = keyof typeof SCHEMA;
/** The table's entries in the link's order. */
export const SETTINGS: readonly Setting[] = Object.values(SCHEMA);
export const NUMBER_SETTINGS: readonly NumberSetting[] = SETTINGS.filter((s): s is NumberSetting => s.kind === 'number');
/** A training setting's entry: SCHEMA[`train.${key}`]. */
export const trainSetting = (key: TrainSetting): NumberSetting => TRAIN[key];

// ---- reading and writing Settings by path ----

/** The value at a dotted path ('train.metaLr') of a settings object. */
export function getAt(obj: object, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

/** A copy of obj with value at the path; the objects along the path are copied, the rest shared. */
export function withAt<T extends object>(obj: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const o = obj as Record<string, unknown>;
  return { ...o, [head]: rest.length ? withAt((o[head] ?? {}) as object, rest.join('.'), value) : value } as T;
}

/**
 * A number for a setting as the store keeps it: rounded when it takes whole numbers, clamped into its bounds.
 * null when it cannot be: not a finite number, or not one of its choices.
 */
export function fitNumber(setting: NumberSetting, v: unknown): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  const x = Math.min(setting.max, Math.max(setting.min, setting.integer ? Math.round(v) : v)) + 0;
  return setting.choices && !setting.choices.includes(x) ? null : x;
}

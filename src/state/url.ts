/**
 * The user-facing settings and points as a query string, so a link reproduces the view (the
 * tensorflow/playground idea). Parsing never throws: whatever is malformed falls back to its default and
 * is named in a notice.
 */
import { ALGORITHM_INFO, isAlgorithmId, type AlgorithmId } from '../meta/contracts/algorithms';
import { SINUSOID_RANGES, type Point } from '../meta/contracts/tasks/sinusoid';
import { ENGINE_PREFERENCES, isBackendName, type BackendName, type EnginePreference } from '../worker/protocol';
import { defaultAlpha, defaultSettings, K_CHOICES, MAX_POINTS, MAX_STEPS, taskFromSeed, trainConfigFor, type Settings } from './store';

/** The training settings in the link: key and field. */
const TRAIN_KEYS = [
  ['mb', 'metaBatch'],
  ['ks', 'kSupport'],
  ['kq', 'kQuery'],
  ['is', 'innerSteps'],
  ['ta', 'alpha'],
  ['lr', 'metaLr'],
  ['it', 'iterations'],
  ['ts', 'seed'],
  ['lam', 'lambda'],
  ['cg', 'cgSteps'],
] as const;
import type { Stroke } from '../meta/contracts/tasks/glyphs';
import {
  GLYPH_K_CHOICES,
  MAX_CLASSES,
  MAX_GLYPH_QUERIES,
  MAX_PLANE_POINTS,
  planeFromSeed,
  resizeSupport,
  usedSupport,
  type GlyphQuery,
  type PlanePoint,
} from './classification';

const PROBLEM_KINDS = ['sinusoid', 'plane', 'glyphs'] as const;

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

export interface ParsedUrl {
  settings: Settings;
  backend: BackendName | null;
  /** ?engine=tfjs: every computation on the TF.js backend; gpu: train on the fused WebGPU kernels; default auto. */
  engine: EnginePreference;
  /** One line per ignored parameter, saying why. */
  problems: string[];
}

const r = (v: number, digits = 4) => Number(v.toFixed(digits)).toString();
/** Learning rates keep their significant digits (1.5e-6 must not become 2e-6 or 0). */
const rate = (v: number) => Number(v.toPrecision(6)).toString();

export function serializeSettings(s: Settings): string {
  const q = new URLSearchParams();
  q.set('seed', String(s.seed));
  q.set('task', s.task ? `${r(s.task.amplitude)},${r(s.task.phase)}` : 'none');
  q.set('pts', s.points.map((p) => `${r(p.x, 3)}:${r(p.y, 3)}`).join(';'));
  q.set('k', String(s.kShot));
  q.set('steps', String(s.steps));
  q.set('step', String(s.selectedStep));
  q.set('alpha', rate(s.alpha));
  q.set('methods', s.methods.join(','));
  q.set('truth', s.showTruth ? '1' : '0');
  const t = s.train;
  q.set('algo', t.algorithm);
  q.set('mb', String(t.metaBatch));
  q.set('ks', String(t.kSupport));
  q.set('kq', String(t.kQuery));
  q.set('is', String(t.innerSteps));
  q.set('ta', rate(t.alpha));
  q.set('lr', rate(t.metaLr));
  q.set('it', String(t.iterations));
  q.set('ts', String(t.seed));
  q.set('lam', rate(t.lambda));
  q.set('cg', String(t.cgSteps));
  // The classification playgrounds (issue 4): the problem shown, the plane's task and points, the glyph drawings.
  q.set('p', s.problem);
  const pl = s.plane;
  q.set('pn', String(pl.classes));
  q.set('pk', String(pl.kShot));
  q.set('pseed', String(pl.seed));
  q.set('pc', String(pl.activeClass));
  q.set('ppts', pl.points.map((p) => `${r(p.x, 3)}:${r(p.y, 3)}:${p.label}`).join(';'));
  const g = s.glyphs;
  q.set('gn', String(g.classes));
  q.set('gk', String(g.kShot));
  q.set('gseed', String(g.seed));
  q.set('gw', r(g.width, 3));
  q.set('gs', usedSupport(g).flat().map(encodeDrawing).join('~'));
  q.set('gq', g.queries.map((d) => `${d.label ?? '-'}${encodeDrawing(d.strokes)}`).join('~'));
  return q.toString();
}

function num(raw: string, opts: { min: number; max: number; integer?: boolean }): number | null {
  if (raw.trim() === '') return null;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < opts.min || v > opts.max) return null;
  if (opts.integer && !Number.isInteger(v)) return null;
  return v;
}

export function parseUrl(search: string): ParsedUrl {
  const q = new URLSearchParams(search);
  const d = defaultSettings();
  const problems: string[] = [];
  const out: Settings = { ...d, train: { ...d.train } };
  const bad = (key: string, why: string) => problems.push(`${key}=${JSON.stringify(q.get(key))}: ${why}`);

  const numeric = <K extends string>(key: K, opts: { min: number; max: number; integer?: boolean }, set: (v: number) => void) => {
    const raw = q.get(key);
    if (raw === null) return;
    const v = num(raw, opts);
    if (v === null) bad(key, `expected ${opts.integer ? 'an integer' : 'a number'} in [${opts.min}, ${opts.max}]`);
    else set(v);
  };

  numeric('k', { min: 1, max: MAX_POINTS, integer: true }, (v) => {
    if ((K_CHOICES as readonly number[]).includes(v)) out.kShot = v;
    else bad('k', `K must be one of ${K_CHOICES.join(', ')}`);
  });

  numeric('seed', { min: 0, max: 2 ** 31, integer: true }, (v) => {
    out.seed = v;
    Object.assign(out, taskFromSeed(v, out.kShot));
  });
  const task = q.get('task');
  if (task !== null) {
    if (task === 'none') out.task = null;
    else {
      const parts = task.split(',');
      const [aMin, aMax] = SINUSOID_RANGES.amplitude;
      const a = num(parts[0] ?? '', { min: aMin, max: aMax });
      const ph = num(parts[1] ?? '', { min: 0, max: Math.PI });
      if (parts.length === 2 && a !== null && ph !== null) out.task = { amplitude: a, phase: ph };
      else bad('task', `expected "amplitude,phase" with amplitude in [${aMin}, ${aMax}] and phase in [0, pi], or "none"`);
    }
  }

  const pts = q.get('pts');
  if (pts !== null) {
    const parsed: Point[] = [];
    let ok = true;
    for (const item of pts === '' ? [] : pts.split(';')) {
      const [x, y, ...rest] = item.split(':');
      const px = num(x ?? '', { min: SINUSOID_RANGES.x[0], max: SINUSOID_RANGES.x[1] });
      const py = num(y ?? '', { min: -1e3, max: 1e3 });
      if (px === null || py === null || rest.length) {
        ok = false;
        break;
      }
      parsed.push({ x: px, y: py });
    }
    if (!ok) bad('pts', 'expected "x:y;x:y;..." with x in [-5, 5] and y in [-1000, 1000]');
    else if (parsed.length > MAX_POINTS) bad('pts', `at most ${MAX_POINTS} points`);
    else out.points = parsed;
  }

  numeric('steps', { min: 0, max: MAX_STEPS, integer: true }, (v) => (out.steps = v));
  numeric('step', { min: 0, max: MAX_STEPS, integer: true }, (v) => (out.selectedStep = Math.min(v, out.steps)));
  numeric('alpha', { min: 1e-6, max: 100 }, (v) => (out.alpha = v));

  const methods = q.get('methods');
  if (methods !== null) {
    const ids = methods === '' ? [] : methods.split(',');
    if (ids.every(isAlgorithmId)) out.methods = (Object.keys(ALGORITHM_INFO) as AlgorithmId[]).filter((m) => ids.includes(m));
    else bad('methods', `expected a comma-separated list of ${Object.keys(ALGORITHM_INFO).join(', ')}`);
  }

  const truth = q.get('truth');
  if (truth !== null) {
    if (truth === '0' || truth === '1') out.showTruth = truth === '1';
    else bad('truth', 'expected 0 or 1');
  }

  const algo = q.get('algo');
  if (algo !== null) {
    if (isAlgorithmId(algo)) out.train.algorithm = algo;
    else bad('algo', `unknown algorithm; known: ${Object.keys(ALGORITHM_INFO).join(', ')}`);
  }
  numeric('mb', { min: 1, max: 200, integer: true }, (v) => (out.train.metaBatch = v));
  numeric('ks', { min: 1, max: 100, integer: true }, (v) => (out.train.kSupport = v));
  numeric('kq', { min: 1, max: 100, integer: true }, (v) => (out.train.kQuery = v));
  numeric('is', { min: 1, max: 10, integer: true }, (v) => (out.train.innerSteps = v));
  numeric('ta', { min: 1e-6, max: 100 }, (v) => (out.train.alpha = v));
  numeric('lr', { min: 1e-7, max: 10 }, (v) => (out.train.metaLr = v));
  numeric('it', { min: 1, max: 1_000_000, integer: true }, (v) => (out.train.iterations = v));
  numeric('ts', { min: 0, max: 2 ** 31, integer: true }, (v) => (out.train.seed = v));
  numeric('lam', { min: 1e-3, max: 1e4 }, (v) => (out.train.lambda = v));
  numeric('cg', { min: 1, max: 100, integer: true }, (v) => (out.train.cgSteps = v));

  const problem = q.get('p');
  if (problem !== null) {
    const known = PROBLEM_KINDS.find((k) => k === problem);
    if (known) out.problem = known;
    else bad('p', `expected ${PROBLEM_KINDS.join(', ')}`);
  }
  const plane = { ...out.plane };
  numeric('pn', { min: 2, max: MAX_CLASSES, integer: true }, (v) => (plane.classes = v));
  numeric('pk', { min: 1, max: 20, integer: true }, (v) => (plane.kShot = v));
  numeric('pseed', { min: 0, max: 2 ** 31, integer: true }, (v) => (plane.seed = v));
  Object.assign(plane, planeFromSeed(plane.seed, plane.classes, plane.kShot));
  numeric('pc', { min: 0, max: MAX_CLASSES - 1, integer: true }, (v) => {
    if (v < plane.classes) plane.activeClass = v;
    else bad('pc', `the task has ${plane.classes} classes`);
  });
  const ppts = q.get('ppts');
  if (ppts !== null) {
    const parsed: PlanePoint[] = [];
    let ok = true;
    for (const item of ppts === '' ? [] : ppts.split(';')) {
      const [x, y, c, ...rest] = item.split(':');
      const px = num(x ?? '', { min: -1, max: 1 });
      const py = num(y ?? '', { min: -1, max: 1 });
      const pc = num(c ?? '', { min: 0, max: plane.classes - 1, integer: true });
      if (px === null || py === null || pc === null || rest.length) {
        ok = false;
        break;
      }
      parsed.push({ x: px, y: py, label: pc });
    }
    if (!ok) bad('ppts', `expected "x:y:class;..." with x, y in [-1, 1] and class in 0..${plane.classes - 1}`);
    else if (parsed.length > MAX_PLANE_POINTS) bad('ppts', `at most ${MAX_PLANE_POINTS} points`);
    else plane.points = parsed;
  }
  out.plane = plane;

  const glyphs = { ...out.glyphs };
  numeric('gn', { min: 2, max: MAX_CLASSES, integer: true }, (v) => (glyphs.classes = v));
  numeric('gk', { min: 1, max: 5, integer: true }, (v) => {
    if ((GLYPH_K_CHOICES as readonly number[]).includes(v)) glyphs.kShot = v;
    else bad('gk', `expected ${GLYPH_K_CHOICES.join(' or ')}`);
  });
  numeric('gseed', { min: 0, max: 2 ** 31, integer: true }, (v) => (glyphs.seed = v));
  numeric('gw', { min: 0.3, max: 4 }, (v) => (glyphs.width = v));
  glyphs.support = resizeSupport(glyphs.support, glyphs.classes, glyphs.kShot);
  const gs = q.get('gs');
  if (gs !== null) {
    const drawings = gs.split('~').map(decodeDrawing);
    if (drawings.length !== glyphs.classes * glyphs.kShot || drawings.some((d) => d === null))
      bad('gs', `expected ${glyphs.classes * glyphs.kShot} drawings (${glyphs.classes} characters x K = ${glyphs.kShot}) joined by "~"`);
    else glyphs.support = Array.from({ length: glyphs.classes }, (_, c) => drawings.slice(c * glyphs.kShot, (c + 1) * glyphs.kShot) as Stroke[][]);
  }
  const gq = q.get('gq');
  if (gq !== null) {
    const queries: (GlyphQuery | null)[] = gq.split('~').map((item) => {
      const label = item[0] === '-' ? null : Number(item[0]);
      const strokes = decodeDrawing(item.slice(1));
      if (strokes === null || (label !== null && !(Number.isInteger(label) && label < MAX_CLASSES))) return null;
      return { strokes, label };
    });
    if (queries.length > MAX_GLYPH_QUERIES || queries.some((d) => d === null)) bad('gq', `expected up to ${MAX_GLYPH_QUERIES} drawings, each a class digit or "-" and its strokes, joined by "~"`);
    else glyphs.queries = queries as GlyphQuery[];
  }
  out.glyphs = glyphs;
  // The training problem follows the problem shown, and alpha is the problem's unless the link names one (as
  // the store's setProblem keeps them).
  if (out.problem !== 'sinusoid') {
    const own = trainConfigFor(out.train.algorithm, out.problem, out);
    const given = Object.fromEntries(TRAIN_KEYS.filter(([k]) => q.has(k)).map(([, field]) => [field, out.train[field]]));
    out.train = { ...own, ...given };
    if (!q.has('alpha')) out.alpha = defaultAlpha(out.problem);
  }

  let backend: BackendName | null = null;
  const b = q.get('backend');
  if (b !== null) {
    if (isBackendName(b)) backend = b;
    else bad('backend', 'expected webgpu, webgl, wasm or cpu');
  }

  let engine: EnginePreference = 'auto';
  const e = q.get('engine');
  if (e !== null) {
    const known = ENGINE_PREFERENCES.find((p) => p === e);
    if (known) engine = known;
    else bad('engine', `expected ${ENGINE_PREFERENCES.join(', ')}`);
  }

  const known = new Set(['seed', 'task', 'pts', 'k', 'steps', 'step', 'alpha', 'methods', 'truth', 'algo', 'mb', 'ks', 'kq', 'is', 'ta', 'lr', 'it', 'ts', 'lam', 'cg', 'backend', 'engine', 'p', 'pn', 'pk', 'pseed', 'pc', 'ppts', 'gn', 'gk', 'gseed', 'gw', 'gs', 'gq']);
  for (const key of q.keys()) if (!known.has(key)) problems.push(`${key}: unknown parameter`);
  return { settings: out, backend, engine, problems };
}

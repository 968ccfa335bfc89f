/**
 * The user-facing settings and points as a query string, so a link reproduces the view (the
 * tensorflow/playground idea). Every parameter is a setting of the schema (schema.ts: its key, path, codec
 * and bounds), written and read in the schema's order. Parsing never throws: whatever is malformed falls back
 * to its default and is named in a notice, and so is a parameter given twice (the first is used).
 */
import { TRAIN_SETTINGS } from '../meta/contracts/algorithms';
import { PROBLEM_INFO } from '../meta/contracts/problems';
import { ENGINE_PREFERENCES, isBackendName, type BackendName, type EnginePreference } from '../worker/protocol';
import { emptyGlyphs, planeFromSeed, resizeSupport } from './classification';
import { clip, count, listSome, quote, quoteName } from './notices';
import { getAt, SCHEMA, SETTINGS, withAt, type CustomSetting, type Read, type Setting, type SettingPath } from './schema';
import { defaultSettings, taskFromSeed, trainConfigFor, type Settings } from './store';

export { decodeDrawing, encodeDrawing } from './schema';

export interface ParsedUrl {
  settings: Settings;
  backend: BackendName | null;
  /** ?engine=tfjs: every computation on the TF.js backend; gpu: train on the fused WebGPU kernels; default auto. */
  engine: EnginePreference;
  /**
   * One line per ignored (or repeated) parameter, saying why, and one for all unknown ones when there are many;
   * values quoted to at most 80 characters (notices.ts).
   */
  problems: string[];
}

// ---- the schema against Settings, at compile time ----

/** The type at a dotted path of S. */
type At<S, P extends string> = P extends `${infer H}.${infer R}` ? (H extends keyof S ? At<S[H], R> : never) : P extends keyof S ? S[P] : never;
type ValueOf<E> = E extends { read(raw: string, ctx: never): Read<infer T> } ? T : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Paths whose codec's value is not exactly the type Settings has there (never: none). */
type Mismatched = { [P in SettingPath]: Same<ValueOf<(typeof SCHEMA)[P]>, At<Settings, P>> extends true ? never : P }[SettingPath];
const SCHEMA_FITS_SETTINGS: Same<Mismatched, never> = true;
void SCHEMA_FITS_SETTINGS;

/** A setting's default: the store's defaultSettings() at its path (the training ones: the sinusoid's). */
export const settingDefault = (setting: Setting): unknown => getAt(defaultSettings(), setting.path);

/** The query parameters that are engine choices, not settings of the task. */
const ENGINE_KEYS = ['backend', 'engine'] as const;
/** Every parameter a link may hold. */
export const KNOWN_KEYS: ReadonlySet<string> = new Set([...SETTINGS.map((s) => s.key), ...ENGINE_KEYS]);

export function serializeSettings(s: Settings): string {
  const q = new URLSearchParams();
  // Each entry's value type is the one Settings has at its path (checked above).
  for (const setting of SETTINGS) q.set(setting.key, (setting as CustomSetting).write(getAt(s, setting.path), s));
  return q.toString();
}

const GLYPH_KEYS = SETTINGS.filter((s) => s.path.startsWith('glyphs.')).map((s) => s.key);

const PLANE_TASK: SettingPath[] = ['plane.classes', 'plane.kShot', 'plane.seed'];

/**
 * What follows from a setting once it is read, before the settings after it are: the seed's task and points
 * (which explicit `task` and `pts` then replace), the plane's task for its seed and classes, the glyph pads
 * for N and K. `applied`: the paths read from the link so far.
 */
const AFTER: Partial<Record<SettingPath, (s: Settings, applied: ReadonlySet<SettingPath>) => Settings>> = {
  seed: (s, applied) => (applied.has('seed') ? { ...s, ...taskFromSeed(s.seed, s.kShot) } : s),
  selectedStep: (s) => ({ ...s, selectedStep: Math.min(s.selectedStep, s.steps) }),
  'plane.seed': (s, applied) =>
    PLANE_TASK.some((p) => applied.has(p)) ? { ...s, plane: { ...s.plane, ...planeFromSeed(s.plane.seed, s.plane.classes, s.plane.kShot) } } : s,
  'glyphs.width': (s) => ({ ...s, glyphs: { ...s.glyphs, support: resizeSupport(s.glyphs.support, s.glyphs.classes, s.glyphs.kShot) } }),
};

function safeRead(setting: Setting, raw: string, ctx: Settings): Read<unknown> {
  try {
    return setting.read(raw, ctx);
  } catch (e) {
    return { ok: false, why: `could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

export function parseUrl(search: string): ParsedUrl {
  const q = new URLSearchParams(search);
  const d = defaultSettings();
  const problems: string[] = [];
  const bad = (key: string, raw: string | null, why: string) => problems.push(`${quoteName(key)}=${quote(raw)}: ${clip(why, 160)}`);

  let out = defaultSettings();
  // The glyph tab opens with a generated episode; a link that names any glyph setting starts from nothing drawn
  // instead, so its own drawings (or their absence) are what opens.
  if (GLYPH_KEYS.some((k) => q.has(k))) out = { ...out, glyphs: emptyGlyphs() };
  const applied = new Set<SettingPath>();
  for (const setting of SETTINGS) {
    const path = setting.path as SettingPath;
    const raw = q.get(setting.key);
    if (raw !== null) {
      const r = safeRead(setting, raw, out);
      if (r.ok) {
        out = withAt(out, path, r.value);
        applied.add(path);
      } else bad(setting.key, raw, r.why);
    }
    out = AFTER[path]?.(out, applied) ?? out;
  }

  // The training problem follows the problem shown, with that problem's own training settings and test-time
  // alpha wherever the link names none (as the store's setProblem keeps them).
  if (out.problem !== d.problem) {
    const own = trainConfigFor(out.train.algorithm, out.problem, out);
    const given = Object.fromEntries(TRAIN_SETTINGS.filter((k) => applied.has(`train.${k}`)).map((k) => [k, out.train[k]]));
    out.train = { ...own, ...given };
    if (!applied.has('alpha')) out.alpha = PROBLEM_INFO[out.problem].evaluation.alpha;
  }

  let backend: BackendName | null = null;
  const b = q.get('backend');
  if (b !== null) {
    if (isBackendName(b)) backend = b;
    else bad('backend', b, 'expected webgpu, webgl, wasm or cpu');
  }

  let engine: EnginePreference = 'auto';
  const e = q.get('engine');
  if (e !== null) {
    const known = ENGINE_PREFERENCES.find((p) => p === e);
    if (known) engine = known;
    else bad('engine', e, `expected ${ENGINE_PREFERENCES.join(', ')}`);
  }

  const unknown: string[] = [];
  for (const key of new Set(q.keys())) {
    if (!KNOWN_KEYS.has(key)) unknown.push(quoteName(key));
    else {
      const all = q.getAll(key);
      if (all.length > 1) problems.push(`${key}: given ${count(all.length)} times (${listSome(all.map((v) => quote(v, 20)))}); the first, ${quote(all[0])}, is used`);
    }
  }
  // A few unknown parameters each by name; many in one line.
  if (unknown.length <= 3) problems.push(...unknown.map((key) => `${key}: unknown parameter`));
  else problems.push(`${count(unknown.length)} unknown parameters: ${listSome(unknown)}`);
  return { settings: out, backend, engine, problems };
}

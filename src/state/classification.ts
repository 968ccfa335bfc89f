/**
 * The classification playgrounds' part of the page state (issue 4): the user's labelled points in the plane and
 * their drawn glyphs, with the pure rules that check and convert them. The store (store.ts) holds these in its
 * settings and applies the intents; the controller turns them into the worker's inputs with the functions here.
 */
import { Rng } from '../meta/contracts/random';
import { GLYPH_SIZE, drawCharacter, drawingProblem, rasterize, sampleAlphabet, sampleCharacter, type Stroke } from '../meta/contracts/tasks/glyphs';
import type { LabelledSet } from '../meta/contracts/tasks/episodes';
import { MAX_CLASSES, PLANE_RANGE, planeLabel, samplePlanePoints, samplePlaneTask, type PlaneTask } from '../meta/contracts/tasks/plane';

export { MAX_CLASSES };

/** A labelled support point in the plane. */
export interface PlanePoint {
  x: number;
  y: number;
  label: number;
}

export interface PlaneSettings {
  /** N: classes of the task and of the model used (2..MAX_CLASSES). */
  classes: number;
  /** The true decision problem, or null when the points are the user's own. */
  task: PlaneTask | null;
  points: PlanePoint[];
  /** The class a click adds. */
  activeClass: number;
  /** K per class: what "sample points" draws, and the K of the averaged evaluation. */
  kShot: number;
  seed: number;
}

/** One drawing to classify: the generator's (its class known) or the user's own (label null). */
export interface GlyphQuery {
  strokes: Stroke[];
  label: number | null;
}

export interface GlyphSettings {
  /** N: characters in the episode, and the model used (the N-way one; 5-way is shipped). */
  classes: number;
  /** K drawings per class. */
  kShot: number;
  /**
   * support[class][example]: a drawing's strokes in [0, 1]^2 (y down); [] is an empty pad. The first kShot of
   * each class are used; more are kept (drawn at 5-shot, then 1-shot chosen) so switching K back loses nothing.
   */
  support: Stroke[][][];
  queries: GlyphQuery[];
  /** Stroke half-width in pixels when rasterised: the generator's alphabet's, or the pen's. */
  width: number;
  /** Seed of the last "fill from the generator". */
  seed: number;
}

export const PLANE_K_CHOICES = [1, 5, 10] as const;
export const GLYPH_K_CHOICES = [1, 5] as const;
export const GLYPH_CLASSES = 5;
/** Drawings to classify at most (the generator fills two per class). */
export const MAX_GLYPH_QUERIES = 12;
export const MAX_PLANE_POINTS = 100;
export const PEN_WIDTH = 1.3;
/** Where the plane's decision regions are computed: GRID_N x GRID_N points over the square. */
export const PLANE_GRID_N = 41;

export function planeFromSeed(seed: number, classes: number, kShot: number): { task: PlaneTask; points: PlanePoint[] } {
  const rng = new Rng(seed);
  const task = samplePlaneTask(rng, classes);
  const s = samplePlanePoints(task, classes, kShot, rng);
  const points = Array.from(s.labels, (label, i) => ({ x: s.x[2 * i], y: s.x[2 * i + 1], label }));
  return { task, points };
}

export function defaultPlane(): PlaneSettings {
  const seed = 3;
  const classes = 2;
  const kShot = 5;
  return { classes, kShot, seed, activeClass: 0, ...planeFromSeed(seed, classes, kShot) };
}

const emptySupport = (classes: number, kShot: number): Stroke[][][] => Array.from({ length: classes }, () => Array.from({ length: kShot }, () => []));

/** An episode with nothing drawn: N empty pads and one empty drawing to classify ("Clear all", links that name glyph settings). */
export function emptyGlyphs(): GlyphSettings {
  return { classes: GLYPH_CLASSES, kShot: 1, support: emptySupport(GLYPH_CLASSES, 1), queries: [{ strokes: [], label: null }], width: PEN_WIDTH, seed: 0 };
}

/** The seed of the episode the glyph tab opens with. */
export const DEFAULT_GLYPH_SEED = 1;
let defaultFill: GlyphSettings | null = null;

/** A drawing as a link holds it (schema.ts encodeDrawing): coordinates on 0..99 across the pad, repeats dropped. */
export function quantizeDrawing(strokes: readonly Stroke[]): Stroke[] {
  const q = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 99);
  return strokes.map((st) => {
    const out: Stroke = [];
    let last = '';
    for (const [x, y] of st) {
      const key = `${q(x)},${q(y)}`;
      if (key !== last) out.push([q(x) / 99, q(y) / 99]);
      last = key;
    }
    return out;
  });
}

/** A generator episode as a link holds it (drawings quantized, the stroke width to 3 decimals): a link reopens it exactly. */
function asInLink(g: GlyphSettings): GlyphSettings {
  return {
    ...g,
    width: Number(g.width.toFixed(3)),
    support: g.support.map((ex) => ex.map(quantizeDrawing)),
    queries: g.queries.map((q) => ({ ...q, strokes: quantizeDrawing(q.strokes) })),
  };
}

/**
 * What the glyph tab opens with: a generated episode (every pad drawn, ten drawings of known class to classify),
 * so it opens ready, with predictions, rather than with every pad marked empty. Made once (a millisecond),
 * copied down to the drawings' lists, which nobody mutates.
 */
export function defaultGlyphs(): GlyphSettings {
  defaultFill ??= asInLink(glyphsFromGenerator(DEFAULT_GLYPH_SEED, GLYPH_CLASSES, 1));
  return { ...defaultFill, support: defaultFill.support.map((ex) => [...ex]), queries: [...defaultFill.queries] };
}

/** At least K pads per class, keeping every drawing (those beyond K wait until K grows again). */
export function resizeSupport(support: Stroke[][][], classes: number, kShot: number): Stroke[][][] {
  return Array.from({ length: classes }, (_, c) => Array.from({ length: Math.max(kShot, support[c]?.length ?? 0) }, (_, k) => support[c]?.[k] ?? []));
}

/** The drawings in use: the first K of each of the first N characters (the others wait, kept). */
export const usedSupport = (g: GlyphSettings): Stroke[][][] => g.support.slice(0, g.classes).map((examples) => examples.slice(0, g.kShot));

/** At least N characters with K pads each, keeping every drawing. */
export function resizeEpisode(support: Stroke[][][], classes: number, kShot: number): Stroke[][][] {
  return resizeSupport(support, Math.max(classes, support.length), kShot);
}

/** The queries' classes as the model sees them: a character beyond N has no class in this episode. */
export const queryLabel = (q: GlyphQuery, classes: number): number | null => (q.label !== null && q.label < classes ? q.label : null);

/**
 * A new episode from the generator: N characters of one new alphabet, K drawings of each in the pads and two
 * more of each to classify, as strokes (they can be redrawn like the user's own).
 */
export function glyphsFromGenerator(seed: number, classes: number, kShot: number): GlyphSettings {
  const rng = new Rng(seed);
  const alphabet = sampleAlphabet(rng);
  const characters = Array.from({ length: classes }, () => sampleCharacter(rng, alphabet));
  const fit = (strokes: Stroke[]) => fitToPad(strokes);
  const support = characters.map((c) => Array.from({ length: kShot }, () => fit(drawCharacter(rng, c))));
  const queries: GlyphQuery[] = [];
  for (let i = 0; i < 2; i++) characters.forEach((c, label) => queries.push({ strokes: fit(drawCharacter(rng, c)), label }));
  return { classes, kShot, support, queries, width: alphabet.width, seed };
}

/** Whether the drawings in use are exactly the generator's fill for g.seed (nothing redrawn since). */
export function isGeneratorFill(g: GlyphSettings): boolean {
  const fill = glyphsFromGenerator(g.seed, g.classes, g.kShot);
  const used = JSON.stringify(usedSupport(g));
  if (g.width === fill.width && used === JSON.stringify(fill.support)) return true;
  // The same episode as a link holds it (the default one, or one reopened from a link).
  const linked = asInLink(fill);
  return g.width === linked.width && used === JSON.stringify(linked.support);
}

/** Strokes scaled into [0.1, 0.9]^2 (the generator's coordinates are its own), keeping the aspect ratio. */
function fitToPad(strokes: Stroke[]): Stroke[] {
  const pts = strokes.flat();
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const k = 0.8 / Math.max(x1 - x0, y1 - y0, 1e-9);
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  return strokes.map((s) => s.map(([x, y]) => [0.5 + (x - cx) * k, 0.5 + (y - cy) * k] as [number, number]));
}

/**
 * Why the drawn support set cannot be used yet, one line per problem (empty: it can): every class needs K
 * readable drawings. Nothing is dropped; the pads keep what was drawn.
 */
export function glyphSupportProblems(g: GlyphSettings): string[] {
  const out: string[] = [];
  usedSupport(g).forEach((examples, c) => {
    const problems = examples.map((s) => drawingProblem(s));
    const empty = problems.filter((p, k) => p !== null && examples[k].length === 0).length;
    if (empty === examples.length) out.push(`Character ${c + 1} has no drawing: draw it (${g.kShot} example${g.kShot > 1 ? 's' : ''}) or fill the episode from the generator.`);
    else if (empty > 0) out.push(`Character ${c + 1} has ${examples.length - empty} of ${g.kShot} examples: draw the other ${empty}.`);
    problems.forEach((p, k) => {
      if (p !== null && examples[k].length > 0) out.push(`Character ${c + 1}, example ${k + 1}: ${p}`);
    });
  });
  return out;
}

/** The queries that can be classified (readable drawings), with their index among g.queries. */
export function readableQueries(g: GlyphSettings): { index: number; query: GlyphQuery }[] {
  return g.queries.map((query, index) => ({ index, query })).filter(({ query }) => drawingProblem(query.strokes) === null);
}

/** The drawn support set as images: class by class, example by example. */
export function glyphSupportSet(g: GlyphSettings): LabelledSet {
  const n = g.classes * g.kShot;
  const x = new Float32Array(n * GLYPH_SIZE * GLYPH_SIZE);
  const labels = new Int32Array(n);
  let i = 0;
  usedSupport(g).forEach((examples, c) =>
    examples.forEach((strokes) => {
      x.set(rasterize(strokes, g.width), i * GLYPH_SIZE * GLYPH_SIZE);
      labels[i++] = c;
    }),
  );
  return { x, labels };
}

export function glyphImages(drawings: Stroke[][], width: number): Float32Array {
  const x = new Float32Array(drawings.length * GLYPH_SIZE * GLYPH_SIZE);
  drawings.forEach((s, i) => x.set(rasterize(s, width), i * GLYPH_SIZE * GLYPH_SIZE));
  return x;
}

export function planeSupportSet(p: PlaneSettings): LabelledSet {
  return { x: Float32Array.from(p.points.flatMap((q) => [q.x, q.y])), labels: Int32Array.from(p.points.map((q) => q.label)) };
}

/** The true class of each grid point (planeGrid order), or null without a true task. */
export function planeTruth(task: PlaneTask | null, grid: Float32Array): Int32Array | null {
  if (!task) return null;
  const out = new Int32Array(grid.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = planeLabel(task, grid[2 * i], grid[2 * i + 1]);
  return out;
}

export const clampPlane = (v: number) => Math.min(PLANE_RANGE[1], Math.max(PLANE_RANGE[0], v));

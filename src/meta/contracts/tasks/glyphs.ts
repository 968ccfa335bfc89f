/**
 * Procedural stroke-drawn characters for Omniglot-style few-shot classification (issue 4), with no downloaded
 * data: an endless supply of "alphabets" (each a drawing style), their characters (a few strokes each), and
 * drawings of a character (the strokes jittered, bent and moved as a hand would), rasterised to small
 * grayscale images. The same rasteriser turns the strokes a user draws into images, after the same
 * normalisation (centred, scaled to fit), so drawn and generated characters look alike to a model.
 * tfjs-free: the page, the worker and Node share it.
 */
import type { Rng } from '../random';
import type { Episodes } from './episodes';

export type Point2 = [number, number];
/** A stroke is a polyline; a drawing is a few strokes. Coordinates in [0, 1] (y down). */
export type Stroke = Point2[];

/** Image side in pixels (the paper's Omniglot images were downsampled to 28 x 28). */
export const GLYPH_SIZE = 28;

/** A drawing style shared by an alphabet's characters. */
export interface Alphabet {
  /** Strokes per character, inclusive range. */
  strokes: [number, number];
  /** Control points per stroke, inclusive range. */
  points: [number, number];
  /** How far consecutive control points may be apart (a fraction of the box). */
  reach: number;
  /** Stroke half-width in pixels. */
  width: number;
}

export interface Character {
  alphabet: Alphabet;
  /** The character's strokes as control points (smoothed when drawn). */
  strokes: Stroke[];
}

const int = (rng: Rng, [lo, hi]: [number, number]) => lo + Math.floor(rng.uniform(0, hi - lo + 1 - 1e-9));

export function sampleAlphabet(rng: Rng): Alphabet {
  const minStrokes = int(rng, [1, 2]);
  return {
    strokes: [minStrokes, minStrokes + int(rng, [1, 2])],
    points: [2, 2 + int(rng, [1, 3])],
    reach: rng.uniform(0.25, 0.6),
    width: rng.uniform(0.9, 1.6),
  };
}

export function sampleCharacter(rng: Rng, alphabet: Alphabet): Character {
  const strokes: Stroke[] = [];
  const n = int(rng, alphabet.strokes);
  for (let s = 0; s < n; s++) {
    const pts: Stroke = [[rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85)]];
    const m = int(rng, alphabet.points);
    for (let i = 1; i < m; i++) {
      const [px, py] = pts[i - 1];
      const clamp = (v: number) => Math.min(0.9, Math.max(0.1, v));
      pts.push([clamp(px + rng.uniform(-alphabet.reach, alphabet.reach)), clamp(py + rng.uniform(-alphabet.reach, alphabet.reach))]);
    }
    strokes.push(pts);
  }
  return { alphabet, strokes };
}

/**
 * How much drawings of one character vary: rotation (radians), scale and shear (fractions), and each control
 * point's wobble (a fraction of the box). Tuned so that a nearest-neighbour reader on raw pixels gets 5-way
 * 1-shot episodes about two-thirds right (tests/unit/glyphs.test.ts), like Omniglot's hand-drawn characters,
 * where pixels alone are not enough and a learned representation pays.
 */
export const JITTER = { angle: 0.3, scale: 0.18, shear: 0.25, point: 0.07 };

/**
 * One drawing of a character: every control point nudged, the whole character rotated, scaled, sheared and
 * moved a little, then smoothed into curves. Returns strokes in [0, 1].
 */
export function drawCharacter(rng: Rng, c: Character): Stroke[] {
  const angle = rng.uniform(-JITTER.angle, JITTER.angle);
  const scale = rng.uniform(1 - JITTER.scale, 1 + JITTER.scale);
  const shear = rng.uniform(-JITTER.shear, JITTER.shear);
  const [dx, dy] = [rng.uniform(-0.06, 0.06), rng.uniform(-0.06, 0.06)];
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const place = ([x, y]: Point2): Point2 => {
    const [u, v] = [x - 0.5 + rng.uniform(-JITTER.point, JITTER.point), y - 0.5 + rng.uniform(-JITTER.point, JITTER.point)];
    const [su, sv] = [u + shear * v, v];
    return [0.5 + dx + scale * (cos * su - sin * sv), 0.5 + dy + scale * (sin * su + cos * sv)];
  };
  return c.strokes.map((s) => smooth(s.map(place)));
}

/** Catmull-Rom through the control points: a hand's curve, not a ruler's polyline. */
function smooth(points: Stroke, perSegment = 6): Stroke {
  if (points.length < 3) return points;
  const out: Stroke = [];
  const at = (i: number) => points[Math.max(0, Math.min(points.length - 1, i))];
  for (let i = 0; i < points.length - 1; i++) {
    const [p0, p1, p2, p3] = [at(i - 1), at(i), at(i + 1), at(i + 2)];
    for (let k = 0; k < perSegment; k++) {
      const t = k / perSegment;
      const [t2, t3] = [t * t, t * t * t];
      const f = (a: number, b: number, c: number, d: number) => 0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
      out.push([f(p0[0], p1[0], p2[0], p3[0]), f(p0[1], p1[1], p2[1], p3[1])]);
    }
  }
  out.push(points[points.length - 1]);
  return out;
}

/**
 * Strokes (any coordinates) to a size x size grayscale image in [0, 1], ink = 1: centred on their bounding box
 * and scaled so its longer side spans 80% of the image, each segment drawn with anti-aliased width.
 */
export function rasterize(strokes: Stroke[], width = 1.3, size = GLYPH_SIZE): Float32Array {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const s of strokes)
    for (const [x, y] of s) {
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  const extent = Math.max(x1 - x0, y1 - y0, 1e-9);
  const k = (0.8 * size) / extent;
  const map = ([x, y]: Point2): Point2 => [size / 2 + (x - (x0 + x1) / 2) * k, size / 2 + (y - (y0 + y1) / 2) * k];
  const img = new Float32Array(size * size);
  for (const s of strokes) {
    const pts = s.map(map);
    const segs = pts.length === 1 ? [[pts[0], pts[0]]] : pts.slice(1).map((p, i) => [pts[i], p]);
    for (const [a, b] of segs) {
      const [ax, ay, bx, by] = [a[0], a[1], b[0], b[1]];
      const [lo, hi] = [Math.floor(Math.min(ax, bx) - width - 1), Math.ceil(Math.max(ax, bx) + width + 1)];
      const [top, bottom] = [Math.floor(Math.min(ay, by) - width - 1), Math.ceil(Math.max(ay, by) + width + 1)];
      for (let py = Math.max(0, top); py < Math.min(size, bottom); py++)
        for (let px = Math.max(0, lo); px < Math.min(size, hi); px++) {
          const ink = Math.min(1, Math.max(0, width + 0.5 - segmentDistance(px + 0.5, py + 0.5, ax, ay, bx, by)));
          if (ink > img[py * size + px]) img[py * size + px] = ink;
        }
    }
  }
  return img;
}

/** Distance from (px, py) to the segment a-b; scalars, not points: it runs for every pixel near every segment. */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const len2 = vx * vx + vy * vy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / len2));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

/**
 * Why a user's drawing cannot be used, or null: it must have ink, and be more than a dot or a tiny scribble
 * (its strokes must span at least 5% of the canvas in some direction and be at least 10% long in all).
 */
export function drawingProblem(strokes: Stroke[]): string | null {
  const pts = strokes.flat();
  if (pts.length === 0) return 'The drawing is empty: draw the character first.';
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const extent = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const length = strokes.reduce((a, s) => a + s.slice(1).reduce((b, p, i) => b + Math.hypot(p[0] - s[i][0], p[1] - s[i][1]), 0), 0);
  if (extent < 0.05 || length < 0.1) return 'The drawing is too small to read: draw the character larger.';
  return null;
}

/** An N-way episode: n characters, k support and q query drawings of each, as images and labels. */
export interface GlyphEpisode {
  characters: Character[];
  support: { images: Float32Array[]; labels: number[] };
  query: { images: Float32Array[]; labels: number[] };
}

/** N characters of one new alphabet, each drawn k + q times (interleaved by class, like the plane's episodes). */
export function sampleGlyphEpisode(rng: Rng, n: number, k: number, q: number): GlyphEpisode {
  const alphabet = sampleAlphabet(rng);
  const characters = Array.from({ length: n }, () => sampleCharacter(rng, alphabet));
  const draw = (count: number) => {
    const images: Float32Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < count; i++)
      characters.forEach((c, label) => {
        images.push(rasterize(drawCharacter(rng, c), alphabet.width));
        labels.push(label);
      });
    return { images, labels };
  };
  return { characters, support: draw(k), query: draw(q) };
}

/** T glyph episodes as labelled sets of flattened images (GLYPH_SIZE^2 inputs), each from a new alphabet. */
export function drawGlyphEpisodes(rng: Rng, tasks: number, classes: number, kSupport: number, kQuery: number): Episodes {
  const flat = (images: Float32Array[], labels: number[]) => {
    const x = new Float32Array(images.length * GLYPH_SIZE * GLYPH_SIZE);
    images.forEach((img, i) => x.set(img, i * img.length));
    return { x, labels: Int32Array.from(labels) };
  };
  const out: Episodes = { classes, support: [], query: [] };
  for (let t = 0; t < tasks; t++) {
    const e = sampleGlyphEpisode(rng, classes, kSupport, kQuery);
    out.support.push(flat(e.support.images, e.support.labels));
    out.query.push(flat(e.query.images, e.query.labels));
  }
  return out;
}

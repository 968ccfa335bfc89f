/**
 * Issue 14: nine method colours that stay apart, also for colour-blind viewers, with the marker shape as a second
 * channel. Colour distance is CIE76 ΔE in CIELAB (sRGB, D65); colour-vision deficiencies are simulated with
 * Machado, Oliveira and Fernandes (2009) at full severity, in linear RGB.
 */
import { describe, expect, it } from 'vitest';
import { ALGORITHM_IDS, type AlgorithmId } from '../../src/meta/contracts/algorithms';
import { BEFORE_STYLE, markerPath, METHOD_COLORS, METHOD_MARKERS } from '../../src/panels/theme';

type Mat = number[][];
const CVD: Record<string, Mat> = {
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const linearRgb = (hex: string) => [1, 3, 5].map((i) => toLinear(parseInt(hex.slice(i, i + 2), 16) / 255));
function lab(rgb: number[]): number[] {
  const [r, g, b] = rgb.map((v) => Math.min(1, Math.max(0, v)));
  const X = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const Y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const Z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}
const simulate = (rgb: number[], m?: Mat) => (m ? m.map((row) => row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]) : rgb);
const deltaE = (a: string, b: string, m?: Mat) => {
  const [p, q] = [lab(simulate(linearRgb(a), m)), lab(simulate(linearRgb(b), m))];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
};
const pairs: [AlgorithmId, AlgorithmId][] = ALGORITHM_IDS.flatMap((a, i) => ALGORITHM_IDS.slice(i + 1).map((b): [AlgorithmId, AlgorithmId] => [a, b]));

describe('method colours (issue 14)', () => {
  it('nine distinct colours, every pair at least ΔE 18 apart with normal colour vision', () => {
    expect(new Set(Object.values(METHOD_COLORS)).size).toBe(9);
    for (const [a, b] of pairs) expect(deltaE(METHOD_COLORS[a], METHOD_COLORS[b]), `${a}/${b}`).toBeGreaterThan(18);
  });

  it('under deuteranopia, protanopia and tritanopia every pair stays at least ΔE 10 apart, and the marker tells the closest apart', () => {
    for (const [name, m] of Object.entries(CVD)) {
      for (const [a, b] of pairs) {
        const d = deltaE(METHOD_COLORS[a], METHOD_COLORS[b], m);
        expect(d, `${name}: ${a}/${b}`).toBeGreaterThan(10);
      }
    }
    // The second channel: nine different marker shapes, nine different paths.
    expect(new Set(Object.values(METHOD_MARKERS)).size).toBe(9);
    expect(new Set(ALGORITHM_IDS.map((id) => markerPath(id))).size).toBe(9);
  });

  it('MAML, its first-order version and the pretrained baseline (the lecture\u2019s comparison) are far apart for everyone', () => {
    for (const m of [undefined, ...Object.values(CVD)]) {
      expect(deltaE(METHOD_COLORS.maml, METHOD_COLORS.pretrained, m)).toBeGreaterThan(25);
      expect(deltaE(METHOD_COLORS.maml, METHOD_COLORS.fomaml, m)).toBeGreaterThan(25);
    }
  });

  it('every colour reads on white (CIELAB L* at most 80), and the dashed before-curves are wide and opaque enough', () => {
    for (const id of ALGORITHM_IDS) expect(lab(linearRgb(METHOD_COLORS[id]))[0], id).toBeLessThanOrEqual(80);
    expect(BEFORE_STYLE.width).toBeGreaterThanOrEqual(2);
    expect(BEFORE_STYLE.opacity).toBeGreaterThanOrEqual(0.7);
  });
});

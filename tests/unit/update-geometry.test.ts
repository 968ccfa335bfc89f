/**
 * The "Inside the update" plots' geometry (src/panels/updateGeometry.ts): contours lie on their level sets, a
 * matrix's ellipse is the unit circle's image, decision boundaries and arrows are cut to the plot's box.
 */
import { describe, expect, it } from 'vitest';
import { quadValue, type Quad } from '../../src/meta/contracts/tasks/update';
import { boundaryInBox, clipToBox, contourPoints, insideBox, matrixEllipse, quadMinimum, symEigen } from '../../src/panels/updateGeometry';

const q: Quad = { a11: 1.3, a12: 0.4, a22: 0.2, b1: 0.7, b2: -0.3, c: 2 };

describe('update plot geometry', () => {
  it('draws each contour on its level set, around the minimum', () => {
    const min = quadMinimum(q)!;
    expect(quadValue(q, ...min.at)).toBeCloseTo(min.value, 12);
    for (const level of [0.1, 1, 3]) for (const [a, b] of contourPoints(q, level, 32)) expect(quadValue(q, a, b)).toBeCloseTo(min.value + level, 9);
    expect(contourPoints({ ...q, a22: 0.4 * 0.4 / 1.3 }, 1)).toEqual([]);
  });

  it('finds a symmetric matrix eigenvalues and the first direction', () => {
    const e = symEigen(2, 1, 2);
    expect(e.l1).toBeCloseTo(3, 12);
    expect(e.l2).toBeCloseTo(1, 12);
    expect(e.angle).toBeCloseTo(Math.PI / 4, 12);
  });

  it("draws a matrix as the unit circle's image", () => {
    const pts = matrixEllipse([2, 0, 0, 0.5], [1, 1], 4);
    expect(pts[0][0]).toBeCloseTo(3, 12);
    expect(pts[0][1]).toBeCloseTo(1, 12);
    expect(pts[1][0]).toBeCloseTo(1, 12);
    expect(pts[1][1]).toBeCloseTo(1.5, 12);
  });

  it('cuts paths, arrows and boundaries at the box', () => {
    expect(insideBox([[0, 0], [1, 2], [7, 0], [1, 1]], 6)).toEqual([[0, 0], [1, 2]]);
    expect(clipToBox([5, 0], [4, 2], 6)).toEqual([6, 0.5]);
    expect(clipToBox([0, 0], [1, 1], 6)).toEqual([1, 1]);
    const seg = boundaryInBox([1, 2], [-3, 3], [-0.75, 0.75])!;
    for (const [a, b] of seg) {
      expect(a + 2 * b).toBeCloseTo(0, 12);
      expect(Math.abs(b)).toBeLessThanOrEqual(0.75 + 1e-12);
    }
    expect(Math.max(Math.abs(seg[0][1]), Math.abs(seg[1][1]))).toBeCloseTo(0.75, 12);
    expect(boundaryInBox([0, 0], [-1, 1], [-1, 1])).toBeNull();
  });
});

/**
 * GridForward (the curve along a sorted x grid, layer one walked as piecewise linear) against the dense forward
 * pass, for the shipped shapes and others: one hidden layer, deeper nets, extra constant inputs (the oracle).
 */
import { describe, expect, it } from 'vitest';
import { GridForward } from '../../src/meta/fast/grid';
import { initFlat } from '../../src/meta/fast/maml';
import { forwardRows, layoutOf, Workspace } from '../../src/meta/fast/mlp';
import { Rng } from '../../src/meta/contracts/random';
import { xGrid } from '../../src/meta/contracts/tasks/sinusoid';

describe.each([[[1, 40, 40, 1]], [[4, 40, 40, 1]], [[1, 8, 6, 5, 1]], [[2, 5, 3]], [[3, 7, 9, 2]]])('GridForward %j', (sizes) => {
  const lay = layoutOf(sizes);
  const grid = xGrid(201);
  const rng = new Rng(sizes.reduce((a, b) => a * 7 + b, 1));

  it('equals the dense forward pass on the grid, for several random nets', () => {
    const gf = new GridForward(lay, grid.length);
    const ws = new Workspace(lay, grid.length, { line: false });
    for (let trial = 0; trial < 5; trial++) {
      // Larger than init-sized weights, so units switch inside the grid.
      const p = initFlat(sizes, rng).map((v) => v * 3);
      const fixed = Array.from({ length: sizes[0] - 1 }, () => rng.uniform(-2, 2));
      const x = new Float64Array(grid.length * sizes[0]);
      grid.forEach((g, r) => x.set([g, ...fixed], r * sizes[0]));
      const dense = forwardRows(ws, p, x, grid.length);
      const fast = gf.run(p, grid, grid.length, fixed);
      const nOut = sizes[sizes.length - 1];
      let worst = 0;
      for (let i = 0; i < grid.length * nOut; i++) worst = Math.max(worst, Math.abs(fast[i] - dense[i]) / (1 + Math.abs(dense[i])));
      expect(worst).toBeLessThan(1e-12);
      // Not a flat curve: the comparison covers units switching along the grid.
      expect(Math.max(...dense.subarray(0, grid.length * nOut)) - Math.min(...dense.subarray(0, grid.length * nOut))).toBeGreaterThan(1e-2);
    }
  });
});

it('refuses a grid that is not ascending', () => {
  const sizes = [1, 4, 4, 1];
  const gf = new GridForward(layoutOf(sizes), 3);
  expect(() => gf.run(initFlat(sizes, new Rng(1)), [0, 1, -1], 3, [])).toThrow(/ascending/);
});

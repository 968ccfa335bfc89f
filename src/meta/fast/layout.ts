/** Where each layer's weights and biases sit in a flat parameter vector (w0, b0, w1, b1, ...; w is [in, out] row-major). */
export interface Layout {
  sizes: number[];
  /** Offsets of each layer's weights and biases in the flat vector. */
  w: number[];
  b: number[];
  total: number;
}

export function layoutOf(sizes: number[]): Layout {
  const w: number[] = [];
  const b: number[] = [];
  let off = 0;
  for (let l = 0; l < sizes.length - 1; l++) {
    w.push(off);
    off += sizes[l] * sizes[l + 1];
    b.push(off);
    off += sizes[l + 1];
  }
  return { sizes, w, b, total: off };
}

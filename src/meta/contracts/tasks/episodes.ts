/**
 * Few-shot classification episodes, whatever the problem (issue 4): the plane's points or the glyphs' images
 * become the same labelled sets, so batching, training and evaluation are written once. tfjs-free.
 */

/** One set of an episode: inputs [n, dim] row-major, and each one's class. */
export interface LabelledSet {
  x: Float32Array;
  labels: Int32Array;
}

/** T N-way episodes: each one's support and query sets. */
export interface Episodes {
  classes: number;
  support: LabelledSet[];
  query: LabelledSet[];
}

/** The problems whose tasks are N-way classification episodes. */
export type ClassificationProblem = 'plane' | 'glyphs';

/**
 * Checks a labelled support set and query inputs against a classifier with `dim` inputs and `outputs` classes
 * before anything adapts (both test-time paths, TF.js and typed arrays, say the same); returns the numbers of
 * support examples and queries.
 */
export function checkClassifyShapes(classes: number, support: LabelledSet, queries: Float32Array, dim: number, outputs: number): { K: number; Q: number } {
  const K = support.labels.length;
  const Q = queries.length / dim;
  if (outputs !== classes) throw new Error(`This model has ${outputs} classes, not ${classes}.`);
  if (!Number.isInteger(Q)) throw new Error(`Query inputs have ${queries.length} values, not a multiple of the model's ${dim} inputs.`);
  if (K > 0 && support.x.length !== K * dim) throw new Error(`Support inputs have ${support.x.length} values for ${K} examples of ${dim}.`);
  for (const c of support.labels) if (!(c >= 0 && c < classes)) throw new Error(`A support label is ${c}; this model has classes 0..${classes - 1}.`);
  return { K, Q };
}

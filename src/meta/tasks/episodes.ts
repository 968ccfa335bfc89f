/**
 * Few-shot classification episodes, whatever the problem (issue 4): the plane's points or the glyphs' images
 * become the same labelled sets, so batching, training and evaluation are written once. tfjs-free.
 */
import type { Rng } from '../random';
import { drawGlyphEpisodes } from './glyphs';
import { drawPlaneEpisodes } from './plane';

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

export type ClassificationProblem = 'plane' | 'glyphs';

/** T episodes of the problem, N-way, with kSupport and kQuery examples of every class. */
export function drawEpisodes(problem: ClassificationProblem, rng: Rng, tasks: number, classes: number, kSupport: number, kQuery: number): Episodes {
  return problem === 'glyphs' ? drawGlyphEpisodes(rng, tasks, classes, kSupport, kQuery) : drawPlaneEpisodes(rng, tasks, classes, kSupport, kQuery);
}

/**
 * Few-shot classification at test time on typed arrays: what a click in the plane asks for (every shown method
 * adapted to the labelled points by its own rule on the cross-entropy, and its class probabilities on the
 * 41 x 41 grid before and after every step), the counterpart of classification.ts's adaptClassifiers without
 * TF.js. The grid's rows vary only in x, so each row's logits come from GridForward's piecewise-linear walk, not
 * a dense pass. Logits are rounded to float32 before the softmax and the scores, so a model that overflows
 * float32 counts as diverged here as it does there. Tests hold it to adaptClassifiers.
 */
import { checkClassifyShapes } from '../contracts/tasks/episodes';
import { FlatAdapter, reused, type FlatLearner } from './adapt';
import { GridForward } from './grid';
import { forwardRows, Workspace, type Layout } from './mlp';
import type { ClassAdaptation, ClassifyInput } from '../contracts/types';

export function classifyFlat(learners: FlatLearner[], input: ClassifyInput): ClassAdaptation[] {
  return learners.map((l) => classifyOne(l, input));
}

function classifyOne(learner: FlatLearner, input: ClassifyInput): ClassAdaptation {
  const { classes, support, queries, queryLabels, steps, alpha } = input;
  const sizes = learner.sizes;
  const C = sizes[sizes.length - 1];
  const { K, Q } = checkClassifyShapes(classes, support, queries, sizes[0], C);

  const adapter = new FlatAdapter(learner, alpha, Math.max(K, 1), 'crossEntropy');
  const sx = Float64Array.from(support.x);
  const sy = new Float64Array(K * C);
  support.labels.forEach((c, i) => (sy[i * C + c] = 1));
  const queryLogits = logitsOn(adapter.lay, queries, Q);
  const supportWs = reused(`class support ${sizes} ${Math.max(K, 1)}`, () => new Workspace(adapter.lay, Math.max(K, 1)));

  const res: ClassAdaptation = { probabilities: [], supportAccuracy: [], supportLoss: [], queryAccuracy: queryLabels ? [] : null, queryLoss: queryLabels ? [] : null, divergedAt: null };
  const run = K > 0 ? steps : 0;
  adapter.run(sx, sy, K, run, (phi, s) => {
    const probs = new Float32Array(Q * C);
    const [qAcc, qCe] = scores(queryLogits(phi), Q, queryLabels, C, probs);
    res.probabilities.push(probs);
    let finite = true;
    for (let i = 0; i < probs.length && finite; i++) finite = Number.isFinite(probs[i]);
    const probsFinite = finite;
    if (K > 0) {
      const [acc, ce] = scores(forwardRows(supportWs, phi, sx, K), K, support.labels, C, null);
      res.supportAccuracy.push(acc);
      res.supportLoss.push(ce);
      finite &&= Number.isFinite(acc) && Number.isFinite(ce);
    } else {
      res.supportAccuracy.push(NaN);
      res.supportLoss.push(NaN);
    }
    if (queryLabels) {
      res.queryAccuracy!.push(qAcc);
      res.queryLoss!.push(qCe);
      finite &&= Number.isFinite(qAcc) && Number.isFinite(qCe);
    }
    // Without support examples only the probabilities count (adaptClassifiers's rule).
    if (res.divergedAt === null && (K > 0 ? !finite : !probsFinite)) res.divergedAt = s;
  });
  // Steps not taken (no examples) show the last model.
  for (let s = run + 1; s <= steps; s++) {
    res.probabilities.push(res.probabilities[run]);
    res.supportAccuracy.push(res.supportAccuracy[run]);
    res.supportLoss.push(res.supportLoss[run]);
    res.queryAccuracy?.push(res.queryAccuracy[run]);
    res.queryLoss?.push(res.queryLoss[run]);
  }
  return res;
}

/** Scratch for one row of exponentials. */
let expRow = new Float64Array(8);

/**
 * Rows 0..n of logits (taken as float32 values, as TF.js has them): their softmax into probs (when given), and
 * with labels the accuracy (largest logit, the first of ties) and mean cross-entropy, else NaN.
 */
function scores(logits: Float64Array, n: number, labels: Int32Array | null, C: number, probs: Float32Array | null): [number, number] {
  if (expRow.length < C) expRow = new Float64Array(C);
  const e = expRow;
  let right = 0;
  let ce = 0;
  for (let r = 0; r < n; r++) {
    const at = r * C;
    let best = 0;
    let m = -Infinity;
    for (let j = 0; j < C; j++) {
      const z = Math.fround(logits[at + j]);
      if (z > m || (j === 0 && Number.isNaN(z))) {
        m = z;
        best = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < C; j++) {
      e[j] = Math.exp(Math.fround(logits[at + j]) - m);
      sum += e[j];
    }
    if (probs) for (let j = 0; j < C; j++) probs[at + j] = e[j] / sum;
    if (!labels) continue;
    if (best === labels[r]) right++;
    ce += m + Math.log(sum) - Math.fround(logits[at + labels[r]]);
  }
  return labels ? [right / n, ce / n] : [NaN, NaN];
}

/**
 * The logits ([Q, classes]) on the queries for given parameters: runs of queries that share every input but
 * the first, the first ascending (the plane grid's rows), walked by GridForward; otherwise a dense pass.
 */
function logitsOn(lay: Layout, queries: Float32Array, Q: number): (phi: Float64Array) => Float64Array {
  const dim = lay.sizes[0];
  const C = lay.sizes[lay.sizes.length - 1];
  const out = new Float64Array(Q * C);
  const runs: { start: number; xs: Float64Array; fixed: number[] }[] = [];
  let start = 0;
  for (let q = 1; q <= Q; q++) {
    let same = q < Q && queries[q * dim] >= queries[(q - 1) * dim];
    for (let i = 1; same && i < dim; i++) same = queries[q * dim + i] === queries[start * dim + i];
    if (same) continue;
    const xs = Float64Array.from({ length: q - start }, (_, r) => queries[(start + r) * dim]);
    runs.push({ start, xs, fixed: Array.from(queries.subarray(start * dim + 1, start * dim + dim)) });
    start = q;
  }
  const longest = Math.max(0, ...runs.map((r) => r.xs.length));
  // Walking pays for itself on runs of several points.
  if (lay.sizes.length >= 3 && longest >= 4) {
    const gf = reused(`class grid ${lay.sizes} ${longest}`, () => new GridForward(lay, longest));
    return (phi) => {
      for (const r of runs) out.set(gf.run(phi, r.xs, r.xs.length, r.fixed).subarray(0, r.xs.length * C), r.start * C);
      return out;
    };
  }
  const ws = reused(`class queries ${lay.sizes} ${Q}`, () => new Workspace(lay, Q));
  const x = Float64Array.from(queries);
  return (phi) => {
    out.set(forwardRows(ws, phi, x, Q).subarray(0, Q * C));
    return out;
  };
}

/**
 * Few-shot classification at test time (issue 4): the user's labelled support set (points in the plane or drawn
 * glyphs), each method adapted to it by its own rule on the cross-entropy, and its class probabilities on query
 * inputs (the plane's grid, or drawings to classify) before and after every step. What the classification panels
 * draw; the counterpart of adaptation.ts for regression.
 */
import * as tf from '@tensorflow/tfjs';
import { adaptSteps, type Learner } from './inner';
import { accuracyByTask, crossEntropyByTask, softmax } from './losses';
import { forward, networkNames } from './model';
import type { Params } from './params';
import { checkClassifyShapes } from '../contracts/tasks/episodes';
import type { ClassAdaptation, ClassifyInput } from '../contracts/types';



const oneHot = (labels: Int32Array, classes: number) => tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat());

/**
 * Adapts every learner (each by its own rule) to the support set for steps 0..k and classifies the queries at
 * every step. Learners run one at a time, each one tidy pass and one readback. (Stacking compatible learners on
 * the task axis, as adaptation.ts does for the sinusoid, was measured slower here: a 2-way plane click went from
 * 60 to 130 ms on wasm, the batched matMuls over the 41 x 41 grid costing more than the kernels saved.)
 */
export async function adaptClassifiers(learners: Learner[], input: ClassifyInput): Promise<ClassAdaptation[]> {
  const out: ClassAdaptation[] = [];
  for (const l of learners) out.push(await adaptClassifier(l, input));
  return out;
}

async function adaptClassifier({ params, rule }: Learner, input: ClassifyInput): Promise<ClassAdaptation> {
  const { classes, support, queries, queryLabels, steps, alpha } = input;
  const dim = inputDim(params);
  const { K, Q } = checkClassifyShapes(classes, support, queries, dim, outputCount(params));
  // Without examples there is nothing to adapt to: every step shows the initial model.
  const run = K > 0 ? steps : 0;
  const packed = tf.tidy(() => {
    const qx = tf.tensor3d(queries, [1, Q, dim]);
    const qy = queryLabels ? (tf.expandDims(oneHot(queryLabels, classes), 0) as tf.Tensor3D) : null;
    const sx = tf.tensor3d(K > 0 ? support.x : new Float32Array(dim), [1, Math.max(K, 1), dim]);
    const sy = tf.expandDims(K > 0 ? oneHot(support.labels, classes) : tf.zeros([1, classes]), 0) as tf.Tensor3D;
    // Each step: the queries' probabilities, then support accuracy and loss, then the queries' (when labelled).
    const rows = adaptSteps(params, sx, sy, { ...rule, steps: run, alpha, loss: 'crossEntropy' }, (p) => {
      const logits = forward(p, qx);
      const sl = forward(p, sx);
      const metrics = [accuracyByTask(sl, sy), crossEntropyByTask(sl, sy)];
      if (qy) metrics.push(accuracyByTask(logits, qy), crossEntropyByTask(logits, qy));
      return tf.concat([tf.reshape(softmax(logits), [-1]), ...metrics]);
    });
    return tf.stack(rows);
  });
  const values = await packed.data();
  packed.dispose();
  const width = Q * classes + (queryLabels ? 4 : 2);
  const res: ClassAdaptation = { probabilities: [], supportAccuracy: [], supportLoss: [], queryAccuracy: queryLabels ? [] : null, queryLoss: queryLabels ? [] : null, divergedAt: null };
  for (let s = 0; s <= steps; s++) {
    const base = Math.min(s, run) * width;
    const row = values.slice(base, base + width);
    const probs = row.subarray(0, Q * classes);
    res.probabilities.push(Float32Array.from(probs));
    const m = Q * classes;
    res.supportAccuracy.push(K > 0 ? row[m] : NaN);
    res.supportLoss.push(K > 0 ? row[m + 1] : NaN);
    res.queryAccuracy?.push(row[m + 2]);
    res.queryLoss?.push(row[m + 3]);
    if (res.divergedAt === null && !row.every(Number.isFinite) && !(K === 0 && probs.every(Number.isFinite))) res.divergedAt = s;
  }
  return res;
}

/** The network's input width (its first weight matrix's rows). */
function inputDim(params: Params): number {
  return params.w0.shape[params.w0.shape.length - 2];
}

/** The network's number of outputs (its last weight matrix's columns). */
function outputCount(params: Params): number {
  const w = params[`w${networkNames(params).length / 2 - 1}`];
  return w.shape[w.shape.length - 1];
}

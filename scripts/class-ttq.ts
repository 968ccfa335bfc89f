/**
 * Classification time to quality (issue 17 target 2), in Node on the typed-array trainer the page's worker runs
 * (FastMamlTrainer): from random weights, how many meta-iterations and how many seconds of training until the
 * one-step query accuracy on VALIDATION episodes (seed 777, never the test seed) reaches a goal.
 *
 *   npx tsx scripts/class-ttq.ts --problem glyphs --classes 5 --lr 0.003 --batch 8 --seed 1 --goal 0.8 --every 50 --max-seconds 300
 *
 * Training time is measured without the evaluations (they are not part of a live run); the script prints one
 * JSON line per evaluation and a summary line { reached, iterations, trainSeconds, msPerIteration }.
 * The validation accuracy comes from classificationAccuracyFlat (src/meta/fast/evaluate.ts: one SGD step of the
 * page's test-time alpha on the support set, argmax on the query set), the maths of evaluateClassification on
 * typed arrays (tests hold the two together), fast enough to run every few iterations. --confirm re-scores the final parameters with evaluateClassification (TF.js) on the 600
 * test episodes of the problem's own protocol.
 */
import { Rng } from '../src/meta/contracts/random';
import { drawEpisodes, problemInfo } from '../src/meta/contracts/problems';
import type { ProblemKind, TrainConfig } from '../src/meta/contracts/config';
import { FastMamlTrainer, flatEpisodes, type FlatBatch } from '../src/meta/fast/maml';
import { architectureOf } from '../src/meta/contracts/architecture';
import { layoutOf } from '../src/meta/fast/mlp';
import { classificationAccuracyFlat } from '../src/meta/fast/evaluate';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const problem = arg('problem', 'glyphs') as ProblemKind;
const classes = Number(arg('classes', '5'));
const info = problemInfo(problem);
const base: TrainConfig = info.trainConfig(arg('algorithm', 'maml') as 'maml', classes);
const config: TrainConfig = {
  ...base,
  metaLr: Number(arg('lr', String(base.metaLr))),
  metaBatch: Number(arg('batch', String(base.metaBatch))),
  seed: Number(arg('seed', String(base.seed))),
  kQuery: Number(arg('kquery', String(base.kQuery))),
};
const goal = Number(arg('goal', '0.8'));
const every = Number(arg('every', '50'));
const maxSeconds = Number(arg('max-seconds', '300'));
const valEpisodes = Number(arg('val-episodes', '300'));
const kShot = Number(arg('kshot', String(config.kSupport)));
const evalCfg = info.evaluation as { alpha: number; queryPoints: number };
const alpha = evalCfg.alpha;

// Validation episodes: their own seed (777), never the test seed.
const val: FlatBatch = flatEpisodes(drawEpisodes(problem, new Rng(777), valEpisodes, classes, kShot, evalCfg.queryPoints), classes);

const sizes = architectureOf(config.algorithm, config).sizes;
const lay = layoutOf(sizes);
const validate = (theta: Float64Array) => classificationAccuracyFlat(theta, sizes, val, alpha);

const trainer = new FastMamlTrainer({ ...config, sizes, exact: config.algorithm === 'maml' });
let trainMs = 0;
let reached = false;
let acc = validate(trainer.params);
console.log(JSON.stringify({ iteration: 0, trainSeconds: 0, accuracy: acc }));
while (trainMs < maxSeconds * 1000) {
  const t0 = performance.now();
  for (let i = 0; i < every; i++) {
    const r = trainer.step();
    if (!r.ok) {
      console.log(JSON.stringify({ diverged: r.reason, iteration: trainer.iteration }));
      break;
    }
  }
  trainMs += performance.now() - t0;
  acc = validate(trainer.params);
  console.log(JSON.stringify({ iteration: trainer.iteration, trainSeconds: +(trainMs / 1000).toFixed(1), accuracy: +acc.toFixed(4) }));
  if (acc >= goal) {
    reached = true;
    break;
  }
}
const summary = {
  problem,
  classes,
  metaLr: config.metaLr,
  metaBatch: config.metaBatch,
  kQuery: config.kQuery,
  seed: config.seed,
  goal,
  reached,
  iterations: trainer.iteration,
  trainSeconds: +(trainMs / 1000).toFixed(1),
  msPerIteration: +(trainMs / trainer.iteration).toFixed(1),
  validation: +acc.toFixed(4),
};
if (process.argv.includes('--confirm')) {
  const tf = await import('@tensorflow/tfjs');
  const { useNodeBackend } = await import('../src/meta/engine/node-backend');
  const { evaluateClassification } = await import('../src/meta/engine/evaluate');
  await useNodeBackend('wasm');
  const shapes = (await import('../src/meta/contracts/architecture')).paramShapes(architectureOf(config.algorithm, config));
  const params: Record<string, import('@tensorflow/tfjs').Tensor> = {};
  sizes.slice(1).forEach((_, l) => {
    const w = `w${l}`;
    const b = `b${l}`;
    params[w] = tf.tensor(Float32Array.from(trainer.params.subarray(lay.w[l], lay.w[l] + shapes[w][0] * shapes[w][1])), shapes[w]);
    params[b] = tf.tensor(Float32Array.from(trainer.params.subarray(lay.b[l], lay.b[l] + shapes[b][0])), shapes[b]);
  });
  const { learnerFor } = await import('../src/meta/engine/inner');
  const curve = await evaluateClassification(learnerFor(config.algorithm, params, config), { ...info.evaluation, problem: problem as 'glyphs', classes, kShot, steps: 1 });
  Object.assign(summary, { test600: +curve.accuracy.mean[1].toFixed(4), test600Step0: +curve.accuracy.mean[0].toFixed(4) });
}
console.log(JSON.stringify({ summary }));

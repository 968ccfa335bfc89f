/**
 * Meta-trains the "Inside the update" models (issue 16; Arnold, Iqbal and Sha, AISTATS 2021) with MAML (Adam on
 * the exact meta-gradient, one inner step at the shared alpha), each kept at its lowest one-step loss on
 * validation tasks (their own seed), evaluated on 600 test tasks, and written to public/checkpoints/update/:
 *  - linear regression: shallow, deep linear (W3 W2 W1) and KFO on UPDATE_FAMILY ({shallow,deep,kfo}.json);
 *  - binary logistic regression: LogR, LogR + LinNet and LogR + KFO on LOGISTIC_FAMILY (logistic-*.json).
 * Seconds in Node (typed arrays).
 *
 *   npm run pretrain:update [-- --seed 1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/meta/contracts/random';
import { parseUpdateCheckpoint, UPDATE_CHECKPOINT_FORMAT, UPDATE_MODEL_KINDS, type UpdateCheckpoint, type UpdateTaskKind } from '../src/meta/contracts/update-checkpoint';
import { drawLogisticTasks, LOGISTIC_FAMILY, LOGISTIC_PROTOCOL as L, UPDATE_FAMILY, UPDATE_PROTOCOL as P } from '../src/meta/contracts/tasks/update';
import { UPDATE_MODELS } from '../src/meta/fast/update/linear';
import { compareModels, evaluateLosses, summarise, testTasks, UpdateTrainer, type LossTask, type TaskSampler } from '../src/meta/fast/update/train';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const seed = Number(arg('seed') ?? 1);
const out = fileURLToPath(new URL('../public/checkpoints/update', import.meta.url));
mkdirSync(out, { recursive: true });
const jsonNumber = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null);

interface Setup {
  task: UpdateTaskKind;
  prefix: string;
  family: typeof UPDATE_FAMILY;
  alpha: number;
  kSupport: number;
  kQuery: number;
  metaLr: number;
  iterations: number;
  validation: LossTask[];
  test: LossTask[];
  draw?: TaskSampler;
}

const setups: Setup[] = [
  {
    task: 'regression',
    prefix: '',
    family: UPDATE_FAMILY,
    alpha: P.alpha,
    kSupport: P.kSupport,
    kQuery: P.kQuery,
    metaLr: P.metaLr,
    iterations: Number(arg('iterations') ?? P.iterations),
    validation: testTasks(UPDATE_FAMILY, P.validationTasks, P.kSupport, P.validationSeed),
    test: testTasks(UPDATE_FAMILY, P.testTasks, P.kSupport, P.testSeed),
  },
  {
    task: 'logistic',
    prefix: 'logistic-',
    family: LOGISTIC_FAMILY,
    alpha: L.alpha,
    kSupport: L.kSupport,
    kQuery: L.kQuery,
    metaLr: L.metaLr,
    iterations: L.iterations,
    validation: drawLogisticTasks(new Rng(P.validationSeed), LOGISTIC_FAMILY, P.validationTasks, L.kSupport, L.testQuery),
    test: drawLogisticTasks(new Rng(P.testSeed), LOGISTIC_FAMILY, P.testTasks, L.kSupport, L.testQuery),
    draw: (rng, t, ks, kq) => drawLogisticTasks(rng, LOGISTIC_FAMILY, t, ks, kq),
  },
];

for (const su of setups)
  for (const kind of UPDATE_MODEL_KINDS) {
    const t0 = Date.now();
    const model = UPDATE_MODELS[kind];
    const settings = { alpha: su.alpha, innerSteps: P.innerSteps, kSupport: su.kSupport, kQuery: su.kQuery, metaBatch: P.metaBatch, metaLr: su.metaLr };
    const trainer = new UpdateTrainer(model, su.family, settings, seed, undefined, su.draw);
    const oneStep = () => summarise(evaluateLosses(model, trainer.meta, su.validation, su.alpha, 1))[1].mean;
    const curve = [{ iteration: 0, loss: oneStep() }];
    let best = { loss: curve[0].loss, iteration: 0, meta: Array.from(trainer.meta) };
    while (trainer.iteration < su.iterations) {
      trainer.run(P.validateEvery);
      const loss = oneStep();
      curve.push({ iteration: trainer.iteration, loss });
      if (loss < best.loss) best = { loss, iteration: trainer.iteration, meta: Array.from(trainer.meta) };
    }
    const [row] = compareModels([{ name: kind, model, meta: best.meta }], su.family, { tasks: P.testTasks, seed: P.testSeed, kSupport: su.kSupport, alpha: su.alpha, steps: P.steps }, su.test);
    const ckpt: UpdateCheckpoint = {
      format: UPDATE_CHECKPOINT_FORMAT,
      task: su.task,
      model: kind,
      meta: best.meta,
      family: su.family,
      training: { ...settings, innerSteps: P.innerSteps, iterations: su.iterations, seed, keptIteration: best.iteration },
      curve: curve.map((c) => ({ iteration: c.iteration, loss: Number(c.loss.toPrecision(5)) })),
      evaluation: { tasks: P.testTasks, seed: P.testSeed, steps: row.steps },
    };
    const text = JSON.stringify(ckpt, (_k, v) => (typeof v === 'number' ? jsonNumber(v) : v));
    parseUpdateCheckpoint(text);
    writeFileSync(resolve(out, `${su.prefix}${kind}.json`), text + '\n');
    console.log(`${su.task} ${kind}: kept iteration ${best.iteration} (validation one-step loss ${best.loss.toFixed(4)}), ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

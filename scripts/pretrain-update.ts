/**
 * Meta-trains the three "Inside the update" models (issue 16; Arnold, Iqbal and Sha, AISTATS 2021) on the same
 * task family with MAML (Adam on the exact meta-gradient, one inner step at the shared alpha), keeps the snapshot
 * with the lowest one-step loss on validation tasks (their own seed), evaluates it on the 600 test tasks and
 * writes public/checkpoints/update/{shallow,deep,kfo}.json. Seconds in Node (typed arrays).
 *
 *   npx tsx scripts/pretrain-update.ts [--iterations 10000] [--seed 1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseUpdateCheckpoint, UPDATE_CHECKPOINT_FORMAT, UPDATE_MODEL_KINDS, type UpdateCheckpoint } from '../src/meta/contracts/update-checkpoint';
import { UPDATE_FAMILY, UPDATE_PROTOCOL as P } from '../src/meta/contracts/tasks/update';
import { UPDATE_MODELS } from '../src/meta/fast/update/linear';
import { compareModels, evaluateLosses, summarise, testTasks, UpdateTrainer } from '../src/meta/fast/update/train';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const iterations = Number(arg('iterations') ?? P.iterations);
const seed = Number(arg('seed') ?? 1);
const out = fileURLToPath(new URL('../public/checkpoints/update', import.meta.url));
mkdirSync(out, { recursive: true });
const validation = testTasks(UPDATE_FAMILY, P.validationTasks, P.kSupport, P.validationSeed);
const jsonNumber = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null);

for (const kind of UPDATE_MODEL_KINDS) {
  const t0 = Date.now();
  const model = UPDATE_MODELS[kind];
  const settings = { alpha: P.alpha, innerSteps: P.innerSteps, kSupport: P.kSupport, kQuery: P.kQuery, metaBatch: P.metaBatch, metaLr: P.metaLr };
  const trainer = new UpdateTrainer(model, UPDATE_FAMILY, settings, seed);
  const oneStep = () => summarise(evaluateLosses(model, trainer.meta, validation, P.alpha, 1))[1].mean;
  const curve = [{ iteration: 0, loss: oneStep() }];
  let best = { loss: curve[0].loss, iteration: 0, meta: Array.from(trainer.meta) };
  while (trainer.iteration < iterations) {
    trainer.run(P.validateEvery);
    const loss = oneStep();
    curve.push({ iteration: trainer.iteration, loss });
    if (loss < best.loss) best = { loss, iteration: trainer.iteration, meta: Array.from(trainer.meta) };
  }
  const [row] = compareModels([{ name: kind, model, meta: best.meta }], UPDATE_FAMILY, { tasks: P.testTasks, seed: P.testSeed, kSupport: P.kSupport, alpha: P.alpha, steps: P.steps });
  const ckpt: UpdateCheckpoint = {
    format: UPDATE_CHECKPOINT_FORMAT,
    model: kind,
    meta: best.meta,
    family: UPDATE_FAMILY,
    training: { ...settings, iterations, seed, keptIteration: best.iteration },
    curve: curve.map((c) => ({ iteration: c.iteration, loss: Number(c.loss.toPrecision(5)) })),
    evaluation: { tasks: P.testTasks, seed: P.testSeed, steps: row.steps },
  };
  const text = JSON.stringify(ckpt, (_k, v) => (typeof v === 'number' ? jsonNumber(v) : v));
  parseUpdateCheckpoint(text);
  writeFileSync(resolve(out, `${kind}.json`), text + '\n');
  console.log(`${kind}: kept iteration ${best.iteration} (validation one-step loss ${best.loss.toFixed(4)}), ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

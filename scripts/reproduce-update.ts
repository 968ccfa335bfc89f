/**
 * "Inside the update" (issue 16): Arnold, Iqbal and Sha (AISTATS 2021), reproduced on our task family. Evaluates
 * the shipped shallow, deep linear and KFO checkpoints (public/checkpoints/update/) on 600 seeded test tasks,
 * disjoint from the validation tasks that chose them, and prints the loss before adaptation and after 1 and 5
 * inner steps (mean ± 95% CI, median) beside the numbers stored in the files.
 *
 *   npm run reproduce -- --problem update [--tasks 5000 --seed 90210]
 */
import { readFileSync } from 'node:fs';
import { parseUpdateCheckpoint, UPDATE_MODEL_KINDS } from '../src/meta/contracts/update-checkpoint';
import { UPDATE_PROTOCOL as P } from '../src/meta/contracts/tasks/update';
import { UPDATE_MODELS } from '../src/meta/fast/update/linear';
import { compareModels } from '../src/meta/fast/update/train';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const tasks = Number(arg('tasks') ?? P.testTasks);
const seed = Number(arg('seed') ?? P.testSeed);
const ckpts = UPDATE_MODEL_KINDS.map((kind) => parseUpdateCheckpoint(readFileSync(new URL(`../public/checkpoints/update/${kind}.json`, import.meta.url), 'utf8')));
const family = ckpts[0].family;
const rows = compareModels(
  ckpts.map((c) => ({ name: c.model, model: UPDATE_MODELS[c.model], meta: c.meta })),
  family,
  { tasks, seed, kSupport: P.kSupport, alpha: P.alpha, steps: P.steps },
);
const fmt = (v: number) => (!Number.isFinite(v) ? 'not finite' : Math.abs(v) >= 1000 ? v.toExponential(1) : v.toFixed(4));
const cell = (s: { mean: number; ci95: number; median: number }) => (Number.isFinite(s.mean) && Math.abs(s.mean) < 1000 ? `${fmt(s.mean)} ± ${fmt(s.ci95)} (${fmt(s.median)})` : `${fmt(s.mean)} (median ${fmt(s.median)})`);
const names = { shallow: 'shallow w (linear regression)', deep: 'deep linear W3 W2 W1 (LinNet)', kfo: 'shallow + Meta-KFO' } as const;
console.log(`Inside the update: ${tasks} test tasks (seed ${seed}), ${P.kSupport}-shot, alpha = ${P.alpha}; population loss, mean ± 95% CI (median)`);
console.log(`family: w* ~ N(${family.mean}, rotation ${family.rotation}, scales ${family.scales}); x ~ N(0, diag(${family.inputScales.map((s) => s * s)}))`);
console.log('');
console.log(`| model | trained | before | 1 step | 5 steps |`);
console.log(`|---|---|---|---|---|`);
rows.forEach((r, i) => {
  const c = ckpts[i];
  console.log(`| ${names[c.model]} | MAML, ${c.training.innerSteps} step, kept it. ${c.training.keptIteration} of ${c.training.iterations} | ${r.steps.map(cell).join(' | ')} |`);
});
if (tasks === P.testTasks && seed === P.testSeed) {
  const worst = Math.max(...rows.flatMap((r, i) => r.steps.filter((s) => Number.isFinite(s.mean) && Math.abs(s.mean) < 1e6).map((s, j) => Math.abs(s.mean - ckpts[i].evaluation.steps[j].mean) / Math.max(1e-9, Math.abs(s.mean)))));
  console.log(`\nThe files' own numbers agree to ${(100 * worst).toPrecision(2)}% (parameters stored to 6 digits).`);
}
const [shallow, deep, kfo] = rows.map((r) => r.steps[1]);
const beats = (a: typeof shallow) => a.mean + a.ci95 < shallow.mean - shallow.ci95;
console.log(`After one step: deep ${beats(deep) ? 'beats' : 'does NOT beat'} shallow beyond the CIs, KFO ${beats(kfo) ? 'beats' : 'does NOT beat'} shallow beyond the CIs.`);

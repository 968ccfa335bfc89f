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
import { Rng } from '../src/meta/contracts/random';
import { drawLogisticTasks, LOGISTIC_PROTOCOL as L, UPDATE_PROTOCOL as P } from '../src/meta/contracts/tasks/update';
import { lossValue, UPDATE_MODELS } from '../src/meta/fast/update/linear';
import { meanCi95 } from '../src/meta/contracts/stats';
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
const cell = (s: { mean: number; ci95: number; median: number; blowUp: number }) =>
  (Number.isFinite(s.mean) && Math.abs(s.mean) < 1000 ? `${fmt(s.mean)} ± ${fmt(s.ci95)} (${fmt(s.median)})` : `${fmt(s.mean)} (median ${fmt(s.median)})`) +
  `; blew up ${(100 * s.blowUp).toFixed(1)}%`;
const names = { shallow: 'shallow w (linear regression)', deep: 'deep linear W3 W2 W1 (LinNet)', kfo: 'shallow + Meta-KFO' } as const;
console.log(`Inside the update: ${tasks} test tasks (seed ${seed}), ${P.kSupport}-shot, alpha = ${P.alpha}; population loss, mean ± 95% CI (median); blew up: the share of tasks with loss above 100 or not finite`);
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
{
const [shallow, deep, kfo] = rows.map((r) => r.steps[1]);
const beats = (a: typeof shallow) => a.mean + a.ci95 < shallow.mean - shallow.ci95;
console.log(`After one step: deep ${beats(deep) ? 'beats' : 'does NOT beat'} shallow beyond the CIs, KFO ${beats(kfo) ? 'beats' : 'does NOT beat'} shallow beyond the CIs.`);
}

// Binary logistic regression: LogR versus LogR + LinNet (and + KFO), cross-entropy on 200 held-out points per task.
const logistic = UPDATE_MODEL_KINDS.map((kind) => parseUpdateCheckpoint(readFileSync(new URL(`../public/checkpoints/update/logistic-${kind}.json`, import.meta.url), 'utf8')));
const lfamily = logistic[0].family;
const ltest = drawLogisticTasks(new Rng(seed), lfamily, tasks, L.kSupport, L.testQuery);
const lrows = compareModels(
  logistic.map((c) => ({ name: c.model, model: UPDATE_MODELS[c.model], meta: c.meta })),
  lfamily,
  { tasks, seed, kSupport: L.kSupport, alpha: L.alpha, steps: P.steps },
  ltest,
);
const lnames = { shallow: 'LogR (shallow w)', deep: 'LogR + LinNet (W3 W2 W1)', kfo: 'LogR + Meta-KFO' } as const;
console.log(`\nBinary logistic regression: ${tasks} test tasks (seed ${seed}), ${L.kSupport}-shot, alpha = ${L.alpha}; cross-entropy on ${L.testQuery} held-out points, mean ± 95% CI (median); blew up: the share of tasks with loss above 100 or not finite`);
console.log(`family: w* ~ N(${lfamily.mean}, rotation ${lfamily.rotation}, scales ${lfamily.scales}); x ~ N(0, diag(${lfamily.inputScales.map((s) => s * s)})); y ~ Bernoulli(sigmoid(w* . x))`);
console.log('');
console.log(`| model | trained | before | 1 step | 5 steps |`);
console.log(`|---|---|---|---|---|`);
lrows.forEach((r, i) => {
  const c = logistic[i];
  console.log(`| ${lnames[c.model]} | MAML, ${c.training.innerSteps} step, kept it. ${c.training.keptIteration} of ${c.training.iterations} | ${r.steps.map(cell).join(' | ')} |`);
});
{
  const [shallow, deep, kfo] = lrows.map((r) => r.steps[1]);
  const beats = (a: typeof shallow) => a.mean + a.ci95 < shallow.mean - shallow.ci95;
  const oracle = meanCi95(ltest.map((t) => lossValue(t.query, t.wStar)));
  console.log(`Told the task's w* (no adaptation): ${fmt(oracle.mean)} ± ${fmt(oracle.ci95)}; at w = 0 (chance): ${fmt(Math.LN2)}.`);
  console.log(`After one step: LinNet ${beats(deep) ? 'beats' : 'does NOT beat'} LogR beyond the CIs, KFO ${beats(kfo) ? 'beats' : 'does NOT beat'} LogR beyond the CIs.`);
}

/**
 * The MAML paper's sinusoid table, reproduced: evaluates every shipped checkpoint in public/checkpoints on the
 * paper's protocol (600 test tasks, K = 5, 10, 20, SGD with alpha = 0.01, MSE after 1, 5 and 10 steps on 100
 * held-out points per task, mean and 95% CI) and prints the paper's Table 2 rows beside ours, as a table and
 * as JSON (bench-results/reproduce.json). The page's "Paper vs this run" panel computes the same numbers.
 * Beside each mean: the median over the tasks and the share of tasks that blew up (MSE > 100 or not finite),
 * which a mean alone hides. Runs on the typed-array evaluation (src/meta/fast/evaluate.ts, held to the TF.js one
 * by tests), so thousands of fresh tasks take seconds.
 *
 *   npm run reproduce                  # every method, K = 5, 10, 20, the paper's 600 test tasks
 *   npm run reproduce -- --only maml,pretrained --k 5
 *   npm run reproduce -- --tasks 5000 --seed 90210   # tasks never drawn before: does it hold?
 *   npm run reproduce -- --problem update            # shallow vs deep linear vs KFO (scripts/reproduce-update.ts)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ALGORITHM_IDS, isAlgorithmId, type AlgorithmId } from '../src/meta/contracts/algorithms';
import { checkpointArrays } from '../src/meta/contracts/checkpoint';
import { BINARY_CHECKPOINT_EXT, readCheckpointFile } from '../src/meta/contracts/checkpoint-binary';
import { PAPER_EVAL } from '../src/meta/contracts/config';
import { ALGORITHM_INFO } from '../src/meta/contracts/algorithms';
import { evaluateFlat } from '../src/meta/fast/evaluate';
import { flatLearner } from '../src/meta/fast/adapt';
import { innerRule } from '../src/meta/engine/inner';
import { BLOW_UP_MSE } from '../src/meta/contracts/stats';
import { PAPER_CITATION, PAPER_STEPS, PAPER_TABLE } from '../src/meta/contracts/paper';
import type { EvalCurve } from '../src/meta/contracts/types';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// The linear-model comparison of "Inside the update" (issue 16) has its own table.
if (arg('problem') === 'update') {
  await import('./reproduce-update');
  process.exit(0);
}

const only = arg('only')?.split(',') ?? ALGORITHM_IDS;
const bad = only.filter((m) => !isAlgorithmId(m));
if (bad.length) throw new Error(`unknown algorithm(s) ${bad.join(', ')}; known: ${ALGORITHM_IDS.join(', ')}`);
const methods = only as AlgorithmId[];
const shots = (arg('k') ?? '5,10,20').split(',').map(Number);
const protocol = { ...PAPER_EVAL, tasks: Number(arg('tasks') ?? PAPER_EVAL.tasks), seed: Number(arg('seed') ?? PAPER_EVAL.seed) };
const paperTasks = protocol.seed === PAPER_EVAL.seed && protocol.tasks === PAPER_EVAL.tasks;

const pct = (v: number) => `${(100 * v).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
/** Mean ± CI (or "not finite"), median, and the blown-up share when there is one. */
const fmt = (c: EvalCurve, s: number) => {
  const m = c.mean[s];
  const mean = Number.isFinite(m) && Math.abs(m) < 1e4 ? `${m.toFixed(3)} ± ${c.ci95[s].toFixed(3)}` : Number.isFinite(m) ? '> 10^4' : 'not finite';
  const blow = c.blowUp![s];
  return `${mean}; med ${c.median![s].toFixed(3)}${blow > 0 ? `; ${pct(blow)} > ${BLOW_UP_MSE}` : ''}`;
};

const rows: { method: string; kShot: number; source: string; mse: (number | null)[]; ci95: (number | null)[]; median?: number[]; blowUp?: number[] }[] = [];
const lines = [
  `| method | K | source | step ${PAPER_STEPS.join(' | step ')} |`,
  `|---|---|---|${PAPER_STEPS.map(() => '---').join('|')}|`,
];
for (const p of paperTasks ? PAPER_TABLE : []) {
  lines.push(`| ${p.label} | ${p.kShot} | ${PAPER_CITATION} | ${p.mse.map((v) => v.toFixed(2)).join(' | ')} |`);
  rows.push({ method: p.method, kShot: p.kShot, source: 'paper', mse: p.mse, ci95: p.mse.map(() => null) });
}
const start = performance.now();
for (const kShot of shots) {
  for (const id of methods) {
    const ckpt = readCheckpointFile(readFileSync(new URL(`../public/checkpoints/${id}${BINARY_CHECKPOINT_EXT}`, import.meta.url)));
    const info = ALGORITHM_INFO[id];
    const curve = evaluateFlat(flatLearner(checkpointArrays(ckpt), innerRule(id, ckpt.training), info.input === 'x+task'), { ...protocol, kShot });
    const t = ckpt.training;
    const source = `this project (${t.iterations} it, seed ${t.seed})`;
    lines.push(`| ${info.label} | ${kShot} | ${source} | ${PAPER_STEPS.map((s) => fmt(curve, s)).join(' | ')} |`);
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    rows.push({ method: id, kShot, source, mse: PAPER_STEPS.map((s) => finite(curve.mean[s])), ci95: PAPER_STEPS.map((s) => finite(curve.ci95[s])), median: PAPER_STEPS.map((s) => curve.median![s]), blowUp: PAPER_STEPS.map((s) => curve.blowUp![s]) });
    console.log(`  ${id} K=${kShot} done (${((performance.now() - start) / 1000).toFixed(0)} s)`);
  }
}
console.log(`\nSinusoid regression, ${protocol.tasks} test tasks (seed ${protocol.seed}${paperTasks ? ", the paper's test set" : ', fresh tasks'}), alpha = ${protocol.alpha}, MSE mean ± 95% CI; median; share of tasks with MSE > ${BLOW_UP_MSE} or not finite:\n`);
console.log(lines.join('\n'));
mkdirSync(new URL('../bench-results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../bench-results/reproduce.json', import.meta.url), JSON.stringify({ protocol, steps: PAPER_STEPS, rows }, null, 2));
console.log('\nJSON: bench-results/reproduce.json');

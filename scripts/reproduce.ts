/**
 * The MAML paper's sinusoid table, reproduced: evaluates every shipped checkpoint in public/checkpoints on the
 * paper's protocol (600 test tasks, K = 5, 10, 20, SGD with alpha = 0.01, MSE after 1, 5 and 10 steps on 100
 * held-out points per task, mean and 95% CI) and prints the paper's Table 2 rows beside ours, as a table and
 * as JSON (bench-results/reproduce.json). The page's "Paper vs this run" panel computes the same numbers.
 *
 *   npm run reproduce                  # every method, K = 5, 10, 20
 *   npm run reproduce -- --only maml,pretrained --k 5
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ALGORITHM_IDS, ALGORITHMS, isAlgorithmId, type AlgorithmId } from '../src/meta/engine/algorithms';
import { checkpointArrays, parseCheckpoint } from '../src/meta/contracts/checkpoint';
import { PAPER_EVAL } from '../src/meta/contracts/config';
import { evaluate } from '../src/meta/engine/evaluate';
import { learnerFor } from '../src/meta/engine/inner';
import { useNodeBackend } from '../src/meta/engine/node-backend';
import { PAPER_CITATION, PAPER_STEPS, PAPER_TABLE } from '../src/meta/contracts/paper';
import { disposeParams, paramsFromArrays } from '../src/meta/engine/params';
import type { EvalCurve } from '../src/meta/contracts/types';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const only = arg('only')?.split(',') ?? ALGORITHM_IDS;
const bad = only.filter((m) => !isAlgorithmId(m));
if (bad.length) throw new Error(`unknown algorithm(s) ${bad.join(', ')}; known: ${ALGORITHM_IDS.join(', ')}`);
const methods = only as AlgorithmId[];
const shots = (arg('k') ?? '5,10,20').split(',').map(Number);

const fmt = (c: EvalCurve, s: number) => {
  const m = c.mean[s];
  return Number.isFinite(m) && Math.abs(m) < 1e6 ? `${m.toFixed(3)} ± ${c.ci95[s].toFixed(3)}` : 'diverged';
};

console.log(`backend: ${await useNodeBackend()}`);
const rows: { method: string; kShot: number; source: string; mse: (number | null)[]; ci95: (number | null)[] }[] = [];
const lines = [
  `| method | K | source | step ${PAPER_STEPS.join(' | step ')} |`,
  `|---|---|---|${PAPER_STEPS.map(() => '---').join('|')}|`,
];
for (const p of PAPER_TABLE) {
  lines.push(`| ${p.label} | ${p.kShot} | ${PAPER_CITATION} | ${p.mse.map((v) => v.toFixed(2)).join(' | ')} |`);
  rows.push({ method: p.method, kShot: p.kShot, source: 'paper', mse: p.mse, ci95: p.mse.map(() => null) });
}
const start = performance.now();
for (const kShot of shots) {
  for (const id of methods) {
    const ckpt = parseCheckpoint(readFileSync(new URL(`../public/checkpoints/${id}.json`, import.meta.url), 'utf8'));
    const params = paramsFromArrays(checkpointArrays(ckpt));
    const curve = await evaluate(learnerFor(id, params, ckpt.training), { ...PAPER_EVAL, kShot });
    disposeParams(params);
    const t = ckpt.training;
    const source = `this project (${t.iterations} it, seed ${t.seed})`;
    lines.push(`| ${ALGORITHMS[id].label} | ${kShot} | ${source} | ${PAPER_STEPS.map((s) => fmt(curve, s)).join(' | ')} |`);
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    rows.push({ method: id, kShot, source, mse: PAPER_STEPS.map((s) => finite(curve.mean[s])), ci95: PAPER_STEPS.map((s) => finite(curve.ci95[s])) });
    console.log(`  ${id} K=${kShot} done (${((performance.now() - start) / 1000).toFixed(0)} s)`);
  }
}
console.log(`\nSinusoid regression, ${PAPER_EVAL.tasks} test tasks (seed ${PAPER_EVAL.seed}), alpha = ${PAPER_EVAL.alpha}, MSE mean ± 95% CI:\n`);
console.log(lines.join('\n'));
mkdirSync(new URL('../bench-results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../bench-results/reproduce.json', import.meta.url), JSON.stringify({ protocol: PAPER_EVAL, steps: PAPER_STEPS, rows }, null, 2));
console.log('\nJSON: bench-results/reproduce.json');

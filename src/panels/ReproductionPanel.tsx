/**
 * "Paper vs this run": the MAML paper's sinusoid numbers beside every method's, computed in this browser on
 * the paper's 600 test tasks (the same tasks as npm run pretrain / npm run reproduce, so the two agree), with
 * the numbers stored in the shipped checkpoint files for reference.
 */
import { memo } from 'react';
import { ALGORITHM_IDS, type AlgorithmId } from '../meta/contracts/algorithms';
import { PAPER_CITATION, PAPER_STEPS, PAPER_TABLE } from '../meta/contracts/paper';
import { useSession } from '../session/context';
import { usePlayground } from '../state/store';
import { formatMeanCi, formatValue } from './format';
import { methodLabelWithOrder } from './theme';
import { MethodName } from './MethodName';
import type { EvalCurve } from '../meta/contracts/types';
import { ScrollRegion } from './ScrollRegion';

const SHOTS = [5, 10, 20];

function cell(curve: EvalCurve | undefined, step: number): string {
  if (!curve) return '—';
  // A mean over tasks is NaN (null in JSON) or astronomically large when some task's adaptation blew up.
  return formatMeanCi(curve.mean[step], curve.ci95[step]);
}

/** Under the mean: the median over the tasks and the share that blew up, which the mean alone hides. */
function detail(curve: EvalCurve | undefined, step: number): string {
  const median = curve?.median?.[step];
  if (median === undefined || median === null) return '';
  const share = curve!.blowUp?.[step] ?? 0;
  const med = formatValue(median);
  return `median ${med}${share > 0 ? ` · ${share < 0.01 ? (100 * share).toFixed(2) : (100 * share).toFixed(1)}% blew up` : ''}`;
}

/** One cell: the mean ± CI (what the paper reports) and, beneath it, the median and blown-up share. */
function Cell({ curve, step, testId, className }: { curve: EvalCurve | undefined; step: number; testId: string; className: string }) {
  const more = detail(curve, step);
  return (
    <td className={className}>
      <span data-testid={testId}>{cell(curve, step)}</span>
      {more && (
        <span className="cell-detail" data-testid={`${testId}-detail`}>
          {more}
        </span>
      )}
    </td>
  );
}

const Row = memo(function Row({ id, kShot }: { id: AlgorithmId; kShot: number }) {
  const browser = usePlayground((s) => s.reproduction.browser[kShot]?.[id]);
  const shipped = usePlayground((s) => s.reproduction.shipped[id]?.find((c) => c.kShot === kShot));
  const paper = PAPER_TABLE.find((p) => p.method === id && p.kShot === kShot);
  return (
    <tr data-method={id} data-k={kShot} className={paper ? 'has-paper' : undefined}>
      <th scope="row">
        <MethodName id={id} label={methodLabelWithOrder(id)} />
      </th>
      <td>{kShot}</td>
      {PAPER_STEPS.map((s, i) => (
        <td key={`p${s}`} className="mono paper" data-testid={`repro-paper-${id}-${kShot}-${s}`} title={paper ? `${paper.label}, ${PAPER_CITATION}` : undefined}>
          {paper ? paper.mse[i].toFixed(2) : ''}
        </td>
      ))}
      {PAPER_STEPS.map((s) => (
        <Cell key={`b${s}`} className="mono" testId={`repro-${id}-${kShot}-${s}`} curve={browser} step={s} />
      ))}
      {PAPER_STEPS.map((s) => (
        <Cell key={`s${s}`} className="mono muted" testId={`repro-shipped-${id}-${kShot}-${s}`} curve={shipped} step={s} />
      ))}
    </tr>
  );
});

export function ReproductionPanel() {
  const { runReproduction } = useSession();
  const { running, done, total } = usePlayground((s) => s.reproduction);
  const ready = usePlayground((s) => s.status.worker === 'ready');
  return (
    <section className="panel reproduction-panel" data-testid="reproduction-panel" aria-labelledby="reproduction-title">
      <h2 id="reproduction-title">Paper vs this run</h2>
      <p className="muted">
        MSE on held-out points after 1, 5 and 10 gradient steps (α = 0.01) on K points, mean ± 95% CI over the paper&apos;s
        protocol of 600 test tasks; beneath it the median over the tasks and the share of tasks that blew up (MSE above 100 or not finite). The paper ({PAPER_CITATION}) reports MAML and the pretrained baseline at K = 5. “This browser” evaluates each method&apos;s current model here, in the worker; “checkpoint
        file” is what <code>npm run pretrain</code> measured in Node on the same tasks.
      </p>
      <div className="repro-actions">
        <button type="button" data-testid="reproduce-run" disabled={running || !ready} onClick={() => void runReproduction()}>
          {running ? 'Computing…' : 'Compute the table in this browser'}
        </button>
        {total > 0 && (
          <>
            <progress data-testid="reproduce-progress" max={total} value={done} />
            <span className="mono" data-testid="reproduce-count">
              {done} / {total}
            </span>
          </>
        )}
      </div>
      <ScrollRegion label="Paper vs this run table (scrolls sideways)">
        <table className="repro-table">
          <thead>
            <tr>
              <th rowSpan={2}>method</th>
              <th rowSpan={2}>K</th>
              <th colSpan={3} title={PAPER_CITATION}>paper: steps 1 / 5 / 10</th>
              <th colSpan={3}>this browser: steps 1 / 5 / 10</th>
              <th colSpan={3}>checkpoint file: steps 1 / 5 / 10</th>
            </tr>
            <tr>
              {[...PAPER_STEPS, ...PAPER_STEPS, ...PAPER_STEPS].map((s, i) => (
                <th key={i}>{s}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {SHOTS.flatMap((k) => ALGORITHM_IDS.map((id) => <Row key={`${id}-${k}`} id={id} kShot={k} />))}
          </tbody>
        </table>
      </ScrollRegion>
    </section>
  );
}

export default ReproductionPanel;

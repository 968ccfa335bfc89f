/**
 * How far the shown numbers can be trusted at the chosen test-time alpha: for every shown method, the share of
 * the live test tasks on which its adaptation blew up (MSE > 100 or not finite; classification: a non-finite
 * cross-entropy), and the first step where that happens. Measured by the engine in the averaged evaluation
 * (the same test tasks as the loss chart), never typed in.
 */
import { memo, useMemo } from 'react';
import { ALGORITHM_INFO, type AlgorithmId } from '../meta/contracts/algorithms';
import { isClassification } from '../meta/contracts/problems';
import type { EvalCurve } from '../meta/contracts/types';
import { appliesTo, usePlayground, type PlaygroundState } from '../state/store';

/** A share above this counts: one task in a thousand (the bar the shipped checkpoints are held to). */
export const UNRELIABLE_SHARE = 0.001;

export interface StepRisk {
  id: AlgorithmId;
  /** The first step (1..steps) at which more than UNRELIABLE_SHARE of the tasks blew up, or null. */
  from: number | null;
  /** The largest share that blew up at steps 1..steps, and at which step. */
  worst: number;
  worstStep: number;
}

/** Each method's blow-up risk over steps 1..steps of its averaged curve (null when the curve has no shares). */
export function stepRisks(curves: Partial<Record<AlgorithmId, EvalCurve>>, methods: AlgorithmId[], steps: number): StepRisk[] {
  const out: StepRisk[] = [];
  for (const id of methods) {
    const share = curves[id]?.blowUp;
    if (!share) continue;
    let from: number | null = null;
    let worst = 0;
    let worstStep = 0;
    for (let s = 1; s <= Math.min(steps, share.length - 1); s++) {
      if (from === null && share[s] > UNRELIABLE_SHARE) from = s;
      if (share[s] > worst) [worst, worstStep] = [share[s], s];
    }
    out.push({ id, from, worst, worstStep });
  }
  return out;
}

/** Steps 1..steps as small cells, those where more than UNRELIABLE_SHARE blew up marked, each with its share. */
function StepStrip({ shares, steps, id }: { shares: number[]; steps: number; id: AlgorithmId }) {
  const cells = Array.from({ length: Math.min(steps, shares.length - 1) }, (_, i) => i + 1);
  return (
    <span className="risk-steps" role="img" aria-label={`${ALGORITHM_INFO[id].label}, share blown up by step: ${cells.map((s) => `step ${s} ${pct(shares[s])}`).join(', ')}`}>
      {cells.map((s) => (
        <span key={s} className={shares[s] > UNRELIABLE_SHARE ? 'risk-step unreliable' : 'risk-step'} data-step={s} title={`step ${s}: ${pct(shares[s])} blew up`}>
          {s}
        </span>
      ))}
    </span>
  );
}

const pct = (v: number) => (v >= 0.1 ? `${Math.round(v * 100)}%` : `${(v * 100).toFixed(1)}%`);

interface Measured {
  curves: Partial<Record<AlgorithmId, EvalCurve>>;
  tasks: number;
  kShot: number;
}

/** The averaged curves of the problem shown, when they were measured at the alpha (and K) now chosen. */
function measuredNow({ settings, results }: { settings: Pick<PlaygroundState['settings'], 'problem' | 'alpha' | 'kShot'>; results: Pick<PlaygroundState['results'], 'evaluation' | 'evaluationFor' | 'classEvaluation'> }): Measured | null {
  if (isClassification(settings.problem)) {
    const e = results.classEvaluation;
    if (!e || e.problem !== settings.problem || e.alpha !== settings.alpha) return null;
    return { curves: e.results, tasks: e.episodes, kShot: e.kShot };
  }
  const f = results.evaluationFor;
  if (!f || f.alpha !== settings.alpha || f.kShot !== settings.kShot) return null;
  const first = Object.values(results.evaluation)[0];
  return { curves: results.evaluation, tasks: first?.tasks ?? 0, kShot: f.kShot };
}

/** Next to the test-time alpha: which shown methods blow up at this alpha, from which step, on how many tasks. */
export const AlphaRisk = memo(function AlphaRisk() {
  const alpha = usePlayground((s) => s.settings.alpha);
  const steps = usePlayground((s) => s.settings.steps);
  const problem = usePlayground((s) => s.settings.problem);
  const methods = usePlayground((s) => s.settings.methods);
  // Only what measuredNow reads: a click (new points, new adaptation) does not render this.
  const kShot = usePlayground((s) => s.settings.kShot);
  const evaluation = usePlayground((s) => s.results.evaluation);
  const evaluationFor = usePlayground((s) => s.results.evaluationFor);
  const classEvaluation = usePlayground((s) => s.results.classEvaluation);
  const measured = useMemo(
    () => measuredNow({ settings: { problem, alpha, kShot }, results: { evaluation, evaluationFor, classEvaluation } }),
    [problem, alpha, kShot, evaluation, evaluationFor, classEvaluation],
  );
  const shown = methods.filter((m) => appliesTo(m, problem));
  if (!measured) {
    return (
      <p className="alpha-risk muted" data-testid="alpha-risk" data-state="measuring" aria-live="polite">
        Measuring how often each method blows up at α = {alpha}…
      </p>
    );
  }
  const risks = stepRisks(measured.curves, shown, steps);
  const bad = risks.filter((r) => r.from !== null);
  const where = `${measured.tasks} test tasks, K = ${measured.kShot}, steps 1–${steps}`;
  return (
    <p className={`alpha-risk${bad.length ? ' warn' : ''}`} data-testid="alpha-risk" data-state={bad.length ? 'risky' : 'safe'} aria-live="polite">
      {bad.length === 0 ? (
        <>At α = {alpha}, no shown method blew up ({where}).</>
      ) : (
        <>
          At α = {alpha} ({where}):{' '}
          {bad.map((r, i) => (
            <span key={r.id} data-testid={`alpha-risk-${r.id}`} data-from={r.from!} data-share={r.worst}>
              {i > 0 ? '; ' : ''}
              {ALGORITHM_INFO[r.id].label} blows up on {pct(r.worst)} by step {r.worstStep}, unreliable from step {r.from}
              {ALGORITHM_INFO[r.id].learnedRates ? ' (its learned rates overshoot; α is not used)' : ''}{' '}
              <StepStrip shares={measured.curves[r.id]!.blowUp!} steps={steps} id={r.id} />
            </span>
          ))}
          .
        </>
      )}
    </p>
  );
});

/**
 * The averaged curves' evaluation in flight (status.evalProgress): never a bare "computing…" (issue 14). The
 * chart's message says what is averaged and how far it has got ("averaging over 40 test episodes… 12 / 40";
 * with several methods the count runs over all of them), and a <progress> with an accessible name shows it too.
 */
import { usePlayground } from '../state/store';

export type EvalProgressValue = { done: number; total: number } | null;

/** "averaging over 40 test episodes… 12 / 40" (unit: "test episodes" or "test tasks"); without progress, no count. */
export function evalProgressText(count: number, unit: string, methods: number, p: EvalProgressValue): string {
  const what = `averaging over ${count} ${unit}${methods > 1 ? ` × ${methods} methods` : ''}…`;
  return p ? `${what} ${p.done} / ${p.total}` : what;
}

export const useEvalProgress = (): EvalProgressValue => usePlayground((s) => s.status.evalProgress);

/** A <progress> of the evaluation in flight, named for screen readers; nothing when none is. */
export function EvalProgressBar({ label, progress }: { label: string; progress: EvalProgressValue }) {
  if (!progress) return null;
  return (
    <progress
      className="eval-progress"
      data-testid="eval-progress"
      aria-label={label}
      aria-valuetext={`${progress.done} of ${progress.total}`}
      value={progress.done}
      max={progress.total}
    />
  );
}

/** Mean and the half-width of its 95% confidence interval (normal approximation, 1.96 standard errors). */
export function meanCi95(values: ArrayLike<number>): { mean: number; ci95: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, ci95: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  if (n === 1) return { mean, ci95: 0 };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return { mean, ci95: (1.96 * sd) / Math.sqrt(n) };
}

/** A task "blew up" when its error after adaptation is above this (the paper's errors are 0.1 to 5) or not finite. */
export const BLOW_UP_MSE = 100;

/** The median of the values (NaN counts as larger than any number, so blown-up tasks sit at the top). */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values, (v) => (Number.isNaN(v) ? Infinity : v)).sort();
  const m = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return m;
}

/** The share of values above `limit` or not finite. */
export function blowUpShare(values: ArrayLike<number>, limit = BLOW_UP_MSE): number {
  const n = values.length;
  if (n === 0) return NaN;
  let bad = 0;
  for (let i = 0; i < n; i++) if (!(Number.isFinite(values[i]) && values[i] <= limit)) bad++;
  return bad / n;
}

/**
 * An error curve over test tasks, step by step: mean and its 95% CI, the median, and the share of tasks that
 * blew up. The mean alone hides a task in a thousand that overflows; the median and the share say it.
 */
export function stepSummary(perStep: ArrayLike<number>[], limit = BLOW_UP_MSE): { mean: number[]; ci95: number[]; median: number[]; blowUp: number[] } {
  const stats = perStep.map((v) => meanCi95(v));
  return { mean: stats.map((s) => s.mean), ci95: stats.map((s) => s.ci95), median: perStep.map((v) => median(v)), blowUp: perStep.map((v) => blowUpShare(v, limit)) };
}

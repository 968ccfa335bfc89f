/**
 * The training panel's speed and ETA, smoothed (issue 14). The worker reports every ~250 ms how many iterations
 * it did since its last report; that rate swings by 10x and more when the main thread or the worker is busy for
 * a moment (a redraw, an evaluation between iterations, GC), and an ETA from it jumped 42 min -> 1 min 26 s ->
 * 39 s -> 36 min -> 20 s within 20 s. Here the rate is iterations over seconds across a sliding window of the
 * run's reports (all of them in the first WINDOW_S seconds), so a stall or a burst moves it by its share of the
 * window only, while a lasting change of speed (another tab starts, the run resumes on a busier machine) is
 * followed within a window. Pure: times come in as arguments (tests/unit/eta.test.ts).
 */

/** The window the rate is measured over, seconds. */
export const ETA_WINDOW_S = 15;
/** No estimate before the reports span this many seconds (the first ones include the trainer's warm-up). */
export const ETA_MIN_SPAN_S = 1;

export interface EtaEstimate {
  /** Iterations per second over the window; null before there is one. */
  rate: number | null;
  /** Seconds until the run's last iteration; null before there is an estimate. */
  eta: number | null;
}

export interface EtaEstimator {
  /** A report: at `t` seconds (any clock), `iteration` of `iterations` done. */
  update(t: number, iteration: number, iterations: number): EtaEstimate;
  /** Forgets the reports: a new run, or a resumed one (the pause is no part of its speed). */
  reset(): void;
}

export function etaEstimator(windowS = ETA_WINDOW_S, minSpanS = ETA_MIN_SPAN_S): EtaEstimator {
  let samples: { t: number; iteration: number }[] = [];
  return {
    update(t, iteration, iterations) {
      const last = samples.at(-1);
      // A report of an earlier iteration (a new run the reset missed) starts over.
      if (last && (iteration < last.iteration || t < last.t)) samples = [];
      samples.push({ t, iteration });
      // Keep the newest report at or before the window's start, so the window spans WINDOW_S seconds in full.
      let drop = 0;
      while (drop + 1 < samples.length && samples[drop + 1].t <= t - windowS) drop++;
      if (drop > 0) samples = samples.slice(drop);
      const first = samples[0];
      const span = t - first.t;
      const done = iteration - first.iteration;
      if (span < minSpanS || done <= 0) return { rate: null, eta: iteration >= iterations ? 0 : null };
      const rate = done / span;
      return { rate, eta: Math.max(0, iterations - iteration) / rate };
    },
    reset() {
      samples = [];
    },
  };
}

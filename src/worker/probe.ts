/**
 * Backend by measurement (issue 17, target 1): when more than one TF.js backend starts on real hardware (a GPU's
 * WebGPU or WebGL beside wasm), the worker times a representative adaptation on each and keeps the fastest. Pure:
 * the timing runs in backend.ts; this decides and words the result.
 */
import type { BackendName } from './protocol';

/** What the probe measured on one backend: ms per adaptation (best of its rounds), or why it has none. */
export type ProbeTiming = { backend: BackendName; ms: number } | { backend: BackendName; ms: null; why: string };

/** The whole probe's budget, and one backend's: a backend whose first (compiling) round is slower is dropped. */
export const PROBE_BUDGET_MS = 300;
export const PROBE_ROUND_LIMIT_MS = 150;

/**
 * The fastest backend measured, and one line per other backend saying why it lost (its time against the
 * winner's, or why it was not timed). Ties keep the earlier backend in the list (the usual order). Null when
 * none was timed.
 */
export function pickFastest(timings: ProbeTiming[]): { backend: BackendName; ms: number; lines: string[] } | null {
  let best: { backend: BackendName; ms: number } | null = null;
  for (const t of timings) if (t.ms !== null && (best === null || t.ms < best.ms)) best = { backend: t.backend, ms: t.ms };
  if (!best) return null;
  const winner = best;
  const f = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));
  const lines = timings
    .filter((t) => t.backend !== winner.backend)
    .map((t) =>
      t.ms === null
        ? `${t.backend}: ${t.why}; measured ${winner.backend} at ${f(winner.ms)} ms per adaptation`
        : `${t.backend}: slower here by measurement (${f(t.ms)} ms per adaptation, ${winner.backend} ${f(winner.ms)} ms)`,
    );
  return { ...winner, lines };
}

/**
 * The path each job runs on, by measurement (issue 17, target 1: the fastest for each job). A job that two paths
 * can serve (typed arrays, and TF.js on the backend the worker started) has its first request run on each, twice
 * (the first round compiles and warms up), and keeps the faster for the rest of the worker's life; that request is
 * answered with the kept path's own result. A path whose first round takes longer than PROBE_ROUND_LIMIT_MS is
 * not timed again (it has lost). Jobs are named by what they compute and on what ('adapt:sinusoid',
 * 'classify:plane'): the same engine may win one and lose another.
 */
import { PROBE_ROUND_LIMIT_MS } from './probe';

export type JobPath = 'typed arrays' | 'tfjs';

export interface JobAnswer<T> {
  result: T;
  path: JobPath;
  /** How the path was chosen, once measured (e.g. "fastest by measurement: typed arrays 1.2 ms, tfjs 3.4 ms"). */
  note: string | null;
}

export class JobPaths {
  private readonly chosen = new Map<string, { path: JobPath; note: string | null }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The path kept for a job, once measured. */
  pathOf(job: string): JobPath | null {
    return this.chosen.get(job)?.path ?? null;
  }

  async run<T>(job: string, paths: Partial<Record<JobPath, () => Promise<T> | T>>, label: (p: JobPath) => string = (p) => p): Promise<JobAnswer<T>> {
    const offered = (Object.keys(paths) as JobPath[]).filter((p) => paths[p]);
    if (offered.length === 0) throw new Error(`No path serves ${job}.`);
    const kept = this.chosen.get(job);
    if (kept && paths[kept.path]) return { result: await paths[kept.path]!(), path: kept.path, note: kept.note };
    if (offered.length === 1) return { result: await paths[offered[0]]!(), path: offered[0], note: null };
    const timed: { path: JobPath; ms: number | null; result: T | undefined }[] = [];
    // The usual order's best (the first offered) is timed last: if it wins, the next request finds it warm, and
    // the other path's garbage is not left for that request to collect.
    for (const path of [...offered].reverse()) {
      const t0 = this.now();
      let result = await paths[path]!();
      const first = this.now() - t0;
      if (first > PROBE_ROUND_LIMIT_MS) {
        timed.push({ path, ms: null, result });
        continue;
      }
      const t1 = this.now();
      result = await paths[path]!();
      timed.push({ path, ms: this.now() - t1, result });
    }
    timed.reverse();
    const ranked = timed.filter((t) => t.ms !== null).sort((a, b) => a.ms! - b.ms!);
    // None timed (each slower than a round's limit): the first offered, which is the usual order's best.
    const best = ranked[0] ?? timed[0];
    const f = (ms: number) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
    const note =
      'fastest by measurement: ' + timed.map((t) => `${label(t.path)} ${t.ms === null ? `over ${PROBE_ROUND_LIMIT_MS} ms` : `${f(t.ms)} ms`}`).join(', ');
    this.chosen.set(job, { path: best.path, note });
    return { result: best.result as T, path: best.path, note };
  }
}

/**
 * The bench's judgement of issue 17's targets (scripts/bench-targets.ts): each target met, not met or not measured
 * from one run's facts, and the README section between its markers rewritten (and nothing else).
 */
import { describe, expect, it } from 'vitest';
import { issue17Targets, README_END, README_START, replaceBetweenMarkers, targetsMarkdown, type BenchFacts } from '../../scripts/bench-targets';

const none: BenchFacts = {
  workerMs: {},
  otherAlgorithms: [{ id: 'reptile', innerSteps: 5 }, { id: 'anil', innerSteps: 1 }],
  clicks: {},
  ttqSeconds: undefined,
  load: null,
  checkpointBytes: null,
  reproductionSeconds: null,
  backend: null,
  hardwareGpu: false,
};

const verdicts = (b: BenchFacts) => Object.fromEntries(issue17Targets(b).map((r) => [r.id, r.verdict]));

describe('issue 17 targets from a bench run', () => {
  it('a part that did not run is "not measured", never met; target 7 without a hardware GPU too', () => {
    expect(verdicts(none)).toEqual({ 1: 'not measured', 2: 'not measured', 3: 'not measured', 4: 'not measured', 5: 'not measured', 6: 'not measured', 7: 'not measured' });
  });

  it('judges each measured target against its number', () => {
    const fast: BenchFacts = {
      ...none,
      workerMs: { wasm: { reptile: 40, anil: 30 }, 'typed arrays': { reptile: 8, anil: 4 } },
      clicks: { wasm: { p95: 12, frameP95: 15, median: 9, inFirstFrame: 0.95 }, 'wasm, engine=tfjs': { p95: 40, frameP95: 45, median: 30, inFirstFrame: 0 } },
      ttqSeconds: 4.2,
      load: { firstCurvesMedianMs: 900, longestPerLoadMs: [0, 0, 45, 0, 61] },
      checkpointBytes: { json: 3_300_000, binary: 1_000_000 },
      reproductionSeconds: 4,
      backend: { running: 'wasm', planeAveragedS: 3, glyphAveragedS: 15, planeClickP95Ms: 40 },
      hardwareGpu: false,
    };
    // The TF.js-engine clicks are a comparison, not a target.
    expect(verdicts(fast)).toEqual({ 1: 'met', 2: 'not measured', 3: 'met', 4: 'met', 5: 'met', 6: 'met', 7: 'not measured' });
    const slow: BenchFacts = {
      ...fast,
      workerMs: { wasm: { reptile: 40, anil: 30 }, 'typed arrays': { reptile: 8, anil: 6 } },
      clicks: { wasm: { p95: 12, frameP95: 17, median: 9, inFirstFrame: 0.9 } },
      ttqSeconds: null,
      load: { firstCurvesMedianMs: 900, longestPerLoadMs: [51, 0, 52, 60, 0] },
      backend: { running: 'webgpu (software adapter: SwiftShader)', planeAveragedS: 3, glyphAveragedS: 15, planeClickP95Ms: 40 },
    };
    // ANIL is 5x faster but over 5 ms with one inner step; a software adapter chosen fails target 1.
    expect(verdicts(slow)).toEqual({ 1: 'not met', 2: 'not measured', 3: 'not met', 4: 'not met', 5: 'not met', 6: 'not met', 7: 'not measured' });
    const rows = issue17Targets(slow);
    expect(rows.find((r) => r.id === 3)!.measured).toBe('reptile: 8.0 ms (5.0x); anil: 6.0 ms (5.0x)');
    expect(rows.find((r) => r.id === 4)!.measured).toContain('checkpoints 0.95 MB binary vs 3.15 MB JSON (3.3x)');
  });

  it('target 1 per job: the plane clicks\' path must come with the worker\'s measurement, and is printed', () => {
    const base = { running: 'wasm', planeAveragedS: 3, glyphAveragedS: 15, planeClickP95Ms: 40 };
    const measured = issue17Targets({ ...none, backend: { ...base, planePath: 'typed arrays', planePathNote: 'fastest by measurement: typed arrays 3.1 ms, tfjs (wasm) 41 ms' } }).find((r) => r.id === 1)!;
    expect(measured.verdict).toBe('met');
    expect(measured.measured).toContain('2-D clicks on typed arrays (fastest by measurement: typed arrays 3.1 ms, tfjs (wasm) 41 ms)');
    const assumed = issue17Targets({ ...none, backend: { ...base, planePath: 'typed arrays', planePathNote: null } }).find((r) => r.id === 1)!;
    expect(assumed.verdict).toBe('not met');
  });

  it('an algorithm still on TF.js only fails target 3 and is named', () => {
    const rows = issue17Targets({ ...none, workerMs: { wasm: { reptile: 40, anil: 30 }, 'typed arrays': { anil: 4 } } });
    expect(rows.find((r) => r.id === 3)).toMatchObject({ verdict: 'not met', measured: 'reptile: TF.js only (40 ms); anil: 4.0 ms (7.5x)' });
  });

  it('rewrites only the README section between the markers, and refuses a README without them', () => {
    const readme = `# Title\n\nbefore\n${README_START}\nold table\n${README_END}\nafter\n`;
    const table = targetsMarkdown(issue17Targets(none), '2026-11-30 03:00 UTC');
    const out = replaceBetweenMarkers(readme, table);
    expect(out).toBe(`# Title\n\nbefore\n${README_START}\n${table}\n${README_END}\nafter\n`);
    expect(replaceBetweenMarkers(out, table)).toBe(out);
    expect(() => replaceBetweenMarkers('# no markers', table)).toThrow(/no <!-- bench:issue17:start -->/);
  });
});

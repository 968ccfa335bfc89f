/** Issue 14: a panel's data as CSV holds the store's numbers exactly; file names say what they hold. */
import { beforeEach, describe, expect, it } from 'vitest';
import { sinusoid } from '../../src/meta/contracts/tasks/sinusoid';
import type { AdaptationCurves, EvalCurve } from '../../src/meta/contracts/types';
import { CSV_BUILDERS, figureName, lossCsv, taskCsv, toCsv, trainingCsv } from '../../src/panels/figureData';
import { usePlayground } from '../../src/state/store';

function parse(csv: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = csv.trimEnd().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',')) };
}
const col = (t: { header: string[]; rows: string[][] }, name: string) => {
  const i = t.header.indexOf(name);
  expect(i, name).toBeGreaterThanOrEqual(0);
  return t.rows.map((r) => (r[i] === '' ? null : Number(r[i])));
};

function curves(offset: number, grid: number[]): AdaptationCurves {
  const predictions = Array.from({ length: 11 }, (_, s) => grid.map((x) => Math.sin(x) * (1 + s * 0.1) + offset + 1 / 3));
  return { predictions, supportLoss: predictions.map((_, s) => 1 / (s + 3)), taskLoss: predictions.map((_, s) => Math.PI / (s + 1)), divergedAt: null };
}
const evalCurve = (k: number): EvalCurve => ({
  kShot: 5,
  tasks: 100,
  alpha: 0.01,
  mean: Array.from({ length: 11 }, (_, s) => k / (s + 1) + 1e-9),
  ci95: Array.from({ length: 11 }, (_, s) => 0.1 / (s + 7)),
  median: Array.from({ length: 11 }, (_, s) => k / (s + 2)),
  blowUp: Array.from({ length: 11 }, (_, s) => (s > 5 ? 0.01 * s : 0)),
});

beforeEach(() => {
  const s = usePlayground.getState();
  s.setSettings({ methods: ['maml', 'fomaml', 'pretrained'], selectedStep: 3, showTruth: true });
  const grid = usePlayground.getState().results.grid;
  s.setAdaptation({ maml: curves(0, grid), fomaml: curves(0.5, grid), pretrained: curves(-1, grid) });
  s.setEvaluation({ maml: evalCurve(1), fomaml: evalCurve(2), pretrained: evalCurve(3) }, { kShot: 5, alpha: 0.01 });
});

describe('CSV of the task panel', () => {
  it('x, the true function, then each method before (step 0) and after the selected step, equal to the store; the points', () => {
    const s = usePlayground.getState();
    const t = parse(taskCsv(s));
    expect(t.header).toEqual(['x', 'true_y', 'maml_step0', 'maml_step3', 'fomaml_step0', 'fomaml_step3', 'pretrained_step0', 'pretrained_step3', 'point_x', 'point_y']);
    expect(col(t, 'x')).toEqual(s.results.grid);
    for (const id of ['maml', 'fomaml', 'pretrained'] as const) {
      expect(col(t, `${id}_step0`)).toEqual(s.results.adaptation[id]!.predictions[0]);
      expect(col(t, `${id}_step3`)).toEqual(s.results.adaptation[id]!.predictions[3]);
    }
    expect(col(t, 'true_y')).toEqual(s.results.grid.map((x) => sinusoid(s.settings.task!, x)));
    const px = col(t, 'point_x').filter((v) => v !== null);
    expect(px).toEqual(s.settings.points.map((p) => p.x));
  });

  it('step 0 selected: the before curve only', () => {
    usePlayground.getState().setSettings({ selectedStep: 0 });
    expect(parse(taskCsv(usePlayground.getState())).header).toEqual(['x', 'true_y', 'maml_step0', 'fomaml_step0', 'pretrained_step0', 'point_x', 'point_y']);
  });
});

describe('CSV of the loss panel', () => {
  it('per step: your task MSE, then mean, ci95, median and blown-up share, equal to the store', () => {
    const s = usePlayground.getState();
    const t = parse(lossCsv(s));
    expect(col(t, 'step')).toEqual(Array.from({ length: s.settings.steps + 1 }, (_, i) => i));
    for (const id of ['maml', 'fomaml', 'pretrained'] as const) {
      expect(col(t, `${id}_your_task_mse`)).toEqual(s.results.adaptation[id]!.taskLoss);
      const e = s.results.evaluation[id]!;
      expect(col(t, `${id}_mean`)).toEqual(e.mean);
      expect(col(t, `${id}_ci95`)).toEqual(e.ci95);
      expect(col(t, `${id}_median`)).toEqual(e.median);
      expect(col(t, `${id}_blowup`)).toEqual(e.blowUp);
    }
  });

  it('free-hand points: the support-set MSE', () => {
    usePlayground.getState().freeHand();
    const s = usePlayground.getState();
    const t = parse(lossCsv(s));
    expect(col(t, 'maml_support_mse')).toEqual(s.results.adaptation.maml!.supportLoss);
    expect(t.header).not.toContain('maml_your_task_mse');
  });
});

describe('CSV helpers and names', () => {
  it('numbers round-trip exactly; blanks for missing; text with commas quoted', () => {
    const v = [0.1 + 0.2, 1e-20, -123456.789012345, NaN];
    const csv = toCsv(['a', 'b'], [[v[0], 'x,y'], [v[1], null], [v[2], undefined], [v[3], '"q"']]);
    expect(csv).toBe('a,b\n0.30000000000000004,"x,y"\n1e-20,\n-123456.789012345,\nNaN,"""q"""\n');
    expect(Number(csv.split('\n')[1].split(',')[0])).toBe(v[0]);
  });

  it('the training chart: iteration and meta-loss', () => {
    const s = usePlayground.getState();
    usePlayground.setState({ status: { ...s.status, lossHistory: [{ iteration: 10, loss: 1.5 }, { iteration: 20, loss: 0.75 }] } });
    expect(trainingCsv(usePlayground.getState())).toBe('iteration,meta_loss\n10,1.5\n20,0.75\n');
  });

  it('file names say problem, panel, methods and step', () => {
    const s = usePlayground.getState();
    expect(figureName(s, 'task')).toBe('sinusoid_task_maml-fomaml-pretrained_step3');
    expect(figureName(s, 'loss')).toBe(`sinusoid_loss_maml-fomaml-pretrained_steps0-${s.settings.steps}`);
    for (const build of Object.values(CSV_BUILDERS)) expect(build(s).split('\n')[0].length).toBeGreaterThan(0);
  });
});

/**
 * What a figure export writes besides the picture (issue 14): each panel's data as CSV, straight from the store
 * (the numbers the panel draws, at full precision), and file names that say what a file holds (problem, panel,
 * methods, step). Pure functions of the store's state, so unit tests check them in Node.
 */
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { sinusoid } from '../meta/contracts/tasks/sinusoid';
import type { PlaygroundState } from '../state/store';
import { matching } from './classPlots';

/** The panels that export a figure. */
export type FigurePanel = 'task' | 'loss' | 'plane' | 'class-metrics' | 'training' | 'glyph';

/** A number as the CSV holds it: JavaScript's shortest round-trip form (parses back to the same double); blank if absent. */
export function csvNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  return String(v);
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows to CSV text (a header row first; numbers through csvNumber). */
export function toCsv(header: string[], rows: (number | string | null | undefined)[][]): string {
  const line = (cells: (number | string | null | undefined)[]) =>
    cells.map((c) => (typeof c === 'number' || c === null || c === undefined ? csvNumber(c) : csvField(c))).join(',');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** The shown methods that apply to the problem on screen, in the legend's order. */
const shown = (s: PlaygroundState): AlgorithmId[] => s.settings.methods;

/** The step each method's "after" curve shows in the task panel (the selected step, or its last computed one). */
export function shownStep(preds: number[][], selectedStep: number): number {
  return Math.min(selectedStep, preds.length - 1);
}

/**
 * Task panel: x on the curve grid, the true function there (when shown), then per method its prediction before
 * adaptation (step 0) and after the selected step, as drawn; then the support points (x, y) in two columns.
 */
export function taskCsv(s: PlaygroundState): string {
  const { grid, adaptation } = s.results;
  const { task, showTruth, points, selectedStep } = s.settings;
  const truth = task !== null && showTruth;
  const header = ['x'];
  if (truth) header.push('true_y');
  const cols: number[][] = [];
  for (const id of shown(s)) {
    const preds = adaptation[id]?.predictions;
    if (!preds || preds.length === 0) continue;
    header.push(`${id}_step0`);
    cols.push(preds[0]);
    const step = shownStep(preds, selectedStep);
    if (step > 0) {
      header.push(`${id}_step${step}`);
      cols.push(preds[step]);
    }
  }
  header.push('point_x', 'point_y');
  const n = Math.max(grid.length, points.length);
  const rows: (number | null)[][] = [];
  for (let i = 0; i < n; i++) {
    const row: (number | null)[] = [i < grid.length ? grid[i] : null];
    if (truth) row.push(i < grid.length && task ? sinusoid(task, grid[i]) : null);
    for (const c of cols) row.push(i < grid.length ? c[i] : null);
    row.push(points[i]?.x ?? null, points[i]?.y ?? null);
    rows.push(row);
  }
  return toCsv(header, rows);
}

/**
 * Loss panel: per step, each method's MSE on your task (vs the true function, or on the support set without
 * one), then the average over test tasks: mean, 95% half-width, median and the share of tasks that blew up.
 */
export function lossCsv(s: PlaygroundState): string {
  const { adaptation, evaluation } = s.results;
  const hasTask = s.settings.task !== null;
  const steps = s.settings.steps;
  const header = ['step'];
  const cols: (number[] | undefined)[] = [];
  for (const id of shown(s)) {
    const a = adaptation[id];
    const yours = a ? (hasTask ? a.taskLoss : a.supportLoss) : null;
    if (yours) {
      header.push(hasTask ? `${id}_your_task_mse` : `${id}_support_mse`);
      cols.push(yours);
    }
    const e = evaluation[id];
    if (e) {
      header.push(`${id}_mean`, `${id}_ci95`, `${id}_median`, `${id}_blowup`);
      cols.push(e.mean, e.ci95, e.median, e.blowUp);
    }
  }
  const rows = Array.from({ length: steps + 1 }, (_, step) => [step, ...cols.map((c) => (c && step < c.length ? c[step] : null))]);
  return toCsv(header, rows);
}

/**
 * Classification metrics panel: per step, each method's accuracy and cross-entropy on your support set and
 * on the task's known labels, then the test-episode averages (mean and 95% half-width).
 */
export function classMetricsCsv(s: PlaygroundState): string {
  const r = s.results.classification;
  const e = s.results.classEvaluation;
  const header = ['step'];
  const cols: (number[] | null | undefined)[] = [];
  for (const id of shown(s)) {
    const a = r?.results[id];
    if (a) {
      header.push(`${id}_support_accuracy`, `${id}_support_xent`, `${id}_task_accuracy`, `${id}_task_xent`);
      cols.push(a.supportAccuracy, a.supportLoss, a.queryAccuracy, a.queryLoss);
    }
    const c = e?.results[id];
    if (c) {
      header.push(`${id}_avg_accuracy`, `${id}_avg_accuracy_ci95`, `${id}_avg_xent`, `${id}_avg_xent_ci95`);
      cols.push(c.accuracy.mean, c.accuracy.ci95, c.mean, c.ci95);
    }
  }
  const rows = Array.from({ length: s.settings.steps + 1 }, (_, step) => [step, ...cols.map((c) => (c && step < c.length ? c[step] : null))]);
  return toCsv(header, rows);
}

/** The plane: your labelled points, then each method's class probabilities on the region grid at the selected step. */
export function planeCsv(s: PlaygroundState): string {
  const r = s.results.classification;
  const header = ['x', 'y', 'label'];
  const rows: (number | string | null)[][] = s.settings.plane.points.map((p) => [p.x, p.y, p.label]);
  if (!r || !matching(r, 'plane', s.settings.plane.classes) || r.gridN === null) return toCsv(header, rows);
  const n = r.gridN;
  const methodCols: { id: AlgorithmId; probs: Float32Array; step: number }[] = [];
  for (const id of shown(s)) {
    const a = r.results[id];
    if (!a || a.probabilities.length === 0) continue;
    const step = Math.min(s.settings.selectedStep, a.probabilities.length - 1);
    methodCols.push({ id, probs: a.probabilities[step], step });
    for (let c = 0; c < r.classes; c++) header.push(`${id}_step${step}_p${c}`);
  }
  // The grid's queries, row-major as the worker made them (planeGrid): marked "grid" in the label column.
  const rowsOut = [...rows.map((row) => [...row, ...methodCols.flatMap(() => Array<null>(r.classes).fill(null))])];
  for (let q = 0; q < n * n; q++) {
    const row: (number | string | null)[] = [null, null, `grid${q}`];
    for (const m of methodCols) for (let c = 0; c < r.classes; c++) row.push(m.probs[q * r.classes + c]);
    rowsOut.push(row);
  }
  return toCsv(header, rowsOut);
}

/** Training panel: the meta-loss history (iteration, loss) the chart draws. */
export function trainingCsv(s: PlaygroundState): string {
  return toCsv(
    ['iteration', 'meta_loss'],
    s.status.lossHistory.map((p) => [p.iteration, p.loss]),
  );
}

/** Glyphs: per method and drawing to classify, the class probabilities at the selected step. */
export function glyphCsv(s: PlaygroundState): string {
  const r = s.results.classification;
  const header = ['method', 'step', 'drawing'];
  if (!r || !matching(r, 'glyphs', s.settings.glyphs.classes)) return toCsv(header, []);
  for (let c = 0; c < r.classes; c++) header.push(`p${c}`);
  const rows: (number | string)[][] = [];
  for (const id of shown(s)) {
    const a = r.results[id];
    if (!a || a.probabilities.length === 0) continue;
    const step = Math.min(s.settings.selectedStep, a.probabilities.length - 1);
    const p = a.probabilities[step];
    r.queryIndices.forEach((qi, q) => rows.push([id, step, qi, ...Array.from(p.subarray(q * r.classes, (q + 1) * r.classes))]));
  }
  return toCsv(header, rows);
}

export const CSV_BUILDERS: Record<FigurePanel, (s: PlaygroundState) => string> = {
  task: taskCsv,
  loss: lossCsv,
  plane: planeCsv,
  'class-metrics': classMetricsCsv,
  training: trainingCsv,
  glyph: glyphCsv,
};

/** "sinusoid_task_maml-fomaml-pretrained_step1": problem, panel, methods, and the step (or steps) it shows. */
export function figureName(s: PlaygroundState, panel: FigurePanel): string {
  const { problem, methods, selectedStep, steps } = s.settings;
  if (panel === 'training') {
    const it = s.status.lossHistory.at(-1)?.iteration ?? 0;
    return `${problem}_training_${s.status.trainMethod ?? s.settings.train.algorithm}_iter${it}`;
  }
  const m = methods.length > 0 ? methods.join('-') : 'none';
  const stepPart = panel === 'loss' || panel === 'class-metrics' ? `steps0-${steps}` : `step${selectedStep}`;
  return `${problem}_${panel}_${m}_${stepPart}`;
}

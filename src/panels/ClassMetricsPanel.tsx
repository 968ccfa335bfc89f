/**
 * The classification metrics panel (issue 4): accuracy (or cross-entropy) against test-time gradient steps for
 * every shown method, on the user's own task (their points or drawings) and averaged over many test episodes
 * with a 95% confidence band. Serves both classification playgrounds (plane and glyphs): it draws only results
 * computed for the problem and the number of classes on screen, never an older answer for other classes.
 */
import * as d3 from 'd3';
import { memo, useMemo, useState } from 'react';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { modelKey } from '../meta/contracts/checkpoint';
import { isClassification, PROBLEM_INFO } from '../meta/contracts/problems';
import type { ClassificationProblem } from '../meta/contracts/tasks/episodes';
import { appliesTo, classSettings, usePlayground, type PlaygroundState } from '../state/store';
import { ChartMessage } from './ChartMessage';
import { lossYMax, matching, STEP_CHART, stepChartScales, stepCurvePaths } from './classPlots';
import { LineSample, MethodLegend } from './MethodLegend';
import { MethodName } from './MethodName';
import { StepMarkers } from './Markers';
import { ExportMenu } from './ExportMenu';
import { PlotFrame } from './PlotFrame';
import { METHOD_COLORS, methodDash } from './theme';
import { formatTick } from './format';
import { ScrollRegion } from './ScrollRegion';
import { EvalProgressBar, evalProgressText, useEvalProgress } from './EvalProgress';
import { glyphSupportProblems } from '../state/classification';

type Metric = 'accuracy' | 'crossEntropy';
type ChartId = 'user' | 'average';
type ClassProblem = ClassificationProblem;

/** One line: on the user's support set, on their task's known labels, or the test-episode average (with its band). */
interface Series {
  id: AlgorithmId;
  kind: 'support' | 'task' | 'average';
  values: number[];
  /** Half-width of the 95% band at each step. */
  ci95?: number[];
}

const fmtStep = d3.format('d');
const Y_AXIS: Record<Metric, { ticks: number; tickFormat: (v: d3.NumberValue) => string; grid: boolean }> = {
  accuracy: { ticks: 5, tickFormat: d3.format('.0%'), grid: true },
  crossEntropy: { ticks: 5, tickFormat: formatTick(d3.format('.2~f')), grid: true },
};
/** The clip lets a line along an edge (accuracy 100%, or 0) show whole. */
const CLIP_PAD = { top: 2, right: 2, bottom: 2 };
const { left: LEFT, right: RIGHT } = STEP_CHART;

const METRIC_LABEL: Record<Metric, string> = { accuracy: 'accuracy', crossEntropy: 'cross-entropy' };

/** The testid of a line, by what it shows (the browser tests read data-values from these). */
function lineTestId(s: Series): string {
  if (s.kind === 'average') return `class-avg-${s.id}`;
  return s.kind === 'support' ? `class-user-${s.id}` : `class-user-task-${s.id}`;
}

/** The problem the panel serves (the sinusoid has none; the panel is not shown then, but stays well defined). */
const problemOf = (s: PlaygroundState): ClassProblem => (isClassification(s.settings.problem) ? (s.settings.problem as ClassProblem) : 'plane');
/** The problem's own settings (its tab's state: classes, K, its points or drawings). */
const sliceOf = (s: PlaygroundState) => classSettings(s.settings, problemOf(s))!;
const classesOf = (s: PlaygroundState) => sliceOf(s).classes;
const kShotOf = (s: PlaygroundState) => sliceOf(s).kShot;

const MetricChart = memo(function MetricChart({
  chart,
  series,
  steps,
  metric,
  classes,
  title,
  subtitle,
  empty,
}: {
  chart: ChartId;
  series: Series[];
  steps: number;
  metric: Metric;
  classes: number;
  title: string;
  subtitle: string;
  empty: string | null;
}) {
  // Accuracy always on 0..1; cross-entropy from 0 to the data (at least to chance, ln N, so that line shows).
  const chance = metric === 'accuracy' ? 1 / classes : Math.log(classes);
  const yMax = metric === 'accuracy' ? 1 : lossYMax(series, steps, chance * 1.1);
  const { x: xScale, y: yScale } = useMemo(() => stepChartScales(steps, yMax, metric !== 'accuracy'), [steps, yMax, metric]);
  const xAxis = useMemo(() => ({ tickValues: d3.range(0, steps + 1, steps > 10 ? 2 : 1), tickFormat: fmtStep }), [steps]);

  const drawn = useMemo(
    () => series.map((s) => ({ s, ...stepCurvePaths(xScale, yScale, steps, s.values, s.ci95, metric === 'accuracy' ? 1 : Infinity) })),
    [series, steps, xScale, yScale, metric],
  );

  const clipId = `class-metrics-clip-${chart}`;
  const yChance = yScale(chance);
  return (
    <figure className="chart" data-chart={chart}>
      <figcaption>
        <span className="chart-title" data-testid={`class-chart-title-${chart}`}>
          {title}
        </span>
        <span className="chart-ylabel">{subtitle}</span>
      </figcaption>
      <svg className="plot loss-plot" viewBox={STEP_CHART.viewBox} role="img" aria-label={`${title}: ${METRIC_LABEL[metric]} against gradient steps`}>
        <PlotFrame
          frame={STEP_CHART}
          x={xScale}
          y={yScale}
          clipId={clipId}
          clipPad={CLIP_PAD}
          xAxis={xAxis}
          yAxis={Y_AXIS[metric]}
          xLabel="gradient steps"
          yLabel={METRIC_LABEL[metric]}
          yLabelClassName="axis-label-small"
        />
        {/* Chance: accuracy 1/N, or the cross-entropy ln N of the uniform guess. */}
        <g className="class-chance" data-testid={`class-chance-${chart}`} data-value={chance} pointerEvents="none">
          <line x1={LEFT} x2={RIGHT} y1={yChance} y2={yChance} stroke="#555" strokeWidth={1.5} strokeDasharray="1.5 4" strokeLinecap="round" />
          <text className="chance-label" x={RIGHT - 2} y={yChance + (metric === 'accuracy' ? -5 : 14)} textAnchor="end">
            chance
          </text>
        </g>
        <g clipPath={`url(#${clipId})`}>
          {drawn.map(({ s, band }) =>
            band === null ? null : (
              <path key={`${s.id}-${s.kind}-band`} className="loss-band" data-method={s.id} d={band} fill={METHOD_COLORS[s.id]} fillOpacity={0.16} stroke="none" />
            ),
          )}
          {drawn.map(({ s, line }) => (
            <path
              key={`${s.id}-${s.kind}`}
              className="loss-line"
              data-testid={lineTestId(s)}
              data-method={s.id}
              data-series={s.kind}
              data-metric={metric}
              data-values={JSON.stringify(s.values)}
              d={line}
              fill="none"
              stroke={METHOD_COLORS[s.id]}
              strokeDasharray={methodDash(s.id)}
              strokeWidth={s.kind === 'support' ? 1.5 : 2.75}
              strokeOpacity={s.kind === 'support' ? 0.8 : 1}
            />
          ))}
          {drawn.map(({ s }) =>
            s.kind === 'support' ? null : <StepMarkers key={`${s.id}-${s.kind}-marks`} id={s.id} x={xScale} y={yScale} steps={steps} values={s.values} chart={chart} />,
          )}
        </g>
        <ChartMessage frame={STEP_CHART} text={empty} />
      </svg>
    </figure>
  );
});

/** Steps the shipped tables report (as EVALUATION.md does). */
const TABLE_STEPS = [0, 1, 5];

const stepName = (k: number) => (k === 0 ? 'before' : `${k} step${k > 1 ? 's' : ''}`);

/**
 * The share of episodes whose loss blew up (not finite), the most at any stored step, with the first step where
 * any did: "none", "0.17% (from step 3)", or a dash for a checkpoint stored before the shares were.
 */
function blowUpCell(blowUp: (number | null)[] | undefined): { text: string; value: number | null } {
  if (!blowUp || blowUp.length === 0) return { text: '—', value: null };
  const shares = blowUp.map((v) => v ?? 1);
  const most = Math.max(...shares);
  if (!(most > 0)) return { text: 'none', value: 0 };
  return { text: `${(100 * most).toFixed(most < 0.01 ? 2 : 1)}% (from step ${shares.findIndex((v) => v > 0)})`, value: most };
}

/**
 * The shipped classifiers' own numbers: each checkpoint's 600-episode evaluation (npm run pretrain), accuracy
 * after 0, 1 and 5 steps with the 95% CI and the median episode, for 1 and 5 examples per class, and the share
 * of episodes whose loss blew up. Re-checked by the unit tests.
 */
const ShippedTable = memo(function ShippedTable({ problem, classes, methods }: { problem: ClassProblem; classes: number; methods: AlgorithmId[] }) {
  const shipped = usePlayground((s) => s.results.classShipped);
  const rows = methods.flatMap((id) => (shipped[modelKey(id, { problem, classes })] ?? []).map((c) => ({ id, c })));
  if (rows.length === 0) return null;
  const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(1)}%`);
  const lastStep = rows[0].c.mean.length - 1;
  return (
    <ScrollRegion label="Shipped checkpoints table (scrolls sideways)">
      <table className="shipped-class-table" data-testid="class-shipped-table">
        <caption>
          Shipped checkpoints on {rows[0].c.tasks} test episodes ({classes}-way, α = {rows[0].c.alpha}): query accuracy, mean ± 95% CI and the
          median episode; blew up: the share of episodes whose loss was not finite, the most at any step 0..{lastStep}
        </caption>
        <thead>
          <tr>
            <th scope="col" rowSpan={2}>
              method
            </th>
            <th scope="col" rowSpan={2}>
              K
            </th>
            <th scope="colgroup" colSpan={TABLE_STEPS.length}>
              mean ± 95% CI
            </th>
            <th scope="colgroup" colSpan={TABLE_STEPS.length} data-testid="class-shipped-median-head">
              median
            </th>
            <th scope="col" rowSpan={2} data-testid="class-shipped-blowup-head">
              blew up
            </th>
          </tr>
          <tr>
            {TABLE_STEPS.map((k) => (
              <th key={`mean-${k}`} scope="col">
                {stepName(k)}
              </th>
            ))}
            {TABLE_STEPS.map((k) => (
              <th key={`median-${k}`} scope="col">
                {stepName(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ id, c }) => {
            const blow = blowUpCell(c.blowUp);
            return (
              <tr key={`${id}-${c.kShot}`} data-testid={`class-shipped-${id}-${c.kShot}`}>
                <th scope="row">
                  <MethodName id={id} />
                </th>
                <td>{c.kShot}</td>
                {TABLE_STEPS.map((k) => (
                  <td key={k} className="mono" data-step={k} data-value={c.accuracy.mean[k]}>
                    {c.accuracy.mean[k] === undefined ? '—' : `${pct(c.accuracy.mean[k])} ± ${(100 * c.accuracy.ci95[k]).toFixed(1)}`}
                  </td>
                ))}
                {TABLE_STEPS.map((k) => (
                  <td key={`m${k}`} className="mono" data-median-step={k} data-value={c.accuracy.median?.[k] ?? ''}>
                    {pct(c.accuracy.median?.[k])}
                  </td>
                ))}
                <td className="mono" data-blowup="" data-value={blow.value ?? ''}>
                  {blow.text}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
});

export function ClassMetricsPanel() {
  const [metric, setMetric] = useState<Metric>('accuracy');
  const problem = usePlayground(problemOf);
  const classes = usePlayground(classesOf);
  const kShot = usePlayground(kShotOf);
  const alpha = usePlayground((s) => s.settings.alpha);
  const steps = usePlayground((s) => s.settings.steps);
  const allMethods = usePlayground((s) => s.settings.methods);
  const methods = useMemo(() => allMethods.filter((id) => appliesTo(id, problem)), [allMethods, problem]);
  const user = usePlayground((s) => matching(s.results.classification, problemOf(s), classesOf(s)));
  const evaluation = usePlayground((s) => matching(s.results.classEvaluation, problemOf(s), classesOf(s)));
  // Plane: the true task's labels over the grid (when there is a true task); glyphs: the drawings whose class is known.
  // Drawings are always there (a generated episode or the user's); points may not be.
  const hasPoints = usePlayground((s) => {
    const slice = sliceOf(s);
    return !('points' in slice) || slice.points.length > 0;
  });
  // Glyphs: a support set the model can use (every character drawn K times); until then nothing is computed.
  const usable = usePlayground((s) => {
    const slice = sliceOf(s);
    return !('support' in slice) || glyphSupportProblems(slice).length === 0;
  });
  // The plane without a true task (the points left it): its user chart scores the points only, never an answer
  // still on screen that was scored against the task. Glyphs have no task to leave.
  const hasTruth = usePlayground((s) => {
    const slice = sliceOf(s);
    return !('task' in slice) || slice.task !== null;
  });

  const evalProgress = useEvalProgress();
  const userSeries = useMemo(
    () =>
      methods.flatMap((id): Series[] => {
        const a = user?.results[id];
        if (!a) return [];
        const out: Series[] = [{ id, kind: 'support', values: metric === 'accuracy' ? a.supportAccuracy : a.supportLoss }];
        const task = metric === 'accuracy' ? a.queryAccuracy : a.queryLoss;
        if (task && hasTruth) out.push({ id, kind: 'task', values: task });
        return out;
      }),
    [methods, user, metric, hasTruth],
  );
  const avgSeries = useMemo(
    () =>
      methods.flatMap((id): Series[] => {
        const c = evaluation?.results[id];
        if (!c) return [];
        const m = metric === 'accuracy' ? c.accuracy : c;
        return [{ id, kind: 'average', values: m.mean, ci95: m.ci95 }];
      }),
    [methods, evaluation, metric],
  );

  const { task: taskWord, support: supportWord } = PROBLEM_INFO[problem].words;
  const userEmpty =
    methods.length === 0
      ? 'no method shown'
      : !hasPoints
        ? 'add points to see a score'
        : !usable
          ? 'draw every character to see a score'
          : userSeries.length === 0
            ? 'adapting to your examples…'
            : null;
  // Never a bare "computing…": what is being computed, and how much of it.
  const evalTasks = PROBLEM_INFO[problem].liveEvalTasks;
  const avgEmpty = methods.length === 0 ? 'no method shown' : avgSeries.length === 0 ? evalProgressText(evalTasks, 'test episodes', methods.length, evalProgress) : null;
  const stale = evaluation !== null && (evaluation.kShot !== kShot || evaluation.alpha !== alpha);
  const metricName = METRIC_LABEL[metric];

  return (
    <section className="panel class-metrics-panel" data-testid="class-metrics-panel" aria-labelledby="class-metrics-title">
      <div className="class-metrics-head">
        <h2 id="class-metrics-title">{metric === 'accuracy' ? 'Accuracy' : 'Cross-entropy'} vs adaptation steps</h2>
        <button
          type="button"
          data-testid="class-metric-toggle"
          data-metric={metric}
          aria-pressed={metric === 'crossEntropy'}
          onClick={() => setMetric((m) => (m === 'accuracy' ? 'crossEntropy' : 'accuracy'))}
        >
          {metric === 'accuracy' ? 'Show cross-entropy' : 'Show accuracy'}
        </button>
        <ExportMenu panel="class-metrics" />
      </div>
      <div className="charts">
        <MetricChart
          chart="user"
          series={userSeries}
          steps={steps}
          metric={metric}
          classes={classes}
          title="Your task"
          subtitle={hasTruth ? `${metricName}: thin on ${supportWord}, thick on the ${taskWord}` : `${metricName} on ${supportWord} only (no true task)`}
          empty={userEmpty}
        />
        <MetricChart
          chart="average"
          series={avgSeries}
          steps={steps}
          metric={metric}
          classes={classes}
          title={evaluation ? `Average over ${evaluation.episodes} test episodes` : 'Average over test episodes'}
          subtitle={`${metricName} on their query examples, mean ± 95% CI`}
          empty={avgEmpty}
        />
      </div>
      <p className="note class-avg-caption" data-testid="class-avg-caption">
        {evaluation ? (
          <>
            Averaged curves: {evaluation.episodes} random {evaluation.classes}-way {evaluation.kShot}-shot test episodes, test-time α ={' '}
            {evaluation.alpha}
            {stale && (
              <>
                {' '}
                · updating for K = {kShot}, α = {alpha}…
              </>
            )}
          </>
        ) : (
          <>
            Averaged curves: adapting each method to {evalTasks} random {classes}-way {kShot}-shot test episodes (test-time α = {alpha})…
          </>
        )}
        {evalProgress && (
          <>
            {' '}
            <span data-testid="class-avg-progress">
              {evalProgress.done} / {evalProgress.total}
            </span>{' '}
            <EvalProgressBar label="Averaged curves: test episodes evaluated" progress={evalProgress} />
          </>
        )}
      </p>
      <MethodLegend testId="class-metrics-legend" methods={methods} entry={(id) => <LineSample color={METHOD_COLORS[id]} width={3} dash={methodDash(id)} marker={id} />}>
        <li key="chance" className="chance-entry">
          <LineSample color="#555" width={1.5} dash="1.5 4" inset={2} linecap="round" />
          <span>chance ({metric === 'accuracy' ? `1/${classes}` : `ln ${classes}`})</span>
        </li>
      </MethodLegend>
      <ShippedTable problem={problem} classes={classes} methods={methods} />
    </section>
  );
}

export default ClassMetricsPanel;

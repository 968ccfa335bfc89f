/**
 * The loss panel: how fast each method's error falls with test-time gradient steps, on the user's task and
 * averaged over many random test tasks (with a 95% confidence band), plus a table of the key numbers.
 */
import * as d3 from 'd3';
import { memo, useMemo } from 'react';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { PROBLEM_INFO } from '../meta/contracts/problems';
import { useDeferredAdaptation, usePlayground } from '../state/store';
import { ChartMessage } from './ChartMessage';
import { lossYMax, STEP_CHART, stepChartScales, stepCurvePaths } from './classPlots';
import { PlotFrame } from './PlotFrame';
import { formatStepLoss, formatTick } from './format';
import { METHOD_COLORS, methodDash } from './theme';
import { MethodName } from './MethodName';
import { LineSample, MethodLegend } from './MethodLegend';
import { StepMarkers } from './Markers';
import { ExportMenu } from './ExportMenu';
import type { AdaptationCurves, EvalCurve } from '../meta/contracts/types';
import { ScrollRegion } from './ScrollRegion';
import { EvalProgressBar, evalProgressText, useEvalProgress } from './EvalProgress';

type ChartId = 'task' | 'average';

interface Series {
  id: AlgorithmId;
  values: number[];
  /** Half-width of the 95% band at each step. */
  ci95?: number[];
}

const TABLE_STEPS = [0, 1, 5, 10] as const;
const fmtStep = d3.format('d');
const Y_AXIS = { ticks: 5, tickFormat: formatTick(d3.format('.2~f')), grid: true };
/** The clip lets a line along the top or right edge show whole. */
const CLIP_PAD = { top: 2, right: 2 };

/** The task chart's series: MSE vs the true function when there is one, else the support-set MSE. */
function taskSeries(curves: AdaptationCurves | undefined, hasTask: boolean): number[] | null {
  if (!curves) return null;
  return hasTask ? curves.taskLoss : curves.supportLoss;
}

const LossChart = memo(function LossChart({
  chart,
  series,
  steps,
  title,
  yLabel,
  empty,
}: {
  chart: ChartId;
  series: Series[];
  steps: number;
  title: string;
  yLabel: string;
  empty: string | null;
}) {
  const yMax = lossYMax(series, steps);
  const { x: xScale, y: yScale } = useMemo(() => stepChartScales(steps, yMax, true), [steps, yMax]);
  const xAxis = useMemo(() => ({ tickValues: d3.range(0, steps + 1, steps > 10 ? 2 : 1), tickFormat: fmtStep }), [steps]);

  const drawn = useMemo(() => series.map((s) => ({ id: s.id, ...stepCurvePaths(xScale, yScale, steps, s.values, s.ci95) })), [series, steps, xScale, yScale]);

  const clipId = `loss-clip-${chart}`;
  return (
    <figure className="chart" data-chart={chart}>
      <figcaption>
        <span className="chart-title" data-testid={`chart-title-${chart}`}>
          {title}
        </span>
        <span className="chart-ylabel" data-testid={`ylabel-${chart}`}>
          {yLabel}
        </span>
      </figcaption>
      <svg className="plot loss-plot" viewBox={STEP_CHART.viewBox} role="img" aria-label={`${title}: ${yLabel} against steps`}>
        <PlotFrame
          frame={STEP_CHART}
          x={xScale}
          y={yScale}
          clipId={clipId}
          clipPad={CLIP_PAD}
          xAxis={xAxis}
          yAxis={Y_AXIS}
          xLabel="gradient steps on the K points"
          yLabel="MSE"
          yLabelClassName="axis-label-small"
        />
        <g clipPath={`url(#${clipId})`}>
          {drawn.map((d) =>
            d.band === null ? null : (
              <path
                key={`${d.id}-band`}
                className="loss-band"
                data-method={d.id}
                data-chart={chart}
                d={d.band}
                fill={METHOD_COLORS[d.id]}
                fillOpacity={0.18}
                stroke="none"
              />
            ),
          )}
          {drawn.map((d) => (
            <path
              key={`${d.id}-line`}
              className="loss-line"
              data-method={d.id}
              data-chart={chart}
              d={d.line}
              fill="none"
              stroke={METHOD_COLORS[d.id]}
              strokeDasharray={methodDash(d.id)}
              strokeWidth={2.5}
            />
          ))}
          {series.map((s) => (
            <StepMarkers key={`${s.id}-marks`} id={s.id} x={xScale} y={yScale} steps={steps} values={s.values} chart={chart} />
          ))}
        </g>
        <ChartMessage frame={STEP_CHART} text={empty} />
      </svg>
    </figure>
  );
});

/** A table cell: "diverged" from the step the adaptation diverged, "> 10⁴" for a run-away loss, never an exponent. */
function cellValue(values: number[] | null | undefined, step: number, steps: number, divergedAt: number | null = null): string {
  if (!values || step > steps || step >= values.length) return '—';
  return formatStepLoss(values[step], step, divergedAt);
}

export function LossPanel() {
  const adaptation = useDeferredAdaptation();
  const evaluation = usePlayground((s) => s.results.evaluation);
  const methods = usePlayground((s) => s.settings.methods);
  const steps = usePlayground((s) => s.settings.steps);
  const hasTask = usePlayground((s) => s.settings.task !== null);
  const hasPoints = usePlayground((s) => s.settings.points.length > 0);
  const evaluationFor = usePlayground((s) => s.results.evaluationFor);
  const kShot = usePlayground((s) => s.settings.kShot);
  const alpha = usePlayground((s) => s.settings.alpha);
  const stale = evaluationFor !== null && (evaluationFor.kShot !== kShot || evaluationFor.alpha !== alpha);
  const evalProgress = useEvalProgress();
  const problem = usePlayground((s) => s.settings.problem);
  const evalTasks = PROBLEM_INFO[problem].liveEvalTasks;

  const taskData = useMemo(
    () =>
      methods.flatMap((id): Series[] => {
        const values = taskSeries(adaptation[id], hasTask);
        return values ? [{ id, values }] : [];
      }),
    [methods, adaptation, hasTask],
  );
  const avgData = useMemo(
    () =>
      methods.flatMap((id): Series[] => {
        const c: EvalCurve | undefined = evaluation[id];
        return c ? [{ id, values: c.mean, ci95: c.ci95 }] : [];
      }),
    [methods, evaluation],
  );

  const firstEval = methods.map((id) => evaluation[id]).find((c): c is EvalCurve => c !== undefined);
  const avgTitle = firstEval
    ? `Average over ${firstEval.tasks} test tasks (K = ${firstEval.kShot})`
    : 'Average over test tasks';
  // Without a true function (free-hand, or points that left the sine) only the support set is scored.
  const taskLabel = hasTask ? 'MSE vs true function (held-out)' : 'Support-set MSE (your points; no true function)';
  const taskTitle = hasTask ? 'Your task' : 'Your points';
  const taskEmpty =
    methods.length === 0
      ? 'no method shown'
      : taskData.length === 0
        ? 'adapting…'
        : !hasTask && !hasPoints
          ? 'add points to see a loss'
          : null;
  const avgEmpty = methods.length === 0 ? 'no method shown' : avgData.length === 0 ? evalProgressText(evalTasks, 'test tasks', methods.length, evalProgress) : null;

  return (
    <section className="panel loss-panel" data-testid="loss-panel" aria-labelledby="loss-panel-title">
      <div className="panel-head">
        <h2 id="loss-panel-title">Loss vs adaptation steps</h2>
        <ExportMenu panel="loss" />
      </div>
      <div className="charts">
        <LossChart chart="task" series={taskData} steps={steps} title={taskTitle} yLabel={taskLabel} empty={taskEmpty} />
        <LossChart chart="average" series={avgData} steps={steps} title={avgTitle} yLabel="MSE on held-out points, mean ± 95% CI" empty={avgEmpty} />
      </div>
      <MethodLegend testId="loss-legend" methods={methods} entry={(id) => <LineSample color={METHOD_COLORS[id]} width={2.5} dash={methodDash(id)} marker={id} />} />
      {avgData.length === 0 && methods.length > 0 && (
        <p className="note" data-testid="evaluating-note">
          Evaluating on {evalTasks} random test tasks…{evalProgress && ` ${evalProgress.done} / ${evalProgress.total} `}
          <EvalProgressBar label="Averaged curves: test tasks evaluated" progress={evalProgress} />
        </p>
      )}
      {avgData.length > 0 && stale && (
        <p className="note" data-testid="evaluating-note">
          Updating the average for K = {kShot}, alpha = {alpha}… (shown: K = {evaluationFor?.kShot}, alpha = {evaluationFor?.alpha})
          {evalProgress && ` ${evalProgress.done} / ${evalProgress.total} `}
          <EvalProgressBar label="Averaged curves: test tasks evaluated" progress={evalProgress} />
        </p>
      )}
      <ScrollRegion label="Loss table (scrolls sideways)">
        <table className="loss-table" data-testid="loss-table">
          <thead>
            <tr>
              <th rowSpan={2} scope="col" className="method-col">
                Method
              </th>
              <th colSpan={TABLE_STEPS.length} scope="colgroup" data-testid="loss-table-task-head">
                {hasTask ? 'Your task' : 'Your points (support-set MSE)'}
              </th>
              <th colSpan={TABLE_STEPS.length} scope="colgroup">
                Average{firstEval ? ` (K = ${firstEval.kShot})` : ''}
              </th>
            </tr>
            <tr>
              {TABLE_STEPS.map((s) => (
                <th key={`task-${s}`} scope="col" title={`after ${s} steps`}>
                  {s === 0 ? 'step 0' : s}
                </th>
              ))}
              {TABLE_STEPS.map((s) => (
                <th key={`average-${s}`} scope="col" title={`after ${s} steps`}>
                  {s === 0 ? 'step 0' : s}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {methods.map((id) => {
              const task = taskSeries(adaptation[id], hasTask);
              const avg = evaluation[id]?.mean;
              return (
                <tr key={id} data-method={id}>
                  <th scope="row">
                    <MethodName id={id} />
                  </th>
                  {TABLE_STEPS.map((s) => (
                    <td key={`task-${s}`} data-testid={`loss-task-${id}-${s}`}>
                      {cellValue(task, s, steps, adaptation[id]?.divergedAt ?? null)}
                    </td>
                  ))}
                  {TABLE_STEPS.map((s) => (
                    <td key={`average-${s}`} data-testid={`loss-average-${id}-${s}`}>
                      {cellValue(avg, s, steps)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollRegion>
    </section>
  );
}

export default LossPanel;

/**
 * The loss panel: how fast each method's error falls with test-time gradient steps, on the user's task and
 * averaged over many random test tasks (with a 95% confidence band), plus a table of the key numbers.
 */
import * as d3 from 'd3';
import { memo, useMemo } from 'react';
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { usePlayground } from '../state/store';
import { Axis } from './Axis';
import { lossYMax, STEP_CHART, stepCurvePaths } from './classPlots';
import { formatLoss, METHOD_COLORS, methodDash } from './theme';
import { MethodName } from './MethodName';
import type { AdaptationCurves, EvalCurve } from '../meta/contracts/types';

type ChartId = 'task' | 'average';

interface Series {
  id: AlgorithmId;
  values: number[];
  /** Half-width of the 95% band at each step. */
  ci95?: number[];
}

const { W, H, MARGIN, PLOT_W, PLOT_H } = STEP_CHART;
const TABLE_STEPS = [0, 1, 5, 10] as const;
const fmtTick = d3.format('.2~f');
const fmtStep = d3.format('d');

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
  const xScale = useMemo(
    () => d3.scaleLinear().domain([0, Math.max(1, steps)]).range([MARGIN.left, W - MARGIN.right]),
    [steps],
  );
  const yMax = lossYMax(series, steps);
  const yScale = useMemo(
    () => d3.scaleLinear().domain([0, yMax]).nice(5).range([H - MARGIN.bottom, MARGIN.top]),
    [yMax],
  );
  const xTicks = useMemo(() => d3.range(0, steps + 1, steps > 10 ? 2 : 1), [steps]);

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
      <svg className="plot loss-plot" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${yLabel} against steps`}>
        <defs>
          <clipPath id={clipId}>
            <rect x={MARGIN.left} y={MARGIN.top - 2} width={PLOT_W + 2} height={PLOT_H + 2} />
          </clipPath>
        </defs>
        <Axis scale={xScale} orient="bottom" y={H - MARGIN.bottom} tickValues={xTicks} tickFormat={fmtStep} />
        <Axis scale={yScale} orient="left" x={MARGIN.left} ticks={5} tickFormat={fmtTick} gridSize={PLOT_W} />
        <text className="axis-label" x={MARGIN.left + PLOT_W / 2} y={H - 6} textAnchor="middle">
          gradient steps on the K points
        </text>
        <text
          className="axis-label axis-label-small"
          transform={`translate(14,${MARGIN.top + PLOT_H / 2}) rotate(-90)`}
          textAnchor="middle"
        >
          MSE
        </text>
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
        </g>
        {empty && (
          <text className="chart-empty" x={MARGIN.left + PLOT_W / 2} y={MARGIN.top + PLOT_H / 2} textAnchor="middle">
            {empty}
          </text>
        )}
      </svg>
    </figure>
  );
});

function cellValue(values: number[] | null | undefined, step: number, steps: number, divergedAt: number | null = null): string {
  if (!values || step > steps || step >= values.length) return '—';
  const v = values[step];
  if (!Number.isFinite(v) && divergedAt !== null && step >= divergedAt) return 'diverged';
  return formatLoss(v);
}

export function LossPanel() {
  const adaptation = usePlayground((s) => s.results.adaptation);
  const evaluation = usePlayground((s) => s.results.evaluation);
  const methods = usePlayground((s) => s.settings.methods);
  const steps = usePlayground((s) => s.settings.steps);
  const hasTask = usePlayground((s) => s.settings.task !== null);
  const hasPoints = usePlayground((s) => s.settings.points.length > 0);
  const evaluationFor = usePlayground((s) => s.results.evaluationFor);
  const kShot = usePlayground((s) => s.settings.kShot);
  const alpha = usePlayground((s) => s.settings.alpha);
  const stale = evaluationFor !== null && (evaluationFor.kShot !== kShot || evaluationFor.alpha !== alpha);

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
  const taskLabel = hasTask ? 'MSE vs true function (held-out)' : 'Support-set MSE (your points; no true function)';
  const taskEmpty =
    methods.length === 0
      ? 'no method shown'
      : taskData.length === 0
        ? 'adapting…'
        : !hasTask && !hasPoints
          ? 'add points to see a loss'
          : null;
  const avgEmpty = methods.length === 0 ? 'no method shown' : avgData.length === 0 ? 'evaluating…' : null;

  return (
    <section className="panel loss-panel" data-testid="loss-panel" aria-labelledby="loss-panel-title">
      <h2 id="loss-panel-title">Loss vs adaptation steps</h2>
      <div className="charts">
        <LossChart chart="task" series={taskData} steps={steps} title="Your task" yLabel={taskLabel} empty={taskEmpty} />
        <LossChart chart="average" series={avgData} steps={steps} title={avgTitle} yLabel="MSE on held-out points, mean ± 95% CI" empty={avgEmpty} />
      </div>
      {avgData.length === 0 && methods.length > 0 && (
        <p className="note" data-testid="evaluating-note">
          Evaluating on random test tasks…
        </p>
      )}
      {avgData.length > 0 && stale && (
        <p className="note" data-testid="evaluating-note">
          Updating the average for K = {kShot}, alpha = {alpha}… (shown: K = {evaluationFor?.kShot}, alpha = {evaluationFor?.alpha})
        </p>
      )}
      <div className="table-scroll">
        <table className="loss-table" data-testid="loss-table">
          <thead>
            <tr>
              <th rowSpan={2} scope="col" className="method-col">
                Method
              </th>
              <th colSpan={TABLE_STEPS.length} scope="colgroup">
                Your task
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
      </div>
    </section>
  );
}

export default LossPanel;

/**
 * Live meta-training: pick an algorithm and its hyper-parameters, start / pause / resume / reset, watch the
 * meta-loss fall; see which backend runs; download and upload checkpoints.
 */
import * as d3 from 'd3';
import { memo, useMemo, useState } from 'react';
import { ALGORITHM_IDS, ALGORITHM_INFO, isAlgorithmId, type AlgorithmId, type TrainSetting } from '../meta/contracts/algorithms';
import type { ProblemShape } from '../meta/contracts/config';
import { classesOf, isClassification, problemInfo } from '../meta/contracts/problems';
import { modelKey } from '../meta/contracts/checkpoint';
import { appliesTo, presetFor, usePlayground, viewShape, type LossPoint } from '../state/store';
import type { TrainState } from '../worker/protocol';
import { useSession } from '../session/context';
import { Axis } from './Axis';
import { NumberField } from './NumberField';
import { trainSetting } from '../state/schema';
import { formatDuration, METHOD_COLORS, methodLabel, methodLabelWithOrder } from './theme';
import { ExportMenu } from './ExportMenu';
import { formatPower, formatSmall, formatValue } from './format';
import { MethodName } from './MethodName';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

// ---- configuration ----
/** A training setting's field; its limits are the settings schema's (trainSetting), the link's own. */
interface FieldSpec {
  key: TrainSetting;
  label: string;
  title: string;
}

const FIELDS: Record<TrainSetting, Omit<FieldSpec, 'key'>> = {
  metaBatch: { label: 'Meta-batch (tasks)', title: 'Tasks per meta-update' },
  kSupport: { label: 'K support', title: 'Support points per training task' },
  kQuery: { label: 'K query', title: 'Query points per training task' },
  innerSteps: { label: 'Inner steps k', title: 'Gradient steps in the inner loop during training' },
  alpha: { label: 'Inner α', title: 'Inner-loop (adaptation) learning rate used in training' },
  lambda: { label: 'Proximal λ', title: 'iMAML: weight of λ/2 |φ − θ|² in the inner problem; larger keeps the Hessian system well conditioned' },
  cgSteps: { label: 'CG iterations', title: 'iMAML: conjugate-gradient iterations that solve (I + H/λ) g = ∇L_query' },
  metaLr: { label: 'Meta learning rate β', title: 'Adam step size of the outer (meta) update' },
  iterations: { label: 'Iterations', title: 'Meta-updates to run' },
  seed: { label: 'Seed', title: 'Random seed: same seed, same run' },
};

/** The form shows the settings the chosen algorithm uses, with labels in its own terms. */
function fieldsFor(id: AlgorithmId): FieldSpec[] {
  const info = ALGORITHM_INFO[id];
  return info.settings.map((key) => {
    const f = { key, ...FIELDS[key] };
    if (key === 'metaLr' && info.outer === 'reptile')
      return { ...f, label: 'Outer step ε', title: 'Reptile: theta moves this fraction of the way to the adapted weights, annealed linearly to 0' };
    if (key === 'alpha' && info.learnedRates) return { ...f, label: 'Initial inner α', title: 'Meta-SGD: every learned rate starts here' };
    return f;
  });
}

/** What a run meta-learns, in words: the problem the page shows. */
function problemText(train: ProblemShape): string {
  return problemInfo(train).describe(classesOf(train));
}

const TrainConfigForm = memo(function TrainConfigForm() {
  const train = usePlayground((s) => s.settings.train);
  const problem = usePlayground((s) => s.settings.problem);
  const setTrainConfig = usePlayground((s) => s.setTrainConfig);
  const setTrainAlgorithm = usePlayground((s) => s.setTrainAlgorithm);
  const applyLecturePreset = usePlayground((s) => s.applyLecturePreset);
  const preset = usePlayground((s) => presetFor(s.settings));
  return (
    <div className="train-config">
      <p className="field-wide" data-testid="train-problem">
        Trains on: <strong>{problemText(train)}</strong> <span className="muted">(the problem shown above)</span>
      </p>
      {preset && (
      <div className="field field-wide">
        <button type="button" data-testid="train-lecture-preset" title={preset.title} onClick={() => applyLecturePreset()}>
          {preset.label}
        </button>
      </div>
      )}
      <div className="field field-wide">
        <label htmlFor="train-algorithm">Algorithm</label>
        <select
          id="train-algorithm"
          data-testid="train-algorithm"
          value={train.algorithm}
          onChange={(e) => {
            const v = e.target.value;
            if (isAlgorithmId(v)) setTrainAlgorithm(v);
          }}
        >
          {ALGORITHM_IDS.filter((id) => appliesTo(id, problem)).map((id) => (
            <option key={id} value={id}>
              {methodLabelWithOrder(id)}
            </option>
          ))}
        </select>
      </div>
      <p className="muted algorithm-description" data-testid="train-description">
        {ALGORITHM_INFO[train.algorithm].description}
      </p>
      {fieldsFor(train.algorithm).map((f) => (
        <NumberField
          key={f.key}
          label={f.label}
          title={f.title}
          testId={`train-${f.key}`}
          value={train[f.key]}
          setting={trainSetting(f.key)}
          onCommit={(v) => setTrainConfig({ [f.key]: v })}
        />
      ))}
    </div>
  );
});

// ---- buttons and progress ----
const STATE_TEXT: Record<TrainState | 'starting', string> = {
  starting: 'starting the trainer…',
  idle: 'not training',
  running: 'training…',
  paused: 'paused',
  done: 'finished',
  diverged: 'stopped: the meta-loss diverged (see the notice above); the last good parameters are kept',
};

/** Per-algorithm diagnostics that come with the progress (MetaTrainer's stats), shown when present. */
const DIAGNOSTICS = [
  {
    key: 'cgResidual',
    label: 'CG residual',
    testId: 'train-cg-residual',
    title: "Relative residual |b − Ax| / |b| of iMAML's conjugate-gradient solve, mean over the meta-batch",
    format: formatSmall,
  },
  {
    key: 'innerGradNorm',
    label: 'Inner gradient',
    testId: 'train-inner-grad',
    title: "Norm of the proximal inner objective's gradient after the inner steps, mean over the meta-batch: 0 at the optimum the implicit gradient assumes",
    format: formatSmall,
  },
  {
    key: 'outerStepSize',
    label: 'Outer step ε',
    testId: 'train-outer-step',
    title: "Reptile's outer step, annealed linearly to 0",
    format: (v: number) => formatValue(v, 4),
  },
];

const TrainControls = memo(function TrainControls() {
  const { startTraining, pauseTraining, resumeTraining, resetTraining } = useSession();
  const trainState = usePlayground((s) => s.status.trainState);
  // Start pressed, no answer from the worker yet: shown at once, and Start and Pause wait for the answer.
  const starting = usePlayground((s) => s.status.trainStarting);
  const shownState = starting ? 'starting' : trainState;
  const trainMethod = usePlayground((s) => s.status.trainMethod);
  const progress = usePlayground((s) => s.status.progress);
  const configuredIterations = usePlayground((s) => s.settings.train.iterations);
  const algorithm = usePlayground((s) => s.settings.train.algorithm);
  const trainable = ALGORITHM_INFO[algorithm].outer !== 'none';

  const iteration = progress?.iteration ?? 0;
  const iterations = progress?.iterations ?? configuredIterations;
  const running = trainState === 'running';
  const rate = progress && trainState !== 'idle' ? `${progress.itersPerSec.toFixed(1)} it/s` : '—';
  const eta = starting
    ? 'estimating…'
    : running
      ? progress && Number.isFinite(progress.etaSeconds)
        ? formatDuration(progress.etaSeconds)
        : 'estimating…'
      : trainState === 'done'
        ? 'done'
        : '—';

  return (
    <div className="train-controls">
      <div className="buttons">
        <button
          type="button"
          data-testid="train-start"
          className="primary"
          disabled={running || starting || !trainable}
          title={trainable ? undefined : 'Nothing to meta-train: this baseline is a random initialisation'}
          onClick={() => startTraining()}
        >
          Start
        </button>
        <button type="button" data-testid="train-pause" disabled={!running || starting} onClick={() => pauseTraining()}>
          Pause
        </button>
        <button type="button" data-testid="train-resume" disabled={trainState !== 'paused' || starting} onClick={() => resumeTraining()}>
          Resume
        </button>
        <button type="button" data-testid="train-reset" disabled={trainState === 'idle'} onClick={() => resetTraining()}>
          Reset
        </button>
      </div>
      <div className="progress-row">
        <progress data-testid="train-progress" max={Math.max(1, iterations)} value={Math.min(iteration, iterations)} />
        <span data-testid="train-iteration" className="mono">
          {iteration} / {iterations}
        </span>
      </div>
      <dl className="stats">
        <div>
          <dt>State</dt>
          <dd>
            <span data-testid="train-state" className={`state state-${shownState}`}>
              {shownState}
            </span>
            {trainMethod && shownState !== 'idle' && <span className="muted"> ({methodLabel(trainMethod)})</span>}
            <span className="muted state-text"> — {STATE_TEXT[shownState]}</span>
          </dd>
        </div>
        <div>
          <dt>Speed</dt>
          <dd data-testid="train-rate" className="mono">
            {rate}
          </dd>
        </div>
        <div>
          <dt title="Which implementation trains: for MAML and first-order MAML the typed-array path (no tfjs) or, on WebGPU where a probe finds them faster, the fused WebGPU kernels; TF.js on the running backend for the others">
            Engine
          </dt>
          <dd data-testid="train-path" className="mono" title={progress?.pathNote ?? undefined}>
            {progress && trainState !== 'idle' ? progress.path : '—'}
          </dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd data-testid="train-eta" className="mono">
            {eta}
          </dd>
        </div>
        {progress &&
          DIAGNOSTICS.filter((d) => progress.stats[d.key] !== undefined).map((d) => (
            <div key={d.key}>
              <dt title={d.title}>{d.label}</dt>
              <dd data-testid={d.testId} className="mono">
                {d.format(progress.stats[d.key])}
              </dd>
            </div>
          ))}
      </dl>
      {!trainable && (
        <p className="muted" data-testid="train-not-trainable">
          {methodLabel(algorithm)} has nothing to meta-train: it is a random initialisation, fine-tuned at test time like the others.
        </p>
      )}
    </div>
  );
});

// ---- meta-loss chart ----
const W = 560;
const H = 200;
const MARGIN = { top: 10, right: 14, bottom: 38, left: 60 };
const PLOT_W = W - MARGIN.left - MARGIN.right;
const PLOT_H = H - MARGIN.top - MARGIN.bottom;
const fmtIter = d3.format('~s');
const fmtPlain = d3.format('~g');
const fmtLoss = (d: d3.NumberValue) => {
  const v = d.valueOf();
  return v >= 1e-3 && v <= 1e4 ? fmtPlain(v) : formatPower(v, 1);
};

/** Powers of ten when there are enough of them, else the 1-2-5 ticks: a readable log axis. */
function logTicks(all: number[]): number[] {
  const lead = (t: number) => Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9));
  const decades = all.filter((t) => lead(t) === 1);
  if (decades.length >= 3) return decades;
  return all.filter((t) => [1, 2, 5].includes(lead(t)));
}

function finitePositive(p: LossPoint) {
  return Number.isFinite(p.loss) && p.loss > 0;
}

const MetaLossChart = memo(function MetaLossChart() {
  const history = usePlayground((s) => s.status.lossHistory);
  const total = usePlayground((s) => s.status.progress?.iterations ?? s.settings.train.iterations);
  const method = usePlayground((s) => s.status.trainMethod);
  const classifier = usePlayground((s) => isClassification(s.settings.train));

  const lastIter = history.length ? history[history.length - 1].iteration : 0;
  const xMax = Math.max(1, total, lastIter);
  const [lo, hi] = useMemo(() => {
    const ok = history.filter(finitePositive).map((p) => p.loss);
    if (ok.length === 0) return [0.01, 10];
    let a = d3.min(ok) ?? 0.01;
    let b = d3.max(ok) ?? 10;
    if (b / a < 10) {
      // At least a decade, so the axis has ticks and a flat loss is drawn flat.
      const mid = Math.sqrt(a * b);
      a = mid / Math.sqrt(10);
      b = mid * Math.sqrt(10);
    }
    return [a, b];
  }, [history]);

  const xScale = useMemo(() => d3.scaleLinear().domain([0, xMax]).range([MARGIN.left, W - MARGIN.right]), [xMax]);
  const yScale = useMemo(() => d3.scaleLog().domain([lo, hi]).nice().range([H - MARGIN.bottom, MARGIN.top]), [lo, hi]);
  const d = useMemo(
    () =>
      d3
        .line<LossPoint>()
        .defined(finitePositive)
        .x((p) => xScale(p.iteration))
        .y((p) => yScale(p.loss))(history) ?? '',
    [history, xScale, yScale],
  );
  const yTicks = useMemo(() => logTicks(yScale.ticks()), [yScale]);

  return (
    <figure className="chart meta-loss-chart">
      <figcaption>
        <span className="chart-title">Meta-loss during training</span>
        <span className="chart-ylabel">query-set {classifier ? 'cross-entropy' : 'MSE'} after adaptation, mean over the meta-batch (log scale)</span>
      </figcaption>
      <svg className="plot" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Meta-loss against training iteration, log scale">
        <defs>
          <clipPath id="meta-loss-clip">
            <rect x={MARGIN.left} y={MARGIN.top - 2} width={PLOT_W + 2} height={PLOT_H + 4} />
          </clipPath>
        </defs>
        <Axis scale={xScale} orient="bottom" y={H - MARGIN.bottom} ticks={6} tickFormat={fmtIter} />
        <Axis scale={yScale} orient="left" x={MARGIN.left} tickValues={yTicks} tickFormat={fmtLoss} gridSize={PLOT_W} />
        <text className="axis-label" x={MARGIN.left + PLOT_W / 2} y={H - 4} textAnchor="middle">
          iteration
        </text>
        <text className="axis-label" transform={`translate(14,${MARGIN.top + PLOT_H / 2}) rotate(-90)`} textAnchor="middle">
          meta-loss
        </text>
        <g clipPath="url(#meta-loss-clip)">
          <path
            className="meta-loss"
            d={d}
            fill="none"
            stroke={method ? METHOD_COLORS[method] : '#333'}
            strokeWidth={2}
          />
        </g>
        {history.length === 0 && (
          <text className="chart-empty" x={MARGIN.left + PLOT_W / 2} y={MARGIN.top + PLOT_H / 2} textAnchor="middle">
            press Start to meta-train live
          </text>
        )}
      </svg>
    </figure>
  );
});

// ---- engine and checkpoints ----
const BackendInfo = memo(function BackendInfo() {
  const backend = usePlayground((s) => s.status.backend);
  const backendAdapter = usePlayground((s) => s.status.backendAdapter);
  const worker = usePlayground((s) => s.status.worker);
  const fallbacks = usePlayground((s) => s.status.fallbacks);
  const adaptPath = usePlayground((s) => s.status.adaptPath);
  const adaptMs = usePlayground((s) => s.status.adaptMs);
  const adaptPathNote = usePlayground((s) => s.status.adaptPathNote);
  return (
    <div className="backend-info">
      <p>
        Running on: <b data-testid="backend-name">{backend ? (backendAdapter ? `${backend} (${backendAdapter})` : backend) : worker === 'failed' ? 'unavailable' : 'starting…'}</b>
        {worker !== 'ready' && (
          <span className="muted" data-testid="worker-state">
            {' '}
            (engine {worker})
          </span>
        )}
      </p>
      {adaptPath && (
        <p className="muted">
          Curves for your points computed on: <b data-testid="adapt-path">{adaptPath}</b>
          {adaptMs !== null && <span data-testid="adapt-ms"> in {adaptMs.toFixed(1)} ms</span>}
          {adaptPathNote && <span data-testid="adapt-path-note"> ({adaptPathNote})</span>}
        </p>
      )}
      {fallbacks.length > 0 && (
        <div className="fallbacks">
          <span className="muted">Skipped backends:</span>
          <ul data-testid="backend-fallbacks">
            {fallbacks.map((f, i) => (
              <li key={`${i}-${f}`}>{f}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
});

const Checkpoints = memo(function Checkpoints() {
  const { downloadCheckpoint, uploadCheckpoint, discardSavedModels } = useSession();
  const sources = usePlayground((s) => s.status.sources);
  const problem = usePlayground((s) => s.settings.problem);
  const shape = usePlayground((s) => viewShape(s.settings).classes);
  const savedCount = usePlayground((s) => Object.keys(s.status.saved).length);
  const training = usePlayground((s) => s.status.trainState === 'running' || s.status.trainState === 'paused' || s.status.trainState === 'diverged');
  const [busy, setBusy] = useState<AlgorithmId | 'upload' | 'discard' | null>(null);

  const discard = () => {
    setBusy('discard');
    discardSavedModels()
      .catch((e: unknown) => usePlayground.getState().notify('error', `Could not discard the saved models: ${errorText(e)}`))
      .finally(() => setBusy(null));
  };

  const download = (id: AlgorithmId) => {
    setBusy(id);
    downloadCheckpoint(id)
      .catch((e: unknown) => usePlayground.getState().notify('error', `Could not download the ${methodLabel(id)} checkpoint: ${errorText(e)}`))
      .finally(() => setBusy(null));
  };

  const upload = (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setBusy('upload');
    uploadCheckpoint(file)
      .catch((e: unknown) => usePlayground.getState().notify('error', `Checkpoint ${file.name} was not loaded: ${errorText(e)}`))
      .finally(() => {
        setBusy(null);
        // The same file can be chosen again.
        input.value = '';
      });
  };

  return (
    <div className="checkpoints">
      <h3>Checkpoints</h3>
      <table className="checkpoint-table">
        <tbody>
          {ALGORITHM_IDS.filter((id) => appliesTo(id, problem)).map((id) => (
            <tr key={id} data-method={id}>
              <th scope="row">
                <MethodName id={id} />
              </th>
              <td className="source" data-testid={`source-${id}`}>
                {sources[modelKey(id, { problem, classes: shape })] ?? 'loading…'}
              </td>
              <td>
                <button
                  type="button"
                  data-testid={`download-${id}`}
                  disabled={busy === id}
                  onClick={() => download(id)}
                  aria-label={`Download ${methodLabel(id)} as a JSON checkpoint`}
                >
                  Download
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <label className="upload">
        Load a checkpoint file (.ckpt as shipped, or .json; it names its algorithm):{' '}
        <input
          type="file"
          accept=".ckpt,.json,application/json,application/octet-stream"
          data-testid="checkpoint-upload"
          disabled={busy === 'upload'}
          onChange={(e) => upload(e.currentTarget)}
        />
      </label>
      <p className="muted" data-testid="checkpoint-formats">
        Download saves JSON (readable by other tools); the shipped files are the compact binary .ckpt form (a JSON
        header and float32 values, about 3x smaller). Both load here.
      </p>
      {savedCount > 0 && (
        <p className="saved-models" data-testid="saved-models">
          <span className="muted">
            {savedCount === 1 ? 'One model trained or loaded here is' : `${savedCount} models trained or loaded here are`} kept in this browser and come back after a reload.
          </span>{' '}
          <button
            type="button"
            data-testid="discard-saved"
            disabled={busy === 'discard' || training}
            title={training ? 'Reset the training first' : 'Forget them and use the shipped checkpoints again'}
            onClick={discard}
          >
            Discard saved models
          </button>
        </p>
      )}
    </div>
  );
});

export function TrainingPanel() {
  return (
    <section className="panel training-panel" data-testid="training-panel" aria-labelledby="training-panel-title">
      <div className="panel-head">
        <h2 id="training-panel-title">Meta-train live</h2>
        <ExportMenu panel="training" />
      </div>
      <div className="training-grid">
        <div className="training-left">
          <TrainConfigForm />
          <TrainControls />
        </div>
        <div className="training-right">
          <MetaLossChart />
          <BackendInfo />
          <Checkpoints />
        </div>
      </div>
    </section>
  );
}

export default TrainingPanel;

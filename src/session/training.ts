/**
 * Live meta-training: the commands of the Training panel, and what the worker reports while it trains
 * (progress, state changes) written to the store, with the curves following the trained model.
 */
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { modelKey, type ModelKey } from '../meta/contracts/checkpoint';
import type { Provenance } from '../meta/contracts/provenance';
import { viewShape } from '../state/store';
import type { WorkerResponse } from '../worker/protocol';
import type { Adaptation } from './adaptation';
import { etaEstimator } from './eta';
import type { SessionCore } from './shared';

export interface Training {
  /** Trains the algorithm and settings of the form (settings.train) from the model's current parameters. */
  start(): void;
  pause(): void;
  resume(): void;
  /** Discards the run: the model has the parameters it had before (the worker's snapshot says so). */
  reset(): void;
  onProgress(msg: Extract<WorkerResponse, { type: 'progress' }>): void;
  onTrainState(msg: Extract<WorkerResponse, { type: 'trainState' }>): void;
}

export function createTraining(core: SessionCore, adaptation: Pick<Adaptation, 'followTraining' | 'refreshAll'>): Training {
  const { store } = core;
  /**
   * What each trained model's provenance (and label) was before training wrote its progress there: shown again
   * after a reset, until the worker's snapshot of the model confirms it.
   */
  const beforeTraining = new Map<ModelKey, { provenance?: Provenance; source: string }>();
  /** Whether a method's model is one the page shows (a classifier of another problem needs no redraw). */
  const shown = (method: AlgorithmId, key: ModelKey) => key === modelKey(method, viewShape(store.getState().settings));
  /** The shown speed and ETA, smoothed over the run's reports (eta.ts). */
  const eta = etaEstimator();

  return {
    start() {
      const client = core.client();
      if (!client) return;
      const st = store.getState();
      const { train } = st.settings;
      const key = modelKey(train.algorithm, train);
      if (st.status.trainState === 'idle' || !beforeTraining.has(key))
        beforeTraining.set(key, { provenance: st.status.provenance[key], source: st.status.sources[key] ?? '' });
      // The state changes the instant Start is pressed: "starting" until the worker answers (issue 14).
      st.setStatus({ lossHistory: [], progress: null, trainMethod: train.algorithm, trainStarting: true });
      eta.reset();
      client.post({ type: 'train', config: { ...train } });
    },
    pause: () => core.client()?.post({ type: 'pause' }),
    resume() {
      const client = core.client();
      if (!client) return;
      store.getState().setStatus({ trainStarting: true });
      client.post({ type: 'resume' });
    },
    reset: () => core.client()?.post({ type: 'reset' }),

    onProgress(msg) {
      const st = store.getState();
      const smooth = eta.update(core.now() / 1000, msg.iteration, msg.iterations);
      st.pushProgress({ ...msg, itersPerSec: smooth.rate ?? msg.itersPerSec, etaSeconds: smooth.eta ?? Number.NaN });
      st.setProvenance(msg.model, { kind: 'trained', iterations: msg.iteration, planned: msg.iterations });
      if (shown(msg.method, msg.model)) adaptation.followTraining();
    },

    onTrainState(msg) {
      const st = store.getState();
      st.setStatus({ trainState: msg.state, trainMethod: msg.method, trainStarting: false });
      // A run (re)starts: its speed is measured from here, not across the pause.
      if (msg.state === 'running') eta.reset();
      if (msg.message) st.notify(msg.state === 'diverged' ? 'error' : 'info', msg.message);
      if (msg.state === 'idle' && msg.model) {
        const before = beforeTraining.get(msg.model);
        if (before?.provenance) st.setProvenance(msg.model, before.provenance);
        else if (before?.source) st.setSource(msg.model, before.source);
      }
      if (msg.state !== 'running') adaptation.refreshAll();
    },
  };
}

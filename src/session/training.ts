/**
 * Live meta-training: the commands of the Training panel, and what the worker reports while it trains
 * (progress, state changes) written to the store, with the curves following the trained model.
 */
import type { AlgorithmId } from '../meta/contracts/algorithms';
import { modelKey, type ModelKey } from '../meta/contracts/checkpoint';
import { viewShape } from '../state/store';
import type { WorkerResponse } from '../worker/protocol';
import type { Adaptation } from './adaptation';
import type { SessionCore } from './shared';

export interface Training {
  /** Trains the algorithm and settings of the form (settings.train) from the model's current parameters. */
  start(): void;
  pause(): void;
  resume(): void;
  /** Stops training; the model keeps the parameters it reached. */
  reset(): void;
  onProgress(msg: Extract<WorkerResponse, { type: 'progress' }>): void;
  onTrainState(msg: Extract<WorkerResponse, { type: 'trainState' }>): void;
}

export function createTraining(core: SessionCore, adaptation: Pick<Adaptation, 'followTraining' | 'refreshAll'>): Training {
  const { store } = core;
  /** What each trained model's source said before training wrote its progress there: shown again after a reset. */
  const sourceBeforeTraining = new Map<ModelKey, string>();
  /** Whether a method's model is one the page shows (a classifier of another problem needs no redraw). */
  const shown = (method: AlgorithmId, key: ModelKey) => key === modelKey(method, viewShape(store.getState().settings));

  return {
    start() {
      const client = core.client();
      if (!client) return;
      const st = store.getState();
      const { train } = st.settings;
      const key = modelKey(train.algorithm, train);
      const current = st.status.sources[key];
      if (st.status.trainState === 'idle' || !sourceBeforeTraining.has(key)) sourceBeforeTraining.set(key, current ?? '');
      st.setStatus({ lossHistory: [], progress: null, trainMethod: train.algorithm });
      client.post({ type: 'train', config: { ...train } });
    },
    pause: () => core.client()?.post({ type: 'pause' }),
    resume: () => core.client()?.post({ type: 'resume' }),
    reset: () => core.client()?.post({ type: 'reset' }),

    onProgress(msg) {
      const st = store.getState();
      st.pushProgress(msg);
      st.setSource(msg.model, `trained in this page: iteration ${msg.iteration} of ${msg.iterations}`);
      if (shown(msg.method, msg.model)) adaptation.followTraining();
    },

    onTrainState(msg) {
      const st = store.getState();
      st.setStatus({ trainState: msg.state, trainMethod: msg.method });
      if (msg.message) st.notify(msg.state === 'diverged' ? 'error' : 'info', msg.message);
      if (msg.state === 'idle' && msg.model) {
        const before = sourceBeforeTraining.get(msg.model);
        if (before) st.setSource(msg.model, before);
      }
      if (msg.state !== 'running') adaptation.refreshAll();
    },
  };
}

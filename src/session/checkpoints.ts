/**
 * The models' parameters in and out of the worker: the shipped checkpoints (the sinusoid's at start-up, a
 * classification problem's the first time it is shown), a file the user uploads, and the current parameters
 * of a model as a file to download.
 */
import { ALGORITHM_IDS, ALGORITHM_INFO, type AlgorithmId } from '../meta/contracts/algorithms';
import {
  CHECKPOINT_INDEX,
  checkpointFolder,
  checkpointModelKey,
  CheckpointError,
  MAX_CHECKPOINT_BYTES,
  modelKey,
  parseCheckpoint,
  parseCheckpointIndex,
  type Checkpoint,
  type ModelKey,
} from '../meta/contracts/checkpoint';
import type { ProblemShape } from '../meta/contracts/config';
import type { ClassEvalCurve } from '../meta/contracts/types';
import { appliesTo, viewShape } from '../state/store';
import type { EngineClient } from '../worker/client';
import type { SessionCore } from './shared';

/** A file to download: its name and its text. */
export interface FileOut {
  name: string;
  text: string;
}

export interface Checkpoints {
  /** Whether the sinusoid's shipped checkpoints have loaded (or failed to): until then no curves are asked for. */
  settled(): boolean;
  /** Loads the sinusoid's shipped checkpoints into the worker, then refreshes the curves. */
  loadShipped(): Promise<void>;
  /**
   * Loads a classification problem's shipped checkpoints the first time it is shown (they are larger than the
   * sinusoid's, and most visits never open them). A method without a shipped file starts from random weights
   * and says so (the Training panel trains it live); a shipped file that is broken is named in a notice.
   */
  ensureClassifiers(shape: ProblemShape): Promise<void>;
  /** Loads a checkpoint file into its model; a file that is not one leaves every model as it was, with a notice. */
  upload(file: Pick<File, 'name' | 'text'> & { size?: number }): Promise<void>;
  /** A model's current parameters (the method's model for the problem shown) as a checkpoint file. */
  download(method: AlgorithmId): Promise<FileOut | null>;
}

/** Where a shipped checkpoint's parameters came from, as the checkpoint tables say it. */
function shippedSource(ckpt: Checkpoint): string {
  return ALGORITHM_INFO[ckpt.algorithm].outer === 'none'
    ? `shipped checkpoint (random initialisation, seed ${ckpt.training.seed})`
    : `shipped checkpoint (${ckpt.training.iterations} iterations)`;
}

/** `refresh` asks for every curve again (after the models changed). */
export function createCheckpoints(core: SessionCore, refresh: () => void): Checkpoints {
  const { store } = core;
  let settled = false;
  const classifierLoads = new Map<string, Promise<void>>();

  /** Fetches a shipped file, checks it is the model it should be, and loads it into the worker. */
  async function loadFile(client: EngineClient, folder: string, id: AlgorithmId, key: ModelKey): Promise<Checkpoint> {
    const res = await core.fetch(`${core.checkpointsUrl}${folder}${id}.json`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const ckpt = parseCheckpoint(await res.text());
    if (checkpointModelKey(ckpt) !== key) throw new CheckpointError(`it holds ${checkpointModelKey(ckpt)}, not ${key}`);
    await client.load(ckpt, shippedSource(ckpt));
    return ckpt;
  }

  /**
   * The algorithms a classification folder ships, from its index (written by npm run pretrain). A folder with no
   * index ships none: a single-page-app server answers a missing file with the app's index.html, so a file that
   * is not JSON counts as missing; an index that is JSON but wrong is an error.
   */
  async function shippedIn(folder: string): Promise<AlgorithmId[]> {
    const res = await core.fetch(`${core.checkpointsUrl}${folder}${CHECKPOINT_INDEX}`);
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return [];
    return parseCheckpointIndex(await res.text()).checkpoints;
  }

  function loadClassifiers(client: EngineClient, shape: ProblemShape, folder: string): Promise<void> {
    const untrained = 'random initialisation (no checkpoint shipped); train it below';
    // Models the user already gave this problem (an uploaded checkpoint) are theirs: not replaced.
    const ids = ALGORITHM_IDS.filter((id) => appliesTo(id, shape.problem ?? 'sinusoid') && !store.getState().status.sources[modelKey(id, shape)]);
    for (const id of ids) store.getState().setSource(modelKey(id, shape), untrained);
    return shippedIn(folder)
      .catch((e: Error) => {
        store.getState().notify('warning', `${folder}${CHECKPOINT_INDEX} could not be read (${e.message}); every method of this problem starts from a random initialisation.`);
        return [] as AlgorithmId[];
      })
      .then((shipped) =>
        Promise.all(
          shipped.filter((id) => ids.includes(id)).map(async (id) => {
            const key = modelKey(id, shape);
            try {
              const ckpt = await loadFile(client, folder, id, key);
              store.getState().setSource(key, shippedSource(ckpt));
              if (ckpt.evaluation) store.getState().setClassShipped(key, ckpt.evaluation as ClassEvalCurve[]);
            } catch (e) {
              store.getState().notify('warning', `The shipped checkpoint ${folder}${id}.json could not be loaded (${(e as Error).message}); ${ALGORITHM_INFO[id].label} starts from a random initialisation.`);
            }
          }),
        ),
      )
      .then(() => undefined);
  }

  return {
    settled: () => settled,

    async loadShipped() {
      const client = core.client();
      if (!client) return;
      await Promise.all(
        ALGORITHM_IDS.map(async (id) => {
          try {
            const ckpt = await loadFile(client, checkpointFolder({}), id, modelKey(id));
            store.getState().setSource(id, shippedSource(ckpt));
            const { reproduction } = store.getState();
            if (ckpt.evaluation) store.getState().setReproduction({ shipped: { ...reproduction.shipped, [id]: ckpt.evaluation } });
          } catch (e) {
            store.getState().setSource(id, 'random initialisation (no checkpoint)');
            store.getState().notify('warning', `The shipped checkpoint for ${ALGORITHM_INFO[id].label} could not be loaded (${(e as Error).message}); it starts from a random initialisation.`);
          }
        }),
      );
      settled = true;
      refresh();
    },

    ensureClassifiers(shape) {
      const folder = checkpointFolder(shape);
      let loading = classifierLoads.get(folder);
      const client = core.client();
      if (!loading && client) {
        loading = loadClassifiers(client, shape, folder);
        classifierLoads.set(folder, loading);
      }
      return loading ?? Promise.resolve();
    },

    async upload(file) {
      const st = store.getState();
      try {
        // Refused before it is read: a padded file must not fill the page's memory.
        if (file.size !== undefined && file.size > MAX_CHECKPOINT_BYTES)
          throw new CheckpointError(`The file is ${(file.size / 2 ** 20).toFixed(1)} MB; a checkpoint is at most ${MAX_CHECKPOINT_BYTES / 2 ** 20} MB.`);
        const ckpt = parseCheckpoint(await file.text());
        const client = core.client();
        if (!client) throw new Error('the engine is not running');
        await client.load(ckpt, `uploaded file ${file.name}`);
        st.setSource(checkpointModelKey(ckpt), `uploaded file ${file.name}`);
        st.notify('info', `Loaded ${file.name} into ${ALGORITHM_INFO[ckpt.algorithm].label}.`);
        refresh();
      } catch (e) {
        st.notify('error', `Checkpoint ${file.name} was not loaded: ${(e as Error).message} The current model is unchanged.`);
      }
    },

    async download(method) {
      const client = core.client();
      if (!client) return null;
      const key = modelKey(method, viewShape(store.getState().settings));
      const msg = await client.request<'snapshot'>({ type: 'export', method, model: key });
      return { name: `${key.replace('/', '-')}-checkpoint.json`, text: JSON.stringify(msg.checkpoint) };
    },
  };
}

/**
 * The models' parameters in and out of the worker: the shipped checkpoints (the sinusoid's at start-up, a
 * classification problem's the first time it is shown), a file the user uploads, the current parameters of a
 * model as a file to download, and the models this browser keeps across reloads (persistence.ts). Every model's
 * provenance (where its current parameters came from) is written to the store from what the worker says.
 */
import { ALGORITHM_IDS, ALGORITHM_INFO, type AlgorithmId } from '../meta/contracts/algorithms';
import {
  CHECKPOINT_INDEX,
  checkpointFolder,
  checkpointModelKey,
  CheckpointError,
  MAX_CHECKPOINT_BYTES,
  modelKey,
  parseCheckpointIndex,
  parseModelKey,
  validateCheckpoint,
  type Checkpoint,
  type ModelKey,
} from '../meta/contracts/checkpoint';
import { BINARY_CHECKPOINT_EXT, readCheckpointFile } from '../meta/contracts/checkpoint-binary';
import type { ProblemShape } from '../meta/contracts/config';
import { isUserModel, provenanceLabel, type Provenance } from '../meta/contracts/provenance';
import type { ClassEvalCurve } from '../meta/contracts/types';
import { appliesTo, viewShape } from '../state/store';
import type { EngineClient } from '../worker/client';
import { ModelKeeper, type ModelShelf } from './persistence';
import { mark, type SessionCore } from './shared';

/**
 * A checkpoint file the user gives: binary (.ckpt, the form the app ships) or JSON (older files, other tools);
 * its bytes (a browser File's arrayBuffer) decide which, text alone is read as JSON.
 */
export type CheckpointFileIn = Pick<File, 'name'> & { size?: number } & ({ arrayBuffer(): Promise<ArrayBuffer> } | { text(): Promise<string> });

/** A file to download: its name and its text. */
export interface FileOut {
  name: string;
  text: string;
}

export interface Checkpoints {
  /** Whether the sinusoid's shipped checkpoints have loaded (or failed to): until then no curves are asked for. */
  settled(): boolean;
  /**
   * Starts fetching and reading the sinusoid's shipped checkpoints while the engine worker starts (issue 17,
   * target 4: the two overlap); loadShipped then uses them.
   */
  prefetch(): void;
  /** Loads the sinusoid's shipped checkpoints into the worker, then refreshes the curves. */
  loadShipped(): Promise<void>;
  /**
   * Loads a classification problem's shipped checkpoints the first time it is shown (they are larger than the
   * sinusoid's, and most visits never open them). A method without a shipped file starts from random weights
   * and says so (the Training panel trains it live); a shipped file that is broken is named in a notice.
   */
  ensureClassifiers(shape: ProblemShape): Promise<void>;
  /** Loads a checkpoint file into its model; a file that is not one leaves every model as it was, with a notice. */
  upload(file: CheckpointFileIn): Promise<void>;
  /** A model's current parameters (the method's model for the problem shown) as a checkpoint file, provenance included. */
  download(method: AlgorithmId): Promise<FileOut | null>;
  /** A model's current parameters changed in the worker (its snapshot): its provenance, and what this browser keeps. */
  onSnapshot(checkpoint: Checkpoint): void;
  /** A restarted worker got the client's latest parameters back: the store's provenance follows them. */
  onRestart(): void;
  /** Forgets the models this browser keeps, and brings the shipped ones back in their place. */
  discardSaved(): Promise<void>;
}

/** Where a shipped checkpoint's parameters came from: the file, and its run as the checkpoint tables say it. */
export function shippedProvenance(ckpt: Checkpoint, file: string): Provenance {
  const untrained = ALGORITHM_INFO[ckpt.algorithm].outer === 'none';
  return { kind: 'shipped', file, iterations: ckpt.training.iterations, seed: ckpt.training.seed, ...(untrained ? { untrained } : {}) };
}

/** While a run trains a model, its snapshots are kept at most this often (each is the whole checkpoint). */
export const SAVE_RUNNING_MS = 10_000;

/**
 * `refresh` asks for every curve again (after the models changed); `shelf` keeps the user's models across
 * reloads (null: none are kept).
 */
export function createCheckpoints(core: SessionCore, refresh: () => void, shelf: ModelShelf | null = null): Checkpoints {
  const { store } = core;
  let settled = false;
  const classifierLoads = new Map<string, Promise<void>>();
  const keeper = shelf
    ? new ModelKeeper(shelf, {
        onKept: (key, kept) => store.getState().setSaved(key, kept),
        onError: (key, e) =>
          store.getState().notify('warning', `This browser could not keep the model ${key} for later (${e.message}); it stays in use until the page is closed. Download it to keep it.`),
      })
    : null;
  /** When each model's snapshot was last kept (a running training's are thinned out). */
  const lastKept = new Map<ModelKey, number>();

  /** A shipped file fetched and read (not yet loaded anywhere). */
  async function fetchFile(file: string): Promise<Checkpoint> {
    const res = await core.fetch(`${core.checkpointsUrl}${file}`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return readCheckpointFile(await res.arrayBuffer());
  }

  /** Files fetched ahead (prefetch), each used once. */
  const prefetched = new Map<string, Promise<Checkpoint>>();
  function takePrefetched(file: string): Promise<Checkpoint> | undefined {
    const p = prefetched.get(file);
    prefetched.delete(file);
    return p;
  }

  /**
   * Fetches a shipped file, checks it is the model it should be, and loads it into the worker with its
   * provenance (which the store then shows).
   */
  async function loadFile(client: EngineClient, folder: string, id: AlgorithmId, key: ModelKey): Promise<Checkpoint> {
    const file = `${folder}${id}${BINARY_CHECKPOINT_EXT}`;
    const ckpt = await (takePrefetched(file) ?? fetchFile(file));
    if (checkpointModelKey(ckpt) !== key) throw new CheckpointError(`it holds ${checkpointModelKey(ckpt)}, not ${key}`);
    const provenance = shippedProvenance(ckpt, file);
    await client.load({ ...ckpt, provenance }, provenanceLabel(provenance));
    store.getState().setProvenance(key, provenance);
    return ckpt;
  }

  /** The models kept in this browser, loaded over the shipped ones (the user's win), each labelled as kept. */
  async function restoreSaved(client: EngineClient): Promise<void> {
    if (!shelf) return;
    let records: unknown[];
    try {
      records = await shelf.list();
    } catch (e) {
      store.getState().notify('warning', `The models this browser keeps could not be read (${(e as Error).message}); the shipped ones are used.`);
      return;
    }
    const back: string[] = [];
    for (const record of records) {
      const key = typeof record === 'object' && record !== null && typeof (record as { key?: unknown }).key === 'string' ? (record as { key: string }).key : null;
      try {
        const ckpt = validateCheckpoint((record as { checkpoint?: unknown } | null)?.checkpoint);
        const provenance = ckpt.provenance;
        if (!provenance || !isUserModel(provenance)) throw new CheckpointError('it does not say it was trained or loaded here');
        if (checkpointModelKey(ckpt) !== key) throw new CheckpointError(`it holds ${checkpointModelKey(ckpt)}, not ${key}`);
        await client.load(ckpt, provenanceLabel(provenance, { saved: true }));
        store.getState().setSaved(key, true);
        store.getState().setProvenance(key, provenance);
        back.push(`${key} (${provenanceLabel(provenance)})`);
      } catch (e) {
        store.getState().notify('warning', `A model this browser kept (${key ?? 'unnamed'}) could not be loaded (${(e as Error).message}) and was dropped.`);
        if (key) keeper?.remove(key);
      }
    }
    if (back.length)
      store.getState().notify(
        'info',
        `Back from this browser's storage: ${back.join('; ')}. "Discard saved models" in the Training panel brings back the shipped ones.`
      );
  }

  /**
   * A model back to what ships with the app: its shipped checkpoint where there is one, else the worker's random
   * initialisation.
   */
  async function backToShipped(client: EngineClient, key: ModelKey): Promise<void> {
    const named = parseModelKey(key);
    if (!named) return;
    const folder = checkpointFolder(named.problem);
    const regression = named.problem.problem === undefined;
    try {
      const shipped = regression || (await shippedIn(folder)).includes(named.algorithm);
      if (shipped) {
        await loadFile(client, folder, named.algorithm, key);
        return;
      }
    } catch {
      // no shipped file after all: a random initialisation below
    }
    await client.request<'snapshot'>({ type: 'forget', model: key });
    store.getState().setProvenance(key, { kind: 'random', reason: regression ? 'no checkpoint' : 'none shipped' });
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
    // Models the user already gave this problem (an uploaded checkpoint, one kept in this browser) are theirs: not replaced.
    const ids = ALGORITHM_IDS.filter((id) => appliesTo(id, shape.problem ?? 'sinusoid') && !store.getState().status.sources[modelKey(id, shape)]);
    for (const id of ids) store.getState().setProvenance(modelKey(id, shape), { kind: 'random', reason: 'none shipped' });
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
              if (ckpt.evaluation) store.getState().setClassShipped(key, ckpt.evaluation as ClassEvalCurve[]);
            } catch (e) {
              store.getState().notify('warning', `The shipped checkpoint ${folder}${id}${BINARY_CHECKPOINT_EXT} could not be loaded (${(e as Error).message}); ${ALGORITHM_INFO[id].label} starts from a random initialisation.`);
            }
          }),
        ),
      )
      .then(() => undefined);
  }

  return {
    settled: () => settled,

    prefetch() {
      for (const id of ALGORITHM_IDS) {
        const file = `${checkpointFolder({})}${id}${BINARY_CHECKPOINT_EXT}`;
        if (prefetched.has(file)) continue;
        const p = fetchFile(file);
        // A failure is reported when the file is loaded (loadShipped), not here.
        p.catch(() => undefined);
        prefetched.set(file, p);
      }
    },

    async loadShipped() {
      const client = core.client();
      if (!client) return;
      await Promise.all(
        ALGORITHM_IDS.map(async (id) => {
          try {
            const ckpt = await loadFile(client, checkpointFolder({}), id, modelKey(id));
            const { reproduction } = store.getState();
            if (ckpt.evaluation) store.getState().setReproduction({ shipped: { ...reproduction.shipped, [id]: ckpt.evaluation } });
          } catch (e) {
            store.getState().setProvenance(id, { kind: 'random', reason: 'no checkpoint' });
            store.getState().notify('warning', `The shipped checkpoint for ${ALGORITHM_INFO[id].label} could not be loaded (${(e as Error).message}); it starts from a random initialisation.`);
          }
        }),
      );
      // The user's own models, kept from an earlier visit, replace the shipped ones before any curve is drawn.
      await restoreSaved(client);
      settled = true;
      mark('checkpoints-loaded');
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
        const parsed = readCheckpointFile('arrayBuffer' in file ? await file.arrayBuffer() : new TextEncoder().encode(await file.text()));
        const client = core.client();
        if (!client) throw new Error('the engine is not running');
        // What the file says about itself is kept as its origin; the model is the uploaded file.
        const { provenance: origin, ...rest } = parsed;
        const provenance: Provenance = { kind: 'uploaded', fileName: file.name.slice(0, 200) || 'a file', iterations: parsed.training.iterations, ...(origin ? { origin } : {}) };
        const ckpt: Checkpoint = { ...rest, provenance };
        await client.load(ckpt, provenanceLabel(provenance));
        const key = checkpointModelKey(ckpt);
        st.setProvenance(key, provenance);
        keeper?.save(key, ckpt);
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

    onSnapshot(checkpoint) {
      const provenance = checkpoint.provenance;
      if (!provenance) return;
      const key = checkpointModelKey(checkpoint);
      const st = store.getState();
      st.setProvenance(key, provenance);
      if (!keeper) return;
      if (!isUserModel(provenance)) {
        // The model is the shipped (or a random) one again: nothing of the user's to keep.
        lastKept.delete(key);
        st.setSaved(key, false);
        keeper.remove(key);
        return;
      }
      const running = st.status.trainState === 'running' && st.status.progress?.model === key;
      const now = core.now();
      if (running && now - (lastKept.get(key) ?? -Infinity) < SAVE_RUNNING_MS) return;
      lastKept.set(key, now);
      keeper.save(key, checkpoint);
    },

    onRestart() {
      const client = core.client();
      if (!client) return;
      for (const [key, { checkpoint }] of client.latest) if (checkpoint.provenance) store.getState().setProvenance(key, checkpoint.provenance);
    },

    async discardSaved() {
      const client = core.client();
      const st = store.getState();
      if (!client || !keeper || !shelf) return;
      if (st.status.trainState === 'running' || st.status.trainState === 'paused' || st.status.trainState === 'diverged') {
        st.notify('warning', 'Reset the training first: the model in training cannot be discarded.');
        return;
      }
      const keys = new Set(Object.keys(st.status.saved));
      try {
        for (const r of await shelf.list()) if (typeof (r as { key?: unknown })?.key === 'string') keys.add((r as { key: string }).key);
      } catch {
        // unreadable: what the store knows is all there is
      }
      await keeper.clear();
      lastKept.clear();
      let back = 0;
      for (const key of keys) {
        store.getState().setSaved(key, false);
        if (!isUserModel(store.getState().status.provenance[key])) continue;
        try {
          await backToShipped(client, key);
          back += 1;
        } catch (e) {
          store.getState().notify('error', `${key} could not be set back (${(e as Error).message}).`);
        }
      }
      store.getState().notify('info', `Discarded the models this browser kept (${keys.size}); ${back} back to the shipped ones.`);
      refresh();
    },
  };
}

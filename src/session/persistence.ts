/**
 * Models kept across reloads: the ones trained or uploaded in this browser, each with its provenance (inside its
 * checkpoint), in IndexedDB (through idb). A shelf stores records; a keeper keeps the shelf equal to the user's
 * current models as they change (written in order per model, only the newest write waiting), so a reload, a
 * closed tab or Back out of the app loses nothing that was trained or loaded here.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Checkpoint, ModelKey } from '../meta/contracts/checkpoint';

/** One kept model: its key and its checkpoint (parameters, settings, provenance). */
export interface SavedRecord {
  key: ModelKey;
  checkpoint: Checkpoint;
  /** When it was written (ISO time). */
  savedAt: string;
}

/** Where models are kept across reloads. What comes back from it is untrusted (validated by the reader). */
export interface ModelShelf {
  list(): Promise<unknown[]>;
  put(record: SavedRecord): Promise<void>;
  remove(key: ModelKey): Promise<void>;
  clear(): Promise<void>;
}

interface ShelfSchema extends DBSchema {
  models: { key: string; value: SavedRecord };
}

export const SHELF_DB = 'maml-playground';
const STORE = 'models';

/** The browser's IndexedDB (opened on first use); a browser without one (or that refuses it) fails each call. */
export function indexedDbShelf(name = SHELF_DB): ModelShelf {
  let db: Promise<IDBPDatabase<ShelfSchema>> | null = null;
  const open = () =>
    (db ??= openDB<ShelfSchema>(name, 1, {
      upgrade(d) {
        if (!d.objectStoreNames.contains(STORE)) d.createObjectStore(STORE, { keyPath: 'key' });
      },
    }).catch((e: unknown) => {
      db = null;
      throw e;
    }));
  return {
    list: async () => (await open()).getAll(STORE),
    put: async (record) => void (await (await open()).put(STORE, record)),
    remove: async (key) => (await open()).delete(STORE, key),
    clear: async () => (await open()).clear(STORE),
  };
}

/** A shelf in memory (tests, or a browser with no IndexedDB: kept for the page's life only). */
export function memoryShelf(): ModelShelf & { records: Map<ModelKey, SavedRecord> } {
  const records = new Map<ModelKey, SavedRecord>();
  return {
    records,
    list: async () => [...records.values()].map((r) => structuredClone(r)),
    put: async (r) => void records.set(r.key, structuredClone(r)),
    remove: async (key) => void records.delete(key),
    clear: async () => records.clear(),
  };
}

/** The default shelf: IndexedDB where the page has it, none otherwise (Node tests). */
export const defaultShelf = (): ModelShelf | null => (typeof indexedDB !== 'undefined' ? indexedDbShelf() : null);

type Op = { kind: 'put'; checkpoint: Checkpoint } | { kind: 'remove' };

export interface KeeperHooks {
  /** A write finished and is still what was last asked for that model: whether the shelf now keeps it. */
  onKept(key: ModelKey, kept: boolean): void;
  onError(key: ModelKey, error: Error): void;
  /** The clock (ms) for savedAt; default Date.now. */
  now?: () => number;
}

/**
 * Keeps a shelf equal to what it is told, per model: writes run one at a time per model and in order; while one
 * runs, only the newest waiting write is kept (a training run's snapshots collapse). A write's success is
 * reported only if no other was asked for since, so "saved" never describes parameters that are not the latest.
 */
export class ModelKeeper {
  private readonly chains = new Map<ModelKey, Promise<void>>();
  private readonly waiting = new Map<ModelKey, Op>();
  /** The last thing asked for each model. */
  private readonly intent = new Map<ModelKey, Op>();

  constructor(
    private readonly shelf: ModelShelf,
    private readonly hooks: KeeperHooks,
  ) {}

  save(key: ModelKey, checkpoint: Checkpoint): void {
    this.enqueue(key, { kind: 'put', checkpoint });
  }

  remove(key: ModelKey): void {
    this.enqueue(key, { kind: 'remove' });
  }

  /** Resolves when every write asked for so far has run. */
  async flush(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  /** Drops the writes waiting, lets the running ones finish, then empties the shelf. */
  async clear(): Promise<void> {
    this.waiting.clear();
    this.intent.clear();
    await this.flush();
    await this.shelf.clear();
  }

  private enqueue(key: ModelKey, op: Op): void {
    this.intent.set(key, op);
    const queued = this.waiting.has(key);
    this.waiting.set(key, op);
    if (queued) return; // the chain takes the newest when its turn comes
    const run = (this.chains.get(key) ?? Promise.resolve()).then(async () => {
      const next = this.waiting.get(key);
      this.waiting.delete(key);
      if (!next) return;
      try {
        if (next.kind === 'put') await this.shelf.put({ key, checkpoint: next.checkpoint, savedAt: new Date((this.hooks.now ?? Date.now)()).toISOString() });
        else await this.shelf.remove(key);
        if (this.intent.get(key) === next) this.hooks.onKept(key, next.kind === 'put');
      } catch (e) {
        this.hooks.onError(key, e instanceof Error ? e : new Error(String(e)));
      }
    });
    this.chains.set(key, run);
    void run.then(() => {
      if (this.chains.get(key) === run) this.chains.delete(key);
    });
  }
}

/**
 * Where a model's current parameters came from (its provenance), the one label the page shows for it, and how
 * a training run is judged good or diverged. tfjs-free: the worker attaches a provenance to every parameter set
 * it hands out (snapshots, exports), the page labels and stores models by it, and a checkpoint file carries it.
 *
 * A label never claims more than the parameters behind it: a run that diverged says so, and which parameters
 * were kept (its own last good ones, or the model from before it).
 */

/** A training run that diverged while this model was current: at which iteration, and what was kept. */
export interface DivergedNote {
  atIteration: number;
  /** 'run': these are the run's last good parameters; 'previous': the run was thrown away, this is the model from before it. */
  kept: 'run' | 'previous';
}

/** Why a model is a random initialisation. */
export type RandomReason = 'start' | 'no checkpoint' | 'none shipped';

export type Provenance =
  /** A checkpoint shipped with the app (public/checkpoints/<file>); untrained: a baseline that is its seed's random initialisation. */
  | { kind: 'shipped'; file: string; iterations: number; seed: number; untrained?: boolean; diverged?: DivergedNote }
  | { kind: 'random'; reason: RandomReason; diverged?: DivergedNote }
  /** Meta-trained in this page from a random initialisation: `iterations` of the `planned` done (its settings are the checkpoint's training). */
  | { kind: 'trained'; iterations: number; planned: number; diverged?: DivergedNote }
  /** A file the user loaded; origin is what the file itself said about its parameters, if anything. */
  | { kind: 'uploaded'; fileName: string; iterations: number; origin?: Provenance; diverged?: DivergedNote };

export type ProvenanceKind = Provenance['kind'];

/** Whether a model is the user's own (trained or uploaded here): what the browser keeps across reloads. */
export const isUserModel = (p: Provenance | undefined): boolean => p?.kind === 'trained' || p?.kind === 'uploaded';

/** The same provenance without a note about a diverged run. */
export function withoutDivergence(p: Provenance): Provenance {
  if (!p.diverged) return p;
  const { diverged: _dropped, ...rest } = p;
  void _dropped;
  return rest as Provenance;
}

const RANDOM_TEXT: Record<RandomReason, string> = {
  start: 'random initialisation',
  'no checkpoint': 'random initialisation (no checkpoint)',
  'none shipped': 'random initialisation (no checkpoint shipped); train it below',
};

function baseLabel(p: Provenance): string {
  switch (p.kind) {
    case 'shipped':
      return p.untrained ? `shipped checkpoint (random initialisation, seed ${p.seed})` : `shipped checkpoint (${p.iterations} iterations)`;
    case 'random':
      return RANDOM_TEXT[p.reason];
    case 'trained':
      return `trained in this page: iteration ${p.iterations} of ${p.planned}`;
    case 'uploaded':
      return `uploaded file ${p.fileName}`;
  }
}

/**
 * What the page says about a model: its provenance, then a diverged run (and what was kept), then whether this
 * browser keeps it across reloads.
 */
export function provenanceLabel(p: Provenance, opts: { saved?: boolean } = {}): string {
  let text = baseLabel(p);
  if (p.diverged)
    text +=
      p.diverged.kept === 'run'
        ? `; the run diverged at iteration ${p.diverged.atIteration}: these are its last good parameters`
        : `; kept: a training run diverged at iteration ${p.diverged.atIteration} and was discarded`;
  if (opts.saved) text += '; saved in this browser';
  return text;
}

// ---- reading one from an untrusted file ----

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Record<string, unknown>, key: string): unknown => (Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined);
const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e9;
const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

function readDiverged(v: unknown): DivergedNote | undefined {
  if (!isObject(v)) return undefined;
  const at = own(v, 'atIteration'), kept = own(v, 'kept');
  return count(at) && (kept === 'run' || kept === 'previous') ? { atIteration: at, kept } : undefined;
}

/**
 * A provenance read from an untrusted file (a checkpoint's, a record this browser kept): a clean copy with the
 * fields it knows, or undefined when it is not one. Never throws: a file's story about itself is optional.
 */
export function readProvenance(raw: unknown, depth = 0): Provenance | undefined {
  if (!isObject(raw) || depth > 2) return undefined;
  const diverged = readDiverged(own(raw, 'diverged'));
  const note = diverged ? { diverged } : {};
  switch (own(raw, 'kind')) {
    case 'shipped': {
      const file = own(raw, 'file'), iterations = own(raw, 'iterations'), seed = own(raw, 'seed');
      if (!text(file) || !count(iterations) || !count(seed)) return undefined;
      return { kind: 'shipped', file, iterations, seed, ...(own(raw, 'untrained') === true ? { untrained: true } : {}), ...note };
    }
    case 'random': {
      const reason = own(raw, 'reason');
      return typeof reason === 'string' && Object.prototype.hasOwnProperty.call(RANDOM_TEXT, reason) ? { kind: 'random', reason: reason as RandomReason, ...note } : undefined;
    }
    case 'trained': {
      const iterations = own(raw, 'iterations'), planned = own(raw, 'planned');
      return count(iterations) && count(planned) ? { kind: 'trained', iterations, planned, ...note } : undefined;
    }
    case 'uploaded': {
      const fileName = own(raw, 'fileName'), iterations = own(raw, 'iterations');
      if (!text(fileName) || !count(iterations)) return undefined;
      const origin = readProvenance(own(raw, 'origin'), depth + 1);
      return { kind: 'uploaded', fileName, iterations, ...(origin ? { origin } : {}), ...note };
    }
    default:
      return undefined;
  }
}

// ---- judging a training run ----

/**
 * A run whose meta-loss climbs this many times above its first iteration's (floored at 1) has blown up, even where
 * the trainer still accepts the update (e.g. a meta learning rate of 10 explodes the weights at once).
 */
export const RUN_BLOWUP_FACTOR = 100;

/**
 * A run's last parameters known to be good. A snapshot of the parameters after iteration n is only a candidate:
 * the step at iteration n + 1 measures the meta-loss at exactly those parameters, and confirms it when that loss
 * is finite, accepted by the trainer and not blown up against the run's start. A run that diverges keeps its last
 * confirmed snapshot, never the parameters that produced the blow-up.
 */
export class LastGood<T> {
  private first: number | null = null;
  private candidate: { value: T; iteration: number } | null = null;
  private confirmed: { value: T; iteration: number } | null = null;

  /** The last confirmed parameters and their iteration, or null. */
  get good(): { value: T; iteration: number } | null {
    return this.confirmed;
  }

  /** Parameters after `iteration` updates, read at a snapshot. */
  offer(value: T, iteration: number): void {
    this.candidate = { value, iteration };
  }

  /**
   * The outcome of the step at `iteration` (its loss was measured at the parameters after iteration - 1 updates).
   * Returns why the run counts as diverged, or null when it is fine.
   */
  observe(iteration: number, loss: number, refused: boolean): string | null {
    const candidate = this.candidate;
    this.candidate = null;
    if (refused || !Number.isFinite(loss)) return 'refused';
    if (this.first === null) this.first = loss;
    const limit = RUN_BLOWUP_FACTOR * Math.max(this.first, 1);
    if (loss > limit) return `meta-loss ${loss.toExponential(2)} is over ${RUN_BLOWUP_FACTOR} times the run's first (${this.first.toPrecision(3)})`;
    if (candidate && candidate.iteration === iteration - 1) this.confirmed = candidate;
    return null;
  }
}

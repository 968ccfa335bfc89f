/**
 * The Learn mode's meta-iteration (scenes 4 and 5): the worker's breakdown of one real meta-iteration of the
 * current MAML model on a seeded meta-batch, and which of its stages the reader has stepped to. Scene 5 reads the
 * same batch's exact and first-order meta-gradients. Not in the link: the seed is, through nothing; a reopened
 * scene draws the first batch again.
 */
import { create } from 'zustand';
import { PAPER_CONFIG } from '../../meta/contracts/config';
import type { Session } from '../../session/session';
import type { MetaStepRequest } from '../../worker/protocol';

export type MetaStepResult = NonNullable<Awaited<ReturnType<Session['metaStep']>>>;

/** The stages a "Next stage" press walks through, in order. */
export const STAGES = ['Tasks drawn', 'Inner step', 'Query losses', 'Meta-gradient', 'θ updated'] as const;

/** The batch the scenes ask for: a few of the paper's tasks (readable on screen) with its K, α and β. */
export function metaStepRequest(seed: number): MetaStepRequest {
  return { method: 'maml', tasks: 4, kSupport: PAPER_CONFIG.kSupport, kQuery: PAPER_CONFIG.kQuery, innerSteps: 1, alpha: PAPER_CONFIG.alpha, metaLr: PAPER_CONFIG.metaLr, seed };
}

export const FIRST_BATCH_SEED = 1;

interface MetaStepState {
  seed: number;
  stage: number;
  result: MetaStepResult | null;
  loading: boolean;
  error: string | null;
  /** Asks the worker for the seed's breakdown (back to the first stage). */
  load(session: Session, seed: number): Promise<void>;
  next(): void;
  restart(): void;
}

let asked = 0;

export const useMetaStep = create<MetaStepState>()((set, get) => ({
  seed: FIRST_BATCH_SEED,
  stage: 0,
  result: null,
  loading: false,
  error: null,
  async load(session, seed) {
    const mine = ++asked;
    set({ seed, stage: 0, loading: true, error: null });
    try {
      const result = await session.metaStep(metaStepRequest(seed));
      if (mine === asked) set({ result, loading: false, error: result ? null : 'The engine has not started yet.' });
    } catch (e) {
      if (mine === asked) set({ loading: false, error: e instanceof Error ? e.message : String(e) });
    }
  },
  next: () => set({ stage: Math.min(STAGES.length - 1, get().stage + 1) }),
  restart: () => set({ stage: 0 }),
}));

/**
 * The paper's table, computed in the page: each method's current model on the paper's 600 test tasks (the
 * same seed as npm run pretrain and npm run reproduce) for K = 5, 10, 20, one evaluation at a time.
 */
import { ALGORITHM_IDS, type AlgorithmId } from '../meta/contracts/algorithms';
import { PAPER_EVAL } from '../meta/contracts/config';
import type { SessionCore } from './shared';

/** The paper's protocol, as npm run pretrain and npm run reproduce use it. */
export const REPRODUCTION_SHOTS = [5, 10, 20] as const;
const REPRODUCTION_EVAL = { steps: PAPER_EVAL.steps, tasks: PAPER_EVAL.tasks, alpha: PAPER_EVAL.alpha, seed: PAPER_EVAL.seed };

export async function runReproduction(core: SessionCore, methods: readonly AlgorithmId[] = ALGORITHM_IDS, shots: readonly number[] = REPRODUCTION_SHOTS): Promise<void> {
  const { store } = core;
  const client = core.client();
  if (!client || store.getState().reproduction.running) return;
  store.getState().setReproduction({ running: true, done: 0, total: methods.length * shots.length, browser: {} });
  let done = 0;
  try {
    for (const kShot of shots) {
      for (const method of methods) {
        const msg = await client.request<'evaluated'>({ type: 'evaluate', methods: [method], kShot, ...REPRODUCTION_EVAL });
        const { browser } = store.getState().reproduction;
        store.getState().setReproduction({ browser: { ...browser, [kShot]: { ...browser[kShot], ...msg.results } }, done: ++done });
      }
    }
  } catch (e) {
    store.getState().notify('error', `The table could not be computed: ${(e as Error).message}`);
  } finally {
    store.getState().setReproduction({ running: false });
  }
}

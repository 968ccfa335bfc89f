/**
 * One real meta-iteration of MAML taken apart for the Learn mode (issue 15, scenes 4 and 5): the same kernels
 * that train (FastMaml's metaGradient on typed arrays, lossAndGrad for the inner steps), on a meta-batch drawn
 * from a seed exactly as the trainers draw theirs (drawMetaBatch). Pure: no tfjs, no DOM.
 */
import { Rng } from '../contracts/random';
import { drawMetaBatch, type TaskSet } from '../contracts/tasks/sampling';
import type { MetaStepBreakdown } from '../contracts/types';
import { FastMaml } from './maml';
import { layoutOf, lossAndGrad, Workspace } from './mlp';

export interface MetaStepSettings {
  tasks: number;
  kSupport: number;
  kQuery: number;
  innerSteps: number;
  alpha: number;
  metaLr: number;
  seed: number;
  /** How many of the first layer's weights to show (default 6). */
  shown?: number;
}

/** The meta-batch a breakdown uses: drawn from its seed as MetaTrainer and FastMamlTrainer draw theirs. */
export function breakdownBatch(s: Pick<MetaStepSettings, 'tasks' | 'kSupport' | 'kQuery' | 'seed'>): TaskSet {
  return drawMetaBatch(new Rng(s.seed), s.tasks, s.kSupport, s.kQuery);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Theta's meta-iteration on the seed's batch, stage by stage. `sizes`: the one-input network theta belongs to. */
export function metaStepBreakdown(sizes: number[], theta: Float64Array, s: MetaStepSettings): MetaStepBreakdown {
  if (sizes[0] !== 1 || sizes[sizes.length - 1] !== 1) throw new Error('The meta-iteration breakdown takes a sinusoid network (one input, one output).');
  const lay = layoutOf(sizes);
  if (theta.length !== lay.total) throw new Error(`theta has ${theta.length} entries; the network ${sizes.join('-')} has ${lay.total}.`);
  const data = breakdownBatch(s);
  const { kSupport: K, kQuery: Q, innerSteps } = s;
  const n = lay.total;
  const maml = new FastMaml(sizes, innerSteps, K, Q);
  const exact = new Float64Array(n);
  const firstOrder = new Float64Array(n);
  const metaLoss = maml.metaGradient(theta, data, innerSteps, s.alpha, true, exact);
  maml.metaGradient(theta, data, innerSteps, s.alpha, false, firstOrder);

  // Each task's inner loop, step by step, with the same kernel (lossAndGrad) FastMaml steps with.
  const ws = new Workspace(lay, K);
  const wq = new Workspace(lay, Q);
  const g = new Float64Array(n);
  const tasks = data.tasks.map((task, t) => {
    const sx = data.sx.subarray(t * K, (t + 1) * K);
    const sy = data.sy.subarray(t * K, (t + 1) * K);
    const qx = data.qx.subarray(t * Q, (t + 1) * Q);
    const qy = data.qy.subarray(t * Q, (t + 1) * Q);
    const phi = Float64Array.from(theta);
    const supportLoss: number[] = [];
    for (let j = 0; j <= innerSteps; j++) {
      supportLoss.push(lossAndGrad(ws, phi, sx, sy, K, g));
      if (j < innerSteps) for (let i = 0; i < n; i++) phi[i] -= s.alpha * g[i];
    }
    const queryLossBefore = lossAndGrad(wq, theta, qx, qy, Q, g);
    const queryLoss = lossAndGrad(wq, phi, qx, qy, Q, g);
    return {
      amplitude: task.amplitude,
      phase: task.phase,
      support: Array.from(sx, (x, i) => ({ x, y: sy[i] })),
      supportLoss,
      queryLossBefore,
      queryLoss,
    };
  });

  const after = Float64Array.from(theta, (v, i) => v - s.metaLr * exact[i]);
  const metaLossAfter = maml.metaGradient(after, data, innerSteps, s.alpha, true, new Float64Array(n));
  const exactNorm = Math.sqrt(dot(exact, exact));
  const firstOrderNorm = Math.sqrt(dot(firstOrder, firstOrder));
  const shown = Array.from({ length: Math.min(s.shown ?? 6, sizes[1]) }, (_, i) => lay.w[0] + i);
  return {
    sizes: [...sizes],
    seed: s.seed,
    alpha: s.alpha,
    metaLr: s.metaLr,
    innerSteps,
    kSupport: K,
    kQuery: Q,
    tasks,
    metaLoss,
    metaLossAfter,
    exactGrad: Array.from(exact),
    firstOrderGrad: Array.from(firstOrder),
    exactNorm,
    firstOrderNorm,
    cosine: dot(exact, firstOrder) / (exactNorm * firstOrderNorm),
    normRatio: firstOrderNorm / exactNorm,
    shown,
    thetaBefore: shown.map((i) => theta[i]),
    thetaAfter: shown.map((i) => after[i]),
  };
}

/**
 * From one theta (the shallow model's 2-D weight) and a batch of tasks: each task's inner trajectory and the
 * vector each update rule subtracts from theta (theta <- theta - beta v), in closed form:
 *  - joint training: the task loss's gradient at theta;
 *  - first-order MAML: the query gradient at phi (after k steps);
 *  - MAML: that gradient pulled back through d phi / d theta = prod_j (I - alpha H);
 *  - iMAML: (I + H / lambda)^-1 applied to the query gradient at the proximal solution
 *    phi* = argmin L_support(phi) + lambda / 2 |phi - theta|^2, solved exactly (a 2 x 2 system);
 *  - Reptile: theta - phi, divided by k alpha so that it is on the gradients' scale (the mean inner gradient;
 *    with k = 1 and support = query it equals joint training's).
 * Microseconds per call: the page runs it synchronously on every drag.
 */
import type { Quad } from '../../contracts/tasks/update';
import { adapt, mamlMetaGradient, quadGrad, SHALLOW } from './linear';

export const RULE_IDS = ['pretrained', 'fomaml', 'maml', 'imaml', 'reptile'] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface RuleSettings {
  alpha: number;
  steps: number;
  /** iMAML's proximal strength. */
  lambda: number;
}

export interface TaskUpdate {
  /** Effective weights after 0..k inner steps. */
  trajectory: [number, number][];
  /** iMAML's proximal solution. */
  proximal: [number, number];
  vectors: Record<RuleId, [number, number]>;
}

export interface RuleUpdates {
  tasks: TaskUpdate[];
  /** Each rule's vector averaged over the tasks. */
  mean: Record<RuleId, [number, number]>;
}

type V2 = [number, number];

/** The minimiser of L(phi) + lambda / 2 |phi - theta|^2: (2A + lambda I)^-1 (lambda theta + 2b). */
export function proximalSolution(q: Quad, theta: readonly [number, number], lambda: number): V2 {
  const m11 = 2 * q.a11 + lambda;
  const m12 = 2 * q.a12;
  const m22 = 2 * q.a22 + lambda;
  const r1 = lambda * theta[0] + 2 * q.b1;
  const r2 = lambda * theta[1] + 2 * q.b2;
  const det = m11 * m22 - m12 * m12;
  return [(m22 * r1 - m12 * r2) / det, (m11 * r2 - m12 * r1) / det];
}

/** iMAML's implicit meta-gradient: (I + H / lambda)^-1 grad L_query(phi*), H = 2 A_support. */
export function imamlVector(support: Quad, query: Quad, theta: readonly [number, number], lambda: number): { phi: V2; v: V2 } {
  const phi = proximalSolution(support, theta, lambda);
  const g = quadGrad(query, phi[0], phi[1]);
  const m11 = 1 + (2 * support.a11) / lambda;
  const m12 = (2 * support.a12) / lambda;
  const m22 = 1 + (2 * support.a22) / lambda;
  const det = m11 * m22 - m12 * m12;
  return { phi, v: [(m22 * g[0] - m12 * g[1]) / det, (m11 * g[1] - m12 * g[0]) / det] };
}

export function ruleUpdates(theta: readonly [number, number], tasks: readonly { support: Quad; query: Quad }[], s: RuleSettings): RuleUpdates {
  const out: TaskUpdate[] = [];
  const mean = Object.fromEntries(RULE_IDS.map((r) => [r, [0, 0]])) as Record<RuleId, V2>;
  for (const task of tasks) {
    const traj = adapt(SHALLOW, theta, task.support, s.alpha, s.steps);
    const phi = traj.w[s.steps];
    const maml = mamlMetaGradient(SHALLOW, theta, [task], s.alpha, s.steps).grad;
    const im = imamlVector(task.support, task.query, theta, s.lambda);
    const scale = s.steps > 0 ? 1 / (s.steps * s.alpha) : 0;
    const vectors: Record<RuleId, V2> = {
      pretrained: quadGrad(task.query, theta[0], theta[1]),
      fomaml: quadGrad(task.query, phi[0], phi[1]),
      maml: [maml[0], maml[1]],
      imaml: im.v,
      reptile: [(theta[0] - phi[0]) * scale, (theta[1] - phi[1]) * scale],
    };
    for (const r of RULE_IDS) {
      mean[r][0] += vectors[r][0] / tasks.length;
      mean[r][1] += vectors[r][1] / tasks.length;
    }
    out.push({ trajectory: traj.w, proximal: im.phi, vectors });
  }
  return { tasks: out, mean };
}

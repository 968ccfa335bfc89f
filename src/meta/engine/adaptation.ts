import * as tf from '@tensorflow/tfjs';
import { adaptSteps, type Learner } from './inner';
import { forward, mseByTask, oracleInputs } from './model';
import type { Params } from './params';
import { sinusoid, type Point, type SinusoidTask } from '../contracts/tasks/sinusoid';
import type { AdaptationCurves } from '../contracts/types';


/** Learners that can be stacked on the task axis and adapted in one pass: same rule, same parameter set. */
function groupKey(l: Learner): string {
  return JSON.stringify([l.rule.adapted ?? null, l.rule.lambda ?? null, l.taskInput, Object.keys(l.params).sort()]);
}

/**
 * Adapts to the given support points for steps 0..k, each learner by its own rule, and predicts on the grid
 * at every step. Compatible learners (most of them) are stacked on the task axis: one batched pass per group.
 * A learner that needs the task as input (the oracle) gets null when there is no true function.
 */
export async function adaptToPoints(
  learners: Learner[],
  points: Point[],
  grid: number[],
  steps: number,
  alpha: number,
  task: SinusoidTask | null,
): Promise<(AdaptationCurves | null)[]> {
  const out: (AdaptationCurves | null)[] = learners.map(() => null);
  const groups = new Map<string, number[]>();
  learners.forEach((l, i) => {
    if (l.taskInput && !task) return;
    const key = groupKey(l);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const members of groups.values()) {
    const curves = await adaptGroup(members.map((i) => learners[i]), points, grid, steps, alpha, task);
    members.forEach((i, j) => (out[i] = curves[j]));
  }
  return out;
}

async function adaptGroup(
  learners: Learner[],
  points: Point[],
  grid: number[],
  steps: number,
  alpha: number,
  task: SinusoidTask | null,
): Promise<AdaptationCurves[]> {
  const M = learners.length;
  const { rule, taskInput } = learners[0];
  const K = points.length;
  const G = grid.length;
  // Without points there is nothing to adapt to: every step shows the initial model.
  const run = K > 0 ? steps : 0;
  const out = tf.tidy(() => {
    const stacked: Params = {};
    for (const name of Object.keys(learners[0].params)) stacked[name] = tf.stack(learners.map((l) => l.params[name]));
    const tasks = Array.from({ length: M }, () => task!);
    const input = (x: tf.Tensor3D) => (taskInput ? oracleInputs(x, tasks) : x);
    const gx = input(tf.broadcastTo(tf.tensor3d(grid, [1, G, 1]), [M, G, 1]) as tf.Tensor3D);
    const sx = input(tf.broadcastTo(tf.tensor3d(points.map((p) => p.x), [1, K, 1]), [M, K, 1]) as tf.Tensor3D);
    const sy = tf.broadcastTo(tf.tensor3d(points.map((p) => p.y), [1, K, 1]), [M, K, 1]) as tf.Tensor3D;
    // Each step: M x (G predictions + 1 support loss), so one readback carries everything.
    const rows = adaptSteps(stacked, sx, sy, { ...rule, steps: run, alpha }, (p) => {
      const pred = tf.reshape(forward(p, gx), [M, G]);
      const loss = K > 0 ? tf.reshape(mseByTask(forward(p, sx), sy), [M, 1]) : tf.zeros([M, 1]);
      return tf.concat([pred, loss], 1);
    });
    return tf.stack(rows); // [steps + 1, M, G + 1]
  });
  const values = await out.data();
  out.dispose();
  const truth = task ? grid.map((x) => sinusoid(task, x)) : null;
  return learners.map((_, m) => {
    const predictions: number[][] = [];
    const supportLoss: number[] = [];
    const taskLoss: number[] = [];
    let divergedAt: number | null = null;
    for (let s = 0; s <= steps; s++) {
      const base = (Math.min(s, run) * M + m) * (G + 1);
      const row = Array.from(values.subarray(base, base + G));
      predictions.push(row);
      supportLoss.push(K > 0 ? values[base + G] : NaN);
      if (truth) taskLoss.push(row.reduce((acc, v, i) => acc + (v - truth[i]) ** 2, 0) / G);
      // The support loss squares the error, so it overflows first.
      const finite = row.every(Number.isFinite) && (K === 0 || Number.isFinite(values[base + G]));
      if (divergedAt === null && !finite) divergedAt = s;
    }
    return { predictions, supportLoss, taskLoss: truth ? taskLoss : null, divergedAt };
  });
}

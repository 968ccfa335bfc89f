/**
 * MAML meta-training of the shallow, deep and KFO linear models (Adam on the exact meta-gradient of linear.ts),
 * and their evaluation on test tasks: the population loss (exact expected error on fresh inputs) before
 * adaptation and after each inner step. Typed arrays only; a 25-task iteration takes microseconds, so the page
 * can run it in chunks between frames and Node trains the shipped checkpoints in seconds.
 */
import { Rng } from '../../contracts/random';
import { blowUpShare, meanCi95, median } from '../../contracts/stats';
import { drawUpdateTasks, type TaskLoss, type UpdateFamily } from '../../contracts/tasks/update';
import { adapt, initialMeta, lossValue, mamlMetaGradient, type LinearModel } from './linear';

/** A task as training and evaluation see it: its support and query losses. */
export interface LossTask {
  support: TaskLoss;
  query: TaskLoss;
}

/** Draws a meta-batch: T tasks with kSupport and kQuery points. */
export type TaskSampler = (rng: Rng, tasks: number, kSupport: number, kQuery: number) => LossTask[];

export interface UpdateTrainSettings {
  alpha: number;
  innerSteps: number;
  kSupport: number;
  kQuery: number;
  metaBatch: number;
  metaLr: number;
}

/** Adam's state over a flat parameter vector. */
export class Adam {
  private m: Float64Array;
  private v: Float64Array;
  private t = 0;
  constructor(size: number, private lr: number, private b1 = 0.9, private b2 = 0.999, private eps = 1e-8) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  step(params: Float64Array, grad: ArrayLike<number>): void {
    this.t++;
    const c1 = 1 - this.b1 ** this.t;
    const c2 = 1 - this.b2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      this.m[i] = this.b1 * this.m[i] + (1 - this.b1) * grad[i];
      this.v[i] = this.b2 * this.v[i] + (1 - this.b2) * grad[i] * grad[i];
      params[i] -= (this.lr * this.m[i]) / c1 / (Math.sqrt(this.v[i] / c2) + this.eps);
    }
  }
}

/** A meta-training run that advances a chunk of iterations at a time (the page calls it between frames). */
export class UpdateTrainer {
  readonly meta: Float64Array;
  iteration = 0;
  private adam: Adam;
  private rng: Rng;
  private draw: TaskSampler;
  /** Regression tasks of the family, unless `draw` samples others (logistic regression). */
  constructor(readonly model: LinearModel, family: UpdateFamily, private settings: UpdateTrainSettings, seed: number, init?: ArrayLike<number>, draw?: TaskSampler) {
    this.draw = draw ?? ((rng, t, ks, kq) => drawUpdateTasks(rng, family, t, ks, kq));
    const rng = new Rng(seed);
    this.meta = init ? Float64Array.from(init) : initialMeta(model, rng);
    this.rng = rng.fork();
    this.adam = new Adam(this.meta.length, settings.metaLr);
  }
  /** n meta-iterations; returns the last batch's query loss after the inner steps. */
  run(n: number): number {
    const s = this.settings;
    let loss = NaN;
    for (let i = 0; i < n; i++) {
      const tasks = this.draw(this.rng, s.metaBatch, s.kSupport, s.kQuery);
      const g = mamlMetaGradient(this.model, this.meta, tasks, s.alpha, s.innerSteps);
      this.adam.step(this.meta, g.grad);
      this.iteration++;
      loss = g.loss;
    }
    return loss;
  }
}

/** Per step 0..steps, each test task's population loss after that many inner steps. */
export function evaluateLosses(model: LinearModel, meta: ArrayLike<number>, tasks: readonly LossTask[], alpha: number, steps: number): Float64Array[] {
  const out = Array.from({ length: steps + 1 }, () => new Float64Array(tasks.length));
  tasks.forEach((task, t) => {
    const traj = adapt(model, meta, task.support, alpha, steps);
    for (let j = 0; j <= steps; j++) out[j][t] = lossValue(task.query, traj.w[j]);
  });
  return out;
}

export interface StepStats {
  mean: number;
  ci95: number;
  median: number;
  /** The share of tasks whose loss is above BLOW_UP_MSE or not finite. */
  blowUp: number;
}

/** Mean with 95% CI, median and blow-up share at each step. */
export function summarise(losses: Float64Array[]): StepStats[] {
  return losses.map((l) => ({ ...meanCi95(l), median: median(l), blowUp: blowUpShare(l) }));
}

/** Test (or validation) tasks: support from kSupport points, scored by the population loss. */
export function testTasks(family: UpdateFamily, tasks: number, kSupport: number, seed: number): LossTask[] {
  return drawUpdateTasks(new Rng(seed), family, tasks, kSupport, 0);
}

/** One model's row of the comparison: the test loss at steps 0 (before adaptation) and each reported step. */
export interface UpdateRow {
  model: string;
  steps: (StepStats & { step: number })[];
}

/** Evaluates meta-parameters on `tasks` test tasks (seeded) at steps 0 and `steps`; the reproduction's table. */
export function compareModels(
  models: readonly { name: string; model: LinearModel; meta: ArrayLike<number> }[],
  family: UpdateFamily,
  opts: { tasks: number; seed: number; kSupport: number; alpha: number; steps: readonly number[] },
  test: readonly LossTask[] = testTasks(family, opts.tasks, opts.kSupport, opts.seed),
): UpdateRow[] {
  const last = Math.max(...opts.steps);
  return models.map(({ name, model, meta }) => {
    const s = summarise(evaluateLosses(model, meta, test, opts.alpha, last));
    return { model: name, steps: [0, ...opts.steps].map((step) => ({ step, ...s[step] })) };
  });
}

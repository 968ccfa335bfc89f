/**
 * The algorithm family beyond plain MAML, each against a float64 reference (tests/unit/helpers/reference.ts and
 * reference-family.ts): MAML with more inner steps, ANIL, Meta-SGD (network and learned rates), iMAML
 * (conjugate gradient against an exact solve, then the implicit meta-gradient against a finite difference of
 * the query loss at the converged proximal solution), Reptile (its direction and the trainer's annealed step),
 * the oracle's task-informed joint gradient, scratch's refusal to train, and tensor hygiene for all of them.
 * Every gradient check also shows a plausible wrong variant (first order, wrong adapted set, shared rate...)
 * to be visibly off, so that the tolerance is known to discriminate.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHM_IDS, getAlgorithm, type AlgorithmId } from '../../src/meta/engine/algorithms';
import { conjugateGradient, hessianVectorProduct, type TaskVector } from '../../src/meta/engine/algorithms/imaml';
import { defaultTrainConfig, type TrainConfig } from '../../src/meta/contracts/config';
import { adapt, trainingInner } from '../../src/meta/engine/inner';
import { initParams, isPerTaskTensor } from '../../src/meta/engine/model';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, type Params } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { disposeBatch, sampleMetaBatch, type MetaBatch } from '../../src/meta/engine/meta-batch';
import { initialModel, MetaTrainer } from '../../src/meta/engine/trainer';
import { finiteDiff, flatten, jointLoss, layout, mamlLoss, mseGrad, relErr, sgd, type Layout, type RefTask } from './helpers/reference';
import {
  anilLoss,
  cgDense,
  headRates,
  hessianFD,
  imamlLoss,
  indicesOf,
  isPositiveDefinite,
  matVec,
  meanSupportLoss,
  metaSgdLayout,
  metaSgdLoss,
  oracleRefTasks,
  proximalSgd,
  proximalStationarity,
  refHeadNames,
  sgdRates,
  solveDense,
} from './helpers/reference-family';
import { batchToRef, flatParams } from './helpers/tf';

const SIZES = [1, 8, 8, 1];
const ORACLE_SIZES = [4, 8, 8, 1];
const T = 4;
const K = 5;
const FD_EPS = 1e-5;

function cfgFor(id: AlgorithmId, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return { ...defaultTrainConfig(id), ...overrides };
}

interface Computed {
  loss: number;
  grad: Float64Array;
  stats: Record<string, number>;
}

/** An algorithm's metaGradient (inside tidy), read back as float64 in the layout `lay`; everything freed. */
function runAlgo(lay: Layout, id: AlgorithmId, params: Params, batch: MetaBatch, overrides: Partial<TrainConfig>): Computed {
  const { loss, grads, stats } = tf.tidy(() => getAlgorithm(id).metaGradient!(params, batch, cfgFor(id, overrides)));
  expect(Object.keys(grads).sort()).toEqual(Object.keys(params).sort());
  for (const name of Object.keys(params)) expect(grads[name].shape).toEqual(params[name].shape);
  const out: Computed = { loss: loss.dataSync()[0], grad: flatParams(lay, grads), stats: {} };
  for (const [n, s] of Object.entries(stats ?? {})) {
    out.stats[n] = s.dataSync()[0];
    s.dispose();
  }
  loss.dispose();
  disposeParams(grads);
  return out;
}

/** Task t's values of params whose entries may be shared ([in, out]) or per task ([T, in, out]). */
function flatMixed(lay: Layout, params: Params, t: number): Float64Array {
  const arrays: Record<string, { values: ArrayLike<number> }> = {};
  for (const e of lay.entries) {
    const x = params[e.name];
    const all = x.dataSync();
    arrays[e.name] = { values: isPerTaskTensor(e.name, x) ? all.subarray(t * e.size, (t + 1) * e.size) : all };
  }
  return flatten(lay, arrays);
}

/** Per-task flat float64 vectors -> a TaskVector (one [T, ...shape] float32 tensor per parameter). */
function toTaskVector(lay: Layout, rows: ArrayLike<number>[]): TaskVector {
  return lay.entries.map((e) => {
    const v = new Float32Array(rows.length * e.size);
    rows.forEach((r, t) => {
      for (let i = 0; i < e.size; i++) v[t * e.size + i] = r[e.offset + i];
    });
    return tf.tensor(v, [rows.length, ...e.shape]);
  });
}

function fromTaskVector(lay: Layout, v: TaskVector, t: number): Float64Array {
  const p: Params = {};
  lay.entries.forEach((e, i) => (p[e.name] = v[i]));
  return flatParams(lay, p, t);
}

/** Runs fn in a tidy scope and returns its plain (non-tensor) result; every tensor it made is freed. */
function scoped<R>(fn: () => R): R {
  let out: R | undefined;
  tf.tidy(() => {
    out = fn();
  });
  return out as R;
}

function norm(a: ArrayLike<number>, idx?: number[]): number {
  const ids = idx ?? Array.from({ length: a.length }, (_, i) => i);
  return Math.sqrt(ids.reduce((s, i) => s + a[i] * a[i], 0));
}

function meanOf(vs: Float64Array[]): Float64Array {
  const out = new Float64Array(vs[0].length);
  for (const v of vs) v.forEach((x, i) => (out[i] += x / vs.length));
  return out;
}

function cloneParams(p: Params): Params {
  return Object.fromEntries(Object.entries(p).map(([n, t]) => [n, tf.clone(t)]));
}

/** Meta-SGD's meta-parameters: the network plus one rate per entry, alpha * U[0.5, 1.5), so not all equal. */
function metaSgdParams(sizes: number[], seed: number, alpha: number): Params {
  const p = initParams({ sizes }, new Rng(seed));
  const rng = new Rng(seed + 1000);
  for (const [n, t] of Object.entries({ ...p })) {
    const v = new Float32Array(t.size).map(() => alpha * (0.5 + rng.next()));
    p[`lr_${n}`] = tf.tensor(v, t.shape);
  }
  return p;
}

describe.each(['wasm', 'cpu'])('the algorithm family on the %s backend', (backend) => {
  const lay = layout(SIZES);
  let params: Params;
  let batch: MetaBatch;
  let theta: Float64Array;
  let tasks: RefTask[];
  let tensorsAtStart: number;

  beforeAll(async () => {
    expect(await useNodeBackend(backend)).toBe(backend);
    params = initParams({ sizes: SIZES }, new Rng(3));
    batch = sampleMetaBatch(new Rng(103), T, K, K).batch;
    theta = flatParams(lay, params);
    tasks = batchToRef(batch);
    tensorsAtStart = tf.memory().numTensors;
  });

  afterAll(() => {
    // Nothing above leaked a tensor (trainers, adapted parameters, batches and all).
    expect(tf.memory().numTensors).toBe(tensorsAtStart);
    disposeParams(params);
    disposeBatch(batch);
  });

  for (const steps of [3, 5]) {
    it(`MAML is exact second order through k = ${steps} inner steps (vs float64 FD); first order is visibly off`, () => {
      const alpha = 0.05;
      const fd = finiteDiff((p) => mamlLoss(lay, p, tasks, alpha, steps), theta, FD_EPS);
      const m = runAlgo(lay, 'maml', params, batch, { innerSteps: steps, alpha });
      const fo = runAlgo(lay, 'fomaml', params, batch, { innerSteps: steps, alpha });
      const err = relErr(m.grad, fd);
      expect(err).toBeLessThanOrEqual(1e-4);
      expect(relErr(fo.grad, fd)).toBeGreaterThan(Math.max(1e-2, 100 * err));
      const refLoss = mamlLoss(lay, theta, tasks, alpha, steps);
      expect(Math.abs(m.loss - refLoss) / refLoss).toBeLessThan(1e-5);
    });
  }

  it('ANIL: exact meta-gradient of the head-only inner loop, reaching the body (vs float64 FD)', () => {
    const alpha = 0.1;
    const steps = 2;
    const fd = finiteDiff((p) => anilLoss(lay, p, tasks, alpha, steps), theta, FD_EPS);
    const g = runAlgo(lay, 'anil', params, batch, { innerSteps: steps, alpha });
    const head = indicesOf(lay, refHeadNames(lay));
    const body = indicesOf(lay, ['w0', 'b0', 'w1', 'b1']);
    expect(head.length + body.length).toBe(lay.total);
    expect(relErr(g.grad, fd)).toBeLessThanOrEqual(1e-4);
    // The body is learned through the head's adaptation: non-zero, and right on its own.
    expect(norm(fd, body)).toBeGreaterThan(1e-2);
    expect(relErr(g.grad, fd, body)).toBeLessThanOrEqual(1e-4);
    expect(relErr(g.grad, fd, head)).toBeLessThanOrEqual(1e-4);
    const refLoss = anilLoss(lay, theta, tasks, alpha, steps);
    expect(Math.abs(g.loss - refLoss) / refLoss).toBeLessThan(1e-5);
    // Wrong variants are visibly off: MAML (adapting every layer), and first-order ANIL (no second-order term).
    const all = runAlgo(lay, 'maml', params, batch, { innerSteps: steps, alpha });
    expect(relErr(all.grad, fd)).toBeGreaterThan(1e-2);
    const rates = headRates(lay, alpha);
    const firstOrder = meanOf(tasks.map((t) => mseGrad(lay, sgdRates(lay, theta, t.support, rates, steps), t.query)));
    expect(relErr(firstOrder, fd, body)).toBeGreaterThan(1e-2);
  });

  it("ANIL's inner loop leaves the body at theta and steps the head as float64 SGD on the head alone", () => {
    const alpha = 0.1;
    const steps = 3;
    const adapted = tf.tidy(() => adapt(params, batch.supportX, batch.supportY, trainingInner('anil', cfgFor('anil', { innerSteps: steps, alpha }))));
    const head = indicesOf(lay, refHeadNames(lay));
    const body = indicesOf(lay, ['w0', 'b0', 'w1', 'b1']);
    const rates = headRates(lay, alpha);
    for (let t = 0; t < T; t++) {
      const got = flatMixed(lay, adapted, t);
      for (const i of body) expect(got[i]).toBe(theta[i]);
      const ref = sgdRates(lay, theta, tasks[t].support, rates, steps);
      const dGot = head.map((i) => got[i] - theta[i]);
      const dRef = head.map((i) => ref[i] - theta[i]);
      expect(norm(dRef)).toBeGreaterThan(1e-2);
      expect(relErr(dGot, dRef)).toBeLessThan(1e-4);
    }
    expect(adapted.w2.shape).toEqual([T, 8, 1]);
    for (const n of Object.keys(adapted)) if (adapted[n] !== params[n]) adapted[n].dispose();
  });

  it('Meta-SGD: exact meta-gradient w.r.t. the network and every learned rate, used elementwise (vs float64 FD)', () => {
    const alpha = 0.1;
    const steps = 2;
    const mlay = metaSgdLayout(lay);
    const p = metaSgdParams(SIZES, 3, alpha);
    const thetaRates = flatParams(mlay, p);
    // The rates really differ from entry to entry.
    const rateIdx = Array.from({ length: lay.total }, (_, i) => lay.total + i);
    const netIdx = Array.from({ length: lay.total }, (_, i) => i);
    expect(Math.max(...rateIdx.map((i) => thetaRates[i])) - Math.min(...rateIdx.map((i) => thetaRates[i]))).toBeGreaterThan(0.05);
    const fd = finiteDiff((v) => metaSgdLoss(lay, v, tasks, steps), thetaRates, FD_EPS);
    const g = runAlgo(mlay, 'metasgd', p, batch, { innerSteps: steps, alpha });
    expect(relErr(g.grad, fd)).toBeLessThanOrEqual(1e-4);
    expect(relErr(g.grad, fd, netIdx)).toBeLessThanOrEqual(1e-4);
    expect(relErr(g.grad, fd, rateIdx)).toBeLessThanOrEqual(1e-4);
    expect(norm(fd, rateIdx)).toBeGreaterThan(1e-2);
    const refLoss = metaSgdLoss(lay, thetaRates, tasks, steps);
    expect(Math.abs(g.loss - refLoss) / refLoss).toBeLessThan(1e-5);
    // A shared rate (MAML at the mean rate) gives a visibly different network gradient.
    const meanRate = rateIdx.reduce((s, i) => s + thetaRates[i], 0) / lay.total;
    const shared = runAlgo(lay, 'maml', params, batch, { innerSteps: steps, alpha: meanRate });
    expect(relErr(shared.grad, fd, netIdx)).toBeGreaterThan(1e-2);
    disposeParams(p);
  });

  it('Meta-SGD with every rate equal to alpha is MAML (its starting point), rate gradient included', () => {
    const alpha = 0.05;
    const p = metaSgdParams(SIZES, 3, alpha);
    for (const e of lay.entries) {
      p[`lr_${e.name}`].dispose();
      p[`lr_${e.name}`] = tf.fill(e.shape, alpha);
    }
    const mlay = metaSgdLayout(lay);
    const g = runAlgo(mlay, 'metasgd', p, batch, { innerSteps: 1, alpha: 0.3 /* unused: the rates rule */ });
    const m = runAlgo(lay, 'maml', params, batch, { innerSteps: 1, alpha });
    expect(relErr(g.grad.subarray(0, lay.total), m.grad)).toBeLessThan(1e-5);
    // With one step, dL/d rate_i = -mean_t g_support,t,i * gq_t,i (phi_t) (chain rule through phi = theta - r g).
    const ref = new Float64Array(lay.total);
    for (const t of tasks) {
      const gs = mseGrad(lay, theta, t.support);
      const gq = mseGrad(lay, sgd(lay, theta, t.support, alpha, 1), t.query);
      for (let i = 0; i < lay.total; i++) ref[i] -= (gs[i] * gq[i]) / T;
    }
    expect(relErr(g.grad.subarray(lay.total), ref)).toBeLessThan(1e-4);
    disposeParams(p);
  });

  it('Reptile, k = 1: theta - mean(phi) is alpha times the gradient of the mean support loss (vs float64 FD)', () => {
    const alpha = 0.01;
    const fd = finiteDiff((p) => meanSupportLoss(lay, p, tasks), theta, FD_EPS);
    const g = runAlgo(lay, 'reptile', params, batch, { innerSteps: 1, alpha });
    expect(relErr(g.grad, fd.map((v) => alpha * v))).toBeLessThan(1e-4);
    // Its loss is the query loss after adaptation (monitoring only).
    const refLoss = mamlLoss(lay, theta, tasks, alpha, 1);
    expect(Math.abs(g.loss - refLoss) / refLoss).toBeLessThan(1e-5);
  });

  it('Reptile, k = 3: theta - mean_t(phi_t) with phi_t three float64 SGD steps (not 3 alpha grad L(theta))', () => {
    const alpha = 0.05;
    const steps = 3;
    const ref = meanOf(tasks.map((t) => sgd(lay, theta, t.support, alpha, steps))).map((v, i) => theta[i] - v);
    const g = runAlgo(lay, 'reptile', params, batch, { innerSteps: steps, alpha });
    expect(relErr(g.grad, ref)).toBeLessThan(1e-4);
    const linear = meanOf(tasks.map((t) => mseGrad(lay, theta, t.support))).map((v) => steps * alpha * v);
    expect(relErr(linear, ref)).toBeGreaterThan(1e-2);
    const refLoss = mamlLoss(lay, theta, tasks, alpha, steps);
    expect(Math.abs(g.loss - refLoss) / refLoss).toBeLessThan(1e-5);
  });

  it("MetaTrainer's Reptile step is a joint SGD step of size metaLr * alpha for k = 1, annealed linearly", async () => {
    const alpha = 0.01;
    const metaLr = 1;
    const config = cfgFor('reptile', { innerSteps: 1, alpha, metaLr, iterations: 10, metaBatch: T, kSupport: K, kQuery: K, seed: 7 });
    const trainer = new MetaTrainer(config, cloneParams(params));
    // The trainer's batches: its rng forks once for the initialisation, then samples one batch per step.
    const rng = new Rng(config.seed);
    rng.fork();
    const nextTasks = () => {
      const { batch: b } = sampleMetaBatch(rng, T, K, K);
      const ref = batchToRef(b);
      disposeBatch(b);
      return ref;
    };
    try {
      expect(trainer.reptileStepSize()).toBe(metaLr);
      const b1 = nextTasks();
      expect((await trainer.step()).ok).toBe(true);
      const moved = flatParams(lay, trainer.params).map((v, i) => v - theta[i]);
      const fd = finiteDiff((p) => meanSupportLoss(lay, p, b1), theta, FD_EPS);
      expect(relErr(moved, fd.map((v) => -metaLr * alpha * v))).toBeLessThan(1e-3);
      // Half-way through the run the step is half as long, and the trainer applies that.
      for (let i = 1; i < 5; i++) {
        nextTasks();
        expect((await trainer.step()).ok).toBe(true);
      }
      expect(trainer.iteration).toBe(5);
      expect(trainer.reptileStepSize()).toBeCloseTo(metaLr / 2, 12);
      const before = flatParams(lay, trainer.params);
      const b6 = nextTasks();
      expect((await trainer.step()).ok).toBe(true);
      const moved6 = flatParams(lay, trainer.params).map((v, i) => v - before[i]);
      const grad6 = meanOf(b6.map((t) => mseGrad(lay, before, t.support)));
      expect(relErr(moved6, grad6.map((v) => -(metaLr / 2) * alpha * v))).toBeLessThan(1e-3);
      expect(trainer.reptileStepSize()).toBeCloseTo(metaLr * 0.4, 12);
      // At the end of the run it reaches 0, and stays there.
      trainer.iteration = 10;
      expect(trainer.reptileStepSize()).toBe(0);
      trainer.iteration = 12;
      expect(trainer.reptileStepSize()).toBe(0);
    } finally {
      trainer.dispose();
    }
  });

  it('oracle: joint gradient on [x, A, sin phase, cos phase] inputs (vs float64 FD on a [4, 8, 8, 1] net)', () => {
    const olay = layout(ORACLE_SIZES);
    const op = initParams({ sizes: ORACLE_SIZES }, new Rng(5));
    const sampled = sampleMetaBatch(new Rng(205), T, K, K);
    const oTasks = oracleRefTasks(batchToRef(sampled.batch), sampled.tasks);
    const otheta = flatParams(olay, op);
    const fd = finiteDiff((p) => jointLoss(olay, p, oTasks), otheta, FD_EPS);
    const g = runAlgo(olay, 'oracle', op, sampled.batch, { innerSteps: 3, alpha: 0.5 });
    expect(relErr(g.grad, fd)).toBeLessThan(1e-4);
    const refLoss = jointLoss(olay, otheta, oTasks);
    expect(Math.abs(g.loss - refLoss) / refLoss).toBeLessThan(1e-5);
    // The task inputs are used (rows 1-3 of w0 get gradient) and belong to the right task.
    const taskRows = Array.from({ length: 3 * 8 }, (_, i) => 8 + i);
    expect(norm(fd, taskRows)).toBeGreaterThan(1e-2);
    const swapped = runAlgo(olay, 'oracle', op, { ...sampled.batch, tasks: [...sampled.tasks].reverse() }, {});
    expect(relErr(swapped.grad, fd)).toBeGreaterThan(1e-2);
    // Without the tasks there is no input: a clear error, not a silent x-only model.
    const { tasks: _unused, ...noTasks } = sampled.batch;
    expect(() => tf.tidy(() => getAlgorithm('oracle').metaGradient!(op, noTasks, cfgFor('oracle')))).toThrow(/needs the tasks/);
    disposeParams(op);
    disposeBatch(sampled.batch);
  });

  it('metaGradient of every algorithm leaks no tensors inside tf.tidy', () => {
    const small = { sizes: SIZES };
    const forId = (id: AlgorithmId): Params =>
      id === 'oracle' ? initParams({ sizes: ORACLE_SIZES }, new Rng(5)) : id === 'metasgd' ? metaSgdParams(SIZES, 3, 0.05) : initParams(small, new Rng(3));
    const sampled = sampleMetaBatch(new Rng(303), 3, K, K);
    let checked = 0;
    for (const id of ALGORITHM_IDS) {
      const algo = getAlgorithm(id);
      if (!algo.metaGradient) {
        expect(id).toBe('scratch');
        continue;
      }
      const p = forId(id);
      const before = tf.memory().numTensors;
      const r = tf.tidy(() => algo.metaGradient!(p, sampled.batch, cfgFor(id, { innerSteps: 2, alpha: 0.05, cgSteps: 3 })));
      const nStats = Object.keys(r.stats ?? {}).length;
      if (id === 'imaml') expect(Object.keys(r.stats ?? {})).toEqual(['cgResidual', 'innerGradNorm']);
      expect(tf.memory().numTensors, id).toBe(before + 1 + Object.keys(p).length + nStats);
      r.loss.dispose();
      disposeParams(r.grads);
      disposeParams(r.stats);
      expect(tf.memory().numTensors, id).toBe(before);
      disposeParams(p);
      checked++;
    }
    expect(checked).toBe(ALGORITHM_IDS.length - 1);
    disposeBatch(sampled.batch);
  });
});

/** The float64 FD of iMAML's meta-objective (a few seconds of plain JS), computed once for both backends. */
const imamlFdCache = new Map<string, Float64Array>();

describe.each(['wasm', 'cpu'])('iMAML on the %s backend', (backend) => {
  beforeAll(async () => {
    expect(await useNodeBackend(backend)).toBe(backend);
  });

  it('conjugateGradient on hessianVectorProduct solves (I + H/lambda) x = b per task, as an exact float64 solve', () => {
    const lay = layout([1, 3, 3, 1]);
    const n = lay.total;
    // H has eigenvalues down to about -7 here: lambda = 10 keeps A positive definite, condition number ~ 13.
    const lambda = 10;
    const sampled = sampleMetaBatch(new Rng(41), 3, K, K);
    const tasks = batchToRef(sampled.batch);
    // Genuinely different phi per task: a random point, then a per-task offset.
    const rng = new Rng(43);
    const base = Float64Array.from({ length: n }, () => Math.fround(rng.uniform(-0.8, 0.8)));
    const phis = tasks.map((_, t) => base.map((v) => Math.fround(v + 0.1 * t * rng.uniform(-1, 1))));
    // Right-hand sides; the third task's is 0 (it must stay at x = 0 with residual 0).
    const bs = tasks.map((_, t) => Float64Array.from({ length: n }, () => (t === 2 ? 0 : Math.fround(rng.uniform(-1, 1)))));
    const names = lay.entries.map((e) => e.name);
    const phiTensors = toTaskVector(lay, phis);
    const phi: Params = {};
    names.forEach((name, i) => (phi[name] = phiTensors[i]));
    const b = toTaskVector(lay, bs);
    const hvp = hessianVectorProduct(phi, names, sampled.batch.supportX, sampled.batch.supportY);
    const apply = (v: TaskVector) => hvp(v).map((hv, i) => tf.add(v[i], tf.div(hv, lambda)));

    // A = I + H/lambda, column by column from Hessian-vector products on basis vectors (all tasks at once),
    // against the float64 Hessian (central differences of the reference gradient).
    const cols = Array.from({ length: n }, (_, j) =>
      scoped(() => {
        const e = Float64Array.from({ length: n }, (_, i) => (i === j ? 1 : 0));
        const av = apply(toTaskVector(lay, tasks.map(() => e)));
        return tasks.map((_, t) => fromTaskVector(lay, av, t));
      }),
    );
    const A = tasks.map((task, t) => {
      const H = hessianFD(lay, phis[t], task.support);
      const ref = H.map((row, i) => row.map((h, j) => (i === j ? 1 : 0) + h / lambda));
      const got = ref.map((row, i) => row.map((_, j) => cols[j][t][i]));
      expect(relErr(got.flat(), ref.flat())).toBeLessThan(1e-5);
      expect(isPositiveDefinite(ref)).toBe(true);
      return ref;
    });
    // The problem is not trivial: H/lambda is far from 0 for the two real tasks.
    for (const t of [0, 1]) expect(Math.max(...A[t].flat().map((a, k) => Math.abs(a - (k % (n + 1) === 0 ? 1 : 0))))).toBeGreaterThan(0.5);

    const solve = (iterations: number) =>
      scoped(() => {
        const { x, residual } = conjugateGradient(apply, b, iterations);
        return { x: tasks.map((_, t) => fromTaskVector(lay, x, t)), residual: Array.from(residual.dataSync()) };
      });

    // As many iterations as the dimension: the exact solution, residual ~ 0.
    const full = solve(n);
    for (const t of [0, 1]) {
      const exact = solveDense(A[t], bs[t]);
      expect(relErr(full.x[t], exact)).toBeLessThan(1e-4);
      expect(full.residual[t]).toBeLessThan(1e-4);
      // The reported residual is the true one: |b - A x| / |b| in float64.
      const trueRes = norm(matVec(A[t], full.x[t]).map((v, i) => bs[t][i] - v)) / norm(bs[t]);
      expect(trueRes).toBeLessThan(1e-4);
    }
    expect(Array.from(full.x[2])).toEqual(new Array(n).fill(0));
    expect(full.residual[2]).toBe(0);

    // Early iterations are CG's own iterates (float64 textbook CG), with their non-zero residual.
    for (const k of [1, 2, 3]) {
      const few = solve(k);
      for (const t of [0, 1]) {
        const ref = cgDense(A[t], bs[t], k);
        expect(relErr(few.x[t], ref.x)).toBeLessThan(1e-4);
        expect(Math.abs(few.residual[t] - ref.residual)).toBeLessThan(1e-4 + 1e-3 * ref.residual);
        if (k === 1) expect(few.residual[t]).toBeGreaterThan(1e-2);
        expect(relErr(few.x[t], solveDense(A[t], bs[t]))).toBeGreaterThan(1e-3);
      }
    }
    tf.dispose([...phiTensors, ...b]);
    disposeBatch(sampled.batch);
  });

  it('the iMAML meta-gradient is the implicit gradient at the converged proximal solution (vs float64 FD)', () => {
    const lay = layout(SIZES);
    // A ReLU net's proximal problem can have its minimiser on a kink, where fixed-step descent cycles and
    // no stationary point exists (the implicit gradient is then undefined): these seeds and settings give
    // smooth minimisers for all three tasks, which the precondition below checks.
    const params = initParams({ sizes: SIZES }, new Rng(15));
    const sampled = sampleMetaBatch(new Rng(115), 3, K, K);
    const tasks = batchToRef(sampled.batch);
    const theta = flatParams(lay, params);
    const alpha = 0.02;
    const lambda = 20;
    const innerSteps = 150;
    // Precondition: the float64 inner loop has converged (the implicit gradient is exact only there).
    for (const t of tasks) {
      const phi = proximalSgd(lay, theta, t.support, alpha, lambda, innerSteps);
      expect(proximalStationarity(lay, theta, phi, t.support, lambda)).toBeLessThan(1e-9);
    }
    // Same seeds, same float32 data on either backend: the cache key is the data itself.
    const key = JSON.stringify([Array.from(theta), tasks]);
    const fd = imamlFdCache.get(key) ?? finiteDiff((p) => imamlLoss(lay, p, tasks, alpha, lambda, innerSteps), theta, FD_EPS);
    imamlFdCache.set(key, fd);
    const g = runAlgo(lay, 'imaml', params, sampled.batch, { innerSteps, alpha, lambda, cgSteps: 40 });
    const err = relErr(g.grad, fd);
    expect(err).toBeLessThanOrEqual(1e-4);
    expect(g.stats.cgResidual).toBeLessThan(1e-4);
    // Converged inner loop: the reported proximal gradient is ~0 here, and clearly not after 3 steps.
    expect(g.stats.innerGradNorm).toBeLessThan(1e-3);
    const short = runAlgo(lay, 'imaml', params, sampled.batch, { innerSteps: 3, alpha, lambda, cgSteps: 40 });
    expect(short.stats.innerGradNorm).toBeGreaterThan(100 * g.stats.innerGradNorm);
    const refLoss = imamlLoss(lay, theta, tasks, alpha, lambda, innerSteps);
    expect(Math.abs(g.loss - refLoss) / refLoss).toBeLessThan(1e-4);
    // Wrong variants are visibly off: first order (the query gradient at phi*), and a single CG step.
    const firstOrder = meanOf(tasks.map((t) => mseGrad(lay, proximalSgd(lay, theta, t.support, alpha, lambda, innerSteps), t.query)));
    expect(relErr(firstOrder, fd)).toBeGreaterThan(Math.max(1e-2, 10 * err));
    const oneStep = runAlgo(lay, 'imaml', params, sampled.batch, { innerSteps, alpha, lambda, cgSteps: 1 });
    expect(oneStep.stats.cgResidual).toBeGreaterThan(1e-2);
    expect(relErr(oneStep.grad, fd)).toBeGreaterThan(10 * err);
    disposeParams(params);
    disposeBatch(sampled.batch);
  });
});

describe('scratch and the initial model', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  it('scratch has nothing to meta-train: no metaGradient, and MetaTrainer refuses it clearly', () => {
    expect(getAlgorithm('scratch').metaGradient).toBeNull();
    expect(() => new MetaTrainer({ ...defaultTrainConfig('scratch'), iterations: 10 })).toThrow(/Scratch.*nothing to meta-train/);
  });

  for (const id of ['maml', 'metasgd', 'oracle'] as AlgorithmId[]) {
    it(`initialModel() is exactly what a MetaTrainer starts from (${id})`, () => {
      const config = cfgFor(id, { seed: 42, alpha: 0.02 });
      const fromConfig = initialModel(config);
      const trainer = new MetaTrainer(config);
      expect(Object.keys(fromConfig).sort()).toEqual(Object.keys(trainer.params).sort());
      for (const [n, t] of Object.entries(fromConfig)) {
        expect(t.shape).toEqual(trainer.params[n].shape);
        expect(Array.from(t.dataSync())).toEqual(Array.from(trainer.params[n].dataSync()));
      }
      if (id === 'metasgd') expect(Array.from(new Set(fromConfig.lr_w1.dataSync()))).toEqual([Math.fround(0.02)]);
      if (id === 'oracle') expect(fromConfig.w0.shape).toEqual([4, 40]);
      // A different seed gives a different model (the comparison above is not vacuous).
      const other = initialModel({ ...config, seed: 43 });
      expect(Array.from(other.w1.dataSync())).not.toEqual(Array.from(fromConfig.w1.dataSync()));
      disposeParams(other);
      disposeParams(fromConfig);
      trainer.dispose();
    });
  }
});

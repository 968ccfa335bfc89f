/// <reference types="@webgpu/types" />
/**
 * MAML's meta-gradient on WebGPU in two compute dispatches per call (issue 5, target 3), where the TF.js path
 * issues ~640 kernels. The same maths as src/meta/fast/maml.ts (FastMaml.metaGradient), in float32:
 *
 *   dispatch 1, one workgroup per task: the inner SGD steps on the support set (forward + backprop), the query
 *     loss and its gradient v at phi_k, and, when exact, v <- v - alpha H(phi_j) v from the last step to the
 *     first (the R-operator of the forward and backward passes, as in mlp.ts's hessianVector); writes the
 *     task's meta-gradient and query loss as one row of a [tasks, P + 1] buffer;
 *   dispatch 2: the mean over tasks into a [P + 1] buffer, then copied to a MAP_READ buffer and read back with
 *     mapAsync (never synchronously).
 *
 * The WGSL is generated from the layer sizes (all shapes are constants of the shader) and its pipelines are
 * cached per device and shape. Every per-task intermediate (each step's parameters phi_j, activations,
 * pre-activations and errors, the R-pass vectors, v) lives in a per-task region of one global scratch buffer,
 * so no shape is bounded by workgroup memory; the 64 threads of a workgroup split the rows x units (or the
 * parameters) of each layer between them, with a barrier between phases.
 *
 * Parameters use mlp.ts's flat layout: w0, b0, w1, b1, ... with w [in, out] row-major. No DOM, no tfjs.
 */
import type { TaskSet } from '../contracts/tasks/sampling';

export interface GpuMamlOptions {
  sizes: number[];
  tasks: number;
  kSupport: number;
  kQuery: number;
  maxSteps: number;
}

const WG = 64;
/** WebGPU's default maxStorageBufferBindingSize and maxComputeWorkgroupsPerDimension. */
const DEFAULT_MAX_BINDING = 134_217_728;
const MAX_WORKGROUPS = 65_535;
const MAX_WIDTH = 4096;
const MAX_STEPS = 64;
/** Uniform block: steps (u32), exact (u32), alpha (f32), tasks (u32). */
const UNIFORM_BYTES = 16;

interface Plan {
  sizes: number[];
  L: number;
  /** Flat parameter count and each layer's weight / bias offsets in it. */
  P: number;
  w: number[];
  b: number[];
  K: number;
  Q: number;
  maxSteps: number;
  /** Offsets inside one task's scratch region (floats). */
  xs: number;
  ys: number;
  xq: number;
  yq: number;
  phi: number;
  v: number;
  /** Support slots (one per inner step, `slot` floats apart) and the query slot. Per layer l of a slot: A[l]
   * (l >= 1; A[0] is the input), Z[l], E[l]. */
  slots: number;
  slot: number;
  query: number;
  /** Layer offsets within a support slot and within the query slot. */
  sA: number[];
  sZ: number[];
  sE: number[];
  qA: number[];
  qZ: number[];
  qE: number[];
  /** R-pass vectors (support rows): RA[l] (l >= 1; RA[0] = 0), RZ[l], RE[l]. */
  rA: number[];
  rZ: number[];
  rE: number[];
  /** Floats per task region. */
  stride: number;
  /** Task data buffer: per task (dStride floats apart) its sx, sy, qx, qy at these offsets; `tasks` of them. */
  dSx: number;
  dSy: number;
  dQx: number;
  dQy: number;
  dStride: number;
  dataFloats: number;
}

function plan(o: GpuMamlOptions): Plan {
  const { sizes, kSupport: K, kQuery: Q, maxSteps, tasks } = o;
  const L = sizes.length - 1;
  const nIn = sizes[0];
  const nOut = sizes[L];
  const w: number[] = [];
  const b: number[] = [];
  let P = 0;
  for (let l = 0; l < L; l++) {
    w.push(P);
    P += sizes[l] * sizes[l + 1];
    b.push(P);
    P += sizes[l + 1];
  }
  let off = 0;
  const take = (n: number) => {
    const at = off;
    off += n;
    return at;
  };
  const xs = take(K * nIn);
  const ys = take(K * nOut);
  const xq = take(Q * nIn);
  const yq = take(Q * nOut);
  const phi = take((maxSteps + 1) * P);
  const v = take(P);
  // One slot's layout for n rows, offsets relative to the slot's start.
  const slotLayout = (n: number) => {
    let s = 0;
    const A: number[] = [];
    const Z: number[] = [];
    const E: number[] = [];
    for (let l = 0; l < L; l++) {
      A.push(l === 0 ? -1 : s);
      if (l > 0) s += n * sizes[l];
      Z.push(s);
      s += n * sizes[l + 1];
      E.push(s);
      s += n * sizes[l + 1];
    }
    return { A, Z, E, size: s };
  };
  const sup = slotLayout(K);
  const qry = slotLayout(Q);
  const slots = take(maxSteps * sup.size);
  const query = take(qry.size);
  const r = slotLayout(K);
  const rBase = take(r.size);
  const shift = (xs: number[]) => xs.map((x) => (x < 0 ? x : x + rBase));
  const stride = off;
  const dSx = 0;
  const dSy = dSx + K * nIn;
  const dQx = dSy + K * nOut;
  const dQy = dQx + Q * nIn;
  const dStride = dQy + Q * nOut;
  const dataFloats = tasks * dStride;
  return {
    sizes, L, P, w, b, K, Q, maxSteps, xs, ys, xq, yq, phi, v,
    slots, slot: sup.size, query,
    sA: sup.A, sZ: sup.Z, sE: sup.E, qA: qry.A, qZ: qry.Z, qE: qry.E,
    rA: shift(r.A), rZ: shift(r.Z), rE: shift(r.E),
    stride, dSx, dSy, dQx, dQy, dStride, dataFloats,
  };
}

const f32Lit = (x: number) => {
  const s = Math.fround(x).toPrecision(9);
  return /[.e]/.test(s) ? s : `${s}.0`;
};

/** The per-task kernel: everything for one task in one workgroup. */
function taskShader(p: Plan): string {
  const { sizes, L, P, K, Q } = p;
  const nIn = sizes[0];
  const nOut = sizes[L];
  const u = (n: number) => `${n}u`;
  const lines: string[] = [];
  const emit = (s: string) => lines.push(s);

  // Forward pass through parameters at `pp` from input at `x`, into a slot at `slot` with offsets A, Z.
  const forward = (pp: string, x: string, slot: string, A: number[], Z: number[], n: number) => {
    for (let l = 0; l < L; l++) {
      const a = l === 0 ? x : `${slot} + ${u(A[l])}`;
      const next = l < L - 1 ? `${slot} + ${u(A[l + 1])}` : 'NONE';
      emit(`    affine(${slot} + ${u(Z[l])}, ${a}, ${next}, ${pp}, ${u(p.w[l])}, ${u(p.b[l])}, ${u(n)}, ${u(sizes[l])}, ${u(sizes[l + 1])});`);
      emit('    sync();');
    }
  };
  // Backprop of the errors E[L-1] (already set) down to E[0], through the parameters at `pp`.
  const backward = (pp: string, slot: string, Z: number[], E: number[], n: number) => {
    for (let l = L - 1; l > 0; l--) {
      emit(`    back(${slot} + ${u(E[l - 1])}, ${slot} + ${u(Z[l - 1])}, ${slot} + ${u(E[l])}, ${pp}, ${u(p.w[l])}, ${u(n)}, ${u(sizes[l])}, ${u(sizes[l + 1])});`);
      emit('    sync();');
    }
  };
  // dst = (src or 0) + scale * gradient, layer by layer (disjoint parameters: one barrier after all layers).
  const gradient = (dst: string, src: string, useSrc: boolean, scale: string, x: string, slot: string, A: number[], E: number[], n: number) => {
    for (let l = 0; l < L; l++) {
      const a = l === 0 ? x : `${slot} + ${u(A[l])}`;
      emit(`    grad(${dst}, ${src}, ${useSrc}, ${scale}, ${a}, ${slot} + ${u(E[l])}, 0u, 0u, false, ${u(p.w[l])}, ${u(n)}, ${u(sizes[l])}, ${u(sizes[l + 1])});`);
    }
    emit('    sync();');
  };

  emit(`// Generated for sizes [${sizes.join(', ')}], K = ${K}, Q = ${Q}, up to ${p.maxSteps} inner steps; P = ${P}.`);
  emit(`struct Params { steps: u32, exact: u32, alpha: f32, tasks: u32 }`);
  emit(`@group(0) @binding(0) var<uniform> U: Params;`);
  emit(`@group(0) @binding(1) var<storage, read> theta: array<f32>;`);
  emit(`@group(0) @binding(2) var<storage, read> data: array<f32>;`);
  emit(`@group(0) @binding(3) var<storage, read_write> S: array<f32>;`);
  emit(`@group(0) @binding(4) var<storage, read_write> perTask: array<f32>;`);
  emit(`const WG: u32 = ${u(WG)};`);
  emit(`const NONE: u32 = 0xffffffffu;`);
  emit(`var<private> tid: u32;`);
  emit(`
// Every intermediate is in the storage buffer S: a barrier that orders storage memory, and the execution barrier.
fn sync() {
  storageBarrier();
  workgroupBarrier();
}

// z[r, c] = b[c] + sum_i a[r, i] W[i, c] for n rows; an = relu(z) unless an == NONE.
fn affine(z: u32, a: u32, an: u32, pp: u32, W: u32, B: u32, n: u32, nI: u32, nO: u32) {
  for (var k = tid; k < n * nO; k += WG) {
    let r = k / nO;
    let c = k - r * nO;
    var s = S[pp + B + c];
    for (var i = 0u; i < nI; i++) {
      s += S[a + r * nI + i] * S[pp + W + i * nO + c];
    }
    S[z + k] = s;
    if (an != NONE) {
      S[an + k] = select(0.0, s, s > 0.0);
    }
  }
}

// The R-operator of affine: rz = ra W + a V + vb (ra = 0 when !hasRa); ran = rz masked by z > 0 unless NONE.
fn affineR(rz: u32, ra: u32, hasRa: bool, a: u32, pp: u32, vv: u32, W: u32, B: u32, n: u32, nI: u32, nO: u32, ran: u32, zm: u32) {
  for (var k = tid; k < n * nO; k += WG) {
    let r = k / nO;
    let c = k - r * nO;
    var s = S[vv + B + c];
    for (var i = 0u; i < nI; i++) {
      let wi = W + i * nO + c;
      s += S[a + r * nI + i] * S[vv + wi];
      if (hasRa) {
        s += S[ra + r * nI + i] * S[pp + wi];
      }
    }
    S[rz + k] = s;
    if (ran != NONE) {
      S[ran + k] = select(0.0, s, S[zm + k] > 0.0);
    }
  }
}

// The output layer's error: e = c (z - y), or its R-operator re = c rz (y == NONE).
fn outErr(e: u32, z: u32, y: u32, count: u32, c: f32) {
  for (var k = tid; k < count; k += WG) {
    var d = S[z + k];
    if (y != NONE) {
      d -= S[y + k];
    }
    S[e + k] = c * d;
  }
}

// Backprop through one layer and the ReLU before it: prev[r, i] = relu'(zp[r, i]) sum_c e[r, c] W[i, c];
// with hasV, its R-operator: + e2[r, c] V[i, c] (e = R{e}, e2 = e).
fn back2(prev: u32, zp: u32, e: u32, pp: u32, hasV: bool, e2: u32, vv: u32, W: u32, n: u32, nI: u32, nO: u32) {
  for (var k = tid; k < n * nI; k += WG) {
    let r = k / nI;
    let i = k - r * nI;
    var s = 0.0;
    if (S[zp + k] > 0.0) {
      for (var c = 0u; c < nO; c++) {
        let wi = W + i * nO + c;
        s += S[e + r * nO + c] * S[pp + wi];
        if (hasV) {
          s += S[e2 + r * nO + c] * S[vv + wi];
        }
      }
    }
    S[prev + k] = s;
  }
}

fn back(prev: u32, zp: u32, e: u32, pp: u32, W: u32, n: u32, nI: u32, nO: u32) {
  back2(prev, zp, e, pp, false, 0u, 0u, W, n, nI, nO);
}

// One layer's parameters (weights at W, then biases): dst = (useSrc ? src : 0) + scale g, where
// g_W[i, c] = sum_r a[r, i] e[r, c] (+ a2[r, i] e2[r, c] when has2) and g_b[c] = sum_r e[r, c].
fn grad(dst: u32, src: u32, useSrc: bool, scale: f32, a: u32, e: u32, a2: u32, e2: u32, has2: bool, W: u32, n: u32, nI: u32, nO: u32) {
  let nW = nI * nO;
  for (var k = tid; k < nW + nO; k += WG) {
    var g = 0.0;
    if (k < nW) {
      let i = k / nO;
      let c = k - i * nO;
      for (var r = 0u; r < n; r++) {
        g += S[a + r * nI + i] * S[e + r * nO + c];
        if (has2) {
          g += S[a2 + r * nI + i] * S[e2 + r * nO + c];
        }
      }
    } else {
      let c = k - nW;
      for (var r = 0u; r < n; r++) {
        g += S[e + r * nO + c];
      }
    }
    var old = 0.0;
    if (useSrc) {
      old = S[src + W + k];
    }
    S[dst + W + k] = old + scale * g;
  }
}
`);

  const sizesIn = (n: number) => n * nIn;
  const sizesOut = (n: number) => n * nOut;
  emit(`@compute @workgroup_size(${WG})`);
  emit(`fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {`);
  emit(`  tid = li;`);
  emit(`  let t = wg.x;`);
  emit(`  let base = t * ${u(p.stride)};`);
  emit(`  let alpha = U.alpha;`);
  emit(`  let steps = U.steps;`);
  emit(`  // This task's points and theta = phi_0 into the scratch region.`);
  const copy = (dst: number, src: number, n: number) =>
    emit(`  for (var k = tid; k < ${u(n)}; k += WG) { S[base + ${u(dst)} + k] = data[t * ${u(p.dStride)} + ${u(src)} + k]; }`);
  copy(p.xs, p.dSx, sizesIn(K));
  copy(p.ys, p.dSy, sizesOut(K));
  copy(p.xq, p.dQx, sizesIn(Q));
  copy(p.yq, p.dQy, sizesOut(Q));
  emit(`  for (var k = tid; k < ${u(P)}; k += WG) { S[base + ${u(p.phi)} + k] = theta[k]; }`);
  emit(`  sync();`);

  emit(`  // Inner SGD steps on the support set: phi_{j+1} = phi_j - alpha grad L_support(phi_j). Slot j keeps step j's`);
  emit(`  // activations and errors for the backward pass.`);
  emit(`  for (var j = 0u; j < steps; j++) {`);
  emit(`    let pp = base + ${u(p.phi)} + j * ${u(P)};`);
  emit(`    let slot = base + ${u(p.slots)} + j * ${u(p.slot)};`);
  forward('pp', `base + ${u(p.xs)}`, 'slot', p.sA, p.sZ, K);
  emit(`    outErr(slot + ${u(p.sE[L - 1])}, slot + ${u(p.sZ[L - 1])}, base + ${u(p.ys)}, ${u(sizesOut(K))}, ${f32Lit(2 / (K * nOut))});`);
  emit('    sync();');
  backward('pp', 'slot', p.sZ, p.sE, K);
  gradient(`pp + ${u(P)}`, 'pp', true, '-alpha', `base + ${u(p.xs)}`, 'slot', p.sA, p.sE, K);
  emit(`  }`);

  emit(`  // The query loss and its gradient v at phi_k.`);
  emit(`  var loss = 0.0;`);
  emit(`  {`);
  emit(`    let pp = base + ${u(p.phi)} + steps * ${u(P)};`);
  emit(`    let slot = base + ${u(p.query)};`);
  forward('pp', `base + ${u(p.xq)}`, 'slot', p.qA, p.qZ, Q);
  emit(`    if (tid == 0u) {`);
  emit(`      for (var k = 0u; k < ${u(sizesOut(Q))}; k++) {`);
  emit(`        let d = S[slot + ${u(p.qZ[L - 1])} + k] - S[base + ${u(p.yq)} + k];`);
  emit(`        loss += d * d;`);
  emit(`      }`);
  emit(`      loss /= ${f32Lit(sizesOut(Q))};`);
  emit(`    }`);
  emit(`    outErr(slot + ${u(p.qE[L - 1])}, slot + ${u(p.qZ[L - 1])}, base + ${u(p.yq)}, ${u(sizesOut(Q))}, ${f32Lit(2 / (Q * nOut))});`);
  emit('    sync();');
  backward('pp', 'slot', p.qZ, p.qE, Q);
  gradient(`base + ${u(p.v)}`, '0u', false, '1.0', `base + ${u(p.xq)}`, 'slot', p.qA, p.qE, Q);
  emit(`  }`);

  emit(`  // Exact: d phi_{j+1} / d phi_j = I - alpha H(phi_j) (symmetric): v <- v - alpha H(phi_j) v, last step first.`);
  emit(`  if (U.exact != 0u) {`);
  emit(`    for (var jj = 0u; jj < steps; jj++) {`);
  emit(`      let j = steps - 1u - jj;`);
  emit(`      let pp = base + ${u(p.phi)} + j * ${u(P)};`);
  emit(`      let slot = base + ${u(p.slots)} + j * ${u(p.slot)};`);
  emit(`      let vv = base + ${u(p.v)};`);
  for (let l = 0; l < L; l++) {
    const a = l === 0 ? `base + ${u(p.xs)}` : `slot + ${u(p.sA[l])}`;
    const ra = l === 0 ? '0u' : `base + ${u(p.rA[l])}`;
    const ran = l < L - 1 ? `base + ${u(p.rA[l + 1])}` : 'NONE';
    emit(`      affineR(base + ${u(p.rZ[l])}, ${ra}, ${l > 0}, ${a}, pp, vv, ${u(p.w[l])}, ${u(p.b[l])}, ${u(K)}, ${u(sizes[l])}, ${u(sizes[l + 1])}, ${ran}, slot + ${u(p.sZ[l])});`);
    emit('      sync();');
  }
  emit(`      outErr(base + ${u(p.rE[L - 1])}, base + ${u(p.rZ[L - 1])}, NONE, ${u(sizesOut(K))}, ${f32Lit(2 / (K * nOut))});`);
  emit('      sync();');
  for (let l = L - 1; l > 0; l--) {
    emit(`      back2(base + ${u(p.rE[l - 1])}, slot + ${u(p.sZ[l - 1])}, base + ${u(p.rE[l])}, pp, true, slot + ${u(p.sE[l])}, vv, ${u(p.w[l])}, ${u(K)}, ${u(sizes[l])}, ${u(sizes[l + 1])});`);
    emit('      sync();');
  }
  // H v: R{g_W} = a^T R{e} + R{a}^T e, R{g_b} = sum R{e}. Reads no v, so v is updated in place.
  for (let l = 0; l < L; l++) {
    const a = l === 0 ? `base + ${u(p.xs)}` : `slot + ${u(p.sA[l])}`;
    const ra = l === 0 ? '0u' : `base + ${u(p.rA[l])}`;
    emit(`      grad(vv, vv, true, -alpha, ${a}, base + ${u(p.rE[l])}, ${ra}, slot + ${u(p.sE[l])}, ${l > 0}, ${u(p.w[l])}, ${u(K)}, ${u(sizes[l])}, ${u(sizes[l + 1])});`);
  }
  emit('      sync();');
  emit(`    }`);
  emit(`  }`);

  emit(`  for (var k = tid; k < ${u(P)}; k += WG) { perTask[t * ${u(P + 1)} + k] = S[base + ${u(p.v)} + k]; }`);
  emit(`  if (tid == 0u) { perTask[t * ${u(P + 1)} + ${u(P)}] = loss; }`);
  emit(`}`);
  return lines.join('\n');
}

/** The mean over tasks of the [tasks, P + 1] rows. */
function meanShader(p: Plan): string {
  return `struct Params { steps: u32, exact: u32, alpha: f32, tasks: u32 }
@group(0) @binding(0) var<uniform> U: Params;
@group(0) @binding(1) var<storage, read> perTask: array<f32>;
@group(0) @binding(2) var<storage, read_write> mean: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let q = gid.x;
  if (q >= ${p.P + 1}u) { return; }
  var s = 0.0;
  for (var t = 0u; t < U.tasks; t++) { s += perTask[t * ${p.P + 1}u + q]; }
  mean[q] = s / f32(U.tasks);
}`;
}

interface Pipelines {
  task: GPUComputePipeline;
  mean: GPUComputePipeline;
}

/** Compiled pipelines per device and shape (the shape is all the generated shaders depend on). */
const pipelineCache = new WeakMap<GPUDevice, Map<string, Promise<Pipelines>>>();

function pipelinesFor(device: GPUDevice, p: Plan): Promise<Pipelines> {
  let perDevice = pipelineCache.get(device);
  if (!perDevice) pipelineCache.set(device, (perDevice = new Map()));
  // Everything the shaders bake in (not the task count: the data are laid out task by task).
  const key = JSON.stringify([p.sizes, p.K, p.Q, p.maxSteps]);
  let made = perDevice.get(key);
  if (!made) {
    const compile = (code: string, label: string) =>
      device.createComputePipelineAsync({ label, layout: 'auto', compute: { module: device.createShaderModule({ label, code }), entryPoint: 'main' } });
    made = Promise.all([compile(taskShader(p), 'maml-per-task'), compile(meanShader(p), 'maml-mean')]).then(([task, mean]) => ({ task, mean }));
    made.catch(() => perDevice!.delete(key)); // a failed compile is not cached
    perDevice.set(key, made);
  }
  return made;
}

export class GpuMaml {
  /** Compute dispatches (dispatchWorkgroups calls) issued by one metaGradient call. */
  readonly dispatchesPerCall = 2;
  private readonly plan: Plan;
  private readonly options: GpuMamlOptions;
  private readonly uniform: GPUBuffer;
  private readonly theta: GPUBuffer;
  private readonly data: GPUBuffer;
  private readonly scratch: GPUBuffer;
  private readonly perTask: GPUBuffer;
  private readonly mean: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly theta32: Float32Array<ArrayBuffer>;
  private readonly data32: Float32Array<ArrayBuffer>;
  private readonly uniformBytes = new ArrayBuffer(UNIFORM_BYTES);
  private readonly uniformView = new DataView(this.uniformBytes);
  private bound: { pipelines: Pipelines; task: GPUBindGroup; mean: GPUBindGroup } | null = null;
  /** Calls run one after another: they share the buffers. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  /** Whether the shader handles this shape; null if it does, else why not. */
  static limits(o: GpuMamlOptions, maxBinding = DEFAULT_MAX_BINDING): string | null {
    const int = (x: number) => Number.isInteger(x);
    if (!Array.isArray(o.sizes) || o.sizes.length < 2) return 'sizes needs at least an input and an output width';
    if (!o.sizes.every((s) => int(s) && s >= 1 && s <= MAX_WIDTH)) return `layer widths must be integers from 1 to ${MAX_WIDTH}`;
    if (!int(o.tasks) || o.tasks < 1 || o.tasks > MAX_WORKGROUPS) return `tasks must be an integer from 1 to ${MAX_WORKGROUPS} (one workgroup each)`;
    if (!int(o.kSupport) || o.kSupport < 1) return 'kSupport must be a positive integer';
    if (!int(o.kQuery) || o.kQuery < 1) return 'kQuery must be a positive integer';
    if (!int(o.maxSteps) || o.maxSteps < 0 || o.maxSteps > MAX_STEPS) return `maxSteps must be an integer from 0 to ${MAX_STEPS}`;
    const p = plan(o);
    if (Math.ceil((p.P + 1) / WG) > MAX_WORKGROUPS) return 'too many parameters for the averaging dispatch';
    const biggest = Math.max(p.stride * o.tasks, p.dataFloats, (p.P + 1) * o.tasks) * 4;
    if (biggest > maxBinding) return `needs a ${biggest}-byte storage buffer; the device allows ${maxBinding}`;
    if (p.stride * o.tasks >= 2 ** 32) return 'scratch indices would overflow u32';
    return null;
  }

  constructor(
    private readonly device: GPUDevice,
    o: GpuMamlOptions,
  ) {
    const why = GpuMaml.limits(o, device.limits.maxStorageBufferBindingSize);
    if (why) throw new Error(`GpuMaml cannot run this shape: ${why}`);
    this.plan = plan({ ...o, sizes: [...o.sizes] });
    this.options = { ...o, sizes: [...o.sizes] };
    const p = this.plan;
    const S = GPUBufferUsage.STORAGE;
    const buf = (label: string, floats: number, usage: number) =>
      device.createBuffer({ label, size: Math.max(4, floats * 4), usage });
    this.uniform = device.createBuffer({ label: 'maml-uniform', size: UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.theta = buf('maml-theta', p.P, S | GPUBufferUsage.COPY_DST);
    this.data = buf('maml-data', p.dataFloats, S | GPUBufferUsage.COPY_DST);
    this.scratch = buf('maml-scratch', p.stride * o.tasks, S);
    this.perTask = buf('maml-per-task', (p.P + 1) * o.tasks, S);
    this.mean = buf('maml-mean', p.P + 1, S | GPUBufferUsage.COPY_SRC);
    this.staging = buf('maml-staging', p.P + 1, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    this.theta32 = new Float32Array(p.P);
    this.data32 = new Float32Array(p.dataFloats);
    // Start compiling now; the first call waits for it.
    void pipelinesFor(device, p).catch(() => undefined);
  }

  /** Same contract as FastMaml.metaGradient: mean query loss returned, mean meta-gradient (float64, overwritten) into grad. */
  metaGradient(theta: Float64Array, data: TaskSet, steps: number, alpha: number, exact: boolean, grad: Float64Array): Promise<number> {
    const run = this.queue.then(() => this.run(theta, data, steps, alpha, exact, grad));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(theta: Float64Array, data: TaskSet, steps: number, alpha: number, exact: boolean, grad: Float64Array): Promise<number> {
    if (this.disposed) throw new Error('GpuMaml was disposed');
    const p = this.plan;
    const o = this.options;
    const T = data.tasks.length;
    const nIn = p.sizes[0];
    const nOut = p.sizes[p.L];
    if (!Number.isInteger(steps) || steps < 0 || steps > p.maxSteps) throw new Error(`steps must be an integer from 0 to ${p.maxSteps}`);
    if (data.kSupport !== p.K || data.kQuery !== p.Q) throw new Error(`this GpuMaml was built for K = ${p.K}, Q = ${p.Q}; got K = ${data.kSupport}, Q = ${data.kQuery}`);
    if (T < 1 || T > o.tasks) throw new Error(`this GpuMaml takes 1 to ${o.tasks} tasks; got ${T}`);
    if (theta.length !== p.P || grad.length !== p.P) throw new Error(`theta and grad must have ${p.P} entries`);
    const need = [data.sx.length, data.sy.length, data.qx.length, data.qy.length];
    const want = [T * p.K * nIn, T * p.K * nOut, T * p.Q * nIn, T * p.Q * nOut];
    if (need.some((n, i) => n !== want[i])) throw new Error(`task data sizes ${need.join(', ')} do not match [${want.join(', ')}]`);

    const pipelines = await pipelinesFor(this.device, p);
    if (this.disposed) throw new Error('GpuMaml was disposed');
    if (!this.bound || this.bound.pipelines !== pipelines) {
      const entries = (bs: GPUBuffer[]) => bs.map((buffer, binding) => ({ binding, resource: { buffer } }));
      this.bound = {
        pipelines,
        task: this.device.createBindGroup({
          label: 'maml-per-task',
          layout: pipelines.task.getBindGroupLayout(0),
          entries: entries([this.uniform, this.theta, this.data, this.scratch, this.perTask]),
        }),
        mean: this.device.createBindGroup({
          label: 'maml-mean',
          layout: pipelines.mean.getBindGroupLayout(0),
          entries: entries([this.uniform, this.perTask, this.mean]),
        }),
      };
    }

    // Uploads: theta as float32, the tasks' points at the offsets the shader was built with.
    for (let i = 0; i < p.P; i++) this.theta32[i] = theta[i];
    const d = this.data32;
    const [sx, sy, qx, qy] = [p.K * nIn, p.K * nOut, p.Q * nIn, p.Q * nOut];
    for (let t = 0; t < T; t++) {
      const at = t * p.dStride;
      d.set(data.sx.subarray(t * sx, (t + 1) * sx), at + p.dSx);
      d.set(data.sy.subarray(t * sy, (t + 1) * sy), at + p.dSy);
      d.set(data.qx.subarray(t * qx, (t + 1) * qx), at + p.dQx);
      d.set(data.qy.subarray(t * qy, (t + 1) * qy), at + p.dQy);
    }
    const dv = this.uniformView;
    dv.setUint32(0, steps, true);
    dv.setUint32(4, exact ? 1 : 0, true);
    dv.setFloat32(8, alpha, true);
    dv.setUint32(12, T, true);
    const q = this.device.queue;
    q.writeBuffer(this.uniform, 0, this.uniformBytes);
    q.writeBuffer(this.theta, 0, this.theta32);
    q.writeBuffer(this.data, 0, this.data32, 0, T * p.dStride);

    this.device.pushErrorScope('validation');
    const enc = this.device.createCommandEncoder({ label: 'maml-meta-gradient' });
    const pass = enc.beginComputePass({ label: 'maml-meta-gradient' });
    pass.setPipeline(pipelines.task);
    pass.setBindGroup(0, this.bound.task);
    pass.dispatchWorkgroups(T);
    pass.setPipeline(pipelines.mean);
    pass.setBindGroup(0, this.bound.mean);
    pass.dispatchWorkgroups(Math.ceil((p.P + 1) / WG));
    pass.end();
    enc.copyBufferToBuffer(this.mean, 0, this.staging, 0, (p.P + 1) * 4);
    q.submit([enc.finish()]);
    const invalid = this.device.popErrorScope();

    await this.staging.mapAsync(GPUMapMode.READ);
    const error = await invalid;
    try {
      if (error) throw new Error(`WebGPU validation error in GpuMaml: ${error.message}`);
      const out = new Float32Array(this.staging.getMappedRange());
      for (let i = 0; i < p.P; i++) grad[i] = out[i];
      return out[p.P];
    } finally {
      this.staging.unmap();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // After any call in flight: its buffers stay valid until it has read back.
    void this.queue.then(() => {
      for (const b of [this.uniform, this.theta, this.data, this.scratch, this.perTask, this.mean, this.staging]) b.destroy();
    });
  }
}

/**
 * The benchmark's per-task-loop reference is the same MAML as MetaTrainer's batched one: same tasks, same
 * meta-gradient, same Adam, so its timings compare like with like. And it leaks no tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { defaultTrainConfig } from '../../src/meta/contracts/config';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { readParams } from '../../src/meta/engine/params';
import { PerTaskLoopMaml } from '../../src/meta/engine/reference-loop';
import { MetaTrainer } from '../../src/meta/engine/trainer';

beforeAll(async () => {
  await useNodeBackend('wasm');
});

it('PerTaskLoopMaml follows MetaTrainer (MAML) step by step', async () => {
  const config = { ...defaultTrainConfig('maml'), metaBatch: 4, iterations: 3, seed: 9 };
  const loop = new PerTaskLoopMaml(config);
  const batched = new MetaTrainer(config);
  let before = 0;
  for (let i = 0; i < 3; i++) {
    // Counted once both Adams hold their moments.
    if (i === 1) before = tf.memory().numTensors;
    const a = await loop.step();
    const b = await batched.step();
    expect(b.ok).toBe(true);
    expect(Math.abs(a - b.loss) / b.loss).toBeLessThan(1e-4);
  }
  expect(tf.memory().numTensors).toBe(before);
  const [pa, pb] = [await readParams(loop.params), await readParams(batched.params)];
  for (const name of Object.keys(pb)) {
    const worst = Math.max(...pb[name].values.map((v, i) => Math.abs(v - pa[name].values[i])));
    expect(worst, name).toBeLessThan(1e-5);
  }
  loop.dispose();
  batched.dispose();
});

/**
 * The worker's model registry (src/worker/models.ts): a classifier made on first use survives the tf.tidy it
 * was first asked for in (an evaluation's: under load it came before any click, and the tidy freed the new
 * model, so the next click failed with "Cannot read properties of undefined (reading 'backend')"); replacing
 * a model frees the old tensors and nothing else; keys name their problem.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelKey } from '../../src/meta/contracts/checkpoint';
import { planeMlp } from '../../src/meta/contracts/architecture';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { initParams } from '../../src/meta/engine/model';
import { Rng } from '../../src/meta/contracts/random';
import { Models, problemOfKey } from '../../src/worker/models';

beforeAll(async () => {
  await useNodeBackend('cpu');
});

const alive = (t: tf.Tensor) => !t.isDisposed;

describe('Models', () => {
  it('a classifier first asked for inside a tf.tidy outlives it, and is the same model afterwards', () => {
    const models = new Models();
    models.reset();
    const plane = { problem: 'plane' as const, classes: 3 };
    const inside = tf.tidy(() => {
      const m = models.of('maml', plane);
      return tf.sum(m.params.w0); // the tidy keeps what it returns, frees everything else it made
    });
    inside.dispose();
    const m = models.of('maml', plane);
    expect(Object.values(m.params).every(alive)).toBe(true);
    expect(m.params.w2.shape).toEqual([40, 3]);
    expect(m.training).toMatchObject({ problem: 'plane', classes: 3, iterations: 0 });
    expect(models.of('maml', plane)).toBe(m);
    expect(models.of('maml', { problem: 'glyphs', classes: 5 }).params.w0.shape).toEqual([784, 128]);
  });

  it('set frees the replaced parameters; reset frees everything and starts the sinusoid models again', () => {
    const models = new Models();
    models.reset();
    const before = tf.memory().numTensors;
    const old = models.of('fomaml').params;
    const fresh = initParams(planeMlp(2), new Rng(1));
    models.set(modelKey('fomaml', { problem: 'plane', classes: 2 }), { params: fresh, training: models.of('fomaml').training, provenance: { kind: 'random', reason: 'start' } });
    expect(Object.values(old).every(alive)).toBe(true); // another key: untouched
    const replacement = initParams({ sizes: [1, 40, 40, 1] }, new Rng(2));
    models.set('fomaml', { params: replacement, training: models.of('fomaml').training, provenance: { kind: 'random', reason: 'start' } });
    expect(Object.values(old).some(alive)).toBe(false);
    expect(models.of('fomaml').params).toBe(replacement);
    models.reset();
    expect(Object.values(fresh).some(alive)).toBe(false);
    expect(Object.values(replacement).some(alive)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('model keys name their problem', () => {
    for (const problem of [{}, { problem: 'plane' as const, classes: 4 }, { problem: 'glyphs' as const, classes: 5 }]) expect(problemOfKey(modelKey('anil', problem))).toEqual(problem);
  });
});

/**
 * The worker's models: every method's current meta-parameters, per problem (ModelKey), with the settings they
 * were trained with, their shipped evaluation and their provenance (where they came from). The one owner of
 * each model's committed parameters: a training run only replaces them when it finishes (see engine.ts).
 * Owns those tensors: replacing a model frees the old one. Tensor-owning but message-free, so Node tests can
 * drive it.
 */
import * as tf from '@tensorflow/tfjs';
import { ALGORITHM_IDS, type AlgorithmId } from '../meta/contracts/algorithms';
import { modelKey, type ModelKey } from '../meta/contracts/checkpoint';
import { PAPER_CONFIG, type ProblemShape, type TrainConfig } from '../meta/contracts/config';
import { classesOf, isProblemKind, problemInfo } from '../meta/contracts/problems';
import { initModel } from '../meta/engine/model';
import { disposeParams, type Params } from '../meta/engine/params';
import type { Provenance } from '../meta/contracts/provenance';
import { Rng } from '../meta/contracts/random';
import type { EvalCurve } from '../meta/contracts/types';

export interface Model {
  params: Params;
  training: TrainConfig;
  evaluation?: EvalCurve[];
  provenance: Provenance;
}

/** A model no checkpoint or training has touched. */
const RANDOM_START: Provenance = { kind: 'random', reason: 'start' };

/** The settings a problem's untrained model would be trained with (iterations 0). */
function untrainedConfig(method: AlgorithmId, problem: ProblemShape): TrainConfig {
  return { ...problemInfo(problem).trainConfig(method, classesOf(problem)), iterations: 0 };
}

export class Models {
  private readonly byKey = new Map<ModelKey, Model>();

  /** Back to the start: every sinusoid model a random initialisation made the way its trainer would make it. */
  reset(): void {
    for (const m of this.byKey.values()) disposeParams(m.params);
    this.byKey.clear();
    const rng = new Rng(PAPER_CONFIG.seed);
    for (const id of ALGORITHM_IDS) {
      const config = untrainedConfig(id, {});
      this.byKey.set(id, { params: initModel(id, rng.fork(), config.alpha), training: config, provenance: RANDOM_START });
    }
  }

  /**
   * A problem's model of an algorithm; one not seen before (a classifier with no checkpoint) starts as a random
   * initialisation. That first use may happen inside a caller's tf.tidy (an evaluation's), so its tensors are
   * kept: the tidy must not free a model.
   */
  of(method: AlgorithmId, problem: ProblemShape = {}): Model {
    const key = modelKey(method, problem);
    let model = this.byKey.get(key);
    if (!model) {
      const config = untrainedConfig(method, problem);
      const params = initModel(method, new Rng(config.seed).fork(), config.alpha, config);
      for (const t of Object.values(params)) tf.keep(t);
      model = { params, training: config, provenance: RANDOM_START };
      this.byKey.set(key, model);
    }
    return model;
  }

  /** Makes `model` the one under `key`, freeing the parameters it replaces. */
  set(key: ModelKey, model: Model): void {
    const old = this.byKey.get(key);
    this.byKey.set(key, model);
    if (old && old.params !== model.params) disposeParams(old.params);
  }

  /** Frees a model: its next use starts it again as a random initialisation. */
  forget(key: ModelKey): void {
    const old = this.byKey.get(key);
    this.byKey.delete(key);
    if (old) disposeParams(old.params);
  }
}

/** The problem a model key names (sinusoid keys are bare algorithm ids). */
export function problemOfKey(key: ModelKey): ProblemShape {
  const m = /^([a-z]+)-(\d+)way\//.exec(key);
  return m && isProblemKind(m[1]) ? { problem: m[1], classes: Number(m[2]) } : {};
}

/**
 * Checkpoint files: a faithful round trip, and every way an untrusted file can be wrong is rejected with a
 * CheckpointError whose message names the problem.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_INDEX,
  checkpointIndex,
  parseCheckpointIndex,
  CHECKPOINT_VERSION,
  CheckpointError,
  MAX_CHECKPOINT_BYTES,
  checkpointArrays,
  makeCheckpoint,
  parseCheckpoint,
  validateCheckpoint,
  type Checkpoint,
} from '../../src/meta/contracts/checkpoint';
import { BINARY_CHECKPOINT_EXT } from '../../src/meta/contracts/checkpoint-binary';
import { initParams } from '../../src/meta/engine/model';
import { SINUSOID_MLP } from '../../src/meta/contracts/architecture';
import { useNodeBackend } from '../../src/meta/engine/node-backend';
import { disposeParams, readParams } from '../../src/meta/engine/params';
import { Rng } from '../../src/meta/contracts/random';
import { PAPER_CONFIG, type TrainConfig } from '../../src/meta/contracts/config';
import type { ClassEvalCurve, EvalCurve, ParamArrays } from '../../src/meta/contracts/types';

const training: TrainConfig = { ...PAPER_CONFIG, algorithm: 'maml', iterations: 1234, seed: 7 };
const evaluation: EvalCurve[] = [{ kShot: 5, tasks: 600, alpha: 0.01, mean: [3, 0.7, 0.5], ci95: [0.2, 0.05, 0.04] }];

let arrays: ParamArrays;

beforeAll(async () => {
  await useNodeBackend('cpu');
  const params = initParams(SINUSOID_MLP, new Rng(21));
  arrays = await readParams(params);
  disposeParams(params);
});

/** A valid checkpoint as a plain (mutable) JSON object. */
function validRaw(): Record<string, any> {
  return JSON.parse(JSON.stringify(makeCheckpoint('maml', arrays, training, evaluation)));
}

/** Expects the mutated checkpoint to be rejected (as text and as an object) with a message matching `message`. */
function expectRejected(mutate: (raw: Record<string, any>) => unknown, message: RegExp): void {
  const raw = validRaw();
  const result = mutate(raw);
  const obj = result === undefined ? raw : result;
  for (const attempt of [() => validateCheckpoint(obj), () => parseCheckpoint(JSON.stringify(obj))]) {
    let err: unknown = null;
    try {
      attempt();
    } catch (e) {
      err = e;
    }
    expect(err, `expected a CheckpointError matching ${message}`).toBeInstanceOf(CheckpointError);
    expect((err as Error).name).toBe('CheckpointError');
    expect((err as Error).message).toMatch(message);
  }
}

describe('checkpoint round trip', () => {
  it('makeCheckpoint -> JSON -> parseCheckpoint preserves every value, shape and setting', () => {
    const ckpt = makeCheckpoint('fomaml', arrays, { ...training, algorithm: 'fomaml' }, evaluation);
    expect(ckpt.format).toBe(CHECKPOINT_FORMAT);
    expect(ckpt.version).toBe(CHECKPOINT_VERSION);
    expect(ckpt.architecture).toEqual({ sizes: [1, 40, 40, 1], activation: 'relu' });
    expect(Number.isNaN(Date.parse(ckpt.createdAt))).toBe(false);
    const back: Checkpoint = parseCheckpoint(JSON.stringify(ckpt));
    expect(back).toEqual(ckpt);
    expect(back.algorithm).toBe('fomaml');
    expect(back.training.iterations).toBe(1234);
    expect(back.evaluation).toEqual(evaluation);
    const loaded = checkpointArrays(back);
    expect(Object.keys(loaded)).toEqual(['w0', 'b0', 'w1', 'b1', 'w2', 'b2']);
    for (const [name, p] of Object.entries(arrays)) {
      expect(loaded[name].shape).toEqual(p.shape);
      expect(loaded[name].values).toBeInstanceOf(Float32Array);
      // Bit-exact: float32 values survive the JSON text (nine significant digits) unchanged.
      expect(Array.from(loaded[name].values)).toEqual(Array.from(p.values));
    }
  });

  it('evaluation is optional', () => {
    const ckpt = makeCheckpoint('pretrained', arrays, { ...training, algorithm: 'pretrained' });
    expect('evaluation' in ckpt).toBe(false);
    expect(parseCheckpoint(JSON.stringify(ckpt)).algorithm).toBe('pretrained');
  });
});

describe('checkpoint validation rejects, naming the problem', () => {
  it('text that is not JSON', () => {
    for (const text of ['', '{', 'not json', '{"format": ']) {
      expect(() => parseCheckpoint(text)).toThrow(CheckpointError);
      expect(() => parseCheckpoint(text)).toThrow(/not valid JSON/);
    }
  });

  it('JSON that is not an object', () => {
    for (const text of ['null', '42', '"checkpoint"', '[1, 2, 3]', 'true']) expect(() => parseCheckpoint(text)).toThrow(/expected a JSON object/);
  });

  it('a wrong or missing format tag', () => {
    expectRejected((r) => void (r.format = 'something-else'), /not a MAML Playground checkpoint.*something-else/);
    expectRejected((r) => void delete r.format, /not a MAML Playground checkpoint/);
  });

  it('a wrong version', () => {
    expectRejected((r) => void (r.version = 2), /Unsupported checkpoint version 2/);
    expectRejected((r) => void (r.version = '1'), /Unsupported checkpoint version "1"/);
  });

  it('an unknown algorithm (including inherited property names)', () => {
    expectRejected((r) => void (r.algorithm = 'protonet'), /Unknown algorithm "protonet"; known: maml, fomaml, reptile, imaml, anil, metasgd, pretrained, scratch, oracle/);
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) expectRejected((r) => void (r.algorithm = name), /Unknown algorithm/);
    expectRejected((r) => void delete r.algorithm, /Unknown algorithm/);
  });

  it('an unsupported task', () => {
    expectRejected((r) => void (r.task = 'omniglot'), /Unsupported task "omniglot"/);
  });

  it('a wrong or missing architecture', () => {
    expectRejected((r) => void (r.architecture.sizes = [1, 40, 1]), /Architecture mismatch: MAML expects layer sizes 1-40-40-1/);
    expectRejected((r) => void (r.architecture.sizes = [1, 40, 40, 40, 1]), /Architecture mismatch/);
    expectRejected((r) => void (r.architecture = '1-40-40-1'), /Architecture mismatch/);
    expectRejected((r) => void delete r.architecture, /Architecture mismatch/);
  });

  it('missing training settings or parameters', () => {
    expectRejected((r) => void delete r.training, /no training settings/);
    expectRejected((r) => void delete r.params, /no parameters/);
    expectRejected((r) => void (r.params = [1, 2]), /no parameters/);
  });

  it('a missing parameter', () => {
    expectRejected((r) => void delete r.params.w1, /Parameter "w1" is missing/);
    expectRejected((r) => void (r.params.b2 = null), /Parameter "b2" is missing/);
  });

  it('a wrong shape', () => {
    expectRejected((r) => void (r.params.w1.shape = [40, 41]), /Parameter "w1" has shape \[40,41\], expected \[40, 40\]/);
    expectRejected((r) => void (r.params.w0.shape = [40, 1]), /Parameter "w0" has shape/);
    expectRejected((r) => void delete r.params.b0.shape, /Parameter "b0" has shape/);
  });

  it('a wrong value count', () => {
    expectRejected((r) => void r.params.b1.values.pop(), /Parameter "b1" should have 40 values/);
    expectRejected((r) => void r.params.w1.values.push(0), /Parameter "w1" should have 1600 values/);
    expectRejected((r) => void (r.params.b2.values = 0.5), /Parameter "b2" should have 1 values/);
  });

  it('NaN, null, Infinity or string values', () => {
    // JSON has no NaN: JSON.stringify writes null, which must not load as 0.
    expectRejected((r) => void (r.params.w1.values[3] = NaN), /Parameter "w1" has a non-finite value at index 3/);
    expectRejected((r) => void (r.params.b0.values[0] = null), /Parameter "b0" has a non-finite value at index 0/);
    expectRejected((r) => void (r.params.w2.values[39] = '0.5'), /Parameter "w2" has a non-finite value at index 39/);
    expectRejected((r) => void (r.params.b1.values[7] = Infinity), /Parameter "b1" has a non-finite value at index 7/);
    // Infinity in text: 1e999 parses to Infinity.
    const text = JSON.stringify(validRaw()).replace(/"b2":\{"shape":\[1\],"values":\[[^\]]*\]/, '"b2":{"shape":[1],"values":[1e999]');
    expect(() => parseCheckpoint(text)).toThrow(/Parameter "b2" has a non-finite value at index 0/);
  });

  it('an extra parameter', () => {
    expectRejected((r) => void (r.params.w3 = { shape: [1, 1], values: [0] }), /Unexpected parameters: w3/);
  });

  it("validates against the algorithm's own architecture and parameter set", () => {
    const raw = validRaw();
    expect(validateCheckpoint(raw).algorithm).toBe('maml');
    // The same parameters claimed for the oracle (4 inputs) or Meta-SGD (learned rates) are rejected.
    expect(() => validateCheckpoint({ ...raw, algorithm: 'oracle' })).toThrow(/Oracle .* expects layer sizes 4-40-40-1/);
    expect(() => validateCheckpoint({ ...raw, algorithm: 'metasgd' })).toThrow(/Parameter "lr_w0" is missing/);
  });

  it('fills settings that older checkpoints lack (lambda, cgSteps) and rejects non-numeric ones', () => {
    const raw = validRaw();
    delete raw.training.lambda;
    delete raw.training.cgSteps;
    expect(validateCheckpoint(raw).training).toMatchObject({ lambda: 10, cgSteps: 5 });
    expect(() => validateCheckpoint({ ...raw, training: { ...raw.training, lambda: 'big' } })).toThrow(/"lambda" is not a number/);
  });
});

describe('checkpoint validation edge cases', () => {
  // The shape check compares shape.join(','), so a nested or string shape with the same digits passes and
  // checkpointArrays then hands that shape to tf.tensor.
  it('rejects a shape that only joins to the right string ([[40, 40]] or ["40", "40"])', () => {
    expectRejected((r) => void (r.params.w1.shape = [[40, 40]]), /Parameter "w1" has shape/);
    expectRejected((r) => void (r.params.w1.shape = ['40', '40']), /Parameter "w1" has shape/);
  });

  // Finite in float64 but not in float32: passes validation, then checkpointArrays loads Infinity.
  it('rejects values that overflow float32 (|v| > 3.4e38)', () => {
    const raw = validRaw();
    raw.params.b2.values[0] = 1e39;
    let loaded: ParamArrays | null = null;
    try {
      loaded = checkpointArrays(validateCheckpoint(raw));
    } catch (e) {
      expect(e).toBeInstanceOf(CheckpointError);
      return;
    }
    expect(Number.isFinite(loaded.b2.values[0])).toBe(true);
  });
});

describe('untrusted checkpoints (issue 13): own properties, bounded settings, a size cap, nothing unknown kept', () => {
  it('treats inherited names (constructor, toString, __proto__) as the unexpected parameters they are', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expectRejected((r) => void (r.params[name] = { shape: [1], values: [0] }), new RegExp(`Unexpected parameters: ${name}`));
    }
    // "__proto__" as a JSON key is an own property after JSON.parse.
    const text = JSON.stringify(validRaw()).replace('"params":{', '"params":{"__proto__":{"shape":[1],"values":[0]},');
    expect(() => parseCheckpoint(text)).toThrow(/Unexpected parameters: __proto__/);
    // A parameter that exists only on the prototype is missing, not found.
    const raw = validRaw();
    const params = Object.create({ w0: raw.params.w0 });
    Object.assign(params, raw.params);
    delete params.w0;
    expect(() => validateCheckpoint({ ...raw, params })).toThrow(/Parameter "w0" is missing/);
  });

  it('refuses training settings outside the ranges the form allows', () => {
    const cases: [string, unknown, RegExp][] = [
      ['metaBatch', -5, /"metaBatch" is -5; expected a whole number from 1 to 200/],
      ['innerSteps', 1e9, /"innerSteps" is 1000000000; expected a whole number from 1 to 10/],
      ['alpha', 1e300, /"alpha" is 1e\+300; expected a number from 0.000001 to 100|"alpha" is 1e\+300; expected a number from 1e-6 to 100/],
      ['iterations', -1, /"iterations" is -1/],
      ['seed', 0.5, /"seed" is 0.5; expected a whole number/],
      ['lambda', 1e30, /"lambda" is 1e\+30/],
      ['kSupport', 2.5, /"kSupport" is 2.5/],
    ];
    for (const [key, value, message] of cases) expectRejected((r) => void (r.training[key] = value), message);
    // A scratch model has done 0 iterations: that is allowed.
    const raw = validRaw();
    raw.training.iterations = 0;
    expect(validateCheckpoint(raw).training.iterations).toBe(0);
  });

  it('refuses a file over the size cap before parsing it', () => {
    const padded = JSON.stringify({ ...validRaw(), padding: 'x'.repeat(MAX_CHECKPOINT_BYTES) });
    expect(() => parseCheckpoint(padded)).toThrow(/MB; a checkpoint is at most 8 MB/);
  });

  it('drops fields it does not know, at every level, and keeps what it does', () => {
    const raw = validRaw();
    raw.padding = 'x'.repeat(1000);
    raw.training.extra = 'y';
    raw.params.w0.note = 'z';
    raw.architecture.comment = 'c';
    raw.evaluation[0].junk = [1, 2, 3];
    raw.evaluation.push({ not: 'a curve' });
    const c = validateCheckpoint(raw) as unknown as Record<string, any>;
    expect(Object.keys(c).sort()).toEqual(['algorithm', 'architecture', 'createdAt', 'evaluation', 'format', 'params', 'task', 'training', 'version']);
    expect(c.training.extra).toBeUndefined();
    expect(c.params.w0.note).toBeUndefined();
    expect(c.architecture).toEqual({ sizes: [1, 40, 40, 1], activation: 'relu' });
    expect(c.evaluation).toEqual(evaluation);
    expect(JSON.stringify(c)).not.toMatch(/padding|junk|"y"|"z"/);
  });

  it('keeps a classification curve\'s medians and blown-up share, and still accepts one stored before them', () => {
    const raw = validRaw();
    const stats = { median: [1.6, 0.4, 0.3], blowUp: [0, 0, 1 / 600] };
    const accuracy = { mean: [0.2, 0.85, 0.86], ci95: [0.01, 0.01, 0.01] };
    raw.evaluation = [
      { ...evaluation[0], classes: 5, ...stats, accuracy: { ...accuracy, median: [0.2, 0.88, null], extra: [9] } },
      { ...evaluation[0], kShot: 1, classes: 5, accuracy },
    ];
    const [now, before] = validateCheckpoint(raw).evaluation as ClassEvalCurve[];
    expect(now).toEqual({ ...evaluation[0], classes: 5, ...stats, accuracy: { ...accuracy, median: [0.2, 0.88, null] } });
    expect(before).toEqual({ ...evaluation[0], kShot: 1, classes: 5, accuracy });
    expect(before.median).toBeUndefined();
    expect(before.accuracy.median).toBeUndefined();
    // A median that is not a list of numbers is dropped, the curve kept.
    raw.evaluation[0].accuracy.median = 'high';
    expect((validateCheckpoint(raw).evaluation![0] as ClassEvalCurve).accuracy).toEqual(accuracy);
  });

  it('quotes at most a few dozen characters of a bad value', () => {
    expectRejected((r) => void (r.algorithm = 'a'.repeat(100_000)), /^Unknown algorithm "a{39}…; known/);
  });
});

describe('checkpoint index (classification folders)', () => {
  it('reads what pretrain writes, and says what is wrong with anything else', () => {
    expect(parseCheckpointIndex(JSON.stringify(checkpointIndex(['maml', 'pretrained']))).checkpoints).toEqual(['maml', 'pretrained']);
    expect(() => parseCheckpointIndex('<!doctype html>')).toThrow(/not valid JSON/);
    expect(() => parseCheckpointIndex('{"checkpoints": ["maml"]}')).toThrow(/not one/);
    expect(() => parseCheckpointIndex('{"format": "maml-playground/checkpoint-index", "checkpoints": ["maml", "nope"]}')).toThrow(/unknown algorithms: "nope"/);
  });

  it('every shipped classification folder lists exactly the checkpoint files it holds', () => {
    const root = 'public/checkpoints';
    const folders = readdirSync(root).filter((d) => /^(plane|glyphs)-/.test(d));
    expect(folders.length).toBeGreaterThanOrEqual(5);
    for (const d of folders) {
      const listed = parseCheckpointIndex(readFileSync(`${root}/${d}/${CHECKPOINT_INDEX}`, 'utf8')).checkpoints;
      const names = readdirSync(`${root}/${d}`);
      const files = names.filter((f) => f.endsWith(BINARY_CHECKPOINT_EXT)).map((f) => f.replace(BINARY_CHECKPOINT_EXT, ''));
      expect([...listed].sort(), d).toEqual(files.sort());
      // The binary files are the shipped ones: no JSON copy is left beside them.
      expect(names.filter((f) => f.endsWith('.json') && f !== CHECKPOINT_INDEX), d).toEqual([]);
    }
  });
});

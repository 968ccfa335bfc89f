/**
 * The binary checkpoint form (issue 17, target 4): a faithful round trip, at least 3x smaller than JSON where
 * the parameters dominate, the same validation as JSON, and a clear CheckpointError for every way the layout
 * itself can be wrong.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkpointArrays, CheckpointError, makeCheckpoint, MAX_CHECKPOINT_BYTES, parseCheckpoint, type Checkpoint } from '../../src/meta/contracts/checkpoint';
import { BINARY_CHECKPOINT_EXT, decodeCheckpoint, encodeCheckpoint, isBinaryCheckpoint, readCheckpointFile } from '../../src/meta/contracts/checkpoint-binary';
import { modelShapes } from '../../src/meta/contracts/architecture';
import { PAPER_CONFIG, type TrainConfig } from '../../src/meta/contracts/config';
import { Rng } from '../../src/meta/contracts/random';
import type { EvalCurve, ParamArrays } from '../../src/meta/contracts/types';

const training: TrainConfig = { ...PAPER_CONFIG, algorithm: 'maml', iterations: 1234, seed: 7 };
const evaluation: EvalCurve[] = [{ kShot: 5, tasks: 600, alpha: 0.01, mean: [3, 0.7, 0.5], ci95: [0.2, 0.05, 0.04] }];

function arrays(): ParamArrays {
  const rng = new Rng(3);
  const out: ParamArrays = {};
  for (const [name, shape] of Object.entries(modelShapes('maml', {})))
    out[name] = { shape, values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)) };
  return out;
}

const valid = (): Checkpoint => makeCheckpoint('maml', arrays(), training, evaluation, { kind: 'trained', iterations: 1234, planned: 2000 });

/** A file's header (parsed) and data, to rebuild it after a change. */
function split(bytes: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.slice(8 + n) };
}

/** A file from a header object (or raw header text) and data bytes. */
function join(header: Record<string, any> | string, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** Expects the changed file to be refused with a CheckpointError matching `message`. */
function expectRefused(change: (h: Record<string, any>, data: Uint8Array) => Uint8Array | void, message: RegExp): void {
  const { header, data } = split(encodeCheckpoint(valid()));
  const bytes = change(header, data) ?? join(header, data);
  let err: unknown = null;
  try {
    decodeCheckpoint(bytes);
  } catch (e) {
    err = e;
  }
  expect(err, `expected a CheckpointError matching ${message}`).toBeInstanceOf(CheckpointError);
  expect((err as Error).message).toMatch(message);
}

describe('binary checkpoints: round trip and layout', () => {
  it('encode -> decode gives the JSON form back: every float32 value, shape, setting, the evaluation and the provenance', () => {
    const ckpt = valid();
    const back = decodeCheckpoint(encodeCheckpoint(ckpt));
    expect({ ...back, params: null }).toEqual({ ...parseCheckpoint(JSON.stringify(ckpt)), params: null });
    expect(Object.keys(back.params)).toEqual(Object.keys(ckpt.params));
    for (const [name, p] of Object.entries(ckpt.params)) {
      expect(back.params[name].shape).toEqual(p.shape);
      expect(back.params[name].values).toEqual(p.values.map(Math.fround));
    }
  });

  it('is laid out as safetensors: an 8-byte little-endian header length, a JSON header with dtype, shape and data_offsets, float32 LE data from an 8-byte boundary', () => {
    const ckpt = valid();
    const bytes = encodeCheckpoint(ckpt);
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const { header } = split(bytes);
    expect(header.params.w1).toEqual({ dtype: 'F32', shape: [40, 40], data_offsets: [320, 320 + 1600 * 4] });
    expect(header.training).toEqual(ckpt.training);
    expect(header.evaluation).toEqual(evaluation);
    expect(view.getFloat32(8 + n + 320 + 4 * 7, true)).toBe(Math.fround(ckpt.params.w1.values[7]));
    expect(bytes.length).toBe(8 + n + 1761 * 4);
  });

  it('readCheckpointFile takes either form: binary bytes, or JSON text as bytes', () => {
    const ckpt = valid();
    const json = new TextEncoder().encode(JSON.stringify(ckpt));
    expect(isBinaryCheckpoint(json)).toBe(false);
    expect(isBinaryCheckpoint(encodeCheckpoint(ckpt))).toBe(true);
    expect(readCheckpointFile(json)).toEqual(parseCheckpoint(JSON.stringify(ckpt)));
    expect(readCheckpointFile(encodeCheckpoint(ckpt)).params.w1.values).toEqual(ckpt.params.w1.values.map(Math.fround));
    expect(() => readCheckpointFile(new TextEncoder().encode('{"format": 1'))).toThrow(/not valid JSON/);
    expect(() => readCheckpointFile(new Uint8Array([0xff, 0xfe, 0x41]))).toThrow(/neither a binary checkpoint nor JSON/);
  });
});

describe('binary checkpoints: every malformed file is refused, saying why', () => {
  it('truncated: shorter than the length field, or cut inside the header or the data', () => {
    const bytes = encodeCheckpoint(valid());
    expect(() => decodeCheckpoint(bytes.slice(0, 5))).toThrow(/truncated: 5 bytes/);
    expect(() => decodeCheckpoint(bytes.slice(0, 200))).toThrow(/runs past the end of the file \(200 bytes\)/);
    expect(() => decodeCheckpoint(bytes.slice(0, bytes.length - 4))).toThrow(/"b2" lies at bytes 7040\.\.7044, outside the data \(7040 bytes\)/);
  });

  it('a header length beyond the file', () => {
    const bytes = encodeCheckpoint(valid());
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(() => decodeCheckpoint(bytes)).toThrow(/header length \(1099511627776 bytes\) runs past the end/);
  });

  it('a header that is not JSON, or not an object', () => {
    expectRefused((_h, data) => join('{"format": "maml-playground/checkpoint", ', data), /header is not valid JSON/);
    expectRefused((_h, data) => join('[1, 2]', data), /header is not a JSON object/);
    expectRefused((_h, data) => {
      const b = join('{"x": "ab"}', data);
      b[8 + 7] = 0xff; // not UTF-8
      return b;
    }, /header is not valid JSON/);
  });

  it('offsets out of range, overlapping, leaving a gap, or not whole float32 values', () => {
    expectRefused((h) => void (h.params.b2.data_offsets = [7040, 7048]), /"b2" lies at bytes 7040\.\.7048, outside the data/);
    expectRefused((h) => void (h.params.b0.data_offsets = [100, 260]), /overlaps the one before it/);
    expectRefused((h) => void (h.params.w0.data_offsets = [-4, 160]), /data_offsets \[-4,160\]/);
    expectRefused((h) => void (h.params.w0.data_offsets = [0, 'x']), /data_offsets/);
    expectRefused((h) => void (h.params.w0.data_offsets = [160, 0]), /outside the data/);
    expectRefused((h) => void (h.params.b2.data_offsets = [7040, 7042]), /spans 2 bytes, not a whole number of float32 values/);
    expectRefused((h, data) => join(h, new Uint8Array([...data, 0, 0, 0, 0])), /4 bytes after the last parameter/);
    expectRefused((h) => {
      h.params.w0.data_offsets = [4, 164];
      h.params.b0.data_offsets = [164, 320];
    }, /4 bytes no parameter uses, before "w0"/);
  });

  it('wrong shapes, a wrong dtype, a missing or extra parameter (also one named __proto__)', () => {
    expectRefused((h) => void (h.params.w1.shape = [1600]), /Parameter "w1" has shape \[1600\], expected \[40, 40\]/);
    expectRefused((h) => void (h.params.w1.shape = [20, 40]), /Parameter "w1" has shape \[20,40\], expected \[40, 40\]/);
    expectRefused((h) => void (h.params.w1.dtype = 'F64'), /dtype "F64"; expected "F32"/);
    expectRefused((h) => void delete h.params.w0.dtype, /dtype undefined/);
    expectRefused((h, data) => {
      delete h.params.b2;
      return join(h, data.slice(0, 7040));
    }, /Parameter "b2" is missing/);
    expectRefused((h, data) => {
      h.params.extra = { dtype: 'F32', shape: [1], data_offsets: [7044, 7048] };
      return join(h, new Uint8Array([...data, 0, 0, 0, 0]));
    }, /Unexpected parameters: extra/);
    expectRefused((_h, data) => {
      const { header } = split(encodeCheckpoint(valid()));
      const text = JSON.stringify(header).replace('"params":{', '"params":{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[7044,7048]},');
      return join(text, new Uint8Array([...data, 0, 0, 0, 0]));
    }, /Unexpected parameters: __proto__/);
    expectRefused((h) => void (h.params = 3), /has no parameters/);
  });

  it('NaN or infinite values, at the index where they are', () => {
    expectRefused((h, data) => {
      new DataView(data.buffer).setFloat32(160 + 4 * 3, NaN, true);
      return join(h, data);
    }, /Parameter "b0" has a non-finite value at index 3/);
    expectRefused((h, data) => {
      new DataView(data.buffer).setFloat32(7040, -Infinity, true);
      return join(h, data);
    }, /Parameter "b2" has a non-finite value at index 0/);
  });

  it('the header under the JSON rules: settings within bounds, own properties only, unknown fields dropped', () => {
    expectRefused((h) => void (h.training.alpha = 1e6), /"alpha" is 1000000; expected a number from/);
    expectRefused((h) => void (h.format = 'safetensors'), /not a MAML Playground checkpoint/);
    expectRefused((h) => void (h.algorithm = 'sgd'), /Unknown algorithm "sgd"/);
    const { header, data } = split(encodeCheckpoint(valid()));
    header.secret = { a: 1 };
    header.training.extraSetting = 5;
    const back = decodeCheckpoint(join(header, data));
    expect(back).not.toHaveProperty('secret');
    expect(back.training).not.toHaveProperty('extraSetting');
  });

  it('over the size cap, before anything is read', () => {
    const big = new Uint8Array(MAX_CHECKPOINT_BYTES + 1);
    expect(() => decodeCheckpoint(big)).toThrow(/MB; a checkpoint is at most 8 MB/);
    expect(() => readCheckpointFile(big)).toThrow(/MB; a checkpoint is at most 8 MB/);
  });
});

describe('the shipped files are binary', () => {
  const root = 'public/checkpoints';
  const files = ['', ...readdirSync(root).filter((d) => statSync(`${root}/${d}`).isDirectory()).map((d) => `${d}/`)].flatMap((d) =>
    readdirSync(`${root}/${d}`).filter((f) => f.endsWith(BINARY_CHECKPOINT_EXT)).map((f) => `${d}${f}`),
  );

  it('every one is valid, and re-encodes to the same bytes', () => {
    expect(files.length).toBeGreaterThanOrEqual(28);
    for (const f of files) {
      const bytes = readFileSync(`${root}/${f}`);
      expect(isBinaryCheckpoint(bytes), f).toBe(true);
      expect(Buffer.from(encodeCheckpoint(decodeCheckpoint(bytes))).equals(bytes), f).toBe(true);
    }
  });

  it('4 bytes a value: at least 3x smaller than their JSON where the parameters dominate (the glyph models), and in all', () => {
    let json = 0, binary = 0;
    for (const f of files) {
      const bytes = readFileSync(`${root}/${f}`);
      // The JSON form as makeCheckpoint writes it (nine significant digits a value): what the files were before.
      const c = decodeCheckpoint(bytes);
      const asJson = JSON.stringify(makeCheckpoint(c.algorithm, checkpointArrays(c), c.training, c.evaluation, c.provenance)).length;
      json += asJson;
      binary += bytes.length;
      if (f.startsWith('glyphs')) expect(asJson / bytes.length, f).toBeGreaterThan(3);
    }
    expect(json / binary).toBeGreaterThan(3);
  });
});

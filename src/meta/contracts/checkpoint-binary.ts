/**
 * The compact checkpoint file (issue 17, target 4): the JSON checkpoint's fields in a JSON header, the parameters as
 * little-endian float32 after it, laid out as safetensors lays out its files:
 *
 *   bytes 0..7   the header's length in bytes, an unsigned 64-bit little-endian integer
 *   bytes 8..    the header: UTF-8 JSON, everything a JSON checkpoint holds except the parameters' values; each
 *                parameter is { dtype: "F32", shape, data_offsets: [begin, end] }, byte offsets into the data
 *   then         the data: every parameter's values, float32 little-endian, each exactly where its offsets say
 *
 * The header is padded with spaces so the data starts on an 8-byte boundary. A file is checked by the same rules
 * as a JSON one (validateCheckpoint: own properties only, settings within TRAIN_BOUNDS, shapes, finite float32
 * values, unknown fields dropped) plus the layout's own: the size cap, a header length within the file, offsets
 * inside the data, in order, not overlapping, of the size the shape says, and no byte of the data left over.
 * About 3x smaller than the JSON (4 bytes a value instead of 10 to 13 characters) and read without parsing
 * numbers from text.
 */
import {
  CheckpointError,
  MAX_CHECKPOINT_BYTES,
  parseCheckpoint,
  quote,
  validateCheckpoint,
  type Checkpoint,
} from './checkpoint';

/** The shipped files' extension (the JSON ones are `.json`). */
export const BINARY_CHECKPOINT_EXT = '.ckpt';

/** The MIME type a downloaded binary checkpoint is given. */
export const BINARY_CHECKPOINT_MIME = 'application/octet-stream';

const HEADER_LENGTH_BYTES = 8;
const ALIGN = 8;

interface TensorEntry {
  dtype: 'F32';
  shape: number[];
  data_offsets: [number, number];
}

/** Writes a checkpoint in the binary form. Parameter values are stored as float32, in the checkpoint's order. */
export function encodeCheckpoint(ckpt: Checkpoint): Uint8Array {
  const entries: Record<string, TensorEntry> = {};
  let offset = 0;
  for (const [name, p] of Object.entries(ckpt.params)) {
    const bytes = p.values.length * 4;
    entries[name] = { dtype: 'F32', shape: [...p.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const header = { ...ckpt, params: entries };
  // Everything else exactly as the JSON form writes it (the evaluation's numbers too: a table rounds them).
  const json = JSON.stringify(header);
  let text = new TextEncoder().encode(json);
  const pad = (ALIGN - ((HEADER_LENGTH_BYTES + text.length) % ALIGN)) % ALIGN;
  if (pad) text = new TextEncoder().encode(json + ' '.repeat(pad));
  const out = new Uint8Array(HEADER_LENGTH_BYTES + text.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(text.length), true);
  out.set(text, HEADER_LENGTH_BYTES);
  let at = HEADER_LENGTH_BYTES + text.length;
  for (const p of Object.values(ckpt.params)) {
    for (const v of p.values) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const own = (o: Record<string, unknown>, key: string): unknown => (Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined);

/** Whether these bytes are a binary checkpoint rather than JSON text: JSON never holds a NUL byte, a header length below 2^32 does. */
export function isBinaryCheckpoint(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_LENGTH_BYTES && bytes[4] === 0 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0;
}

/**
 * Reads and checks a binary checkpoint; throws a CheckpointError that says what is wrong. Parameter names and
 * shapes are then checked against the algorithm's own by validateCheckpoint, like a JSON file's.
 */
export function decodeCheckpoint(input: Uint8Array | ArrayBuffer): Checkpoint {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length > MAX_CHECKPOINT_BYTES)
    throw new CheckpointError(`The file is ${(bytes.length / 2 ** 20).toFixed(1)} MB; a checkpoint is at most ${MAX_CHECKPOINT_BYTES / 2 ** 20} MB.`);
  if (bytes.length < HEADER_LENGTH_BYTES) throw new CheckpointError(`The file is truncated: ${bytes.length} bytes, shorter than the 8-byte header length.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - HEADER_LENGTH_BYTES))
    throw new CheckpointError(`The header length (${headerLength} bytes) runs past the end of the file (${bytes.length} bytes): the file is truncated or not a checkpoint.`);
  const dataStart = HEADER_LENGTH_BYTES + Number(headerLength);
  const dataLength = bytes.length - dataStart;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_LENGTH_BYTES, dataStart)));
  } catch (e) {
    throw new CheckpointError(`The checkpoint's header is not valid JSON (${(e as Error).message}).`);
  }
  if (!isObject(header)) throw new CheckpointError('The checkpoint\'s header is not a JSON object.');
  const params = own(header, 'params');
  if (!isObject(params)) throw new CheckpointError('The checkpoint has no parameters.');
  const layout: { name: string; begin: number; end: number; shape: unknown }[] = [];
  for (const name of Object.keys(params)) {
    const entry = own(params, name);
    if (!isObject(entry)) throw new CheckpointError(`Parameter "${name}" has no layout.`);
    if (own(entry, 'dtype') !== 'F32') throw new CheckpointError(`Parameter "${name}" has dtype ${quote(own(entry, 'dtype'))}; expected "F32".`);
    const offsets = own(entry, 'data_offsets');
    const ok = Array.isArray(offsets) && offsets.length === 2 && offsets.every((o) => Number.isSafeInteger(o) && o >= 0);
    if (!ok) throw new CheckpointError(`Parameter "${name}" has data_offsets ${quote(offsets)}; expected [begin, end] in bytes.`);
    const [begin, end] = offsets as [number, number];
    if (end < begin || end > dataLength)
      throw new CheckpointError(`Parameter "${name}" lies at bytes ${begin}..${end}, outside the data (${dataLength} bytes).`);
    if ((end - begin) % 4) throw new CheckpointError(`Parameter "${name}" spans ${end - begin} bytes, not a whole number of float32 values.`);
    layout.push({ name, begin, end, shape: own(entry, 'shape') });
  }
  layout.sort((a, b) => a.begin - b.begin);
  let covered = 0;
  for (const t of layout) {
    if (t.begin < covered) throw new CheckpointError(`Parameter "${t.name}" overlaps the one before it (bytes ${t.begin}..${t.end}).`);
    if (t.begin > covered) throw new CheckpointError(`The data has ${t.begin - covered} bytes no parameter uses, before "${t.name}".`);
    covered = t.end;
  }
  if (covered !== dataLength) throw new CheckpointError(`The data has ${dataLength - covered} bytes after the last parameter that no parameter uses.`);
  // The values as the JSON form holds them; validateCheckpoint then checks names, shapes and finiteness.
  const values: Record<string, { shape: unknown; values: number[] }> = {};
  // defineProperty: a parameter named __proto__ stays an own (unexpected) name, never the object's prototype.
  for (const t of layout) {
    const n = (t.end - t.begin) / 4;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(dataStart + t.begin + 4 * i, true);
    Object.defineProperty(values, t.name, { value: { shape: t.shape, values: out }, enumerable: true });
  }
  return validateCheckpoint({ ...header, params: values });
}

/** A checkpoint file of either form: binary (the shipped files, downloads) or JSON (older files, other tools). */
export function readCheckpointFile(bytes: Uint8Array | ArrayBuffer): Checkpoint {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (isBinaryCheckpoint(b)) return decodeCheckpoint(b);
  if (b.length > MAX_CHECKPOINT_BYTES)
    throw new CheckpointError(`The file is ${(b.length / 2 ** 20).toFixed(1)} MB; a checkpoint is at most ${MAX_CHECKPOINT_BYTES / 2 ** 20} MB.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new CheckpointError('The file is neither a binary checkpoint nor JSON text.');
  }
  return parseCheckpoint(text);
}

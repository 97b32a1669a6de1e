// A GGUF file's header, checked before a loader trusts it. A 69-byte file can claim 2^62 metadata entries,
// or an array of billions of strings, and the loader then reads (and allocates) for minutes before its
// timeout. Every count and length here must fit in the bytes the file has; what lies past the bytes read
// (a real model's vocabulary can take megabytes) is left to the loader.
import * as fs from 'node:fs';

/** Bytes of the header read and walked: the metadata of real models (vocabularies included) fits. */
export const GGUF_READ_BYTES = 16 * 1024 * 1024;

/** GGUF value types of fixed size: uint8, int8, uint16, int16, uint32, int32, float32, bool, uint64, int64, float64. */
const FIXED: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;
/** The fewest bytes one tensor's description takes (name length, a 1-byte name, 1 dimension, type, offset). */
const MIN_TENSOR_INFO = 8 + 1 + 4 + 8 + 4 + 8;
/** The fewest bytes one metadata entry takes (key length, a 1-byte key, type, a 1-byte value). */
const MIN_ENTRY = 8 + 1 + 4 + 1;

class Problem extends Error {}
/** Past the bytes read: nothing wrong found so far. */
class OutOfView extends Error {}

/** Checked headers by file, size and modification time: every solve checks its model files, the header is read once. */
const checked = new Map<string, string | null>();

/** What is wrong with the header of `file` (whose stat is `stat`), or null. */
export function ggufHeaderProblem(file: string, stat: fs.Stats): string | null {
  const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
  const known = checked.get(key);
  if (known !== undefined) return known;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(stat.size, GGUF_READ_BYTES));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const problem = checkGgufHeader(buf.subarray(0, n), stat.size);
    checked.set(key, problem);
    return problem;
  } finally {
    fs.closeSync(fd);
  }
}

/** `buf`: the file's first bytes; `size`: the whole file's. */
export function checkGgufHeader(buf: Buffer, size: number): string | null {
  if (buf.length < 4 || buf.toString('latin1', 0, 4) !== 'GGUF') return 'it does not start with "GGUF", so it is not a GGUF model file';
  if (buf.length < 24) return `it is ${size} bytes, shorter than a GGUF header`;
  const version = buf.readUInt32LE(4);
  if (version !== 2 && version !== 3) return `it says GGUF version ${version}; llama.cpp reads versions 2 and 3`;
  const tensors = buf.readBigUInt64LE(8);
  const entries = buf.readBigUInt64LE(16);
  const total = BigInt(size);
  if (tensors * BigInt(MIN_TENSOR_INFO) > total) return `its header claims ${tensors} tensors, more than its ${size} bytes can describe`;
  if (entries * BigInt(MIN_ENTRY) > total) return `its header claims ${entries} metadata entries, more than its ${size} bytes can hold`;
  let at = 24;
  const view = (n: number) => {
    if (at + n > buf.length) throw new OutOfView();
  };
  const skip = (n: bigint, what: string) => {
    if (n > total - BigInt(at)) throw new Problem(`${what} of ${n} bytes at byte ${at} runs past the end of the file`);
    at += Number(n);
  };
  const u32 = () => {
    view(4);
    at += 4;
    return buf.readUInt32LE(at - 4);
  };
  const u64 = () => {
    view(8);
    at += 8;
    return buf.readBigUInt64LE(at - 8);
  };
  const value = (type: number, depth: number): void => {
    if (FIXED[type] !== undefined) return skip(BigInt(FIXED[type]), 'a value');
    if (type === STRING) return skip(u64(), 'a string');
    if (type !== ARRAY) throw new Problem(`a metadata value at byte ${at - 4} has the unknown type ${type}`);
    if (depth > 8) throw new Problem(`arrays nest more than 8 deep at byte ${at}`);
    const of = u32();
    const count = u64();
    if (FIXED[of] !== undefined) return skip(count * BigInt(FIXED[of]), `an array of ${count} values`);
    // Each string or array element takes at least its 8-byte length.
    if (count * 8n > total - BigInt(at)) throw new Problem(`an array of ${count} elements at byte ${at} runs past the end of the file`);
    for (let i = 0n; i < count; i++) {
      if (of === STRING) skip(u64(), 'a string');
      else if (of === ARRAY) value(ARRAY, depth + 1);
      else throw new Problem(`an array at byte ${at} has the unknown element type ${of}`);
    }
  };
  try {
    for (let i = 0n; i < entries; i++) {
      skip(u64(), 'a metadata key');
      value(u32(), 0);
    }
    return null;
  } catch (err) {
    if (err instanceof OutOfView) return null;
    if (err instanceof Problem) return err.message;
    throw err;
  }
}

// The GGUF header check: the bundled models pass it whole; counts and lengths a file cannot hold fail it.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkGgufHeader, ggufHeaderProblem } from '../../src/core/models/gguf';

const MODELS = path.resolve(__dirname, '..', '..', '..', 'models', 'tiny');

test('every bundled model passes, its metadata walked to the end', () => {
  const files = fs.readdirSync(MODELS).filter((f) => f.endsWith('.gguf'));
  assert.ok(files.length >= 3, files.join(', '));
  for (const f of files) {
    const file = path.join(MODELS, f);
    assert.equal(ggufHeaderProblem(file, fs.statSync(file)), null, f);
    // Cut just past the header's counts, the file claims more than it holds.
    const bytes = fs.readFileSync(file);
    assert.match(checkGgufHeader(bytes.subarray(0, 40), 40) ?? '', /more than its 40 bytes can (hold|describe)/, f);
  }
});

test('not GGUF, a short file, an unknown version or value type: each named', () => {
  assert.match(checkGgufHeader(Buffer.from('PK\x03\x04 a zip'), 10) ?? '', /does not start with "GGUF"/);
  assert.match(checkGgufHeader(Buffer.from('GGUF\x03\x00'), 6) ?? '', /shorter than a GGUF header/);
  const header = (version: number, entries: bigint, rest: Buffer) => {
    const b = Buffer.alloc(24);
    b.write('GGUF', 0, 'latin1');
    b.writeUInt32LE(version, 4);
    b.writeBigUInt64LE(entries, 16);
    return Buffer.concat([b, rest]);
  };
  assert.match(checkGgufHeader(header(7, 0n, Buffer.alloc(0)), 24) ?? '', /GGUF version 7/);
  const entry = Buffer.alloc(8 + 1 + 4 + 8);
  entry.writeBigUInt64LE(1n, 0);
  entry.write('k', 8, 'latin1');
  entry.writeUInt32LE(42, 9);
  const file = header(3, 1n, entry);
  assert.match(checkGgufHeader(file, file.length) ?? '', /unknown type 42/);
  // A string of 2^50 bytes in a small file.
  entry.writeUInt32LE(8, 9);
  entry.writeBigUInt64LE(1n << 50n, 13);
  const long = header(3, 1n, entry);
  assert.match(checkGgufHeader(long, long.length) ?? '', /a string of 1125899906842624 bytes at byte \d+ runs past the end of the file/);
});

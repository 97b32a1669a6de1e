// Seeded fuzz of the files a user (or a stranger's repository) hands the CLI: settings files, bench datasets
// and GGUF headers. Every mutation ends in a valid result or a named EngineError of the right code (never a
// TypeError, a stack overflow or an "Internal error"), and GGUF headers are judged without reading past them.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../src/core/bench/dataset';
import { loadConfig } from '../../src/core/config-file';
import { EngineError } from '../../src/core/errors';
import { checkGgufHeader } from '../../src/core/models/gguf';
import { profileSettings } from '../../src/core/profiles';
import { mulberry32 as rng } from '../../src/core/tiny/task';

const SEED = 20261206;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-file-fuzz-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Values a hand-edited or hostile file puts where another was expected. */
const ODD: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e-9,
  2 ** 53,
  '',
  'x',
  '12',
  'embedded',
  'vllm-pooling',
  [],
  {},
  [null],
  ['a'],
  { kind: 1 },
  'a'.repeat(3000),
];

type Obj = Record<string, unknown>;

/** Every place in a JSON value: the parent and the key under it. */
function places(value: unknown, out: { parent: Obj | unknown[]; key: string | number }[] = []) {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value as Obj, key: Array.isArray(value) ? Number(k) : k });
      places(v, out);
    }
  }
  return out;
}

function mutateJson(base: unknown, r: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const value = JSON.parse(JSON.stringify(base)) as unknown;
  for (let i = 1 + Math.floor(r() * 3); i > 0; i--) {
    const all = places(value);
    if (all.length === 0) break;
    const { parent, key } = pick(all);
    const what = r();
    if (what < 0.5) (parent as Obj)[key as string] = structuredClone(pick(ODD));
    else if (what < 0.7 && !Array.isArray(parent)) delete (parent as Obj)[key as string];
    else if (what < 0.85 && !Array.isArray(parent)) (parent as Obj)[`${String(key)}x`] = structuredClone(pick(ODD));
    else (parent as Obj)[key as string] = deep(1 + Math.floor(r() * 1000));
  }
  let text = JSON.stringify(value, null, 1);
  const bytes = r();
  if (bytes < 0.1) text = text.slice(0, Math.floor(r() * text.length));
  else if (bytes < 0.15) text = '\uFEFF' + text;
  else if (bytes < 0.2) text = text.replace(/"/, '\u0000"');
  return text;
}

/** Deep JSON that parses: a nest of `depth` objects. */
function deep(depth: number): unknown {
  return JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

test('1,500 mutated settings files: each loads, or fails as a configuration error naming the file or the setting', () => {
  const r = rng(SEED);
  const tiny = profileSettings('tiny');
  const base = {
    profile: 'tiny',
    models: { small: { ...tiny.models.small }, large: { ...tiny.models.large }, prm: { ...tiny.models.prm } },
    search: { ...tiny.search },
  };
  const file = path.join(dir, 'specsearch.config.json');
  let loaded = 0;
  const codes = new Map<string, number>();
  for (let round = 0; round < 1500; round++) {
    let text = mutateJson(base, r);
    if (round % 100 === 7) {
      const depth = 5000 + Math.floor(r() * 20000);
      text = `{"search":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    }
    fs.writeFileSync(file, text);
    try {
      loadConfig({ configPath: file });
      loaded++;
    } catch (err) {
      assert.ok(err instanceof EngineError, `round ${round}: ${(err as Error)?.stack}\n${text.slice(0, 300)}`);
      assert.ok(['config', 'usage'].includes(err.code), `round ${round}: code ${err.code}: ${err.message}`);
      assert.doesNotMatch(err.message, /internal error|undefined|\[object Object\]|Maximum call stack/i, `round ${round}`);
      assert.ok(err.message.includes(file) || /\b(models|search|profile)\b/.test(err.message), `round ${round}: says where: ${err.message}`);
      codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
    }
  }
  // The fuzz reaches both outcomes: some mutations are harmless, most are refused.
  assert.ok(loaded > 10 && loaded < 1400, `${loaded} of 1500 loaded`);
});

test('1,000 mutated dataset files: each loads, or fails as a usage error naming the file and line', () => {
  const r = rng(SEED + 1);
  const file = path.join(dir, 'problems.jsonl');
  const rows = [
    { id: 'a', problem: 'Start with 4. Add 3. What is the result?', answer: 7 },
    { question: 'What is 2 + 2?', answer: '#### 4' },
    { problem: 'Find x if 2x = 6.', answer: '3' },
  ];
  let loaded = 0;
  for (let round = 0; round < 1000; round++) {
    const lines = rows.map((row) => (r() < 0.5 ? mutateJson(row, r).replace(/\n\s*/g, '') : JSON.stringify(row)));
    if (r() < 0.1) lines.splice(Math.floor(r() * lines.length), 0, ['null', '[]', '"x"', '7', '{', '\u0000', ' '][Math.floor(r() * 7)]!);
    fs.writeFileSync(file, lines.join(r() < 0.2 ? '\r\n' : '\n'));
    try {
      const problems = loadDataset(file);
      for (const p of problems) assert.ok(typeof p.problem === 'string' && typeof p.answer === 'string', `round ${round}: ${JSON.stringify(p)}`);
      loaded++;
    } catch (err) {
      assert.ok(err instanceof EngineError, `round ${round}: ${(err as Error)?.stack}\n${lines.join('\n').slice(0, 300)}`);
      assert.ok(['usage', 'config'].includes(err.code), `round ${round}: code ${err.code}`);
      assert.ok(err.message.startsWith(`${file}:`), `round ${round}: names the file and line: ${err.message}`);
      assert.match(err.message.slice(file.length), /^:\d+ /, `round ${round}: names the line: ${err.message}`);
    }
  }
  assert.ok(loaded > 50 && loaded < 990, `${loaded} of 1000 loaded`);
});

test('3,000 mutated GGUF headers of a bundled model: each judged (null or a reason), without throwing', () => {
  const r = rng(SEED + 2);
  const model = path.resolve(__dirname, '..', '..', '..', 'models', 'tiny', 'small.gguf');
  const original = fs.readFileSync(model).subarray(0, 64 * 1024);
  const size = fs.statSync(model).size;
  assert.equal(checkGgufHeader(original, size), null, 'the model itself passes');
  const reasons = new Set<string>();
  let passed = 0;
  for (let round = 0; round < 3000; round++) {
    const buf = Buffer.from(original);
    // A count or length field sits at the start of the header and before every key and value: hit there often.
    const at = r() < 0.5 ? Math.floor(r() * 64) : Math.floor(r() * 4096);
    const what = r();
    if (what < 0.4) buf[at] = Math.floor(r() * 256);
    else if (what < 0.7) buf.writeBigUInt64LE(BigInt(Math.floor(r() * 2 ** 52)) << BigInt(Math.floor(r() * 12)), Math.min(at, buf.length - 8));
    else if (what < 0.85) buf.writeUInt32LE(Math.floor(r() * 2 ** 32), Math.min(at, buf.length - 4));
    else buf.fill(0xff, at, at + 1 + Math.floor(r() * 16));
    const cut = r() < 0.2 ? Math.floor(r() * buf.length) : buf.length;
    let result: string | null;
    try {
      result = checkGgufHeader(buf.subarray(0, cut), r() < 0.1 ? cut : size);
    } catch (err) {
      assert.fail(`round ${round}: threw ${(err as Error)?.stack}`);
    }
    if (result === null) passed++;
    else reasons.add(result.replace(/\d+/g, 'N').slice(0, 60));
  }
  // Most mutations of a length field are caught; flips inside a string's text are harmless and pass.
  assert.ok(passed > 0 && passed < 2700, `${passed} of 3000 passed`);
  assert.ok(reasons.size >= 4, [...reasons].join('\n'));
});

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve('dist/cli.js');

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input: input ?? '', encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function noStackTrace(text: string): void {
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, 'no stack trace');
}

test('specsearch solve --help prints the options and exits 0', () => {
  const r = cli(['solve', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--method specsearch\|large\|sps\|small/);
  assert.match(r.stdout, /Exit codes: 0 finished, 1 search failed/);
});

test("--version prints package.json's version", () => {
  const r = cli(['--version']);
  assert.equal(r.code, 0);
  const pkg = JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8')) as { version: string };
  assert.equal(r.stdout, `specsearch ${pkg.version}\n`);
});

test('a missing problem is a usage error (exit 2) with a hint', () => {
  const r = cli(['solve']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /No problem given/);
  assert.match(r.stderr, /hint:/);
  noStackTrace(r.stderr);
});

test('a missing config file is a configuration error (exit 2) naming the file', () => {
  const r = cli(['solve', '--config', 'does-not-exist.json', 'Start with 1. Add 1. Add 1. What is the result?']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /does-not-exist\.json does not exist/);
  noStackTrace(r.stderr);
});

test('an invalid provider value is a configuration error naming the file, key, value and choices', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-cli-'));
  const file = path.join(dir, 'bad.json');
  fs.writeFileSync(file, JSON.stringify({ models: { small: { provider: 'gpt', model: 'x' } } }));
  const r = cli(['solve', '--config', file, 'Start with 1. Add 1. Add 1. What is the result?']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: setting "models\\.small\\.provider" has the value "gpt"`));
  assert.match(r.stderr, /"openai-compatible", "embedded"/);
  noStackTrace(r.stderr);
});

test('unknown flags and commands are usage errors', () => {
  assert.equal(cli(['solve', '--frobnicate', 'x']).code, 2);
  const r = cli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown command "frobnicate"/);
});

test('grade reads JSON lines and answers one line per input line, in order', () => {
  const input =
    [
      { reference: '#### 1,000', prediction: '1000' },
      { reference: '\\frac{1}{2}', response: 'So we get 0.5.\n\nThe answer is 0.5.' },
      { reference: '(1, 2)', prediction: '(2, 1)' },
      { nothing: true },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n') + '\nnot json\n';
  const r = cli(['grade'], input);
  assert.equal(r.code, 0);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 5);
  assert.deepEqual([lines[0].equivalent, lines[1].equivalent, lines[2].equivalent], [true, true, false]);
  assert.equal(lines[1].extracted, '0.5');
  assert.ok(lines[3].error && lines[4].error);
});

test("a problem that cannot fit the embedded models' context is refused before any model loads: exit 2, and the advice is about the problem", () => {
  const problem = `${'Start with 7. Add 5. '.repeat(120)}What is the result?`;
  const r = cli(['solve', '--json', problem]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /The problem is at least \d+ tokens for the model .*small\.gguf, whose context holds 512 tokens/);
  assert.match(r.stderr, /Shorten the problem/);
  assert.doesNotMatch(r.stderr, /Lower search\.maxDepth/);
  assert.equal(r.stdout, '', 'no search started');
  noStackTrace(r.stderr);
});

test(
  'a model path that is not a regular file (a FIFO would block the loader forever) is refused with the path named',
  { skip: process.platform === 'win32' && 'no FIFOs' },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-fifo-'));
    const fifo = path.join(dir, 'model.gguf');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ models: { large: { provider: 'embedded', model: fifo } } }));
    const r = cli(['solve', '--config', path.join(dir, 'config.json'), 'Start with 2. Add 3. What is the result?']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${fifo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a regular file`));
    noStackTrace(r.stderr);
  },
);

test('crafted GGUF headers (2^62 keys, a huge array, 2^40 tensors) are refused at once with exit 2, naming the file and what is wrong', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-gguf-'));
  const header = (tensors: bigint, entries: bigint, rest: Buffer = Buffer.alloc(0)) => {
    const b = Buffer.alloc(24);
    b.write('GGUF', 0, 'latin1');
    b.writeUInt32LE(3, 4);
    b.writeBigUInt64LE(tensors, 8);
    b.writeBigUInt64LE(entries, 16);
    return Buffer.concat([b, rest, Buffer.alloc(69 - 24 - rest.length > 0 ? 69 - 24 - rest.length : 0)]);
  };
  // One entry: key "a", type array (9) of uint32 (4), 2^40 elements.
  const array = Buffer.alloc(8 + 1 + 4 + 4 + 8);
  array.writeBigUInt64LE(1n, 0);
  array.write('a', 8, 'latin1');
  array.writeUInt32LE(9, 9);
  array.writeUInt32LE(4, 13);
  array.writeBigUInt64LE(1n << 40n, 17);
  for (const [name, bytes, said] of [
    ['keys.gguf', header(0n, 1n << 62n), /claims 4611686018427387904 metadata entries, more than its 69 bytes can hold/],
    ['array.gguf', header(0n, 1n, array), /an array of 1099511627776 values of 4398046511104 bytes at byte \d+ runs past the end of the file/],
    ['tensors.gguf', header(1n << 40n, 0n), /claims 1099511627776 tensors/],
  ] as const) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ models: { large: { provider: 'embedded', model: file } } }));
    const r = cli(['solve', '--config', path.join(dir, 'config.json'), 'Start with 2. Add 3. What is the result?']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${name} is not a usable GGUF model: `));
    assert.match(r.stderr, said);
    noStackTrace(r.stderr);
  }
});

test('calibrate --from fits the answer calibration from saved answers, writes it into a settings file, and --evaluate reads it back', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-calibrate-'));
  try {
    // Answers whose chance of being right follows a known map of their weakest score: ½ at 0.9, slope 1.
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const truth = (s: number) => 1 / (1 + (9 / (s / (1 - s))) ** 1);
    const records = Array.from({ length: 3000 }, (_, i) => {
      const weakestScore = 1 / (1 + Math.exp(-(rand() * 14 - 5)));
      // One in ten states a false equation: wrong, whatever its score.
      const arithmetic = i % 10 === 0;
      return {
        id: `tiny:1:3#p${i}`,
        label: 'specsearch',
        answer: '1',
        right: !arithmetic && rand() < truth(weakestScore),
        weakestScore,
        basis: arithmetic ? 'arithmetic' : 'score',
        error: null,
      };
    });
    const saved = path.join(dir, 'calibration.json');
    fs.writeFileSync(saved, JSON.stringify({ methods: ['specsearch'], records }));
    const config = path.join(dir, 'specsearch.config.json');
    fs.writeFileSync(config, JSON.stringify({ search: { temperature: 0.5 } }));
    const fit = cli(['calibrate', '--config', config, '--from', saved, '--write', config]);
    assert.equal(fit.code, 0, fit.stderr);
    assert.match(fit.stdout, /\| 0\.9–1\.0 \| \d+ \|/, 'a 10-bin reliability table');
    assert.match(fit.stdout, /Expected calibration error: \*\*0\.0[0-4]\d\d\*\*/);
    const written = JSON.parse(fs.readFileSync(config, 'utf8'));
    assert.equal(written.search.temperature, 0.5, 'the rest of the file is kept');
    const c = written.models.prm.answerCalibration;
    assert.ok(Math.abs(c.intercept + Math.log(9)) < 0.2 && Math.abs(c.slope - 1) < 0.15, JSON.stringify(c));
    const evaluated = cli(['calibrate', '--config', config, '--from', saved, '--evaluate', '--json']);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const figures = JSON.parse(evaluated.stdout);
    assert.equal(figures.mode, 'evaluate');
    assert.ok(figures.reliability.ece < 0.05);
    const [group] = figures.groups;
    assert.equal(group.answers, 3000);
    // Answers resting on a false equation are never verified.
    assert.ok(group.verified < 2700 && group.verified > 0);
    // Usage errors: exit 2, with what to do.
    assert.equal(cli(['calibrate']).code, 2);
    assert.equal(cli(['calibrate', '--from', saved, '--dataset', 'tiny:1000:2']).code, 2);
    const own = path.join(dir, 'own.json');
    fs.writeFileSync(own, JSON.stringify({ models: { large: { model: '/models/own-large.gguf' } } }));
    const none = cli(['calibrate', '--config', own, '--from', saved, '--evaluate']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no models\.prm\.answerCalibration to evaluate/);
    // Nothing inside the models' domain to fit on: a usage error, and the answers are still saved.
    const outsideOnly = path.join(dir, 'outside.json');
    fs.writeFileSync(outsideOnly, JSON.stringify({ methods: ['specsearch'], records: records.slice(0, 50).map((r) => ({ ...r, basis: 'outside' })) }));
    const kept = path.join(dir, 'kept');
    const nothing = cli(['calibrate', '--from', outsideOnly, '--out', kept]);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /Too few answers inside the models' domain.*The answers are saved in/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(kept, 'calibration.json'), 'utf8')).records.length, 50);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"records": 3}');
    assert.equal(cli(['calibrate', '--from', path.join(dir, 'bad.json')]).code, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('numeric flags are plain digits: --seed 1e3, 0x10 or 1.0 is a usage error (exit 2)', () => {
  for (const seed of ['1e3', '0x10', '1.0']) {
    const r = cli(['solve', '--seed', seed, 'Start with 1. Add 1. What is the result?']);
    assert.equal(r.code, 2, `--seed ${seed}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`--seed ${seed.replace('.', '\\.')} must be an integer ≥ 0, written in digits`));
  }
  assert.equal(cli(['bench', '--limit', '1e1']).code, 2);
});

test(
  'specsearch demo uses the bundled models, never a specsearch.config.json in the working directory',
  { skip: !fs.existsSync('models/tiny/large.gguf') && 'tiny models not built' },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-demo-'));
    // A stranger's config: were it read, the demo would fail on it (a server nobody runs) or send it the problems.
    const m = { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'm' };
    fs.writeFileSync(path.join(dir, 'specsearch.config.json'), JSON.stringify({ models: { small: m, large: m, prm: { ...m, kind: 'logprob' } } }));
    const r = spawnSync(process.execPath, [CLI, 'demo', '--count', '1', '--seed', '1000'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /bundled tiny models/);
    assert.doesNotMatch(r.stdout + r.stderr, /127\.0\.0\.1:9|failed/);
  },
);

import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pairedSpeedup, summarize } from '../../src/core/bench/summary';
import { writeReport } from '../../src/core/bench/report';
import { parseBenchMethod, runBench, type BenchRecord } from '../../src/core/bench/run';
import { loadDataset } from '../../src/core/bench/dataset';
import { countingModel, countingPrm, testSettings, trio } from './doubles';

test('paired speed-up is the ratio of summed times, and its 95 % interval contains it', () => {
  const base = [100, 200, 300, 400];
  const fast = [50, 100, 150, 200];
  const s = pairedSpeedup(base, fast);
  assert.ok(s);
  assert.equal(s.ratio, 2);
  assert.equal(s.low, 2);
  assert.equal(s.high, 2);
  const noisy = pairedSpeedup([100, 300, 200, 500, 250], [40, 200, 90, 100, 180]);
  assert.ok(noisy && noisy.low <= noisy.ratio && noisy.ratio <= noisy.high && noisy.low < noisy.high);
  assert.equal(pairedSpeedup([], []), null);
});

test('bench runs every method on the same problems, interleaved, and the report has every part', async () => {
  const problems = [1, 2, 3].map((n) => ({ id: `p${n}`, problem: `count to ${n}`, answer: String(n) }));
  const small = countingModel('small', 2, 0.3, 5);
  const large = countingModel('large', 2, 0, 6);
  const order: string[] = [];
  const records = await runBench({
    problems,
    methods: ['large', 'specsearch', 'small'],
    settings: testSettings({ candidatesPerStep: 2, beamWidth: 1 }),
    models: trio(small, large, countingPrm()),
    onProgress: (_d, _t, r) => order.push(`${r.id}:${r.method}`),
  });
  assert.equal(records.length, 9);
  assert.deepEqual(order.slice(0, 6), ['p1:large', 'p1:specsearch', 'p1:small', 'p2:specsearch', 'p2:small', 'p2:large'], 'rotated order per problem');
  const right = records.filter((r) => r.right).map((r) => r.id);
  assert.ok(right.every((id) => id === 'p2'), 'the doubles always count to 2: only problem p2 is right');
  const summary = summarize(records);
  assert.equal(summary.problems, 3);
  assert.equal(summary.methods.large?.total, 3);
  assert.equal(summary.methods.large?.correct, 1);
  assert.ok(summary.methods.specsearch?.speedupVsLarge);
  assert.equal(summary.methods.large?.speedupVsLarge, null);
  assert.ok((summary.methods.specsearch?.acceptanceByDepth.length ?? 0) > 0);
  assert.equal(summary.methods.large?.acceptanceByDepth.length, 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-bench-'));
  const files = writeReport(dir, { command: 'specsearch bench', dataset: 'test', profile: 'tiny', algorithm: 'beam', machine: 'test', date: 'now', node: process.version, settings: {} }, records, summary);
  assert.deepEqual(files.map((f) => path.basename(f)).sort(), ['acceptance-by-depth.svg', 'accuracy-latency.svg', 'latency.svg', 'report.md', 'results.json']);
  const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
  assert.match(md, /\| specsearch \| 1\/3/);
  assert.match(md, /speed-up vs large/);
  assert.match(fs.readFileSync(path.join(dir, 'latency.svg'), 'utf8'), /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as { records: BenchRecord[] };
  assert.equal(json.records.length, 9);
});

test('bench columns: a method with settings of its own runs beside the plain one, and bad settings fail before any solve', async () => {
  const problems = [1, 2].map((n) => ({ id: `p${n}`, problem: `count to ${n}`, answer: String(n) }));
  const small = countingModel('small', 2, 0.3, 5);
  const large = countingModel('large', 2, 0, 6);
  const variant = parseBenchMethod('specsearch@thresholdRule=large@draftRatio=3');
  assert.deepEqual(variant, { label: 'specsearch@thresholdRule=large@draftRatio=3', method: 'specsearch', overrides: { thresholdRule: 'large', draftRatio: 3 } });
  assert.throws(() => parseBenchMethod('fast'), /"fast" is not one of/);
  assert.throws(() => parseBenchMethod('specsearch@nonsense'), /not KEY=VALUE/);
  const records = await runBench({
    problems,
    methods: [parseBenchMethod('large'), parseBenchMethod('specsearch'), variant],
    settings: testSettings({ candidatesPerStep: 2, beamWidth: 1 }),
    models: trio(small, large, countingPrm()),
  });
  assert.equal(records.length, 6);
  // γ = 3 with N = 2: 6 drafts per node in the variant's calls, 4 in the plain column's.
  assert.ok(small.calls.some((c) => c.n === 6) && small.calls.some((c) => c.n === 4));
  const summary = summarize(records);
  assert.deepEqual(Object.keys(summary.methods).sort(), ['large', 'specsearch', 'specsearch@thresholdRule=large@draftRatio=3']);
  assert.ok(summary.methods[variant.label].speedupVsLarge && summary.methods[variant.label].bound !== null);
  const calls = small.calls.length;
  await assert.rejects(runBench({ problems, methods: [parseBenchMethod('specsearch@thresholdRule=sideways')], settings: testSettings(), models: trio(small, large, countingPrm()) }),
    /thresholdRule/);
  assert.equal(small.calls.length, calls, 'nothing ran');
});

test('datasets: JSON lines with problem or question, GSM8K answers reduced to the number, tiny problems from fresh seeds', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-data-'));
  const file = path.join(dir, 'd.jsonl');
  fs.writeFileSync(file, [
    JSON.stringify({ question: 'How many?', answer: 'He has 3 + 4 = 7.\n#### 1,007' }),
    JSON.stringify({ id: 'x', problem: 'What is 1/2?', answer: '\\frac{1}{2}' }),
  ].join('\n') + '\n');
  const rows = loadDataset(file);
  assert.deepEqual(rows.map((r) => r.answer), ['1007', '\\frac{1}{2}']);
  assert.deepEqual(rows.map((r) => r.id), ['row-1', 'x']);
  assert.equal(loadDataset('tiny:1000:7').length, 7);
  assert.equal(loadDataset('tiny:1000:7', 3).length, 3);
  assert.throws(() => loadDataset('tiny:1:5'), /training data/);
  fs.writeFileSync(file, '{"problem": "x"}\n');
  assert.throws(() => loadDataset(file), /d\.jsonl:1 has no "answer"/);
  const gsm = loadDataset(path.resolve(__dirname, '..', '..', '..', 'bench', 'data', 'gsm8k-test.jsonl'), 5);
  assert.equal(gsm.length, 5);
  assert.ok(gsm.every((r) => /^\d+$/.test(r.answer)));
});

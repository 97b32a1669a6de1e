import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pairedSpeedup, summarize, throughput } from '../../src/core/bench/summary';
import { writeReport } from '../../src/core/bench/report';
import { parseBenchMethod, runBench, type BenchRecord } from '../../src/core/bench/run';
import { loadDataset } from '../../src/core/bench/dataset';
import { runBenchCommand } from '../../src/cli/bench';
import { clearCapabilityCache } from '../../src/core/models/capabilities';
import { countingModel, countingPrm, testSettings, trio } from './doubles';
import { json, PROBLEM, startFixture, type Fixture } from '../servers/fixtures/http-fixture';
import { VLLM_METRICS_WITHOUT_STATS, vllmHandler, vllmSpecDecodeMetrics } from '../servers/fixtures/engines';

/** A config file in `dir` whose three models are the fixture server at `url`. */
function fixtureConfig(dir: string, file: string, url: string): string {
  const m = { provider: 'openai-compatible', baseURL: `${url}/v1`, model: 'm', promptTemplate: 'raw', timeoutMs: 5000 };
  fs.writeFileSync(
    path.join(dir, file),
    JSON.stringify({
      models: { small: m, large: m, prm: { ...m, kind: 'logprob', stepTag: ' @', positiveToken: '+', negativeToken: '-' } },
      search: { candidatesPerStep: 2, beamWidth: 1, draftRatio: 1, maxDepth: 4, maxStepTokens: 16 },
    }),
  );
  return path.join(dir, file);
}

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
  assert.ok(
    right.every((id) => id === 'p2'),
    'the doubles always count to 2: only problem p2 is right',
  );
  const summary = summarize(records);
  assert.equal(summary.problems, 3);
  assert.equal(summary.methods.large?.total, 3);
  assert.equal(summary.methods.large?.correct, 1);
  assert.ok(summary.methods.specsearch?.speedupVsLarge);
  assert.equal(summary.methods.large?.speedupVsLarge, null);
  assert.ok((summary.methods.specsearch?.acceptanceByDepth.length ?? 0) > 0);
  assert.equal(summary.methods.large?.acceptanceByDepth.length, 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-bench-'));
  const files = writeReport(
    dir,
    { command: 'specsearch bench', dataset: 'test', profile: 'tiny', algorithm: 'beam', machine: 'test', date: 'now', node: process.version, settings: {} },
    records,
    summary,
  );
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
  assert.deepEqual(variant, {
    label: 'specsearch@thresholdRule=large@draftRatio=3',
    method: 'specsearch',
    overrides: { thresholdRule: 'large', draftRatio: 3 },
  });
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
  await assert.rejects(
    runBench({
      problems,
      methods: [parseBenchMethod('specsearch@thresholdRule=sideways')],
      settings: testSettings(),
      models: trio(small, large, countingPrm()),
    }),
    /thresholdRule/,
  );
  assert.equal(small.calls.length, calls, 'nothing ran');
});

test('datasets: JSON lines with problem or question, GSM8K answers reduced to the number, tiny problems from fresh seeds', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-data-'));
  const file = path.join(dir, 'd.jsonl');
  fs.writeFileSync(
    file,
    [
      JSON.stringify({ question: 'How many?', answer: 'He has 3 + 4 = 7.\n#### 1,007' }),
      JSON.stringify({ id: 'x', problem: 'What is 1/2?', answer: '\\frac{1}{2}' }),
    ].join('\n') + '\n',
  );
  const rows = loadDataset(file);
  assert.deepEqual(
    rows.map((r) => r.answer),
    ['1007', '\\frac{1}{2}'],
  );
  assert.deepEqual(
    rows.map((r) => r.id),
    ['row-1', 'x'],
  );
  assert.equal(loadDataset('tiny:1000:7').length, 7);
  assert.equal(loadDataset('tiny:1000:7', 3).length, 3);
  assert.throws(() => loadDataset('tiny:1:5'), /training data/);
  fs.writeFileSync(file, '{"problem": "x"}\n');
  assert.throws(() => loadDataset(file), /d\.jsonl:1 has no "answer"/);
  const gsm = loadDataset(path.resolve(__dirname, '..', '..', '..', 'bench', 'data', 'gsm8k-test.jsonl'), 5);
  assert.equal(gsm.length, 5);
  assert.ok(gsm.every((r) => /^\d+$/.test(r.answer)));
});

test('throughput: problems over the time at least one solve ran (overlaps counted once, gaps left out)', () => {
  assert.equal(throughput([]), null);
  // One at a time: 3 problems in 3 s of solving, with an idle second between → 60/min.
  assert.equal(
    throughput([
      { startMs: 0, endMs: 1000 },
      { startMs: 1000, endMs: 2000 },
      { startMs: 3000, endMs: 4000 },
    ]),
    60,
  );
  // Four at once, each 2 s, all within [0, 2.5 s] → 4 / 2.5 s = 96/min.
  assert.equal(
    throughput([
      { startMs: 0, endMs: 2000 },
      { startMs: 0, endMs: 2000 },
      { startMs: 500, endMs: 2500 },
      { startMs: 100, endMs: 1900 },
    ]),
    96,
  );
});

test('bench --concurrency: N problems in flight, methods one after another, throughput next to latency', async () => {
  const problems = [1, 2, 3, 4, 5, 6].map((n) => ({ id: `p${n}`, problem: `count to ${n}`, answer: String(n) }));
  const small = countingModel('small', 2, 0.3, 5, 15);
  const large = countingModel('large', 2, 0, 6, 15);
  const records = await runBench({
    problems,
    methods: ['large', 'specsearch'],
    settings: testSettings({ candidatesPerStep: 2, beamWidth: 1 }),
    models: trio(small, large, countingPrm()),
    concurrency: 3,
  });
  assert.equal(records.length, 12);
  const spans = (label: string) => records.filter((r) => r.label === label).map((r) => [r.startMs, r.endMs] as const);
  const inFlight = (xs: readonly (readonly [number, number])[]) => Math.max(...xs.map(([s]) => xs.filter(([a, b]) => a <= s && s < b).length));
  assert.equal(inFlight(spans('large')), 3, 'three problems at once, never more');
  assert.ok(
    Math.max(...spans('large').map(([, e]) => e)) <= Math.min(...spans('specsearch').map(([s]) => s)),
    'specsearch starts after every large solve ended',
  );
  assert.deepEqual(
    records
      .filter((r) => r.label === 'large')
      .map((r) => r.id)
      .sort(),
    problems.map((p) => p.id),
  );
  const summary = summarize(records);
  const large3 = summary.methods.large.throughputPerMin;
  assert.ok(large3 !== null && large3 > 0);
  // Throughput is the problems over the time at least one of them was being solved (overlaps counted once),
  // read from the records' own spans: no timing of this machine is compared.
  const busy = (xs: readonly (readonly [number, number])[]) => {
    let total = 0;
    let end = -Infinity;
    for (const [a, b] of [...xs].sort((x, y) => x[0] - y[0])) {
      if (b > end) total += b - Math.max(a, end);
      end = Math.max(end, b);
    }
    return total;
  };
  assert.ok(Math.abs(large3 - (6 * 60_000) / busy(spans('large'))) < 1e-6 * large3, `${large3} per minute`);
  const serialRecords = await runBench({
    problems,
    methods: ['large'],
    settings: testSettings({ candidatesPerStep: 2, beamWidth: 1 }),
    models: trio(small, large, countingPrm()),
  });
  const serial = summarize(serialRecords).methods.large.throughputPerMin!;
  const serialSpans = serialRecords.map((r) => [r.startMs, r.endMs] as const);
  assert.equal(inFlight(serialSpans), 1, 'one at a time without --concurrency');
  assert.ok(Math.abs(serial - (6 * 60_000) / busy(serialSpans)) < 1e-6 * serial);
});

test('bench refuses a `large` column whose server speculates, takes --baseline for it, and flags it loudly when allowed', async (t) => {
  clearCapabilityCache();
  const fixtures: Fixture[] = [];
  t.after(() => Promise.all(fixtures.map((f) => f.close())));
  const serve = async (metrics?: string) => {
    const f = await startFixture(vllmHandler({ models: ['m'], metrics }));
    fixtures.push(f);
    return f;
  };
  const speculating = await serve(vllmSpecDecodeMetrics('m', { drafts: 10, drafted: 50, accepted: 20 }));
  const plain = await serve();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-baseline-'));
  const config = (file: string, url: string) => fixtureConfig(dir, file, url);
  const main = config('main.json', speculating.origin);
  const baseline = config('baseline.json', plain.origin);
  fs.writeFileSync(path.join(dir, 'd.jsonl'), JSON.stringify({ problem: PROBLEM, answer: '5' }) + '\n');
  const flags = { dataset: path.join(dir, 'd.jsonl'), config: main, json: true };
  // The command prints its summary as one JSON line; the test runner shows it as a comment.
  const run = (extra: Record<string, unknown>, out: string) => runBenchCommand({ ...flags, ...extra, out: path.join(dir, out) }, ['bench']);

  await assert.rejects(run({ methods: 'large,sps' }, 'refused'), (err: Error & { code?: string; hint?: string }) => {
    assert.equal(err.code, 'usage');
    assert.match(err.message, /Refusing to measure `large`: the large model \(http:\/\/127\.0\.0\.1:\d+\/v1, m\) speculates \(vLLM/);
    assert.match(err.hint ?? '', /--baseline FILE/);
    return true;
  });
  assert.equal(fs.existsSync(path.join(dir, 'refused')), false, 'nothing measured');
  const completions = (f: Fixture) => f.requests.filter((q) => q.path === '/v1/completions').length;

  assert.equal(await run({ methods: 'large,sps', baseline }, 'with-baseline'), 0);
  const report = fs.readFileSync(path.join(dir, 'with-baseline', 'report.md'), 'utf8');
  assert.doesNotMatch(report, /Warning/);
  assert.match(report, /`large` ran on its own large model \(--baseline\): m at http/);
  assert.ok(completions(plain) > 0, 'the large column ran on the baseline server');

  assert.equal(await run({ methods: 'large', 'allow-speculative-baseline': true }, 'allowed'), 0);
  const flagged = fs.readFileSync(path.join(dir, 'allowed', 'report.md'), 'utf8');
  assert.match(flagged, /^> \*\*Warning:\*\* `large` is not an autoregressive baseline: the large model .* speculates/m);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'allowed', 'results.json'), 'utf8')) as { meta: { warnings: string[] } };
  assert.equal(json.meta.warnings.length, 1);
});

/** A config whose small model and PRM use `good`, and whose large model uses `large`. */
function benchConfig(dir: string, good: string, large: string): string {
  const m = (url: string) => ({ provider: 'openai-compatible', baseURL: `${url}/v1`, model: 'm', promptTemplate: 'raw', timeoutMs: 5000 });
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      models: { small: m(good), large: m(large), prm: { ...m(good), kind: 'logprob', stepTag: ' @', positiveToken: '+', negativeToken: '-' } },
      search: { candidatesPerStep: 2, beamWidth: 1, draftRatio: 1, maxDepth: 4, maxStepTokens: 16 },
    }),
  );
  return file;
}

/** The problems of a bench dataset, each answered 5 by the fixture's scripted model. */
function benchDataset(dir: string, problems: string[]): string {
  const file = path.join(dir, 'd.jsonl');
  fs.writeFileSync(file, problems.map((problem, i) => JSON.stringify({ id: `p${i + 1}`, problem, answer: '5' })).join('\n') + '\n');
  return file;
}

test('bench with a large model answering 503 to everything: exit 1, the report and results.json say which solves failed and why, no speed-up over the failures', async (t) => {
  clearCapabilityCache();
  const good = await startFixture(vllmHandler({ models: ['m'] }));
  const plain = vllmHandler({ models: ['m'] });
  const failing = await startFixture((req, res, body, f) => {
    if (req.url === '/v1/completions') return json(res, 503, { error: { message: 'engine overloaded' } });
    plain(req, res, body, f);
  });
  t.after(() => Promise.all([good.close(), failing.close()]));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-bench-fail-'));
  const out = path.join(dir, 'out');
  const code = await runBenchCommand(
    { dataset: benchDataset(dir, [PROBLEM, PROBLEM]), config: benchConfig(dir, good.origin, failing.origin), methods: 'large,small', json: true, out },
    ['bench'],
  );
  assert.equal(code, 1, 'a bench with failed solves does not exit 0');
  const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  assert.match(md, /^> \*\*Warning:\*\* 2 solves failed \(large: 2 of 2\)/m);
  assert.match(
    md,
    /## Failed solves\n\n\| problem \| method \| error \|\n\|---\|---\|---\|\n\| p1 \| large \| http: large model .*HTTP 503.*engine overloaded/,
  );
  assert.match(md, /\| large \| 0\/2 \(0\.0 %\) \| 2 \|/);
  const json2 = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as {
    summary: { methods: Record<string, { errors: number; speedupVsLarge: unknown }> };
    records: BenchRecord[];
  };
  assert.equal(json2.summary.methods.large.errors, 2);
  assert.equal(json2.summary.methods.small.errors, 0);
  assert.equal(json2.summary.methods.small.speedupVsLarge, null, 'no speed-up against solves that failed');
  assert.ok(json2.records.filter((r) => r.method === 'large').every((r) => /HTTP 503/.test(r.error ?? '')));
});

test('an interrupted bench: the cut-short solve is left out, the partial results are marked interrupted; interrupted before any result, --out is left as it was', async (t) => {
  clearCapabilityCache();
  const plain = vllmHandler({ models: ['m'] });
  // Ctrl-C arrives while the server is working on a problem that says STOP.
  const server = await startFixture((req, res, body, f) => {
    if (req.url === '/v1/completions' && /STOP/.test(JSON.stringify(body?.prompt ?? ''))) {
      process.emit('SIGINT');
      return;
    }
    plain(req, res, body, f);
  });
  t.after(() => server.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-bench-int-'));
  const config = benchConfig(dir, server.origin, server.origin);
  const out = path.join(dir, 'out');

  // During the warm-up (the first problem): nothing measured, and what --out held stays.
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'report.md'), 'an earlier report\n');
  const early = await runBenchCommand({ dataset: benchDataset(dir, [`${PROBLEM} STOP`, PROBLEM]), config, methods: 'small', json: true, out }, ['bench']);
  assert.equal(early, 1);
  assert.equal(fs.readFileSync(path.join(out, 'report.md'), 'utf8'), 'an earlier report\n');
  assert.equal(fs.existsSync(path.join(out, 'results.json')), false);

  // At the second of three problems: the first is kept, the second is not counted wrong, the third never ran.
  const late = await runBenchCommand({ dataset: benchDataset(dir, [PROBLEM, `${PROBLEM} STOP`, PROBLEM]), config, methods: 'small', json: true, out }, [
    'bench',
  ]);
  assert.equal(late, 1);
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as { meta: { interrupted?: unknown }; records: BenchRecord[] };
  assert.deepEqual(results.meta.interrupted, { solves: 1, planned: 3 });
  assert.deepEqual(
    results.records.map((r) => [r.id, r.right, r.error]),
    [['p1', true, null]],
  );
  assert.match(fs.readFileSync(path.join(out, 'report.md'), 'utf8'), /^> \*\*Warning:\*\* Interrupted: 1 of 3 solves ran/m);
});

test('a dataset line that is JSON but not an object (null, a list, a number) is a usage error naming the line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-data-'));
  const file = path.join(dir, 'd.jsonl');
  for (const [line, what] of [
    ['null', 'null'],
    ['[1]', 'a list'],
    ['7', 'a number'],
  ]) {
    fs.writeFileSync(file, `${JSON.stringify({ problem: 'x', answer: 1 })}\n${line}\n`);
    assert.throws(
      () => loadDataset(file),
      (err: Error & { code?: string }) => err.code === 'usage' && err.message === `${file}:2 is ${what}, not an object.`,
    );
  }
});

test('fixture replay of vLLM 0.11.0 started with --disable-log-stats: bench cannot tell whether `large` speculates, asks for --baseline, and takes the one it names with a warning', async (t) => {
  clearCapabilityCache();
  const f = await startFixture(vllmHandler({ models: ['m'], version: '0.11.0', metrics: VLLM_METRICS_WITHOUT_STATS }));
  t.after(() => f.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-unknown-'));
  const config = fixtureConfig(dir, 'c.json', f.origin);
  fs.writeFileSync(path.join(dir, 'd.jsonl'), JSON.stringify({ problem: PROBLEM, answer: '5' }) + '\n');
  const run = (extra: Record<string, unknown>, out: string) =>
    runBenchCommand({ dataset: path.join(dir, 'd.jsonl'), config, json: true, methods: 'large,sps', ...extra, out: path.join(dir, out) }, ['bench']);
  await assert.rejects(run({}, 'refused'), (err: Error & { code?: string; hint?: string }) => {
    assert.equal(err.code, 'usage');
    assert.match(err.message, /^Cannot tell whether `large` is an autoregressive baseline: .* does not say whether it speculates \(.*--disable-log-stats/);
    assert.match(err.hint ?? '', /--baseline FILE/);
    return true;
  });
  assert.equal(await run({ baseline: config }, 'named'), 0);
  assert.match(
    fs.readFileSync(path.join(dir, 'named', 'report.md'), 'utf8'),
    /^> \*\*Warning:\*\* `large` is taken as the autoregressive baseline because --baseline names it, unchecked: /m,
  );
});

test("bench --preset paper (fixture servers replaying vLLM 0.11.0): large, sps and specsearch on gsm8k and math500 with --limit, the --baseline rules, and the paper's table over both", async (t) => {
  clearCapabilityCache();
  const speculating = await startFixture(
    vllmHandler({ models: ['m'], version: '0.11.0', metrics: vllmSpecDecodeMetrics('m', { drafts: 10, drafted: 50, accepted: 20 }) }),
  );
  const plain = await startFixture(vllmHandler({ models: ['m'], version: '0.11.0' }));
  t.after(() => Promise.all([speculating.close(), plain.close()]));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-paper-'));
  const config = (file: string, url: string) => fixtureConfig(dir, file, url);
  const flags = { preset: 'paper', config: config('main.json', speculating.origin), limit: '2', out: path.join(dir, 'paper') };
  await assert.rejects(runBenchCommand(flags, ['bench']), /Refusing to measure `large`/, 'the baseline rules hold');
  await assert.rejects(runBenchCommand({ ...flags, dataset: 'gsm8k' }, ['bench']), /chooses the datasets/);
  await assert.rejects(runBenchCommand({ ...flags, preset: 'fast' }, ['bench']), /--preset fast is not one of paper/);
  assert.equal(await runBenchCommand({ ...flags, baseline: config('baseline.json', plain.origin) }, ['bench', '--preset', 'paper']), 0);
  for (const dataset of ['gsm8k', 'math500']) {
    const results = JSON.parse(fs.readFileSync(path.join(dir, 'paper', dataset, 'results.json'), 'utf8')) as {
      meta: { dataset: string };
      summary: { problems: number; methods: Record<string, unknown> };
    };
    assert.equal(results.meta.dataset, dataset);
    assert.equal(results.summary.problems, 2, '--limit holds for each dataset');
    assert.deepEqual(Object.keys(results.summary.methods).sort(), ['large', 'specsearch', 'sps']);
  }
  const table = fs.readFileSync(path.join(dir, 'paper', 'paper.md'), 'utf8');
  assert.match(
    table,
    /^\| method \| GSM8K \(2\) accuracy \(%\) \| latency \(s\) \| speed-up vs large \(95 % CI\) \| MATH-500 \(2\) accuracy \(%\) \| latency \(s\) \| speed-up vs large \(95 % CI\) \|$/m,
  );
  assert.match(table, /^\| large \| [\d.]+ \| [\d.]+ \| 1\.00× \| [\d.]+ \| [\d.]+ \| 1\.00× \|$/m);
  assert.match(table, /^\| specsearch \| [\d.]+ \| [\d.]+ \| [\d.]+× \[[\d.]+, [\d.]+\] \|/m);
  assert.match(table, /^\| speed-up vs sps \(95 % CI\) \| [\d.]+× \[/m);
  assert.match(table, /^\| acceptance \(%\) \| /m);
  assert.match(table, /\[GSM8K\]\(gsm8k\/report\.md\), \[MATH-500\]\(math500\/report\.md\)/);
});

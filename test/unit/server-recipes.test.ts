// The real-server recipes against fixtures of the engines' current shapes: PRM input texts, speculation flags and counters, Ollama logprobs, SGLang /server_info, doctor's vocabulary check.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSettings } from '../../src/core/config';
import { runDoctor } from '../../src/core/doctor';
import { formatDoctorReport } from '../../src/core/doctor-text';
import { clearCapabilityCache, fixFor, ollamaHasLogprobs, versionAtLeast, vllmSpeculation } from '../../src/core/models/capabilities';
import type { HttpLanguageModel } from '../../src/core/models/http-model';
import { createLanguageModel } from '../../src/core/models/openai-compatible';
import { createRewardModel } from '../../src/core/models/prm/factory';
import { mathShepherdText, prmTaggedText, qwenPrmText } from '../../src/core/models/templates';
import { startFixture, type Fixture, type Handler } from '../servers/fixtures/http-fixture';
import { llamaServerHandler, ollamaHandler, sglangHandler, VLLM_METRICS_WITHOUT_STATS, vllmHandler, vllmSpecDecodeMetrics } from '../servers/fixtures/engines';

const fixtures: Fixture[] = [];
after(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});
const signal = new AbortController().signal;

async function serve(handler: Handler): Promise<Fixture> {
  const f = await startFixture(handler);
  fixtures.push(f);
  return f;
}

const QUESTION = 'Janet has 3 apples and buys 2 more. How many apples does she have?';

test('PRM input texts: Math-Shepherd (" ки") gets its training format, the tiny tag PRM (" @") keeps its own, Qwen2.5-Math-PRM is unchanged', () => {
  const steps = ['She starts with 3 apples.', 'She buys 2 more, so 3 + 2 = 5. The answer is: 5'];
  assert.equal(
    prmTaggedText(QUESTION, steps, ' ки'),
    'Janet has 3 apples and buys 2 more. How many apples does she have? Step 1: She starts with 3 apples. ки\nStep 2: She buys 2 more, so 3 + 2 = 5. The answer is: 5 ки',
  );
  assert.equal(prmTaggedText(QUESTION, steps, ' ки'), mathShepherdText(QUESTION, steps));
  assert.equal(mathShepherdText('Q?', ['Step 1: a', ' b ']), 'Q? Step 1: a ки\nStep 2: b ки', 'an existing "Step k:" is not doubled; surrounding spaces go');
  assert.equal(prmTaggedText('P?', ['a', 'b'], ' @'), 'P?\n\na @\n\nb @', 'the text the tiny PRM was trained on');
  assert.equal(
    qwenPrmText('P?', ['a', 'b']),
    '<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>user\nP?<|im_end|>\n<|im_start|>assistant\na<extra_0>b<extra_0><|im_end|>\n<|endoftext|>',
  );
});

test("logprob PRM with Math-Shepherd's tag on a vLLM server: the request carries the Math-Shepherd text", async () => {
  clearCapabilityCache();
  const f = await serve(vllmHandler({ models: ['peiyi9979/math-shepherd-mistral-7b-prm'] }));
  const ps = parseSettings(
    {
      models: {
        prm: {
          provider: 'openai-compatible',
          baseURL: `${f.origin}/v1`,
          model: 'peiyi9979/math-shepherd-mistral-7b-prm',
          kind: 'logprob',
          stepTag: ' ки',
          positiveToken: '+',
          negativeToken: '-',
        },
      },
    },
    'test',
  ).models.prm;
  const prm = await createRewardModel(ps);
  await prm.scoreLast({ problem: QUESTION, paths: [['She starts with 3 apples.', '3 + 2 = 5.']], signal });
  const body = f.requests.filter((q) => q.path === '/v1/completions').at(-1)!.body!;
  assert.equal(body.prompt, `${QUESTION} Step 1: She starts with 3 apples. ки\nStep 2: 3 + 2 = 5. ки`);
  await prm.dispose();
});

test('fixFor: speculation each engine accepts for Qwen2.5-Math-7B + 1.5B, flag versions next to the flags that changed', () => {
  const vllm = fixFor('vllm', 'speculative');
  const config = JSON.parse(/'(\{.*\})'/.exec(vllm)![1]) as Record<string, unknown>;
  assert.deepEqual(config, { method: 'ngram', num_speculative_tokens: 5, prompt_lookup_max: 4 });
  assert.doesNotMatch(vllm, /"model"/, "no draft model: the 1.5B (151936 entries) is refused as the 7B's (152064) draft");
  assert.match(fixFor('sglang', 'speculative'), /^--speculative-algorithm NGRAM /);
  assert.match(
    fixFor('llama.cpp', 'speculative'),
    /-md small\.gguf --spec-type draft-simple --spec-draft-n-max 8 .*from May 2026.*-md small\.gguf --draft-max 8/,
  );
  assert.match(fixFor('vllm', 'pooling'), /--runner pooling \(vLLM ≥ 0\.10\.1; 0\.10\.0 and older: --task reward\)/);
  assert.match(fixFor('ollama', 'logprobs'), /0\.12\.11/);
});

test("docs/servers.md gives the same flags as doctor, every --speculative-config is valid JSON without the refused draft, and every config file's baseURL ends in /v1 or /api", () => {
  const doc = fs.readFileSync('docs/servers.md', 'utf8');
  for (const [server, missing] of [
    ['vllm', 'speculative'],
    ['sglang', 'speculative'],
    ['llama.cpp', 'speculative'],
    ['vllm', 'pooling'],
  ] as const) {
    const flags = fixFor(server, missing).split(' (')[0];
    assert.ok(doc.includes(flags), `docs/servers.md lacks ${flags}`);
  }
  const configs = [...doc.matchAll(/--speculative-config '([^']*)'/g)].map((m) => JSON.parse(m[1]) as Record<string, unknown>);
  assert.ok(configs.length > 0);
  for (const c of configs) assert.notEqual(c.model, 'Qwen/Qwen2.5-Math-1.5B-Instruct', JSON.stringify(c));
  const dir = 'docs/configs';
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const config = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { models: Record<string, { baseURL?: string }> };
    for (const [role, m] of Object.entries(config.models)) assert.match(m.baseURL ?? '/v1', /\/(v1|api)$/, `${name}: models.${role}.baseURL`);
  }
});

test('a baseURL without /v1 whose /models is not found is said, not silently left unchecked', async () => {
  clearCapabilityCache();
  const f = await serve(vllmHandler({ models: ['m'] }));
  const ms = parseSettings({ models: { large: { provider: 'openai-compatible', baseURL: f.origin, model: 'm', promptTemplate: 'raw' } } }, 'test').models.large;
  const caps = await (createLanguageModel('large', ms) as HttpLanguageModel).probe(signal);
  assert.ok(
    caps.degraded.some((d) => d.includes(`baseURL ends in /v1 (${f.origin}/v1)`)),
    caps.degraded.join('\n'),
  );
});

test('vLLM ≥ 0.10 (fixture): speculation is detected from /metrics and its counters are read', async () => {
  clearCapabilityCache();
  const metrics = vllmSpecDecodeMetrics('m', { drafts: 400, drafted: 2000, accepted: 700 });
  const f = await serve(vllmHandler({ models: ['m'], version: '0.11.0', metrics }));
  const ms = parseSettings({ models: { large: { provider: 'openai-compatible', baseURL: `${f.origin}/v1`, model: 'm', promptTemplate: 'raw' } } }, 'test')
    .models.large;
  const caps = await (createLanguageModel('large', ms) as HttpLanguageModel).probe(signal);
  assert.equal(caps.server, 'vllm');
  assert.equal(caps.version, '0.11.0');
  assert.equal(caps.speculative.enabled, true);
  assert.deepEqual(caps.speculative.totals, { drafted: 2000, accepted: 700, meanAcceptLength: 2.75 });
  assert.match(caps.speculative.evidence, /700 of 2000 draft tokens accepted \(35%\), 2\.75 tokens per verification step/); // doctor says so loudly: fine for sps, not as bench's `large` baseline.
  const report = await runDoctor(
    parseSettings(
      {
        models: {
          small: { provider: 'openai-compatible', baseURL: `${f.origin}/v1`, model: 'm', promptTemplate: 'raw' },
          large: { provider: 'openai-compatible', baseURL: `${f.origin}/v1`, model: 'm', promptTemplate: 'raw' },
          prm: { provider: 'openai-compatible', baseURL: `${f.origin}/v1`, model: 'm', promptTemplate: 'raw', kind: 'logprob' },
        },
      },
      'test',
    ),
    signal,
  );
  const baseline = report.models[1].findings.find((x) => /autoregressive baseline/.test(x.missing));
  assert.equal(baseline?.level, 'warning');
  assert.match(baseline?.fix ?? '', /--baseline FILE/);
  assert.match(formatDoctorReport(report, null), /missing +an autoregressive baseline: this server speculates/);
});

test('fixture replay of vLLM 0.11.0 started with --disable-log-stats: speculation reads as unknown, not as off, and doctor says what that costs', async () => {
  clearCapabilityCache();
  const f = await serve(vllmHandler({ models: ['m'], version: '0.11.0', metrics: VLLM_METRICS_WITHOUT_STATS }));
  const m = { provider: 'openai-compatible', baseURL: `${f.origin}/v1`, model: 'm', promptTemplate: 'raw' };
  const caps = await (createLanguageModel('large', parseSettings({ models: { large: m } }, 'test').models.large) as HttpLanguageModel).probe(signal);
  assert.equal(caps.speculative.enabled, null);
  assert.match(caps.speculative.evidence, /--disable-log-stats/);
  const report = await runDoctor(parseSettings({ models: { small: m, large: m, prm: { ...m, kind: 'logprob' } } }, 'test'), signal);
  const large = report.models[1];
  assert.ok(!large.findings.some((x) => /^server-side speculative decoding/.test(x.missing)), 'unknown is not reported as missing speculation');
  assert.ok(!large.findings.some((x) => /autoregressive baseline: this server speculates/.test(x.missing)), 'nor as speculation');
  const unknown = large.findings.find((x) => /whether this server speculates/.test(x.missing));
  assert.equal(unknown?.level, 'warning');
  assert.match(unknown?.fix ?? '', /without --disable-log-stats.*--baseline FILE/);
  assert.match(formatDoctorReport(report, null), /speculative decoding: unknown/);
  assert.equal(vllmSpeculation(null).enabled, null, 'an unreadable /metrics is unknown too');
});

test("fixture replay of llama-server (llama.cpp of September 2026) without a draft model: doctor's fix names the flags of all three generations of builds", async () => {
  clearCapabilityCache();
  const f = await serve(llamaServerHandler({ alias: 'large', nVocab: 152064 }));
  const m = { provider: 'openai-compatible', baseURL: `${f.origin}/v1`, model: 'large', promptTemplate: 'raw' };
  const report = await runDoctor(parseSettings({ models: { small: m, large: m, prm: { ...m, kind: 'logprob' } } }, 'test'), signal);
  const fix = report.models[1].findings.find((x) => /^server-side speculative decoding/.test(x.missing))?.fix ?? '';
  assert.match(fix, /^-md small\.gguf --spec-type draft-simple --spec-draft-n-max 8 \(/, 'builds from May 2026 (llama.cpp PR #22964)');
  assert.match(fix, /take --spec-draft-n-max but not draft-simple: -md small\.gguf --spec-draft-n-max 8;/, 'builds between PR #22397 and PR #22964');
  assert.match(fix, /older builds: -md small\.gguf --draft-max 8\)$/, 'builds before PR #22397');
});

test('SGLang (fixture): /server_info is read first, speculation and its accept length from it; older SGLang falls back to /get_server_info', async () => {
  clearCapabilityCache();
  const current = await serve(sglangHandler({ version: '0.5.9', algorithm: 'NGRAM', acceptLength: 2.7 }));
  const ms = (f: Fixture) =>
    parseSettings({ models: { large: { provider: 'openai-compatible', baseURL: `${f.origin}/v1`, model: 'm', promptTemplate: 'raw' } } }, 'test').models.large;
  const a = await (createLanguageModel('large', ms(current)) as HttpLanguageModel).probe(signal);
  assert.deepEqual(
    current.requests.map((q) => q.path),
    ['/v1/models', '/server_info'],
    'the deprecated alias is not asked',
  );
  assert.equal(a.server, 'sglang');
  assert.equal(a.version, '0.5.9');
  assert.equal(a.speculative.enabled, true);
  assert.match(a.speculative.evidence, /^SGLang \/server_info: speculative_algorithm = NGRAM; so far 2\.7 tokens per verification step$/);
  assert.deepEqual(a.speculative.totals, { drafted: null, accepted: null, meanAcceptLength: 2.7 });
  const legacy = await serve(sglangHandler({ version: '0.4.6', algorithm: 'EAGLE', draft: 'lmsys/sglang-EAGLE-LLaMA3-Instruct-8B', legacy: true }));
  const b = await (createLanguageModel('large', ms(legacy)) as HttpLanguageModel).probe(signal);
  assert.deepEqual(
    legacy.requests.map((q) => q.path),
    ['/v1/models', '/server_info', '/get_server_info'],
  );
  assert.equal(b.version, '0.4.6');
  assert.equal(b.speculative.draft, 'lmsys/sglang-EAGLE-LLaMA3-Instruct-8B');
  assert.match(b.speculative.evidence, /^SGLang \/get_server_info: speculative_algorithm = EAGLE$/);
});

test('Ollama logprobs: known from 0.12.11 on, unknown for dev builds', () => {
  assert.equal(ollamaHasLogprobs('0.12.10'), false);
  assert.equal(ollamaHasLogprobs('0.5.7'), false);
  assert.equal(ollamaHasLogprobs('0.12.11'), true);
  assert.equal(ollamaHasLogprobs('v0.12.11-rc1'), true);
  assert.equal(ollamaHasLogprobs('0.13.0'), true);
  assert.equal(ollamaHasLogprobs('1.0.0'), true);
  assert.equal(ollamaHasLogprobs('0.0.0'), null);
  assert.equal(ollamaHasLogprobs(null), null);
});

test('engine versions as vLLM writes them compare by their first three numbers', () => {
  assert.equal(versionAtLeast('0.11.1', [0, 11, 1]), true);
  assert.equal(versionAtLeast('0.11.0', [0, 11, 1]), false);
  assert.equal(versionAtLeast('0.26.0rc1', [0, 11, 1]), true);
  assert.equal(versionAtLeast('0.10.1.1+cu128', [0, 10, 1]), true);
  assert.equal(versionAtLeast('0.12', [0, 11, 1]), true);
  assert.equal(versionAtLeast('dev', [0, 11, 1]), null);
});

function ollamaPrm(origin: string) {
  return {
    provider: 'openai-compatible',
    baseURL: `${origin}/api`,
    model: 'math-shepherd',
    kind: 'logprob',
    stepTag: ' ки',
    positiveToken: '+',
    negativeToken: '-',
  };
}

test("Ollama 0.12.11 (fixture): the logprob PRM reads top_logprobs from raw /api/generate, one request per path, in Math-Shepherd's format", async () => {
  clearCapabilityCache();
  const f = await serve(ollamaHandler({ version: '0.12.11', model: 'math-shepherd', score: (prompt) => (/wrong/.test(prompt) ? 0.2 : 0.9) }));
  const prm = await createRewardModel(parseSettings({ models: { prm: ollamaPrm(f.origin) } }, 'test').models.prm);
  const r = await prm.scoreLast({ problem: QUESTION, paths: [['3 + 2 = 5.'], ['3 + 2 = 6, which is wrong.']], signal });
  assert.deepEqual(
    r.scores.map((s) => Math.round(s * 100) / 100),
    [0.9, 0.2],
  );
  assert.equal(r.requests, 2);
  const gen = f.requests.filter((q) => q.path === '/api/generate');
  assert.equal(gen.length, 2);
  const { options, ...rest } = gen[0].body!;
  assert.deepEqual(rest, { model: 'math-shepherd', prompt: `${QUESTION} Step 1: 3 + 2 = 5. ки`, raw: true, stream: false, logprobs: true, top_logprobs: 20 });
  assert.deepEqual(options, { num_predict: 1, temperature: 0 });
  await prm.dispose();
});

test('Ollama before 0.12.11 (fixture, 0.12.6): doctor says the logprob PRM cannot be read and names the version that fixes it, without a failing round trip', async () => {
  clearCapabilityCache();
  const lm = await serve(ollamaHandler({ version: '0.12.6', model: 'qwen2.5-math:1.5b' }));
  const old = await serve(ollamaHandler({ version: '0.12.6', model: 'math-shepherd' }));
  const m = { provider: 'openai-compatible', baseURL: `${lm.origin}/api`, model: 'qwen2.5-math:1.5b', promptTemplate: 'qwen2.5-math' };
  const settings = parseSettings({ models: { small: m, large: m, prm: ollamaPrm(old.origin) }, search: { candidatesPerStep: 2, draftRatio: 1 } }, 'test');
  const report = await runDoctor(settings, signal);
  const prm = report.models[2];
  assert.equal(prm.capabilities?.logprobs, false);
  assert.equal(prm.roundTripMs, null);
  assert.equal(prm.error, null);
  assert.deepEqual(
    prm.findings.map((x) => [x.level, x.fix]),
    [['error', fixFor('ollama', 'logprobs')]],
  );
  assert.equal(old.requests.filter((q) => q.path === '/api/generate').length, 0);
  assert.equal(report.ok, false);
});

test('doctor on llama-server fixtures whose draft and target vocabularies differ (Qwen2.5-Math 1.5B: 151936, 7B: 152064): a warning that names both sizes and what each engine does', async (t) => {
  clearCapabilityCache();
  const small = await serve(llamaServerHandler({ alias: 'Qwen2.5-Math-1.5B-Instruct', nVocab: 151936, slots: 4 }));
  const large = await serve(llamaServerHandler({ alias: 'Qwen2.5-Math-7B-Instruct', nVocab: 152064, slots: 4, speculative: true }));
  const prm = await serve(vllmHandler({ models: ['prm'] }));
  const m = (f: Fixture, model: string) => ({ provider: 'openai-compatible', baseURL: `${f.origin}/v1`, model, promptTemplate: 'raw', timeoutMs: 5000 });
  const models = {
    small: m(small, 'Qwen2.5-Math-1.5B-Instruct'),
    large: m(large, 'Qwen2.5-Math-7B-Instruct'),
    prm: { ...m(prm, 'prm'), kind: 'logprob', stepTag: ' @' },
  };
  const search = { candidatesPerStep: 2, draftRatio: 1 };
  const report = await runDoctor(parseSettings({ models, search }, 'test'), signal);
  t.diagnostic(formatDoctorReport(report, 'fixture servers'));
  assert.equal(report.ok, true, 'a warning: llama-server accepts this pair');
  assert.equal(report.models[1].capabilities?.speculative.enabled, true);
  const gap = report.models[1].findings.find((x) => /vocabulary/.test(x.missing));
  assert.equal(gap?.level, 'warning');
  assert.match(
    gap!.missing,
    /the small model's vocabulary has 151936 entries, the large model's 152064; llama-server takes the small model as its draft .*vLLM and SGLang STANDALONE refuse it/,
  );
  assert.match(gap!.fix, /^none needed on llama-server; on vLLM: --speculative-config '\{"method": "ngram"/);

  clearCapabilityCache();
  const far = await serve(llamaServerHandler({ alias: 'other', nVocab: 32000, slots: 4 }));
  const farReport = await runDoctor(parseSettings({ models: { ...models, small: m(far, 'other') }, search }, 'test'), signal);
  const farGap = farReport.models[1].findings.find((x) => /vocabulary/.test(x.missing));
  assert.match(farGap?.missing ?? '', /32000 entries, the large model's 152064, so the small model cannot be its draft/);
  assert.match(farGap?.fix ?? '', /--spec-type ngram-mod/);
});

test('the GPU recipes fit their cards: vLLM fractions of one card add up to at most 0.9, and every shared card is named with CUDA_VISIBLE_DEVICES', () => {
  let checked = 0;
  for (const file of ['docs/servers.md', 'docs/bench.md']) {
    const doc = fs.readFileSync(file, 'utf8');
    for (const [, block] of doc.matchAll(/```sh\n([\s\S]*?)```/g)) {
      const serves = block
        .replace(/\\\n/g, ' ')
        .split('\n')
        .filter((l) => /vllm serve .*--gpu-memory-utilization/.test(l));
      if (serves.length < 2) continue;
      const exported = /^export CUDA_VISIBLE_DEVICES=(\d+)/m.exec(block)?.[1];
      const perCard = new Map<string, number>();
      for (const line of serves) {
        const card = /CUDA_VISIBLE_DEVICES=(\d+)/.exec(line)?.[1] ?? exported;
        assert.ok(card !== undefined, `${file}: no CUDA_VISIBLE_DEVICES for: ${line}`);
        perCard.set(card, (perCard.get(card) ?? 0) + Number(/--gpu-memory-utilization ([\d.]+)/.exec(line)![1]));
      }
      for (const [card, sum] of perCard) assert.ok(sum <= 0.9 + 1e-9, `${file}: GPU ${card} is asked for ${sum.toFixed(2)} of its memory`);
      checked++;
    }
  }
  assert.ok(checked >= 2, 'the one-GPU and two-GPU paths are checked');
});

test("doctor's text names an embedded model's file once, under the title it is given (the CLI's, the extension log's)", () => {
  const model = (role: 'small' | 'large' | 'prm', file: string) => ({
    role,
    provider: 'embedded' as const,
    target: file,
    model: file,
    reachable: true,
    servedModels: [file],
    server: 'embedded' as const,
    version: null,
    capabilities: null,
    roundTripMs: 12,
    loadMs: 30,
    device: 'the CPU',
    findings: [],
    notes: [],
    error: null,
    ok: true,
  });
  const report = { ok: true, profile: 'tiny', method: 'specsearch' as const, ms: 5, models: [model('small', '/m/small.gguf'), model('prm', '/m/prm.gguf')] };
  const text = formatDoctorReport(report, null, { title: 'Model check' });
  assert.match(text, /^Model check — profile "tiny"/);
  for (const file of ['/m/small.gguf', '/m/prm.gguf']) assert.equal(text.split(file).length - 1, 1, `${file} once in:\n${text}`);
  assert.match(text, /✓ small embedded \(in this process\)\n {4}model {6}\/m\/small\.gguf\n {4}loaded {5}yes, in 30 ms; one-token round trip 12 ms/);
});

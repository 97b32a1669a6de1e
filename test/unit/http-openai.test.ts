// The OpenAI-compatible backend against a vLLM-shaped fixture server: prompts, n, stop strings, usage, logprob PRM, doctor.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { createModels, disposeModels } from '../../src/core/models/factory';
import { clearCapabilityCache, isOllamaURL } from '../../src/core/models/capabilities';
import { finishOf } from '../../src/core/models/http-model';
import { firstTokenAlternatives } from '../../src/core/models/prm/http';
import { renderPrompt } from '../../src/core/models/templates';
import { runDoctor } from '../../src/core/doctor';
import { formatDoctorReport } from '../../src/core/doctor-text';
import { solve } from '../../src/core/solve';
import { deadPort, httpSettings, openAIHandler, PROBLEM, startFixture, type Fixture } from '../servers/fixtures/http-fixture';
import { vllmHandler } from '../servers/fixtures/engines';

const fixtures: Fixture[] = [];
after(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});
const signal = new AbortController().signal;

async function vllm(): Promise<Fixture> {
  const f = await startFixture(openAIHandler({ owner: 'vllm' }));
  fixtures.push(f);
  return f;
}

test("prompt templates: raw is the tiny models' text; Qwen2.5-Math gets its system prompt; Llama 3 its headers; steps continue the assistant turn", () => {
  const base = { problem: 'P?', mode: 'solve' as const, steps: ['a', 'b'], separator: '\n\n' };
  assert.equal(renderPrompt({ ...base, template: 'raw' }), 'P?\n\na\n\nb\n\n');
  assert.equal(
    renderPrompt({ ...base, template: 'qwen2.5-math' }),
    '<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>user\nP?<|im_end|>\n<|im_start|>assistant\na\n\nb\n\n',
  );
  assert.equal(renderPrompt({ ...base, template: 'chatml', steps: [] }), '<|im_start|>user\nP?<|im_end|>\n<|im_start|>assistant\n');
  assert.equal(
    renderPrompt({ ...base, template: 'llama3', systemPrompt: 'S', steps: ['a'], separator: '\n' }),
    '<|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nP?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\na\n',
  );
});

test('Ollama is chosen by a baseURL ending in /api (or a bare host:11434); everything else speaks /v1', () => {
  assert.equal(isOllamaURL('http://127.0.0.1:11434/api'), true);
  assert.equal(isOllamaURL('http://gpu-box:8080/api'), true);
  assert.equal(isOllamaURL('http://127.0.0.1:11434'), true);
  assert.equal(isOllamaURL('http://127.0.0.1:11434/v1'), false);
  assert.equal(isOllamaURL('http://127.0.0.1:8000/v1'), false);
});

test('finish reasons: a kept stop string, vLLM stop_reason, llama.cpp stop types, and servers that only say "stop"', () => {
  const call = { stepStops: ['\n\n'], endStops: ['<|im_end|>'] };
  assert.deepEqual(finishOf('x\n\n', 'stop', '\n\n', call, true), { text: 'x', finish: 'stop' });
  assert.deepEqual(finishOf('x<|im_end|>', 'stop', null, call, true), { text: 'x', finish: 'eos' });
  assert.deepEqual(finishOf('x', 'stop', null, call, true), { text: 'x', finish: 'eos' });
  assert.deepEqual(finishOf('x', 'stop', 151645, call, true), { text: 'x', finish: 'eos' });
  assert.deepEqual(finishOf('x', 'length', null, call, true), { text: 'x', finish: 'length' });
  assert.deepEqual(finishOf('x', 'stop', '<|im_end|>', call, true), { text: 'x', finish: 'eos' });
  assert.deepEqual(finishOf('x', 'stop', undefined, call, false), { text: 'x', finish: 'stop' });
  assert.deepEqual(finishOf('', 'stop', undefined, call, false), { text: '', finish: 'eos' });
});

test('logprobs in both shapes: llama-server content[].top_logprobs[] and legacy top_logprobs[0] dicts', () => {
  const llama = {
    logprobs: {
      content: [
        {
          id: 10,
          token: '+',
          bytes: [43],
          logprob: -0.1,
          top_logprobs: [
            { id: 10, token: '+', bytes: [43], logprob: -0.1 },
            { id: 11, token: '-', bytes: [45], logprob: -2.4 },
          ],
        },
      ],
    },
  };
  assert.deepEqual(
    [...firstTokenAlternatives(llama)!],
    [
      ['+', -0.1],
      ['-', -2.4],
    ],
  );
  const legacy = { logprobs: { tokens: ['+'], token_logprobs: [-0.1], top_logprobs: [{ '+': -0.1, '-': -2.4 }], text_offset: [0] } };
  assert.deepEqual(
    [...firstTokenAlternatives(legacy)!],
    [
      ['+', -0.1],
      ['-', -2.4],
    ],
  );
  assert.equal(firstTokenAlternatives({ logprobs: null }), null);
});

test('vLLM-shaped server: n drafts in one request, stop string kept and removed, stop_reason read, usage split over drafts', async () => {
  clearCapabilityCache();
  const f = await vllm();
  const models = await createModels(httpSettings({ small: `${f.origin}/v1` }));
  const r = await models.small.draft({
    problem: PROBLEM,
    mode: 'solve',
    steps: ['Step 1.'],
    n: 4,
    stop: ['\n\n'],
    maxTokens: 16,
    temperature: 0.7,
    seed: 3,
    speculative: false,
    signal,
  });
  assert.equal(r.requests, 1);
  assert.deepEqual(
    r.drafts.map((d) => [d.text, d.finish]),
    Array(4).fill(['Step 2.', 'stop']),
  );
  assert.equal(
    r.drafts.reduce((s, d) => s + d.tokens, 0),
    16,
    'usage.completion_tokens, summed over choices',
  );
  const body = f.requests.find((q) => q.path === '/v1/completions')!.body!;
  assert.equal(body.n, 4);
  assert.equal(body.include_stop_str_in_output, true);
  assert.equal(body.prompt, `${PROBLEM}\n\nStep 1.\n\n`);
  assert.deepEqual(body.stop, ['\n\n']);
  const end = await models.small.draft({
    problem: PROBLEM,
    mode: 'solve',
    steps: ['Step 1.', 'Step 2.'],
    n: 1,
    stop: ['\n\n'],
    maxTokens: 16,
    temperature: 0.7,
    seed: 3,
    speculative: false,
    signal,
  });
  assert.deepEqual(end.drafts[0], { text: 'The answer is 5.', tokens: 4, finish: 'eos' });
  await disposeModels(models);
});

test("logprob PRM on a vLLM-shaped server: one request for all paths, max_tokens 1, temperature 0, top logprobs ≥ 10, the tiny PRM's exact text; a right step beats a wrong one", async () => {
  clearCapabilityCache();
  const f = await vllm();
  const models = await createModels(httpSettings({ small: `${f.origin}/v1` }));
  const r = await models.prm.scoreLast({
    problem: PROBLEM,
    paths: [
      ['Step 1.', 'Step 2.'],
      ['Step 1.', 'Step 2 is wrong.'],
    ],
    signal,
  });
  assert.equal(r.requests, 1);
  assert.ok(Math.abs(r.scores[0] - 0.9) < 1e-9 && Math.abs(r.scores[1] - 0.2) < 1e-9, String(r.scores));
  const body = f.requests.filter((q) => q.path === '/v1/completions').at(-1)!.body!;
  assert.deepEqual(body.prompt, [`${PROBLEM}\n\nStep 1. @\n\nStep 2. @`, `${PROBLEM}\n\nStep 1. @\n\nStep 2 is wrong. @`]);
  assert.equal(body.max_tokens, 1);
  assert.equal(body.temperature, 0);
  assert.ok((body.logprobs as number) >= 10);
  await disposeModels(models);
});

test('a whole SpecSearch solve over HTTP: answer found, requests counted', async () => {
  clearCapabilityCache();
  const f = await vllm();
  const settings = httpSettings({ small: `${f.origin}/v1` });
  const models = await createModels(settings);
  const r = await solve({ problem: PROBLEM, settings, models, signal });
  await disposeModels(models);
  assert.equal(r.error, null, r.error?.message);
  assert.equal(r.answer, '5');
  assert.ok(r.stats.requests > 0);
});

test('doctor: a healthy vLLM-shaped server is ok with findings and flags; a dead URL is not, with the connection error', async () => {
  // /metrics with engine metrics and no spec_decode counters: a vLLM that says it does not speculate.
  const f = await startFixture(vllmHandler({}));
  fixtures.push(f);
  const good = await runDoctor(httpSettings({ small: `${f.origin}/v1` }), signal);
  assert.equal(good.ok, true, JSON.stringify(good.models.map((m) => m.error)));
  assert.equal(good.models[0].server, 'vllm');
  assert.equal(good.models[0].capabilities?.n, true);
  assert.ok(good.models.every((m) => m.roundTripMs !== null));
  const spec = good.models[1].findings.find((x) => /speculative/.test(x.missing));
  assert.match(spec?.fix ?? '', /--speculative-config/);
  const dead = `http://127.0.0.1:${await deadPort()}/v1`;
  const bad = await runDoctor(httpSettings({ small: dead }, { timeoutMs: 2000 }), signal);
  assert.equal(bad.ok, false);
  assert.ok(bad.models.every((m) => !m.reachable && m.error?.code === 'connection'));
  const text = formatDoctorReport(bad, null);
  assert.match(text, /✗ small/);
  assert.match(text, /connection refused/);
  assert.doesNotThrow(() => JSON.stringify(good));
});

test("concurrent solves on one set of models share each server's maxConcurrency, also where two roles use one server (as in the language server and bench --concurrency)", async () => {
  const completions = openAIHandler({ owner: 'vllm' });
  let open = 0;
  let most = 0;
  const slow = await startFixture((req, res, body, fixture) => {
    if (req.url !== '/v1/completions') return completions(req, res, body, fixture);
    open++;
    most = Math.max(most, open);
    setTimeout(() => {
      open--;
      completions(req, res, body, fixture);
    }, 30);
  });
  fixtures.push(slow);
  const quick = await vllm();
  // The small model (drafts) and the PRM share the slow server; the large model answers at once.
  const settings = httpSettings({ small: `${slow.origin}/v1`, large: `${quick.origin}/v1` }, { search: { draftRatio: 2, candidatesPerStep: 2 } });
  settings.models.small = { ...settings.models.small, maxConcurrency: 2 };
  assert.equal(settings.models.prm.baseURL, settings.models.small.baseURL);
  assert.equal(settings.models.prm.maxConcurrency, 4);
  const models = await createModels(settings);
  try {
    // n > 1 would be one request a node; without n each draft is its own request, all through the gate.
    const results = await Promise.all(Array.from({ length: 4 }, () => solve({ problem: PROBLEM, settings, models, signal })));
    for (const r of results) assert.equal(r.error, null, r.error?.message);
  } finally {
    await disposeModels(models);
  }
  assert.ok(slow.requests.filter((q) => q.path === '/v1/completions').length >= 4);
  assert.ok(
    slow.requests.some((q) => q.path === '/v1/completions' && q.body?.max_tokens === 1),
    'the PRM scored on the same server',
  );
  assert.equal(most, 2, 'four searches at once, drafts and PRM together, never more than the smaller maxConcurrency (2) at that server');
});

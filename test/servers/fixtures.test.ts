// Servers that cannot run here (vLLM /pooling, Ollama /api/generate), as fixture servers replaying their documented shapes.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/core/solve';
import { parseSettings } from '../../src/core/config';
import { createModels, disposeModels } from '../../src/core/models/factory';
import { clearCapabilityCache } from '../../src/core/models/capabilities';
import { createLanguageModel } from '../../src/core/models/openai-compatible';
import { createRewardModel } from '../../src/core/models/prm/factory';
import { runDoctor } from '../../src/core/doctor';
import { json, openAIHandler, PROBLEM, scriptedContinuation, startFixture, type Fixture } from './fixtures/http-fixture';
import { vllmPoolingHandler } from './fixtures/engines';

const fixtures: Fixture[] = [];
after(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});
const signal = new AbortController().signal;

async function poolingServer(perToken = false): Promise<Fixture> {
  const f = await startFixture(vllmPoolingHandler({ perToken }));
  fixtures.push(f);
  return f;
}

function prmSettings(origin: string) {
  return parseSettings(
    {
      models: {
        small: { provider: 'openai-compatible', baseURL: `${origin}/v1`, model: 'm', promptTemplate: 'raw' },
        large: { provider: 'openai-compatible', baseURL: `${origin}/v1`, model: 'm', promptTemplate: 'raw' },
        prm: { provider: 'openai-compatible', baseURL: `${origin}/v1`, model: 'Qwen/Qwen2.5-Math-PRM-7B', kind: 'vllm-pooling' },
      },
    },
    'test',
  ).models.prm;
}

for (const perToken of [false, true]) {
  test(`vLLM /pooling (fixture server replaying documented shapes${perToken ? ', one row per token' : ''}): steps joined with <extra_0>, score = p(right) of the last step, all paths in one request`, async () => {
    clearCapabilityCache();
    const f = await poolingServer(perToken);
    const prm = await createRewardModel(prmSettings(f.origin));
    const r = await prm.scoreLast({ problem: PROBLEM, paths: [['2 + 3 = 5.'], ['2 + 3 = 6, which is wrong.'], ['Start at 2.', 'Add 3 to get 5.']], signal });
    assert.deepEqual(
      r.scores.map((s) => Math.round(s * 100) / 100),
      [0.95, 0.15, 0.95],
    );
    const pooling = f.requests.filter((q) => q.path === '/pooling');
    assert.equal(pooling.length, 1, 'one /pooling request for all paths');
    const input = pooling[0].body!.input as string[];
    assert.equal(input.length, 3);
    assert.ok(input[2].includes('Start at 2.<extra_0>Add 3 to get 5.<extra_0>'), input[2]);
    assert.ok(input[0].startsWith('<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>user\n'));
    assert.deepEqual(
      (await prm.scoreSteps(PROBLEM, ['fine', 'wrong'], signal)).map((s) => Math.round(s * 100) / 100),
      [0.95, 0.15],
    );
  });
}

async function poolingVersion(version: string, extra: { hideVersion?: boolean } = {}): Promise<Fixture> {
  const f = await startFixture(vllmPoolingHandler({ version, ...extra }));
  fixtures.push(f);
  return f;
}

const poolingTasks = async (f: Fixture) => {
  clearCapabilityCache();
  const prm = await createRewardModel(prmSettings(f.origin));
  const r = await prm.scoreLast({ problem: PROBLEM, paths: [['2 + 3 = 5.'], ['2 + 3 = 6, which is wrong.']], signal });
  assert.deepEqual(
    r.scores.map((s) => Math.round(s * 100) / 100),
    [0.95, 0.15],
  );
  return f.requests.filter((q) => q.path === '/pooling').map((q) => q.body!.task);
};

test('fixture replay of vLLM 0.10.2 /pooling: no `task` is sent (the field does not exist before 0.11.1); one row per step', async () => {
  assert.deepEqual(await poolingTasks(await poolingVersion('0.10.2')), [undefined]);
});

test('fixture replay of vLLM 0.11.1 /pooling: `task: "token_classify"` is sent, read from GET /version, and accepted', async () => {
  assert.deepEqual(await poolingTasks(await poolingVersion('0.11.1')), ['token_classify']);
});

test('fixture replay of vLLM 0.26.0 /pooling: `task: "token_classify"` is sent, so the PRM rows come back and not the hidden states an untasked request resolves to', async () => {
  assert.deepEqual(await poolingTasks(await poolingVersion('0.26.0')), ['token_classify']);
});

test('fixture replay of vLLM 0.26.0 /pooling behind a proxy without /version: hidden-state rows are an error naming the task, never read as scores', async () => {
  clearCapabilityCache();
  const f = await poolingVersion('0.26.0', { hideVersion: true });
  const prm = await createRewardModel(prmSettings(f.origin));
  await assert.rejects(prm.scoreLast({ problem: PROBLEM, paths: [['2 + 3 = 5.']], signal }), (err: Error & { code?: string; hint?: string }) => {
    assert.equal(err.code, 'bad-response');
    assert.match(
      err.message,
      /rows of 16 values, not \[p\(wrong\), p\(right\)\]: the server pooled without a task, which resolved to another task than token_classify/,
    );
    assert.match(err.hint ?? '', /--pooler-config\.task token_classify/);
    return true;
  });
});

test('vLLM /pooling (fixture server replaying documented shapes): a server without /pooling fails with the flag that adds it', async () => {
  clearCapabilityCache();
  const f = await startFixture(openAIHandler({ models: ['Qwen/Qwen2.5-Math-PRM-7B'] }));
  fixtures.push(f);
  const prm = await createRewardModel(prmSettings(f.origin));
  await assert.rejects(prm.scoreLast({ problem: PROBLEM, paths: [['x']], signal }), (err: Error & { code?: string; hint?: string }) => {
    assert.match(err.message, /no \/pooling endpoint/);
    assert.match(err.hint ?? '', /--runner pooling/);
    return true;
  });
});

/**
 * Ollama 0.12.6's native API (docs/api.md), before logprobs (0.12.11): GET /api/tags {models: [{name, model, …}]},
 * GET /api/version {version}, POST /api/generate {model, prompt, raw, stream: false, options: {num_predict,
 * temperature, seed, stop}} → {model, created_at, response, done: true, done_reason: "stop" | "length",
 * eval_count, prompt_eval_count, …}. Ollama ≥ 0.12.11 with logprobs: ollamaHandler in fixtures/engines.ts.
 */
async function ollamaServer(): Promise<Fixture> {
  const f = await startFixture((req, res, body) => {
    if (req.url === '/api/tags')
      return json(res, 200, { models: [{ name: 'qwen2.5-math:1.5b', model: 'qwen2.5-math:1.5b', size: 1, digest: 'x', details: {} }] });
    if (req.url === '/api/version') return json(res, 200, { version: '0.12.6' });
    if (req.url === '/api/generate' && body) {
      if (body.model !== 'qwen2.5-math:1.5b') return json(res, 404, { error: `model '${String(body.model)}' not found` });
      const c = scriptedContinuation(String(body.prompt));
      return json(res, 200, {
        model: body.model,
        created_at: '2026-01-01T00:00:00Z',
        response: c.text,
        done: true,
        done_reason: 'stop',
        context: [1, 2],
        total_duration: 1000,
        prompt_eval_count: 12,
        eval_count: 5,
        eval_duration: 500,
      });
    }
    json(res, 404, { error: 'not found' });
  });
  fixtures.push(f);
  return f;
}

function ollamaConfig(origin: string, model = 'qwen2.5-math:1.5b') {
  const m = { provider: 'openai-compatible', baseURL: `${origin}/api`, model, promptTemplate: 'qwen2.5-math' };
  return { models: { small: m, large: m, prm: { ...m, kind: 'judge' } } };
}

test('Ollama /api/generate (fixture server replaying documented shapes): raw: true, the Qwen template rendered by SpecSearch, one request per draft', async () => {
  clearCapabilityCache();
  const f = await ollamaServer();
  const model = createLanguageModel('small', parseSettings(ollamaConfig(f.origin), 'test').models.small);
  const r = await model.draft({
    problem: PROBLEM,
    mode: 'solve',
    steps: ['Step 1.'],
    n: 3,
    stop: ['\n\n'],
    maxTokens: 32,
    temperature: 0.7,
    seed: 1,
    speculative: false,
    signal,
  });
  assert.equal(r.drafts.length, 3);
  assert.equal(r.requests, 3);
  assert.deepEqual(r.drafts[0], { text: 'Step 2.', tokens: 5, finish: 'stop' });
  const gen = f.requests.filter((q) => q.path === '/api/generate');
  assert.equal(gen.length, 3);
  const body = gen[0].body!;
  assert.equal(body.raw, true);
  assert.equal(body.stream, false);
  assert.equal(
    body.prompt,
    `<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>user\n${PROBLEM}<|im_end|>\n<|im_start|>assistant\nStep 1.\n\n`,
  );
  const options = body.options as Record<string, unknown>;
  assert.equal(options.num_predict, 32);
  assert.deepEqual(options.stop, ['\n\n', '<|im_end|>', '<|endoftext|>']);
  assert.deepEqual(new Set(gen.map((q) => (q.body!.options as Record<string, unknown>).seed)).size, 3, 'each draft its own seed');
});

test('Ollama /api/generate (fixture server replaying documented shapes): a whole solve, and doctor reports it', async () => {
  clearCapabilityCache();
  const f = await ollamaServer();
  const settings = parseSettings({ ...ollamaConfig(f.origin), search: { candidatesPerStep: 2, beamWidth: 1, draftRatio: 1, maxDepth: 4 } }, 'test');
  const models = await createModels(settings);
  const r = await solve({ problem: PROBLEM, settings, models, signal });
  await disposeModels(models);
  assert.equal(r.error, null, r.error?.message);
  assert.equal(r.answer, '5');
  const report = await runDoctor(settings, signal);
  assert.equal(report.ok, true, JSON.stringify(report.models.map((m) => m.error)));
  assert.equal(report.models[0].server, 'ollama');
  assert.deepEqual(report.models[0].servedModels, ['qwen2.5-math:1.5b']);
  assert.equal(report.models[0].capabilities?.n, false);
  assert.ok(report.models[2].findings.some((x) => /judge/.test(x.missing)));
  // Ollama 0.12.6 returns no logprobs: a judge still scores (from the word it writes), worse, and doctor says so.
  const noLogprobs = report.models[2].findings.find((x) => /completion logprobs, which kind "judge" reads/.test(x.missing));
  assert.equal(noLogprobs?.level, 'warning', JSON.stringify(report.models[2].findings));
  assert.match(noLogprobs!.fix, /Ollama 0\.12\.11 or later/);
  assert.notEqual(report.models[2].roundTripMs, null);
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(report)));
});

test('Ollama /api/generate (fixture server replaying documented shapes): a model not pulled is "model-not-found" with `ollama pull`', async () => {
  clearCapabilityCache();
  const f = await ollamaServer();
  const model = createLanguageModel('small', parseSettings(ollamaConfig(f.origin, 'llama3:8b'), 'test').models.small);
  await assert.rejects(
    model.draft({ problem: PROBLEM, mode: 'solve', steps: [], n: 1, stop: ['\n\n'], maxTokens: 8, temperature: 0, seed: 0, speculative: false, signal }),
    (err: Error & { code?: string; hint?: string }) => {
      assert.equal(err.code, 'model-not-found');
      assert.match(err.hint ?? '', /ollama pull llama3:8b/);
      return true;
    },
  );
});

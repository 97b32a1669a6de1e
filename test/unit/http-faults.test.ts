// Every way an HTTP model server can fail ends a search in `search.failed` with a code, the server URL and a hint.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { solve } from '../../src/core/solve';
import { EngineError, type ErrorCode } from '../../src/core/errors';
import { MAX_RESPONSE_BYTES } from '../../src/core/models/http-errors';
import type { SolveResult } from '../../src/core/events';
import { createModels, disposeModels } from '../../src/core/models/factory';
import { capabilitiesOf, clearCapabilityCache } from '../../src/core/models/capabilities';
import { HttpLanguageModel } from '../../src/core/models/http-model';
import { deadPort, httpSettings, json, openAIHandler, PROBLEM, startFixture, type Fixture, type Handler } from '../servers/fixtures/http-fixture';

const fixtures: Fixture[] = [];
after(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});
before(() => clearCapabilityCache());

async function serve(handler: Handler): Promise<Fixture> {
  const f = await startFixture(handler);
  fixtures.push(f);
  return f;
}

/** /v1/models answers normally (a vLLM-like server); /v1/completions misbehaves as `fault` says. */
function faulty(fault: Handler, after = 0): Handler {
  const good = openAIHandler();
  let completions = 0;
  return (req, res, body, f) => {
    if (req.url === '/v1/completions' && completions++ >= after) return fault(req, res, body, f);
    good(req, res, body, f);
  };
}

async function run(baseURL: string, timeoutMs = 5000, signal?: AbortSignal): Promise<SolveResult> {
  clearCapabilityCache();
  const settings = httpSettings({ small: baseURL }, { timeoutMs });
  const models = await createModels(settings);
  try {
    return await solve({ problem: PROBLEM, settings, models, signal });
  } finally {
    await disposeModels(models);
  }
}

function assertFailed(r: SolveResult, code: ErrorCode, server: string, words: RegExp): void {
  const last = r.events[r.events.length - 1];
  assert.equal(last.type, 'search.failed', `the trace ends in search.failed, got ${last.type}`);
  assert.ok(r.error, 'error set');
  assert.equal(r.error.code, code, `code: ${r.error.message}`);
  assert.ok(r.error.message.includes(server), `message names the server ${server}: ${r.error.message}`);
  assert.match(r.error.message, words);
  assert.ok(r.error.hint && r.error.hint.length > 10, 'a hint says what to do');
  assert.equal(r.events[0].type, 'search.started', 'the partial trace is kept');
}

test('connection refused: code "connection", message names the URL, hint says to start the server', async () => {
  const url = `http://127.0.0.1:${await deadPort()}/v1`;
  const r = await run(url);
  assertFailed(r, 'connection', url, /connection refused/);
  assert.match(r.error!.hint!, /running|docs\/servers\.md/);
});

test('a server that accepts and never answers: code "timeout" after timeoutMs, not later', async () => {
  const f = await serve(faulty(() => undefined));
  const started = performance.now();
  const r = await run(`${f.origin}/v1`, 400);
  const ms = performance.now() - started;
  assertFailed(r, 'timeout', f.origin, /within 400 ms/);
  assert.ok(ms < 2500, `gave up in ${Math.round(ms)} ms`);
  assert.match(r.error!.hint!, /timeoutMs/);
});

test('a response cut mid-body: code "bad-response", "cut off mid-body"', async () => {
  const f = await serve(
    faulty((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 400 });
      res.write('{"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"te');
      setTimeout(() => res.socket?.destroy(), 20);
    }),
  );
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'bad-response', f.origin, /cut off mid-body/);
});

test('HTTP 5xx with a body, after some thoughts were written: code "http", the server\'s words quoted, partial trace kept', async () => {
  const f = await serve(faulty((_req, res) => json(res, 503, { error: { message: 'engine overloaded, try later', type: 'ServiceUnavailable' } }), 3));
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'http', f.origin, /HTTP 503.*engine overloaded, try later/);
  assert.ok(
    r.events.some((e) => e.type === 'thought.drafted'),
    'thoughts written before the failure stay in the trace',
  );
});

test('HTTP 4xx with a FastAPI-style body: code "http" with the detail', async () => {
  const f = await serve(faulty((_req, res) => json(res, 422, { detail: [{ loc: ['body', 'temperature'], msg: 'must be <= 2' }] })));
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'http', f.origin, /HTTP 422.*must be <= 2/);
});

test('malformed JSON: code "bad-response", "malformed JSON"', async () => {
  const f = await serve(
    faulty((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [ {"text": "Step 1." ');
    }),
  );
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'bad-response', f.origin, /malformed JSON/);
});

test('JSON of the wrong shape: code "bad-response", says what was missing', async () => {
  const f = await serve(faulty((_req, res) => json(res, 200, { result: 'ok' })));
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'bad-response', f.origin, /no "choices"/);
});

test('a body over 16 MiB: code "bad-response", names the server and the cap; the rest is never read', async () => {
  const thought = 'a'.repeat(MAX_RESPONSE_BYTES + 1);
  const f = await serve(faulty((_req, res) => json(res, 200, { choices: [{ index: 0, text: thought, finish_reason: 'stop' }] })));
  const before = process.memoryUsage().rss;
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'bad-response', f.origin, /larger than 16 MiB/);
  assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'the body was not held whole');
});

test('an empty 200 body: code "bad-response", names the server (never "Internal error")', async () => {
  const f = await serve(
    faulty((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 0 });
      res.end();
    }),
  );
  const r = await run(`${f.origin}/v1`);
  assert.equal(r.error?.code, 'bad-response', r.error?.message);
  assert.ok(r.error?.message.includes(f.origin), r.error?.message);
});

test('one request for one thought answered with none, or with 500: code "bad-response", says how many', async () => {
  for (const count of [0, 500]) {
    const f = await serve(
      faulty((_req, res) => json(res, 200, { choices: Array.from({ length: count }, (_, index) => ({ index, text: 'Step 1.', finish_reason: 'stop' })) })),
    );
    clearCapabilityCache();
    const settings = httpSettings({ small: `${f.origin}/v1` }, { search: { candidatesPerStep: 1 } });
    const models = await createModels(settings);
    try {
      const err = await models.small
        .draft({
          problem: PROBLEM,
          mode: 'solve',
          steps: [],
          n: 1,
          stop: ['\n\n'],
          maxTokens: 16,
          temperature: 0,
          seed: 1,
          speculative: false,
          signal: new AbortController().signal,
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      assert.ok(err instanceof EngineError && err.code === 'bad-response', String(err));
      assert.match(err.message, new RegExp(`${count} completions for a request of 1`));
      assert.ok(err.message.includes(f.origin));
    } finally {
      await disposeModels(models);
    }
  }
});

test('an infinite logprob from the PRM server: code "bad-response", never a score of 0 that passes every draft', async () => {
  const good = openAIHandler();
  const f = await serve((req, res, body, fx) => {
    if (req.url === '/v1/completions' && body?.max_tokens === 1) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"choices":[{"index":0,"text":"+","logprobs":{"tokens":["+"],"token_logprobs":[-1e999],"top_logprobs":[{"+":-1e999,"-":-1e999}]}}]}');
    }
    good(req, res, body, fx);
  });
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'bad-response', f.origin, /logprob -Infinity/);
});

test('wrong model name, seen in GET /v1/models: code "model-not-found", lists what is served', async () => {
  const f = await serve(openAIHandler({ models: ['Qwen2.5-Math-7B-Instruct'] }));
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'model-not-found', f.origin, /does not serve "m".*"Qwen2\.5-Math-7B-Instruct"/);
  assert.match(r.error!.hint!, /--served-model-name/);
});

test('wrong model name, a 404 "model not found" body on completions: code "model-not-found"', async () => {
  const f = await serve((req, res) => {
    if (req.url === '/v1/models') return json(res, 404, { detail: 'Not Found' });
    json(res, 404, { object: 'error', message: 'The model `m` does not exist.', type: 'NotFoundError', code: 404 });
  });
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'model-not-found', f.origin, /The model `m` does not exist/);
});

test('context length exceeded, vLLM\'s message: code "context-length", hint names --max-model-len', async () => {
  const f = await serve(
    faulty((_req, res) =>
      json(res, 400, {
        object: 'error',
        message:
          "This model's maximum context length is 4096 tokens. However, you requested 4200 tokens (4184 in the messages, 16 in the completion). Please reduce the length of the messages or completion.",
        type: 'BadRequestError',
        code: 400,
      }),
    ),
  );
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'context-length', f.origin, /maximum context length is 4096/);
  assert.match(r.error!.hint!, /--max-model-len/);
});

test('context length exceeded, llama.cpp\'s message: code "context-length"', async () => {
  const f = await serve(
    faulty((_req, res) =>
      json(res, 400, { error: { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error' } }),
    ),
  );
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'context-length', f.origin, /exceeds the available context size/);
});

test('llama.cpp\'s HTTP 500 for output that is not clean UTF-8: code "model-output"', async () => {
  const f = await serve(
    faulty((_req, res) =>
      json(res, 500, { error: { code: 500, message: 'The model produced output that does not match the expected Content-only format', type: 'server_error' } }),
    ),
  );
  const r = await run(`${f.origin}/v1`);
  assertFailed(r, 'model-output', f.origin, /Content-only format/);
});

test('`n` unsupported (400 when n > 1): falls back to parallel requests, the search finishes, the capability report says so', async () => {
  const f = await serve(openAIHandler({ rejectN: true }));
  const r = await run(`${f.origin}/v1`);
  assert.equal(r.error, null, r.error?.message);
  assert.equal(r.answer, '5');
  const settings = httpSettings({ small: `${f.origin}/v1` });
  const models = await createModels(settings);
  await models.small.draft({
    problem: PROBLEM,
    mode: 'solve',
    steps: [],
    n: 3,
    stop: ['\n\n'],
    maxTokens: 8,
    temperature: 0.7,
    seed: 0,
    speculative: false,
    signal: new AbortController().signal,
  });
  const caps = await capabilitiesOf((models.small as HttpLanguageModel).client, 'm', new AbortController().signal);
  assert.equal(caps.n, false);
  assert.ok(
    caps.degraded.some((d) => /refused n = \d+.*parallel requests/.test(d)),
    caps.degraded.join(' | '),
  );
  assert.equal(models.small.capabilities.batchedDrafts, false);
  await disposeModels(models);
});

test('a server that ignores `n` (answers one choice): the rest are asked for one by one and the report says so', async () => {
  const f = await serve(openAIHandler({ owner: 'organization_owner', ignoreN: true }));
  const settings = httpSettings({ small: `${f.origin}/v1` });
  clearCapabilityCache();
  const models = await createModels(settings);
  const r = await models.small.draft({
    problem: PROBLEM,
    mode: 'solve',
    steps: [],
    n: 3,
    stop: ['\n\n'],
    maxTokens: 8,
    temperature: 0.7,
    seed: 0,
    speculative: false,
    signal: new AbortController().signal,
  });
  assert.equal(r.drafts.length, 3);
  assert.equal(r.requests, 3);
  const caps = await capabilitiesOf((models.small as HttpLanguageModel).client, 'm', new AbortController().signal);
  assert.ok(caps.degraded.some((d) => /ignores `n`/.test(d)));
  await disposeModels(models);
});

test('cancellation aborts every in-flight HTTP request within a second', async () => {
  const f = await serve(faulty(() => undefined));
  const controller = new AbortController();
  const pending = run(`${f.origin}/v1`, 60_000, controller.signal);
  // Wait until the drafting requests hang on the server, then cancel.
  for (let i = 0; i < 100 && !f.requests.some((q) => q.path === '/v1/completions'); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(f.inFlight() > 0, 'requests are in flight');
  const t = performance.now();
  controller.abort();
  const r = await pending;
  const ms = performance.now() - t;
  assert.equal(r.error?.code, 'cancelled');
  assert.equal(r.events[r.events.length - 1].type, 'search.failed');
  assert.ok(ms < 1000, `solve returned ${Math.round(ms)} ms after the abort`);
  for (let i = 0; i < 50 && f.inFlight() > 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(f.inFlight(), 0, 'the server saw every connection closed');
});

test(
  'the CLI exits 1 with the message and hint and no stack trace when the server is down',
  { skip: !fs.existsSync('dist/cli.js') && 'dist/cli.js not built (run `node esbuild.mjs`)' },
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-cli-'));
    const url = `http://127.0.0.1:${await deadPort()}/v1`;
    const model = { provider: 'openai-compatible', baseURL: url, model: 'm', promptTemplate: 'raw', timeoutMs: 2000 };
    const config = path.join(dir, 'specsearch.config.json');
    fs.writeFileSync(config, JSON.stringify({ models: { small: model, large: model, prm: { ...model, kind: 'logprob' } } }));
    try {
      const p = spawnSync(process.execPath, ['dist/cli.js', 'solve', '--config', config, PROBLEM], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(p.status, 1, `exit code; stderr: ${p.stderr}`);
      assert.match(p.stderr, /connection refused/);
      assert.ok(p.stderr.includes(url), p.stderr);
      assert.match(p.stderr, /hint/);
      assert.doesNotMatch(p.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('429 with Retry-After: the one retry waits as long as the server asked; past 10 s it fails at once, saying how long', async () => {
  // Requests run concurrently: the retry is the next request with the refused one's body.
  const seen: { at: number; body: string }[] = [];
  const f = await serve(
    faulty((_req, res, body, fx) => {
      seen.push({ at: performance.now(), body: JSON.stringify(body) });
      if (seen.length === 1) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' });
        return res.end('slow down');
      }
      openAIHandler()(_req, res, body, fx);
    }),
  );
  const r = await run(`${f.origin}/v1`);
  assert.equal(r.error, null, r.error?.message);
  const retry = seen.slice(1).find((q) => q.body === seen[0].body);
  assert.ok(retry, 'the refused request was retried');
  assert.ok(retry.at - seen[0].at >= 950, `retried after ${Math.round(retry.at - seen[0].at)} ms, asked for 1000`);

  const g = await serve(
    faulty((_req, res) => {
      res.writeHead(429, { 'retry-after': '3600' });
      res.end();
    }),
  );
  const started = performance.now();
  const long = await run(`${g.origin}/v1`);
  assertFailed(long, 'http', g.origin, /HTTP 429.*asked to wait 3600 s before trying again, more than SpecSearch waits \(10 s\)/);
  assert.match(long.error!.hint!, /maxConcurrency/);
  assert.ok(performance.now() - started < 3000, 'no retry, no wait');
  assert.equal(g.requests.filter((q) => q.path === '/v1/completions').length, 1, 'not retried');
});

test('a redirect is never followed, to another host or the same: code "http", names the server and the Location, and the other host sees nothing', async () => {
  const elsewhere = await serve(openAIHandler());
  for (const status of [302, 307, 308]) {
    const f = await serve(
      faulty((req, res) => {
        res.writeHead(status, { location: `${elsewhere.origin}${req.url}` });
        res.end();
      }),
    );
    const r = await run(`${f.origin}/v1`);
    assertFailed(r, 'http', f.origin, new RegExp(`answered HTTP ${status}, a redirect to ${elsewhere.origin}/v1/completions .*does not follow redirects`));
    assert.match(r.error!.hint!, /baseURL/);
    assert.equal(f.requests.filter((q) => q.path === '/v1/completions').length, 1, 'asked once: a redirect is not retried');
  }
  assert.equal(elsewhere.requests.length, 0, 'nothing went to the other host');
});

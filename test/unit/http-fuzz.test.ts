// Seeded fuzz: thousands of mutated server responses through the real HTTP model and PRM classes. Every one
// ends in a well-formed result or a named EngineError (never "Internal error"), and nothing rejects unhandled.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import type * as http from 'node:http';
import { parseSettings, type Settings } from '../../src/core/config';
import { EngineError, toErrorInfo } from '../../src/core/errors';
import { clearCapabilityCache } from '../../src/core/models/capabilities';
import { MAX_RESPONSE_BYTES } from '../../src/core/models/http-errors';
import { createLanguageModel } from '../../src/core/models/openai-compatible';
import { createHttpRewardModel } from '../../src/core/models/prm/factory';
import { llamaServerHandler, ollamaHandler, sglangHandler, vllmHandler, vllmPoolingHandler } from '../servers/fixtures/engines';
import { openAIHandler, startFixture, type Fixture, type Handler } from '../servers/fixtures/http-fixture';
import { mulberry32 as rng } from '../../src/core/tiny/task';

const SEED = 20261201;
const ROUNDS = 2400;
const MAX_TOKENS = 16;

type Json = unknown;
const INF = '@@inf@@';
const NINF = '@@-inf@@';

/** Values a broken server puts where another was expected. JSON has no Infinity, but 1e999 parses to it. */
const ODD: Json[] = [null, true, false, 0, -1, 1.5, 1e308, 2 ** 53, -0.000001, '', 'x', '12', [], {}, [null], { index: 'a' }, INF, NINF, 'a'.repeat(5000)];

const DEEP_ARRAY = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
/** Over the client's cap: a thought of 16 MiB. */
const HUGE = `{"choices":[{"text":"${'a'.repeat(MAX_RESPONSE_BYTES + 1024)}"}]}`;

interface Mutation {
  status: number;
  /** The body as sent; `cut` sends only part of it under the full content-length, then closes. */
  text: string;
  cut?: number;
}

/** Every node of a JSON value with the path to it (root excluded). */
function nodes(value: Json, at: (string | number)[] = [], out: { path: (string | number)[]; value: Json }[] = []) {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Record<string, Json>);
    for (const [k, v] of entries) {
      out.push({ path: [...at, k], value: v });
      nodes(v, [...at, k], out);
    }
  }
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): void {
  let parent = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (value !== undefined) parent[last] = value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
}

function serialize(value: Json): string {
  return JSON.stringify(value).replaceAll(`"${INF}"`, '1e999').replaceAll(`"${NINF}"`, '-1e999');
}

/** One to three edits of a good answer, or a whole-body replacement, or a different status. */
function mutate(random: () => number, status: number, text: string): Mutation {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const r = random();
  if (r < 0.06)
    return { status, text: pick(['', 'null', '[]', '{}', '"text"', '{', '<html><body>502 Bad Gateway</body></html>', '1e999', DEEP_ARRAY, DEEP_OBJECT]) };
  if (r < 0.09) return { status, text, cut: 1 + Math.floor(random() * Math.max(0, text.length - 1)) };
  if (r < 0.095) return { status, text: HUGE };
  // (5xx is left out: the client retries it after a back-off, which only slows the run; http-faults.test.ts covers it)
  const statusOut = r < 0.14 ? pick([400, 404, 422, 401, 200]) : status;
  let value: Json;
  try {
    value = JSON.parse(text);
  } catch {
    return { status: statusOut, text: text.slice(0, Math.floor(random() * text.length)) };
  }
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const all = nodes(value);
    if (all.length === 0) {
      value = structuredClone(pick(ODD));
      continue;
    }
    const target = pick(all);
    const op = random();
    if (op < 0.45) setAt(value, target.path, structuredClone(pick(ODD)));
    else if (op < 0.65) setAt(value, target.path, undefined);
    else if (op < 0.8 && Array.isArray(target.value)) {
      const copies = pick([0, 2, 3, 50, 500]);
      setAt(
        value,
        target.path,
        Array.from({ length: copies * Math.max(1, target.value.length) }, (_, i) =>
          structuredClone((target.value as Json[])[i % Math.max(1, (target.value as Json[]).length)] ?? null),
        ),
      );
    } else if (op < 0.9 && typeof target.value === 'number') setAt(value, target.path, pick([INF, NINF, -target.value, target.value * 1e6, 0.5]));
    else setAt(value, target.path, structuredClone(pick(ODD)));
  }
  return { status: statusOut, text: serialize(value) };
}

/**
 * Wraps a fixture handler: the answer to the chosen route is replaced by its mutation. Handlers answer
 * through json() (writeHead + end), so a stand-in response captures what they would have sent.
 */
function mutating(inner: Handler, plan: () => { route: string; random: () => number } | null): Handler {
  return (req, res, body, fixture) => {
    let status = 200;
    const capture = {
      writeHead(s: number) {
        status = s;
        return capture;
      },
      setHeader() {},
      write() {
        return true;
      },
      end(text?: string | Buffer) {
        const original = text === undefined ? '' : String(text);
        const p = plan();
        const out = p && req.url === p.route ? mutate(p.random, status, original) : { status, text: original };
        send(res, out);
      },
    };
    inner(req, capture as unknown as http.ServerResponse, body, fixture);
  };
}

function send(res: http.ServerResponse, m: Mutation): void {
  const bytes = Buffer.from(m.text, 'utf8');
  res.writeHead(m.status, { 'content-type': 'application/json', 'content-length': bytes.length });
  if (m.cut !== undefined) {
    // Headers and part of the body reach the client, then the connection closes: a body cut mid-way.
    res.flushHeaders();
    res.write(bytes.subarray(0, m.cut), () => res.destroy());
    return;
  }
  res.end(bytes);
}

interface Scenario {
  name: string;
  handler: Handler;
  /** Routes whose answers get mutated (the probe's and the request's). */
  routes: string[];
  baseURL: (origin: string) => string;
  run: (settings: Settings, signal: AbortSignal) => Promise<string | null>;
}

const problem = 'Start with 2. Add 3. What is the result?';

function settingsFor(baseURL: string, prm: Record<string, unknown> = {}): Settings {
  const model = { provider: 'openai-compatible', baseURL, model: 'm', promptTemplate: 'raw', timeoutMs: 5000, maxConcurrency: 4 };
  return parseSettings(
    {
      models: { small: model, large: model, prm: { ...model, kind: 'logprob', stepTag: ' @', positiveToken: '+', negativeToken: '-', ...prm } },
      search: { maxStepTokens: MAX_TOKENS },
    },
    'fuzz settings',
  );
}

/** null when the result is well-formed, else what is wrong with it. */
async function drafts(settings: Settings, signal: AbortSignal, n: number): Promise<string | null> {
  const model = createLanguageModel('small', settings.models.small);
  const r = await model.draft({
    problem,
    mode: 'solve',
    steps: ['Step 1.'],
    n,
    stop: ['\n\n'],
    maxTokens: MAX_TOKENS,
    temperature: 0.7,
    seed: 1,
    speculative: false,
    signal,
  });
  if (r.drafts.length !== n) return `${r.drafts.length} drafts for n = ${n}`;
  for (const d of r.drafts) {
    if (typeof d.text !== 'string' || d.text.length > MAX_TOKENS * 64 + 256) return `a draft text of ${String(d.text?.length)} characters`;
    if (!Number.isInteger(d.tokens) || d.tokens < 0) return `the token count ${d.tokens}`;
    if (!['stop', 'eos', 'length'].includes(d.finish)) return `the finish ${d.finish}`;
  }
  return null;
}

async function scores(settings: Settings, signal: AbortSignal): Promise<string | null> {
  const prm = await createHttpRewardModel(settings.models.prm);
  const paths = [['Step 1.'], ['Step 1.', 'a wrong step'], ['Step 1.', 'Step 2.', 'The answer is 5.']];
  const r = await prm.scoreLast({ problem, paths, signal });
  if (r.scores.length !== paths.length) return `${r.scores.length} scores for ${paths.length} paths`;
  const bad = r.scores.find((x) => !(x >= 0 && x <= 1));
  return bad === undefined ? null : `the score ${bad}`;
}

const scenarios: Scenario[] = [
  {
    name: 'vLLM drafts, n = 3',
    handler: vllmHandler(),
    routes: ['/v1/models', '/v1/completions', '/version', '/metrics'],
    baseURL: (o) => `${o}/v1`,
    run: (s, sig) => drafts(s, sig, 3),
  },
  {
    name: 'vLLM drafts, n = 1',
    handler: vllmHandler(),
    routes: ['/v1/models', '/v1/completions'],
    baseURL: (o) => `${o}/v1`,
    run: (s, sig) => drafts(s, sig, 1),
  },
  {
    name: 'SGLang drafts, n = 2',
    handler: sglangHandler({ version: '0.5.4', algorithm: 'NGRAM', acceptLength: 2.5 }),
    routes: ['/v1/models', '/v1/completions', '/server_info'],
    baseURL: (o) => `${o}/v1`,
    run: (s, sig) => drafts(s, sig, 2),
  },
  {
    name: 'llama-server drafts, n = 3',
    handler: llamaServerHandler({ alias: 'm', nVocab: 305, speculative: true }),
    routes: ['/v1/models', '/props', '/slots', '/completion'],
    baseURL: (o) => `${o}/v1`,
    run: (s, sig) => drafts(s, sig, 3),
  },
  {
    name: 'Ollama drafts, n = 2',
    handler: ollamaHandler({ version: '0.13.0', model: 'm' }),
    routes: ['/api/tags', '/api/version', '/api/generate'],
    baseURL: (o) => `${o}/api`,
    run: (s, sig) => drafts(s, sig, 2),
  },
  { name: 'logprob PRM on vLLM', handler: vllmHandler(), routes: ['/v1/models', '/v1/completions'], baseURL: (o) => `${o}/v1`, run: scores },
  {
    name: 'logprob PRM on Ollama',
    handler: ollamaHandler({ version: '0.13.0', model: 'm', score: (p) => (/wrong/.test(p.slice(-20)) ? 0.2 : 0.9) }),
    routes: ['/api/tags', '/api/version', '/api/generate'],
    baseURL: (o) => `${o}/api`,
    run: scores,
  },
  {
    name: 'judge PRM on an OpenAI-compatible server',
    handler: openAIHandler({ owner: 'organization_owner' }),
    routes: ['/v1/models', '/v1/completions'],
    baseURL: (o) => `${o}/v1`,
    run: (s, sig) => scores({ ...s, models: { ...s.models, prm: { ...s.models.prm, kind: 'judge' } } }, sig),
  },
  {
    name: 'vLLM pooling PRM',
    handler: vllmPoolingHandler({ perToken: true }),
    routes: ['/v1/models', '/pooling', '/tokenize'],
    baseURL: (o) => `${o}/v1`,
    run: (s, sig) => scores({ ...s, models: { ...s.models, prm: { ...s.models.prm, kind: 'vllm-pooling', model: 'Qwen/Qwen2.5-Math-PRM-7B' } } }, sig),
  },
];

const fixtures: Fixture[] = [];
after(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});

test(`fuzz: ${ROUNDS} mutated responses (seed ${SEED}) through the real HTTP models and PRMs end in a result or a named error`, async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const random = rng(SEED);
  let current: { route: string; random: () => number } | null = null;
  const servers = await Promise.all(
    scenarios.map(async (s) => {
      const f = await startFixture(mutating(s.handler, () => current));
      fixtures.push(f);
      return f;
    }),
  );
  const outcomes = { ok: 0, named: 0 };
  const codes = new Map<string, number>();
  const defects: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const i = Math.floor(random() * scenarios.length);
      const scenario = scenarios[i];
      const origin = servers[i].origin;
      const route = scenario.routes[Math.floor(random() * scenario.routes.length)];
      const seed = Math.floor(random() * 2 ** 31);
      current = { route, random: rng(seed) };
      clearCapabilityCache();
      const where = `round ${round} (${scenario.name}, ${route} mutated, seed ${seed})`;
      try {
        const wrong = await scenario.run(settingsFor(scenario.baseURL(origin)), new AbortController().signal);
        if (wrong === null) outcomes.ok++;
        else defects.push(`${where}: accepted a malformed answer: ${wrong}`);
      } catch (err) {
        const info = toErrorInfo(err);
        codes.set(info.code, (codes.get(info.code) ?? 0) + 1);
        if (!(err instanceof EngineError) || info.code === 'internal') defects.push(`${where}: ${info.message}`);
        else if (!`${info.message} ${info.server ?? ''}`.includes(origin)) defects.push(`${where}: the error names no server: ${info.message}`);
        else outcomes.named++;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    current = null;
    process.off('unhandledRejection', onUnhandled);
  }
  const summary = `${outcomes.ok} well-formed, ${outcomes.named} named errors (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}), ${defects.length} defects`;
  console.log(`fuzz: ${summary}`);
  assert.deepEqual(defects.slice(0, 8), [], summary);
  assert.equal(unhandled.length, 0, `unhandled rejections: ${unhandled.slice(0, 3).map(String).join('; ')}`);
  // The fuzz must reach both sides: a mutation that leaves the answer usable, and one that breaks it.
  assert.ok(outcomes.ok > ROUNDS / 10 && outcomes.named > ROUNDS / 10, summary);
});

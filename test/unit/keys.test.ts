// API keys never show: refused in server URLs, and redacted from every message, trace, report and JSON output.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSettings } from '../../src/core/config';
import { EngineError } from '../../src/core/errors';
import { addSecret, redact } from '../../src/core/redact';
import { startFixture, type Fixture } from '../servers/fixtures/http-fixture';
import { vllmHandler } from '../servers/fixtures/engines';
import { runCli } from './run-cli';

const fixtures: Fixture[] = [];
after(() => Promise.all(fixtures.map((f) => f.close())));

const KEY = 'sk-live-7f3a9c2e1b4d';

test('redact: a known key (also as JSON writes it), URL queries and fragments, bearer and named tokens; ordinary text untouched', () => {
  addSecret('q"uo\\te-secret');
  assert.equal(redact('key q"uo\\te-secret, in JSON "q\\"uo\\\\te-secret"'), 'key [redacted], in JSON "[redacted]"');
  assert.equal(
    redact('cannot reach https://api.example.com/v1?api_key=abc123&x=1 (drafting)'),
    'cannot reach https://api.example.com/v1?[redacted] (drafting)',
  );
  assert.equal(redact('"url": "http://h:1/v1#token=abc"'), '"url": "http://h:1/v1#[redacted]"');
  assert.equal(
    redact('headers: {"authorization":"Bearer abc.def-123","x-api-key":"k-999"}'),
    'headers: {"authorization":"[redacted]","x-api-key":"[redacted]"}',
  );
  assert.equal(redact('got Bearer abcdef and access_token=zzz9&b=2'), 'got Bearer [redacted] and access_token=[redacted]&b=2');
  const prose = 'Basic arithmetic: is the server running? Set models.large.apiKeyEnv to a NAME; see http://127.0.0.1:8000/v1.';
  assert.equal(redact(prose), prose);
});

test("a token in a server URL's query or fragment is a configuration error naming the setting, and never shown", () => {
  for (const baseURL of [`http://127.0.0.1:8000/v1?api_key=${KEY}`, `https://api.example.com/v1#token=${KEY}`]) {
    let err: unknown;
    try {
      parseSettings({ models: { large: { provider: 'openai-compatible', model: 'm', baseURL } } }, 'f.json');
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof EngineError, 'refused');
    assert.equal(err.code, 'config');
    assert.equal(err.setting?.key, 'models.large.baseURL');
    assert.match(err.message, /"models\.large\.baseURL".*must not carry a \?query or #fragment/);
    assert.match(err.hint ?? '', /models\.large\.baseURL/);
    assert.ok(!`${err.message} ${err.hint} ${JSON.stringify(err.setting)}`.includes(KEY), err.message);
  }
});

test(
  'a server that echoes the request headers and the key: solve (human and --json), doctor --json and bench results.json never show the key',
  { skip: !fs.existsSync('dist/cli.js') && 'dist/cli.js not built' },
  async () => {
    const plain = vllmHandler({ models: ['m'] });
    const server = await startFixture((req, res, body, f) => {
      if (req.url === '/v1/models') return plain(req, res, body, f);
      const text = `invalid key ${KEY}; request headers were ${JSON.stringify(req.headers)}`;
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end(text);
    });
    fixtures.push(server);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-keys-'));
    const m = {
      provider: 'openai-compatible',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      promptTemplate: 'raw',
      timeoutMs: 5000,
      apiKeyEnv: 'SPECSEARCH_TEST_KEY',
    };
    const config = path.join(dir, 'c.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        models: { small: m, large: m, prm: { ...m, kind: 'logprob', stepTag: ' @', positiveToken: '+', negativeToken: '-' } },
        search: { candidatesPerStep: 2, beamWidth: 1, maxDepth: 3 },
      }),
    );
    fs.writeFileSync(path.join(dir, 'd.jsonl'), JSON.stringify({ problem: 'Start with 2. Add 3. What is the result?', answer: '5' }) + '\n');
    const env = { ...process.env, SPECSEARCH_TEST_KEY: KEY };
    const problem = 'Start with 2. Add 3. What is the result?';

    const runs = {
      solve: await runCli(['solve', '--config', config, problem], { env }),
      json: await runCli(['solve', '--config', config, '--json', problem], { env }),
      doctor: await runCli(['doctor', '--config', config, '--json'], { env }),
      bench: await runCli(['bench', '--config', config, '--dataset', path.join(dir, 'd.jsonl'), '--methods', 'small', '--out', path.join(dir, 'out')], { env }),
    };
    assert.equal(runs.solve.code, 1, runs.solve.stderr);
    assert.match(runs.solve.stdout + runs.solve.stderr, /HTTP 401.*invalid key \[redacted\]/);
    assert.match(runs.json.stdout, /"search\.failed".*\[redacted\]/);
    assert.match(runs.doctor.stdout, /\[redacted\]/);
    assert.equal(runs.bench.code, 1);
    const files = ['results.json', 'report.md'].map((f) => fs.readFileSync(path.join(dir, 'out', f), 'utf8'));
    assert.match(files[0], /HTTP 401/);
    for (const [name, text] of [
      ...Object.entries(runs).flatMap(([k, r]) => [
        [`${k} stdout`, r.stdout],
        [`${k} stderr`, r.stderr],
      ]),
      ['results.json', files[0]],
      ['report.md', files[1]],
    ]) {
      assert.ok(!text.includes(KEY), `${name} shows the key: ${text.slice(0, 400)}`);
      assert.doesNotMatch(text, /Bearer (?!\[redacted\])/, `${name} shows a bearer token`);
    }
  },
);

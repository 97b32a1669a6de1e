// What a server says cannot drive the terminal: escape sequences and control characters are removed from human output.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { TracePrinter } from '../../src/cli/print';
import { forTerminal } from '../../src/cli/terminal';
import { json, openAIHandler, startFixture, type Fixture } from '../servers/fixtures/http-fixture';
import { runCli } from './run-cli';

const fixtures: Fixture[] = [];
after(() => Promise.all(fixtures.map((f) => f.close())));

/** A window title (OSC), clear screen and cursor home (CSI), a one-byte CSI, a bell, a carriage return, a reset. */
const HOSTILE = 'Step 1.\x1b]0;pwned\x07\x1b[2J\x1b[H\x9b31m\x07\r\x1bc done';

test('forTerminal removes escape sequences and control characters, keeps text, tabs and newlines', () => {
  assert.equal(forTerminal(HOSTILE), 'Step 1. done');
  assert.equal(forTerminal('a\tb\nc \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ é ✓'), 'a\tb\nc link é ✓');
  assert.equal(forTerminal('unterminated \x1b[31'), 'unterminated ');
});

test('the trace printer shows a thought carrying escape sequences as plain text; its own colours stay', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d));
  const printer = new TracePrinter(out, { color: true });
  printer.print({
    type: 'search.started',
    searchId: 's',
    t: 0,
    problem: 'p',
    mode: 'solve',
    method: 'large',
    algorithm: 'beam',
    settings: { candidatesPerStep: 2, beamWidth: 1 },
  } as never);
  printer.print({
    type: 'thought.drafted',
    searchId: 's',
    t: 1,
    id: 't1',
    parentId: null,
    depth: 1,
    source: 'large',
    text: HOSTILE,
    tokens: 3,
    ms: 1,
  } as never);
  printer.print({ type: 'thought.scored', searchId: 's', t: 2, id: 't1', score: 0.9 } as never);
  assert.match(text, /Step 1\. done/);
  const escapes = text.match(/\x1b[^m]*m?/g) ?? [];
  assert.ok(
    escapes.every((e) => /^\x1b\[\d+m$/.test(e)),
    `only colour codes: ${JSON.stringify(escapes)}`,
  );
  assert.doesNotMatch(text, /pwned|\x07|\r|\x9b/);
});

test(
  'specsearch solve: thoughts and a server error with escape sequences reach stdout and stderr without them',
  { skip: !fs.existsSync('dist/cli.js') && 'dist/cli.js not built' },
  async () => {
    const good = openAIHandler();
    let completions = 0;
    const server = await startFixture((req, res, body, f) => {
      if (req.url !== '/v1/completions') return good(req, res, body, f);
      if (completions++ === 0)
        return json(res, 200, {
          choices: [
            { index: 0, text: HOSTILE, finish_reason: 'stop' },
            { index: 1, text: HOSTILE, finish_reason: 'stop' },
          ],
        });
      json(res, 500, { error: { message: `exploded${HOSTILE}` } });
    });
    fixtures.push(server);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-term-'));
    const m = { provider: 'openai-compatible', baseURL: `${server.origin}/v1`, model: 'm', promptTemplate: 'raw', timeoutMs: 5000 };
    const config = path.join(dir, 'c.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        models: { small: m, large: m, prm: { ...m, kind: 'logprob', stepTag: ' @', positiveToken: '+', negativeToken: '-' } },
        search: { method: 'large', candidatesPerStep: 2, beamWidth: 1, maxDepth: 3 },
      }),
    );
    const r = await runCli(['solve', '--config', config, 'Start with 2. Add 3. What is the result?']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr + r.stdout, /HTTP 500.*exploded/);
    assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, 'no control characters');
    assert.doesNotMatch(r.stdout + r.stderr, /pwned/);
  },
);

test("the trace's first line names each algorithm's own parameters, from its descriptor", () => {
  const header = (algorithm: string) => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d));
    new TracePrinter(out, { color: false }).print({
      type: 'search.started',
      searchId: 's',
      t: 0,
      problem: 'p',
      mode: 'solve',
      method: 'specsearch',
      algorithm,
      settings: { candidatesPerStep: 6, beamWidth: 2, mctsIterations: 24 },
    } as never);
    return text.split('\n')[0];
  };
  assert.equal(header('beam'), 'specsearch · beam · N=6 B=2');
  assert.equal(header('mcts'), 'specsearch · mcts · N=6 iterations=24');
  assert.equal(header('best-of-n'), 'specsearch · best-of-n · N=6');
});

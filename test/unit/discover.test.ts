// Discovery against fixture servers replaying vLLM, llama-server and Ollama: kinds, models, a closed port skipped fast, a config that loads.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSettings } from '../../src/core/config';
import { discoverServers, USUAL_PORTS } from '../../src/core/discover';
import { configFor } from '../../src/core/server-choice';
import { llamaServerHandler, ollamaHandler, vllmHandler } from '../servers/fixtures/engines';
import { deadPort, startFixture, type Fixture } from '../servers/fixtures/http-fixture';
import { runCli } from './run-cli';

const fixtures: Fixture[] = [];
after(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});

async function serve(handler: Parameters<typeof startFixture>[0]): Promise<Fixture> {
  const f = await startFixture(handler);
  fixtures.push(f);
  return f;
}

test("discover (fixture servers replaying documented shapes): names each server's kind and models; a closed port is skipped at once", async () => {
  const vllm = await serve(vllmHandler({ models: ['Qwen/Qwen2.5-Math-7B-Instruct'], version: '0.11.0' }));
  const llama = await serve(llamaServerHandler({ alias: 'qwen2.5-math-1.5b', nVocab: 151936 }));
  const ollama = await serve(ollamaHandler({ version: '0.13.0', model: 'qwen2.5-math:1.5b' }));
  const closed = await deadPort();
  const started = performance.now();
  const result = await discoverServers({ ports: [vllm.port, llama.port, { port: ollama.port, path: '/api' }, closed] });
  const ms = performance.now() - started;
  const byURL = Object.fromEntries(result.servers.map((s) => [s.baseURL, s]));
  assert.equal(byURL[`${vllm.origin}/v1`]?.kind, 'vllm');
  assert.deepEqual(byURL[`${vllm.origin}/v1`]?.models, ['Qwen/Qwen2.5-Math-7B-Instruct']);
  assert.deepEqual(byURL[`${vllm.origin}/v1`]?.prmKinds, ['vllm-pooling', 'logprob', 'judge']);
  // /pooling is vLLM's: llama-server is offered the kinds that read completion logprobs.
  assert.deepEqual(byURL[`${llama.origin}/v1`]?.prmKinds, ['logprob', 'judge']);
  assert.equal(byURL[`${llama.origin}/v1`]?.kind, 'llama.cpp');
  assert.deepEqual(byURL[`${llama.origin}/v1`]?.models, ['qwen2.5-math-1.5b']);
  assert.equal(byURL[`${ollama.origin}/api`]?.kind, 'ollama');
  assert.deepEqual(result.skipped, [{ baseURL: `http://127.0.0.1:${closed}/v1`, why: 'nothing listens there' }]);
  assert.ok(ms < 1000, `a closed port does not hold discovery up (${Math.round(ms)} ms)`);

  const { config } = configFor(
    {
      small: { baseURL: `${llama.origin}/v1`, model: 'qwen2.5-math-1.5b' },
      large: { baseURL: `${vllm.origin}/v1`, model: 'Qwen/Qwen2.5-Math-7B-Instruct' },
      prm: { baseURL: `${vllm.origin}/v1`, model: 'Qwen/Qwen2.5-Math-7B-Instruct' },
      prmKind: 'vllm-pooling',
    },
    result.servers,
  );
  const settings = parseSettings(config, 'discovered');
  assert.equal(settings.models.large.baseURL, `${vllm.origin}/v1`);
  assert.equal(settings.models.prm.kind, 'vllm-pooling');
});

test('discover probes every port docs/servers.md and docs/bench.md start a server on (vLLM 8000–8003, SGLang 30000–30001, llama-server 8080–8082, the tiny models 8180–8182)', () => {
  const ports = new Set(
    ['docs/servers.md', 'docs/bench.md'].flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/--port (\d+)/g)].map((m) => Number(m[1]))),
  );
  ports.delete(0);
  for (const port of [8001, 8002, 8003]) assert.ok(ports.has(port), `the vLLM recipe starts a server on ${port}`);
  for (const port of ports)
    assert.ok(
      USUAL_PORTS.some((u) => u.port === port),
      `discover does not probe ${port}`,
    );
});

test("discover's config (fixture servers replaying vLLM 0.11.0 and Ollama 0.13.0): the Qwen template on Ollama as on every server, the PRM's kind from its name and server, and a note for each guess", async () => {
  const vllm = await serve(vllmHandler({ models: ['Qwen/Qwen2.5-Math-PRM-7B'], version: '0.11.0' }));
  const ollama = await serve(ollamaHandler({ version: '0.13.0', model: 'qwen2.5-math:1.5b' }));
  const { servers } = await discoverServers({ ports: [vllm.port, { port: ollama.port, path: '/api' }] });
  const small = { baseURL: `${ollama.origin}/api`, model: 'qwen2.5-math:1.5b' };
  const prm = { baseURL: `${vllm.origin}/v1`, model: 'Qwen/Qwen2.5-Math-PRM-7B' };
  const pooled = configFor({ small, large: small, prm }, servers);
  assert.equal(pooled.config.models.small.promptTemplate, 'qwen2.5-math', 'Ollama gets the template its recipe uses, sent raw');
  assert.equal(pooled.config.models.prm.kind, 'vllm-pooling', 'a PRM on vLLM is read through /pooling');
  assert.deepEqual(pooled.notes, [`models.prm: "Qwen/Qwen2.5-Math-PRM-7B" is a PRM on vLLM: kind "vllm-pooling" reads its step scores from POST /pooling.`]);
  assert.equal(parseSettings(pooled.config, 'discovered').models.prm.kind, 'vllm-pooling');
  const shepherd = configFor({ small, large: small, prm: { ...prm, model: 'math-shepherd' } }, servers);
  assert.equal(shepherd.config.models.prm.kind, 'logprob');
  const guessed = configFor({ small: { ...small, model: 'mystery' }, large: small, prm: { ...prm, model: 'mystery' } }, servers);
  assert.equal(guessed.config.models.prm.kind, 'logprob');
  assert.match(guessed.notes.join('\n'), /models\.small: "mystery" does not say its chat format/);
  assert.match(guessed.notes.join('\n'), /models\.prm: kind "logprob" for "mystery" .* is a guess from nothing: pass --prm-kind/);
  assert.deepEqual(configFor({ small, large: small, prm, prmKind: 'judge' }, servers).notes, [], 'a kind the caller gives needs no note');
});

test(
  'specsearch discover --write writes a config that loads, and never overwrites one',
  { skip: !fs.existsSync('dist/cli.js') && 'dist/cli.js not built' },
  async () => {
    const llama = await serve(llamaServerHandler({ alias: 'tiny', nVocab: 305 }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-discover-'));
    const cli = (args: string[]) => runCli(args, { cwd: dir });
    const listed = await cli(['discover', '--ports', String(llama.port)]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${llama.origin}/v1  llama\\.cpp`));
    assert.match(listed.stdout, /^ {6}tiny$/m);
    const written = await cli(['discover', '--ports', String(llama.port), '--small', 'tiny', '--large', 'tiny', '--prm', 'tiny', '--write']);
    assert.equal(written.code, 0, written.stderr);
    const file = path.join(dir, 'specsearch.config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(config.models.small.baseURL, `${llama.origin}/v1`);
    assert.equal(parseSettings(config, file).models.prm.kind, 'logprob');
    assert.match(written.stderr, /models\.prm: kind "logprob" for "tiny" .* is a guess from nothing: pass --prm-kind/, 'a guessed kind is said');
    const again = await cli(['discover', '--ports', String(llama.port), '--small', 'tiny', '--large', 'tiny', '--prm', 'tiny', '--write']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; SpecSearch does not overwrite it/);
    // A dangling symlink (git stores symlinks) is not followed out of the folder.
    const outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-outside-')), 'planted.json');
    fs.symlinkSync(outside, path.join(dir, 'link.json'));
    const linked = await cli([
      'discover',
      '--ports',
      String(llama.port),
      '--small',
      'tiny',
      '--large',
      'tiny',
      '--prm',
      'tiny',
      '--write',
      '--out',
      'link.json',
    ]);
    assert.equal(linked.code, 2, linked.stderr);
    assert.match(linked.stderr, /link\.json exists; SpecSearch does not overwrite it/);
    assert.equal(fs.existsSync(outside), false, 'nothing written outside the folder');
    const unknown = await cli(['discover', '--ports', String(llama.port), '--small', 'nope', '--large', 'tiny', '--prm', 'tiny']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--small nope: no server found here serves that model[\s\S]*tiny \(/);
  },
);

// The language server against hostile or broken clients: huge documents, deep settings, requests after shutdown.
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { SolveRequest } from '../../src/protocol';
import { startTestServer, type TestServer } from './lsp-client';

type Lens = { command: { title: string; arguments: { problem: string }[] } };

describe('language server, hostile client', () => {
  let server: TestServer;
  before(async () => {
    server = startTestServer();
    await server.initialize();
  });
  after(async () => {
    if (server.process.exitCode === null) server.process.kill();
  });

  test('codeLens over a 3 MB document: none, promptly, with a message naming the document and the limit', { timeout: 30_000 }, async () => {
    const uri = 'file:///tmp/huge.md';
    const text = 'What is 1 + 1?\n\n'.repeat(200_000);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text } });
    const started = performance.now();
    const lenses = (await server.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Lens[];
    assert.deepEqual(lenses, []);
    assert.ok(performance.now() - started < 5000, `${Math.round(performance.now() - started)} ms`);
    const shown = await server.waitForMessage((m) => m.message.includes('huge.md'));
    assert.match(shown.message, /huge\.md is 3\.1 MB; Solve and Explain lenses cover documents of up to 2 MB/);
    const hover = await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(hover, null);
  });

  test('codeLens over 1,500 problems: the first 1,000 get lenses, and a message says so once', async () => {
    const uri = 'file:///tmp/many.md';
    const text = Array.from({ length: 1500 }, (_, i) => `What is ${i} + 1?`).join('\n\n');
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text } });
    const lenses = (await server.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Lens[];
    assert.equal(lenses.length, 2000, 'Solve and Explain over 1,000 blocks');
    assert.equal(lenses.at(-1)?.command.arguments[0].problem, 'What is 999 + 1?');
    await server.waitForMessage((m) => /many\.md has more than 1000 problems; Solve and Explain lenses mark the first 1000/.test(m.message));
    await server.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(server.messages.filter((m) => m.message.includes('many.md')).length, 1, 'said once');
  });

  test('settings nested 100,000 deep via didChangeConfiguration: the setting error, never "Maximum call stack"', async () => {
    // Written by hand: the client's own JSON.stringify could not nest this deep.
    const depth = 100_000;
    const body = `{"jsonrpc":"2.0","method":"workspace/didChangeConfiguration","params":{"settings":{"specsearch":{"config":{"search":{"beamWidth":${'['.repeat(depth)}${']'.repeat(depth)}}}}}}}`;
    server.process.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const shown = await server.waitForMessage((m) => m.message.includes('beamWidth') || /call stack|Internal error/.test(m.message));
    assert.match(shown.message, /setting "search\.beamWidth" has the value a list nested too deeply to show, but it must be an integer from 1 to 64/);
    assert.doesNotMatch(shown.message, /call stack|Internal error|bug/);
    const result = await server.connection.sendRequest(SolveRequest, { problem: ' ', mode: 'solve' });
    assert.equal(result.error?.code, 'usage', 'the server still answers');
  });

  test('Content-Length: abc, -5 and 99999999999: each frame is dropped with a log line, and the server still answers', async () => {
    for (const bad of ['abc', '-5', '99999999999']) {
      const body = '{"jsonrpc":"2.0","id":"bad","method":"specsearch/doctor","params":{}}';
      server.process.stdin!.write(`Content-Length: ${bad}\r\n\r\n${body}`);
      const result = await server.connection.sendRequest(SolveRequest, { problem: ' ', mode: 'solve' });
      assert.equal(result.error?.code, 'usage', `after Content-Length: ${bad} the server still answers`);
      assert.ok(
        server.logs.some((l) => l.includes(`Content-Length: ${bad}`) && l.includes('Dropped a message')),
        server.logs.join('\n'),
      );
    }
  });

  test('after shutdown every request is refused with InvalidRequest; exit ends the process', async () => {
    await server.connection.sendRequest('shutdown');
    const refused = (err: { code?: number; message: string }) => err.code === -32600 && /shutting down/.test(err.message);
    await assert.rejects(server.connection.sendRequest(SolveRequest, { problem: 'What is 1 + 1?', mode: 'solve' }), refused);
    await assert.rejects(server.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: 'file:///tmp/many.md' } }), refused);
    await assert.rejects(server.connection.sendRequest('specsearch/doctor', {}), refused);
    const exited = new Promise<number | null>((resolve) => server.process.on('exit', (code) => resolve(code)));
    await server.connection.sendNotification('exit');
    assert.equal(await exited, 0);
  });
});

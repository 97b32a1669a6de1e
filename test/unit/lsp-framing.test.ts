// The language server's framing guard: bad LSP headers are dropped and reading picks up at the next message.
import test from 'node:test';
import assert from 'node:assert/strict';
import { FramingGuard, MAX_HEADER_BYTES } from '../../src/server/framing';

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** Feeds `chunks` through a guard; the bytes that came out, and what it reported. */
async function guard(chunks: (string | Buffer)[], maxBytes?: number): Promise<{ out: string; reports: string[] }> {
  const reports: string[] = [];
  const g = new FramingGuard((m) => reports.push(m), maxBytes);
  const out: Buffer[] = [];
  g.on('data', (d: Buffer) => out.push(d));
  const ended = new Promise((resolve) => g.on('end', resolve));
  for (const c of chunks) g.write(typeof c === 'string' ? Buffer.from(c) : c);
  g.end();
  await ended;
  return { out: Buffer.concat(out).toString(), reports };
}

test('well-formed frames pass through whole, split anywhere, with other headers dropped', async () => {
  const a = frame('{"id":1,"method":"a","params":"é"}');
  const b = `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n${frame('{"id":2}')}`;
  const all = Buffer.from(a + b);
  for (const cut of [1, 7, 18, 25, all.length - 1]) {
    const { out, reports } = await guard([all.subarray(0, cut), all.subarray(cut)]);
    assert.equal(out, a + frame('{"id":2}'), `cut at ${cut}`);
    assert.deepEqual(reports, []);
  }
});

test('Content-Length: abc, -5, 0, 99999999999 or none: the frame is dropped, said once, and the next message is read', async () => {
  const good = frame('{"jsonrpc":"2.0","id":7,"method":"shutdown"}');
  for (const [bad, said] of [
    ['Content-Length: abc\r\n\r\n{"id":1}', /"Content-Length: abc", not a number of bytes/],
    ['Content-Length: -5\r\n\r\n{"id":1}', /"Content-Length: -5", not a number/],
    ['Content-Length: 0\r\n\r\n{"id":1}', /empty message/],
    ['Content-Length: 99999999999\r\n\r\n{"id":1}', /"Content-Length: 99999999999", over the 64 MB/],
    ['X-Other: 1\r\n\r\n{"id":1}', /without Content-Length \("X-Other: 1"\)/],
    ['garbage with no header end', /a header longer than|without Content-Length/],
  ] as const) {
    const { out, reports } = await guard([bad, good, good]);
    assert.equal(out, good + good, bad);
    assert.equal(reports.length, 1, bad);
    assert.match(reports[0], said);
    assert.match(reports[0], /Reading goes on at the next Content-Length header/);
  }
});

test('a header that never ends is dropped after 8 KB, and a huge bad body is skipped with bounded memory', async () => {
  const good = frame('{"id":3}');
  const long = await guard(['X: ' + 'a'.repeat(MAX_HEADER_BYTES + 10), good]);
  assert.equal(long.out, good);
  assert.match(long.reports[0], /longer than 8192 bytes/);
  // 32 MB of body after a bad header, in 64 KB chunks, then a good frame.
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const huge = await guard(['Content-Length: nope\r\n\r\n', ...Array.from({ length: 512 }, () => chunk), good]);
  assert.equal(huge.out, good);
  assert.equal(huge.reports.length, 1);
});

test('a frame over the limit is refused even when its number is well-formed', async () => {
  const { out, reports } = await guard([frame('x'.repeat(100)), frame('{"id":4}')], 50);
  assert.equal(out, frame('{"id":4}'));
  assert.match(reports[0], /over the/);
});

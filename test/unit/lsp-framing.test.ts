// The language server's framing guard: bad LSP headers are dropped and reading picks up at the next message.
import test from 'node:test';
import assert from 'node:assert/strict';
import { FramingGuard, MAX_HEADER_BYTES } from '../../src/server/framing';
import { mulberry32 as rng } from '../../src/core/tiny/task';

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

/** What comes out must be frames and nothing else: `Content-Length: N\r\n\r\n` and N bytes, over and over. */
function framesOf(out: Buffer): Buffer[] {
  const bodies: Buffer[] = [];
  let at = 0;
  while (at < out.length) {
    const end = out.indexOf('\r\n\r\n', at);
    assert.ok(end > at, `a header at byte ${at}`);
    const m = /^Content-Length: (\d+)$/.exec(out.toString('latin1', at, end));
    assert.ok(m, `"${out.toString('latin1', at, end)}" is a Content-Length header`);
    const n = Number(m[1]);
    assert.ok(n > 0 && end + 4 + n <= out.length, `a whole body of ${n} bytes at ${end + 4}`);
    bodies.push(out.subarray(end + 4, end + 4 + n));
    at = end + 4 + n;
  }
  return bodies;
}

test('seeded fuzz, 1,500 streams: good frames between refused headers and garbage, cut anywhere, come out whole', async () => {
  const r = rng(20261206);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const LIMIT = 4096;
  // Headers that never pass (the frame is dropped and its body skipped to the next header) …
  const refused = ['abc', '-5', '0', '', ' ', '1e3', '0x10', '12abc', '99999999999', String(LIMIT + 1), '١٢', '+7', 'NaN', '5.5'];
  // … and bytes that are no header at all (none holds "content-length:").
  const junk = () => Buffer.from(Array.from({ length: 1 + Math.floor(r() * 300) }, () => pick([0, 10, 13, 32, 58, 65, 97, 123, 125, 200, 255])));
  for (let round = 0; round < 1500; round++) {
    const parts: Buffer[] = [];
    const expected: string[] = [];
    let bad = 0;
    for (let i = 1 + Math.floor(r() * 8); i > 0; i--) {
      const what = r();
      if (what < 0.5) {
        const body = JSON.stringify({ id: round * 10 + i, text: 'é∑'.repeat(Math.floor(r() * 40)) });
        const extra = r() < 0.2 ? 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n' : '';
        parts.push(Buffer.from(`${extra}${pick(['Content-Length', 'content-length', 'CONTENT-LENGTH'])}: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
        expected.push(body);
      } else if (what < 0.8) {
        parts.push(Buffer.from(`Content-Length: ${pick(refused)}\r\n\r\n{"id":-1,"x":"${'y'.repeat(Math.floor(r() * 50))}"}`));
        bad++;
      } else {
        parts.push(junk());
        bad++;
      }
    }
    const all = Buffer.concat(parts);
    const chunks: Buffer[] = [];
    for (let at = 0; at < all.length;) {
      const n = 1 + Math.floor(r() * (r() < 0.3 ? 4 : 200));
      chunks.push(all.subarray(at, at + n));
      at += n;
    }
    const { out, reports } = await guard(chunks, LIMIT);
    const bodies = framesOf(Buffer.from(out));
    // A well-formed frame is never lost or altered, however the bad ones around it were cut.
    assert.deepEqual(
      bodies.map((b) => b.toString()),
      expected,
      `round ${round}`,
    );
    // Each report names what it dropped; none is said without a bad part to say it of.
    if (bad === 0) assert.deepEqual(reports, [], `round ${round}`);
    for (const m of reports) assert.match(m, /Reading goes on at the next Content-Length header/);
  }
});

test('seeded fuzz: a body that claims more bytes than it has may swallow what follows, but the output stays frames and memory stays bounded', async () => {
  const r = rng(7);
  for (let round = 0; round < 300; round++) {
    const body = '{"id":1}';
    const lie = Buffer.byteLength(body) + Math.floor(r() * 40);
    const g = new FramingGuard(() => undefined, 4096);
    const out: Buffer[] = [];
    g.on('data', (d: Buffer) => out.push(d));
    const ended = new Promise((resolve) => g.on('end', resolve));
    let most = 0;
    const stream = Buffer.from(`Content-Length: ${lie}\r\n\r\n${body}${frame('{"id":2}')}${'z'.repeat(Math.floor(r() * 20000))}${frame('{"id":3}')}`);
    for (let at = 0; at < stream.length;) {
      const n = 1 + Math.floor(r() * 500);
      g.write(stream.subarray(at, at + n));
      at += n;
      most = Math.max(most, (g as unknown as { pending: Buffer }).pending.length);
    }
    g.end();
    await ended;
    const bodies = framesOf(Buffer.concat(out));
    assert.equal(bodies.at(-1)?.toString(), '{"id":3}', `round ${round}: reading picks up at the last good frame`);
    assert.ok(most <= MAX_HEADER_BYTES + 4 + 4096, `round ${round}: at most ${most} bytes held`);
  }
});

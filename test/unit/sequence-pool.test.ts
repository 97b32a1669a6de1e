// The pool of node-llama-cpp sequences: contexts are created as calls need them, never past the limit.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { SequencePool, inLanes } from '../../src/core/models/sequences';

/** A stand-in sequence holding `tokens` in its cache. */
function fakeSequence(tokens: number[] = []): LlamaContextSequence {
  const held = [...tokens];
  return {
    get nextTokenIndex() {
      return held.length;
    },
    compareContextTokens(t: Token[]) {
      let i = 0;
      while (i < held.length && i < t.length && held[i] === t[i]) i++;
      return { firstDifferentIndex: i };
    },
    async eraseContextTokenRanges() {
      held.length = 0;
    },
  } as unknown as LlamaContextSequence;
}

test('the pool creates a context only when every sequence is busy, up to its limit, then calls wait', async () => {
  let contexts = 0;
  const pool = new SequencePool(
    async (n) => {
      contexts++;
      return Array.from({ length: n }, () => fakeSequence());
    },
    3,
    2,
  );
  const signal = new AbortController().signal;
  const a = await pool.acquire([1 as Token], signal);
  assert.equal(contexts, 1);
  assert.equal(pool.created, 2);
  const b = await pool.acquire([1 as Token], signal);
  assert.equal(contexts, 1, "the context's second sequence first");
  pool.release(a);
  const again = await pool.acquire([1 as Token], signal);
  assert.equal(again, a, 'a free sequence before a new context');
  const c = await pool.acquire([1 as Token], signal);
  assert.equal(contexts, 2);
  assert.equal(pool.created, 3, 'the last context holds only what the limit leaves');
  let waited: LlamaContextSequence | null = null;
  const pending = pool.acquire([1 as Token], signal).then((s) => (waited = s));
  await new Promise((r) => setImmediate(r));
  assert.equal(waited, null);
  pool.release(b);
  assert.equal(await pending, b);
  assert.equal(contexts, 2);
  pool.release(c);
});

test('a pool prefers the free sequence that shares the longest prefix, and clear() empties the free ones', async () => {
  const seqs = [fakeSequence([1, 2]), fakeSequence([1, 2, 3, 4])];
  const pool = new SequencePool(async () => [seqs.shift() as LlamaContextSequence], 2);
  const signal = new AbortController().signal;
  const x = await pool.acquire([1 as Token], signal);
  const y = await pool.acquire([1 as Token], signal);
  pool.release(x);
  pool.release(y);
  assert.equal(await pool.acquire([1, 2, 3, 4, 5] as Token[], signal), y);
  pool.release(y);
  await pool.clear();
  assert.equal(x.nextTokenIndex + y.nextTokenIndex, 0);
});

const signal = new AbortController().signal;

test('inLanes keeps at most `lanes` jobs in flight, starts them in order and returns results by index', async () => {
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  const results = await inLanes(7, 2, async (i) => {
    started.push(i);
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, (7 - i) * 2));
    inFlight--;
    return i * 10;
  });
  assert.equal(most, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(results, [0, 10, 20, 30, 40, 50, 60]);
  assert.deepEqual(await inLanes(3, Infinity, async (i) => i), [0, 1, 2]);
  assert.deepEqual(await inLanes(0, 2, async (i) => i), []);
});

test("with two lanes, a call's continuations reuse the sequences that hold their prompt instead of creating more", async () => {
  let contexts = 0;
  const pool = new SequencePool(
    async (n) => {
      contexts++;
      return Array.from({ length: n }, () => fakeSequence([1, 2, 3]));
    },
    32,
    1,
  );
  await inLanes(9, 2, async () => {
    const s = await pool.acquire([1, 2, 3, 4] as Token[], signal);
    await new Promise((r) => setTimeout(r, 1));
    pool.release(s);
  });
  assert.equal(contexts, 2);
});

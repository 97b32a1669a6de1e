// The acceptance rule of token-level speculative sampling: what it emits follows the target's distribution.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Token } from 'node-llama-cpp';
import { sample, verify, type Distribution } from '../../src/core/models/speculative';
import { mulberry32 } from '../../src/core/tiny/task';

const dist = (entries: [number, number][]): Distribution => new Map(entries as [Token, number][]);
const tokens = (...ids: number[]): Token[] => ids as Token[];

test('a draft from q, checked against p, yields tokens distributed as p (100 000 seeded draws)', () => {
  const p = dist([
    [1, 0.5],
    [2, 0.3],
    [3, 0.2],
  ]);
  const q = dist([
    [1, 0.1],
    [2, 0.6],
    [3, 0.3],
  ]);
  const rand = mulberry32(42);
  const counts = new Map<number, number>();
  let kept = 0;
  const draws = 100_000;
  for (let i = 0; i < draws; i++) {
    const x = sample(q, 1, rand);
    const r = verify([x], [q], [p, p], 1, rand);
    const first = r.kept === 1 ? x : r.next;
    kept += r.kept;
    counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  for (const [token, want] of p)
    assert.ok(Math.abs((counts.get(token) ?? 0) / draws - want) < 0.01, `token ${token}: ${(counts.get(token) ?? 0) / draws} vs ${want}`);
  // Acceptance rate is Σ min(p, q) = 0.1 + 0.3 + 0.2 = 0.6.
  assert.ok(Math.abs(kept / draws - 0.6) < 0.01, `acceptance ${kept / draws}`);
});

test('a draft equal to the target is always kept, and the target adds one token after it', () => {
  const p = dist([
    [5, 0.7],
    [6, 0.3],
  ]);
  const rand = mulberry32(1);
  for (let i = 0; i < 1000; i++) {
    const a = sample(p, 1, rand);
    const b = sample(p, 1, rand);
    const r = verify([a, b], [p, p], [p, p, p], 1, rand);
    assert.equal(r.kept, 2);
    assert.ok(p.has(r.next));
  }
});

test('at temperature 0 proposals pass while they are the target argmax; the first miss becomes the argmax', () => {
  const p1 = dist([
    [1, 0.9],
    [2, 0.1],
  ]);
  const p2 = dist([
    [3, 0.4],
    [4, 0.6],
  ]);
  const p3 = dist([[7, 1]]);
  const q = dist([[1, 1]]);
  assert.deepEqual(verify(tokens(1, 3, 7), [q, q, q], [p1, p2, p3, p3], 0, mulberry32(0)), { kept: 1, next: 4 });
  assert.deepEqual(verify(tokens(1, 4), [q, q], [p1, p2, p3], 0, mulberry32(0)), { kept: 2, next: 7 });
  assert.deepEqual(verify([], [], [p2], 0, mulberry32(0)), { kept: 0, next: 4 });
});

test('a refused proposal is never re-emitted when the target gives it less weight than the draft', () => {
  // p(2) < q(2): after refusing 2, the residual max(0, p − q) holds no weight on 2.
  const p = dist([
    [1, 0.8],
    [2, 0.2],
  ]);
  const q = dist([
    [1, 0.2],
    [2, 0.8],
  ]);
  const rand = mulberry32(9);
  for (let i = 0; i < 2000; i++) {
    const r = verify(tokens(2), [q], [p, p], 1, rand);
    if (r.kept === 0) assert.equal(r.next, 1);
  }
});

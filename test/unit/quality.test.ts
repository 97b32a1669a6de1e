import test from 'node:test';
import assert from 'node:assert/strict';
import { initialThreshold, judge, updateThreshold } from '../../src/core/quality';

const s = { thresholdDecay: 0.9, initialThresholdFactor: 0.9 };

test('β₀ is 0.9 × the best large-model score at the root', () => {
  assert.equal(initialThreshold([0.5, 0.8, 0.7], s), 0.9 * 0.8);
  assert.throws(() => initialThreshold([], s));
});

test('β follows a sequence of kept scores as an exponential moving average of the step maxima', () => {
  let beta = initialThreshold([1], s);
  const maxima = [0.95, 0.6, 0.6, 0.99];
  const expected: number[] = [];
  let e = 0.9;
  for (const m of maxima) {
    e = 0.9 * e + 0.1 * m;
    expected.push(e);
  }
  const got = maxima.map((m) => (beta = updateThreshold(beta, [m - 0.1, m, m - 0.3], s)));
  got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-12, `step ${i}: ${g} vs ${expected[i]}`));
  assert.equal(updateThreshold(0.5, [], s), 0.5, 'nothing kept: β unchanged');
});

test('judge: at least β is accepted, the N best accepted are kept, ties keep drafting order', () => {
  const c = [0.5, 0.9, 0.7, 0.7, 0.2].map((score, i) => ({ score, i }));
  const all = judge(c, 0.1, 10);
  assert.equal(all.accepted.length, 5);
  const some = judge(c, 0.7, 2);
  assert.deepEqual(some.kept.map((x) => x.i), [1, 2]);
  assert.deepEqual(some.rejected.map((x) => x.i), [0, 4]);
  const none = judge(c, 0.95, 3);
  assert.equal(none.kept.length, 0);
  assert.equal(none.rejected.length, 5);
  assert.equal(judge([{ score: 0.5 }], 0.5, 1).kept.length, 1, 'a score equal to β passes');
});

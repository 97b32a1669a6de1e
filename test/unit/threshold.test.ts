import test from 'node:test';
import assert from 'node:assert/strict';
import { calibrate, CalibratedRewardModel } from '../../src/core/models/prm/calibrated';
import { initialThreshold, judge, updateThreshold, type ThresholdSettings } from '../../src/core/threshold';
import { ScriptedPrm } from './doubles';

const s: ThresholdSettings = { thresholdDecay: 0.9, initialThresholdFactor: 0.9, thresholdRule: 'paper' };
const large: ThresholdSettings = { ...s, thresholdRule: 'large' };

test('β₀ is 0.9 × the best large-model score at the root', () => {
  assert.equal(initialThreshold([0.5, 0.8, 0.7], s), 0.9 * 0.8);
  assert.throws(() => initialThreshold([], s));
});

test('paper rule: β follows the kept scores as an exponential moving average of the step maxima', () => {
  let beta = initialThreshold([1], s);
  const maxima = [0.95, 0.6, 0.6, 0.99];
  const expected: number[] = [];
  let e = 0.9;
  for (const m of maxima) {
    e = 0.9 * e + 0.1 * m;
    expected.push(e);
  }
  const got = maxima.map((m) => (beta = updateThreshold(beta, { kept: [m - 0.1, m, m - 0.3], large: [] }, s)));
  got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-12, `step ${i}: ${g} vs ${expected[i]}`));
  assert.equal(updateThreshold(0.5, { kept: [], large: [] }, s), 0.5, 'nothing kept: β unchanged');
});

test('paper rule climbs to the best draft score with a verifier that says 0 or 1; the large rule stays at the large model', () => {
  // Each step: drafts that score 1 are kept; the large model's own thoughts score 1 half the time.
  let paper = 0.9 * 0.9;
  let ours = paper;
  for (let step = 0; step < 30; step++) {
    const largeScores = step % 2 ? [1] : [0];
    paper = updateThreshold(paper, { kept: [1, 1, ...largeScores], large: largeScores }, s);
    ours = updateThreshold(ours, { kept: [1, 1, ...largeScores], large: largeScores }, large);
  }
  assert.ok(paper > 0.95, `paper rule: ${paper}`);
  assert.ok(ours < 0.6 && ours > 0.3, `large rule follows 0.9 × mean of the large model's scores (0.45): ${ours}`);
  assert.equal(updateThreshold(0.7, { kept: [0.9], large: [] }, large), 0.7, 'the large model wrote nothing: β unchanged');
});

test('judge: the best `slots` of the drafts at or above β are kept, the others that pass are surplus, ties keep drafting order', () => {
  const c = [0.5, 0.9, 0.7, 0.7, 0.2].map((score, i) => ({ score, i }));
  const all = judge(c, 0.1, 10);
  assert.equal(all.kept.length, 5);
  assert.equal(all.surplus.length + all.rejected.length, 0);
  const some = judge(c, 0.7, 2);
  assert.deepEqual(
    some.kept.map((x) => x.i),
    [1, 2],
  );
  assert.deepEqual(
    some.surplus.map((x) => x.i),
    [3],
  );
  assert.deepEqual(
    some.rejected.map((x) => x.i),
    [0, 4],
  );
  const none = judge(c, 0.95, 3);
  assert.equal(none.kept.length, 0);
  assert.equal(none.rejected.length, 5);
  assert.equal(judge([{ score: 0.5 }], 0.5, 1).kept.length, 1, 'a score equal to β passes');
  assert.equal(judge([{ score: 0.5 }], 0.1, 0).surplus.length, 1, 'no slot left: a passing draft is surplus');
});

test('calibration: ½ at the midpoint, rising with the raw score, 0 for 0; the wrapped PRM keeps the order and maps path and thought scores alike', async () => {
  const c = { midpoint: 0.01, slope: 1.5 };
  assert.equal(calibrate(0.01, c), 0.5);
  assert.equal(calibrate(0, c), 0);
  const raw = [1e-6, 1e-3, 0.01, 0.2, 0.9, 1];
  const mapped = raw.map((r) => calibrate(r, c));
  assert.deepEqual(
    [...mapped].sort((a, b) => a - b),
    mapped,
    'monotone',
  );
  assert.ok(mapped[0] < 0.001 && mapped[3] > 0.98 && mapped[5] < 1);
  const scores = new Map([
    ['a', 0.2],
    ['b', 1e-4],
  ]);
  const inner = new ScriptedPrm((steps) => scores.get(steps[steps.length - 1]) ?? 1);
  const wrapped = new CalibratedRewardModel(inner, c);
  const signal = new AbortController().signal;
  const r = await wrapped.scoreLast({ problem: 'p', paths: [['a'], ['b']], signal });
  assert.deepEqual(r.scores, [calibrate(0.2, c), calibrate(1e-4, c)]);
  assert.equal(r.thoughtScores, undefined, 'a PRM without thought scores gets none');
  assert.deepEqual(await wrapped.scoreSteps('p', ['a', 'b'], signal), [calibrate(0.2, c), calibrate(1e-4, c)]);
  const withThoughts = new CalibratedRewardModel(
    { label: 'x', scoreLast: async () => ({ scores: [0.001], thoughtScores: [0.5], ms: 0, requests: 1 }), scoreSteps: async () => [], dispose: async () => {} },
    c,
  );
  assert.deepEqual((await withThoughts.scoreLast({ problem: 'p', paths: [['a']], signal })).thoughtScores, [calibrate(0.5, c)]);
  assert.match(wrapped.label, /scripted PRM, calibrated \(midpoint 0\.01, slope 1\.5\)/);
});

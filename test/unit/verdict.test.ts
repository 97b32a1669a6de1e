// How a verdict is written (src/core/verdict.ts), the exact arithmetic check, the calibration fit and the
// problems that measure trust: the parts of "an answer marked verified is right" that need no model.
import test from 'node:test';
import assert from 'node:assert/strict';
import { falseEquation } from '../../src/core/answer/arithmetic';
import { loadDataset, MAX_GENERATED } from '../../src/core/bench/dataset';
import { fitAnswerCalibration, fitPlatt, reliability, reliabilityMarkdown } from '../../src/core/calibrate';
import { calibrateAnswer } from '../../src/core/confidence';
import { parseSettings } from '../../src/core/config';
import { generateBeyondProblems, generateOtherProblems } from '../../src/core/tiny/neighbours';
import { generateProblems, mulberry32, obeysTinyGrammar, parseTinyProblem } from '../../src/core/tiny/task';
import { answerLine, confidenceText, formatConfidence, verdictText } from '../../src/core/verdict';

test('a confidence is rounded down, so nothing below the threshold reads as at or above it', () => {
  assert.equal(formatConfidence(0.4999), '0.49');
  assert.equal(formatConfidence(0.9996), '0.99');
  assert.equal(formatConfidence(1), '1.00');
  assert.equal(formatConfidence(0), '0.00');
  assert.equal(formatConfidence(0.004), '< 0.01');
  assert.equal(formatConfidence(0.9969, 0.997), '0.996');
  for (let p = 0; p < 1; p += 0.0007) {
    for (const threshold of [0.5, 0.9, 0.997])
      if (p < threshold) assert.ok(Number(formatConfidence(p, threshold).replace('< ', '')) < threshold, `${p} vs ${threshold}`);
  }
});

test('one wording of a verdict: the answer, ✓ or ⚠, the confidence and, when unverified, the threshold', () => {
  const base = { answer: '32', calibrated: true, threshold: 0.5, caveat: null };
  assert.equal(answerLine({ ...base, confidence: 0.9812, verified: true }), '32 ✓ verified · confidence 0.98');
  assert.equal(answerLine({ ...base, confidence: 0.3141, verified: false }), '32 ⚠ unverified · confidence 0.31, below 0.5');
  assert.equal(verdictText({ ...base, confidence: null, verified: false }), '⚠ unverified · confidence unknown');
  assert.equal(confidenceText({ ...base, calibrated: false, confidence: 0.2, verified: false }), 'PRM score 0.20 (uncalibrated), below 0.5');
  assert.equal(answerLine({ ...base, answer: null, confidence: 0, verified: false }), '(no answer found) ⚠ unverified · confidence 0.00, below 0.5');
});

test('the arithmetic check flags false equations it can read and leaves alone what it cannot', () => {
  assert.deepEqual(falseEquation('100 - 21: ones 9, tens 8. 100 - 21 = 89'), { text: '100 - 21 = 89', actual: '79' });
  assert.deepEqual(falseEquation('45 + 60: ones 5, tens 0, hundreds 1. 45 + 60 = 115'), { text: '45 + 60 = 115', actual: '105' });
  assert.deepEqual(falseEquation('(2 + 3) × 4 = 21'), { text: '(2 + 3) × 4 = 21', actual: '20' });
  assert.deepEqual(falseEquation('so 5 - 3 = 3 apples.'), { text: '5 - 3 = 3', actual: '2' });
  assert.deepEqual(falseEquation('7 + 5 = 12, then 12 * 3 = 35'), { text: '12 * 3 = 35', actual: '36' });
  for (const fine of [
    '7 + 5: ones 2, tens 1. 7 + 5 = 12',
    '36 / 3: tens 1, ones 2. 36 / 3 = 12',
    '3 + 4 + 5 = 12',
    '2 + 3 × 4 = 14',
    '22/7 = 3.14',
    'The answer is 32.',
  ]) {
    assert.equal(falseEquation(fine), null, fine);
  }
  // Variables, functions, units, LaTeX, thousands separators and running equalities are not plain arithmetic.
  for (const unread of [
    'x + 3 = 5',
    '2x - 1 = 5',
    'sin 30 + 1 = 1.5',
    'half of 10 + 2 = 7',
    '$5 + $3 = $9',
    '3 \\times 4 = 13',
    '1,000 + 5 = 1005',
    '2^3 + 1 = 9',
    'a = 3 + 4 = 8',
    '7 + 5 = 12 + 1',
    '10 / 0 = 3',
  ]) {
    assert.equal(falseEquation(unread), null, unread);
  }
  // Every step the task's reference solutions write holds.
  for (const p of generateProblems(4321, 200)) {
    let v = p.start;
    for (const o of p.ops) {
      const r = o.op === '+' ? v + o.operand : o.op === '-' ? v - o.operand : o.op === '*' ? v * o.operand : v / o.operand;
      assert.equal(falseEquation(`${v} ${o.op} ${o.operand} = ${r}`), null);
      assert.notEqual(falseEquation(`${v} ${o.op} ${o.operand} = ${r + 10}`), null);
      v = r;
    }
  }
});

test('Platt fit: recovers a known calibration from samples drawn from it, and stays finite when classes separate', () => {
  // ½ at a weakest score of 0.8, slope 1.5.
  const truth = { intercept: -1.5 * Math.log(0.8 / 0.2), slope: 1.5 };
  const rng = mulberry32(99);
  const samples = Array.from({ length: 20000 }, () => {
    const score = 1 / (1 + Math.exp(-(rng() * 16 - 6)));
    return { score, right: rng() < calibrateAnswer(score, truth) };
  });
  const fit = fitPlatt(samples)!;
  assert.ok(Math.abs(fit.slope - truth.slope) < 0.1, JSON.stringify(fit));
  assert.ok(Math.abs(fit.intercept - truth.intercept) < 0.1, JSON.stringify(fit));
  const separated = fitPlatt([...Array(50)].map((_, i) => ({ score: i < 25 ? 0.01 : 0.99, right: i >= 25 })))!;
  assert.ok(Number.isFinite(separated.slope) && separated.slope > 0 && Number.isFinite(separated.intercept), JSON.stringify(separated));
  // Right answers no likelier at high scores than at low ones: a constant map at their share.
  const flat = fitPlatt([...Array(400)].map((_, i) => ({ score: (i % 20) / 20 + 0.01, right: i % 10 === 0 })))!;
  assert.ok(flat.slope < 0.05 && Math.abs(calibrateAnswer(0.9, flat) - 0.1) < 0.02, JSON.stringify(flat));
  assert.equal(fitPlatt([{ score: 0.5, right: true }]), null);
  const both = fitAnswerCalibration([
    ...samples.slice(0, 500).map((x) => ({ weakestScore: x.score, right: x.right, basis: 'score' as const })),
    ...samples.slice(500, 700).map((x) => ({ weakestScore: x.score, right: false, basis: 'outside' as const })),
    { weakestScore: 0.99, right: false, basis: 'arithmetic' as const },
  ]);
  assert.equal(both.inside, 500);
  assert.equal(both.outside, 200);
  assert.ok(both.calibration?.outside && calibrateAnswer(0.999, both.calibration.outside) < 0.05, 'all-wrong outside answers get a low confidence');
  // A fitted calibration is a valid setting.
  parseSettings({ models: { prm: { answerCalibration: both.calibration } } }, 'test');
});

test('reliability: 10 bins, the expected calibration error is 0 for a perfect forecaster and large for an overconfident one', () => {
  const rng = mulberry32(5);
  const honest = Array.from({ length: 40000 }, () => {
    const confidence = rng();
    return { confidence, right: rng() < confidence };
  });
  assert.ok(reliability(honest).ece < 0.02);
  const boastful = honest.map((x) => ({ confidence: 0.99, right: x.right }));
  assert.ok(Math.abs(reliability(boastful).ece - 0.49) < 0.02);
  const table = reliability(honest);
  assert.equal(table.rows.length, 10);
  assert.equal(
    table.rows.reduce((n, r) => n + r.count, 0),
    honest.length,
  );
  assert.match(reliabilityMarkdown(table), /\| 0\.9–1\.0 \| \d+ \| 0\.9\d\d \| 0\.9\d\d \|/);
});

test("problems that measure trust: past the family's limits in its own wording, and of other kinds; seeded and reproducible", () => {
  const beyond = generateBeyondProblems(7000, 300);
  assert.deepEqual(generateBeyondProblems(7000, 300), beyond);
  for (const p of beyond) {
    const parsed = parseTinyProblem(p.problem);
    assert.ok(parsed, p.problem);
    assert.equal(parsed!.answer, p.answer);
    assert.equal(obeysTinyGrammar(parsed!), false, `${p.problem} is outside the family`);
    assert.ok(p.ops.length >= 2 && p.ops.length <= 5 && p.answer >= 0 && p.answer <= 2000);
  }
  assert.ok(beyond.some((p) => p.start > 40) && beyond.some((p) => p.ops.some((o) => o.op === '*' && o.operand > 5)));
  const other = generateOtherProblems(7000, 50);
  assert.equal(new Set(other.map((p) => p.problem.split(' ').slice(0, 2).join(' '))).size > 5, true);
  for (const p of other) assert.equal(parseTinyProblem(p.problem), null, p.problem);
  assert.equal(loadDataset('tiny-beyond:7000:300', 5).length, 5);
  assert.equal(loadDataset('tiny-other:7000:10')[3]!.problem, other[3]!.problem);
  assert.throws(() => loadDataset('tiny-other:7:10'), /seeds below 100/);
  assert.throws(() => loadDataset(`tiny:1000:${MAX_GENERATED + 1}`), /at most 100000/);
  assert.equal(loadDataset(`tiny:1000:999999999`, 3).length, 3, 'a limit bounds what is generated');
});

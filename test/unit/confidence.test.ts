// An answer is shown as verified only when the PRM backs its whole path; the engine decides once, in search.finished.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseSettings } from '../../src/core/config';
import { calibrateAnswer, checkAnswer, weakestStep } from '../../src/core/confidence';
import { confidenceText } from '../../src/core/verdict';
import { answerCheckOf, type EventOf } from '../../src/core/events';
import { rootNode, type ThoughtNode } from '../../src/core/generate/types';
import { solve } from '../../src/core/solve';
import { reduceAll } from '../../media/reducer';
import { renderPanel } from '../../media/render';
import { countingModel, countingPrm, ScriptedPrm, isRightPath, trio } from './doubles';

function path(scores: number[]): ThoughtNode {
  let node = rootNode();
  scores.forEach((score, i) => {
    node = { ...rootNode(), id: `t${i + 1}`, parent: node, depth: i + 1, steps: [...node.steps, `s${i + 1}`], text: `s${i + 1}`, score, thoughtScore: score };
  });
  return node;
}

/** Settings whose models are not the bundled tiny ones (no model is loaded: the tests use doubles); PRM uncalibrated. */
const own = parseSettings({ models: { large: { model: '/models/own-large.gguf' } }, search: { temperature: 0.7, maxDepth: 10 } }, 'test');
/** The same models with an answer calibration: ½ at a weakest score of 0.6 (intercept −2·ln(0.6/0.4)). */
const HALF_AT_06 = { intercept: -2 * Math.log(0.6 / 0.4), slope: 2 };
const ownCalibrated = parseSettings(
  { models: { large: { model: '/models/own-large.gguf' }, prm: { model: '/models/prm.gguf', answerCalibration: HALF_AT_06 } } },
  'test',
);
/** The bundled tiny profile, as shipped. */
const tiny = parseSettings({}, 'test');

test('the weakest score along the answer path is what confidence is read from; none without a path', () => {
  assert.equal(weakestStep(path([0.9, 0.2, 0.95]))?.score, 0.2);
  assert.equal(weakestStep(path([0.9, 0.2, 0.95]))?.depth, 2);
  assert.equal(weakestStep(path([0.97]))?.score, 0.97);
  assert.equal(weakestStep(null), null);
  assert.equal(weakestStep(rootNode()), null);
});

test('every profile verifies from search.minConfidence 0.5, and the tiny profile ships an answer calibration', () => {
  assert.equal(tiny.search.minConfidence, 0.5);
  assert.equal(own.search.minConfidence, 0.5);
  assert.ok(tiny.models.prm.answerCalibration, 'the tiny profile calibrates its answers');
  assert.ok(tiny.models.prm.answerCalibration!.outside, 'and answers to problems outside its domain');
  assert.equal(own.models.prm.answerCalibration, undefined);
});

test('without a calibration: verified at or above the threshold; below it the caveat names the step the PRM doubts', () => {
  const ok = checkAnswer(path([0.9, 0.8]), '12', 'p', own);
  assert.deepEqual({ ...ok }, { confidence: 0.8, calibrated: false, threshold: 0.5, weakestScore: 0.8, basis: 'score', verified: true, caveat: null });
  const low = checkAnswer(path([0.9, 0.03]), '12', 'p', own);
  assert.equal(low.verified, false);
  assert.match(low.caveat ?? '', /The PRM doubts step 2 \("s2"\)/);
  assert.equal(confidenceText({ ...low }), 'PRM score 0.03 (uncalibrated), below 0.5');
  const strict = parseSettings({ models: { large: { model: '/models/own-large.gguf' } }, search: { minConfidence: 0.85 } }, 'test');
  assert.equal(checkAnswer(path([0.9, 0.8]), '12', 'p', strict).verified, false);
  const none = checkAnswer(path([0.9]), null, 'p', own);
  assert.match(none.caveat ?? '', /no final answer/);
  assert.equal(none.confidence, 0);
});

test('with a calibration the confidence is P(right) from the weakest score: ½ where the map says, rising with it', () => {
  const c = HALF_AT_06;
  assert.ok(Math.abs(calibrateAnswer(0.6, c) - 0.5) < 1e-12);
  assert.ok(calibrateAnswer(0.9, c) > calibrateAnswer(0.7, c) && calibrateAnswer(0.7, c) > 0.5);
  assert.ok(calibrateAnswer(0.3, c) < 0.5);
  assert.ok(calibrateAnswer(0, c) < 1e-20);
  assert.ok(calibrateAnswer(1, c) > 0.999999);
  // A slope of 0 is a constant probability, whatever the score.
  assert.ok(Math.abs(calibrateAnswer(0.999, { intercept: -2, slope: 0 }) - 1 / (1 + Math.exp(2))) < 1e-12);
  const at = checkAnswer(path([0.95, 0.9]), '12', 'p', ownCalibrated);
  assert.equal(at.calibrated, true);
  assert.ok(Math.abs(at.confidence! - calibrateAnswer(0.9, c)) < 1e-12);
  assert.equal(at.verified, true);
  assert.equal(checkAnswer(path([0.95, 0.55]), '12', 'p', ownCalibrated).verified, false, 'a weakest score under 0.6 is below ½');
});

test('a false equation on the path makes the answer unverified at confidence 0, however sure the PRM is', () => {
  let node = rootNode();
  for (const [i, text] of ['100 - 21: ones 9, tens 8. 100 - 21 = 89', 'The answer is 89.'].entries()) {
    node = { ...rootNode(), id: `t${i + 1}`, parent: node, depth: i + 1, steps: [...node.steps, text], text, score: 0.999, thoughtScore: 0.999 };
  }
  const check = checkAnswer(node, '89', 'p', ownCalibrated);
  assert.equal(check.verified, false);
  assert.equal(check.confidence, 0);
  assert.equal(check.basis, 'arithmetic');
  assert.equal(check.caveat, 'Step 1 says 100 - 21 = 89, but 100 - 21 is 79.');
  // With the bundled models on a problem past their limits, the message says both.
  const beyond = checkAnswer(node, '89', 'Start with 100. Subtract 21. Add 1. What is the result?', tiny);
  assert.equal(beyond.confidence, 0);
  assert.match(
    beyond.caveat ?? '',
    /^Step 1 says 100 - 21 = 89, but 100 - 21 is 79\. The bundled tiny models know chain arithmetic .* this problem starts with 100/,
  );
});

test("the bundled tiny models: problems past the family's limits or of another kind are unverified, with what puts them outside", () => {
  const beyond = checkAnswer(path([0.999, 0.999]), '82', 'Start with 45. Add 60. Subtract 3. What is the result?', tiny);
  assert.equal(beyond.verified, false);
  assert.equal(beyond.basis, 'outside');
  assert.match(beyond.caveat ?? '', /numbers from 1 to 40.*this problem starts with 45 and adds 60, so the answer is a guess/);
  assert.ok(beyond.confidence !== null && beyond.confidence < 0.5, `confidence ${beyond.confidence} is below 0.5`);
  const times = checkAnswer(path([0.999, 0.999]), '51', 'Start with 50. Multiply by 10. Add 1. What is the result?', tiny);
  assert.match(times.caveat ?? '', /starts with 50, multiplies by 10 and reaches 500/);
  const natalia =
    'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?';
  const out = checkAnswer(path([0.99, 0.99]), '32', natalia, tiny);
  assert.equal(out.verified, false);
  assert.match(out.caveat ?? '', /only solve chain arithmetic worded like "Start with 7\. Add 5\./);
  assert.match(out.caveat ?? '', /point SpecSearch at your own models \(the specsearch\.models\.\* settings\)/);
  assert.ok(out.confidence === null || out.confidence < 0.5);
  assert.equal(checkAnswer(path([0.999]), '36', 'Start with 7. Add 5. Multiply by 3. What is the result?', tiny).verified, true);
  // Own models are not held to the tiny task.
  assert.equal(checkAnswer(path([0.99]), '72', natalia, own).verified, true);
});

test('one meaning everywhere: verified ⇔ an answer and confidence ≥ the threshold; never unverified at or above it', () => {
  const problems = ['Start with 7. Add 5. What is the result?', 'Start with 70. Add 5. What is the result?', 'What is 2 plus 2?'];
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 600; i++) {
    const scores = Array.from({ length: 1 + (i % 4) }, () => (rand() < 0.2 ? rand() ** 8 : 1 - rand() ** 4));
    const settings = [own, ownCalibrated, tiny][i % 3]!;
    const answer = i % 17 === 0 ? null : '12';
    const check = checkAnswer(path(scores), answer, problems[i % 3]!, settings);
    const shown = check.confidence !== null && check.confidence >= check.threshold && answer !== null;
    assert.equal(check.verified, shown, JSON.stringify({ scores, check }));
    assert.equal(check.caveat === null, check.verified);
  }
});

test('search.finished carries confidence, verified and caveat; the panel shows ✓ only for a verified answer', async () => {
  const trusted = await solve({
    problem: 'count to three',
    settings: own,
    models: trio(countingModel('s', 3, 0, 1), countingModel('l', 3, 0, 2), countingPrm(0.9, 0.1)),
  });
  const finished = trusted.events.at(-1) as EventOf<'search.finished'>;
  assert.equal(finished.type, 'search.finished');
  assert.equal(finished.answer, '3');
  assert.equal(finished.confidence, 0.9);
  assert.equal(finished.verified, true);
  assert.deepEqual(answerCheckOf(trusted), { answer: '3', confidence: 0.9, calibrated: false, threshold: 0.5, verified: true, caveat: null });

  // A PRM that doubts every step: the same answer, unverified.
  const doubtful = await solve({
    problem: 'count to three',
    settings: own,
    models: trio(countingModel('s', 3, 0, 1), countingModel('l', 3, 0, 2), new ScriptedPrm((steps) => (isRightPath(steps) ? 0.3 : 0.1))),
  });
  const check = answerCheckOf(doubtful);
  assert.equal(doubtful.answer, '3');
  assert.equal(check.verified, false);
  assert.match(check.caveat ?? '', /The PRM doubts step \d/);
  assert.equal(confidenceText(check), 'PRM score 0.30 (uncalibrated), below 0.5');

  const html = (r: typeof trusted) => renderPanel(reduceAll(r.events), { tex: null });
  assert.match(html(trusted), /aria-label="Answer, verified"/);
  assert.match(html(doubtful), /Unverified answer/);
  assert.doesNotMatch(html(doubtful), /Answer, verified|codicon-pass/);
  assert.match(html(doubtful), /PRM score 0\.30 \(uncalibrated\), below 0\.5/);
  assert.match(html(doubtful), /title="The PRM is not calibrated: the number is its score of the weakest step, not a probability/);
});

// An answer is shown as verified only when the PRM backs its whole path; the engine decides once, in search.finished.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseSettings } from '../../src/core/config';
import { checkAnswer, confidenceOf } from '../../src/core/confidence';
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

/** Settings whose models are not the bundled tiny ones (no model is loaded: the tests use doubles). */
// The engine's default threshold (0.5); the tiny profile sets its own on its calibrated scale.
const own = parseSettings({ models: { large: { model: '/models/own-large.gguf' } }, search: { temperature: 0.7, maxDepth: 10, minConfidence: 0.5 } }, 'test');
const tiny = parseSettings({ search: { temperature: 0.7, maxDepth: 10, minConfidence: 0.5 } }, 'test');

test('confidence is the lowest PRM score along the answer path; none without a path', () => {
  assert.equal(confidenceOf(path([0.9, 0.2, 0.95])), 0.2);
  assert.equal(confidenceOf(path([0.97])), 0.97);
  assert.equal(confidenceOf(null), null);
  assert.equal(confidenceOf(rootNode()), null);
});

test('verified only at or above search.minConfidence; below it the caveat gives the figure and the setting', () => {
  assert.deepEqual(checkAnswer(path([0.9, 0.8]), '12', 'p', own), { confidence: 0.8, verified: true, caveat: null });
  const low = checkAnswer(path([0.9, 0.03]), '12', 'p', own);
  assert.equal(low.verified, false);
  assert.match(low.caveat ?? '', /confidence in this answer's path is 0\.03, below search\.minConfidence 0\.5/);
  const strict = parseSettings({ models: { large: { model: '/models/own-large.gguf' } }, search: { minConfidence: 0.85 } }, 'test');
  assert.equal(checkAnswer(path([0.9, 0.8]), '12', 'p', strict).verified, false);
  assert.match(checkAnswer(path([0.9]), null, 'p', own).caveat ?? '', /no final answer/);
});

test('the bundled tiny models flag a problem outside chain arithmetic, however sure the PRM is', () => {
  const natalia = 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?';
  const out = checkAnswer(path([0.99, 0.99]), '32', natalia, tiny);
  assert.equal(out.verified, false);
  assert.match(out.caveat ?? '', /only solve chain arithmetic like "Start with 7\. Add 5\./);
  assert.match(out.caveat ?? '', /point SpecSearch at your own models/);
  assert.equal(checkAnswer(path([0.99]), '36', 'Start with 7. Add 5. Multiply by 3. What is the result?', tiny).verified, true);
  // Own models are not held to the tiny task.
  assert.equal(checkAnswer(path([0.99]), '72', natalia, own).verified, true);
});

test('search.finished carries confidence, verified and caveat; the panel shows ✓ only for a verified answer', async () => {
  const trusted = await solve({ problem: 'count to three', settings: own, models: trio(countingModel('s', 3, 0, 1), countingModel('l', 3, 0, 2), countingPrm(0.9, 0.1)) });
  const finished = trusted.events.at(-1) as EventOf<'search.finished'>;
  assert.equal(finished.type, 'search.finished');
  assert.equal(finished.answer, '3');
  assert.equal(finished.confidence, 0.9);
  assert.equal(finished.verified, true);
  assert.deepEqual(answerCheckOf(trusted), { confidence: 0.9, verified: true, caveat: null });

  // A PRM that doubts every step: the same answer, unverified.
  const doubtful = await solve({ problem: 'count to three', settings: own, models: trio(countingModel('s', 3, 0, 1), countingModel('l', 3, 0, 2), new ScriptedPrm((steps) => (isRightPath(steps) ? 0.3 : 0.1))) });
  const check = answerCheckOf(doubtful);
  assert.equal(doubtful.answer, '3');
  assert.equal(check.verified, false);
  assert.match(check.caveat ?? '', /0\.30, below search\.minConfidence 0\.5/);

  const html = (r: typeof trusted) => renderPanel(reduceAll(r.events), { tex: null });
  assert.match(html(trusted), /aria-label="Answer, verified"/);
  assert.match(html(doubtful), /Unverified answer/);
  assert.doesNotMatch(html(doubtful), /Answer, verified|codicon-pass/);
  assert.match(html(doubtful), /below search\.minConfidence/);
});

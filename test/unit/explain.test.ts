// Explain tells each step's story from the trace: what it does, why it was kept, what was rejected and rewritten.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DEFAULT_SEARCH } from '../../src/core/config';
import type { SearchEvent, SearchEventBody, SearchStats } from '../../src/core/events';
import { describeStep, explainTrace, plainWords } from '../../src/core/explain';
import { reduceAll } from '../../media/reducer';
import { renderPanel } from '../../media/render';
import { drafted, judgedDraft } from '../fixtures/traces';

const stats = {
  wallMs: 900,
  modelMs: 800,
  small: { calls: 2, tokens: 40, ms: 200 },
  large: { calls: 1, tokens: 20, ms: 400 },
  prm: { calls: 2, ms: 50, scored: 4 },
  drafted: 3,
  accepted: 1,
  surplus: 0,
  rejected: 2,
  corrections: 1,
  acceptanceRate: 0.5,
  acceptanceByDepth: [],
  requests: 4,
  speculative: null,
  depth: 2,
} as SearchStats;

function explainTraceOf(): SearchEvent[] {
  const bodies: SearchEventBody[] = [
    {
      type: 'search.started',
      problem: 'Start with 7. Add 5. Multiply by 3. What is the result?',
      mode: 'explain',
      method: 'specsearch',
      algorithm: 'beam',
      settings: DEFAULT_SEARCH,
    },
    drafted('t1', null, 1, '7 + 5: ones 2, tens 1. 7 + 5 = 12'),
    drafted('t2', null, 1, '7 + 5: ones 3, tens 1. 7 + 5 = 13'),
    { type: 'thought.scored', id: 't1', score: 0.93 },
    { type: 'thought.scored', id: 't2', score: 0.04 },
    { type: 'thought.judged', id: 't1', verdict: 'accepted', threshold: 0.8 },
    { type: 'thought.judged', id: 't2', verdict: 'rejected', threshold: 0.8 },
    ...judgedDraft('t3', 't1', 2, '12 * 3: ones 7, tens 3. 12 * 3 = 37', 0.02, 'rejected', 0.82),
    {
      type: 'thought.corrected',
      id: 't4',
      replaces: 't3',
      parentId: 't1',
      depth: 2,
      text: '12 * 3: ones 6, tens 3. 12 * 3 = 36',
      tokens: 12,
      ms: 40,
      speculative: null,
    },
    { type: 'thought.scored', id: 't4', score: 0.97 },
    ...judgedDraft('t5', 't4', 3, 'The answer is 36.', 0.99, 'accepted', 0.85),
    {
      type: 'search.finished',
      answer: '36',
      answerThoughtId: 't5',
      path: ['t1', 't4', 't5'],
      confidence: 0.93,
      calibrated: true,
      threshold: 0.5,
      weakestScore: 0.93,
      basis: 'score',
      verified: true,
      caveat: null,
      stats,
    },
  ];
  return bodies.map((b, i) => ({ ...b, searchId: 'x1', t: i }) as SearchEvent);
}

test("plain words: arithmetic read from the step's equation, the final answer named, else its first sentence", () => {
  assert.equal(plainWords('7 + 5: ones 2, tens 1. 7 + 5 = 12'), 'Adds 5 to 7, which gives 12.');
  assert.equal(plainWords('116 / 4: hundreds 0, tens 2, ones 9. 116 / 4 = 29'), 'Divides 116 by 4, which gives 29.');
  assert.equal(plainWords('36 - 4 = 32'), 'Subtracts 4 from 36, which leaves 32.');
  assert.equal(plainWords('The answer is \\boxed{42}.'), 'States the final answer, 42.');
  assert.equal(plainWords('The answer is 36.'), 'States the final answer, 36.');
  assert.equal(plainWords('Let x be the number of apples. Then 2x + 3 = 11.'), 'Let x be the number of apples.');
});

test('each step of the path: who wrote it and why it was kept; the rejected drafts with scores against β; what the large model wrote instead', () => {
  const steps = explainTraceOf();
  const explained = explainTrace(steps);
  assert.deepEqual(
    explained.map((s) => [s.index, s.how]),
    [
      [1, 'accepted'],
      [2, 'corrected'],
      [3, 'accepted'],
    ],
  );
  const [first, second] = explained.map(describeStep);
  assert.equal(first[0], 'Adds 5 to 7, which gives 12.');
  assert.match(first[1], /Drafted by the small model and kept: the PRM scored it 0\.93, at or above β 0\.80/);
  assert.match(first[2], /1 other draft was rejected here \(scores 0\.04 < β 0\.80\)/);
  assert.equal(second[0], 'Multiplies 12 by 3, which gives 36.');
  assert.match(
    second[1],
    /Written by the large model \(PRM 0\.97\) because the small model's draft fell short: "12 \* 3: ones 7, tens 3\. 12 \* 3 = 37" scored 0\.02 < β 0\.82/,
  );
  assert.equal(second.length, 2, 'the replaced draft is not counted again among the rejected');
});

test('the panel shows the explanation in explain mode: the same story, each step linked to the tree', () => {
  const html = renderPanel(reduceAll(explainTraceOf()), { tex: null });
  assert.match(html, /<section class="explanation" aria-label="Explanation">/);
  assert.match(html, /<b>Multiplies 12 by 3, which gives 36\.<\/b> <a href="#" class="goto" data-goto="t4"/);
  assert.match(html, /because the small model&#39;s draft fell short|because the small model's draft fell short/);
  const solve = reduceAll(explainTraceOf().map((e) => (e.type === 'search.started' ? { ...e, mode: 'solve' as const } : e)));
  assert.doesNotMatch(renderPanel(solve, { tex: null }), /class="explanation"/, 'solve mode shows the tree, not the story');
});

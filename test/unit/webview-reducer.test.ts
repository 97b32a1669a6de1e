// The panel renders from SearchEvents alone: the reducer, the HTML it produces, and a 500-thought trace's cost.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import katex from 'katex';
import type { SearchEvent, SearchEventBody } from '../../src/core/events';
import { DEFAULT_SEARCH } from '../../src/core/config';
import { emptyState, MAX_SEARCHES, reduce, reduceAll, toggleGroup } from '../../media/reducer';
import { renderPanel, shownAs } from '../../media/render';
import { renderMath } from '../../media/math';
import { bigTrace, drafted, judgedDraft, stats } from '../fixtures/traces';

function trace(searchId: string, bodies: SearchEventBody[]): SearchEvent[] {
  return bodies.map((b, i) => ({ ...b, searchId, t: i * 10 }) as SearchEvent);
}

/** A small, complete SpecSearch trace: one accepted draft, one rejected and corrected, an answer. */
function smallTrace(searchId = 's1'): SearchEvent[] {
  return trace(searchId, [
    { type: 'search.started', problem: 'Start with 7. Add 5. What is $7+5$?', mode: 'solve', method: 'specsearch', algorithm: 'beam', settings: DEFAULT_SEARCH },
    { type: 'step.started', depth: 1 },
    drafted('t1', null, 1, '7 + 5 = 12'),
    drafted('t2', null, 1, '7 + 5 = 13'),
    { type: 'thought.scored', id: 't1', score: 0.9 },
    { type: 'thought.scored', id: 't2', score: 0.2 },
    { type: 'thought.judged', id: 't1', verdict: 'accepted', threshold: 0.6 },
    { type: 'thought.judged', id: 't2', verdict: 'rejected', threshold: 0.6 },
    { type: 'thought.corrected', id: 't3', replaces: 't2', parentId: null, depth: 1, text: '$7 + 5 = 12$', tokens: 8, ms: 20, speculative: { drafted: 6, accepted: 5 } },
    { type: 'thought.scored', id: 't3', score: 0.95 },
    { type: 'beam.selected', depth: 1, ids: ['t3', 't1'] },
    { type: 'threshold.updated', parentId: null, depth: 1, threshold: 0.63 },
    { type: 'step.started', depth: 2 },
    drafted('t4', 't3', 2, 'The answer is 12.'),
    { type: 'thought.scored', id: 't4', score: 0.97 },
    { type: 'thought.judged', id: 't4', verdict: 'accepted', threshold: 0.63 },
    { type: 'search.finished', answer: '12', answerThoughtId: 't4', path: ['t3', 't4'], confidence: 0.91, calibrated: true, threshold: 0.5, weakestScore: 0.91, basis: 'score', verified: true, caveat: null, stats },
  ]);
}

test('the reducer builds the tree, verdicts, correction links, beam and answer path from events', () => {
  const state = reduceAll(smallTrace());
  const s = state.searches.s1;
  assert.equal(state.current, 's1');
  assert.equal(s.status, 'finished');
  assert.deepEqual(s.roots, ['t1', 't2', 't3']);
  assert.deepEqual(s.thoughts.t3.children, ['t4']);
  assert.equal(s.thoughts.t2.verdict, 'rejected');
  assert.equal(s.thoughts.t2.replacedBy, 't3');
  assert.equal(s.thoughts.t3.replaces, 't2');
  assert.equal(s.thoughts.t3.source, 'large');
  assert.equal(s.thoughts.t1.threshold, 0.6);
  assert.deepEqual(s.beams[1], ['t3', 't1']);
  assert.equal(s.thresholds[1], 0.63);
  assert.deepEqual([s.accepted, s.rejected, s.corrections, s.drafted], [2, 1, 1, 3]);
  assert.equal(s.answer, '12');
  assert.deepEqual(s.path, ['t3', 't4']);
  assert.equal(s.events, smallTrace().length);
});

test('the reducer is pure: earlier states are left untouched', () => {
  const events = smallTrace();
  const before = reduceAll(events.slice(0, 5));
  const snapshot = JSON.stringify(before);
  reduceAll(events.slice(5), before);
  assert.equal(JSON.stringify(before), snapshot);
});

test('the HTML shows source, score against threshold, verdicts, the correction link and the answer', () => {
  const html = renderPanel(reduceAll(smallTrace()), { tex: katex });
  assert.match(html, /role="tree"/);
  assert.equal((html.match(/role="treeitem"/g) ?? []).length, 4, 't1, t3, t4 and the folded group of one rejected draft');
  assert.match(html, /1 rejected draft \(best 0\.20 &lt; β 0\.60\)/);
  assert.match(html, /data-goto="t2"[^>]*><span class="glyph" aria-hidden="true">↻<\/span> replaces step 1, draft 2</);
  assert.match(html, /aria-label="step 1, draft 1: 7 \+ 5 = 12, written by the small model/, "a row's accessible name starts with its position and text");
  assert.match(html, /class="row thought corrected large on-path in-beam"/);
  assert.match(html, /aria-label="step 2, draft 1: The answer is 12\., written by the small model, score 0\.97, threshold 0\.63, accepted, on the answer path"/);
  assert.match(html, /Answer: <b class="value">12<\/b>/);
  assert.match(html, /speculation<\/dt><dd>80%/);
  assert.match(html, /acceptance<\/dt><dd>83%/);
  assert.match(html, /class="katex"/, 'math in the problem and thoughts goes through KaTeX');
  assert.doesNotMatch(html, /7 \+ 5 = 13/, 'rejected drafts stay folded by default');
  const opened = renderPanel(toggleGroup(reduceAll(smallTrace()), 's1/'), { tex: katex });
  assert.match(opened, /7 \+ 5 = 13/);
  assert.match(opened, /↻<\/span> rewritten as step 1, thought 3/);
});

test('a failed search shows its error and hint; a running one offers Stop', () => {
  const events = smallTrace().slice(0, 8);
  const running = renderPanel(reduceAll(events), { tex: null });
  assert.match(running, /data-action="stop"/);
  const failed = reduce(reduceAll(events), {
    type: 'search.failed', searchId: 's1', t: 99, partial: true, stats,
    error: { code: 'connection', message: 'Cannot reach http://127.0.0.1:8000/v1', hint: 'Start the server.' },
  });
  const html = renderPanel(failed, { tex: null });
  assert.match(html, /role="alert"/);
  assert.match(html, /Cannot reach http:\/\/127\.0\.0\.1:8000\/v1/);
  assert.match(html, /Start the server\./);
  assert.doesNotMatch(html, /data-action="stop"/);
  assert.match(html, /class="status failed">failed</);
});

test('a search the user stopped reads "stopped", not as an error, and keeps its thoughts', () => {
  const events = smallTrace().slice(0, 8);
  const stoppedState = reduce(reduceAll(events), {
    type: 'search.failed', searchId: 's1', t: 99, partial: true, stats,
    error: { code: 'cancelled', message: 'The search was cancelled.' },
  });
  const html = renderPanel(stoppedState, { tex: null });
  assert.match(html, /class="status failed stopped">stopped</);
  assert.match(html, /role="status"[^>]*>.*The search was cancelled\..*kept below/s);
  assert.doesNotMatch(html, /role="alert"/);
  assert.match(html, /class="row thought/);
});

test('text is escaped; math outside $…$ is not interpreted; prices stay text', () => {
  assert.equal(renderMath('<b>x</b> & costs $5 and $10', katex), '&lt;b&gt;x&lt;/b&gt; &amp; costs $5 and $10');
  assert.match(renderMath('so \\(x^2\\) and $$\\frac12$$', katex), /<math [^>]*display="block"/);
  assert.doesNotMatch(renderPanel(reduceAll(trace('x', [
    { type: 'search.started', problem: '<img src=x onerror=alert(1)>', mode: 'solve', method: 'small', algorithm: 'beam', settings: DEFAULT_SEARCH },
  ])), { tex: katex }), /<img/);
  // Every event field the panel prints is escaped, also those the schema types as numbers or enums.
  const hostile = '<img src=x onerror=alert(2)>';
  const html = renderPanel(reduceAll(trace('y', [
    { type: 'search.started', problem: 'p', mode: 'solve', method: 'small', algorithm: 'beam', settings: DEFAULT_SEARCH },
    { type: 'thought.drafted', id: 't1', parentId: null, depth: 1, source: hostile as 'small', text: 'x', tokens: hostile as unknown as number, ms: 1, speculative: null },
  ])), { tex: katex });
  assert.doesNotMatch(html, /<img/);
  // KaTeX is bounded: a huge rule does not get its size.
  const rule = renderMath('$\\rule{100000em}{1em}$', katex);
  assert.doesNotMatch(rule.replace(/<annotation[\s\S]*?<\/annotation>/g, ''), /100000em/);
  assert.match(rule, /width="10em"/);
});

test('only the last few searches are kept; events of unknown searches are ignored', () => {
  let state = emptyState();
  for (let i = 0; i < MAX_SEARCHES + 2; i++) state = reduceAll(smallTrace(`s${i}`), state);
  assert.equal(state.order.length, MAX_SEARCHES);
  assert.equal(state.searches.s0, undefined);
  assert.equal(state.current, `s${MAX_SEARCHES + 1}`);
  const same = reduce(state, { type: 'step.started', searchId: 'nope', t: 0, depth: 1 });
  assert.equal(same, state);
});

test('a 500-thought trace reduces and renders, rejected drafts folded (its speed: scripts/bench-panel.mjs)', () => {
  const events = bigTrace();
  assert.ok(events.filter((e) => e.type === 'thought.drafted' || e.type === 'thought.corrected').length >= 500);
  const state = reduceAll(events);
  const first = renderPanel(state, { tex: katex });
  assert.equal(renderPanel(state, { tex: katex }), first, 'rendering is a function of the state');
  const rows = (first.match(/role="treeitem"/g) ?? []).length;
  assert.ok(rows < 400, `only kept thoughts and group rows are rendered (${rows})`);
});

test('reducing events one at a time (live) gives the state reducing them at once gives', () => {
  const events = bigTrace();
  let state = emptyState();
  for (const e of events) state = reduce(state, e);
  assert.equal(state.searches.big.events, events.length);
  assert.deepEqual(state, reduceAll(events));
});

test('identical sibling thoughts show as one row with ×N; the path, corrections and thoughts with children keep their own rows', () => {
  const events = trace('dup', [
    { type: 'search.started', problem: 'Start with 7. Add 5. What is the result?', mode: 'solve', method: 'specsearch', algorithm: 'beam', settings: DEFAULT_SEARCH },
    { type: 'step.started', depth: 1 },
    ...['d1', 'd2', 'd3', 'd4', 'd5'].flatMap((id) => judgedDraft(id, null, 1, '7 + 5 = 12', 0.9, 'accepted', 0.6)),
    ...['w1', 'w2'].flatMap((id) => judgedDraft(id, null, 1, '7 + 5 = 13', 0.1, 'rejected', 0.6)),
    { type: 'beam.selected', depth: 1, ids: ['d1'] },
    { type: 'step.started', depth: 2 },
    ...judgedDraft('a1', 'd1', 2, 'The answer is 12.', 0.95, 'accepted', 0.6),
    { type: 'search.finished', answer: '12', answerThoughtId: 'a1', path: ['d1', 'a1'], confidence: 0.95, calibrated: true, threshold: 0.5, weakestScore: 0.95, basis: 'score', verified: true, caveat: null, stats },
  ]);
  const state = reduceAll(events);
  const html = renderPanel(state, { tex: null });
  const rows = html.match(/role="treeitem"/g)?.length ?? 0;
  // d1 (on the path, with a child) keeps its row; d2…d5 are one row ×4; a1; the rejected group.
  assert.equal(rows, 4, html);
  assert.match(html, /×4<\/span>/);
  assert.match(html, /aria-label="step 1, draft 2: 7 \+ 5 = 12, [^"]*4 identical thoughts"/);
  assert.doesNotMatch(html, /data-id="d3"/);
  const s = state.searches.dup;
  assert.equal(shownAs(s, 'd4'), 'd2', 'a collapsed thought is shown by the first of its twins');
  assert.equal(shownAs(s, 'd1'), 'd1');
  // The rejected group, opened: the two identical wrong drafts are one row ×2.
  const opened = renderPanel(toggleGroup(state, 'dup/'), { tex: null });
  assert.match(opened, /data-id="w1"[^>]*aria-label="[^"]*2 identical thoughts"/);
  assert.doesNotMatch(opened, /data-id="w2"/);
});

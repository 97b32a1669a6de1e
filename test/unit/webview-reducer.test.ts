// The panel renders from SearchEvents alone: the reducer, the HTML it produces, and a 500-thought trace's cost.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import katex from 'katex';
import type { SearchEvent, SearchEventBody } from '../../src/core/events';
import { DEFAULT_SEARCH } from '../../src/core/config';
import { emptyState, MAX_SEARCHES, reduce, reduceAll, toggleGroup } from '../../media/reducer';
import { renderPanel } from '../../media/render';
import { groupsHiding, shownAs } from '../../media/tree';
import { renderMath } from '../../media/math';
import { bigTrace, drafted, judgedDraft, stats } from '../fixtures/traces';

function trace(searchId: string, bodies: SearchEventBody[]): SearchEvent[] {
  return bodies.map((b, i) => ({ ...b, searchId, t: i * 10 }) as SearchEvent);
}

/** A small, complete SpecSearch trace: one accepted draft, one rejected and corrected, an answer. */
function smallTrace(searchId = 's1', problem = 'Start with 7. Add 5. What is $7+5$?'): SearchEvent[] {
  return trace(searchId, [
    { type: 'search.started', problem, mode: 'solve', method: 'specsearch', algorithm: 'beam', settings: DEFAULT_SEARCH },
    { type: 'step.started', depth: 1 },
    drafted('t1', null, 1, '7 + 5 = 12'),
    drafted('t2', null, 1, '7 + 5 = 13'),
    { type: 'thought.scored', id: 't1', score: 0.9 },
    { type: 'thought.scored', id: 't2', score: 0.2 },
    { type: 'thought.judged', id: 't1', verdict: 'accepted', threshold: 0.6 },
    { type: 'thought.judged', id: 't2', verdict: 'rejected', threshold: 0.6 },
    {
      type: 'thought.corrected',
      id: 't3',
      replaces: 't2',
      parentId: null,
      depth: 1,
      text: '$7 + 5 = 12$',
      tokens: 8,
      ms: 20,
      speculative: { drafted: 6, accepted: 5 },
    },
    { type: 'thought.scored', id: 't3', score: 0.95 },
    { type: 'beam.selected', depth: 1, ids: ['t3', 't1'] },
    { type: 'threshold.updated', parentId: null, depth: 1, threshold: 0.63 },
    { type: 'step.started', depth: 2 },
    drafted('t4', 't3', 2, 'The answer is 12.'),
    { type: 'thought.scored', id: 't4', score: 0.97 },
    { type: 'thought.judged', id: 't4', verdict: 'accepted', threshold: 0.63 },
    {
      type: 'search.finished',
      answer: '12',
      answerThoughtId: 't4',
      path: ['t3', 't4'],
      confidence: 0.91,
      calibrated: true,
      threshold: 0.5,
      weakestScore: 0.91,
      basis: 'score',
      verified: true,
      caveat: null,
      stats,
    },
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
  assert.equal((html.match(/role="treeitem"/g) ?? []).length, 4, 't3 and t4 (the path), the folded other branch t1 and the folded group of one rejected draft');
  assert.match(html, /1 rejected draft \(best 0\.20 &lt; β 0\.60\)/);
  assert.match(html, /data-goto="t2"[^>]*><span class="glyph" aria-hidden="true">↻<\/span> replaces step 1, draft 2</);
  assert.match(html, /class="row thought corrected large on-path in-beam"/);
  assert.match(
    html,
    /aria-label="step 2, draft 1: The answer is 12\., written by the small model, score 0\.97, threshold 0\.63, accepted, on the answer path"/,
  );
  assert.match(html, /Answer: <b class="value">12<\/b>/);
  assert.match(html, /speculation<\/dt><dd>80%/);
  assert.match(html, /acceptance<\/dt><dd>83%/);
  assert.match(html, /class="katex"/, 'math in the problem and thoughts goes through KaTeX');
  assert.doesNotMatch(html, /7 \+ 5 = 13/, 'rejected drafts stay folded by default');
  const branches = renderPanel(toggleGroup(reduceAll(smallTrace()), 's1/#branches'), { tex: katex });
  assert.match(branches, /aria-label="step 1, draft 1: 7 \+ 5 = 12, written by the small model/, "a row's accessible name starts with its position and text");
  const opened = renderPanel(toggleGroup(reduceAll(smallTrace()), 's1/'), { tex: katex });
  assert.match(opened, /7 \+ 5 = 13/);
  assert.match(opened, /↻<\/span> rewritten as step 1, thought 3/);
});

test('a failed search shows its error and hint; a running one offers Stop', () => {
  const events = smallTrace().slice(0, 8);
  const running = renderPanel(reduceAll(events), { tex: null });
  assert.match(running, /data-action="stop"/);
  const failed = reduce(reduceAll(events), {
    type: 'search.failed',
    searchId: 's1',
    t: 99,
    partial: true,
    stats,
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
    type: 'search.failed',
    searchId: 's1',
    t: 99,
    partial: true,
    stats,
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
  assert.doesNotMatch(
    renderPanel(
      reduceAll(
        trace('x', [
          { type: 'search.started', problem: '<img src=x onerror=alert(1)>', mode: 'solve', method: 'small', algorithm: 'beam', settings: DEFAULT_SEARCH },
        ]),
      ),
      { tex: katex },
    ),
    /<img/,
  );
  // Every event field the panel prints is escaped, also those the schema types as numbers or enums.
  const hostile = '<img src=x onerror=alert(2)>';
  const html = renderPanel(
    reduceAll(
      trace('y', [
        { type: 'search.started', problem: 'p', mode: 'solve', method: 'small', algorithm: 'beam', settings: DEFAULT_SEARCH },
        {
          type: 'thought.drafted',
          id: 't1',
          parentId: null,
          depth: 1,
          source: hostile as 'small',
          text: 'x',
          tokens: hostile as unknown as number,
          ms: 1,
          speculative: null,
        },
      ]),
    ),
    { tex: katex },
  );
  assert.doesNotMatch(html, /<img/);
  // KaTeX is bounded: a huge rule does not get its size.
  const rule = renderMath('$\\rule{100000em}{1em}$', katex);
  assert.doesNotMatch(rule.replace(/<annotation[\s\S]*?<\/annotation>/g, ''), /100000em/);
  assert.match(rule, /width="10em"/);
});

test('only the last few searches are kept; events of unknown searches are ignored', () => {
  let state = emptyState();
  for (let i = 0; i < MAX_SEARCHES + 2; i++) state = reduceAll(smallTrace(`s${i}`, `Start with ${i}. Add 5.`), state);
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
    {
      type: 'search.started',
      problem: 'Start with 7. Add 5. What is the result?',
      mode: 'solve',
      method: 'specsearch',
      algorithm: 'beam',
      settings: DEFAULT_SEARCH,
    },
    { type: 'step.started', depth: 1 },
    ...['d1', 'd2', 'd3', 'd4', 'd5'].flatMap((id) => judgedDraft(id, null, 1, '7 + 5 = 12', 0.9, 'accepted', 0.6)),
    ...['w1', 'w2'].flatMap((id) => judgedDraft(id, null, 1, '7 + 5 = 13', 0.1, 'rejected', 0.6)),
    { type: 'beam.selected', depth: 1, ids: ['d1'] },
    { type: 'step.started', depth: 2 },
    ...judgedDraft('a1', 'd1', 2, 'The answer is 12.', 0.95, 'accepted', 0.6),
    {
      type: 'search.finished',
      answer: '12',
      answerThoughtId: 'a1',
      path: ['d1', 'a1'],
      confidence: 0.95,
      calibrated: true,
      threshold: 0.5,
      weakestScore: 0.95,
      basis: 'score',
      verified: true,
      caveat: null,
      stats,
    },
  ]);
  const state = reduceAll(events);
  assert.equal(renderPanel(state, { tex: null }).match(/role="treeitem"/g)?.length, 4, 'd1, a1 (the path), the other branches and the rejected group');
  const html = renderPanel(toggleGroup(state, 'dup/#branches'), { tex: null });
  const rows = html.match(/role="treeitem"/g)?.length ?? 0;
  // d1 (on the path, with a child) keeps its row; a1; the other branches, open: d2…d5 as one row ×4; the rejected group.
  assert.equal(rows, 5, html);
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

/** Two branches at the root; the answer's path is the second one (issue: the tree opened on the other). */
function twoBranches(searchId = 'b'): SearchEvent[] {
  return trace(searchId, [
    {
      type: 'search.started',
      problem: 'Start with 3. Add 3. Subtract 2. What is the result?',
      mode: 'solve',
      method: 'specsearch',
      algorithm: 'beam',
      settings: DEFAULT_SEARCH,
    },
    { type: 'step.started', depth: 1 },
    ...judgedDraft('x1', null, 1, '3 + 3 = 6', 0.9, 'accepted', 0.5),
    ...judgedDraft('y1', null, 1, '3 + 3 = 5', 0.7, 'accepted', 0.5),
    { type: 'step.started', depth: 2 },
    ...judgedDraft('x2', 'x1', 2, '6 − 3 = 3', 0.8, 'accepted', 0.5),
    ...judgedDraft('y2', 'y1', 2, '5 − 2 = 3', 0.8, 'accepted', 0.5),
    { type: 'step.started', depth: 3 },
    ...judgedDraft('x3', 'x2', 3, 'The answer is 3.', 0.9, 'accepted', 0.5),
    ...judgedDraft('y3', 'y2', 3, 'The answer is 1.', 0.4, 'accepted', 0.5),
    {
      type: 'search.finished',
      answer: '1',
      answerThoughtId: 'y3',
      path: ['y1', 'y2', 'y3'],
      confidence: 0.4,
      calibrated: true,
      threshold: 0.5,
      weakestScore: 0.4,
      basis: 'score',
      verified: false,
      caveat: null,
      stats,
    },
  ]);
}

const rowIds = (html: string) =>
  [...html.matchAll(/role="treeitem" (?:id="n-[^"]*" data-id="([^"]*)"|data-group="([^"]*)")/g)].map((m) => m[1] ?? `group ${m[2]}`);

test('the answer\'s path comes first and stands out; the other branches fold under it, and "go to" opens them', () => {
  const state = reduceAll(twoBranches());
  const html = renderPanel(state, { tex: null });
  assert.deepEqual(rowIds(html), ['y1', 'y2', 'y3', 'group b/#branches'], 'the path, then one folded row for the other branch');
  assert.match(html, /aria-label="1 other branch, off the answer&#39;s path"|aria-label="1 other branch, off the answer's path"/);
  assert.match(html, /class="row thought accepted small on-path answer-step"/);
  assert.doesNotMatch(html, /3 \+ 3 = 6/, 'the other branch stays folded');
  const s = state.searches.b;
  assert.deepEqual(groupsHiding(s, 'x3'), ['b/#branches'], "a thought deep in the other branch is behind its root's branch group");
  assert.deepEqual(groupsHiding(s, 'y3'), []);
  const opened = renderPanel(toggleGroup(state, 'b/#branches'), { tex: null });
  assert.deepEqual(rowIds(opened), ['y1', 'y2', 'y3', 'group b/#branches', 'x1', 'x2', 'x3']);
  // While the search runs there is no path yet: the tree shows every branch.
  const running = renderPanel(reduceAll(twoBranches().slice(0, -1)), { tex: null });
  assert.deepEqual(rowIds(running), ['x1', 'x2', 'x3', 'y1', 'y2', 'y3']);
});

test('a rerun of the same problem takes its tab; stopped, it keeps showing the last finished answer', () => {
  const first = reduceAll(smallTrace('a'));
  const rerun = trace('b', [
    {
      type: 'search.started',
      problem: 'Start with 7.  Add 5. What is $7+5$?',
      mode: 'solve',
      method: 'specsearch',
      algorithm: 'beam',
      settings: DEFAULT_SEARCH,
    },
    { type: 'step.started', depth: 1 },
    { type: 'search.failed', error: { code: 'cancelled', message: 'The search was cancelled.' }, partial: true, stats },
  ]);
  const state = reduceAll(rerun, first);
  assert.deepEqual(state.order, ['b'], 'one tab for the problem');
  assert.equal(state.searches.a, undefined);
  assert.equal(state.replaced.a, 'b');
  assert.equal(reduce(state, { ...smallTrace('a')[1] }), state, 'late events of the replaced search are ignored');
  assert.deepEqual(state.searches.b.earlier && { answer: state.searches.b.earlier.answer, verified: state.searches.b.earlier.verified }, {
    answer: '12',
    verified: true,
  });
  const html = renderPanel(state, { tex: null });
  assert.match(html, /class="status failed stopped">stopped</);
  assert.match(
    html,
    /aria-label="Last answer"[^>]*>.*Last answer \(specsearch\): <b class="value">12<\/b> <span class="dim">✓ verified · confidence 0\.91<\/span>/s,
  );
  // While running the earlier answer shows too; another method gets its own tab, and still knows the answer.
  const other = reduceAll(
    trace('c', [
      { type: 'search.started', problem: 'Start with 7. Add 5. What is $7+5$?', mode: 'solve', method: 'large', algorithm: 'beam', settings: DEFAULT_SEARCH },
    ]),
    state,
  );
  assert.deepEqual(other.order, ['b', 'c']);
  assert.match(renderPanel(other, { tex: null }), /Last answer \(specsearch\): <b class="value">12</);
});

test('tab icons follow the verdict: ✓ only for a verified answer, ⚠ unverified, and a count of the tabs', () => {
  let state = reduceAll(smallTrace('v', 'Problem one'));
  state = reduceAll(twoBranches('u'), state);
  const tabs = renderPanel(state, { tex: null }).match(/<nav class="tabs"[\s\S]*?<\/nav>/)?.[0] ?? '';
  assert.match(tabs, /aria-label="Recent searches \(2\)"/);
  assert.match(tabs, /data-select="u"[^>]*><span class="codicon codicon-warning"/, 'the unverified answer 1 has a warning icon');
  assert.match(tabs, /data-select="v"[^>]*><span class="codicon codicon-pass"/);
  assert.match(tabs, /<span class="tab-count dim"[^>]*>2<\/span>/);
});

test('identical rewrites merge into one row that names every draft they replace; reference thoughts are not "not judged"', () => {
  const events = trace('m', [
    { type: 'search.started', problem: 'Start with 3. Add 3.', mode: 'solve', method: 'specsearch', algorithm: 'beam', settings: DEFAULT_SEARCH },
    { type: 'step.started', depth: 1 },
    { ...drafted('r', null, 1, '3 + 3 = 6', 'large'), reference: true } as SearchEventBody,
    { type: 'thought.scored', id: 'r', score: 0.9 },
    ...judgedDraft('p', null, 1, '3 + 3 = 6', 0.9, 'accepted', 0.5),
    { type: 'step.started', depth: 2 },
    ...['d1', 'd2', 'd3'].flatMap((id) => judgedDraft(id, 'p', 2, 'The answer is 5.', 0.1, 'rejected', 0.5)),
    ...['c1', 'c2', 'c3'].flatMap((id, i) => [
      {
        type: 'thought.corrected',
        id,
        replaces: `d${i + 1}`,
        parentId: 'p',
        depth: 2,
        text: 'The answer is 6.',
        tokens: 5,
        ms: 5,
        speculative: null,
      } as SearchEventBody,
      { type: 'thought.scored', id, score: 0.95 } as SearchEventBody,
    ]),
    {
      type: 'search.finished',
      answer: '6',
      answerThoughtId: 'c1',
      path: ['p', 'c1'],
      confidence: 0.9,
      calibrated: true,
      threshold: 0.5,
      weakestScore: 0.9,
      basis: 'score',
      verified: true,
      caveat: null,
      stats,
    },
  ]);
  const state = ['m/p#branches', 'm/p', 'm/#branches'].reduce(toggleGroup, reduceAll(events));
  const html = renderPanel(state, { tex: null });
  assert.deepEqual(
    rowIds(html).filter((id) => id.startsWith('c')),
    ['c1', 'c2'],
    'c1 on the path, and c2 and c3 merged into one row',
  );
  assert.match(
    html,
    /data-id="c2"[\s\S]*?×2<\/span><a href="#" class="goto link" data-goto="d2"[^>]*><span class="glyph" aria-hidden="true">↻<\/span> replaces step 2, drafts 2–3</,
  );
  assert.doesNotMatch(html, /data-id="c3"/);
  // The large model's reference thought at the root: never judged, and not "pending" once the search is over.
  assert.match(html, /data-id="r"[^>]*aria-label="[^"]*reference thought[^"]*"/);
  assert.match(html, /class="verdict reference codicon codicon-bookmark" title="reference thought: /);
  assert.doesNotMatch(html, /not judged yet|circle-outline/);
  // The engine says which thoughts are references; the panel does not guess from source and depth.
  const guessed = renderPanel(
    ['m/p#branches', 'm/p', 'm/#branches'].reduce(
      toggleGroup,
      reduceAll(events.map((e) => (e.type === 'thought.drafted' ? { ...e, reference: undefined } : e))),
    ),
    { tex: null },
  );
  assert.doesNotMatch(guessed, /data-id="r"[^>]*aria-label="[^"]*reference thought/);
});

test('the statistics say "1 call", and a legend explains β, the PRM, spare drafts and reference thoughts', () => {
  const html = renderPanel(
    reduceAll(
      trace('s', [
        ...smallTrace('s')
          .slice(0, -1)
          .map(({ searchId: _, t: __, ...body }) => body as SearchEventBody),
        {
          type: 'search.finished',
          answer: '12',
          answerThoughtId: 't4',
          path: ['t3', 't4'],
          confidence: 0.91,
          calibrated: true,
          threshold: 0.5,
          weakestScore: 0.91,
          basis: 'score',
          verified: true,
          caveat: null,
          stats: { ...stats, prm: { ...stats.prm, calls: 1 } },
        },
      ]),
    ),
    { tex: null },
  );
  assert.match(html, /<dt title="The process reward model[^"]*">PRM<\/dt><dd>1 call · /);
  assert.match(html, /<details class="legend">[\s\S]*<dt>β<\/dt>[\s\S]*spare[\s\S]*reference thought/);
});

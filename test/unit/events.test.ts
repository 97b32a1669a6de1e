import test from 'node:test';
import assert from 'node:assert/strict';
import { checkTraceInvariants, validateEvent, type SearchEvent } from '../../src/core/events';
import { StatsRecorder } from '../../src/core/stats';

const stats = new StatsRecorder().snapshot();
const base = { searchId: 's', t: 0 };

test('the validator accepts each event type and names what is wrong', () => {
  assert.deepEqual(validateEvent({ ...base, type: 'thought.scored', id: 't1', score: 0.5 }), []);
  assert.deepEqual(validateEvent({ ...base, type: 'thought.scored', id: 't1', score: 1.5 }), ['thought.scored: score must lie in 0..1']);
  assert.deepEqual(validateEvent({ ...base, type: 'thought.judged', id: 't1', verdict: 'maybe', threshold: 0.5 }), [
    'thought.judged: verdict must be one of accepted, surplus, rejected',
  ]);
  assert.match(validateEvent({ ...base, type: 'nope' })[0], /unknown event type/);
  assert.match(validateEvent({ type: 'step.started', depth: 1 }).join(), /searchId/);
});

test('trace invariants catch judging before scoring, unknown replacements and events after the end', () => {
  const started: SearchEvent = { ...base, type: 'search.started', problem: 'p', mode: 'solve', method: 'specsearch', algorithm: 'beam', settings: {} as never };
  const drafted: SearchEvent = {
    ...base,
    type: 'thought.drafted',
    id: 't1',
    parentId: null,
    depth: 1,
    source: 'small',
    text: 'a',
    tokens: 1,
    ms: 1,
    speculative: null,
  };
  const judged: SearchEvent = { ...base, type: 'thought.judged', id: 't1', verdict: 'accepted', threshold: 0.5 };
  const finished: SearchEvent = {
    ...base,
    type: 'search.finished',
    answer: null,
    answerThoughtId: null,
    path: [],
    confidence: null,
    calibrated: true,
    threshold: 0.5,
    weakestScore: null,
    basis: 'none',
    verified: false,
    caveat: 'The search found no final answer.',
    stats,
  };
  assert.match(checkTraceInvariants([started, drafted, judged, finished]).join(), /t1 judged before it was drafted and scored/);
  const corrected: SearchEvent = {
    ...base,
    type: 'thought.corrected',
    id: 't2',
    replaces: 't9',
    parentId: null,
    depth: 1,
    text: 'b',
    tokens: 1,
    ms: 1,
    speculative: null,
  };
  assert.match(checkTraceInvariants([started, corrected, finished]).join(), /replaces unknown thought t9/);
  assert.match(checkTraceInvariants([started, finished, drafted]).join(), /search\.finished is not the last event/);
  assert.deepEqual(checkTraceInvariants([started, drafted, { ...base, type: 'thought.scored', id: 't1', score: 1 }, judged, finished]), []);
});

test('stats count overlapping calls once: component time is the union of call intervals', () => {
  const s = new StatsRecorder();
  s.recordModel('small', 10, [0, 100], 1, null);
  s.recordModel('small', 10, [50, 150], 1, null);
  s.recordModel('small', 10, [300, 310], 1, { drafted: 4, accepted: 3 });
  s.recordPrm(2, [140, 200], 1);
  const snap = s.snapshot();
  assert.equal(snap.small.ms, 160);
  assert.equal(snap.small.tokens, 30);
  assert.equal(snap.prm.ms, 60);
  assert.equal(snap.modelMs, 210);
  assert.deepEqual(snap.speculative, { drafted: 4, accepted: 3 });
  assert.equal(snap.requests, 4);
});

import test from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/core/solve';
import { checkTraceInvariants, type EventOf, type SearchEvent } from '../../src/core/events';
import { ScriptedModel, ScriptedPrm, countingModel, countingPrm, countingStep, isRightPath, testSettings, trio } from './doubles';

function ofType<T extends SearchEvent['type']>(events: SearchEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

function assertValidTrace(events: SearchEvent[]): void {
  assert.deepEqual(checkTraceInvariants(events), []);
}

test('all drafts accepted: the large model writes only the root reference thought, never a correction', async () => {
  const small = countingModel('small', 3, 0, 1);
  const large = countingModel('large', 3, 0, 2);
  const r = await solve({ problem: 'count to 3', settings: testSettings({ candidatesPerStep: 3, beamWidth: 1 }), models: trio(small, large, countingPrm()) });
  assertValidTrace(r.events);
  assert.equal(r.answer, '3');
  assert.equal(ofType(r.events, 'thought.corrected').length, 0);
  assert.equal(large.calls.length, 1, 'only the root estimate');
  assert.equal(large.calls[0].n, 1);
  // γ·N = 2·3 drafts per node.
  assert.ok(small.calls.every((c) => c.n === 6));
  const judged = ofType(r.events, 'thought.judged');
  assert.ok(judged.length > 0 && judged.every((j) => j.verdict !== 'rejected'));
  assert.equal(r.stats.acceptanceRate, 1);
});

test('counting: accepted drafts were kept, surplus ones passed β but were not needed, the root reference is never judged', async () => {
  const small = countingModel('small', 3, 0, 1);
  const large = countingModel('large', 3, 0, 2);
  const r = await solve({ problem: 'count to 3', settings: testSettings({ candidatesPerStep: 3, beamWidth: 1 }), models: trio(small, large, countingPrm()) });
  const drafted = ofType(r.events, 'thought.drafted');
  const judged = ofType(r.events, 'thought.judged');
  const source = new Map(drafted.map((d) => [d.id, d.source]));
  assert.ok(
    judged.every((j) => source.get(j.id) === 'small'),
    "only the small model's drafts are judged",
  );
  assert.deepEqual(
    drafted.filter((d) => d.reference).map((d) => [d.source, d.depth]),
    [['large', 1]],
    'the event names the one reference thought',
  );
  const s = r.stats;
  assert.equal(s.drafted, drafted.filter((d) => d.source === 'small').length);
  assert.equal(s.accepted + s.surplus + s.rejected, s.drafted, 'every draft has exactly one fate');
  assert.ok(s.accepted <= s.drafted);
  // Root: 6 drafts, N = 3 slots minus the reference → 2 kept, 4 surplus. Depths 2 to 4 (the answer): 3 kept, 3 surplus each.
  assert.deepEqual(
    s.acceptanceByDepth.map((d) => [d.depth, d.judged, d.accepted, d.surplus, d.rejected, d.corrected]),
    [
      [1, 6, 2, 4, 0, 0],
      [2, 6, 3, 3, 0, 0],
      [3, 6, 3, 3, 0, 0],
      [4, 6, 3, 3, 0, 0],
    ],
  );
  assert.equal(s.accepted, judged.filter((j) => j.verdict === 'accepted').length);
});

test('at the root, corrections are not seeded like the reference thought, so they do not copy it', async () => {
  const small = new ScriptedModel('small', (req) => Array.from({ length: req.n }, (_, i) => `wrong${i}`));
  const large = countingModel('large', 2, 0, 4);
  await solve({ problem: 'count to 2', settings: testSettings({ candidatesPerStep: 2, beamWidth: 1 }), models: trio(small, large, countingPrm()) });
  const atRoot = large.calls.filter((c) => c.steps.length === 0);
  assert.equal(atRoot.length, 2, 'the reference thought and one correction');
  assert.notEqual(atRoot[0].seed, atRoot[1].seed);
});

test('some drafts rejected: k < N kept, the large model writes exactly N − k corrections, each replacing a rejected draft', async () => {
  // Per node the small model drafts 6: two right, four wrong.
  const small = new ScriptedModel('small', (req) => {
    const right = countingStep(req.steps, 2);
    return [right, 'x', right, 'y', 'z', 'w'].slice(0, req.n);
  });
  const large = countingModel('large', 2, 0, 3);
  const r = await solve({ problem: 'count to 2', settings: testSettings({ candidatesPerStep: 3, beamWidth: 1 }), models: trio(small, large, countingPrm()) });
  assertValidTrace(r.events);
  assert.equal(r.answer, '2');
  const corrections = ofType(r.events, 'thought.corrected');
  const rejected = new Set(
    ofType(r.events, 'thought.judged')
      .filter((j) => j.verdict === 'rejected')
      .map((j) => j.id),
  );
  // Depth 1 and 2: N − k = 3 − 2 = 1 correction each.
  assert.equal(corrections.length, 2);
  for (const c of corrections) assert.ok(c.replaces !== null && rejected.has(c.replaces), 'correction links a rejected draft');
  const correctionCalls = large.calls.filter((c) => c.steps.length > 0 || c.n > 1);
  assert.ok(
    correctionCalls.every((c) => c.speculative),
    'corrections use token-level speculation',
  );
  assert.equal(r.stats.corrections, 2);
});

test('no draft accepted: the large model writes all N children', async () => {
  const small = new ScriptedModel('small', (req) => Array.from({ length: req.n }, (_, i) => `wrong${i}`));
  const large = countingModel('large', 2, 0, 4);
  const r = await solve({ problem: 'count to 2', settings: testSettings({ candidatesPerStep: 2, beamWidth: 1 }), models: trio(small, large, countingPrm()) });
  assertValidTrace(r.events);
  assert.equal(r.answer, '2');
  const judgedSmall = ofType(r.events, 'thought.judged').filter((j) => ofType(r.events, 'thought.drafted').find((d) => d.id === j.id)?.source === 'small');
  assert.ok(judgedSmall.every((j) => j.verdict === 'rejected'));
  // Root: the reference thought is accepted → 1 correction; depths 2 and 3 (the answer): N = 2 each.
  assert.deepEqual(
    ofType(r.events, 'thought.corrected').map((c) => c.depth),
    [1, 2, 2, 3, 3],
  );
  assert.ok(r.stats.acceptanceRate !== null && r.stats.acceptanceRate < 0.2);
});

test('the threshold starts at 0.9 × the best root reference score, and from depth 1 on follows θ·β + (1 − θ)·max(kept)', async () => {
  const scores = new Map<string, number>([
    ['1', 0.8],
    ['The answer is 1.', 0.5],
  ]);
  const small = new ScriptedModel('small', (req) => Array.from({ length: req.n }, () => countingStep(req.steps, 1)));
  const large = countingModel('large', 1, 0, 5);
  const prm = new ScriptedPrm((steps) => scores.get(steps[steps.length - 1]) ?? 0);
  const r = await solve({
    problem: 'count to 1',
    settings: testSettings({ candidatesPerStep: 2, beamWidth: 1, thresholdDecay: 0.9, initialThresholdFactor: 0.9, thresholdRule: 'paper' }),
    models: trio(small, large, prm),
  });
  assertValidTrace(r.events);
  const thresholds = ofType(r.events, 'threshold.updated').map((e) => e.threshold);
  // β₀ comes from the root's reference (0.8) and holds for the root's children: the same thoughts do not move it twice.
  const beta0 = 0.9 * 0.8;
  assert.ok(Math.abs(thresholds[0] - beta0) < 1e-12);
  assert.ok(Math.abs(thresholds[1] - beta0) < 1e-12);
  // Depth 2 drafts score 0.5 < β₀ = 0.72: all rejected, the large model corrects; then the update.
  const judged2 = ofType(r.events, 'thought.judged').filter(
    (j) => Math.abs(j.threshold - beta0) < 1e-12 && ofType(r.events, 'thought.drafted').find((d) => d.id === j.id)?.depth === 2,
  );
  assert.ok(judged2.length === 4 && judged2.every((j) => j.verdict === 'rejected'));
  assert.ok(Math.abs(thresholds[2] - (0.9 * beta0 + 0.1 * 0.5)) < 1e-12);
});

test('with rootLargeThoughts = N (the paper) the large model writes every child of the root and nothing is drafted there', async () => {
  const small = countingModel('small', 2, 0, 9);
  const large = countingModel('large', 2, 0, 10);
  const r = await solve({
    problem: 'count to 2',
    settings: testSettings({ candidatesPerStep: 2, beamWidth: 1, rootLargeThoughts: 2 }),
    models: trio(small, large, countingPrm()),
  });
  assertValidTrace(r.events);
  assert.equal(r.answer, '2');
  const drafted = ofType(r.events, 'thought.drafted');
  assert.deepEqual(
    drafted.filter((d) => d.depth === 1).map((d) => d.source),
    ['large', 'large'],
  );
  assert.ok(
    small.calls.every((c) => c.steps.length > 0),
    'no draft at the root',
  );
});

test('beam search keeps the B best, breaks ties by drafting order and stops at the depth limit', async () => {
  const large = new ScriptedModel('large', (req) => Array.from({ length: req.n }, (_, i) => `s${req.steps.length + 1}.${i}`));
  const prm = new ScriptedPrm((steps) => (steps[steps.length - 1].endsWith('.1') || steps[steps.length - 1].endsWith('.2') ? 0.7 : 0.3));
  const r = await solve({
    problem: 'never ends',
    settings: testSettings({ method: 'large', candidatesPerStep: 4, beamWidth: 2, maxDepth: 3 }),
    models: trio(large, large, prm),
  });
  assertValidTrace(r.events);
  const beams = ofType(r.events, 'beam.selected');
  assert.equal(beams.length, 3, 'one selection per depth up to maxDepth');
  const drafted = new Map(ofType(r.events, 'thought.drafted').map((d) => [d.id, d.text]));
  // Tied at 0.7: ".1" before ".2" of the first beam.
  assert.deepEqual(
    beams[0].ids.map((id) => drafted.get(id)),
    ['s1.1', 's1.2'],
  );
  assert.equal(r.answer, null, 'no path finished: no answer');
  assert.ok(r.events.at(-1)?.type === 'search.finished');
  assert.equal(r.stats.depth, 3);
});

test('beam search stops once B paths have finished and picks the best finished path', async () => {
  const small = countingModel('small', 2, 0.3, 7);
  const large = countingModel('large', 2, 0, 8);
  const r = await solve({ problem: 'count to 2', settings: testSettings({ candidatesPerStep: 6, beamWidth: 2 }), models: trio(small, large, countingPrm()) });
  assertValidTrace(r.events);
  const finished = ofType(r.events, 'search.finished')[0];
  assert.equal(finished.answer, '2');
  assert.equal(r.stats.depth, 3);
  const drafted = new Map([...ofType(r.events, 'thought.drafted'), ...ofType(r.events, 'thought.corrected')].map((d) => [d.id, d.text]));
  assert.ok(isRightPath(finished.path.map((id) => drafted.get(id) as string)));
});

test('baselines run through the same path: large / sps / small drafts come from one model, with speculation only for sps', async () => {
  for (const method of ['large', 'sps', 'small'] as const) {
    const small = countingModel('small', 2, 0, 9);
    const large = countingModel('large', 2, 0, 10);
    const r = await solve({
      problem: 'count to 2',
      settings: testSettings({ method, candidatesPerStep: 2, beamWidth: 1 }),
      models: trio(small, large, countingPrm()),
    });
    assertValidTrace(r.events);
    assert.equal(r.answer, '2', method);
    const used = method === 'small' ? small : large;
    const unused = method === 'small' ? large : small;
    assert.ok(used.calls.length > 0 && unused.calls.length === 0, method);
    assert.ok(
      used.calls.every((c) => c.speculative === (method === 'sps')),
      method,
    );
    assert.equal(ofType(r.events, 'thought.judged').length, 0, 'baselines judge nothing');
    assert.equal(r.stats.acceptanceRate, null);
  }
});

test('best-of-N grows N independent paths and returns the best finished one', async () => {
  const large = countingModel('large', 3, 0.2, 11);
  const r = await solve({
    problem: 'count to 3',
    settings: testSettings({ method: 'large', algorithm: 'best-of-n', candidatesPerStep: 4 }),
    models: trio(large, large, countingPrm()),
  });
  assertValidTrace(r.events);
  assert.equal(large.calls[0].n, 4);
  assert.ok(
    large.calls.slice(1).every((c) => c.n === 1),
    'after the root each path grows by one thought',
  );
  assert.equal(r.answer, '3');
});

test('cancellation stops the search, emits search.failed with code cancelled and keeps the partial trace', async () => {
  const small = countingModel('small', 50, 0, 12, 30);
  const large = countingModel('large', 50, 0, 13, 30);
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 100);
  const r = await solve({
    problem: 'count to 50',
    settings: testSettings({ maxDepth: 50 }),
    models: trio(small, large, countingPrm()),
    signal: controller.signal,
  });
  assert.ok(Date.now() - started < 1000, 'returns within a second of the abort');
  assertValidTrace(r.events);
  const last = r.events.at(-1);
  assert.equal(last?.type, 'search.failed');
  assert.equal(r.error?.code, 'cancelled');
  assert.ok(ofType(r.events, 'thought.drafted').length > 0, 'partial work kept');
});

test('a model error ends in search.failed with the error and the partial trace', async () => {
  const small = new ScriptedModel('small', (req, call) => {
    if (call === 1)
      throw new (class extends Error {
        code = 'x';
      })('boom');
    return Array.from({ length: req.n }, () => countingStep(req.steps, 5));
  });
  const r = await solve({
    problem: 'count to 5',
    settings: testSettings({ beamWidth: 1 }),
    models: trio(small, countingModel('large', 5, 0, 1), countingPrm()),
  });
  assertValidTrace(r.events);
  assert.equal(r.error?.code, 'internal');
  assert.match(r.error?.message ?? '', /boom/);
});

test('an empty problem fails as a usage error before any model is called', async () => {
  const small = countingModel('small', 1, 0, 1);
  const r = await solve({ problem: '   ', settings: testSettings(), models: trio(small, small, countingPrm()) });
  assert.equal(r.error?.code, 'usage');
  assert.equal(small.calls.length, 0);
  assertValidTrace(r.events);
});

test('identical drafts are scored once, and every copy gets that score', async () => {
  const small = new ScriptedModel('small', (req) => Array.from({ length: req.n }, () => countingStep(req.steps, 1)));
  const large = countingModel('large', 1, 0, 30);
  const prm = countingPrm();
  const r = await solve({ problem: 'count to 1', settings: testSettings({ candidatesPerStep: 3, beamWidth: 1 }), models: trio(small, large, prm) });
  assertValidTrace(r.events);
  // Root: 6 identical drafts + 1 identical reference thought → one path scored; depth 2 likewise.
  assert.equal(prm.scored.length, 2);
  const scores = ofType(r.events, 'thought.scored');
  assert.equal(scores.length, 13, '7 thoughts at the root (6 drafts + the reference), 6 drafts below');
  assert.ok(scores.every((s) => s.score === 0.9));
});

test('a PRM score that is not a number in 0..1 fails the search as a bad response naming the PRM, never as a verdict', async () => {
  for (const bad of [Infinity, -Infinity, NaN, 1.5]) {
    const small = countingModel('small', 2, 0, 1);
    const large = countingModel('large', 2, 0, 2);
    const r = await solve({
      problem: 'count to 2',
      settings: testSettings({ candidatesPerStep: 2, beamWidth: 1 }),
      models: trio(small, large, new ScriptedPrm(() => bad)),
    });
    assert.equal(r.error?.code, 'bad-response', String(bad));
    assert.match(r.error?.message ?? '', /scores must be numbers from 0 to 1/);
    assert.equal(r.answer, null);
    assertValidTrace(r.events);
  }
});

test('a PRM that scores whole paths: drafts are judged on their own score, paths ranked on the path score', async () => {
  // The path went wrong earlier (path score 0.1), but each new thought is as good as the large model's (0.9).
  class PathPrm extends ScriptedPrm {
    override async scoreLast(request: Parameters<ScriptedPrm['scoreLast']>[0]) {
      const r = await super.scoreLast(request);
      return { ...r, scores: r.scores.map(() => 0.1), thoughtScores: r.scores };
    }
  }
  const small = countingModel('small', 2, 0, 1);
  const large = countingModel('large', 2, 0, 2);
  const r = await solve({
    problem: 'count to 2',
    settings: testSettings({ candidatesPerStep: 2, beamWidth: 1 }),
    models: trio(small, large, new PathPrm(() => 0.9)),
  });
  assertValidTrace(r.events);
  assert.equal(r.answer, '2');
  assert.equal(r.stats.corrections, 0, "no draft rejected for the path's low score");
  const scored = ofType(r.events, 'thought.scored');
  assert.ok(scored.every((e) => e.score === 0.1 && e.thoughtScore === 0.9));
});

// In-process models run one search at a time: more in flight queue instead of sharing out the cores.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Gate } from '../../src/core/models/gate';
import { solve } from '../../src/core/solve';
import { countingModel, countingPrm, testSettings } from './doubles';

test('searches on a trio with a search queue run one after another, and a queued one can be cancelled', async () => {
  const small = countingModel('small', 2, 0, 1, 5);
  const large = countingModel('large', 2, 0, 2, 5);
  const models = { small, large, prm: countingPrm(), searches: new Gate(1) };
  const settings = testSettings({ candidatesPerStep: 2, beamWidth: 1 });
  const spans: [number, number][] = [];
  const timed = async (problem: string, signal?: AbortSignal) => {
    let first = -1;
    const r = await solve({
      problem,
      settings,
      models,
      signal,
      onEvent: (e) => {
        if (e.type === 'thought.drafted' && first < 0) first = performance.now();
      },
    });
    spans.push([first, performance.now()]);
    return r;
  };
  const cancel = new AbortController();
  const results = Promise.all([timed('count to 2, a'), timed('count to 2, b'), timed('count to 2, c', cancel.signal)]);
  cancel.abort();
  const [a, b, c] = await results;
  assert.equal(a.answer, '2');
  assert.equal(b.answer, '2');
  assert.equal(c.error?.code, 'cancelled');
  const ran = spans.filter(([first]) => first >= 0).sort((x, y) => x[0] - y[0]);
  assert.equal(ran.length, 2);
  assert.ok(ran[1]![0] >= ran[0]![1] - 1, `the second search started drafting at ${ran[1]![0].toFixed(1)}, the first ended at ${ran[0]![1].toFixed(1)}`);
});

import test from 'node:test';
import assert from 'node:assert/strict';
import { explorationWeight, puct, selectChild } from '../../src/core/search/mcts';
import { rootNode, type ThoughtNode } from '../../src/core/generate/types';
import { solve } from '../../src/core/solve';
import { checkTraceInvariants, type EventOf } from '../../src/core/events';
import { countingModel, countingPrm, testSettings, trio } from './doubles';

function node(score: number): ThoughtNode {
  return { ...rootNode(), id: `n${score}`, depth: 1, score };
}

test('PUCT weight follows AlphaZero: log((1 + N + c_base) / c_base) + c_init', () => {
  assert.equal(explorationWeight(0, 19652, 1.25), Math.log((1 + 19652) / 19652) + 1.25);
  assert.ok(explorationWeight(100000, 19652, 1.25) > explorationWeight(10, 19652, 1.25));
});

test('select prefers the higher value when visits are equal, and explores an unvisited child over a much-visited one', () => {
  const a = { node: node(0.2), visits: 5, valueSum: 1, children: null };
  const b = { node: node(0.9), visits: 5, valueSum: 4.5, children: null };
  const parent = { node: rootNode(), visits: 10, valueSum: 0, children: [a, b] };
  assert.equal(selectChild(parent, 19652, 1.25), b);
  const heavy = { node: node(0.6), visits: 50, valueSum: 30, children: null };
  const fresh = { node: node(0.55), visits: 0, valueSum: 0, children: null };
  const p2 = { node: rootNode(), visits: 50, valueSum: 0, children: [heavy, fresh] };
  assert.ok(puct(fresh, 50, 0.5, 19652, 1.25) > puct(heavy, 50, 0.5, 19652, 1.25));
  assert.equal(selectChild(p2, 19652, 1.25), fresh);
});

test('MCTS expands, backs up and finds the finished path', async () => {
  const small = countingModel('small', 3, 0.3, 21);
  const large = countingModel('large', 3, 0, 22);
  const r = await solve({
    problem: 'count to 3',
    settings: testSettings({ algorithm: 'mcts', candidatesPerStep: 3, beamWidth: 1, mctsIterations: 40 }),
    models: trio(small, large, countingPrm()),
  });
  assert.deepEqual(checkTraceInvariants(r.events), []);
  assert.equal(r.answer, '3');
  const visits = r.events.filter((e): e is EventOf<'mcts.visited'> => e.type === 'mcts.visited');
  assert.ok(visits.length >= 4, 'at least one expansion per depth');
  assert.deepEqual(
    visits.map((v) => v.iteration),
    visits.map((_, i) => i + 1),
  );
  assert.equal(visits[0].path.length, 0, 'the first iteration expands the root');
  assert.ok(Math.max(...visits.map((v) => v.path.length)) >= 3, 'selection walks down to the deepest expanded node');
});

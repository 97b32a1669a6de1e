import test from 'node:test';
import assert from 'node:assert/strict';
import fixture from '../fixtures/tiny/problems-seed-7.json';
import {
  applyOp,
  checkSteps,
  formatStep,
  generateProblems,
  mulberry32,
  obeysTinyGrammar,
  parseTinyProblem,
  plantedErrorSteps,
  prmText,
  solutionSteps,
  type PlantedErrorKind,
} from '../../src/core/tiny/task';

test('mulberry32 matches the reference JS implementation', () => {
  // eslint-disable-next-line
  function ref(a: number) {
    return function () {
      a |= 0;
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  for (const seed of [0, 1, 7, 123456789, 4294967295]) {
    const a = mulberry32(seed);
    const b = ref(seed);
    for (let i = 0; i < 100; i++) assert.equal(a(), b());
  }
  assert.equal(mulberry32(1)(), 0.6270739405881613);
});

test('TS generator reproduces the Python generator (seed 7, first 20)', () => {
  assert.deepEqual(generateProblems(7, 20), fixture);
});

test('every generated problem obeys the grammar and its answer equals evaluating the steps', () => {
  for (const seed of [1, 2, 3, 100, 101]) {
    for (const p of generateProblems(seed, 300)) {
      assert.ok(obeysTinyGrammar(p), p.problem);
      assert.match(p.problem, /^Start with \d+\.( (Add \d+|Subtract \d+|Multiply by [2-5]|Divide by [2-5])\.){2,5} What is the result\?$/);
      const parsed = parseTinyProblem(p.problem);
      assert.ok(parsed);
      assert.deepEqual(parsed, { problem: p.problem, start: p.start, ops: p.ops, answer: p.answer });
      const steps = solutionSteps(p);
      assert.equal(steps.length, p.ops.length + 1);
      let v = p.start;
      for (let i = 0; i < p.ops.length; i++) {
        const m = /^(\d+) ([-+*/]) (\d+): .*\. (\d+) ([-+*/]) (\d+) = (\d+)$/.exec(steps[i]!);
        assert.ok(m, steps[i]);
        assert.equal(Number(m[1]), v);
        v = applyOp(v, m[2] as '+', Number(m[3]));
        assert.equal(Number(m[7]), v);
      }
      assert.equal(steps[steps.length - 1], `The answer is ${v}.`);
      assert.equal(v, p.answer);
      assert.ok(checkSteps(p, steps).every((x) => x));
    }
  }
});

test('ids and seeds', () => {
  const ps = generateProblems(3, 5);
  assert.deepEqual(
    ps.map((p) => p.id),
    ['tiny-3-0', 'tiny-3-1', 'tiny-3-2', 'tiny-3-3', 'tiny-3-4'],
  );
  assert.notDeepEqual(
    generateProblems(1, 5).map((p) => p.problem),
    ps.map((p) => p.problem),
  );
});

test('step format: columns then the equation in normal digit order', () => {
  assert.equal(formatStep(7, '+', 5, 12), '7 + 5: ones 2, tens 1. 7 + 5 = 12');
  assert.equal(formatStep(36, '-', 4, 32), '36 - 4: ones 2, tens 3. 36 - 4 = 32');
  assert.equal(formatStep(99, '*', 4, 396), '99 * 4: ones 6, tens 9, hundreds 3. 99 * 4 = 396');
  assert.equal(formatStep(36, '/', 3, 12), '36 / 3: tens 1, ones 2. 36 / 3 = 12');
  assert.equal(formatStep(12, '/', 3, 4), '12 / 3: tens 0, ones 4. 12 / 3 = 4');
  assert.equal(formatStep(8, '/', 2, 4), '8 / 2: ones 4. 8 / 2 = 4');
  assert.equal(formatStep(5, '-', 5, 0), '5 - 5: ones 0. 5 - 5 = 0');
  const p = parseTinyProblem('Start with 7. Add 5. Multiply by 3. Subtract 4. What is the result?')!;
  assert.equal(p.answer, 32);
  assert.deepEqual(solutionSteps(p), [
    '7 + 5: ones 2, tens 1. 7 + 5 = 12',
    '12 * 3: ones 6, tens 3. 12 * 3 = 36',
    '36 - 4: ones 2, tens 3. 36 - 4 = 32',
    'The answer is 32.',
  ]);
  assert.equal(prmText(p.problem, ['a', 'b']), p.problem + '\n\na @\n\nb @');
  assert.equal(parseTinyProblem('Start with 7. Divide by 2. Add 1. What is the result?'), null);
  assert.equal(parseTinyProblem('What is 2 + 2?'), null);
});

test('planted errors are caught by checkSteps from the first wrong step on', () => {
  const kinds: PlantedErrorKind[] = ['result', 'digit', 'operand', 'operator', 'copy', 'final'];
  const rng = mulberry32(99);
  for (const p of generateProblems(100, 100)) {
    for (const kind of kinds) {
      const { steps, firstWrong } = plantedErrorSteps(p, kind, rng);
      const labels = checkSteps(p, steps);
      assert.equal(labels.length, p.ops.length + 1);
      assert.deepEqual(
        labels,
        labels.map((_, i) => i < firstWrong),
        `${kind} ${steps.join(' | ')}`,
      );
    }
  }
});

// MATH-500 as the bench reads it: references graded right against themselves through extract → grade, and wrong against others.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { benchDataFile, loadDataset, NAMED_DATASETS } from '../../src/core/bench/dataset';
import { extractAnswer } from '../../src/core/answer/extract';
import { answersEquivalent } from '../../src/core/answer/equivalence';

interface MathRow {
  problem: string;
  solution: string;
  answer: string;
  unique_id: string;
}
const rows = fs
  .readFileSync(benchDataFile('math500'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as MathRow);
/** 50 references spread over the file: every tenth row. */
const sample = rows.filter((_, i) => i % 10 === 0);

test('named datasets: math500 and gsm8k load by name, with their licences beside them; files and tiny:SEED:N still work', () => {
  // The bytes openai/prm800k's Git LFS pointer for prm800k/math_splits/test.jsonl names.
  assert.equal(
    crypto
      .createHash('sha256')
      .update(fs.readFileSync(benchDataFile('math500')))
      .digest('hex'),
    '35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132',
  );
  const math = loadDataset('math500');
  assert.equal(math.length, 500);
  assert.equal(math[0].id, 'test/precalculus/807.json', 'MATH rows keep their unique_id');
  assert.equal(math[0].answer, '\\left( 3, \\frac{\\pi}{2} \\right)');
  const gsm = loadDataset('gsm8k', 3);
  assert.equal(gsm.length, 3);
  assert.ok(gsm.every((r) => /^\d+$/.test(r.answer)));
  assert.equal(loadDataset('gsm8k').length, 1319);
  for (const name of Object.keys(NAMED_DATASETS) as (keyof typeof NAMED_DATASETS)[]) {
    const license = benchDataFile(name).replace(/-test\.jsonl$/, '-LICENSE');
    assert.match(fs.readFileSync(license, 'utf8'), /^MIT License/);
  }
  assert.equal(loadDataset(benchDataFile('math500'), 2).length, 2);
  assert.equal(loadDataset('tiny:1000:4').length, 4);
});

test('MATH-500: 50 references round-trip as right through extract → grade, boxed, stated, and in the official solution', () => {
  assert.equal(sample.length, 50);
  for (const r of sample) {
    const boxed = extractAnswer(`Working through it step by step.\n\nSo the final answer is $\\boxed{${r.answer}}$.`);
    assert.ok(boxed !== null && answersEquivalent(r.answer, boxed), `${r.unique_id}: \\boxed{${r.answer}} → ${boxed}`);
    const stated = extractAnswer(`The final answer is $${r.answer}$.`);
    assert.ok(stated !== null && answersEquivalent(r.answer, stated), `${r.unique_id}: "The final answer is $${r.answer}$" → ${stated}`);
    const official = extractAnswer(r.solution);
    assert.ok(official !== null && answersEquivalent(r.answer, official), `${r.unique_id}: the official solution's answer ${official}`);
  }
});

test('MATH-500: the grader tells the 50 references apart (each wrong against the next one that differs)', () => {
  for (let i = 0; i < sample.length; i++) {
    const r = sample[i];
    const other = sample
      .slice(i + 1)
      .concat(sample.slice(0, i))
      .find((o) => o.answer.trim() !== r.answer.trim());
    assert.ok(other);
    assert.equal(answersEquivalent(r.answer, other.answer), false, `${r.unique_id}: ${r.answer} graded equal to ${other.answer}`);
  }
});

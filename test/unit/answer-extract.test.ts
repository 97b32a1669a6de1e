// Tests final-answer extraction from solution texts, including every GSM8K test reference.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractAnswer, extractGsm8kReference, findBoxed } from '../../src/core/answer/extract';
import { gradeRecord } from '../../src/core/answer/grade';

test('boxed with nested braces', () => {
  assert.equal(extractAnswer('So $x = \\boxed{\\frac{1}{\\sqrt{2}}}$.'), '\\frac{1}{\\sqrt{2}}');
  assert.equal(extractAnswer('\\boxed{\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}}'), '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}');
  assert.equal(extractAnswer('\\boxed{\\{1, 2\\}}'), '\\{1, 2\\}');
});

test('the last boxed answer wins', () => {
  assert.equal(extractAnswer('First \\boxed{3}, then corrected: \\boxed{4}.'), '4');
  assert.equal(extractAnswer('\\boxed{2}\nThe answer is 7.'), '2');
});

test('fbox, space form and truncated boxes', () => {
  assert.equal(extractAnswer('Hence \\fbox{12}.'), '12');
  assert.equal(extractAnswer('so the result is $\\boxed 5$'), '5');
  assert.equal(extractAnswer('\\boxed{7} and then \\boxed{\\frac{1}{'), '7');
  assert.deepEqual(findBoxed('\\boxed{a}\\boxed{}\\boxed{b}'), ['a', 'b']);
});

test('"The answer is" forms', () => {
  assert.equal(extractAnswer('Adding up, we get 32 apples.\nThe answer is 32.'), '32');
  assert.equal(extractAnswer('The answer is $\\frac{3}{4}$.'), '\\frac{3}{4}');
  assert.equal(extractAnswer('so the final answer is 3.5.'), '3.5');
  assert.equal(extractAnswer('Final Answer: The final answer is $5$. I hope it is correct.'), '5');
  assert.equal(extractAnswer('The answer is 2. Wait, no. The answer is 3.'), '3');
  assert.equal(extractAnswer('The answer is: **(B)**'), '(B)');
  assert.equal(extractAnswer('Thinking...\nAnswer: 17'), '17');
  assert.equal(extractAnswer('the answer is \\(x^2+1\\)'), 'x^2+1');
});

test('GSM8K #### form and missing answers', () => {
  assert.equal(extractAnswer('She pays 3 + 4 = <<3+4=7>>7 dollars.\n#### 7'), '7');
  assert.equal(extractAnswer('Total\n#### 1,450,000'), '1450000');
  assert.equal(extractAnswer('No final answer in here.'), null);
  assert.equal(extractAnswer(''), null);
  assert.equal(extractGsm8kReference('blah\n#### -3'), '-3');
  assert.equal(extractGsm8kReference('#### $2,125.'), '2125');
  assert.equal(extractAnswer('The final answer is: \\boxed{}'), null);
  assert.equal(extractAnswer('The answer is $18 and she pays $5 more.'), '$18 and she pays $5 more');
});

test('every GSM8K test reference extracts as its integer', () => {
  // Compiled to out/test/unit; the data ships with the repository (bench/data, MIT licence).
  const file = path.resolve(__dirname, '..', '..', '..', 'bench', 'data', 'gsm8k-test.jsonl');
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0);
  assert.ok(lines.length >= 1000, `expected the full GSM8K test set, got ${lines.length} lines`);
  for (const [i, line] of lines.entries()) {
    const record = JSON.parse(line) as { question: string; answer: string };
    const marker = record.answer.lastIndexOf('#### ');
    assert.ok(marker >= 0, `line ${i + 1} has no "#### "`);
    const expected = BigInt(
      record.answer
        .slice(marker + 5)
        .trim()
        .split(',')
        .join(''),
    );
    const got = extractGsm8kReference(record.answer);
    assert.match(got, /^-?\d+$/, `line ${i + 1}: ${got}`);
    assert.equal(BigInt(got), expected, `line ${i + 1}`);
    assert.equal(extractAnswer(record.answer), got, `line ${i + 1} via extractAnswer`);
    assert.equal(gradeRecord({ reference: record.answer, response: record.answer }).equivalent, true, `line ${i + 1}`);
    const offByOne = (expected + 1n).toString();
    assert.equal(gradeRecord({ reference: record.answer, prediction: offByOne }).equivalent, false, `line ${i + 1}`);
  }
});

test('gradeRecord handles both record shapes', () => {
  assert.deepEqual(gradeRecord({ reference: 'Total is\n#### 1,000', prediction: '1000' }), { extracted: '1000', equivalent: true });
  assert.deepEqual(gradeRecord({ reference: '\\frac{1}{2}', prediction: 'The answer is $0.5$.' }), { extracted: '0.5', equivalent: true });
  assert.deepEqual(gradeRecord({ reference: '18', response: 'She makes 9 * 2 = 18.\nThe answer is 18.' }), { extracted: '18', equivalent: true });
  assert.deepEqual(gradeRecord({ reference: '18', response: 'I am not sure.' }), { extracted: null, equivalent: false });
  assert.deepEqual(gradeRecord({ reference: 'so $\\boxed{(1,2)}$', response: 'thus \\boxed{\\left(1, 2\\right)}' }), {
    extracted: '\\left(1, 2\\right)',
    equivalent: true,
  });
  assert.equal(gradeRecord({ reference: 7, prediction: 8 }).equivalent, false);
});

test('gradeRecord rejects records of neither shape', () => {
  assert.throws(() => gradeRecord(null), /reference.*prediction.*response/);
  assert.throws(() => gradeRecord([1, 2]), /an array/);
  assert.throws(() => gradeRecord({ prediction: '3' }), /"reference" must be/);
  assert.throws(() => gradeRecord({ reference: '3', answer: '3' }), /"prediction" or "response" is missing/);
});

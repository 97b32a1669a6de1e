// Tests answer normalisation and equivalence: equal written forms, near misses, and robustness.

import test from 'node:test';
import assert from 'node:assert/strict';
import { answersEquivalent, parseChoice } from '../../src/core/answer/equivalence';
import { normalizeAnswer } from '../../src/core/answer/normalize';

/** Pairs of answers written differently that a grader must accept as the same. */
const EQUAL: Array<[string, string]> = [
  // fractions and decimals
  ['\\frac{1}{2}', '0.5'],
  ['\\frac{1}{2}', '\\dfrac12'],
  ['\\frac{1}{2}', '1/2'],
  ['0.5', '.5'],
  ['\\tfrac{3}{4}', '0.75'],
  ['-\\frac{2}{3}', '\\frac{-2}{3}'],
  ['2.50', '2.5'],
  ['3', '3.0'],
  ['1.5\\times10^{3}', '1500'],
  // percent, degrees, money, units, separators
  ['10\\%', '10'],
  ['5^\\circ', '5'],
  ['30^{\\circ}', '30'],
  ['\\$1,000', '1000'],
  ['1{,}000', '1000'],
  ['12\\text{ cm}^2', '12'],
  ['18 \\text{ dollars}', '18'],
  ['7 inches', '7'],
  ['\\$18.00', '18'],
  // assignments and mixed numbers
  ['x = 3', '3'],
  ['k=-1', '-1'],
  ['12\\frac{3}{5}', '12.6'],
  ['2\\frac{1}{2}', '\\frac{5}{2}'],
  ['3 1/4', '3.25'],
  // radicals and algebraic forms (symbolic layer)
  ['\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}'],
  ['2\\sqrt{2}', '\\sqrt{8}'],
  ['\\sqrt2', '\\sqrt{2}'],
  ['\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt2}'],
  ['x^2+2x+1', '(x+1)^2'],
  ['\\frac{x}{2}', '0.5x'],
  ['2(x-3)', '2x-6'],
  ['\\frac{\\pi}{2}', '\\pi/2'],
  ['3\\sqrt{3}', '\\sqrt{27}'],
  ['\\sqrt[3]{-8}', '-2'],
  ['1+2i', '2i+1'],
  ['y = 2x+3', '3+2x'],
  ['\\frac{1}{2} \\pi r^2', '\\frac{\\pi r^2}{2}'],
  // tuples, intervals, sets, matrices
  ['\\left( 1, 2 \\right)', '(1,2)'],
  ['(\\frac{1}{2}, -3)', '(0.5, -3)'],
  ['[1, 3)', '\\left[1,3\\right)'],
  ['(-\\infty, 2]', '(-\\infty,2]'],
  ['(-\\infty, -1) \\cup (1, \\infty)', '(1,\\infty)\\cup(-\\infty,-1)'],
  ['\\{1, 2\\}', '\\{2,1\\}'],
  ['1, 2, 3', '3,1,2'],
  ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}'],
  ['\\begin{pmatrix} \\frac{1}{2} \\\\ -1 \\end{pmatrix}', '\\begin{pmatrix}0.5\\\\-1\\end{pmatrix}'],
  ['x \\in [2, 5]', '[2,5]'],
  ['2 \\text{ and } 3', '3, 2'],
  // logic answers, choices, names
  ['\\text{(C)}', 'C'],
  ['(B)', 'B'],
  ['B)', '\\text{(B)}'],
  ['\\textbf{(D) }17', 'D'],
  ['Option E', '(E)'],
  ['Yes', 'yes'],
  ['\\text{Yes}', 'YES.'],
  ['True', 'true'],
  ['\\text{Monday}', 'monday'],
  ['the Eiffel Tower', 'Eiffel tower'],
  ['Alice and Bob', 'alice and bob.'],
  ['$\\boxed{4}$', '4'],
  ['x = \\pm 2', '2, -2'],
  ['a=2, b=3', 'b = 3, a = 2'],
  ['18', '18 bananas'],
];

/** Near misses: answers that look alike but are not the same. */
const DIFFERENT: Array<[string, string]> = [
  ['5', '-5'],
  ['\\frac{1}{2}', '-\\frac{1}{2}'],
  ['[1, 3)', '[1, 3]'],
  ['(1, 3)', '[1, 3)'],
  ['(1, 2)', '(2, 1)'],
  ['0.33', '\\frac{1}{3}'],
  ['x+1', 'x-1'],
  ['x^2+2x+1', '(x-1)^2'],
  ['(A)', '(B)'],
  ['\\text{(C)}', 'D'],
  ['yes', 'no'],
  ['True', 'False'],
  ['yes', 'true'],
  ['1000', '100'],
  ['\\$1,000', '10000'],
  ['2\\sqrt{2}', '\\sqrt{2}'],
  ['\\frac{\\sqrt{3}}{3}', '\\sqrt{3}'],
  ['\\sqrt{x^2}', 'x'],
  ['(-\\infty, 2]', '(-\\infty, 2)'],
  ['\\{1, 2\\}', '\\{1, 2, 3\\}'],
  ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{pmatrix}1&3\\\\2&4\\end{pmatrix}'],
  ['Monday', 'Tuesday'],
  ['12\\frac{3}{5}', '12.35'],
  ['10\\%', '1'],
  ['x', 'y'],
  ['2x', 'x^2'],
  ['\\pi', '3.14'],
  ['1+2i', '1-2i'],
  ['(1, 2)', '(1, 2, 3)'],
  ['(-\\infty, -1) \\cup (1, \\infty)', '(-\\infty, -1] \\cup (1, \\infty)'],
  ['a=2, b=3', 'a=3, b=2'],
  ['2', '2 and 3'],
  ['\\frac{5}{0}', '\\frac{6}{0}'],
  ['3 \\pm \\sqrt{2}', '3+\\sqrt{2}'],
  ['1450000', '1450001'],
  ['2^{20}', '1048577'],
  ['12345678901234567890', '12345678901234567891'],
];

for (const [a, b] of EQUAL) {
  test(`equal: ${a}  ≡  ${b}`, () => {
    assert.equal(answersEquivalent(a, b), true);
    assert.equal(answersEquivalent(b, a), true, 'symmetric');
  });
}

for (const [a, b] of DIFFERENT) {
  test(`different: ${a}  ≢  ${b}`, () => {
    assert.equal(answersEquivalent(a, b), false);
    assert.equal(answersEquivalent(b, a), false, 'symmetric');
  });
}

test('there are enough cases', () => {
  assert.ok(EQUAL.length >= 40);
  assert.ok(DIFFERENT.length >= 20);
});

test('normalisation spellings', () => {
  assert.equal(normalizeAnswer('\\left( 1, 2 \\right)'), '(1,2)');
  assert.equal(normalizeAnswer('\\dfrac12'), '\\frac{1}{2}');
  assert.equal(normalizeAnswer('\\$1,000.'), '1000');
  assert.equal(normalizeAnswer('.5'), '0.5');
  assert.equal(normalizeAnswer('12\\frac{3}{5}'), '\\frac{63}{5}');
  assert.equal(normalizeAnswer('\\pi r^2'), '\\pi r^2');
  assert.equal(normalizeAnswer('\\text{Devon}'), 'Devon');
});

test('choice letters', () => {
  for (const form of ['(B)', 'B', '\\text{(B)}', 'B)', 'B.', '(b)', 'choice B', '\\textbf{(B)} 12']) {
    assert.equal(parseChoice(form), 'B', form);
  }
  assert.equal(parseChoice('b'), null);
  assert.equal(parseChoice('(1, 2)'), null);
});

test('bad input gives false, never throws', () => {
  const bad: unknown[] = [null, undefined, {}, [], NaN, '', '   ', '\\frac{', '}}}{{{', '\\boxed{', '(((', '\\begin{pmatrix}'];
  for (const x of bad) {
    assert.equal(answersEquivalent(x as string, '1'), false);
    assert.equal(answersEquivalent('1', x as string), false);
  }
  assert.equal(answersEquivalent('', ''), false);
});

test('pathological input does not hang', () => {
  const start = Date.now();
  const cases: Array<[string, string]> = [
    ['99999!', '100000!'],
    ['\\sum_{n=1}^{10^{9}} n', '5\\cdot 10^{17}'],
    ['10^{10^{10}}', '10^{10^{10}}+1'],
    ['2^{2^{2^{2^{2}}}}', '2^{65536}'],
    ['x^{1000000}', 'x^{999999}'],
    ['('.repeat(200) + 'x' + ')'.repeat(200), 'x+0'],
    [Array.from({ length: 300 }, (_v, i) => `x_{${i}}`).join('+'), 'y'],
    ['1,'.repeat(2000) + '1', '1'],
  ];
  for (const [a, b] of cases) {
    const t = Date.now();
    answersEquivalent(a, b);
    assert.ok(Date.now() - t < 3000, `took ${Date.now() - t} ms on ${a.slice(0, 40)}`);
  }
  assert.ok(Date.now() - start < 10000);
});

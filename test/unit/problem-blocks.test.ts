// The problem-block finder behind the CodeLens: which paragraphs, list items and LaTeX environments count.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { blockAt, findProblemBlocks, isProblemText, languageKind, looksLikeProblem } from '../../src/core/problem-blocks';

const texts = (source: string, kind: 'markdown' | 'plaintext' | 'latex' = 'markdown') => findProblemBlocks(source, kind).map((b) => b.text);

test('a paragraph ending with a question mark is a problem; its range spans its lines', () => {
  const blocks = findProblemBlocks('Intro text.\n\nStart with 7. Add 5.\nWhat is the result?\n\nThanks.', 'markdown');
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0].text, 'Start with 7. Add 5. What is the result?');
  assert.deepEqual(blocks[0].range, { start: { line: 2, character: 0 }, end: { line: 3, character: 19 } });
});

test('cue words count: What is, How many, and sentences starting with Find/Compute/Solve/Prove', () => {
  assert.ok(isProblemText('What is 3 + 4.'));
  assert.ok(isProblemText('how many primes are below 20'));
  assert.ok(isProblemText('Let f(x) = x^2. Find f(3).'));
  assert.ok(isProblemText('Compute the sum of the first 10 odd numbers.'));
  assert.ok(isProblemText('Solve 2x + 3 = 11 for x.'));
  assert.ok(isProblemText('Prove that the square root of 2 is irrational.'));
  assert.ok(!isProblemText('We find that the proof is short.'), 'a lower-case "find" inside a sentence is prose');
  assert.ok(!isProblemText('This chapter introduces groups.'));
  assert.ok(!isProblemText('Why?'), 'too short to be a problem');
});

test('headings, code fences, tables, comments and front matter are never problems', () => {
  const source = [
    '---',
    'title: What is this?',
    '---',
    '# What is a group?',
    '',
    '```python',
    'print("What is 2 + 2?")',
    '',
    'Find x.',
    '```',
    '',
    '| What is | x? |',
    '',
    '<!-- What is hidden?',
    'still hidden -->',
    '',
    '~~~',
    'Compute 1 + 1.',
    '~~~',
    '',
    'What is 6 times 7?',
  ].join('\n');
  assert.deepEqual(texts(source), ['What is 6 times 7?']);
});

test('each list item is its own block, without its marker', () => {
  const source = '1. What is 2 + 3?\n2. Find the derivative of x^2.\n   (Show your work.)\n- A note, not a problem.\n* Compute 7 * 8.';
  assert.deepEqual(texts(source), ['What is 2 + 3?', 'Find the derivative of x^2. (Show your work.)', 'Compute 7 * 8.']);
});

test('plain text: paragraphs only, a "#" line is text', () => {
  assert.deepEqual(texts('# How many apples are left?\n\nJust prose.', 'plaintext'), ['# How many apples are left?']);
});

test('LaTeX: problem environments whatever their wording, comments and commands excluded', () => {
  const source = [
    '\\section{Exercises}',
    '% What is a commented question?',
    '\\begin{problem}[Warm-up]',
    'Let $x = 3$. % a comment',
    'Then $2x + 1$ equals',
    '\\end{problem}',
    '',
    'How many edges does a cube have?',
    '',
    '\\begin{exercise} Compute $\\int_0^1 x\\,dx$. \\end{exercise}',
    '\\begin{theorem}Not a problem.\\end{theorem}',
  ].join('\n');
  const blocks = findProblemBlocks(source, 'latex');
  assert.deepEqual(
    blocks.map((b) => [b.kind, b.text]),
    [
      ['environment', 'Let $x = 3$. Then $2x + 1$ equals'],
      ['paragraph', 'How many edges does a cube have?'],
      ['environment', 'Compute $\\int_0^1 x\\,dx$.'],
    ],
  );
  assert.equal(blocks[0].range.start.line, 2);
  assert.equal(blocks[0].range.end.line, 5);
  assert.equal(blockAt(blocks, 4), blocks[0]);
  assert.equal(blockAt(blocks, 6), undefined);
});

test('an escaped \\% in LaTeX is a percent sign, not a comment', () => {
  assert.deepEqual(texts('What is 50\\% of 80? % ask twice', 'latex'), ['What is 50\\% of 80?']);
});

test('Windows line endings and a 5000-line document', () => {
  assert.deepEqual(texts('What is 1 + 1?\r\n\r\nProse.\r\n'), ['What is 1 + 1?']);
  const big = Array.from({ length: 1000 }, (_, i) => `Paragraph ${i}.\n\nWhat is ${i} + 1?\n\n`).join('');
  const started = performance.now();
  assert.equal(findProblemBlocks(big, 'markdown').length, 1000);
  assert.ok(performance.now() - started < 200);
});

test('selections: anything with a number, formula or question looks like a problem; plain prose does not', () => {
  assert.ok(looksLikeProblem('2x + 3 = 11'));
  assert.ok(looksLikeProblem('Start with 7. Add 5.'));
  assert.ok(!looksLikeProblem('Hello there, dear reader'));
  assert.equal(languageKind('markdown'), 'markdown');
  assert.equal(languageKind('latex'), 'latex');
  assert.equal(languageKind('typescript'), null);
});

test('hover Markdown shows model text as text: no links, HTML or emphasis', async () => {
  const { escapeMarkdown } = await import('../../src/server/lenses');
  assert.equal(
    escapeMarkdown('[click](http://x) <img src=x onerror=alert(1)> **b** 7 + 5 = 12'),
    '\\[click\\](http://x) &lt;img src=x onerror=alert(1)&gt; \\*\\*b\\*\\* 7 + 5 = 12',
  );
  assert.equal(escapeMarkdown('\\frac{1}{2}'), '\\\\frac{1}{2}');
});

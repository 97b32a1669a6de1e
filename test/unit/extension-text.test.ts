// The extension's messages point somewhere: docs pages as addresses that open, picker titles cut at a word.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { clipWords, docsPages, docsUrl } from '../../src/extension/text';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('a docs page a message names opens in the repository package.json declares (the docs are not in the .vsix)', () => {
  const message = 'SpecSearch: no model server answers on this machine. docs/servers.md shows how to start one (see also docs/servers.md, docs/bench.md).';
  assert.deepEqual(docsPages(message), ['docs/servers.md', 'docs/bench.md']);
  const url = docsUrl(pkg.repository, 'docs/servers.md');
  assert.match(url ?? '', /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/blob\/main\/docs\/servers\.md$/);
  assert.ok(fs.existsSync(path.join(ROOT, 'docs', 'servers.md')), 'the page the link names exists in the repository');
  assert.equal(docsUrl({ url: 'git+https://github.com/a/b.git' }, 'docs/x.md'), 'https://github.com/a/b/blob/main/docs/x.md');
  assert.equal(docsUrl(undefined, 'docs/x.md'), null);
  assert.equal(docsUrl('file:///etc/passwd', 'docs/x.md'), null);
});

test('a picker title is cut at a word boundary and says so with an ellipsis', () => {
  const problem = 'Start with 12. Add 30. Multiply by 3. Subtract 26. Divide by 4. Add 17. What is the result?';
  const title = clipWords(problem, 50);
  assert.ok(title.length <= 50, title);
  assert.match(title, /…$/);
  assert.ok(problem.startsWith(title.slice(0, -1)), title);
  assert.match(title.slice(0, -1), /\b\w+$/, 'ends on a whole word');
  assert.equal(clipWords('Short  problem?', 50), 'Short problem?');
});

// A second editor for real: Neovim, headless, with the configuration of docs/neovim.md, solves a problem
// through the language server (the lens under the documented key, the hover, the example's commands).
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, SERVER } from '../lsp/lsp-client';

const DOC = path.join(ROOT, 'docs', 'neovim.md');
const DRIVER = path.join(ROOT, 'test', 'servers', 'fixtures', 'neovim-driver.lua');
const PLACEHOLDER = '/path/to/specsearch/dist/server.js';
const PROBLEM = 'Start with 7. Add 5. Multiply by 3. Subtract 4. What is the result?';
const PROBLEM_LINE = 3; // 1-based, in the file below
const MARKDOWN = `# Homework\n\n${PROBLEM}\n`;
// Model loading and two tiny-model solves take seconds here. The driver bounds each wait (450 s in all,
// for a loaded CI machine) and reports why it stopped; this bound is for a Neovim that hangs anyway.
const NVIM_LIMIT_MS = 480_000;

/** Why this test cannot run here, or null when it can. */
function skipReason(): string | null {
  const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (nvim.error || nvim.status !== 0) return 'nvim is not on PATH (CI installs Debian\'s "neovim" package: apt-get install neovim)';
  const tiny = process.env.SPECSEARCH_MODELS_DIR ? path.resolve(process.env.SPECSEARCH_MODELS_DIR) : path.join(ROOT, 'models', 'tiny');
  const missing = ['small.gguf', 'large.gguf', 'prm.gguf'].filter((f) => !fs.existsSync(path.join(tiny, f)));
  if (missing.length > 0) return `the tiny models ${missing.join(', ')} are not in ${tiny} (they are trained by scripts/tiny)`;
  return null;
}

/** The Lua blocks of docs/neovim.md marked as run by this test, in order. */
function documentedLua(markdown: string): string[] {
  const marked = /^<!-- test\/servers\/neovim\.test\.ts runs [^\n]*-->\n```lua\n([\s\S]*?)\n```$/gm;
  return [...markdown.matchAll(marked)].map((m) => m[1]);
}

interface Report {
  version: string;
  steps: string[];
  error?: string;
  filetype?: string;
  lenses_before?: string[];
  lens_key?: boolean;
  menu?: string[];
  messages: string[];
  answer_message?: string;
  lenses_after?: string[];
  hover?: string;
  notices: string[];
  example_notice?: string;
  printed: string[];
}

const skip = skipReason();
if (skip) console.log(`# Neovim test skipped: ${skip}`);
if (!skip && !fs.existsSync(SERVER)) throw new Error(`${SERVER} is missing: run "node esbuild.mjs" first`);

describe('Neovim with the configuration of docs/neovim.md', { skip: skip ?? false }, () => {
  let dir: string;
  let report: Report;
  let exitCode: number | null;
  let output = '';

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-nvim-'));
    const blocks = documentedLua(fs.readFileSync(DOC, 'utf8'));
    assert.equal(blocks.length, 2, 'docs/neovim.md marks the setup and the example for this test');
    assert.equal(blocks[0].split(PLACEHOLDER).length, 2, `the setup starts the server from ${PLACEHOLDER}`);
    fs.writeFileSync(path.join(dir, 'init.lua'), blocks.join('\n\n').replaceAll(PLACEHOLDER, SERVER));
    fs.writeFileSync(path.join(dir, 'homework.md'), MARKDOWN);
    const reportFile = path.join(dir, 'report.json');
    // Nothing of the user's Neovim (config, plugins, state) takes part; the docs' `node` is this test's node.
    const xdg = Object.fromEntries(['CONFIG', 'DATA', 'STATE', 'CACHE'].map((k) => [`XDG_${k}_HOME`, path.join(dir, k.toLowerCase())]));
    const env = {
      ...process.env,
      ...xdg,
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
      SPECSEARCH_NVIM_REPORT: reportFile,
      SPECSEARCH_NVIM_LINE: String(PROBLEM_LINE),
    };
    const child = spawn(
      'nvim',
      ['--headless', '-n', '-i', 'NONE', '-u', path.join(dir, 'init.lua'), 'homework.md', '-c', `luafile ${DRIVER.replace(/[ \\]/g, '\\$&')}`],
      { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), NVIM_LIMIT_MS);
    exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    clearTimeout(timer);
    report = fs.existsSync(reportFile)
      ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as Report)
      : { version: '?', steps: [], error: `Neovim exited (${exitCode ?? 'killed'}) without a report`, messages: [], notices: [], printed: [] };
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Fails with the driver's reason, Neovim's output and the LSP log when the run did not get to `name`. */
  function reached(name: string): void {
    if (report.steps.includes(name)) return;
    const log = path.join(dir, 'cache', 'nvim', 'lsp.log');
    const lspLog = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-4000) : '(no lsp.log)';
    assert.fail(
      `Neovim ${report.version} did not get to "${name}": ${report.error ?? 'no error reported'}\n--- nvim output\n${output.slice(-4000)}\n--- lsp.log\n${lspLog}`,
    );
  }

  test('the server attaches to the Markdown buffer and puts ▶ Solve and 💡 Explain over the problem', (t) => {
    reached('lenses');
    t.diagnostic(`Neovim ${report.version}; lenses: ${report.lenses_before!.join(' | ')}`);
    assert.equal(report.filetype, 'markdown');
    assert.deepEqual(report.lenses_before, [`${PROBLEM_LINE - 1}:▶ Solve`, `${PROBLEM_LINE - 1}:💡 Explain`].sort());
  });

  test('<leader>ss runs the lens (Neovim asks which of the two), and the server shows the answer 32', (t) => {
    reached('solved');
    t.diagnostic(`menu: ${report.menu?.join(' | ')}; message: ${report.answer_message}`);
    assert.equal(report.lens_key, true, 'the setup maps <leader>ss');
    assert.deepEqual(
      report.menu?.map((m) => m.replace(/ \[specsearch\]$/, '')),
      ['▶ Solve', '💡 Explain'],
    );
    assert.match(report.answer_message ?? '', /^SpecSearch answer: 32 (✓ verified · confidence \d\.\d\d|⚠ unverified · confidence .*, below 0\.5)$/);
  });

  test('afterwards the lens reads the answer and K (hover) shows it', (t) => {
    reached('hover');
    t.diagnostic(`lenses: ${report.lenses_after!.join(' | ')}; hover: ${report.hover!.split('\n')[0]}`);
    const answered = new RegExp(`^${PROBLEM_LINE - 1}:32 (✓ verified|⚠ unverified) · confidence \\S+.* · Solve again$`);
    assert.ok(
      report.lenses_after!.some((l) => answered.test(l)),
      report.lenses_after!.join(' | '),
    );
    assert.match(report.hover!, /SpecSearch answer: 32\b/);
  });

  test("the example's :SpecSearchSolve answers 32 with the live events counted, and :SpecSearchDoctor lists the three models", (t) => {
    reached('example doctor');
    t.diagnostic(`${report.example_notice}; doctor: ${report.printed.join(' | ')}`);
    const m = /^SpecSearch answer: 32 \((\d+) thoughts, [\d.]+ s\)$/.exec(report.example_notice ?? '');
    assert.ok(m, report.example_notice);
    assert.ok(Number(m[1]) > 0, 'specsearch/event notifications reached the handler');
    assert.deepEqual(
      report.printed.map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['✓ small', '✓ large', '✓ prm'],
    );
  });

  test('Neovim quits with exit code 0', () => {
    reached('example doctor');
    assert.equal(exitCode, 0, output.slice(-2000));
  });
});

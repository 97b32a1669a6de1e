import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Compiled to out/test/unit: the sources are three levels up.
const SRC = path.resolve(__dirname, '..', '..', '..', 'src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Modules a file loads at run time: static and dynamic imports and re-exports, not `import type`. */
export function runtimeImports(file: string, text: string): string[] {
  const found: string[] = [];
  const statics = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(statics)) {
    if (m[2]) continue;
    // `import { type A, type B } from` is erased too
    const names = /^\{([^}]*)\}$/.exec(m[3].trim());
    if (
      names &&
      names[1]
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .every((n) => n.startsWith('type '))
    )
      continue;
    found.push(m[4]);
  }
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]);
  return found
    .filter((s) => s.startsWith('.'))
    .map((s) => {
      const base = path.resolve(path.dirname(file), s);
      return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f)) ?? base;
    });
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

const graph = new Map(sources(SRC).map((f) => [f, runtimeImports(f, fs.readFileSync(f, 'utf8'))]));
const rel = (f: string) => path.relative(SRC, f);

test('no module of src/ loads itself through a cycle of run-time imports', () => {
  assert.ok(graph.size > 50, `found ${graph.size} sources under ${SRC}`);
  assert.deepEqual(
    cycles(graph).map((c) => c.map(rel).join(' → ')),
    [],
  );
});

test('the cycle check sees a cycle when there is one', () => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['a']],
  ]);
  assert.deepEqual(cycles(g), [['a', 'b', 'c', 'a']]);
  assert.deepEqual(
    runtimeImports(
      path.join(SRC, 'x.ts'),
      "import type { A } from './core/config';\nimport { type B } from './core/events';\nconst m = await import('./core/solve');",
    ),
    [path.join(SRC, 'core', 'solve.ts')],
  );
});

const IMPORTS_VSCODE = /\bfrom\s*['"]vscode['"]|\b(require|import)\(\s*['"]vscode['"]\s*\)/;
/** `new JudgePrm(`, `new (await import('./judge')).JudgePrm(`, `new CalibratedRewardModel(`… */
const BUILDS_PRM = /\bnew\b[^;\n]*?(Prm|RewardModel)\(/;

test('src/core never imports vscode, and PRM kinds become classes in one place', () => {
  const texts = [...graph.keys()].map((f) => [f, fs.readFileSync(f, 'utf8')] as const);
  for (const [file, text] of texts) {
    if (rel(file).startsWith(`core${path.sep}`)) assert.doesNotMatch(text, IMPORTS_VSCODE, rel(file));
    if (!rel(file).startsWith(path.join('core', 'models', 'prm'))) {
      assert.doesNotMatch(text, BUILDS_PRM, `${rel(file)} builds a PRM itself instead of calling prm/factory.ts`);
    }
  }
  // The patterns see what they look for where it is: the extension imports vscode, the factory builds PRMs.
  const text = (f: string) => texts.find(([file]) => rel(file) === f)?.[1] ?? '';
  assert.match(text(path.join('extension', 'ctx.ts')), IMPORTS_VSCODE);
  assert.match(text(path.join('core', 'models', 'prm', 'factory.ts')), BUILDS_PRM);
  assert.match("const m = require('vscode');", IMPORTS_VSCODE);
});

test('generate/ (how thoughts are written) never imports search/ (which search uses them)', () => {
  const generate = [...graph.keys()].filter((f) => rel(f).startsWith(path.join('core', 'generate') + path.sep));
  assert.ok(generate.length >= 3, `found ${generate.length} files under core/generate`);
  for (const file of generate) {
    // Type imports too: the layering is about what depends on what, not about what survives compilation.
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/\bfrom\s*['"]([^'"]+)['"]/g)) {
      assert.ok(!path.resolve(path.dirname(file), m[1]).startsWith(path.join(SRC, 'core', 'search')), `${rel(file)} imports ${m[1]}`);
    }
  }
});

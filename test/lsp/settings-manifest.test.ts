// The settings VS Code shows (package.json contributes) agree with the engine's schema the server validates with.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  ALGORITHM_INFO,
  ALGORITHMS,
  DEFAULT_MODEL,
  DEFAULT_PRM_KIND,
  DEFAULT_SEARCH,
  METHOD_INFO,
  METHODS,
  parseSettings,
  PRM_KIND_INFO,
  PRM_KINDS,
  PROMPT_TEMPLATES,
  PROVIDERS,
} from '../../src/core/config';
import { PROFILE_NAMES } from '../../src/core/profiles';
import { MAX_PROBLEM_CHARS } from '../../src/core/solve';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const props = pkg.contributes.configuration.properties as Record<string, Record<string, any>>;

test('every search setting is contributed with the engine default, and the enums match', () => {
  for (const [key, value] of Object.entries(DEFAULT_SEARCH)) {
    const p = props[`specsearch.search.${key}`];
    assert.ok(p, `specsearch.search.${key} is contributed`);
    assert.deepEqual(p.default, value, `default of search.${key}`);
    assert.ok(typeof p.markdownDescription === 'string' && p.markdownDescription.length > 0, `search.${key} is described`);
  }
  assert.deepEqual(props['specsearch.search.method'].enum, [...METHODS]);
  assert.deepEqual(props['specsearch.search.algorithm'].enum, [...ALGORITHMS]);
  assert.deepEqual(props['specsearch.profile'].enum, [...PROFILE_NAMES]);
  const model = props['specsearch.models.large'].properties;
  assert.deepEqual(model.provider.enum, [...PROVIDERS]);
  assert.deepEqual(model.promptTemplate.enum, [...PROMPT_TEMPLATES]);
  assert.equal(model.timeoutMs.default, DEFAULT_MODEL.timeoutMs);
  assert.deepEqual(props['specsearch.models.prm'].properties.kind.enum, [...PRM_KINDS]);
});

test('package.json describes each PRM kind, method and algorithm as their one descriptor does, with the one default kind', () => {
  const kind = props['specsearch.models.prm'].properties.kind;
  assert.equal(kind.default, DEFAULT_PRM_KIND);
  assert.deepEqual(
    kind.enumDescriptions,
    PRM_KINDS.map((k) => PRM_KIND_INFO[k].description),
  );
  assert.deepEqual(
    props['specsearch.search.method'].enumDescriptions,
    METHODS.map((m) => METHOD_INFO[m].description),
  );
  assert.deepEqual(
    props['specsearch.search.algorithm'].enumDescriptions,
    ALGORITHMS.map((a) => ALGORITHM_INFO[a].description),
  );
});

test("each PRM kind's own settings are described as that kind's, and no other kind claims them", () => {
  const prm = props['specsearch.models.prm'].properties;
  const owned = PRM_KINDS.flatMap((k) => PRM_KIND_INFO[k].parameters.map((p) => [p, k] as const));
  assert.ok(owned.length >= 3, 'logprob owns stepTag, positiveToken and negativeToken');
  for (const [parameter, kind] of owned) {
    const description = prm[parameter]?.markdownDescription as string | undefined;
    assert.ok(description, `models.prm.${parameter} is described`);
    assert.ok(description.includes(`kind \`${kind}\``), `models.prm.${parameter} says it is kind "${kind}"'s: ${description}`);
  }
  assert.equal(new Set(owned.map(([p]) => p)).size, owned.length, 'one kind per parameter');
});

test('the numeric bounds VS Code enforces are exactly the bounds the engine accepts', () => {
  for (const key of Object.keys(DEFAULT_SEARCH)) {
    const p = props[`specsearch.search.${key}`];
    if (p.type !== 'number' && p.type !== 'integer') continue;
    assert.doesNotThrow(() => parseSettings({ search: { [key]: p.minimum } }, 't'), `search.${key} = ${p.minimum} is accepted`);
    assert.doesNotThrow(() => parseSettings({ search: { [key]: p.maximum } }, 't'), `search.${key} = ${p.maximum} is accepted`);
    assert.throws(() => parseSettings({ search: { [key]: p.minimum - 1 } }, 't'), new RegExp(`search\\.${key}`));
    assert.throws(() => parseSettings({ search: { [key]: p.maximum + 1 } }, 't'), new RegExp(`search\\.${key}`));
  }
});

test('model objects list exactly the fields the engine knows', () => {
  for (const role of ['small', 'large', 'prm']) {
    const fields = Object.keys(props[`specsearch.models.${role}`].properties);
    const raw = Object.fromEntries(fields.map((f) => [f, undefined]));
    assert.doesNotThrow(() => parseSettings({ models: { [role]: raw } }, 't'), `${role}: ${fields.join(', ')}`);
    assert.equal(props[`specsearch.models.${role}`].additionalProperties, false);
  }
});

test('untrusted workspaces: the model settings are restricted', () => {
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, [
    'specsearch.models.small',
    'specsearch.models.large',
    'specsearch.models.prm',
  ]);
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
});

test('commands, menus, keybinding, view and walkthrough media exist', () => {
  const commands = pkg.contributes.commands.map((c: { command: string }) => c.command);
  for (const id of ['solveSelection', 'explainSelection', 'stop', 'openPanel', 'checkModelServers', 'exportTrace', 'rerunWithMethod', 'setApiKey']) {
    assert.ok(commands.includes(`specsearch.${id}`), id);
  }
  const source = fs.readFileSync(path.join(ROOT, 'src', 'extension', 'commands.ts'), 'utf8');
  for (const id of commands) assert.ok(source.includes(`'${id}'`), `${id} has a handler in src/extension/commands.ts`);
  const keys = Object.fromEntries(pkg.contributes.keybindings.map((k: { command: string; key: string }) => [k.command, k.key]));
  assert.deepEqual(keys, { 'specsearch.solveSelection': 'ctrl+alt+s', 'specsearch.explainSelection': 'ctrl+alt+e', 'specsearch.stop': 'ctrl+alt+x' });
  assert.ok(pkg.contributes.menus['editor/context'].every((m: { when: string }) => m.when === 'editorHasSelection'));
  // The context menu says whose commands these are: a "SpecSearch" submenu holding Solve and Explain Selection.
  const submenu = pkg.contributes.menus['editor/context'][0].submenu;
  assert.equal(pkg.contributes.submenus.find((m: { id: string }) => m.id === submenu)?.label, 'SpecSearch');
  assert.deepEqual(
    pkg.contributes.menus[submenu].map((m: { command: string }) => m.command),
    ['specsearch.solveSelection', 'specsearch.explainSelection'],
  );
  for (const step of pkg.contributes.walkthroughs[0].steps) assert.ok(fs.existsSync(path.join(ROOT, step.media.markdown)), step.media.markdown);
  assert.ok(fs.existsSync(path.join(ROOT, pkg.icon)));
  assert.ok(fs.existsSync(path.join(ROOT, pkg.contributes.viewsContainers.activitybar[0].icon)));
  // Never during startup ('*'): once the window has started (onStartupFinished), or when the panel opens.
  // activate() only registers (a few ms; bench/results/activation); the language server starts for a problem document.
  assert.deepEqual(pkg.activationEvents, ['onStartupFinished', 'onView:specsearch.reasoning']);
  const activate = fs.readFileSync(path.join(ROOT, 'src', 'extension', 'ctx.ts'), 'utf8');
  const [from, to] = [activate.indexOf('  activate(): void'), activate.indexOf('  private maybeStartFor')];
  // Both markers must be there: a renamed method would otherwise leave nothing (or the wrong text) to check.
  assert.ok(from >= 0 && to > from, 'src/extension/ctx.ts has activate() followed by maybeStartFor()');
  assert.match(activate.slice(to), /ensureClient|startServer/, 'the check below would see a server start where there is one');
  assert.doesNotMatch(activate.slice(from, to), /ensureClient|startServer/, 'activate() does not start the language server');
});

test('the extension refuses selections over the same limit the engine has', () => {
  const source = fs.readFileSync(path.join(ROOT, 'src', 'extension', 'selection.ts'), 'utf8');
  const m = /MAX_SELECTION_CHARS = ([\d_]+)/.exec(source);
  assert.equal(Number(m![1].replace(/_/g, '')), MAX_PROBLEM_CHARS);
});

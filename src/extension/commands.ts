// Every command as a small function of the context, in one table (ids match package.json contributes).
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { METHODS, type Method, type PrmKind } from '../core/config';
import { configFor } from '../core/server-choice';
import { METHOD_INFO, PRM_KIND_INFO, SERVED_PRM_KINDS } from '../core/settings';
import { answerCheckOf, type SolveResult } from '../core/events';
import { answerLine } from '../core/verdict';
import { formatDoctorReport } from '../core/doctor-text';
import type { SolveBlockArgs } from '../protocol';
import type { Ctx } from './ctx';
import { errorInfoOf, showEngineError, showMessageWithActions } from './errors';
import { workedSolution } from './inline';
import { VIEW_ID } from './panel';
import type { SearchRequest } from './searches';
import { isEnvName } from './secrets';
import { problemFromEditor } from './selection';
import { apiKeyNames, readSettings } from './settings';
import { clipWords } from './text';
import type { Mode } from '../core/models/types';

type Command = (ctx: Ctx, ...args: any[]) => unknown;

async function solveOrExplain(ctx: Ctx, mode: Mode): Promise<void> {
  const problem = await problemFromEditor();
  if (!problem) return;
  await runAndOffer(ctx, { problem: problem.text, mode, anchor: problem.anchor });
}

/** Runs a search; a solved problem offers to put its answer (or the whole solution) into the document. */
async function runAndOffer(ctx: Ctx, request: SearchRequest): Promise<void> {
  const result = await ctx.searches.run(request);
  if (!result || result.error || result.answer === null) return;
  if (request.mode === 'explain' || !request.anchor) {
    vscode.window.setStatusBarMessage(`SpecSearch: ${answerLine(answerCheckOf(result))}`, 5000);
    return;
  }
  // An answer the PRM does not back is not offered for insertion: the warning says why, the panel shows the tree.
  const check = answerCheckOf(result);
  if (!check.verified) {
    const choice = await vscode.window.showWarningMessage(`SpecSearch answer: ${answerLine(check)}. ${check.caveat ?? ''}`, 'Open Panel');
    if (choice === 'Open Panel') ctx.panel.reveal();
    return;
  }
  const choice = await vscode.window.showInformationMessage(`SpecSearch answer: ${answerLine(check)}`, 'Insert Answer', 'Insert Worked Solution', 'Open Panel');
  if (choice === 'Open Panel') ctx.panel.reveal();
  else if (choice) await insertBelow(request.anchor, result, choice === 'Insert Worked Solution');
}

async function insertBelow(anchor: NonNullable<SearchRequest['anchor']>, result: SolveResult, worked: boolean): Promise<void> {
  const document = await vscode.workspace.openTextDocument(anchor.uri);
  const lang = document.languageId;
  const line =
    lang === 'markdown'
      ? `**Answer:** ${result.answer}`
      : lang === 'latex' || lang === 'tex'
        ? `\\textbf{Answer:} ${result.answer}`
        : `Answer: ${result.answer}`;
  const body = worked ? `${workedSolution(result)}\n\n${line}` : line;
  const end = document.lineAt(Math.min(anchor.range.end.line, document.lineCount - 1)).range.end;
  const edit = new vscode.WorkspaceEdit();
  edit.insert(anchor.uri, end, `\n\n${body}`);
  await vscode.workspace.applyEdit(edit);
}

/** Inserts below the problem the search came from (one edit: one undo step); only answers the PRM backs. */
async function insertFromPanel(ctx: Ctx, searchId: unknown, worked: boolean): Promise<void> {
  const entry = ctx.searches.get(pickSearchId(ctx, searchId));
  if (!entry?.result || entry.result.answer === null) return void vscode.window.showInformationMessage('SpecSearch: there is no answer to insert yet.');
  const check = answerCheckOf(entry.result);
  if (!check.verified) return void vscode.window.showWarningMessage(`SpecSearch: the answer ${answerLine(check)} is not inserted. ${check.caveat ?? ''}`);
  const anchor = entry.request.anchor ?? activeAnchor();
  if (!anchor) return void vscode.window.showInformationMessage('SpecSearch: open the document to insert into, and place the cursor where the answer goes.');
  await insertBelow(anchor, entry.result, worked);
}

/** The cursor of the active editor, for searches that did not come from a document. */
function activeAnchor(): SearchRequest['anchor'] {
  const editor = vscode.window.activeTextEditor;
  return editor ? { uri: editor.document.uri, range: new vscode.Range(editor.selection.active, editor.selection.active) } : undefined;
}

function pickSearchId(ctx: Ctx, searchId: unknown): string | undefined {
  return (typeof searchId === 'string' ? ctx.searches.get(searchId) : ctx.searches.latest())?.searchId;
}

/** A language-server request under a cancellable notification; its failure is shown as the engine's error (null). */
function withServerProgress<T>(ctx: Ctx, title: string, call: (token: vscode.CancellationToken) => Promise<T>): Thenable<T | null> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) =>
    call(token).catch((err) => {
      showEngineError(ctx, errorInfoOf(err));
      return null;
    }),
  );
}

export const COMMANDS: Record<string, Command> = {
  'specsearch.solveSelection': (ctx) => solveOrExplain(ctx, 'solve'),
  'specsearch.explainSelection': (ctx) => solveOrExplain(ctx, 'explain'),

  /** The CodeLens over a problem block (arguments built by the server). */
  'specsearch.solveBlock': async (ctx, args: SolveBlockArgs) => {
    const uri = vscode.Uri.parse(args.uri);
    const r = args.range;
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    await runAndOffer(ctx, { problem: args.problem, mode: args.mode, anchor: { uri, range } });
  },

  'specsearch.stop': (ctx, searchId?: string) => {
    if (ctx.searches.stop(typeof searchId === 'string' ? searchId : undefined) === 0)
      void vscode.window.showInformationMessage('SpecSearch: no search is running.');
  },

  /** The walkthrough's first step: a problem the bundled tiny models are trained for, solved in front of you. */
  'specsearch.tryExample': async (ctx) => {
    const problem = 'Start with 7. Add 5. Multiply by 3. Subtract 4. What is the result?';
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: `# A first SpecSearch problem\n\n${problem}\n` });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(2, 0, 2, problem.length);
    await runAndOffer(ctx, { problem, mode: 'solve', anchor: { uri: document.uri, range: editor.selection } });
  },

  'specsearch.openPanel': () => vscode.commands.executeCommand(`${VIEW_ID}.focus`),
  'specsearch.showLog': (ctx) => ctx.output.show(true),

  'specsearch.checkModelServers': async (ctx) => {
    const server = await ctx.ensureClient();
    const report = await withServerProgress(ctx, 'SpecSearch: checking the model servers…', (token) => server.doctor(token));
    if (!report) return;
    ctx.output.appendLine(formatDoctorReport(report, null, { title: 'Model check' }));
    const failed = report.models.filter((m) => !m.ok);
    if (failed.length === 0)
      void showMessageWithActions(
        ctx,
        'info',
        `SpecSearch: all ${report.models.length} models are ready (profile ${report.profile}, checked in ${report.ms} ms).`,
        ['Show Log'],
      );
    else
      void showMessageWithActions(
        ctx,
        'error',
        `SpecSearch: not ready: ${failed.map((m) => `${m.role} (${m.error?.message ?? m.findings.find((f) => f.level === 'error')?.missing ?? 'see the log'})`).join('; ')}`,
        ['Open Settings', 'Set API Key…', 'Show Log'],
      );
  },

  'specsearch.exportTrace': async (ctx, searchId?: string) => {
    const entry = ctx.searches.get(pickSearchId(ctx, searchId));
    if (!entry) return void vscode.window.showInformationMessage('SpecSearch: there is no search to export yet.');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, `specsearch-trace-${entry.searchId}.json`) : undefined,
      filters: { 'SpecSearch trace': ['json'] },
      title: 'Export SpecSearch trace',
    });
    if (!target) return;
    // The SolveResult as the engine returned it; a running search exports its events so far.
    const trace = entry.result ?? {
      searchId: entry.searchId,
      problem: entry.request.problem,
      answer: null,
      events: entry.events,
      stats: null,
      error: null,
      partial: true,
    };
    await fs.writeFile(target.fsPath, JSON.stringify(trace, null, 2) + '\n', 'utf8');
    void vscode.window
      .showInformationMessage(`SpecSearch: trace saved (${entry.events.length} events).`, 'Open')
      .then((c) => c && vscode.window.showTextDocument(target));
  },

  'specsearch.rerunWithMethod': async (ctx, searchId?: string, method?: Method) => {
    const entry = ctx.searches.get(pickSearchId(ctx, searchId));
    if (!entry) return void vscode.window.showInformationMessage('SpecSearch: solve a problem first; then it can be rerun with another method.');
    let chosen: Method | undefined = method && METHODS.includes(method) ? method : undefined;
    if (!chosen) {
      const pick = await vscode.window.showQuickPick(
        METHODS.map((m) => ({ label: m, description: METHOD_INFO[m].description })),
        { title: `SpecSearch: rerun "${clipWords(entry.request.problem, 50)}" with…`, placeHolder: 'method' },
      );
      chosen = pick?.label as Method | undefined;
    }
    if (chosen) await runAndOffer(ctx, { ...entry.request, method: chosen });
  },

  /** Finds the model servers running here and writes specsearch.models.* for the user's choice. */
  'specsearch.findLocalServers': async (ctx) => {
    const server = await ctx.ensureClient();
    const result = await withServerProgress(ctx, 'SpecSearch: looking for model servers on this machine…', (token) => server.discover(token));
    if (!result) return;
    ctx.output.appendLine(
      `Discovery (${result.ms} ms): ${result.servers.map((s) => `${s.baseURL} ${s.kind} [${s.models.join(', ')}]`).join('; ') || 'no server'}; ${result.skipped.map((s) => `${s.baseURL}: ${s.why}`).join('; ')}`,
    );
    if (result.servers.length === 0) {
      return void showMessageWithActions(
        ctx,
        'info',
        'SpecSearch: no model server answers on this machine at the usual ports (vLLM 8000–8003, SGLang 30000–30001, llama-server 8080–8082, Ollama 11434, LM Studio 1234). docs/servers.md shows how to start one.',
        ['Show Log'],
      );
    }
    const items = result.servers.flatMap((s) =>
      s.models.map((model) => ({
        label: model,
        description: `${s.kind}${s.version ? ` ${s.version}` : ''} · ${s.baseURL}`,
        choice: { baseURL: s.baseURL, model },
      })),
    );
    const ask = (role: string, hint: string) =>
      vscode.window.showQuickPick(items, { title: `SpecSearch: which model is the ${role}?`, placeHolder: hint, ignoreFocusOut: true });
    const small = await ask('small model', 'drafts the thoughts: the smaller, faster one');
    if (!small) return;
    const large = await ask('large model', 'writes the corrections: the larger, better one');
    if (!large) return;
    const prm = await ask('process reward model (PRM)', 'scores each thought');
    if (!prm) return;
    const kinds = result.servers.find((s) => s.baseURL === prm.choice.baseURL)?.prmKinds ?? SERVED_PRM_KINDS;
    const kind = await vscode.window.showQuickPick(
      kinds.map((k) => ({ label: k, description: PRM_KIND_INFO[k].description })),
      { title: 'SpecSearch: what kind of PRM is it?', ignoreFocusOut: true },
    );
    if (!kind) return;
    const scope = await vscode.window.showQuickPick(
      [
        { label: 'User Settings', target: vscode.ConfigurationTarget.Global },
        ...(vscode.workspace.workspaceFolders ? [{ label: 'Workspace Settings', target: vscode.ConfigurationTarget.Workspace }] : []),
      ],
      { title: 'SpecSearch: save the models in…', ignoreFocusOut: true },
    );
    if (!scope) return;
    const { config, notes } = configFor({ small: small.choice, large: large.choice, prm: prm.choice, prmKind: kind.label as PrmKind }, result.servers);
    for (const note of notes) ctx.output.appendLine(`Discovery: ${note}`);
    const settings = vscode.workspace.getConfiguration('specsearch');
    for (const role of ['small', 'large', 'prm'] as const) await settings.update(`models.${role}`, config.models[role], scope.target);
    void showMessageWithActions(
      ctx,
      'info',
      `SpecSearch: models saved in your ${scope.label}: small ${small.label}, large ${large.label}, PRM ${prm.label} (${kind.label}).`,
      ['Check Model Servers'],
    );
  },

  'specsearch.copyAnswer': async (ctx, searchId?: string) => {
    const entry = ctx.searches.get(pickSearchId(ctx, searchId));
    const answer = entry?.result?.answer;
    if (!entry || answer == null) return void vscode.window.showInformationMessage('SpecSearch: there is no answer to copy yet.');
    try {
      await vscode.env.clipboard.writeText(answer);
    } catch (err) {
      return void vscode.window.showWarningMessage(`SpecSearch: could not copy to the clipboard (${(err as Error).message}); the answer is ${answer}.`);
    }
    vscode.window.setStatusBarMessage(`SpecSearch: copied the answer ${answerLine(answerCheckOf(entry.result!))}`, 4000);
  },

  'specsearch.insertAnswer': (ctx, searchId?: string) => insertFromPanel(ctx, searchId, false),
  'specsearch.insertWorkedSolution': (ctx, searchId?: string) => insertFromPanel(ctx, searchId, true),

  'specsearch.setApiKey': async (ctx) => {
    const known = [...new Set([...apiKeyNames(readSettings()), ...ctx.secrets.names()])];
    const items = [
      ...known.map((n) => ({ label: n, description: ctx.secrets.names().includes(n) ? 'stored' : 'named in the settings (apiKeyEnv)' })),
      { label: 'Other…', description: 'type a variable name' },
    ];
    let name = (await vscode.window.showQuickPick(items, { title: 'SpecSearch: API key for which apiKeyEnv name?' }))?.label;
    if (name === 'Other…') {
      name = await vscode.window.showInputBox({
        title: 'Environment variable name (the apiKeyEnv of a model)',
        placeHolder: 'OPENAI_API_KEY',
        validateInput: (v) => (isEnvName(v) ? null : 'Letters, digits and _, not starting with a digit.'),
      });
    }
    if (!name) return;
    const key = await vscode.window.showInputBox({
      title: `API key for ${name}`,
      prompt: "Stored in VS Code's secret storage, never in settings. Leave empty to delete it.",
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    if (key === '') await ctx.secrets.delete(name);
    else await ctx.secrets.set(name, key);
    await ctx.restartClient();
    void vscode.window.showInformationMessage(`SpecSearch: API key ${name} ${key === '' ? 'deleted' : 'stored'}; the language server was restarted to use it.`);
  },
};

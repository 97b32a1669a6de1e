// Inline results at the selection: an after-line decoration ("💡 SpecSearch: answer 32 — hover for steps")
// and a hover over the selected range with the worked steps as Markdown.
import * as vscode from 'vscode';
import { answerCheckOf, type SearchEvent, type SolveResult } from '../core/events';
import { acceptanceText, answerLine, verdictText } from '../core/verdict';
import { describeStep, explainTrace } from '../core/explain';
import { findProblemBlocks, languageKind } from '../core/problem-blocks';
import type { Mode } from '../core/models/types';

interface Shown {
  uri: vscode.Uri;
  range: vscode.Range;
  searchId: string;
  mode: Mode;
  text: string;
  hover: vscode.MarkdownString | null;
  /** The server hovers whole problem blocks of Markdown/text/LaTeX itself; two identical hovers help no one. */
  serverHovers: boolean;
}

export class InlineExplanations implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly shown: Shown[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      this.decoration,
      // Explicit schemes: a `{scheme: '*'}` selector never matched in VS Code 1.139 (checked in code-server).
      vscode.languages.registerHoverProvider(
        ['file', 'untitled', 'vscode-remote', 'vscode-vfs'].map((scheme) => ({ scheme })),
        { provideHover: (doc, pos) => this.hover(doc, pos) },
      ),
      vscode.window.onDidChangeVisibleTextEditors(() => this.paint()),
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
    );
  }

  running(anchor: { uri: vscode.Uri; range: vscode.Range }, searchId: string, mode: Mode, problem: string): void {
    this.forget((s) => s.uri.toString() === anchor.uri.toString() && s.range.intersection(anchor.range) !== undefined);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === anchor.uri.toString());
    const kind = document ? languageKind(document.languageId) : null;
    const normalized = problem.replace(/\s+/g, ' ').trim();
    const serverHovers = kind !== null && findProblemBlocks(document!.getText(), kind).some((b) => b.text === normalized);
    this.shown.push({ ...anchor, searchId, mode, text: `⏳ SpecSearch: ${mode === 'explain' ? 'explaining' : 'solving'}…`, hover: null, serverHovers });
    this.paint();
  }

  progress(searchId: string, event: SearchEvent): void {
    const s = this.shown.find((x) => x.searchId === searchId);
    if (!s || event.type !== 'step.started') return;
    s.text = `⏳ SpecSearch: ${s.mode === 'explain' ? 'explaining' : 'solving'}… depth ${event.depth}`;
    this.paint();
  }

  finished(searchId: string, result: SolveResult | null): void {
    const s = this.shown.find((x) => x.searchId === searchId);
    if (!s) return;
    if (!result || (result.error && result.error.code === 'cancelled')) {
      this.forget((x) => x === s);
      return;
    }
    const check = answerCheckOf(result);
    const icon = s.mode === 'explain' && check.verified ? '💡 ' : '';
    const steps = s.mode === 'explain' ? explainTrace(result.events) : [];
    const corrected = steps.filter((x) => x.how === 'corrected').length;
    const story =
      s.mode === 'explain' && steps.length > 0 ? `${steps.length} steps${corrected > 0 ? `, ${corrected} rewritten by the large model` : ''}: ` : '';
    s.text =
      result.answer !== null
        ? `${icon}SpecSearch: ${story}${answerLine(check)} — hover for ${s.mode === 'explain' ? 'the explanation' : check.verified ? 'steps' : 'why'}`
        : `⚠ SpecSearch: no answer${result.error ? ` (${result.error.message})` : ''}`;
    s.hover = stepsMarkdown(result, s.mode);
    this.paint();
  }

  clear(): void {
    this.forget(() => true);
  }

  private forget(test: (s: Shown) => boolean): void {
    for (let i = this.shown.length - 1; i >= 0; i--) if (test(this.shown[i])) this.shown.splice(i, 1);
    this.paint();
  }

  private paint(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const mine = this.shown.filter((s) => s.uri.toString() === editor.document.uri.toString());
      editor.setDecorations(
        this.decoration,
        mine.map((s) => {
          const line = editor.document.lineAt(Math.min(s.range.end.line, editor.document.lineCount - 1));
          return { range: new vscode.Range(line.range.end, line.range.end), renderOptions: { after: { contentText: s.text } } };
        }),
      );
    }
  }

  private hover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | null {
    const s = this.shown.find(
      (x) => x.hover && !x.serverHovers && x.uri.toString() === doc.uri.toString() && (x.range.contains(pos) || pos.line === x.range.end.line),
    );
    return s?.hover ? new vscode.Hover(s.hover, s.range) : null;
  }

  /** Edits inside an explained range drop it (the text changed); edits above move it. */
  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    let changed = false;
    for (const change of e.contentChanges) {
      const delta = change.text.split('\n').length - 1 - (change.range.end.line - change.range.start.line);
      for (let i = this.shown.length - 1; i >= 0; i--) {
        const s = this.shown[i];
        if (s.uri.toString() !== e.document.uri.toString()) continue;
        if (change.range.end.isBefore(s.range.start) && change.range.end.line < s.range.start.line) {
          if (delta !== 0) {
            s.range = new vscode.Range(s.range.start.translate(delta), s.range.end.translate(delta));
            changed = true;
          }
        } else if (!change.range.start.isAfter(s.range.end)) {
          this.shown.splice(i, 1);
          changed = true;
        }
      }
    }
    if (changed) this.paint();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The winning path as numbered Markdown steps; corrections are marked, so the reader sees who wrote what. */
export function stepsMarkdown(result: SolveResult, mode: Mode): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['specsearch.openPanel'] };
  const finished = result.events.find((e) => e.type === 'search.finished');
  const thoughts = new Map<string, { text: string; source: string; corrected: boolean }>();
  for (const e of result.events) {
    if (e.type === 'thought.drafted') thoughts.set(e.id, { text: e.text, source: e.source, corrected: false });
    if (e.type === 'thought.corrected') thoughts.set(e.id, { text: e.text, source: 'large', corrected: true });
  }
  const check = answerCheckOf(result);
  md.appendMarkdown(
    `**SpecSearch ${mode === 'explain' ? 'explanation' : 'solution'}** — answer: **${escapeMd(check.answer ?? '(no answer found)')}** ${escapeMd(verdictText(check))}\n\n`,
  );
  if (!check.verified && check.caveat) md.appendMarkdown(`_${escapeMd(check.caveat)}_\n\n`);
  if (mode === 'explain') {
    // Each step: what it does, who wrote it and why it was kept, what was rejected there and what replaced it.
    for (const step of explainTrace(result.events)) {
      const [plain, ...story] = describeStep(step);
      md.appendMarkdown(`${step.index}. **${escapeMd(plain)}** — ${escapeMd(step.text.replace(/\n+/g, ' '))}  \n${story.map(escapeMd).join(' ')}\n`);
    }
  }
  const path = finished?.type === 'search.finished' && mode !== 'explain' ? finished.path : [];
  path.forEach((id, i) => {
    const t = thoughts.get(id);
    if (!t) return;
    md.appendMarkdown(`${i + 1}. ${escapeMd(t.text.replace(/\n+/g, ' '))} `);
    md.appendMarkdown(`<sub>${t.source}${t.corrected ? ' ↻' : ''}</sub>\n`);
  });
  const rate = result.stats.acceptanceRate;
  md.appendMarkdown(
    `\n${(result.stats.wallMs / 1000).toFixed(1)} s${rate !== null ? ` · ${acceptanceText(rate)}` : ''} · [Open the reasoning panel](command:specsearch.openPanel)`,
  );
  md.supportHtml = true;
  return md;
}

function escapeMd(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+!|<>])/g, '\\$1');
}

/** The worked solution as plain text to insert into a document. */
export function workedSolution(result: SolveResult): string {
  const finished = result.events.find((e) => e.type === 'search.finished');
  const text = new Map<string, string>();
  for (const e of result.events) if (e.type === 'thought.drafted' || e.type === 'thought.corrected') text.set(e.id, e.text);
  const steps = finished?.type === 'search.finished' ? finished.path.map((id) => text.get(id) ?? '') : [];
  return steps.join('\n\n');
}

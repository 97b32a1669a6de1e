// CodeLens "Solve" / "Explain" over problem blocks and a hover with the answer of a block already solved.
import type { CodeLens, Hover, Position, Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { answerCheckOf, type SolveResult } from '../core/events';
import { describeStep, explainTrace, type ExplainedStep } from '../core/explain';
import { answerLine, type VerdictFacts } from '../core/verdict';
import { SOLVE_BLOCK_COMMAND, type SolveBlockArgs } from '../protocol';
import { findProblemBlocks, languageKind, type DocumentKind, type ProblemBlock } from '../core/problem-blocks';
import type { Mode } from '../core/models/types';

interface Solved extends VerdictFacts {
  mode: Mode;
  steps: string[];
  /** Explain mode: each step's story (src/core/explain.ts). */
  explained: ExplainedStep[];
  method: string;
  wallMs: number;
  error: string | null;
}

/**
 * Answers are remembered per document and per block text, so a block keeps its answer while lines
 * above it are edited (its range moves) and loses it once its own text changes.
 */
export class AnswerStore {
  private readonly byDocument = new Map<string, Map<string, Solved>>();

  /**
   * A search that did not finish (stopped, failed) leaves an earlier answer to the same block in place: the
   * last finished answer stays until a new one finishes.
   */
  record(uri: string, problem: string, result: SolveResult, mode: Mode): void {
    let doc = this.byDocument.get(uri);
    if (!doc) this.byDocument.set(uri, (doc = new Map()));
    const key = normalize(problem);
    const finished = result.events.some((e) => e.type === 'search.finished');
    if (!finished && doc.get(key)?.error === null) return;
    const started = result.events.find((e) => e.type === 'search.started');
    const check = answerCheckOf(result);
    doc.set(key, {
      ...check,
      answer: result.answer,
      mode,
      steps: pathSteps(result),
      explained: mode === 'explain' ? explainTrace(result.events) : [],
      method: started?.type === 'search.started' ? started.method : '',
      wallMs: result.stats.wallMs,
      error: result.error ? result.error.message : null,
    });
  }

  lookup(uri: string, problem: string): Solved | undefined {
    return this.byDocument.get(uri)?.get(normalize(problem));
  }

  forget(uri: string): void {
    this.byDocument.delete(uri);
  }
}

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The texts of the thoughts on the winning path, in order (corrections stand in for what they replaced). */
function pathSteps(result: SolveResult): string[] {
  const finished = result.events.find((e) => e.type === 'search.finished');
  if (!finished || finished.type !== 'search.finished') return [];
  const text = new Map<string, string>();
  for (const e of result.events) if (e.type === 'thought.drafted' || e.type === 'thought.corrected') text.set(e.id, e.text);
  return finished.path.map((id) => text.get(id) ?? '');
}

/** Past this a document gets no lenses or hovers: its blocks would take seconds and gigabytes to list. */
export const MAX_LENS_DOCUMENT_CHARS = 2 * 1024 * 1024;
/** The most problem blocks that get lenses in one document (the first ones). */
export const MAX_LENS_BLOCKS = 1000;

function kindOf(document: TextDocument): DocumentKind | null {
  return languageKind(document.languageId) ?? kindFromUri(document.uri);
}

/** Why a document's lenses are cut short (too large, too many problems), for a message; null when they are not. */
export function lensLimit(document: TextDocument, found: number): string | null {
  const name = document.uri.split('/').pop() ?? document.uri;
  if (kindOf(document) !== null && document.getText().length > MAX_LENS_DOCUMENT_CHARS) {
    return `${name} is ${(document.getText().length / (1024 * 1024)).toFixed(1)} MB; Solve and Explain lenses cover documents of up to ${MAX_LENS_DOCUMENT_CHARS / (1024 * 1024)} MB. Select a problem and run Solve Selection instead.`;
  }
  if (found > MAX_LENS_BLOCKS) return `${name} has more than ${MAX_LENS_BLOCKS} problems; Solve and Explain lenses mark the first ${MAX_LENS_BLOCKS}.`;
  return null;
}

/** The problem blocks, up to `limit`; none in a document over MAX_LENS_DOCUMENT_CHARS. */
export function blocksOf(document: TextDocument, limit = MAX_LENS_BLOCKS): ProblemBlock[] {
  const kind = kindOf(document);
  if (!kind || document.getText().length > MAX_LENS_DOCUMENT_CHARS) return [];
  return findProblemBlocks(document.getText(), kind, limit);
}

function kindFromUri(uri: string): DocumentKind | null {
  if (/\.(md|markdown)$/i.test(uri)) return 'markdown';
  if (/\.(tex|latex)$/i.test(uri)) return 'latex';
  if (/\.txt$/i.test(uri)) return 'plaintext';
  return null;
}

/** The lenses of the document's first MAX_LENS_BLOCKS problems, and why they stop short where they do. */
export function codeLenses(document: TextDocument, store: AnswerStore): { lenses: CodeLens[]; limit: string | null } {
  const lenses: CodeLens[] = [];
  const blocks = blocksOf(document, MAX_LENS_BLOCKS + 1);
  for (const block of blocks.slice(0, MAX_LENS_BLOCKS)) {
    const range: Range = { start: block.range.start, end: { line: block.range.start.line, character: 0 } };
    const args = (mode: Mode): SolveBlockArgs => ({ uri: document.uri, range: block.range, mode, problem: block.text });
    const solved = store.lookup(document.uri, block.text);
    const solveTitle = solved?.answer == null ? '▶ Solve' : `${answerLine({ ...solved, answer: clip(solved.answer, 40) })} · Solve again`;
    lenses.push({ range, command: { title: solveTitle, command: SOLVE_BLOCK_COMMAND, arguments: [args('solve')] } });
    lenses.push({ range, command: { title: '💡 Explain', command: SOLVE_BLOCK_COMMAND, arguments: [args('explain')] } });
  }
  return { lenses, limit: lensLimit(document, blocks.length) };
}

export function hover(document: TextDocument, position: Position, store: AnswerStore): Hover | null {
  const block = blocksOf(document, Infinity).find((b) => b.range.start.line <= position.line && position.line <= b.range.end.line);
  if (!block) return null;
  const solved = store.lookup(document.uri, block.text);
  if (!solved) return null;
  const lines = [
    solved.error && solved.answer === null
      ? `**SpecSearch** — no answer: ${escapeMarkdown(solved.error)}`
      : `**SpecSearch answer: ${escapeMarkdown(answerLine(solved))}** · ${escapeMarkdown(solved.method)}, ${(solved.wallMs / 1000).toFixed(1)} s`,
  ];
  if (!solved.verified && solved.caveat) lines.push('', `_${escapeMarkdown(solved.caveat)}_`);
  if (solved.explained.length > 0) {
    for (const step of solved.explained) {
      const [plain, ...story] = describeStep(step);
      lines.push(
        '',
        `${step.index}. **${escapeMarkdown(plain)}** — ${escapeMarkdown(step.text.replace(/\n+/g, ' '))}  `,
        `   ${story.map(escapeMarkdown).join(' ')}`,
      );
    }
  } else if (solved.steps.length > 0) {
    lines.push('', ...solved.steps.map((s, i) => `${i + 1}. ${escapeMarkdown(s.replace(/\n+/g, ' '))}`));
  }
  return { contents: { kind: 'markdown', value: lines.join('\n') }, range: block.range };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Model and server text shown as Markdown: its characters stand for themselves (no links, HTML or emphasis). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]!|<>~&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

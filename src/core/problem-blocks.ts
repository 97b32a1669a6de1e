// Finds the problem blocks of a Markdown, plain-text or LaTeX document (CodeLens targets); pure, no LSP imports.
//
// The rule (documented in docs/extension.md):
// - a block is a paragraph (lines between blank lines) or a list item (a line starting with "-", "*",
//   "+", "1." or "1)" starts a new block);
// - it is a problem when its text ends with "?" or contains "What is"/"How many" (any case), or a
//   sentence starts with Find / Compute / Calculate / Evaluate / Solve / Simplify / Determine / Prove /
//   Show that;
// - excluded: fenced code (``` or ~~~), Markdown headings ("#"), tables ("|"), HTML comments, YAML
//   front matter; in LaTeX, comments ("%") and lines made of one command (\section{…}, \begin{…}, …);
// - LaTeX `\begin{problem}…\end{problem}` (also exercise, question) is a block whatever its wording.

export interface Position {
  line: number;
  character: number;
}

export interface ProblemBlock {
  range: { start: Position; end: Position };
  /** The problem as sent to the engine: list marker and LaTeX comments removed, lines joined. */
  text: string;
  kind: 'paragraph' | 'environment';
}

export type DocumentKind = 'markdown' | 'plaintext' | 'latex';

const MAX_BLOCK_CHARS = 20_000;
const ENVIRONMENTS = ['problem', 'exercise', 'question'];
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,3}[.)])\s+/;
const VERBS = ['Find', 'Compute', 'Calculate', 'Evaluate', 'Solve', 'Simplify', 'Determine', 'Prove', 'Show that'];
const CUE = new RegExp(`(?:^|[.!?:]\\s+)(?:${VERBS.join('|')})\\b`);

/** True when the text reads like a question or an exercise: the test a paragraph must pass to get a CodeLens. */
export function isProblemText(text: string): boolean {
  const t = text.trim();
  if (t.length < 8 || t.length > MAX_BLOCK_CHARS) return false;
  return /\?\s*$/.test(t) || /\b(?:what is|how many)\b/i.test(t) || CUE.test(t);
}

/**
 * A looser test for a selection the user chose on purpose: anything with a number, a formula or a
 * question counts; prose without any of these gets a "does not look like a problem" message.
 */
export function looksLikeProblem(text: string): boolean {
  const t = text.trim();
  return isProblemText(t) || /\d/.test(t) || /[=+\-*/^\\∫∑√<>]/.test(t);
}

export function languageKind(languageId: string): DocumentKind | null {
  if (languageId === 'markdown') return 'markdown';
  if (languageId === 'plaintext') return 'plaintext';
  if (languageId === 'latex' || languageId === 'tex') return 'latex';
  return null;
}

interface Pending {
  start: number;
  end: number;
  lines: string[];
}

/** The problem blocks of `source`, in order; with `limit`, the scan stops once that many are found. */
export function findProblemBlocks(source: string, kind: DocumentKind, limit = Infinity): ProblemBlock[] {
  const lines = source.split(/\r?\n/);
  const blocks: ProblemBlock[] = [];
  let pending: Pending | null = null;
  let fence: string | null = null;
  let inComment = false;
  let environment: { name: string; start: number; lines: string[] } | null = null;

  const flush = () => {
    if (pending) {
      const text = pending.lines.join(' ').replace(/\s+/g, ' ').trim();
      if (isProblemText(text)) blocks.push(block(pending.start, pending.end, lines, text, 'paragraph'));
    }
    pending = null;
  };

  for (let i = 0; i < lines.length && blocks.length < limit; i++) {
    const line = lines[i];
    const trimmed = line.trim();

    if (kind === 'latex' && environment) {
      const end = new RegExp(`\\\\end\\{${environment.name}\\*?\\}`).exec(line);
      if (end) {
        environment.lines.push(line.slice(0, end.index));
        const text = environment.lines.map(stripLatexComment).join(' ').replace(/\s+/g, ' ').trim();
        if (text.length > 0 && text.length <= MAX_BLOCK_CHARS) blocks.push(block(environment.start, i, lines, text, 'environment'));
        environment = null;
      } else environment.lines.push(line);
      continue;
    }
    if (kind === 'latex') {
      const begin = /\\begin\{(problem|exercise|question)(\*?)\}(?:\[[^\]]*\])?/.exec(line);
      if (begin && ENVIRONMENTS.includes(begin[1])) {
        flush();
        environment = { name: begin[1], start: i, lines: [] };
        // The statement may start on the \begin line and even end there.
        const rest = line.slice(begin.index + begin[0].length);
        const sameLineEnd = new RegExp(`\\\\end\\{${begin[1]}\\*?\\}`).exec(rest);
        if (sameLineEnd) {
          const text = stripLatexComment(rest.slice(0, sameLineEnd.index)).replace(/\s+/g, ' ').trim();
          if (text.length > 0) blocks.push(block(i, i, lines, text, 'environment'));
          environment = null;
        } else environment.lines.push(rest);
        continue;
      }
    }

    // Fenced code never holds problems to solve (it is code), whatever its wording.
    if (kind !== 'latex') {
      const fenceMark = /^\s*(```+|~~~+)/.exec(line);
      if (fence !== null) {
        if (fenceMark && fenceMark[1][0] === fence[0] && fenceMark[1].length >= fence.length) fence = null;
        continue;
      }
      if (fenceMark) {
        flush();
        fence = fenceMark[1];
        continue;
      }
    }
    if (kind === 'markdown') {
      if (inComment) {
        if (trimmed.includes('-->')) inComment = false;
        continue;
      }
      if (trimmed.startsWith('<!--')) {
        flush();
        inComment = !trimmed.includes('-->');
        continue;
      }
      if (i === 0 && trimmed === '---') {
        const close = lines.findIndex((l, j) => j > 0 && l.trim() === '---');
        if (close > 0) {
          i = close;
          continue;
        }
      }
      if (/^#{1,6}(\s|$)/.test(trimmed) || trimmed.startsWith('|') || /^(?:-{3,}|\*{3,}|_{3,})$/.test(trimmed)) {
        flush();
        continue;
      }
    }
    if (kind === 'latex' && (trimmed.startsWith('%') || /^\\[a-zA-Z]+\*?(\[[^\]]*\])?(\{[^}]*\})*\s*$/.test(trimmed))) {
      flush();
      continue;
    }
    if (trimmed === '') {
      flush();
      continue;
    }
    const item = kind !== 'latex' ? LIST_ITEM.exec(line) : null;
    if (item) {
      flush();
      pending = { start: i, end: i, lines: [line.slice(item[0].length)] };
      continue;
    }
    const text = kind === 'latex' ? stripLatexComment(line) : line;
    if (pending) {
      pending.end = i;
      pending.lines.push(text);
    } else pending = { start: i, end: i, lines: [text] };
  }
  flush();
  return blocks.slice(0, limit);
}

function stripLatexComment(line: string): string {
  // An unescaped % starts a comment; \% is a percent sign.
  const m = /(^|[^\\])%/.exec(line);
  return m ? line.slice(0, m.index + m[1].length) : line;
}

function block(start: number, end: number, lines: string[], text: string, kind: ProblemBlock['kind']): ProblemBlock {
  return { range: { start: { line: start, character: 0 }, end: { line: end, character: lines[end].length } }, text, kind };
}

/** The block whose lines contain `line`, if any: hover and "solve the block under the cursor" use it. */
export function blockAt(blocks: readonly ProblemBlock[], line: number): ProblemBlock | undefined {
  return blocks.find((b) => b.range.start.line <= line && line <= b.range.end.line);
}

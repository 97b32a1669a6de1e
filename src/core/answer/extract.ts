// Pulls the final answer out of a whole solution text (\boxed, "The answer is", GSM8K "####").

import { matchBrace } from './normalize';

/** Contents of every complete `\boxed{…}` / `\fbox{…}` (and `\boxed 5`), in order of appearance. */
export function findBoxed(text: string): string[] {
  const found: string[] = [];
  const re = /\\(?:boxed|fbox)(?![a-zA-Z])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    let i = m.index + m[0].length;
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text[i] === '{') {
      const close = matchBrace(text, i);
      // A truncated generation can leave the last box open; it holds no usable answer.
      if (close < 0) continue;
      found.push(text.slice(i + 1, close).trim());
      re.lastIndex = close + 1;
    } else if (i > m.index + m[0].length) {
      // `\boxed 5` boxes the next token only.
      const tok = /^[^\s$]+/.exec(text.slice(i));
      if (tok) found.push(tok[0]);
    }
  }
  return found.filter((b) => b.length > 0);
}

const PAIRS: Array<[string, string]> = [
  ['$$', '$$'],
  ['$', '$'],
  ['\\(', '\\)'],
  ['\\[', '\\]'],
  ['**', '**'],
];

/** The answer phrase that follows "the answer is", up to the end of its sentence. */
function answerAfter(rest: string): string | null {
  let s = rest.replace(/^[\s:]+/, '');
  for (const [open, close] of PAIRS) {
    if (s.startsWith(open)) {
      const end = s.indexOf(close, open.length);
      // "$18 and then $5" uses `$` as currency, not as math delimiters.
      const currency = open === '$' && /^\d/.test(s.slice(end + 1));
      if (end > open.length && !currency) {
        const inner = s.slice(open.length, end).trim();
        // Bold markup may wrap math (`**$5$**`); strip the next layer too.
        return open === '**' ? (answerAfter(inner) ?? inner) : inner;
      }
    }
  }
  s = s.split('\n')[0];
  // A period ends the sentence only when followed by space or the end (3.5 keeps its point).
  const stop = /\.(?=\s|$)/.exec(s);
  if (stop) s = s.slice(0, stop.index);
  s = s
    .trim()
    .replace(/^\*\*|\*\*$/g, '')
    .replace(/[.\s]+$/, '')
    .trim();
  return s.length > 0 ? s : null;
}

function stripTrailingPeriod(s: string): string {
  return s.replace(/\s*\.+\s*$/, '').trim();
}

/** A GSM8K-style number: drop `$`, thousands separators and a trailing period. */
function cleanNumber(raw: string): string {
  let s = stripTrailingPeriod(raw.trim()).replace(/\\?\$/g, '').trim();
  if (/^[+-]?[\d,]*\d(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  return s;
}

/**
 * The final answer of a solution text: the last boxed expression, else the last
 * "the (final) answer is X", else GSM8K's `#### X`; null when there is none.
 */
export function extractAnswer(text: string): string | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  const boxed = findBoxed(text);
  if (boxed.length > 0) return boxed[boxed.length - 1];

  const re = /(^|\n)?[ \t*#]*(the\s+)?(final\s+)?answer\s*(?:is|:)\s*:?/gi;
  let last: RegExpExecArray | null = null;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    // Bare "answer is" inside prose is too loose; accept "the/final answer" or a line starting "Answer:".
    if (m[2] !== undefined || m[3] !== undefined || (m[1] !== undefined && /:/.test(m[0]))) last = m;
  }
  if (last) {
    const ans = answerAfter(text.slice(last.index + last[0].length));
    // An empty box after "the answer is" means the model gave none.
    if (ans !== null && !/^\\(?:boxed|fbox)\s*\{\s*\}$/.test(ans)) return stripTrailingPeriod(ans) || null;
  }

  const hash = text.lastIndexOf('####');
  if (hash >= 0) {
    const line = text.slice(hash + 4).split('\n')[0];
    const ans = cleanNumber(line);
    if (ans.length > 0) return ans;
  }
  return null;
}

/** The reference answer of a GSM8K solution: the number after `####`, separators removed. */
export function extractGsm8kReference(answerField: string): string {
  const text = String(answerField ?? '');
  const hash = text.lastIndexOf('####');
  const tail = hash >= 0 ? text.slice(hash + 4).split('\n')[0] : text;
  return cleanNumber(tail);
}

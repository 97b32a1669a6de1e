// Recognises structured answers (tuples, intervals, unions, sets, matrices, lists) in normalised form.

export type Structured =
  /** A tuple or interval: order and the bracket shapes matter. */
  | { kind: 'bracket'; open: string; close: string; items: string[] }
  /** `\{…\}` or a bare comma list: order does not matter. */
  | { kind: 'set'; items: string[] }
  | { kind: 'union'; parts: string[] }
  | { kind: 'matrix'; rows: string[][] };

const OPENERS = '([{';
const CLOSERS = ')]}';
const MAX_ITEMS = 64;

/**
 * Split at `sep` where no bracket is open. Brackets are counted by kind-agnostic depth
 * because half-open intervals such as `[1,3)` pair different shapes.
 */
export function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(start, i));
      i += sep.length - 1;
      start = i + 1;
      continue;
    }
    if (ch === '\\') {
      // `\\` is a row break and `\{` a literal brace: both skip a character, braces still count.
      const next = s[i + 1];
      if (next === '{' || next === '}') depth += next === '{' ? 1 : -1;
      i++;
      continue;
    }
    if (OPENERS.includes(ch)) depth++;
    else if (CLOSERS.includes(ch)) depth--;
  }
  parts.push(s.slice(start));
  return parts;
}

/** True when the bracket at 0 closes only at the very end (so `(1)(2)` is not one group). */
function wrapsWhole(s: string, openLen: number, closeLen: number): boolean {
  let depth = 0;
  const end = s.length - closeLen;
  for (let i = 0; i < end; i++) {
    const ch = s[i];
    if (ch === '\\') {
      const next = s[i + 1];
      if (next === '{' || next === '}') depth += next === '{' ? 1 : -1;
      i++;
    } else if (OPENERS.includes(ch)) depth++;
    else if (CLOSERS.includes(ch)) depth--;
    if (depth === 0 && i >= openLen - 1) return false;
  }
  return depth === 1;
}

function items(inner: string): string[] {
  return splitTopLevel(inner, ',').map((x) => x.trim());
}

/** The structure of a normalised answer, or null for a single value. */
export function parseStructured(s: string): Structured | null {
  const matrix = /^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?([\s\S]*)\\end\{\1\}$/.exec(s);
  if (matrix) {
    const rows = splitTopLevel(matrix[2], '\\\\')
      .map((r) => r.trim())
      .filter((r) => r.length > 0)
      .map((r) => splitTopLevel(r, '&').map((x) => x.trim()));
    return rows.length > 0 ? { kind: 'matrix', rows } : null;
  }
  const union = splitTopLevel(s, '\\cup').map((x) => x.trim());
  if (union.length > 1) return union.every((p) => p.length > 0) ? { kind: 'union', parts: union } : null;
  if (s.startsWith('\\{') && s.endsWith('\\}') && wrapsWhole(s, 2, 2)) {
    const inner = s.slice(2, -2).trim();
    return { kind: 'set', items: inner.length === 0 ? [] : items(inner) };
  }
  if ('(['.includes(s[0] ?? '') && ')]'.includes(s[s.length - 1] ?? '') && wrapsWhole(s, 1, 1)) {
    const list = items(s.slice(1, -1));
    if (list.length >= 2) return { kind: 'bracket', open: s[0], close: s[s.length - 1], items: list };
  }
  const bare = items(s);
  if (bare.length < 2) return null;
  // `a=2,b=3` binds values to names: compare by name, so `b=3,a=2` matches but `a=3,b=2` does not.
  const bound = bare.map((x) => /^([a-zA-Z](?:_\{?\w+\}?)?|\\[a-zA-Z]+)=([^=]+)$/.exec(x));
  if (bound.every((b) => b !== null)) {
    const pairs = bound.map((b) => [b![1], b![2]] as const).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    return { kind: 'bracket', open: `{${pairs.map((p) => p[0]).join(',')}}`, close: '', items: pairs.map((p) => p[1]) };
  }
  return { kind: 'set', items: bare };
}

/** Pair every item of `a` with a distinct equivalent item of `b` (sizes must match). */
function matchUnordered(a: string[], b: string[], eq: (x: string, y: string) => boolean): boolean {
  if (a.length !== b.length || a.length > MAX_ITEMS) return false;
  const used = new Array<boolean>(b.length).fill(false);
  // Exact string matches first, so the greedy pass below rarely pairs wrongly.
  const rest: string[] = [];
  for (const x of a) {
    const j = b.findIndex((y, k) => !used[k] && y === x);
    if (j >= 0) used[j] = true;
    else rest.push(x);
  }
  for (const x of rest) {
    const j = b.findIndex((y, k) => !used[k] && eq(x, y));
    if (j < 0) return false;
    used[j] = true;
  }
  return true;
}

/** Structural equality with `eq` deciding the leaves. */
export function structuresEqual(a: Structured, b: Structured, eq: (x: string, y: string) => boolean): boolean {
  if (a.kind === 'bracket' && b.kind === 'bracket') {
    return (
      a.open === b.open && a.close === b.close && a.items.length === b.items.length && a.items.length <= MAX_ITEMS && a.items.every((x, i) => eq(x, b.items[i]))
    );
  }
  if (a.kind === 'set' && b.kind === 'set') return matchUnordered(a.items, b.items, eq);
  if (a.kind === 'union' && b.kind === 'union') return matchUnordered(a.parts, b.parts, eq);
  if (a.kind === 'matrix' && b.kind === 'matrix') {
    return a.rows.length === b.rows.length && a.rows.every((row, i) => row.length === b.rows[i].length && row.every((x, j) => eq(x, b.rows[i][j])));
  }
  return false;
}

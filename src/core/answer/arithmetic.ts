// The arithmetic a thought states, checked exactly: "100 - 21 = 89" is false whatever any model thinks of
// it. Only plain numeric equations are read (numbers, + − * × / ÷ and parentheses on the left, one number on
// the right); anything with a variable, a unit inside the expression, LaTeX or a chain of equalities that
// goes on is left alone, so the check never flags what it cannot read.

export interface FalseEquation {
  /** The equation as written, e.g. "100 - 21 = 89". */
  text: string;
  /** What the left-hand side comes to, written like the stated result. */
  actual: string;
}

const EXPR_CHARS = /[0-9 +\-*/×÷−()]/;

/** The first false equation in `text`, or null when every equation it can read holds. */
export function falseEquation(text: string): FalseEquation | null {
  for (let eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
    const lhs = leftOperand(text, eq);
    const rhs = /^ *(−|-)?(\d+(?:\.\d+)?)(?![\d.]*\d)/.exec(text.slice(eq + 1));
    if (lhs === null || rhs === null) continue;
    const after = text.slice(eq + 1 + rhs[0].length);
    // "= 12x", "= 3 + 4", "= 5%", "= 5 = …", "=== ", "=>" : not one number standing alone.
    if (/^[\p{L}_^]/u.test(after) || /^ *[=+\-*/×÷−(%^]/.test(after) || /^[=>]/.test(text.slice(eq + 1))) continue;
    const value = evaluate(lhs.expr);
    if (value === null) continue;
    const stated = Number((rhs[1] ? '-' : '') + rhs[2]);
    const decimals = rhs[2]!.includes('.') ? rhs[2]!.split('.')[1]!.length : 0;
    // A stated result rounded to its decimals holds ("22 / 7 = 3.14"); an integer must be exact.
    const tolerance = decimals === 0 ? 1e-9 * Math.max(1, Math.abs(value)) : 0.5 * 10 ** -decimals + 1e-12;
    if (Math.abs(value - stated) <= tolerance) continue;
    const actual = decimals === 0 && Number.isInteger(value) ? String(value) : String(Number(value.toFixed(Math.max(decimals, 4))));
    return { text: `${lhs.expr.trim()} = ${rhs[0].trim()}`, actual };
  }
  return null;
}

/** The plain numeric expression just left of the `=` at `eq`, or null where there is none to read. */
function leftOperand(text: string, eq: number): { expr: string } | null {
  if (text[eq - 1] === '=' || text[eq - 1] === '!' || text[eq - 1] === '<' || text[eq - 1] === '>') return null;
  let i = eq;
  while (i > 0) {
    const c = text[i - 1]!;
    // A decimal point only between digits.
    if (c === '.' && /\d/.test(text[i - 2] ?? '') && /\d/.test(text[i] ?? '')) i--;
    else if (EXPR_CHARS.test(c)) i--;
    else break;
  }
  const before = text[i - 1];
  const expr = text.slice(i, eq);
  if (!/[+\-*/×÷−]/.test(expr.replace(/^\s*[-−]/, ''))) return null;
  if (before === undefined) return { expr };
  // After a sentence's punctuation or a word ("so 5 - 3 = 2"), with a space between: read it. A word of a
  // function or a share ("sqrt 16 + 1", "half of 10 + 2") or a variable ("x + 3", "2x - 1") is not plain
  // arithmetic, nor is anything glued to a unit, backslash, exponent or thousands separator.
  const spaced = /^\s/.test(expr) && /^[\d(]/.test(expr.trim());
  if (/[.,:;!?]/.test(before) && spaced) return { expr };
  if (/\p{L}/u.test(before) && spaced && !/\b(?:sin|cos|tan|log|ln|lg|sqrt|exp|root|of|per)$/i.test(text.slice(0, i).trimEnd())) return { expr };
  if (/[\s\p{L}\p{N}_\\^$=<>≈~.,:;!?'"`]/u.test(before)) return /\s/.test(before) && /^[\d(]/.test(expr.trim()) ? { expr } : null;
  return { expr };
}

/** + − × ÷ with the usual precedence and parentheses; null for anything else (or a division by zero). */
function evaluate(src: string): number | null {
  const tokens = src
    .replace(/×/g, '*')
    .replace(/÷/g, '/')
    .replace(/−/g, '-')
    .match(/\d+(?:\.\d+)?|[+\-*/()]|\S/g);
  if (!tokens) return null;
  let pos = 0;
  const peek = () => tokens[pos];
  const primary = (): number | null => {
    const t = tokens[pos++];
    if (t === undefined) return null;
    if (t === '-') {
      const v = primary();
      return v === null ? null : -v;
    }
    if (t === '(') {
      const v = sum();
      return tokens[pos++] === ')' ? v : null;
    }
    return /^\d/.test(t) ? Number(t) : null;
  };
  const product = (): number | null => {
    let v = primary();
    while (v !== null && (peek() === '*' || peek() === '/')) {
      const op = tokens[pos++];
      const w = primary();
      if (w === null || (op === '/' && w === 0)) return null;
      v = op === '*' ? v * w : v / w;
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (v !== null && (peek() === '+' || peek() === '-')) {
      const op = tokens[pos++];
      const w = product();
      if (w === null) return null;
      v = op === '+' ? v + w : v - w;
    }
    return v;
  };
  const v = sum();
  return v !== null && pos === tokens.length && Number.isFinite(v) ? v : null;
}

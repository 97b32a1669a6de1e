// MATH-style answer normalisation (after the Hendrycks MATH and PRM800K graders) shared by the equivalence layers.

/**
 * Words that only carry a unit. They are dropped when they sit in `\text{}`-like
 * markup next to a value, or trail a number, so `5\text{ cm}^2` grades like `5`.
 */
const UNIT_WORDS = new Set([
  'unit',
  'units',
  'sq',
  'square',
  'cubic',
  'degree',
  'degrees',
  'deg',
  'radian',
  'radians',
  'mm',
  'cm',
  'm',
  'km',
  'meter',
  'meters',
  'metre',
  'metres',
  'centimeter',
  'centimeters',
  'centimetre',
  'centimetres',
  'millimeter',
  'millimeters',
  'kilometer',
  'kilometers',
  'inch',
  'inches',
  'in',
  'foot',
  'feet',
  'ft',
  'yard',
  'yards',
  'yd',
  'mile',
  'miles',
  'mi',
  'mph',
  'dollar',
  'dollars',
  'cent',
  'cents',
  'pound',
  'pounds',
  'lb',
  'lbs',
  'ounce',
  'ounces',
  'oz',
  'gram',
  'grams',
  'g',
  'kg',
  'kilogram',
  'kilograms',
  'liter',
  'liters',
  'litre',
  'litres',
  'ml',
  'gallon',
  'gallons',
  'second',
  'seconds',
  'sec',
  's',
  'minute',
  'minutes',
  'min',
  'hour',
  'hours',
  'hr',
  'hrs',
  'h',
  'day',
  'days',
  'week',
  'weeks',
  'month',
  'months',
  'year',
  'years',
  'yr',
  'yrs',
  'percent',
  'people',
  'persons',
  'students',
  'points',
  'marbles',
  'apples',
  'cookies',
  'eggs',
  'per',
]);

/** Words that join or build answers, so "2 and 3" or "2 pi" must not lose them. */
const MATH_WORDS = new Set([
  'and',
  'or',
  'plus',
  'minus',
  'times',
  'over',
  'pi',
  'sqrt',
  'root',
  'sin',
  'cos',
  'tan',
  'log',
  'ln',
  'infinity',
  'inf',
  'to',
  'through',
  'thru',
  'else',
  'not',
  'no',
  'less',
  'more',
  'than',
]);

/** Single letters in the unit list are too ambiguous to drop when they are not inside markup. */
function isBareUnitWord(w: string): boolean {
  return w.length >= 2 && UNIT_WORDS.has(w.toLowerCase()) && w !== 'per';
}

const TEXT_MACROS = /\\(?:text|textbf|textit|textrm|textnormal|textsf|texttt|mbox|mathrm|mathbf|mathit|mathsf|boldsymbol|emph)\s*\{/;

/** Index of the brace that closes the one at `open`, or -1 when unbalanced. */
export function matchBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    } // `\{` and `\}` are literal braces, not grouping
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function isUnitPhrase(content: string): boolean {
  const words = content
    .replace(/\^\{?\d\}?/g, ' ')
    .split(/[\s.\/()-]+/)
    .filter((w) => w.length > 0);
  return words.length > 0 && words.every((w) => UNIT_WORDS.has(w.toLowerCase()));
}

/**
 * Replace text macros by their content, except unit-only content beside a value,
 * which is removed together with a following `^2`/`^3` (so `\text{ cm}^2` disappears).
 */
export function unwrapTextMacros(input: string): string {
  let s = input;
  for (let guard = 0; guard < 50; guard++) {
    const m = TEXT_MACROS.exec(s);
    if (!m) break;
    const open = m.index + m[0].length - 1;
    const close = matchBrace(s, open);
    if (close < 0) {
      s = s.slice(0, m.index) + s.slice(open + 1);
      continue;
    }
    const content = s.slice(open + 1, close);
    let rest = s.slice(close + 1);
    const outside = (s.slice(0, m.index) + rest).replace(/[\s{}$]/g, '');
    if (/^\s*(?:and|or)\s*$/i.test(content)) {
      // `2 \text{ and } 3` lists two answers; a comma lets the list layer see them.
      s = s.slice(0, m.index) + ',' + rest;
    } else if (outside.length > 0 && isUnitPhrase(content)) {
      rest = rest.replace(/^\s*\^\s*\{?\s*[23]\s*\}?/, '');
      s = s.slice(0, m.index) + ' ' + rest;
    } else {
      s = s.slice(0, m.index) + content + rest;
    }
  }
  return s;
}

/** Drop `$…$`, `\(…\)`, `\[…\]` and a whole-answer `\boxed{…}` around an answer. */
export function stripDelimiters(input: string): string {
  let s = input.trim();
  for (let guard = 0; guard < 10; guard++) {
    const before = s;
    const boxed = /^\\(?:boxed|fbox)\s*\{/.exec(s);
    if (boxed) {
      const close = matchBrace(s, boxed[0].length - 1);
      if (close === s.length - 1) s = s.slice(boxed[0].length, -1).trim();
    }
    if (/^\$\$[\s\S]*\$\$$/.test(s) && s.length >= 4) s = s.slice(2, -2).trim();
    else if (/^\$[\s\S]*\$$/.test(s) && s.length >= 2) s = s.slice(1, -1).trim();
    if (/^\\\([\s\S]*\\\)$/.test(s) || /^\\\[[\s\S]*\\\]$/.test(s)) s = s.slice(2, -2).trim();
    if (s === before) break;
  }
  return s;
}

/** Replace unicode math symbols that models emit by their LaTeX spelling. */
function asciiMath(s: string): string {
  return s
    .replace(/[\u2212\u2013\u2014]/g, '-')
    .replace(/\u00d7/g, '\\times ')
    .replace(/\u00b7|\u22c5/g, '\\cdot ')
    .replace(/\u03c0/g, '\\pi ')
    .replace(/\u221e/g, '\\infty ')
    .replace(/\u2264/g, '\\leq ')
    .replace(/\u2265/g, '\\geq ')
    .replace(/\u221a/g, '\\sqrt')
    .replace(/\u00a0/g, ' ');
}

function fixFracsAndRoots(input: string): string {
  let s = input;
  // `\frac12`, `\frac1{2}`, `\frac{1}2` and `\sqrt2` are legal LaTeX shorthands for braced arguments.
  s = s.replace(/\\frac\s*([0-9a-zA-Z])\s*([0-9a-zA-Z])/g, '\\frac{$1}{$2}');
  s = s.replace(/\\frac\s*([0-9a-zA-Z])\s*\{/g, '\\frac{$1}{');
  s = s.replace(/\\frac\s*(\{[^{}]*\})\s*([0-9a-zA-Z])/g, '\\frac$1{$2}');
  s = s.replace(/\\sqrt\s*([0-9a-zA-Z])/g, '\\sqrt{$1}');
  return s;
}

/** Integer part, numerator and denominator of a proper mixed number → improper fraction. */
function mixedToImproper(sign: string, whole: string, num: string, den: string): string | null {
  const w = Number(whole),
    n = Number(num),
    d = Number(den);
  if (!Number.isSafeInteger(w * d + n) || d === 0 || n >= d) return null;
  return `${sign}\\frac{${w * d + n}}{${d}}`;
}

/** Normalise decimals so `.5`, `0.5` and `0.50` share one spelling. */
function normalizeDecimals(s: string): string {
  return s
    .replace(/(^|[^\d.])\.(\d)/g, '$10.$2')
    .replace(/(\d)\.(\d*?)0+(?!\d)/g, (_m, a: string, b: string) => (b.length > 0 ? `${a}.${b}` : a))
    .replace(/(\d)\.(?![\d])/g, '$1');
}

/**
 * Canonical string form of a MATH-style answer. Two answers with equal normal forms are
 * equivalent; unequal forms go on to the numeric, structural and symbolic layers.
 */
export function normalizeAnswer(answer: string): string {
  let s = asciiMath(stripDelimiters(String(answer)));
  // Row breaks `\\` must survive the escaped-space and spacing rules below.
  s = s.replace(/\n/g, ' ').replace(/\\\\/g, '\u0001');
  s = s.replace(/\\(?:displaystyle|textstyle)/g, '');
  s = s.replace(/\\(?:left|right)\.(?![a-zA-Z])/g, '');
  s = s.replace(/\\(?:left|right)(?![a-zA-Z])/g, '');
  s = s.replace(/\\(?:big|Big|bigg|Bigg)[lr]?(?![a-zA-Z])/g, '');
  s = s.replace(/\\[!,;:](?![a-zA-Z])/g, '');
  s = s.replace(/\\(?:quad|qquad)(?![a-zA-Z])|\\ |~/g, ' ');
  s = s.replace(/\\[dtc]frac(?![a-zA-Z])/g, '\\frac');
  s = s.replace(/\\(?:le)(?![a-zA-Z])/g, '\\leq').replace(/\\(?:ge)(?![a-zA-Z])/g, '\\geq');
  s = s.replace(/\\(?:ne)(?![a-zA-Z])/g, '\\neq');
  s = s.replace(/\\varnothing/g, '\\emptyset');
  // Degree marks are decoration in MATH answers: `30^\circ` grades like `30`.
  s = s.replace(/\^\s*\{?\s*\\circ\s*\}?/g, '').replace(/\^\s*\{?\s*\\degree\s*\}?/g, '');
  s = s.replace(/\\degree(?![a-zA-Z])|\u00b0/g, '');
  s = s.replace(/\\%|%/g, '').replace(/\\\$|\$/g, '');
  s = unwrapTextMacros(s);
  s = s.replace(/(\d)\{,\}(?=\d)/g, '$1');
  s = s.trim().replace(/[.\s]+$/, '');
  // Units written as bare words after a number ("12 inches", "5 square feet").
  for (let guard = 0; guard < 5; guard++) {
    const m = /^(.*[\d}).])\s+([a-zA-Z]+)(\^\{?[23]\}?)?$/.exec(s);
    if (!m || !isBareUnitWord(m[2])) break;
    s = m[1].trim();
  }
  // A lone number followed by nouns ("18 bananas per day") is that number, as GSM8K graders read it.
  const counted = /^([+-]?\d[\d,]*(?:\.\d+)?)\s+([a-zA-Z][a-zA-Z\s'-]*)$/.exec(s);
  if (counted && counted[2].split(/[\s'-]+/).every((w) => w === '' || (w.length >= 2 && !MATH_WORDS.has(w.toLowerCase())))) {
    s = counted[1];
  }
  // A single-variable assignment (`x = 3`, `k=-1`, `\theta = 30`) keeps only the value.
  const assign = /^\s*([a-zA-Z](?:_\{?[a-zA-Z0-9]+\}?)?|\\[a-zA-Z]+)\s*(?:=|\\in(?![a-zA-Z]))\s*([\s\S]+)$/.exec(s);
  if (assign && !/=/.test(assign[2])) s = assign[2];
  s = s.replace(/^\+\s*/, '').replace(/^\s*\+\\infty/, '\\infty');
  // "12 3/5" is a mixed number; it must be read before spaces vanish.
  const spacedMixed = /^\s*(-?)(\d+)\s+(\d+)\s*\/\s*(\d+)\s*$/.exec(s);
  if (spacedMixed) s = mixedToImproper(spacedMixed[1], spacedMixed[2], spacedMixed[3], spacedMixed[4]) ?? s;
  s = fixFracsAndRoots(s);
  // Spaces carry no meaning except between a command and a following letter (`\pi r`).
  s = s
    .replace(/(\\[a-zA-Z]+)\s+(?=[a-zA-Z])/g, '$1\u0000')
    .replace(/\s+/g, '')
    .replace(/\u0000/g, ' ');
  s = fixFracsAndRoots(s);
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  const mixed = /^(-?)(\d+)\\frac\{(\d+)\}\{(\d+)\}$/.exec(s);
  if (mixed) s = mixedToImproper(mixed[1], mixed[2], mixed[3], mixed[4]) ?? s;
  const slash = /^(-?)(\d+)\/(\d+)$/.exec(s);
  if (slash) s = `${slash[1]}\\frac{${slash[2]}}{${slash[3]}}`;
  s = normalizeDecimals(s);
  // A wholly braced answer `{5}` is just `5`.
  while (s.startsWith('{') && matchBrace(s, 0) === s.length - 1) s = s.slice(1, -1);
  s = s.replace(/\.+$/, '');
  return s.replace(/\u0001/g, '\\\\');
}

/**
 * Normal form of a worded answer (a name, a short phrase): case, punctuation, articles
 * and spacing are ignored.
 */
export function normalizeText(answer: string): string {
  let s = unwrapTextMacros(stripDelimiters(String(answer)));
  s = s
    .replace(/\*\*|__/g, '')
    .replace(/\\[a-zA-Z]+/g, ' ')
    .replace(/[{}$]/g, ' ');
  s = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  s = s.replace(/[.,!?;:'"`()\[\]\-_/\\]/g, ' ');
  return s
    .split(/\s+/)
    .filter((w) => w.length > 0 && w !== 'a' && w !== 'an' && w !== 'the')
    .join(' ');
}

/** True for answers that are words rather than mathematics ("Monday", "the Eiffel Tower"). */
export function isWordy(answer: string): boolean {
  const s = unwrapTextMacros(stripDelimiters(String(answer))).replace(/\*\*/g, '');
  if (/[\\^_{}=+*<>|&]/.test(s)) return false;
  return /\p{L}{3,}/u.test(s);
}

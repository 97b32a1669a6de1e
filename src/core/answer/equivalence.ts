// Decides whether a predicted final answer matches the reference, layer by layer, never throwing.

import { casEquivalent } from './cas';
import { isWordy, normalizeAnswer, normalizeText, stripDelimiters, unwrapTextMacros } from './normalize';
import { parseStructured, structuresEqual } from './structure';

export interface EquivalenceOptions {
  /** Wall-clock budget for one comparison; the symbolic layer answers false once it is spent. */
  timeBudgetMs?: number;
}

const REL_TOL = 1e-6;
const ABS_TOL = 1e-9;
const DEFAULT_BUDGET_MS = 2000;
const MAX_DEPTH = 4;
const MAX_INPUT = 5000;

const NUM = '[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)';
const PLAIN = new RegExp(`^${NUM}(?:e[+-]?\\d+)?$`, 'i');
const FRAC = new RegExp(`^([+-]?)\\\\frac\\{(${NUM})\\}\\{(${NUM})\\}$`);
const SLASH = new RegExp(`^(${NUM})/(${NUM})$`);
const SCI = new RegExp(`^(${NUM})(?:\\\\times|\\\\cdot)10\\^\\{?([+-]?\\d+)\\}?$`);

/** A plain number, fraction or scientific-notation value in a normalised answer. */
export function parseNumber(norm: string): number | null {
  let v: number | null = null;
  let m: RegExpExecArray | null;
  if (PLAIN.test(norm)) v = Number(norm);
  else if ((m = FRAC.exec(norm))) v = (m[1] === '-' ? -1 : 1) * (Number(m[2]) / Number(m[3]));
  else if ((m = SLASH.exec(norm))) v = Number(m[1]) / Number(m[2]);
  else if ((m = SCI.exec(norm))) v = Number(m[1]) * Math.pow(10, Number(m[2]));
  return v !== null && Number.isFinite(v) ? v : null;
}

/**
 * Numeric equality: exact for integers (a relative tolerance would let 1450000 equal
 * 1450001), otherwise within 1e-6 relative / 1e-9 absolute.
 */
export function numbersClose(a: number, b: number): boolean {
  if (Number.isInteger(a) && Number.isInteger(b)) return a === b;
  return Math.abs(a - b) <= Math.max(ABS_TOL, REL_TOL * Math.max(Math.abs(a), Math.abs(b)));
}

function cleanLogic(s: string): string {
  return unwrapTextMacros(stripDelimiters(s)).replace(/\*\*/g, '').trim();
}

/**
 * The letter of a multiple-choice answer: `(B)`, `B`, `B)`, `B.`, `\text{(B)}`, `Option B`,
 * or AMC's `\textbf{(B) }12`. Bare lowercase letters are left alone because they are
 * more often variables than choices.
 */
export function parseChoice(answer: string): string | null {
  const s = cleanLogic(answer);
  const m = /^\(([A-Ja-j])\)$/.exec(s) ?? /^([A-J])[).:]?$/.exec(s) ?? /^(?:option|choice)\s*\(?([A-Ja-j])\)?[.:]?$/i.exec(s) ?? /^\(([A-J])\)\s*\S.*$/.exec(s);
  return m ? m[1].toUpperCase() : null;
}

/** `yes`/`no`/`true`/`false` in any case or markup, else null. */
export function parseBoolean(answer: string): string | null {
  const t = normalizeText(cleanLogic(answer));
  return t === 'yes' || t === 'no' || t === 'true' || t === 'false' ? t : null;
}

/** `a \pm b` names two answers; spell them out as a list so the set layer can match them. */
function expandPlusMinus(norm: string): string {
  const parts = norm.split(/\\(?:pm|mp)(?![a-zA-Z])/);
  if (parts.length !== 2) return norm;
  return `${parts[0]}+${parts[1]},${parts[0]}-${parts[1]}`;
}

function equivalent(ref: string, pred: string, deadline: number, depth: number): boolean {
  if (depth > MAX_DEPTH || ref.length > MAX_INPUT || pred.length > MAX_INPUT) return false;
  const r = expandPlusMinus(normalizeAnswer(ref));
  const p = expandPlusMinus(normalizeAnswer(pred));
  if (r.length === 0 || p.length === 0) return false;
  if (r === p) return true;

  const cr = parseChoice(ref);
  const cp = parseChoice(pred);
  if (cr !== null && cp !== null) return cr === cp;
  const br = parseBoolean(ref);
  const bp = parseBoolean(pred);
  if (br !== null || bp !== null) return br === bp;

  // Two plain numbers are settled numerically: no algebra can make 0.33 equal 1/3.
  const nr = parseNumber(r);
  const np = parseNumber(p);
  if (nr !== null && np !== null) {
    // Integers past 2^53 lose digits as numbers; compare their digits instead.
    if (/^[+-]?\d{16,}$/.test(r) && /^[+-]?\d+$/.test(p)) return BigInt(r) === BigInt(p);
    if (/^[+-]?\d{16,}$/.test(p) && /^[+-]?\d+$/.test(r)) return BigInt(r) === BigInt(p);
    return numbersClose(nr, np);
  }

  const sr = parseStructured(r);
  const sp = parseStructured(p);
  if (sr !== null || sp !== null) {
    return sr !== null && sp !== null && structuresEqual(sr, sp, (x, y) => equivalent(x, y, deadline, depth + 1));
  }

  if (isWordy(ref) && isWordy(pred)) return normalizeText(ref) === normalizeText(pred);
  if (Date.now() > deadline) return false;
  return casEquivalent(r, p, deadline);
}

/**
 * True when `prediction` is the same answer as `reference`: equal normal forms, equal
 * numbers, equal structures, equal worded answers, or expressions the CAS finds equal.
 * Bad input gives false, never an exception.
 */
export function answersEquivalent(reference: string, prediction: string, options?: EquivalenceOptions): boolean {
  try {
    if (!isScalar(reference) || !isScalar(prediction)) return false;
    const budget = options?.timeBudgetMs ?? DEFAULT_BUDGET_MS;
    return equivalent(String(reference), String(prediction), Date.now() + budget, 0);
  } catch {
    return false;
  }
}

function isScalar(x: unknown): x is string | number {
  return typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
}

// Symbolic equivalence of two LaTeX expressions: Compute Engine parses, a bounded evaluator compares.

import * as CE from '@cortex-js/compute-engine';
import { mulberry32 } from '../tiny/task';

/*
 * Compute Engine's simplify()/N() can run for seconds on inputs such as `99999!` or
 * `\sum_{n=1}^{10^7} n`, and its own deadline is not enforced in 0.27. So the engine is only
 * used to parse LaTeX into canonical MathJSON; equivalence is decided by evaluating both trees
 * at random points with the small complex-number evaluator below, whose cost is linear in the
 * tree size. Input length, tree size and the set of allowed operators bound every call.
 */

const MAX_LATEX_LENGTH = 300;
const MAX_NODES = 400;
const SAMPLE_POINTS = 8;
const MIN_VALID_POINTS = 3;
const REL_TOL = 1e-6;
const ABS_TOL = 1e-9;

type C = { re: number; im: number };
type Json = unknown;

type Engine = CE.ComputeEngine;
let engine: Engine | null = null;

/**
 * The ComputeEngine class. Bundled, the package's ESM build exports it. Left external in a
 * CommonJS bundle, Node >= 20.19 loads its UMD build as ESM, which exports nothing and sets
 * globalThis.ComputeEngine instead, so look there too.
 */
function engineClass(): (new () => Engine) | null {
  const direct = (CE as { ComputeEngine?: unknown }).ComputeEngine;
  if (typeof direct === 'function') return direct as new () => Engine;
  const umd = (globalThis as { ComputeEngine?: { ComputeEngine?: unknown } }).ComputeEngine?.ComputeEngine;
  return typeof umd === 'function' ? (umd as new () => Engine) : null;
}

function getEngine(): Engine {
  if (engine === null) {
    const Ctor = engineClass();
    if (Ctor === null) throw new Error('@cortex-js/compute-engine did not load');
    engine = new Ctor();
  }
  return engine;
}

/** Whether the symbolic layer can run (diagnostics for `specsearch grade`). */
export function casAvailable(): boolean {
  try {
    getEngine();
    return true;
  } catch {
    return false;
  }
}

const CONSTANTS: Record<string, C> = {
  Pi: { re: Math.PI, im: 0 },
  ExponentialE: { re: Math.E, im: 0 },
  ImaginaryUnit: { re: 0, im: 1 },
  Half: { re: 0.5, im: 0 },
  PositiveInfinity: { re: Infinity, im: 0 },
  NegativeInfinity: { re: -Infinity, im: 0 },
  ComplexInfinity: { re: NaN, im: NaN },
  NaN: { re: NaN, im: NaN },
};

const c = (re: number, im = 0): C => ({ re, im });
const add = (a: C, b: C): C => c(a.re + b.re, a.im + b.im);
const mul = (a: C, b: C): C => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
function div(a: C, b: C): C {
  const d = b.re * b.re + b.im * b.im;
  if (b.im === 0) return c(a.re / b.re, a.im / b.re);
  return c((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}
const log = (a: C): C => c(Math.log(Math.hypot(a.re, a.im)), Math.atan2(a.im, a.re));
const exp = (a: C): C => (a.im === 0 ? c(Math.exp(a.re)) : mul(c(Math.exp(a.re)), c(Math.cos(a.im), Math.sin(a.im))));
function pow(a: C, b: C): C {
  if (a.im === 0 && b.im === 0 && (a.re >= 0 || Number.isInteger(b.re))) return c(Math.pow(a.re, b.re));
  if (a.re === 0 && a.im === 0) return c(b.re > 0 ? 0 : NaN);
  return exp(mul(b, log(a)));
}
/** Real odd roots of negatives are what a MATH answer means by `\sqrt[3]{-8}` or `(-8)^{1/3}`. */
function root(a: C, n: number): C {
  if (a.im === 0 && a.re < 0 && Number.isInteger(n) && n % 2 === 1) return c(-Math.pow(-a.re, 1 / n));
  return pow(a, c(1 / n));
}
function realOnly(f: (x: number) => number): (a: C) => C {
  return (a) => (a.im === 0 ? c(f(a.re)) : c(NaN));
}

const UNARY: Record<string, (a: C) => C> = {
  Negate: (a) => c(-a.re, -a.im),
  Sqrt: (a) => root(a, 2),
  Square: (a) => mul(a, a),
  Exp: exp,
  Ln: log,
  Lb: (a) => div(log(a), c(Math.LN2)),
  Lg: (a) => div(log(a), c(Math.LN10)),
  Abs: (a) => c(Math.hypot(a.re, a.im)),
  Sin: realOnly(Math.sin),
  Cos: realOnly(Math.cos),
  Tan: realOnly(Math.tan),
  Cot: realOnly((x) => 1 / Math.tan(x)),
  Sec: realOnly((x) => 1 / Math.cos(x)),
  Csc: realOnly((x) => 1 / Math.sin(x)),
  Arcsin: realOnly(Math.asin),
  Arccos: realOnly(Math.acos),
  Arctan: realOnly(Math.atan),
  Sinh: realOnly(Math.sinh),
  Cosh: realOnly(Math.cosh),
  Tanh: realOnly(Math.tanh),
  Floor: realOnly(Math.floor),
  Ceil: realOnly(Math.ceil),
  Factorial: realOnly((x) => (Number.isInteger(x) && x >= 0 && x <= 170 ? factorial(x) : NaN)),
};

function factorial(n: number): number {
  let r = 1;
  for (let i = 2; i <= n; i++) r *= i;
  return r;
}

/** Decimal strings from MathJSON `{num}`, including repeating decimals written `0.(3)`. */
function parseNum(s: string): number {
  const rep = /^([+-]?)(\d*)\.(\d*)\((\d+)\)$/.exec(s);
  if (rep) {
    const [, sign, int, fixed, cyc] = rep;
    const v = Number(`${int || '0'}.${fixed || '0'}`) + Number(`0.${cyc}`) / Math.pow(10, fixed.length) / (1 - Math.pow(10, -cyc.length));
    return sign === '-' ? -v : v;
  }
  if (/^[+-]?Infinity$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return Number(s.replace(/n$/, ''));
}

function evaluate(node: Json, env: Map<string, C>): C {
  if (typeof node === 'number') return c(node);
  if (typeof node === 'string') {
    const v = env.get(node) ?? CONSTANTS[node];
    if (v !== undefined) return v;
    if (/^[+-]?[\d.]+(e[+-]?\d+)?$/i.test(node)) return c(Number(node));
    throw new Error(`unknown symbol ${node}`);
  }
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
    const o = node as Record<string, unknown>;
    if (typeof o.num === 'string') return c(parseNum(o.num));
    if (typeof o.sym === 'string') return evaluate(o.sym, env);
    if (o.fn !== undefined) return evaluate(o.fn, env);
    throw new Error('unsupported node');
  }
  if (!Array.isArray(node) || typeof node[0] !== 'string') throw new Error('unsupported node');
  const head = node[0];
  const args = node.slice(1);
  const ev = (i: number): C => evaluate(args[i], env);
  switch (head) {
    case 'Add':
      return args.reduce<C>((acc, _a, i) => add(acc, ev(i)), c(0));
    case 'Multiply':
      return args.reduce<C>((acc, _a, i) => mul(acc, ev(i)), c(1));
    case 'Subtract':
      return args.length === 1 ? UNARY.Negate(ev(0)) : add(ev(0), UNARY.Negate(ev(1)));
    case 'Divide':
    case 'Rational':
      return div(ev(0), ev(1));
    case 'Complex':
      return c(ev(0).re, ev(1).re);
    case 'Delimiter':
    case 'Hold':
      return ev(0);
    case 'Root':
      return root(ev(0), ev(1).re);
    case 'Log':
      return args.length > 1 ? div(log(ev(0)), log(ev(1))) : div(log(ev(0)), c(Math.LN10));
    case 'Power': {
      const e = args[1];
      // A rational exponent with odd denominator keeps negative bases real, like `\sqrt[q]{}`.
      if (Array.isArray(e) && e[0] === 'Rational' && typeof e[1] === 'number' && typeof e[2] === 'number') {
        return pow(root(ev(0), e[2]), c(e[1]));
      }
      return pow(ev(0), ev(1));
    }
    default: {
      const f = UNARY[head];
      if (f !== undefined && args.length === 1) return f(ev(0));
      throw new Error(`unsupported operator ${head}`);
    }
  }
}

/** Free variables of a tree, or null if it is too big or uses something the evaluator lacks. */
function inspect(node: Json): Set<string> | null {
  const vars = new Set<string>();
  let count = 0;
  const walk = (n: Json): boolean => {
    if (++count > MAX_NODES) return false;
    if (typeof n === 'number') return true;
    if (typeof n === 'string') {
      if (!(n in CONSTANTS) && !/^[+-]?[\d.]+(e[+-]?\d+)?$/i.test(n)) {
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(n) || n.startsWith("'")) return false;
        vars.add(n);
      }
      return true;
    }
    if (Array.isArray(n)) {
      const h = n[0];
      if (typeof h !== 'string' || h === 'Error') return false;
      const known =
        h in UNARY || ['Add', 'Multiply', 'Subtract', 'Divide', 'Rational', 'Complex', 'Delimiter', 'Hold', 'Root', 'Log', 'Power', 'Equal'].includes(h);
      return known && n.slice(1).every(walk);
    }
    if (n !== null && typeof n === 'object') return typeof (n as Record<string, unknown>).num === 'string';
    return false;
  };
  return walk(node) ? vars : null;
}

function parseLatex(latex: string): Json | null {
  if (latex.length === 0 || latex.length > MAX_LATEX_LENGTH) return null;
  try {
    const expr = getEngine().parse(latex);
    return expr.json as Json;
  } catch {
    return null;
  }
}

/** The integer a real value stands for, allowing float noise (sqrt(2)^2 = 2.0000000000000004). */
function nearInteger(a: C): number | null {
  if (a.im !== 0 || Math.abs(a.re) > Number.MAX_SAFE_INTEGER) return null;
  const r = Math.round(a.re);
  return Math.abs(a.re - r) <= 1e-9 * Math.max(1, Math.abs(a.re)) ? r : null;
}

function close(a: C, b: C): boolean {
  // Integer values compare exactly, so 2^{20} does not match 1048577 within the relative tolerance.
  const ia = nearInteger(a);
  const ib = nearInteger(b);
  if (ia !== null && ib !== null) return ia === ib;
  const d = Math.hypot(a.re - b.re, a.im - b.im);
  return d <= Math.max(ABS_TOL, REL_TOL * Math.max(Math.hypot(a.re, a.im), Math.hypot(b.re, b.im)));
}
const finite = (a: C): boolean => Number.isFinite(a.re) && Number.isFinite(a.im);

/** An equation `l = r` stands for `l - r`; equal equations may differ by a constant factor. */
function asDifference(n: Json): { expr: Json; equation: boolean } {
  if (Array.isArray(n) && n[0] === 'Equal' && n.length === 3) return { expr: ['Subtract', n[1], n[2]], equation: true };
  return { expr: n, equation: false };
}

/**
 * True when two LaTeX expressions agree at every sampled point (and at least a few points
 * are defined for both). `deadline` is a Date.now() value past which the answer is false.
 */
export function casEquivalent(a: string, b: string, deadline: number): boolean {
  try {
    const ja = parseLatex(a);
    const jb = parseLatex(b);
    if (ja === null || jb === null || Date.now() > deadline) return false;
    const sa = JSON.stringify(ja);
    // Undefined values (1/0, 0/0) share one canonical form but are not the same answer.
    if (sa === JSON.stringify(jb)) return !/"(?:Error|NaN|ComplexInfinity)"/.test(sa);
    const va = inspect(ja);
    const vb = inspect(jb);
    if (va === null || vb === null) return false;
    const da = asDifference(ja);
    const db = asDifference(jb);
    if (da.equation !== db.equation) return false;
    const vars = [...new Set([...va, ...vb])];
    // seeded, so a grade never flips between runs
    const rand = mulberry32(0x5eed + vars.length);
    let valid = 0;
    let ratio: C | null = null;
    for (let i = 0; i < SAMPLE_POINTS; i++) {
      if (Date.now() > deadline) return false;
      const env = new Map<string, C>();
      // Points avoid 0 and ±1, where distinct forms (x^2 vs x, |x| vs x) often coincide.
      for (const v of vars) env.set(v, c((rand() < 0.25 ? -1 : 1) * (1.1 + 2.7 * rand())));
      const x = evaluate(da.expr, env);
      const y = evaluate(db.expr, env);
      if (!finite(x) || !finite(y)) continue;
      if (da.equation) {
        if (Math.hypot(x.re, x.im) < ABS_TOL || Math.hypot(y.re, y.im) < ABS_TOL) {
          if (!close(x, y)) return false;
        } else {
          const r = div(x, y);
          if (ratio === null) ratio = r;
          else if (!close(r, ratio)) return false;
        }
      } else if (!close(x, y)) {
        return false;
      }
      valid++;
      if (vars.length === 0) break; // a constant needs one evaluation
    }
    return valid >= (vars.length === 0 ? 1 : MIN_VALID_POINTS);
  } catch {
    return false;
  }
}

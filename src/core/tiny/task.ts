/**
 * The tiny chain-arithmetic task (see models/tiny/MODEL_CARD.md): problem generator,
 * parser, reference solution steps and planted errors. Bit-exact twin of
 * scripts/tiny/train/task.py (mulberry32 PRNG).
 *
 * Seeds: 1 = training stream, 2 = validation, 3 = test/measurement; seeds >= 100 are
 * "fresh" (tests, benchmarks, demo) and never used in training.
 */

export type TinyOp = '+' | '-' | '*' | '/';

export interface TinyOperation {
  op: TinyOp;
  operand: number;
}

export interface TinyProblem {
  id: string;
  problem: string;
  answer: number;
  start: number;
  ops: TinyOperation[];
}

/** The result of parsing a problem text: a TinyProblem without an id. */
export type ParsedTinyProblem = Omit<TinyProblem, 'id'>;

/** Step separator of solutions (and the stop string of step-by-step generation). */
export const TINY_STEP_SEPARATOR = '\n\n';
/** PRM tag written after each step; the PRM predicts "+" or "-" right after "@". */
export const TINY_PRM_TAG = ' @';
export const TINY_PRM_GOOD = '+';
export const TINY_PRM_BAD = '-';

export const TINY_TRAIN_SEED = 1;
export const TINY_VALIDATION_SEED = 2;
export const TINY_TEST_SEED = 3;
export const TINY_FIRST_FRESH_SEED = 100;

export function mulberry32(seed: number): () => number {
  let a = seed;
  return function (): number {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randint(rng: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

const OP_WORD: Record<TinyOp, string> = {
  '+': 'Add',
  '-': 'Subtract',
  '*': 'Multiply by',
  '/': 'Divide by',
};

export function applyOp(v: number, op: TinyOp, b: number): number {
  switch (op) {
    case '+':
      return v + b;
    case '-':
      return v - b;
    case '*':
      return v * b;
    case '/':
      return Math.floor(v / b);
  }
}

/** One problem of the family, drawn from `rng` (the generator step of every stream). */
export function generateOneProblem(rng: () => number): { start: number; ops: TinyOperation[]; answer: number } {
  for (;;) {
    const n = randint(rng, 1, 40);
    const k = randint(rng, 2, 5);
    let v = n;
    const ops: TinyOperation[] = [];
    let ok = true;
    for (let i = 0; i < k; i++) {
      let found: TinyOperation | null = null;
      for (let att = 0; att < 50 && !found; att++) {
        const kind = randint(rng, 0, 3);
        if (kind === 0) {
          const b = randint(rng, 1, 40);
          if (v + b <= 400) found = { op: '+', operand: b };
        } else if (kind === 1) {
          const b = randint(rng, 1, 40);
          if (v - b >= 0) found = { op: '-', operand: b };
        } else if (kind === 2) {
          const m = randint(rng, 2, 5);
          if (v * m <= 400) found = { op: '*', operand: m };
        } else {
          const m = randint(rng, 2, 5);
          if (v % m === 0) found = { op: '/', operand: m };
        }
      }
      if (!found) {
        ok = false;
        break;
      }
      ops.push(found);
      v = applyOp(v, found.op, found.operand);
    }
    if (ok) return { start: n, ops, answer: v };
  }
}

export function problemText(start: number, ops: readonly TinyOperation[]): string {
  const parts = [`Start with ${start}.`];
  for (const o of ops) parts.push(`${OP_WORD[o.op]} ${o.operand}.`);
  parts.push('What is the result?');
  return parts.join(' ');
}

/** The first `count` problems of the stream of `seed`. */
export function generateProblems(seed: number, count: number): TinyProblem[] {
  const rng = mulberry32(seed);
  const out: TinyProblem[] = [];
  for (let i = 0; i < count; i++) {
    const g = generateOneProblem(rng);
    out.push({ id: `tiny-${seed}-${i}`, problem: problemText(g.start, g.ops), answer: g.answer, start: g.start, ops: g.ops });
  }
  return out;
}

const PROBLEM_RE = /^Start with (\d+)\.((?: (?:Add \d+|Subtract \d+|Multiply by \d+|Divide by \d+)\.)+) What is the result\?$/;
const OP_RE = / (Add|Subtract|Multiply by|Divide by) (\d+)\./g;
const WORD_OP: Record<string, TinyOp> = { Add: '+', Subtract: '-', 'Multiply by': '*', 'Divide by': '/' };

/**
 * Parses a problem text of the tiny grammar (any numbers; exact divisions only).
 * Returns null when the text is not such a problem.
 */
export function parseTinyProblem(text: string): ParsedTinyProblem | null {
  const t = text.trim();
  const m = PROBLEM_RE.exec(t);
  if (!m) return null;
  const start = Number(m[1]);
  const ops: TinyOperation[] = [];
  for (const om of m[2]!.matchAll(OP_RE)) ops.push({ op: WORD_OP[om[1]!]!, operand: Number(om[2]) });
  let v = start;
  for (const o of ops) {
    if (o.op === '/' && (o.operand === 0 || v % o.operand !== 0)) return null;
    v = applyOp(v, o.op, o.operand);
  }
  return { problem: t, start, ops, answer: v };
}

/** True when the problem obeys every constraint of the grammar in TINY_TASK.md. */
/** The family's limits (TINY_TASK.md): start and ± operands, × and ÷ factors, operations, every value. */
export const TINY_LIMITS = { number: [1, 40], factor: [2, 5], operations: [2, 5], value: [0, 400] } as const;

/** One place a problem passes the family's limits. */
export type TinyLimitBreak = { start: number } | { operation: TinyOperation } | { value: number } | { operations: number };

const within = (x: number, [lo, hi]: readonly [number, number]) => x >= lo && x <= hi;

/** Where a problem passes the family's limits, in order (a value only the first time); empty inside them. */
export function tinyLimitBreaks(p: Pick<ParsedTinyProblem, 'start' | 'ops'>): TinyLimitBreak[] {
  const breaks: TinyLimitBreak[] = [];
  if (!within(p.start, TINY_LIMITS.number)) breaks.push({ start: p.start });
  let v = p.start;
  let valueBroken = false;
  for (const o of p.ops) {
    if (!within(o.operand, o.op === '+' || o.op === '-' ? TINY_LIMITS.number : TINY_LIMITS.factor)) breaks.push({ operation: o });
    v = applyOp(v, o.op, o.operand);
    if (!valueBroken && !within(v, TINY_LIMITS.value)) {
      breaks.push({ value: v });
      valueBroken = true;
    }
  }
  if (!within(p.ops.length, TINY_LIMITS.operations)) breaks.push({ operations: p.ops.length });
  return breaks;
}

export function obeysTinyGrammar(p: ParsedTinyProblem): boolean {
  if (!Number.isInteger(p.start) || tinyLimitBreaks(p).length > 0) return false;
  let v = p.start;
  for (const o of p.ops) {
    if (o.op === '/' && v % o.operand !== 0) return false;
    v = applyOp(v, o.op, o.operand);
  }
  return v === p.answer && problemText(p.start, p.ops) === p.problem;
}

const PLACES = ['ones', 'tens', 'hundreds', 'thousands', 'ten-thousands', 'hundred-thousands'];

/**
 * One solution step: the result worked out column by column, then the equation in
 * normal digit order. Add/Subtract/Multiply: digits from the ones upward;
 * Divide: from the dividend's highest place downward (leading zeros written).
 * `result` may be wrong (planted errors).
 *   formatStep(7, '+', 5, 12)  -> "7 + 5: ones 2, tens 1. 7 + 5 = 12"
 *   formatStep(12, '/', 3, 4)  -> "12 / 3: tens 0, ones 4. 12 / 3 = 4"
 */
export function formatStep(a: number, op: TinyOp, b: number, result: number): string {
  let cols: string[];
  if (op === '/') {
    let nd = String(a).length;
    const rs = String(result).padStart(nd, '0');
    nd = Math.max(nd, rs.length);
    cols = [];
    for (let i = 0; i < nd; i++) cols.push(`${PLACES[nd - 1 - i]} ${rs[i]}`);
  } else {
    const rs = String(result);
    cols = [];
    for (let i = 0; i < rs.length; i++) cols.push(`${PLACES[i]} ${rs[rs.length - 1 - i]}`);
  }
  return `${a} ${op} ${b}: ${cols.join(', ')}. ${a} ${op} ${b} = ${result}`;
}

export function answerLine(r: number): string {
  return `The answer is ${r}.`;
}

/** Reference solution: one step per operation, then "The answer is R.". */
export function solutionSteps(p: Pick<TinyProblem, 'start' | 'ops'>): string[] {
  let v = p.start;
  const steps: string[] = [];
  for (const o of p.ops) {
    const r = applyOp(v, o.op, o.operand);
    steps.push(formatStep(v, o.op, o.operand, r));
    v = r;
  }
  steps.push(answerLine(v));
  return steps;
}

/** LM prompt (the tokenizer adds BOS): problem + "\n\n". Generate with stop "\n\n". */
export function lmPrompt(problem: string): string {
  return problem + TINY_STEP_SEPARATOR;
}

/** PRM input text (the tokenizer adds BOS): problem + "\n\n" + step1 + " @" + "\n\n" + ... */
export function prmText(problem: string, steps: readonly string[]): string {
  return problem + TINY_STEP_SEPARATOR + steps.map((s) => s + TINY_PRM_TAG).join(TINY_STEP_SEPARATOR);
}

const STEP_EQ_RE = /(\d+) ([-+*/]) (\d+) = (\d+)\s*$/;
const ANSWER_RE = /The answer is (-?\d+)\./;

/**
 * Arithmetic check of generated steps: a step is right while its equation
 * "A op B = R" applies the right operation to the right value with the right result
 * (the answer line must state the right answer); the first wrong step and every step
 * after it are wrong.
 */
export function checkSteps(p: Pick<TinyProblem, 'start' | 'ops'>, steps: readonly string[]): boolean[] {
  const labels: boolean[] = [];
  let v = p.start;
  let ok = true;
  let i = 0;
  for (const s of steps) {
    if (ok) {
      const m = STEP_EQ_RE.exec(s);
      const a = ANSWER_RE.exec(s);
      if (m && i < p.ops.length) {
        const o = p.ops[i]!;
        const exp = applyOp(v, o.op, o.operand);
        if (!(Number(m[1]) === v && m[2] === o.op && Number(m[3]) === o.operand && Number(m[4]) === exp)) ok = false;
        v = exp;
        i++;
      } else if (a && i === p.ops.length) {
        if (Number(a[1]) !== v) ok = false;
        i++;
      } else ok = false;
    }
    labels.push(ok);
  }
  return labels;
}

export type PlantedErrorKind = 'result' | 'digit' | 'operand' | 'operator' | 'copy' | 'final';

/**
 * A solution with one planted error at step `at` (for 'final', the answer line);
 * the chain continues consistently from the wrong value. Returns the steps and the
 * index of the first wrong step. Deterministic for a given rng.
 */
export function plantedErrorSteps(
  p: Pick<TinyProblem, 'start' | 'ops'>,
  kind: PlantedErrorKind,
  rng: () => number = mulberry32(12345),
  at?: number,
): { steps: string[]; firstWrong: number } {
  const n = p.ops.length;
  const idx = kind === 'final' ? n : Math.min(n - 1, Math.max(0, at ?? randint(rng, 0, n - 1)));
  const wrong = (x: number, lo = 0): number => {
    for (;;) {
      const d = [1, -1, 10, -10, 2, -2][randint(rng, 0, 5)]!;
      if (x + d >= lo && x + d !== x) return x + d;
    }
  };
  let v = p.start;
  const steps: string[] = [];
  for (let j = 0; j < n; j++) {
    const o = p.ops[j]!;
    let a = v;
    let op = o.op;
    let b = o.operand;
    let r: number;
    if (j === idx && kind !== 'final') {
      if (kind === 'result') {
        r = wrong(applyOp(a, op, b));
      } else if (kind === 'digit') {
        const good = applyOp(a, op, b);
        const s = String(good).split('');
        const k = randint(rng, 0, s.length - 1);
        s[k] = String((Number(s[k]) + 1) % 10);
        r = Number(s.join(''));
        if (r === good) r = good + 1;
      } else if (kind === 'operand') {
        b = op === '+' || op === '-' ? wrong(b, 1) : b === 2 ? 3 : b - 1;
        r = Math.max(0, applyOp(a, op, b));
      } else if (kind === 'operator') {
        const others = (['+', '-', '*', '/'] as TinyOp[]).filter((x) => x !== op);
        op = others[randint(rng, 0, 2)]!;
        r = Math.abs(applyOp(a, op, b));
      } else {
        // 'copy': a wrong value carried over from the previous step
        a = wrong(a);
        r = Math.max(0, applyOp(a, op, b));
      }
    } else {
      r = Math.max(0, applyOp(a, op, b));
    }
    steps.push(formatStep(a, op, b, r));
    v = r;
  }
  steps.push(answerLine(kind === 'final' ? wrong(v) : v));
  return { steps, firstWrong: idx };
}

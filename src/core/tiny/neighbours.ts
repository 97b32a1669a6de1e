/**
 * Problems the bundled tiny models were not trained on, for measuring whether the product ever verifies a
 * wrong answer (TINY_TASK.md, "Problems just outside the family"):
 * - beyond: the task's own wording with numbers past its limits (start and ± operands to 99, × and ÷ by
 *   2–12, results to 2,000), each problem with at least one number or result outside the family;
 * - other: problems of other kinds — word problems, syllogisms, derivatives, equations, other wordings
 *   of chain arithmetic — with their reference answers.
 * Seeded like the family itself (mulberry32); ids say which generator and seed made them.
 */
import { applyOp, mulberry32, obeysTinyGrammar, problemText, randint, type TinyOperation, type TinyProblem } from './task';

export interface ReferencedProblem {
  id: string;
  problem: string;
  answer: string;
}

export function generateBeyondProblems(seed: number, count: number): TinyProblem[] {
  const rng = mulberry32(seed);
  const out: TinyProblem[] = [];
  while (out.length < count) {
    const start = randint(rng, 1, 99);
    const k = randint(rng, 2, 5);
    let v = start;
    const ops: TinyOperation[] = [];
    for (let i = 0; i < k; i++) {
      let found: TinyOperation | null = null;
      for (let att = 0; att < 50 && !found; att++) {
        const kind = randint(rng, 0, 3);
        const b = kind < 2 ? randint(rng, 1, 99) : randint(rng, 2, 12);
        if (kind === 0 && v + b <= 2000) found = { op: '+', operand: b };
        else if (kind === 1 && v - b >= 0) found = { op: '-', operand: b };
        else if (kind === 2 && v * b <= 2000) found = { op: '*', operand: b };
        else if (kind === 3 && v % b === 0) found = { op: '/', operand: b };
      }
      if (!found) break;
      ops.push(found);
      v = applyOp(v, found.op, found.operand);
    }
    if (ops.length < 2) continue;
    const problem = problemText(start, ops);
    // Only problems the family does not hold: at least one number or value past its limits.
    if (obeysTinyGrammar({ problem, start, ops, answer: v })) continue;
    out.push({ id: `beyond-${seed}-${out.length}`, problem, start, ops, answer: v });
  }
  return out;
}

const NAMES = ['Ada', 'Ben', 'Cleo', 'Dev', 'Eva', 'Finn', 'Gus', 'Hana', 'Ivo', 'Juno'];
const KINDS: [string, string][] = [
  ['cats', 'animals'],
  ['roses', 'flowers'],
  ['squares', 'rectangles'],
  ['violins', 'instruments'],
  ['oaks', 'trees'],
  ['trout', 'fish'],
];

type Template = (r: () => number) => { problem: string; answer: string };
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[randint(r, 0, xs.length - 1)]!;

const TEMPLATES: Template[] = [
  (r) => {
    const a = randint(r, 20, 90),
      b = randint(r, 2, 9);
    return { problem: `A train travels ${a} miles per hour for ${b} hours. How many miles does it travel?`, answer: String(a * b) };
  },
  (r) => {
    const n = pick(r, NAMES),
      a = randint(r, 3, 60),
      b = randint(r, 2, 40);
    return { problem: `${n} has ${a} apples and buys ${b} more. How many apples does ${n} have now?`, answer: String(a + b) };
  },
  (r) => {
    const a = randint(r, 2, 15),
      b = randint(r, 3, 12);
    return { problem: `Pens cost ${a} dollars each. How much do ${b} pens cost, in dollars?`, answer: String(a * b) };
  },
  (r) => {
    const [x, y] = pick(r, KINDS),
      n = pick(r, NAMES);
    return { problem: `All ${x} are ${y}. ${n} owns one of the ${x}. Is it one of the ${y}? Answer yes or no.`, answer: 'yes' };
  },
  (r) => {
    const [x, y] = pick(r, KINDS),
      n = pick(r, NAMES);
    return { problem: `No ${y} are machines. ${n} owns one of the ${x}, and all ${x} are ${y}. Is it a machine? Answer yes or no.`, answer: 'no' };
  },
  (r) => {
    const n = randint(r, 2, 9);
    return { problem: `What is the derivative of x^${n} with respect to x?`, answer: `${n}x^${n - 1}` };
  },
  (r) => {
    const a = randint(r, 2, 9),
      b = randint(r, 1, 30),
      x = randint(r, 1, 20);
    return { problem: `Solve for x: ${a}x + ${b} = ${a * x + b}.`, answer: String(x) };
  },
  (r) => {
    const a = randint(r, 1, 40),
      b = randint(r, 1, 40),
      m = randint(r, 2, 5);
    return { problem: `Start with ${a}, add ${b}, then multiply by ${m}. What do you get?`, answer: String((a + b) * m) };
  },
  (r) => {
    const a = randint(r, 1, 40),
      b = randint(r, 1, 40);
    return { problem: `What is ${a} plus ${b}?`, answer: String(a + b) };
  },
  (r) => {
    const a = randint(r, 1, 20) * 10,
      p = pick(r, [10, 20, 25, 50]);
    return { problem: `What is ${p}% of ${a}?`, answer: String((a * p) / 100) };
  },
];

export function generateOtherProblems(seed: number, count: number): ReferencedProblem[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => ({ id: `other-${seed}-${i}`, ...TEMPLATES[i % TEMPLATES.length]!(rng) }));
}

// Benchmark datasets: JSON lines of {id?, problem|question, answer}, the named datasets that ship in bench/data
// (`gsm8k`, `math500`), or generated problems: fresh ones of the tiny family `tiny:SEED:N` (held out: a problem of
// any training stream is skipped, src/core/tiny/held-out.ts), the family's wording
// past its limits `tiny-beyond:SEED:N`, other kinds of problems `tiny-other:SEED:N` (src/core/tiny/neighbours.ts).
import * as path from 'node:path';
import { extractGsm8kReference } from '../answer/extract';
import { EngineError } from '../errors';
import { readTextFile } from '../files';
import { besideInstall } from '../paths';
import { generateBeyondProblems, generateOtherProblems } from '../tiny/neighbours';
import { heldOutProblems } from '../tiny/held-out';

export interface BenchProblem {
  id: string;
  problem: string;
  /** The reference final answer (GSM8K's `#### N` and `\boxed{}` already reduced to the answer). */
  answer: string;
}

/** GSM8K's test set is 0.7 MiB: a dataset file past this is not one. */
export const MAX_DATASET_BYTES = 64 << 20;

/** The most problems a generated dataset holds. */
export const MAX_GENERATED = 100_000;

const GENERATED: Record<string, (seed: number, count: number) => { id: string; problem: string; answer: number | string }[]> = {
  tiny: heldOutProblems,
  'tiny-beyond': generateBeyondProblems,
  'tiny-other': generateOtherProblems,
};

/** The datasets that ship in bench/data, by name: the paper's two benchmarks. */
export const NAMED_DATASETS = {
  /** GSM8K's test split (Cobbe et al. 2021), 1,319 problems, answers `#### N`. */
  gsm8k: 'gsm8k-test.jsonl',
  /** MATH-500 (PRM800K's math_splits/test.jsonl, Lightman et al. 2023), 500 problems, LaTeX answers. */
  math500: 'math500-test.jsonl',
} as const;

export type DatasetName = keyof typeof NAMED_DATASETS;

/** The file of a named dataset, in bench/data next to the installation. */
export function benchDataFile(name: DatasetName): string {
  const file = NAMED_DATASETS[name];
  const found = besideInstall(path.join('bench', 'data', file));
  if (found !== null) return found;
  throw new EngineError({
    code: 'usage',
    message: `The dataset ${name} (bench/data/${file}) is not next to this installation.`,
    hint: 'Run specsearch from a clone of the repository (npm run build; node dist/cli.js bench …), or give the file itself with --dataset FILE.jsonl.',
  });
}

export function loadDataset(spec: string, limit?: number): BenchProblem[] {
  const generated = /^(tiny|tiny-beyond|tiny-other):(\d+):(\d+)$/.exec(spec);
  if (generated) return generatedProblems(generated[1]!, Number(generated[2]), Math.min(Number(generated[3]), limit ?? Infinity));
  const file = Object.hasOwn(NAMED_DATASETS, spec) ? benchDataFile(spec as DatasetName) : spec;
  const rows = readJsonl(file);
  return limit === undefined ? rows : rows.slice(0, limit);
}

function generatedProblems(kind: string, seed: number, count: number): BenchProblem[] {
  const spec = `${kind}:${seed}:${count}`;
  if (seed < 100) {
    throw new EngineError({ code: 'usage', message: `${spec}: seeds below 100 are the tiny models' training data.`, hint: `Use a seed of 100 or more for fresh problems, e.g. ${kind}:1000:50.` });
  }
  if (count > MAX_GENERATED) {
    throw new EngineError({ code: 'usage', message: `${spec}: at most ${MAX_GENERATED} problems can be generated.`, hint: `Ask for fewer, e.g. ${kind}:${seed}:500.` });
  }
  return GENERATED[kind]!(seed, count).map((p) => ({ id: p.id, problem: p.problem, answer: String(p.answer) }));
}

function readJsonl(file: string): BenchProblem[] {
  const text = readTextFile(file, { what: 'the dataset', maxBytes: MAX_DATASET_BYTES, code: 'usage', hint: `Give a JSON-lines file, ${Object.keys(NAMED_DATASETS).join(' or ')}, or tiny:SEED:N.` });
  const rows: BenchProblem[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch (err) {
      throw new EngineError({ code: 'usage', message: `${where} is not valid JSON: ${(err as Error).message}.` });
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      throw new EngineError({ code: 'usage', message: `${where} is ${o === null ? 'null' : Array.isArray(o) ? 'a list' : `a ${typeof o}`}, not an object.`, hint: 'Each line needs {"problem" | "question": string, "answer": string | number}.' });
    }
    const problem = o.problem ?? o.question;
    if (typeof problem !== 'string' || problem.trim() === '') {
      throw new EngineError({ code: 'usage', message: `${where} has no "problem" or "question" string.`, hint: 'Each line needs {"problem" | "question": string, "answer": string | number}.' });
    }
    if (typeof o.answer !== 'string' && typeof o.answer !== 'number') {
      throw new EngineError({ code: 'usage', message: `${where} has no "answer".`, hint: 'Each line needs an "answer" (GSM8K solutions ending in "#### N" are accepted).' });
    }
    const answer = typeof o.answer === 'number' ? String(o.answer) : referenceAnswer(o.answer);
    // MATH rows name themselves by unique_id ("test/algebra/1349.json").
    const id = o.id ?? o.unique_id;
    rows.push({ id: typeof id === 'string' || typeof id === 'number' ? String(id) : `row-${i + 1}`, problem, answer });
  });
  return rows;
}

function referenceAnswer(answer: string): string {
  if (answer.includes('####')) return extractGsm8kReference(answer);
  return answer.trim();
}

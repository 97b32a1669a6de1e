// Benchmark datasets: JSON lines of {id?, problem|question, answer}, or fresh tiny problems `tiny:SEED:N`.
import * as fs from 'node:fs';
import { extractGsm8kReference } from '../answer/extract';
import { EngineError } from '../errors';
import { generateProblems } from '../tiny/task';

export interface BenchProblem {
  id: string;
  problem: string;
  /** The reference final answer (GSM8K's `#### N` and `\boxed{}` already reduced to the answer). */
  answer: string;
}

export function loadDataset(spec: string, limit?: number): BenchProblem[] {
  const tiny = /^tiny:(\d+):(\d+)$/.exec(spec);
  const rows = tiny ? tinyProblems(Number(tiny[1]), Number(tiny[2])) : readJsonl(spec);
  return limit === undefined ? rows : rows.slice(0, limit);
}

function tinyProblems(seed: number, count: number): BenchProblem[] {
  if (seed < 100) {
    throw new EngineError({ code: 'usage', message: `tiny:${seed}:${count}: seeds below 100 are the tiny models' training data.`, hint: 'Use a seed of 100 or more for fresh problems, e.g. tiny:1000:50.' });
  }
  return generateProblems(seed, count).map((p) => ({ id: p.id, problem: p.problem, answer: String(p.answer) }));
}

function readJsonl(file: string): BenchProblem[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new EngineError({ code: 'usage', message: `Cannot read the dataset ${file}: ${(err as Error).message}.`, hint: 'Give a JSON-lines file or tiny:SEED:N.' });
  }
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
    const problem = o.problem ?? o.question;
    if (typeof problem !== 'string' || problem.trim() === '') {
      throw new EngineError({ code: 'usage', message: `${where} has no "problem" or "question" string.`, hint: 'Each line needs {"problem" | "question": string, "answer": string | number}.' });
    }
    if (typeof o.answer !== 'string' && typeof o.answer !== 'number') {
      throw new EngineError({ code: 'usage', message: `${where} has no "answer".`, hint: 'Each line needs an "answer" (GSM8K solutions ending in "#### N" are accepted).' });
    }
    const answer = typeof o.answer === 'number' ? String(o.answer) : referenceAnswer(o.answer);
    rows.push({ id: typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : `row-${i + 1}`, problem, answer });
  });
  return rows;
}

function referenceAnswer(answer: string): string {
  if (answer.includes('####')) return extractGsm8kReference(answer);
  return answer.trim();
}

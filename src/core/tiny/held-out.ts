// The tiny models' training streams, the seeds that shaped them, and problems held out from both: what
// tests and benchmarks may measure the models on.
import { applyOp, generateOneProblem, mulberry32, problemText, type TinyOperation, type TinyProblem } from './task';

export interface TrainingStream {
  seed: number;
  /** Problems drawn from the start of the stream, at most (every phase that restarts a stream starts at its first problem). */
  count: number;
  /** The share of problems without a hard step that the stream keeps (scripts/tiny/train/task.py problem_stream). */
  easyKeep: number;
  what: string;
}

/**
 * Every stream scripts/tiny/train/train_all.sh draws training problems from, with the most problems a phase
 * can have drawn (its whole schedule, batches × batch size, even where it stopped early).
 */
export const TRAINING_STREAMS: readonly TrainingStream[] = [
  {
    seed: 1,
    count: 3000 * 32,
    easyKeep: 1,
    what: "small and large LMs, verifier (every phase restarts it; the longest, the small model's phase 3b, 3000 steps × 32)",
  },
  { seed: 11, count: 800 * 16, easyKeep: 1, what: 'PRM (800 steps × 16)' },
  { seed: 21, count: 600 * 16, easyKeep: 1, what: 'grown large model, phase 5 (600 steps × 16)' },
  { seed: 31, count: 500 * 16, easyKeep: 0.25, what: 'grown large model, phase 5b, hard steps kept (500 steps × 16)' },
];

/**
 * Seeds whose problems chose something about the models or the defaults: measuring on them again
 * flatters what was chosen. Headline figures come from HEADLINE_SEEDS.
 */
export const TUNING_SEEDS: Readonly<Record<number, string>> = {
  2: 'validation: checkpoint selection in every training phase',
  3: "the model card's test set, whose errors shaped phase 5b",
  5: 'drafting probe (scripts/tiny/probe-drafting.mjs)',
  41: "the verifier's calibration fit",
  2000: 'the former headline bench, on which temperature 0.3 and the threshold rule were chosen',
  4000: "the problems that showed the raw verifier scores' miscalibration",
  5000: 'the answer-confidence calibration fit',
  6000: 'cold-speed profiling, on which the lanes per call (SPECSEARCH_LANES) were chosen',
  9002: 'cold speed before the lanes; its first problems were profiled to find where a cold solve spends its time',
};

/** Seeds used for nothing but the figures reported from them. */
export const HEADLINE_SEEDS: Readonly<Record<number, string>> = {
  9001: 'the committed bench (bench/results/tiny)',
  9004: 'cold speed, one process per solve (bench/results/tiny-cold)',
  9003: "the large model's greedy accuracy on a clean set (model card)",
  9005: 'many problems at once: concurrency 1 against 4 (bench/results/tiny-concurrency)',
  9006: 'the trio over HTTP on llama-server, every method with the same threads (bench/results/tiny-llama-server)',
};

/** A division of a three-digit number, or a subtraction that borrows: the steps phase 5b's stream keeps. */
export function hasHardStep(start: number, ops: readonly TinyOperation[]): boolean {
  let v = start;
  for (const { op, operand: b } of ops) {
    if (op === '/' && v >= 100) return true;
    if (op === '-') {
      const borrowOnes = v % 10 < b % 10;
      if (borrowOnes || Math.floor(v / 10) % 10 < (Math.floor(b / 10) % 10) + (borrowOnes ? 1 : 0)) return true;
    }
    v = applyOp(v, op, b);
  }
  return false;
}

/** The first `count` problem texts of a training stream, bit-exact with scripts/tiny/train/task.py problem_stream. */
export function trainingStreamTexts(seed: number, count: number, easyKeep = 1): string[] {
  const rng = mulberry32(seed);
  const keep = mulberry32(seed ^ 0x5bd1e995);
  const out: string[] = [];
  while (out.length < count) {
    const g = generateOneProblem(rng);
    if (easyKeep < 1 && !hasHardStep(g.start, g.ops) && keep() >= easyKeep) continue;
    out.push(problemText(g.start, g.ops));
  }
  return out;
}

let trained: Set<string> | null = null;

/** Every problem text any training stream held (built once, ~126,000 problems). */
export function trainingProblems(): ReadonlySet<string> {
  trained ??= new Set(TRAINING_STREAMS.flatMap((s) => trainingStreamTexts(s.seed, s.count, s.easyKeep)));
  return trained;
}

/**
 * The first `count` problems of the stream of `seed` that appear in no training stream; ids keep their
 * place in the stream (`tiny-SEED-i`), so a skipped problem leaves a gap.
 */
export function heldOutProblems(seed: number, count: number): TinyProblem[] {
  const seen = trainingProblems();
  const rng = mulberry32(seed);
  const out: TinyProblem[] = [];
  for (let i = 0; out.length < count; i++) {
    const g = generateOneProblem(rng);
    const problem = problemText(g.start, g.ops);
    if (!seen.has(problem)) out.push({ id: `tiny-${seed}-${i}`, problem, answer: g.answer, start: g.start, ops: g.ops });
  }
  return out;
}

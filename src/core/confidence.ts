// How far an answer can be trusted, and whether any surface may show it as verified: computed once, here,
// and carried by search.finished so the CLI, the panel, CodeLens, hover and inline text all say the same
// (src/core/verdict.ts writes it). verified ⇔ an answer was found and confidence ≥ search.minConfidence.
import * as path from 'node:path';
import { falseEquation } from './answer/arithmetic';
import type { Settings } from './settings';
import type { AnswerCalibration, PlattMap } from './settings';
import type { ThoughtNode } from './generate/types';
import { bundledModelsDir } from './profiles';
import { obeysTinyGrammar, parseTinyProblem, tinyLimitBreaks, TINY_LIMITS } from './tiny/task';

export type ConfidenceBasis = 'score' | 'outside' | 'arithmetic' | 'no-answer' | 'none';

/** How far an answer can be trusted: what search.finished carries besides the answer, its path and the statistics. */
export interface AnswerCheck {
  /**
   * P(the answer is right) where the PRM has an answer calibration; otherwise the weakest score on the path
   * (not a probability). 0 when a step's arithmetic is false or there is no answer; null without a path.
   */
  confidence: number | null;
  /** Whether confidence is a calibrated probability (models.prm.answerCalibration). */
  calibrated: boolean;
  /** search.minConfidence, the line confidence is read against. */
  threshold: number;
  /** The weakest score on the answer's path as the search read it (what `specsearch calibrate` fits on). */
  weakestScore: number | null;
  /**
   * What the confidence rests on: the answer calibration of the weakest score ("score", or "outside" for a
   * problem outside the models' domain, with its own map), or an exact finding ("arithmetic": a false
   * equation; "no-answer"); "none" without a path.
   */
  basis: ConfidenceBasis;
  /** An answer was found and confidence ≥ threshold; surfaces show ✓ only when true. */
  verified: boolean;
  /** Why the answer is not verified, in words a user can act on; null when it is. */
  caveat: string | null;
}

/**
 * The weakest score along the answer's path: for a step-level PRM (kind "logprob", "vllm-pooling",
 * "judge") the weakest step; for a path-level verifier (kind "likelihood", whose score of a path already is
 * the least likely token of any step) the score of the whole path. A path is only as trustworthy as its
 * weakest step.
 */
export function weakestStep(winner: ThoughtNode | null): { score: number; depth: number; text: string } | null {
  let weakest: { score: number; depth: number; text: string } | null = null;
  for (let n = winner; n && n.id !== null; n = n.parent) if (!weakest || n.score <= weakest.score) weakest = { score: n.score, depth: n.depth, text: n.text };
  return weakest;
}

/** ln(s / (1 − s)), with s clamped into (0, 1) so that scores of 0 and 1 keep a finite log-odds. */
export function logOdds(s: number): number {
  const x = Math.min(1 - 1e-12, Math.max(1e-12, s));
  return Math.log(x / (1 - x));
}

/** P(right | weakest score s) under an answer calibration (Platt scaling on the log-odds of s). */
export function calibrateAnswer(s: number, c: PlattMap): number {
  return 1 / (1 + Math.exp(-(c.intercept + c.slope * logOdds(s))));
}

/**
 * An answer's confidence from what it rests on: 0 for a false equation or no answer; the answer
 * calibration of the weakest score (its `outside` map outside the models' domain, none without one);
 * without a calibration, the weakest score itself inside the domain. Null without a path.
 */
export function confidenceFor(basis: ConfidenceBasis, weakestScore: number | null, cal: AnswerCalibration | undefined): number | null {
  if (basis === 'arithmetic' || basis === 'no-answer') return 0;
  if (basis === 'none' || weakestScore === null) return null;
  if (basis === 'outside') return cal?.outside ? calibrateAnswer(weakestScore, cal.outside) : null;
  return cal ? calibrateAnswer(weakestScore, cal) : weakestScore;
}

const TINY_EXAMPLE = 'Start with 7. Add 5. Multiply by 3. What is the result?';
const USE_YOUR_MODELS = 'To solve it, point SpecSearch at your own models (the specsearch.models.* settings).';

/**
 * The bundled tiny models' domain: chain arithmetic in the task's wording with start and ± operands 1–40,
 * × and ÷ by 2–5, values 0–400 (TINY_TASK.md). Null for a problem inside it or for other models; otherwise
 * what puts it outside, in words.
 */
export function outsideBundledDomain(problem: string, settings: Settings): string | null {
  const large = settings.models.large;
  const bundled = large.provider === 'embedded' && path.resolve(path.dirname(large.model)) === path.resolve(bundledModelsDir());
  if (!bundled) return null;
  const parsed = parseTinyProblem(problem);
  if (parsed === null) {
    return `The bundled tiny models only solve chain arithmetic worded like "${TINY_EXAMPLE}"; this problem is outside what they know, so the answer is a guess. ${USE_YOUR_MODELS}`;
  }
  if (obeysTinyGrammar(parsed)) return null;
  const { number, factor, operations, value } = TINY_LIMITS;
  return `The bundled tiny models know chain arithmetic with numbers from ${number[0]} to ${number[1]}, multiplying and dividing by ${factor[0]} to ${factor[1]}, ${operations[0]} to ${operations[1]} operations and values up to ${value[1]}; ${pastLimits(parsed)}, so the answer is a guess. ${USE_YOUR_MODELS}`;
}

function pastLimits(p: NonNullable<ReturnType<typeof parseTinyProblem>>): string {
  const word = { '+': 'adds', '-': 'subtracts', '*': 'multiplies by', '/': 'divides by' } as const;
  const found = tinyLimitBreaks(p).map((b) =>
    'start' in b
      ? `starts with ${b.start}`
      : 'operation' in b
        ? `${word[b.operation.op]} ${b.operation.operand}`
        : 'value' in b
          ? `reaches ${b.value}`
          : `has ${b.operations} operation${b.operations === 1 ? '' : 's'}`,
  );
  return found.length === 0 ? 'this problem is written differently' : `this problem ${joinWords(found.slice(0, 3))}`;
}

function joinWords(xs: string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

export function checkAnswer(winner: ThoughtNode | null, answer: string | null, problem: string, settings: Settings): AnswerCheck {
  const threshold = settings.search.minConfidence;
  const cal: AnswerCalibration | undefined = settings.models.prm.answerCalibration;
  const weakest = weakestStep(winner);
  const outside = outsideBundledDomain(problem, settings);
  const wrongSum = firstFalseEquation(winner);
  const base = { calibrated: cal !== undefined, threshold, weakestScore: weakest?.score ?? null };

  let reason: string | null = null;
  let basis: ConfidenceBasis;
  if (weakest === null) {
    basis = 'none';
  } else if (answer === null) {
    basis = 'no-answer';
    reason = 'The search found no final answer.';
  } else if (wrongSum) {
    // Exact: a false equation on the path makes the answer wrong whatever the PRM thought of it.
    basis = 'arithmetic';
    reason = `Step ${wrongSum.depth} says ${wrongSum.text}, but ${wrongSum.lhs} is ${wrongSum.actual}.${outside === null ? '' : ` ${outside}`}`;
  } else if (outside !== null) {
    basis = 'outside';
    reason = outside;
  } else {
    basis = 'score';
  }
  let confidence = confidenceFor(basis, weakest?.score ?? null, cal);
  const verified = isVerified({ answer, confidence, basis }, threshold);
  if (!verified && reason === null) {
    reason =
      confidence === null
        ? 'The search found no answer path to score.'
        : `The PRM doubts step ${weakest!.depth} ("${clip(weakest!.text)}"): at least one step looks wrong to it.`;
  }
  // Keep the one meaning everywhere: an answer that is not verified never shows a confidence at or above the line.
  if (!verified && confidence !== null && confidence >= threshold) confidence = null;
  return { ...base, confidence, basis, verified, caveat: verified ? null : reason };
}

/**
 * The one rule for "verified": an answer, a confidence at or above the threshold, resting on the PRM's
 * scores of a problem inside the models' domain (not on a false equation, nor outside the domain).
 */
export function isVerified(x: { answer: string | null; confidence: number | null; basis: ConfidenceBasis | null }, threshold: number): boolean {
  return x.answer !== null && x.basis === 'score' && x.confidence !== null && x.confidence >= threshold;
}

function firstFalseEquation(winner: ThoughtNode | null): { depth: number; text: string; lhs: string; actual: string } | null {
  const nodes: ThoughtNode[] = [];
  for (let n = winner; n && n.id !== null; n = n.parent) nodes.unshift(n);
  for (const n of nodes) {
    const f = falseEquation(n.text);
    if (f) return { depth: n.depth, text: f.text, lhs: f.text.split('=')[0]!.trim(), actual: f.actual };
  }
  return null;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}

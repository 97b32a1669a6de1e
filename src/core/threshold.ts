// SpecSearch's quality-preserving rejection: an estimate β of the large model's thought quality, per path.
// A threshold at or above the large model's expected thought quality loses no quality (Wang et al., 2025);
// β starts from the large model's own thoughts at the root and is updated at every step by a rule:
//  - "paper" (the default): β ← θ·β + (1 − θ)·max(scores of the kept children), the paper's rule. With an
//    uncalibrated verifier whose scores sit near 0 or 1 it climbs towards the best draft's score, above what
//    the large model itself reaches, and right drafts get rejected deeper in the tree.
//  - "large": β ← θ·β + (1 − θ)·factor·mean(scores of the large model's own thoughts at this step), the same
//    estimator as at the root, kept up to date with what the large model actually writes; unchanged at
//    steps where the large model wrote nothing.

export const THRESHOLD_RULES = ['paper', 'large'] as const;
export type ThresholdRule = (typeof THRESHOLD_RULES)[number];

export interface ThresholdSettings {
  /** θ in β ← θ·β + (1 − θ)·(new evidence). */
  thresholdDecay: number;
  /** β₀ = factor × max score of the large model's root thoughts; the "large" rule scales its evidence too. */
  initialThresholdFactor: number;
  thresholdRule: ThresholdRule;
}

export function initialThreshold(largeScores: readonly number[], s: Pick<ThresholdSettings, 'initialThresholdFactor'>): number {
  if (largeScores.length === 0) throw new Error('the initial threshold needs at least one large-model score');
  return s.initialThresholdFactor * Math.max(...largeScores);
}

/** What one step produced below a node: the children kept, and which of them the large model wrote. */
export interface StepScores {
  kept: readonly number[];
  large: readonly number[];
}

export function updateThreshold(beta: number, step: StepScores, s: ThresholdSettings): number {
  if (s.thresholdRule === 'large') {
    if (step.large.length === 0) return beta;
    const mean = step.large.reduce((a, b) => a + b, 0) / step.large.length;
    return s.thresholdDecay * beta + (1 - s.thresholdDecay) * s.initialThresholdFactor * mean;
  }
  if (step.kept.length === 0) return beta;
  return s.thresholdDecay * beta + (1 - s.thresholdDecay) * Math.max(...step.kept);
}

export interface Judgement<T> {
  /** Passed β and kept: the best `slots` of those that passed. */
  kept: T[];
  /** Passed β, but `slots` better drafts were kept already. */
  surplus: T[];
  /** Scored below β. */
  rejected: T[];
}

/**
 * Judges the small model's drafts against β. If `slots` or more pass, the best `slots` are kept;
 * otherwise all that pass, and the large model writes the rest. Sorting is stable, so ties keep
 * drafting order.
 */
export function judge<T>(drafts: readonly T[], beta: number, slots: number, scoreOf: (d: T) => number = (d) => (d as { score: number }).score): Judgement<T> {
  const passed = [...drafts.filter((c) => scoreOf(c) >= beta)].sort((a, b) => scoreOf(b) - scoreOf(a));
  return {
    kept: passed.slice(0, Math.max(0, slots)),
    surplus: passed.slice(Math.max(0, slots)),
    rejected: drafts.filter((c) => scoreOf(c) < beta),
  };
}

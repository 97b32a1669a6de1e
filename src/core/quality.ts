// SpecSearch's quality-preserving rejection: an estimate β of the large model's thought quality, per path.
// A threshold at or above the large model's expected thought quality loses no quality (Wang et al., 2025);
// β starts from the large model's own thoughts at the root and follows the best kept scores after that.

export interface ThresholdSettings {
  /** θ in β ← θ·β + (1 − θ)·max(kept scores). */
  thresholdDecay: number;
  /** β₀ = factor × max score of the large model's root thoughts. */
  initialThresholdFactor: number;
}

export function initialThreshold(largeScores: readonly number[], s: ThresholdSettings): number {
  if (largeScores.length === 0) throw new Error('the initial threshold needs at least one large-model score');
  return s.initialThresholdFactor * Math.max(...largeScores);
}

export function updateThreshold(beta: number, keptScores: readonly number[], s: ThresholdSettings): number {
  if (keptScores.length === 0) return beta;
  return s.thresholdDecay * beta + (1 - s.thresholdDecay) * Math.max(...keptScores);
}

export interface Judgement<T> {
  accepted: T[];
  rejected: T[];
}

/**
 * Accepts candidates scoring at least β. If N or more pass, the N best are kept; otherwise all that
 * pass (k < N) and the large model writes the rest. Sorting is stable, so ties keep drafting order.
 */
export function judge<T extends { score: number }>(candidates: readonly T[], beta: number, n: number): Judgement<T> & { kept: T[] } {
  const accepted = candidates.filter((c) => c.score >= beta);
  const rejected = candidates.filter((c) => c.score < beta);
  const kept = [...accepted].sort((a, b) => b.score - a.score).slice(0, n);
  return { accepted, rejected, kept };
}

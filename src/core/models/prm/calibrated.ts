// A PRM whose raw scores are mapped to the probability that a thought is right (models.prm.calibration).
// The map is monotone, so it ranks paths exactly as the raw scores do, and the least of a path's calibrated
// step scores is the calibration of the least raw one: only the scale changes, to the one SpecSearch's
// threshold β and search.minConfidence are written on.
import type { Calibration } from '../../settings';
import type { ProcessRewardModel, ScoreRequest, ScoreResult } from '../types';

/** P(right | raw) = 1 / (1 + (midpoint / raw)^slope): ½ at the midpoint, towards 1 above it, towards 0 below. */
export function calibrate(raw: number, c: Calibration): number {
  if (!(raw > 0)) return 0;
  return 1 / (1 + (c.midpoint / raw) ** c.slope);
}

export class CalibratedRewardModel implements ProcessRewardModel {
  readonly label: string;

  constructor(
    private readonly inner: ProcessRewardModel,
    private readonly calibration: Calibration,
  ) {
    this.label = `${inner.label}, calibrated (midpoint ${calibration.midpoint}, slope ${calibration.slope})`;
  }

  async scoreLast(request: ScoreRequest): Promise<ScoreResult> {
    const result = await this.inner.scoreLast(request);
    const map = (xs: number[]) => xs.map((x) => calibrate(x, this.calibration));
    return { ...result, scores: map(result.scores), ...(result.thoughtScores ? { thoughtScores: map(result.thoughtScores) } : {}) };
  }

  async scoreSteps(problem: string, steps: readonly string[], signal: AbortSignal, separator?: string): Promise<number[]> {
    return (await this.inner.scoreSteps(problem, steps, signal, separator)).map((x) => calibrate(x, this.calibration));
  }

  async forget(): Promise<void> {
    await this.inner.forget?.();
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

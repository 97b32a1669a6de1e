// How far the PRM backs an answer, and whether any surface may show it as verified: computed once, here,
// and carried by search.finished so the CLI, the panel, CodeLens, hover and inline text all say the same.
import * as path from 'node:path';
import type { Settings } from './settings';
import type { ThoughtNode } from './generate/types';
import { bundledModelsDir } from './profiles';
import { parseTinyProblem } from './tiny/task';

export interface AnswerCheck {
  /** The lowest PRM score along the answer's path (0..1); null without an answer path. */
  confidence: number | null;
  /** An answer whose path the PRM backs at least search.minConfidence, from models meant for the problem. */
  verified: boolean;
  /** Why the answer is not verified, in words a user can act on; null when it is. */
  caveat: string | null;
}

/**
 * confidence = min over the thoughts t of the answer's path of score(t). For a step-level PRM (kind
 * "logprob", "vllm-pooling", "judge") that is the weakest step; for a path-level verifier (kind
 * "likelihood", whose score of a path already is the least likely token of any step) it is the score of
 * the whole path. A path is only as trustworthy as its weakest step.
 */
export function confidenceOf(winner: ThoughtNode | null): number | null {
  let confidence: number | null = null;
  for (let n = winner; n && n.id !== null; n = n.parent) confidence = Math.min(confidence ?? 1, n.score);
  return confidence;
}

const TINY_EXAMPLE = 'Start with 7. Add 5. Multiply by 3. What is the result?';

/** The bundled tiny models know one task family: chain arithmetic in a fixed wording. */
function outsideTinyFamily(problem: string, settings: Settings): boolean {
  const large = settings.models.large;
  const bundled = large.provider === 'embedded' && path.resolve(path.dirname(large.model)) === path.resolve(bundledModelsDir());
  return bundled && parseTinyProblem(problem) === null;
}

export function checkAnswer(winner: ThoughtNode | null, answer: string | null, problem: string, settings: Settings): AnswerCheck {
  const confidence = confidenceOf(winner);
  const min = settings.search.minConfidence;
  if (outsideTinyFamily(problem, settings)) {
    return {
      confidence,
      verified: false,
      caveat: `The bundled tiny models only solve chain arithmetic like "${TINY_EXAMPLE}"; this problem is outside what they know, so the answer is a guess. To solve it, point SpecSearch at your own models (specsearch.models.*; docs/servers.md).`,
    };
  }
  if (answer === null) return { confidence, verified: false, caveat: 'The search found no final answer.' };
  if (confidence === null || confidence < min) {
    const shown = confidence === null ? 'unknown' : confidence < 0.01 ? confidence.toExponential(1) : confidence.toFixed(confidence > 0.99 ? 4 : 2);
    return { confidence, verified: false, caveat: `The PRM's confidence in this answer's path is ${shown}, below search.minConfidence ${min}: at least one step looks wrong to it.` };
  }
  return { confidence, verified: true, caveat: null };
}

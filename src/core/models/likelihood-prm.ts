// A verifier PRM from a language model that solves the task: a step scores the smallest probability the
// model gives any of its tokens (and the separator or end that closes it). Embedded only.
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { PrmSettings } from '../config';
import { throwIfAborted } from '../errors';
import { rawPrompt, type EmbeddedRuntime } from './embedded';
import { FULL_DISTRIBUTION, alignPrefix, evaluateDistributions, tokenizeWithBos, type SequencePool } from './sequences';
import type { ProcessRewardModel, ScoreRequest, ScoreResult } from './types';

const SEPARATOR = '\n\n';

/**
 * On a task whose every step is determined by the problem and the steps before it, a model that solves
 * it well is sure of each token of a right step; a wrong digit or operand is a token it did not expect.
 */
export class LikelihoodRewardModel implements ProcessRewardModel {
  readonly label: string;
  private pool: Promise<SequencePool> | null = null;
  private readonly contexts: LlamaContext[] = [];

  constructor(
    private readonly runtime: EmbeddedRuntime,
    private readonly settings: PrmSettings,
    private readonly model: LlamaModel,
  ) {
    this.label = `PRM (likelihood, embedded, ${settings.model})`;
  }

  private sequences(): Promise<SequencePool> {
    const n = this.settings.maxConcurrency;
    this.pool ??= this.runtime.sequencePool(this.model, this.settings.model, n, this.contexts);
    return this.pool;
  }

  /** Tokens of the path and where its last step (with what closes it) begins. */
  private path(problem: string, steps: readonly string[]): { tokens: Token[]; from: number } {
    const before = tokenizeWithBos(this.model, rawPrompt(problem, steps.slice(0, -1), SEPARATOR));
    const last = steps[steps.length - 1] ?? '';
    const closing = /answer is/i.test(last) ? [this.model.tokens.eos].filter((t): t is Token => t !== null) : this.model.tokenize(SEPARATOR);
    return { tokens: [...before, ...this.model.tokenize(last), ...closing], from: before.length };
  }

  private async scoreOne(problem: string, steps: readonly string[], signal: AbortSignal): Promise<number> {
    const { tokens, from } = this.path(problem, steps);
    const pool = await this.sequences();
    const sequence: LlamaContextSequence = await pool.acquire(tokens, signal);
    try {
      throwIfAborted(signal);
      // Probabilities are read at the token before each scored one: keep the cache only up to there.
      const input = await alignPrefix(sequence, tokens, from - 1);
      const offset = tokens.length - input.length;
      const dists = await evaluateDistributions(sequence, input, (i) => offset + i >= from - 1 && offset + i < tokens.length - 1, FULL_DISTRIBUTION);
      let score = 1;
      for (let k = from; k < tokens.length; k++) {
        const p = dists[k - 1 - offset]?.get(tokens[k]) ?? 0;
        score = Math.min(score, p);
      }
      return score;
    } finally {
      pool.release(sequence);
    }
  }

  async scoreLast(request: ScoreRequest): Promise<ScoreResult> {
    const started = performance.now();
    const scores = await Promise.all(request.paths.map((steps) => this.scoreOne(request.problem, steps, request.signal)));
    return { scores, ms: performance.now() - started, requests: request.paths.length };
  }

  async scoreSteps(problem: string, steps: readonly string[], signal: AbortSignal): Promise<number[]> {
    const scores: number[] = [];
    for (let k = 1; k <= steps.length; k++) scores.push(await this.scoreOne(problem, steps.slice(0, k), signal));
    return scores;
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.contexts.map((c) => c.dispose()));
    this.contexts.length = 0;
    this.pool = null;
  }
}

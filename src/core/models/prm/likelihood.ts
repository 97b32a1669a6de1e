// PRM kind "likelihood": a verifier from a language model that solves the task: a path scores the smallest probability the
// model gives any token of its steps (and the separator or end that closes each), so once any step is
// wrong, every later step of that path scores low too. Embedded only.
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { PrmSettings } from '../../config';
import { throwIfAborted } from '../../errors';
import type { EmbeddedRuntime } from '../embedded';
import { rawPrompt } from '../templates';
import { FULL_DISTRIBUTION, alignPrefix, evaluateDistributions, tokenizeWithBos, type SequencePool } from '../sequences';
import type { ProcessRewardModel, ScoreRequest, ScoreResult } from '../types';

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

  /**
   * Tokens of the path and where each step (with what closes it: the separator, or the end of sequence
   * after an answer) begins and ends.
   */
  private path(problem: string, steps: readonly string[]): { tokens: Token[]; spans: [number, number][] } {
    const tokens = tokenizeWithBos(this.model, rawPrompt(problem, [], SEPARATOR));
    const spans: [number, number][] = [];
    const eos = this.model.tokens.eos;
    steps.forEach((step, k) => {
      const start = tokens.length;
      const last = k === steps.length - 1;
      const closing = last && /answer is/i.test(step) && eos !== null ? [eos] : this.model.tokenize(SEPARATOR);
      tokens.push(...this.model.tokenize(step), ...closing);
      spans.push([start, tokens.length]);
    });
    return { tokens, spans };
  }

  /** Every step's score along the path: the least probable token of that step or of any step before it. */
  private async scorePath(problem: string, steps: readonly string[], signal: AbortSignal): Promise<number[]> {
    if (steps.length === 0) return [];
    const { tokens, spans } = this.path(problem, steps);
    const from = spans[0][0];
    const pool = await this.sequences();
    const sequence: LlamaContextSequence = await pool.acquire(tokens, signal);
    try {
      throwIfAborted(signal);
      // Probabilities are read at the token before each scored one: keep the cache only up to there.
      const input = await alignPrefix(sequence, tokens, from - 1);
      const offset = tokens.length - input.length;
      const dists = await evaluateDistributions(sequence, input, (i) => offset + i >= from - 1 && offset + i < tokens.length - 1, FULL_DISTRIBUTION);
      let score = 1;
      return spans.map(([start, end]) => {
        for (let k = start; k < end; k++) score = Math.min(score, dists[k - 1 - offset]?.get(tokens[k]) ?? 0);
        return score;
      });
    } finally {
      pool.release(sequence);
    }
  }

  async scoreLast(request: ScoreRequest): Promise<ScoreResult> {
    const started = performance.now();
    const scores = await Promise.all(request.paths.map(async (steps) => (await this.scorePath(request.problem, steps, request.signal)).at(-1) ?? 1));
    return { scores, ms: performance.now() - started, requests: request.paths.length };
  }

  async scoreSteps(problem: string, steps: readonly string[], signal: AbortSignal): Promise<number[]> {
    return this.scorePath(problem, steps, signal);
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.contexts.map((c) => c.dispose()));
    this.contexts.length = 0;
    this.pool = null;
  }
}

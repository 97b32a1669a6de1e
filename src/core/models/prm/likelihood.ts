// PRM kind "likelihood": a verifier from a language model that solves the task: a path scores the smallest probability the
// model gives any token of its steps (and the separator or end that closes each), so once any step is
// wrong, every later step of that path scores low too. Embedded only.
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { PrmSettings } from '../../config';
import { extractAnswer } from '../../answer/extract';
import { throwIfAborted } from '../../errors';
import type { EmbeddedRuntime } from '../embedded';
import type { EmbeddedPrompt } from '../embedded-prompt';
import { FULL_DISTRIBUTION, alignPrefix, evaluateDistributions, inLanes, type SequencePool } from '../sequences';
import type { ProcessRewardModel, ScoreRequest, ScoreResult } from '../types';

/** The step separator where a caller names none (the engine always passes the search's). */
const SEPARATOR = '\n\n';
const KNOWN_PATHS = 20_000;

const pathKey = (problem: string, steps: readonly string[], separator: string) => [separator, problem, ...steps].join('\u0000');

/**
 * On a task whose every step is determined by the problem and the steps before it, a model that solves
 * it well is sure of each token of a right step; a wrong digit or operand is a token it did not expect.
 */
export class LikelihoodRewardModel implements ProcessRewardModel {
  readonly label: string;
  private pool: Promise<SequencePool> | null = null;
  private readonly contexts: LlamaContext[] = [];
  /** Scores of paths scored before, by problem and steps (oldest dropped first). */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly runtime: EmbeddedRuntime,
    private readonly settings: PrmSettings,
    private readonly model: LlamaModel,
    private readonly prompt: EmbeddedPrompt,
  ) {
    this.label = `PRM (likelihood, embedded, ${settings.model})`;
  }

  private sequences(): Promise<SequencePool> {
    const n = this.settings.maxConcurrency;
    this.pool ??= this.runtime.sequencePool(this.model, this.settings.model, n, this.contexts);
    return this.pool;
  }

  /**
   * Tokens of the path (the problem in the model's prompt format, then the steps) and where each step,
   * with what closes it, begins and ends: the search's step separator, or the end of sequence after a
   * step that gives the final answer (by the engine's own answer rule: "the answer is …", \boxed{…}).
   */
  private path(problem: string, steps: readonly string[], separator: string): { tokens: Token[]; spans: [number, number][] } {
    const tokens = this.prompt.tokens({ problem, mode: 'solve', steps: [], separator });
    const spans: [number, number][] = [];
    const eos = this.model.tokens.eos;
    steps.forEach((step, k) => {
      const start = tokens.length;
      const last = k === steps.length - 1;
      const closing = last && extractAnswer(step) !== null && eos !== null ? [eos] : this.model.tokenize(separator);
      tokens.push(...this.model.tokenize(step), ...closing);
      spans.push([start, tokens.length]);
    });
    return { tokens, spans };
  }

  /**
   * The scores of steps `first`… of the path: the least probable token of that step or of any step before
   * it, where `prior` is the score of the path up to step `first` (1 for the whole path). Probabilities are
   * read only for the scored steps' tokens; the steps before them are evaluated (or found in the sequence's
   * cache) as context.
   */
  private async scoreFrom(problem: string, steps: readonly string[], separator: string, first: number, prior: number, signal: AbortSignal): Promise<{ path: number[]; own: number[] }> {
    const { tokens, spans } = this.path(problem, steps, separator);
    const from = spans[first][0];
    const pool = await this.sequences();
    const sequence: LlamaContextSequence = await pool.acquire(tokens, signal);
    try {
      throwIfAborted(signal);
      // Probabilities are read at the token before each scored one: keep the cache only up to there.
      const input = await alignPrefix(sequence, tokens, from - 1);
      const offset = tokens.length - input.length;
      const dists = await evaluateDistributions(sequence, input, (i) => offset + i >= from - 1 && offset + i < tokens.length - 1, FULL_DISTRIBUTION);
      let score = prior;
      const path: number[] = [];
      const own: number[] = [];
      for (const [start, end] of spans.slice(first)) {
        let step = 1;
        for (let k = start; k < end; k++) step = Math.min(step, dists[k - 1 - offset]?.get(tokens[k]) ?? 0);
        score = Math.min(score, step);
        path.push(score);
        own.push(step);
      }
      return { path, own };
    } finally {
      pool.release(sequence);
    }
  }

  /**
   * A search scores a node's children right after the node itself: the path up to the parent is usually
   * known, and only the new step's tokens need their probabilities read (a quarter of the work at depth 4).
   */
  private remember(key: string, score: number): void {
    if (this.known.size >= KNOWN_PATHS) this.known.delete(this.known.keys().next().value as string);
    this.known.set(key, score);
  }

  /** The path's score and the last step's own. */
  private async scoreLastOne(problem: string, steps: readonly string[], separator: string, signal: AbortSignal): Promise<[number, number]> {
    if (steps.length === 0) return [1, 1];
    // The longest known prefix: its score is the prior, and only the steps after it are read.
    let first = steps.length - 1;
    let prior: number | undefined;
    for (; first > 0; first--) if ((prior = this.known.get(pathKey(problem, steps.slice(0, first), separator))) !== undefined) break;
    const { path, own } = await this.scoreFrom(problem, steps, separator, first, prior ?? 1, signal);
    path.forEach((s, i) => this.remember(pathKey(problem, steps.slice(0, first + i + 1), separator), s));
    return [path[path.length - 1], own[own.length - 1]];
  }

  async scoreLast(request: ScoreRequest): Promise<ScoreResult> {
    const started = performance.now();
    const separator = request.separator ?? SEPARATOR;
    // A few at a time: a path finds a sequence holding the siblings' shared prefix (EmbeddedRuntime.lanes).
    const both = await inLanes(request.paths.length, this.runtime.lanes, (i) => this.scoreLastOne(request.problem, request.paths[i], separator, request.signal));
    return { scores: both.map((b) => b[0]), thoughtScores: both.map((b) => b[1]), ms: performance.now() - started, requests: request.paths.length };
  }

  async scoreSteps(problem: string, steps: readonly string[], signal: AbortSignal, separator = SEPARATOR): Promise<number[]> {
    return steps.length === 0 ? [] : (await this.scoreFrom(problem, steps, separator, 0, 1, signal)).path;
  }

  async forget(): Promise<void> {
    this.known.clear();
    this.prompt.forget();
    await (await this.pool)?.clear();
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.contexts.map((c) => c.dispose()));
    this.contexts.length = 0;
    this.pool = null;
    this.known.clear();
  }
}

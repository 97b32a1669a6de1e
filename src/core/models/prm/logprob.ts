// PRM kind "logprob" (Math-Shepherd style): the text is the problem and the steps, each closed by a step tag,
// in the PRM's own training format (templates.ts); a step's score is P(positive) / (P(positive) + P(negative))
// for the token after its tag. Served over HTTP (any server with completion logprobs) or embedded (node-llama-cpp).
import type { LlamaContext, LlamaModel, Token } from 'node-llama-cpp';
import type { PrmSettings } from '../../config';
import { EngineError, throwIfAborted } from '../../errors';
import { fixFor } from '../capabilities';
import type { EmbeddedRuntime } from '../embedded';
import { FULL_DISTRIBUTION, SequencePool, alignPrefix, evaluateDistributions, inLanes, tokenizeWithBos } from '../sequences';
import { prmTaggedText } from '../templates';
import type { ProcessRewardModel, ScoreRequest, ScoreResult } from '../types';
import { CompletionPrm, FULL_VOCAB, probabilityOf } from './http';

/** Math-Shepherd-style over HTTP: the text is prmTaggedText (the PRM's training format); score = p(+)/(p(+)+p(−)). */
export class LogprobPrm extends CompletionPrm {
  protected async scorePaths(problem: string, paths: readonly (readonly string[])[], signal: AbortSignal) {
    const prompts = paths.map((steps) => prmTaggedText(problem, steps, this.settings.stepTag));
    const what = `scoring ${paths.length} thought${paths.length === 1 ? '' : 's'} (POST /completions, logprobs)`;
    const { alternatives, requests: first } = await this.nextToken(prompts, signal, what);
    let requests = first;
    // A label outside the top alternatives leaves the score uncertain (an undertrained PRM): where
    // llama-server can return the whole (small) vocabulary, ask again so it matches the embedded PRM's.
    const caps = await this.probe(signal);
    const unread = alternatives.flatMap((top, i) => (top !== null && this.uncertainty(top) > 1e-3 ? [i] : []));
    if (unread.length > 0 && caps.server === 'llama.cpp' && caps.vocabSize !== null && caps.vocabSize <= FULL_VOCAB) {
      const again = await this.nextToken(unread.map((i) => prompts[i]), signal, what, caps.vocabSize);
      unread.forEach((i, k) => (alternatives[i] = again.alternatives[k]));
      requests += again.requests;
    }
    const scores = alternatives.map((top) => {
      if (top === null) {
        throw new EngineError({
          code: 'bad-response',
          message: `${this.label}: the server returned no logprobs (${what}), so the "${this.settings.positiveToken}"/"${this.settings.negativeToken}" PRM cannot be read.`,
          server: this.client.url('/completions'),
          hint: caps.server === 'ollama'
            ? `Ollama returns logprobs from version 0.12.11 on: ${fixFor('ollama', 'logprobs')}.`
            : `Serve the PRM from a server that returns completion logprobs (vLLM: ${fixFor('vllm', 'logprobs')}; llama-server and SGLang do by default; Ollama from 0.12.11 on).`,
        });
      }
      const p = probabilityOf(top, this.settings.positiveToken);
      const m = probabilityOf(top, this.settings.negativeToken);
      return p + m > 0 ? p / (p + m) : 0;
    });
    return { scores, requests };
  }

  /** How far the score could move if a label missing from the top-k had up to the k-th probability. */
  private uncertainty(top: Map<string, number>): number {
    const p = probabilityOf(top, this.settings.positiveToken);
    const m = probabilityOf(top, this.settings.negativeToken);
    if (p > 0 && m > 0) return 0;
    if (p === 0 && m === 0) return 1;
    const floor = Math.min(...[...top.values()].map(Math.exp));
    return p > 0 ? 1 - p / (p + floor) : floor / (floor + m);
  }
}


/** Math-Shepherd-style PRM: after each step a tag; P("+") / (P("+") + P("-")) at the tag is the step's score. */
export class EmbeddedLogprobPrm implements ProcessRewardModel {
  readonly label: string;
  private pool: Promise<SequencePool> | null = null;
  private readonly contexts: LlamaContext[] = [];
  private readonly plus: Token;
  private readonly minus: Token;

  constructor(
    private readonly runtime: EmbeddedRuntime,
    private readonly settings: PrmSettings,
    private readonly model: LlamaModel,
  ) {
    this.label = `PRM (embedded, ${settings.model})`;
    this.plus = this.singleToken(settings.positiveToken, 'positiveToken');
    this.minus = this.singleToken(settings.negativeToken, 'negativeToken');
  }

  private singleToken(text: string, key: string): Token {
    const tokens = this.model.tokenize(text);
    if (tokens.length !== 1) {
      throw new EngineError({ code: 'config', message: `models.prm.${key} "${text}" is ${tokens.length} tokens for ${this.settings.model}; it must be exactly one.`, hint: 'Use the label tokens the PRM was trained with.' });
    }
    return tokens[0];
  }

  private sequences(): Promise<SequencePool> {
    const n = this.settings.maxConcurrency;
    this.pool ??= this.runtime.sequencePool(this.model, this.settings.model, n, this.contexts);
    return this.pool;
  }

  private tokens(problem: string, steps: readonly string[]): Token[] {
    return tokenizeWithBos(this.model, prmTaggedText(problem, steps, this.settings.stepTag));
  }

  /** Evaluates `tokens` and reads the label distribution after each position in `at` (indices into `tokens`). */
  private async scoreAt(tokens: Token[], at: number[], signal: AbortSignal): Promise<number[]> {
    const pool = await this.sequences();
    const sequence = await pool.acquire(tokens, signal);
    try {
      throwIfAborted(signal);
      const input = await alignPrefix(sequence, tokens, Math.min(...at));
      const offset = tokens.length - input.length;
      const wanted = new Set(at);
      const dists = await evaluateDistributions(sequence, input, (i) => wanted.has(offset + i), FULL_DISTRIBUTION);
      return at.map((index) => {
        const probs = dists[index - offset];
        const p = probs?.get(this.plus) ?? 0;
        const m = probs?.get(this.minus) ?? 0;
        return p + m > 0 ? p / (p + m) : 0;
      });
    } finally {
      pool.release(sequence);
    }
  }

  async scoreLast(request: ScoreRequest): Promise<ScoreResult> {
    const started = performance.now();
    // A few at a time: a path finds a sequence holding the siblings' shared prefix (EmbeddedRuntime.lanes).
    const scores = await inLanes(request.paths.length, this.runtime.lanes, async (i) => {
      const tokens = this.tokens(request.problem, request.paths[i]);
      return (await this.scoreAt(tokens, [tokens.length - 1], request.signal))[0];
    });
    return { scores, ms: performance.now() - started, requests: request.paths.length };
  }

  async scoreSteps(problem: string, steps: readonly string[], signal: AbortSignal): Promise<number[]> {
    // The tag closes each step, so the position of the k-th step's tag is where its prefix ends.
    const at = steps.map((_, k) => this.tokens(problem, steps.slice(0, k + 1)).length - 1);
    return this.scoreAt(this.tokens(problem, steps), at, signal);
  }

  async forget(): Promise<void> {
    await (await this.pool)?.clear();
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.contexts.map((c) => c.dispose()));
    this.contexts.length = 0;
    this.pool = null;
  }
}

// Sequences of node-llama-cpp contexts: a pool that hands them to concurrent calls, preferring the one
// whose cached tokens share the longest prefix with the new request, the prefix alignment itself, and
// reading next-token distributions off an evaluation.
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { cancelledError } from '../errors';

/**
 * Sequences handed out to concurrent calls; the free one sharing the longest prefix with the request is
 * preferred. The pool grows on demand, `grow(n)` adding a context of n sequences, up to `limit` sequences: a
 * context costs time to create (the large tiny model: ~20 ms each, 0.8 s for 32), and a solve needs only
 * as many as it has calls in flight, often far fewer than the limit.
 */
export class SequencePool {
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiting: ((s: LlamaContextSequence) => void)[] = [];
  private size = 0;

  constructor(
    private readonly grow: (sequences: number) => Promise<LlamaContextSequence[]>,
    private readonly limit: number,
    private readonly perContext = 1,
  ) {}

  /** Sequences created so far. */
  get created(): number {
    return this.size;
  }

  private async add(): Promise<LlamaContextSequence[]> {
    const n = Math.min(this.perContext, this.limit - this.size);
    this.size += n;
    try {
      return await this.grow(n);
    } catch (err) {
      this.size -= n;
      throw err;
    }
  }

  async acquire(tokens: Token[], signal: AbortSignal): Promise<LlamaContextSequence> {
    if (this.free.length === 0 && this.size < this.limit) {
      const [first, ...rest] = await this.add();
      rest.forEach((s) => this.release(s));
      return first;
    }
    if (this.free.length > 0) {
      let bestIndex = 0;
      let bestShared = -1;
      this.free.forEach((s, i) => {
        const shared = s.compareContextTokens(tokens).firstDifferentIndex;
        if (shared > bestShared) {
          bestShared = shared;
          bestIndex = i;
        }
      });
      return this.free.splice(bestIndex, 1)[0];
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(cancelledError());
      };
      const take = (s: LlamaContextSequence) => {
        signal.removeEventListener('abort', onAbort);
        resolve(s);
      };
      this.waiting.push(take);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Empties the KV cache of every free sequence (those in use keep theirs). */
  async clear(): Promise<void> {
    await Promise.all(this.free.map((s) => (s.nextTokenIndex > 0 ? s.eraseContextTokenRanges([{ start: 0, end: s.nextTokenIndex }]) : undefined)));
  }

  release(sequence: LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next) next(sequence);
    else this.free.push(sequence);
  }
}

/** `work(0)` … `work(n - 1)`, at most `lanes` of them at once, started in order; their results by index. */
export async function inLanes<T>(n: number, lanes: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) results[i] = await work(i);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, lanes)) }, lane));
  return results;
}

/** Makes the sequence hold exactly `tokens` minus what must still be evaluated; returns that remainder (≥ 1 token). */
export async function alignPrefix(sequence: LlamaContextSequence, tokens: Token[], keepAtMost = tokens.length - 1): Promise<Token[]> {
  const shared = Math.min(sequence.compareContextTokens(tokens).firstDifferentIndex, keepAtMost);
  if (sequence.nextTokenIndex > shared) {
    await sequence.eraseContextTokenRanges([{ start: shared, end: sequence.nextTokenIndex }]);
  }
  return tokens.slice(shared);
}

/** BOS (when the model has one) followed by the tokens of `text`. */
export function tokenizeWithBos(model: LlamaModel, text: string): Token[] {
  const bos = model.tokens.bos;
  return [...(bos !== null ? [bos] : []), ...model.tokenize(text)];
}

/** Sampler settings under which a distribution is the model's plain softmax over the whole vocabulary. */
export const FULL_DISTRIBUTION = { temperature: 1, topK: 0, topP: 1, minP: 0 };

/**
 * Evaluates `input` on `sequence` and returns the next-token distribution after each position (index into
 * `input`) that `wanted` picks, under the sampler settings `options`; other positions are undefined.
 */
export async function evaluateDistributions(
  sequence: LlamaContextSequence,
  input: Token[],
  wanted: (index: number) => boolean,
  options: { temperature: number; topK: number; topP: number; minP: number },
): Promise<(Map<Token, number> | undefined)[]> {
  const items = input.map((token, i) => (wanted(i) ? ([token, { generateNext: { probabilities: true, options } }] as const) : token));
  const out = await sequence.controlledEvaluate(items as Parameters<LlamaContextSequence['controlledEvaluate']>[0]);
  return input.map((_, i) => out[i]?.next.probabilities);
}

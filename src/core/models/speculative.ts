// Token-level speculative sampling (Leviathan et al., 2023; Chen et al., 2023) on two node-llama-cpp
// sequences. The draft model proposes up to k tokens one by one; the target model checks all of them in
// one evaluation; proposal x is kept with probability min(1, p(x) / q(x)), and the first one refused is
// replaced by a sample from the residual max(0, p − q). Every token therefore follows the target model's
// own sampling distribution (at temperature 0: its greedy choice), only more of them come per target
// evaluation.
//
// Written on `controlledEvaluate` rather than node-llama-cpp 3.21.1's DraftSequenceTokenPredictor: that
// predictor's check keeps at most one predicted token per target evaluation (the rest are counted as
// refuted), and its draft runs beside the target instead of before it, so on a CPU it rarely has tokens
// ready: with the tiny trio it kept 83 draft tokens in ~13,000 and made generation 2× slower, where this
// loop keeps ~98 % of the proposals.
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { cancelledError } from '../errors';
import { mulberry32 } from '../tiny/task';
import { alignPrefix, evaluateDistributions } from './sequences';

export interface SpeculationOptions {
  temperature: number;
  seed: number;
  /** Most tokens the draft model proposes per round. */
  maxDraftTokens: number;
  /** The draft stops proposing when its most likely next token is less likely than this. */
  minDraftConfidence: number;
  signal: AbortSignal;
}

export interface SpeculationCounts {
  drafted: number;
  accepted: number;
}

export type Distribution = Map<Token, number>;

/** The sampler settings of a plain generation at this temperature (node-llama-cpp's defaults), so both agree. */
function samplerOptions(temperature: number) {
  return { temperature, topK: 40, topP: 0.95, minP: 0 };
}

function argmax(dist: Distribution): Token {
  let best: Token | null = null;
  let bestP = -1;
  for (const [token, p] of dist) {
    if (p > bestP) {
      best = token;
      bestP = p;
    }
  }
  return best as Token;
}

export function sample(dist: Distribution, temperature: number, rand: () => number): Token {
  if (temperature === 0) return argmax(dist);
  let total = 0;
  for (const p of dist.values()) total += p;
  let u = rand() * total;
  let last: Token | null = null;
  for (const [token, p] of dist) {
    last = token;
    u -= p;
    if (u <= 0) return token;
  }
  return last as Token;
}

/** The residual distribution max(0, p − q), from which a refused proposal is replaced. */
function residual(p: Distribution, q: Distribution): Distribution {
  const out: Distribution = new Map();
  for (const [token, pv] of p) {
    const r = pv - (q.get(token) ?? 0);
    if (r > 0) out.set(token, r);
  }
  return out.size > 0 ? out : p;
}

/**
 * The acceptance rule: proposals[i] (drawn from q[i]) is kept with probability min(1, p[i](x) / q[i](x));
 * the first refused one is replaced by a draw from max(0, p[i] − q[i]); when all pass, p[k] gives one more.
 * The tokens it returns follow p exactly. At temperature 0 a proposal passes when it is p's argmax.
 */
export function verify(proposals: Token[], q: Distribution[], p: Distribution[], temperature: number, rand: () => number): { kept: number; next: Token } {
  for (let i = 0; i < proposals.length; i++) {
    const x = proposals[i];
    const passes = temperature === 0 ? argmax(p[i]) === x : rand() < Math.min(1, (p[i].get(x) ?? 0) / (q[i].get(x) ?? 1));
    if (!passes) return { kept: i, next: temperature === 0 ? argmax(p[i]) : sample(residual(p[i], q[i]), temperature, rand) };
  }
  return { kept: proposals.length, next: sample(p[proposals.length], temperature, rand) };
}

/** Evaluates `tokens` on `sequence` and returns the next-token distributions after each position in `at`. */
async function distributions(sequence: LlamaContextSequence, tokens: Token[], at: Set<number>, temperature: number): Promise<Distribution[]> {
  const dists = await evaluateDistributions(sequence, tokens, (i) => at.has(i), samplerOptions(temperature));
  return [...at].sort((a, b) => a - b).map((i) => dists[i] ?? new Map());
}

/**
 * Yields the target model's continuation of `prompt`, token by token. `target` and `draft` are sequences of
 * the two models' contexts; whatever they hold is reused as far as it matches `prompt`. Stop by leaving the
 * loop (the generator's `return`); the sequences keep their state for the next call.
 */
export async function* speculativeTokens(
  target: LlamaContextSequence,
  draft: LlamaContextSequence,
  prompt: Token[],
  options: SpeculationOptions,
  counts: SpeculationCounts,
): AsyncGenerator<Token> {
  const rand = mulberry32(options.seed);
  const tokens = prompt.slice();
  const limit = Math.min(target.contextSize, draft.contextSize) - 1;
  while (tokens.length < limit) {
    if (options.signal.aborted) throw cancelledError();

    // 1. The draft model proposes up to k tokens, one evaluation each, with their probabilities q.
    const room = Math.max(0, Math.min(options.maxDraftTokens, limit - tokens.length - 1));
    const proposals: Token[] = [];
    const q: Distribution[] = [];
    let feed = await alignPrefix(draft, tokens);
    while (proposals.length < room) {
      const [dist] = await distributions(draft, feed, new Set([feed.length - 1]), options.temperature);
      const token = sample(dist, options.temperature, rand);
      if ((dist.get(argmax(dist)) ?? 0) < options.minDraftConfidence) break;
      proposals.push(token);
      q.push(dist);
      feed = [token];
      if (options.signal.aborted) throw cancelledError();
    }

    // 2. The target model evaluates what it has not seen plus every proposal, in one batch: p₀ … p_k.
    const pending = await alignPrefix(target, tokens);
    const checked = [...pending, ...proposals];
    const at = new Set(Array.from({ length: proposals.length + 1 }, (_, i) => pending.length - 1 + i));
    const p = await distributions(target, checked, at, options.temperature);

    // 3. Keep proposals while they pass; the first refused one is resampled from the residual.
    const { kept, next } = verify(proposals, q, p, options.temperature, rand);
    counts.drafted += proposals.length;
    counts.accepted += kept;

    for (const token of [...proposals.slice(0, kept), next]) {
      tokens.push(token);
      yield token;
    }
  }
}

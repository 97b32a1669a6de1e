// What the PRM kinds served over HTTP share: the client and concurrency gate, the server probe, and (for
// kinds that read one next token) a batched /v1/completions call with top logprobs.
import type { Completion } from 'openai/resources/completions';
import type { PrmSettings } from '../../config';
import { throwIfAborted } from '../../errors';
import { capabilitiesOf, degrade, isOllamaURL, type ServerCapabilities } from '../capabilities';
import { Gate, type ServerGates } from '../gate';
import { HttpClient } from '../http-client';
import { badShape, preview } from '../http-errors';
import type { ProcessRewardModel, ScoreRequest, ScoreResult } from '../types';

export type Json = Record<string, unknown>;
/** vLLM's default --max-logprobs; enough for a trained PRM, whose labels dominate the next token. */
export const TOP_LOGPROBS = 20;
/** Below this vocabulary size (the tiny PRM: 305) llama-server returns every token's probability: exact scores. */
export const FULL_VOCAB = 1024;

export abstract class HttpPrm implements ProcessRewardModel {
  readonly label: string;
  readonly client: HttpClient;
  protected readonly gate: Gate;

  constructor(readonly settings: PrmSettings, gates?: ServerGates) {
    this.label = `PRM (${settings.kind}, ${settings.baseURL}, ${settings.model})`;
    this.client = new HttpClient(this.label, 'models.prm', settings);
    this.gate = gates?.for(settings) ?? new Gate(settings.maxConcurrency);
  }

  probe(signal: AbortSignal): Promise<ServerCapabilities> {
    return capabilitiesOf(this.client, this.settings.model, signal);
  }

  /** Scores of the last step of each path, in as few requests as the server allows. */
  protected abstract scorePaths(problem: string, paths: readonly (readonly string[])[], signal: AbortSignal): Promise<{ scores: number[]; requests: number }>;

  async scoreLast(request: ScoreRequest): Promise<ScoreResult> {
    throwIfAborted(request.signal);
    const started = performance.now();
    const { scores, requests } = await this.scorePaths(request.problem, request.paths, request.signal);
    return { scores: this.checked(scores, request.paths.length), ms: performance.now() - started, requests };
  }

  async scoreSteps(problem: string, steps: readonly string[], signal: AbortSignal): Promise<number[]> {
    const prefixes = steps.map((_, k) => steps.slice(0, k + 1));
    return this.checked((await this.scorePaths(problem, prefixes, signal)).scores, steps.length);
  }

  /** One number from 0 to 1 per path, or a bad-response naming this server: never a verdict from garbage. */
  private checked(scores: number[], paths: number): number[] {
    const bad = scores.findIndex((x) => typeof x !== 'number' || !(x >= 0 && x <= 1));
    if (scores.length !== paths || bad !== -1) {
      throw badShape({ label: this.label, url: this.client.baseURL, what: `scoring ${paths} thought${paths === 1 ? '' : 's'}` },
        scores.length !== paths ? `${scores.length} scores for ${paths} thoughts` : `the score ${String(scores[bad])}, not a number from 0 to 1`,
        'Check that models.prm.kind matches the model the server runs (docs/servers.md).');
    }
    return scores;
  }

  async dispose(): Promise<void> {}
}

/** p(target) summed over the top alternatives whose text is the target (with or without a leading space). */
export function probabilityOf(top: Map<string, number>, target: string): number {
  let p = 0;
  for (const [token, logprob] of top) if (token === target || token.trim() === target.trim()) p += Math.exp(logprob);
  return p;
}

/**
 * The top alternatives for the first generated token, from either shape: llama-server's
 * `logprobs.content[0].top_logprobs[] = {token, logprob}` or the legacy OpenAI/vLLM
 * `logprobs.top_logprobs[0] = {token: logprob}`.
 */
export function firstTokenAlternatives(choice: unknown): Map<string, number> | null {
  const logprobs = (choice as Json | undefined)?.logprobs as Json | null | undefined;
  if (!logprobs || typeof logprobs !== 'object') return null;
  const out = new Map<string, number>();
  if (Array.isArray(logprobs.content) && logprobs.content.length > 0) {
    const first = (logprobs.content[0] ?? {}) as Json;
    const top = Array.isArray(first.top_logprobs) ? (first.top_logprobs as (Json | null)[]) : [];
    for (const t of top) if (typeof t?.token === 'string' && typeof t.logprob === 'number') out.set(t.token, Math.max(out.get(t.token) ?? -Infinity, t.logprob));
    if (typeof first.token === 'string' && typeof first.logprob === 'number' && !out.has(first.token)) out.set(first.token, first.logprob);
    return out;
  }
  if (Array.isArray(logprobs.top_logprobs) && logprobs.top_logprobs.length > 0) {
    const top = logprobs.top_logprobs[0] as Record<string, unknown> | null;
      for (const [token, lp] of Object.entries(top ?? {})) if (typeof lp === 'number') out.set(token, lp);
    return out;
  }
  return null;
}

/** A logprob is a finite number ≤ 0 (a little over 0 is rounding); anything else makes the answer unreadable. */
function invalidLogprob(alternatives: readonly (Map<string, number> | null)[]): string | null {
  for (const top of alternatives) {
    for (const [token, lp] of top ?? []) if (!Number.isFinite(lp) || lp > 1e-4) return `the logprob ${lp} for the token ${JSON.stringify(token).slice(0, 40)}`;
  }
  return null;
}

/** One /v1/completions request per batch of prompts (an array where the server takes one), 1 token, top logprobs. */
export abstract class CompletionPrm extends HttpPrm {
  protected async nextToken(prompts: string[], signal: AbortSignal, what: string, top = TOP_LOGPROBS): Promise<{ alternatives: (Map<string, number> | null)[]; texts: string[]; requests: number }> {
    const caps = await this.probe(signal);
    if (caps.server === 'ollama' && isOllamaURL(this.client.baseURL)) return this.ollamaNextToken(caps, prompts, signal, what);
    const arrays = caps.server === 'vllm' || caps.server === 'sglang' || caps.server === 'llama.cpp';
    const ask = async (batch: string[]): Promise<Completion['choices']> => {
      const body = { model: this.settings.model, prompt: batch.length === 1 ? batch[0] : batch, max_tokens: 1, temperature: 0, logprobs: top };
      const response = await this.gate.run(signal, () => this.client.call('/completions', { what, signal }, (s, timeout) =>
        this.client.openai.completions.create(body as never, { signal: s, timeout }) as Promise<Completion>));
      const choices = response?.choices;
      if (!Array.isArray(choices) || choices.length !== batch.length || choices.some((c) => c === null || typeof c !== 'object')) {
        throw badShape({ label: this.label, url: this.client.url('/completions'), what }, `expected ${batch.length} choice(s), got ${preview(response)}`);
      }
      return [...choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    };
    const choices = arrays ? await ask(prompts) : (await Promise.all(prompts.map((p) => ask([p])))).flat();
    if (!arrays && prompts.length > 1) degrade(caps, 'This server is not known to take several prompts in one request: the PRM sends one request per thought.');
    const alternatives = this.readable(choices.map(firstTokenAlternatives), '/completions', what);
    return { alternatives, texts: choices.map((c) => (typeof c.text === 'string' ? c.text : '')), requests: arrays ? 1 : prompts.length };
  }

  private readable(alternatives: (Map<string, number> | null)[], path: string, what: string): (Map<string, number> | null)[] {
    const invalid = invalidLogprob(alternatives);
    if (invalid !== null) throw badShape({ label: this.label, url: this.client.url(path), what }, `${invalid}; logprobs are finite numbers ≤ 0`);
    return alternatives;
  }

  /**
   * Ollama: one raw /api/generate per prompt (raw: no chat template) with `logprobs`/`top_logprobs` (Ollama
   * ≥ 0.12.11, which answers `logprobs: [{token, logprob, top_logprobs: [{token, logprob}]}]`; older versions
   * ignore both). What the answers show replaces the probe's guess from the version.
   */
  private async ollamaNextToken(caps: ServerCapabilities, prompts: string[], signal: AbortSignal, what: string) {
    const answers = await Promise.all(prompts.map((prompt) => this.gate.run(signal, () => this.client.post<Json>('/generate', {
      model: this.settings.model, prompt, raw: true, stream: false, logprobs: true, top_logprobs: TOP_LOGPROBS, options: { num_predict: 1, temperature: 0 },
    }, { what: what.replace('POST /completions', 'POST /api/generate'), signal }))));
    const alternatives = answers.map((a) => {
      const first = Array.isArray(a?.logprobs) ? (a.logprobs[0] as Json | undefined) : undefined;
      return first ? firstTokenAlternatives({ logprobs: { content: [first] } }) : null;
    });
    caps.logprobs = alternatives.some((a) => a !== null);
    return { alternatives: this.readable(alternatives, '/generate', what), texts: answers.map((a) => (typeof a?.response === 'string' ? a.response : '')), requests: prompts.length };
  }
}


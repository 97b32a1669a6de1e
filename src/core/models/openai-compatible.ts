// Models on OpenAI-compatible HTTP servers (vLLM, SGLang, llama.cpp's llama-server, LM Studio); Ollama is picked here too.
import type { Completion, CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import type { ModelSettings } from '../config';
import { EngineError } from '../errors';
import { degrade, isOllamaURL } from './capabilities';
import type { ServerGates } from './gate';
import { badShape, preview } from './http-errors';
import { finishOf, HttpLanguageModel, splitTokens, type Batch, type CompletionCall } from './http-model';
import { OllamaLanguageModel } from './ollama';
import type { Draft, LanguageModel } from './types';

export interface HttpModelOptions {
  /** Shared per-server concurrency gates (createModels makes one set per model trio). */
  gates?: ServerGates;
  /**
   * llama-server is driven through its native /completion by default: its /v1/completions merges `n`
   * choices into one answer that keeps only the first choice's usage, timings and stop type. 'v1' forces
   * /v1/completions (tests use it to check that path against a real server).
   */
  endpoint?: 'auto' | 'v1';
}

/** Ollama when baseURL ends in /api (or is a bare http://HOST:11434); everything else speaks /v1. */
export function createLanguageModel(role: 'small' | 'large', settings: ModelSettings, options: HttpModelOptions = {}): LanguageModel {
  if (isOllamaURL(settings.baseURL ?? '')) return new OllamaLanguageModel(role, settings, options.gates);
  return new OpenAICompatibleModel(role, settings, options.endpoint ?? 'auto', options.gates);
}

type Json = Record<string, unknown>;

export class OpenAICompatibleModel extends HttpLanguageModel {
  constructor(
    role: 'small' | 'large',
    settings: ModelSettings,
    private readonly endpoint: 'auto' | 'v1',
    gates?: ServerGates,
  ) {
    super(role, settings, gates);
  }

  protected complete(call: CompletionCall): Promise<Batch> {
    if (call.caps.server === 'llama.cpp' && this.endpoint === 'auto') return this.native(call);
    return this.v1(call);
  }

  private async v1(call: CompletionCall): Promise<Batch> {
    const { request, caps } = call;
    let stop = [...call.stepStops, ...call.endStops];
    // OpenAI's own limit; vLLM, SGLang and llama.cpp take more, unknown servers may not.
    if (caps.server === 'openai-compatible' || caps.server === 'lmstudio') stop = stop.slice(0, 4);
    const body: Json = {
      model: this.settings.model,
      prompt: call.prompt,
      max_tokens: request.maxTokens,
      temperature: request.temperature,
      seed: call.seed,
      stop,
    };
    if (call.n > 1) body.n = call.n;
    // Keep the stop string so the text itself says whether a step or the whole solution ended.
    if (caps.server === 'vllm') body.include_stop_str_in_output = true;
    if (caps.server === 'sglang') body.no_stop_trim = true;
    const what = `drafting ${call.n} thought${call.n === 1 ? '' : 's'} (POST /completions)`;
    const response = await this.client.call('/completions', { what, signal: request.signal }, (signal, timeout) =>
      this.client.openai.completions.create(body as unknown as CompletionCreateParamsNonStreaming, { signal, timeout }));
    const ctx = { label: this.label, url: this.client.url('/completions'), what };
    const choices = (response as Completion | undefined)?.choices;
    if (!Array.isArray(choices) || choices.some((c) => typeof c?.text !== 'string')) {
      throw badShape(ctx, `no "choices" with "text" in ${preview(response)}`);
    }
    const ordered = [...choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    // vLLM and SGLang say which stop ended a choice (stop_reason / matched_stop; null or a token id = EOS).
    const says = caps.server === 'vllm' || caps.server === 'sglang';
    const endings = ordered.map((c) => {
      const extra = c as unknown as { stop_reason?: string | number | null; matched_stop?: string | number | null };
      return finishOf(c.text, c.finish_reason, extra.stop_reason ?? extra.matched_stop, call, says);
    });
    const usage = (response as Completion).usage?.completion_tokens;
    const tokens = typeof usage === 'number' ? splitTokens(usage, endings.map((e) => e.text)) : endings.map((e) => Math.ceil(e.text.length / 4));
    const drafts: Draft[] = endings.map((e, i) => ({ text: e.text, finish: e.finish, tokens: tokens[i] }));
    const timings = (response as unknown as { timings?: Json }).timings;
    return { drafts, requests: 1, speculative: ordered.length === 1 ? speculationOf(timings) : null };
  }

  /** llama-server's own /completion: per choice stop type, token count and speculation timings. */
  private async native(call: CompletionCall): Promise<Batch> {
    const { request, caps } = call;
    const body: Json = {
      prompt: call.prompt,
      n_predict: request.maxTokens,
      temperature: request.temperature,
      seed: call.seed,
      stop: [...call.stepStops, ...call.endStops],
      cache_prompt: true,
    };
    if (call.n > 1) body.n_cmpl = call.n;
    // This llama-server takes no per-request speculation settings: with -md it speculates on every request.
    if (caps.speculative.enabled && !request.speculative) {
      degrade(caps, 'llama-server speculates on every request once started with -md, so the `large` baseline runs with speculation here too (its stats say so); start a second server without -md for a plain baseline.');
    }
    const path = `${this.client.origin}/completion`;
    const what = `drafting ${call.n} thought${call.n === 1 ? '' : 's'} (POST /completion)`;
    const response = await this.client.post<unknown>(path, body, { what, signal: request.signal });
    const items = (Array.isArray(response) ? response : [response]) as Json[];
    const ctx = { label: this.label, url: path, what };
    if (items.some((it) => typeof it?.content !== 'string')) throw badShape(ctx, `no "content" in ${preview(response)}`);
    items.sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0));
    const drafts: Draft[] = items.map((it) => {
      const stopType = it.stop_type === 'eos' ? 'eos' : it.stop_type === 'limit' ? 'length' : 'stop';
      const word = typeof it.stopping_word === 'string' && it.stopping_word !== '' ? it.stopping_word : undefined;
      const e = finishOf(it.content as string, stopType, word, call, true);
      return { text: e.text, finish: e.finish, tokens: typeof it.tokens_predicted === 'number' ? it.tokens_predicted : Math.ceil(e.text.length / 4) };
    });
    const parts = items.map((it) => speculationOf(it.timings as Json | undefined));
    const present = parts.filter((p) => p !== null);
    const speculative = present.length === 0 ? null : present.reduce((a, b) => ({ drafted: a!.drafted + b!.drafted, accepted: a!.accepted + b!.accepted }), { drafted: 0, accepted: 0 });
    return { drafts, requests: 1, speculative };
  }
}

/** llama-server's `timings.draft_n` / `draft_n_accepted` (present only when a draft model proposed tokens). */
function speculationOf(timings: Json | undefined): { drafted: number; accepted: number } | null {
  if (!timings || typeof timings.draft_n !== 'number') return null;
  return { drafted: timings.draft_n, accepted: typeof timings.draft_n_accepted === 'number' ? timings.draft_n_accepted : 0 };
}

// What every HTTP language model shares: probing, prompt rendering, splitting `n` over requests, finish reasons.
import type { ModelSettings } from '../config';
import { EngineError, throwIfAborted } from '../errors';
import type { SpeculativeStats } from '../events';
import { capabilitiesOf, degrade, type ServerCapabilities } from './capabilities';
import { Gate, type ServerGates } from './gate';
import { HttpClient } from './http-client';
import { badShape, mayBeNUnsupported } from './http-errors';
import { renderPrompt, templateStops } from './templates';
import type { Draft, DraftRequest, DraftResult, LanguageModel, ModelCapabilities } from './types';

/** Thoughts longer than max_tokens × this are refused: no tokenizer has tokens this long on average. */
const MAX_CHARS_PER_TOKEN = 64;

export interface Batch {
  drafts: Draft[];
  requests: number;
  speculative: SpeculativeStats | null;
}

export interface CompletionCall {
  prompt: string;
  /** Completions wanted from this one request. */
  n: number;
  /** Seed of this request; the server varies it per choice. */
  seed: number;
  /** Step separator and user stop strings: ending at one means more steps follow. */
  stepStops: string[];
  /** End-of-turn strings of the template: ending at one means the solution is complete. */
  endStops: string[];
  request: DraftRequest;
  caps: ServerCapabilities;
}

export abstract class HttpLanguageModel implements LanguageModel {
  readonly label: string;
  readonly capabilities: ModelCapabilities = { speculative: false, batchedDrafts: true };
  readonly client: HttpClient;
  protected readonly gate: Gate;

  constructor(
    readonly role: 'small' | 'large',
    readonly settings: ModelSettings,
    gates?: ServerGates,
  ) {
    this.label = `${role} model (${settings.baseURL}, ${settings.model})`;
    this.client = new HttpClient(this.label, `models.${role}`, settings);
    this.gate = gates?.for(settings) ?? new Gate(settings.maxConcurrency);
  }

  /** One HTTP request for `call.n` completions. */
  protected abstract complete(call: CompletionCall): Promise<Batch>;

  probe(signal: AbortSignal): Promise<ServerCapabilities> {
    return capabilitiesOf(this.client, this.settings.model, signal);
  }

  async draft(request: DraftRequest): Promise<DraftResult> {
    throwIfAborted(request.signal);
    const started = performance.now();
    const caps = await this.probe(request.signal);
    this.capabilities.speculative = caps.speculative.enabled === true;
    this.capabilities.batchedDrafts = caps.n !== false;
    if (request.speculative && caps.speculative.enabled === false) {
      degrade(caps, `Token-level speculation was asked for (method "sps", or SpecSearch's corrections) but this server has none (${caps.speculative.evidence}): the large model writes autoregressively. See \`specsearch doctor\` for the flag.`);
    }
    const prompt = renderPrompt({
      template: this.settings.promptTemplate,
      systemPrompt: this.settings.systemPrompt,
      problem: request.problem,
      mode: request.mode,
      steps: request.steps,
      separator: request.stop[0] ?? '\n\n',
    });
    const endStops = templateStops(this.settings.promptTemplate);
    const stepStops = [...new Set(request.stop)].filter((s) => s.length > 0 && !endStops.includes(s));

    const sizes = chunkSizes(request.n, caps);
    let offset = 0;
    const calls = sizes.map((n) => {
      const call: CompletionCall = { prompt, n, seed: request.seed * 1000 + offset, stepStops, endStops, request, caps };
      offset += n;
      return call;
    });
    const batches = await Promise.all(calls.map((call) => this.withFallback(call)));
    const drafts = batches.flatMap((b) => b.drafts);
    const speculative = mergeSpeculative(batches.map((b) => b.speculative));
    return { drafts, ms: performance.now() - started, requests: batches.reduce((s, b) => s + b.requests, 0), speculative };
  }

  /**
   * One request, its answer checked: no more drafts than asked (a single request that answers none or
   * several is malformed), thoughts no longer than max_tokens allows, token counts that are counts.
   */
  private async checkedComplete(call: CompletionCall): Promise<Batch> {
    const batch = await this.complete(call);
    const what = `drafting ${call.n} thought${call.n === 1 ? '' : 's'}`;
    const bad = (detail: string, hint?: string) => badShape({ label: this.label, url: this.client.baseURL, what }, detail, hint);
    const { drafts } = batch;
    if (drafts.length === 0 || (call.n === 1 && drafts.length !== 1)) throw bad(`${drafts.length} completions for a request of ${call.n}`);
    const maxChars = call.request.maxTokens * MAX_CHARS_PER_TOKEN + 256;
    const long = drafts.find((d) => d.text.length > maxChars);
    if (long) throw bad(`a thought of ${long.text.length} characters for max_tokens ${call.request.maxTokens}`, 'The server does not honour max_tokens; check that it is the kind named in docs/servers.md.');
    const count = drafts.find((d) => !Number.isFinite(d.tokens) || d.tokens < 0);
    if (count) throw bad(`the token count ${String(count.tokens)}`);
    const total = drafts.reduce((sum, d) => sum + d.tokens, 0);
    // Servers count a kept stop string or a speculative overshoot differently; far past max_tokens is not a count.
    if (total > drafts.length * (4 * call.request.maxTokens + 16)) throw bad(`${total} tokens for ${drafts.length} completion${drafts.length === 1 ? '' : 's'} of at most ${call.request.maxTokens}`, 'The server does not honour max_tokens; check that it is the kind named in docs/servers.md.');
    return { ...batch, drafts: drafts.map((d) => ({ ...d, tokens: Math.round(d.tokens) })) };
  }

  /** n > 1 in one request, falling back to n parallel requests when the server refuses or ignores `n`. */
  private async withFallback(call: CompletionCall): Promise<Batch> {
    const one = (i: number) => this.gate.run(call.request.signal, () => this.checkedComplete({ ...call, n: 1, seed: call.seed + i }));
    const parallel = async (from: number, count: number): Promise<Batch[]> => Promise.all(Array.from({ length: count }, (_, i) => one(from + i)));
    if (call.n === 1) return one(0);
    let batch: Batch;
    try {
      batch = await this.gate.run(call.request.signal, () => this.checkedComplete(call));
    } catch (err) {
      if (!(err instanceof EngineError) || !mayBeNUnsupported(err.cause)) throw err;
      const rest = await parallel(0, call.n);
      call.caps.n = false;
      degrade(call.caps, `The server refused n = ${call.n} in one request (${err.message.replace(/^[^:]*: /, '')}); the drafts of a node are sent as parallel requests instead (up to maxConcurrency = ${this.settings.maxConcurrency} at once).`);
      return merge(rest);
    }
    if (batch.drafts.length >= call.n) {
      call.caps.n ??= true;
      return { ...batch, drafts: batch.drafts.slice(0, call.n) };
    }
    // The server ignored `n` (answered fewer choices): ask for the rest one by one, and from now on.
    call.caps.n = false;
    degrade(call.caps, `The server ignores \`n\` (asked ${call.n}, got ${batch.drafts.length}); the drafts of a node are sent as parallel requests instead.`);
    const rest = await parallel(batch.drafts.length, call.n - batch.drafts.length);
    return merge([batch, ...rest]);
  }

  async dispose(): Promise<void> {}
}

function chunkSizes(n: number, caps: ServerCapabilities): number[] {
  if (caps.n === false) return Array.from({ length: n }, () => 1);
  const max = caps.maxN !== null && caps.maxN >= 1 ? Math.floor(caps.maxN) : n;
  const sizes: number[] = [];
  for (let left = n; left > 0; left -= max) sizes.push(Math.min(max, left));
  return sizes;
}

function merge(batches: Batch[]): Batch {
  return {
    drafts: batches.flatMap((b) => b.drafts),
    requests: batches.reduce((s, b) => s + b.requests, 0),
    speculative: mergeSpeculative(batches.map((b) => b.speculative)),
  };
}

function mergeSpeculative(parts: (SpeculativeStats | null)[]): SpeculativeStats | null {
  const present = parts.filter((p): p is SpeculativeStats => p !== null);
  if (present.length === 0) return null;
  return present.reduce((a, b) => ({ drafted: a.drafted + b.drafted, accepted: a.accepted + b.accepted }), { drafted: 0, accepted: 0 });
}

/**
 * Why a completion ended, from what the server says. `stopped` is the stop string the server reports
 * (vLLM `stop_reason`, SGLang `matched_stop`, llama.cpp `stopping_word`), or undefined when it does not
 * say; servers that only say "stop" for both EOS and a stop string get the step-separator reading unless
 * the text is empty (a model that ends right away has nothing more to say).
 */
export function finishOf(
  text: string,
  reason: 'stop' | 'length' | 'eos' | string | null | undefined,
  stopped: string | number | null | undefined,
  call: Pick<CompletionCall, 'stepStops' | 'endStops'>,
  serverSaysWhich: boolean,
): Pick<Draft, 'text' | 'finish'> {
  // A kept stop string (vLLM include_stop_str_in_output, SGLang no_stop_trim) is the surest evidence.
  for (const s of call.endStops) if (text.endsWith(s)) return { text: text.slice(0, -s.length), finish: 'eos' };
  for (const s of call.stepStops) if (text.endsWith(s)) return { text: text.slice(0, -s.length), finish: 'stop' };
  if (reason === 'length') return { text, finish: 'length' };
  if (reason === 'eos') return { text, finish: 'eos' };
  if (typeof stopped === 'string') return { text, finish: call.endStops.includes(stopped) ? 'eos' : 'stop' };
  if (serverSaysWhich) return { text, finish: 'eos' };
  return { text, finish: text.trim() === '' ? 'eos' : 'stop' };
}

/** Splits a usage total over choices by text length, so the sum stays exact. */
export function splitTokens(total: number, texts: string[]): number[] {
  if (texts.length === 1) return [total];
  const lengths = texts.map((t) => Math.max(1, t.length));
  const sum = lengths.reduce((a, b) => a + b, 0);
  const parts = lengths.map((l) => Math.floor((total * l) / sum));
  parts[parts.length - 1] += total - parts.reduce((a, b) => a + b, 0);
  return parts;
}

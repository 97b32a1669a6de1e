// Process reward models over HTTP: vLLM /pooling (Qwen2.5-Math-PRM), a '+'/'-' logprob PRM on any server, an LLM judge.
import type { Completion } from 'openai/resources/completions';
import type { PrmSettings } from '../config';
import { EngineError, throwIfAborted } from '../errors';
import { capabilitiesOf, degrade, fixFor, isOllamaURL, type ServerCapabilities } from './capabilities';
import { Gate, HttpClient } from './http-client';
import { badShape } from './http-errors';
import { prmTaggedText, qwenPrmText, renderPrompt } from './templates';
import type { ProcessRewardModel, ScoreRequest, ScoreResult } from './types';

type Json = Record<string, unknown>;
/** vLLM's default --max-logprobs; enough for a trained PRM, whose labels dominate the next token. */
const TOP_LOGPROBS = 20;
/** Below this vocabulary size (the tiny PRM: 305) llama-server returns every token's probability: exact scores. */
const FULL_VOCAB = 1024;

export abstract class HttpPrm implements ProcessRewardModel {
  readonly label: string;
  readonly client: HttpClient;
  protected readonly gate: Gate;

  constructor(readonly settings: PrmSettings) {
    this.label = `PRM (${settings.kind}, ${settings.baseURL}, ${settings.model})`;
    this.client = new HttpClient(this.label, 'models.prm', settings);
    this.gate = new Gate(settings.maxConcurrency);
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
    return { scores, ms: performance.now() - started, requests };
  }

  async scoreSteps(problem: string, steps: readonly string[], signal: AbortSignal): Promise<number[]> {
    const prefixes = steps.map((_, k) => steps.slice(0, k + 1));
    return (await this.scorePaths(problem, prefixes, signal)).scores;
  }

  async dispose(): Promise<void> {}
}

/** p(target) summed over the top alternatives whose text is the target (with or without a leading space). */
function probabilityOf(top: Map<string, number>, target: string): number {
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
    const first = logprobs.content[0] as Json;
    const top = Array.isArray(first.top_logprobs) ? (first.top_logprobs as Json[]) : [];
    for (const t of top) if (typeof t.token === 'string' && typeof t.logprob === 'number') out.set(t.token, Math.max(out.get(t.token) ?? -Infinity, t.logprob));
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

/** One /v1/completions request per batch of prompts (an array where the server takes one), 1 token, top logprobs. */
abstract class CompletionPrm extends HttpPrm {
  protected async nextToken(prompts: string[], signal: AbortSignal, what: string, top = TOP_LOGPROBS): Promise<{ alternatives: (Map<string, number> | null)[]; texts: string[]; requests: number }> {
    const caps = await this.probe(signal);
    if (caps.server === 'ollama' && isOllamaURL(this.client.baseURL)) return this.ollamaNextToken(prompts, signal, what);
    const arrays = caps.server === 'vllm' || caps.server === 'sglang' || caps.server === 'llama.cpp';
    const ask = async (batch: string[]): Promise<Completion['choices']> => {
      const body = { model: this.settings.model, prompt: batch.length === 1 ? batch[0] : batch, max_tokens: 1, temperature: 0, logprobs: top };
      const response = await this.gate.run(signal, () => this.client.call('/completions', { what, signal }, (s, timeout) =>
        this.client.openai.completions.create(body as never, { signal: s, timeout }) as Promise<Completion>));
      const choices = response?.choices;
      if (!Array.isArray(choices) || choices.length !== batch.length) {
        throw badShape({ label: this.label, url: this.client.url('/completions'), what }, `expected ${batch.length} choice(s), got ${JSON.stringify(response).slice(0, 200)}`);
      }
      return [...choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    };
    const choices = arrays ? await ask(prompts) : (await Promise.all(prompts.map((p) => ask([p])))).flat();
    if (!arrays && prompts.length > 1) degrade(caps, 'This server is not known to take several prompts in one request: the PRM sends one request per thought.');
    return { alternatives: choices.map(firstTokenAlternatives), texts: choices.map((c) => c.text ?? ''), requests: arrays ? 1 : prompts.length };
  }

  /** Ollama: one raw /api/generate per prompt; `logprobs`/`top_logprobs` where the Ollama version has them. */
  private async ollamaNextToken(prompts: string[], signal: AbortSignal, what: string) {
    const answers = await Promise.all(prompts.map((prompt) => this.gate.run(signal, () => this.client.post<Json>('/generate', {
      model: this.settings.model, prompt, raw: true, stream: false, logprobs: true, top_logprobs: TOP_LOGPROBS, options: { num_predict: 1, temperature: 0 },
    }, { what: what.replace('POST /completions', 'POST /api/generate'), signal }))));
    const alternatives = answers.map((a) => {
      const first = Array.isArray(a?.logprobs) ? (a.logprobs[0] as Json | undefined) : undefined;
      return first ? firstTokenAlternatives({ logprobs: { content: [first] } }) : null;
    });
    return { alternatives, texts: answers.map((a) => (typeof a?.response === 'string' ? a.response : '')), requests: prompts.length };
  }
}

/** Math-Shepherd-style: the text is problem + "\n\n" + steps each followed by the step tag; score = p(+)/(p(+)+p(−)). */
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
          hint: `Serve the PRM from a server that returns completion logprobs (vLLM: ${fixFor('vllm', 'logprobs')}; llama-server and SGLang do by default).`,
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

/** An instruction model asked whether a step is correct: p(Yes)/(p(Yes)+p(No)). Weaker than a trained PRM. */
export class JudgePrm extends CompletionPrm {
  protected async scorePaths(problem: string, paths: readonly (readonly string[])[], signal: AbortSignal) {
    const prompts = paths.map((steps) => {
      const earlier = steps.slice(0, -1).map((s, i) => `Step ${i + 1}: ${s}`).join('\n');
      const question = `Problem:\n${problem}\n\n${earlier ? `Steps so far:\n${earlier}\n\n` : ''}New step:\n${steps[steps.length - 1] ?? ''}\n\n` +
        'Is the new step correct and useful for solving the problem? Answer with one word, Yes or No.';
      return renderPrompt({ template: this.settings.promptTemplate, systemPrompt: this.settings.systemPrompt ?? 'You are a careful grader of math solutions.', problem: question, mode: 'solve', steps: [], separator: '\n\n' });
    });
    const what = `judging ${paths.length} thought${paths.length === 1 ? '' : 's'} (POST /completions)`;
    const { alternatives, texts, requests } = await this.nextToken(prompts, signal, what);
    const scores = alternatives.map((top, i) => {
      if (top !== null) {
        const yes = probabilityOf(top, 'Yes') + probabilityOf(top, 'yes');
        const no = probabilityOf(top, 'No') + probabilityOf(top, 'no');
        if (yes + no > 0) return yes / (yes + no);
      }
      return /^\s*yes/i.test(texts[i]) ? 1 : 0;
    });
    return { scores, requests };
  }
}

/**
 * Qwen2.5-Math-PRM-7B on vLLM's pooling runner: POST /pooling with the chat text, steps closed by
 * `<extra_0>`; each step gets [p(wrong), p(right)]. Some vLLM versions return one row per step tag, others
 * one row per token: then the tag positions come from POST /tokenize.
 */
export class VllmPoolingPrm extends HttpPrm {
  protected async scorePaths(problem: string, paths: readonly (readonly string[])[], signal: AbortSignal) {
    const caps = await this.probe(signal);
    const texts = paths.map((steps) => qwenPrmText(problem, steps, this.settings.systemPrompt));
    const url = `${this.client.origin}/pooling`;
    const what = `scoring ${paths.length} thought${paths.length === 1 ? '' : 's'} (POST /pooling)`;
    let response: Json;
    try {
      response = await this.gate.run(signal, () => this.client.post<Json>(url, { model: this.settings.model, input: texts.length === 1 ? texts[0] : texts }, { what, signal }));
    } catch (err) {
      if (err instanceof EngineError && err.code === 'http' && /HTTP (404|405)/.test(err.message)) {
        caps.pooling = false;
        throw new EngineError({ code: 'http', message: `${this.label}: the server has no /pooling endpoint (${url}).`, server: url, hint: `Serve the PRM with vLLM's pooling runner: ${fixFor('vllm', 'pooling')}; or set models.prm.kind to "logprob" or "judge".` }, { cause: err });
      }
      throw err;
    }
    caps.pooling = true;
    const data = response?.data;
    const ctx = { label: this.label, url, what };
    if (!Array.isArray(data) || data.length !== texts.length) throw badShape(ctx, `expected "data" with ${texts.length} item(s), got ${JSON.stringify(response).slice(0, 200)}`);
    let requests = 1;
    const scores: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      const item = [...data].sort((a, b) => Number((a as Json).index ?? 0) - Number((b as Json).index ?? 0))[i] as Json;
      let rows = toRows(item?.data);
      if (rows === null) throw badShape(ctx, `item ${i} has no [p(wrong), p(right)] rows: ${JSON.stringify(item).slice(0, 200)}`);
      const steps = paths[i].length;
      if (rows.length !== steps) {
        rows = await this.tagRows(texts[i], rows, signal, ctx);
        requests += 1;
      }
      scores.push(positive(rows[rows.length - 1]));
    }
    return { scores, requests };
  }

  /** Per-token rows: keep those at `<extra_0>` positions, found by tokenizing the same text. */
  private async tagRows(text: string, rows: number[][], signal: AbortSignal, ctx: { label: string; url: string; what: string }): Promise<number[][]> {
    const tokenize = (prompt: string, special: boolean) => this.client.post<Json>(`${this.client.origin}/tokenize`,
      { model: this.settings.model, prompt, add_special_tokens: special }, { what: 'finding step tags (POST /tokenize)', signal });
    const [all, tag] = await Promise.all([tokenize(text, true), tokenize('<extra_0>', false)]);
    const tokens = all?.tokens as number[] | undefined;
    const tagIds = tag?.tokens as number[] | undefined;
    if (!Array.isArray(tokens) || tokens.length !== rows.length || !Array.isArray(tagIds) || tagIds.length !== 1) {
      throw badShape(ctx, `${rows.length} rows do not match the ${tokens?.length ?? '?'} tokens of the text`);
    }
    return rows.filter((_, k) => tokens[k] === tagIds[0]);
  }
}

function toRows(data: unknown): number[][] | null {
  if (!Array.isArray(data) || data.length === 0) return null;
  if (data.every((x) => typeof x === 'number')) return data.length === 2 ? [data as number[]] : null;
  if (data.every((r) => Array.isArray(r) && r.length >= 2 && r.every((x) => typeof x === 'number'))) return data as number[][];
  return null;
}

/** p(right) of a [wrong, right] row; logits (rows that are not probabilities) go through a softmax. */
function positive(row: number[]): number {
  const [a, b] = row;
  const isProb = a >= 0 && b >= 0 && Math.abs(a + b - 1) < 1e-3;
  if (isProb) return b;
  const m = Math.max(a, b);
  return Math.exp(b - m) / (Math.exp(a - m) + Math.exp(b - m));
}

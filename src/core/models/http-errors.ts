// Turns whatever an HTTP model server does wrong into an EngineError naming the server, what failed, and a fix.
import OpenAI from 'openai';
import { EngineError, cancelledError, type ErrorCode } from '../errors';

export interface RequestContext {
  /** "large model (http://127.0.0.1:8000/v1, Qwen2.5-Math-7B-Instruct)" */
  label: string;
  /** Settings key to edit, e.g. "models.large". */
  key: string;
  /** The full URL requested. */
  url: string;
  /** What the request was for, e.g. "drafting 4 thoughts". */
  what: string;
  timeoutMs: number;
  /** The caller's signal (cancellation), distinct from the deadline. */
  signal: AbortSignal;
  deadline: AbortSignal;
}

/** A signal that fires on the caller's abort or after `timeoutMs`, whichever comes first. */
export function deadlineSignal(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}

/** A model server answers a node's drafts in kilobytes; past this a response is refused, never held whole. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Of an error body only this much is read: enough for any server's message. */
const MAX_ERROR_BYTES = 64 * 1024;

/** Raised while reading a body past MAX_RESPONSE_BYTES; toEngineError names the server. */
export class ResponseTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`response larger than ${limit} bytes`);
    this.name = 'ResponseTooLarge';
  }
}

/**
 * A body that errors with ResponseTooLarge once more than `limit` bytes arrive. The error surfaces where the
 * body is read (the openai client's response.json()), so it is not mistaken for a connection failure and retried.
 */
function capped(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let seen = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      seen += value.byteLength;
      if (seen > limit) {
        await reader.cancel().catch(() => undefined);
        controller.error(new ResponseTooLarge(limit));
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** The first `limit` bytes of a body as text; the rest is never downloaded. */
async function headOf(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let seen = 0;
  try {
    while (seen < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      seen += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
}

/** A Retry-After longer than this is not waited for: the request fails at once, saying how long the server asked for. */
export const MAX_RETRY_AFTER_MS = 10_000;

/** Retry-After (seconds or an HTTP date) in ms, or null when absent or unreadable. */
function retryAfterMs(headers: Headers): number | null {
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return null;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms)) : null;
}

/**
 * The headers the openai client reads of an error response: a redirect's Location, and the wait before its one
 * retry (`retry-after-ms`, which it prefers; a wait past MAX_RETRY_AFTER_MS turns the retry off, as the client's
 * sleep cannot be cancelled).
 */
function errorHeaders(response: Response): Headers {
  const headers = new Headers({ 'content-type': 'application/json' });
  const location = response.headers.get('location');
  if (location !== null) headers.set('location', location);
  const wait = retryAfterMs(response.headers);
  if (wait !== null) {
    headers.set('retry-after-ms', String(wait));
    if (wait > MAX_RETRY_AFTER_MS) headers.set('x-should-retry', 'false');
  }
  return headers;
}

/**
 * Servers disagree on error bodies: OpenAI/llama.cpp `{error: {message}}`, older vLLM `{message}`,
 * Ollama `{error: "..."}`, FastAPI `{detail}`, or plain text. This `fetch` rewrites every non-2xx body into
 * `{error: {message}}` so the openai client's APIError always carries the server's own words, and caps
 * what it reads of any body.
 */
export const normalizingFetch: typeof fetch = async (input, init) => {
  // A redirect is never followed: it would send the problem (and the key) to a server the settings do not name,
  // and a 302 would turn the POST into a GET. toEngineError names it, with its Location.
  const response = await fetch(input, { ...init, redirect: 'manual' });
  if (response.ok) {
    if (!response.body) return response;
    const declared = Number(response.headers.get('content-length') ?? '0');
    const body = declared > MAX_RESPONSE_BYTES
      ? new ReadableStream<Uint8Array>({ start: (c) => { void response.body?.cancel().catch(() => undefined); c.error(new ResponseTooLarge(MAX_RESPONSE_BYTES)); } })
      : capped(response.body, MAX_RESPONSE_BYTES);
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  }
  const text = await headOf(response, MAX_ERROR_BYTES).catch(() => '');
  const message = serverMessage(text);
  const body = JSON.stringify({ error: { message, raw: text.slice(0, 2000) } });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: errorHeaders(response) });
};

/** At most `max` characters of any value as JSON, for error messages: never throws (undefined, cycles, deep nesting). */
export function preview(value: unknown, max = 200): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? `an array of ${value.length}` : typeof value === 'object' && value !== null ? 'an object too deep to show' : String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function serverMessage(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    const body = JSON.parse(trimmed) as Record<string, unknown>;
    const error = body.error;
    if (typeof error === 'string') return error;
    if (error && typeof error === 'object' && typeof (error as Record<string, unknown>).message === 'string') return (error as Record<string, string>).message;
    if (typeof body.message === 'string') return body.message;
    if (typeof body.detail === 'string') return body.detail;
    if (body.detail !== undefined) return JSON.stringify(body.detail);
  } catch {
    // not JSON: the text is the message
  }
  return trimmed.length > 300 ? `${trimmed.slice(0, 297)}...` : trimmed;
}

const CONTEXT_LENGTH = /maximum context length|context length|context size|exceeds? the available context|context window|too many tokens|prompt is too long|n_ctx|max_model_len/i;
const MODEL_NOT_FOUND = /model.*(not found|does not exist|not exist|unknown|not loaded|no such)|(unknown|invalid) model|no model/i;
const MODEL_OUTPUT = /does not match the expected .*format|Content-only format/i;

/**
 * A 400 to a request with n > 1 that is not about the context or the model: servers word "n is not
 * supported" in many ways, so the caller retries with n = 1 and keeps that error if n = 1 fails too.
 */
export function mayBeNUnsupported(err: unknown): boolean {
  return err instanceof OpenAI.APIError && (err.status === 400 || err.status === 422) && !CONTEXT_LENGTH.test(err.message) && !MODEL_NOT_FOUND.test(err.message);
}

function fail(ctx: RequestContext, code: ErrorCode, message: string, hint: string, cause: unknown): EngineError {
  return new EngineError({ code, message: `${ctx.label}: ${message}`, server: ctx.url, hint }, { cause });
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function findCause<T>(err: unknown, type: new (...args: never[]) => T): T | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    if (e instanceof type) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function deepestMessage(err: unknown): string {
  let e: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let i = 0; i < 5 && e; i++) {
    if (e instanceof Error && e.message) message = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return message;
}

/** A Location as an absolute URL where it reads as one, else as the server wrote it. */
function resolved(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return preview(location);
  }
}

/** The one place that decides what a failed request means. */
export function toEngineError(err: unknown, ctx: RequestContext): EngineError {
  if (err instanceof EngineError) return err;
  if (ctx.signal.aborted) return cancelledError();
  if (ctx.deadline.aborted || err instanceof OpenAI.APIConnectionTimeoutError) {
    return fail(ctx, 'timeout', `no answer from ${ctx.url} within ${ctx.timeoutMs} ms (${ctx.what}).`,
      `The server is overloaded, stuck or still loading the model. Check its log, or raise ${ctx.key}.timeoutMs (now ${ctx.timeoutMs}).`, err);
  }
  if (err instanceof OpenAI.APIUserAbortError) return cancelledError();
  const tooLarge = findCause(err, ResponseTooLarge);
  if (tooLarge) {
    return fail(ctx, 'bad-response', `the answer from ${ctx.url} is larger than ${tooLarge.limit / (1024 * 1024)} MiB (${ctx.what}); SpecSearch stopped reading it.`,
      `A model server answers in kilobytes: check that ${ctx.key}.baseURL points at a model server, and that it honours max_tokens.`, err);
  }
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return fail(ctx, 'bad-response', `the answer from ${ctx.url} is nested too deeply to read (${ctx.what}).`,
      `Check that ${ctx.key}.baseURL points at a model server and not at a proxy or web page.`, err);
  }
  if (err instanceof OpenAI.APIConnectionError) {
    const code = causeCode(err.cause);
    const deepest = deepestMessage(err);
    const why = code === 'ECONNREFUSED' ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host not found'
      : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'the connection was closed before an answer'
      : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? 'host unreachable'
      : deepest === 'bad port' ? `port ${new URL(ctx.url).port} is on the list of ports that fetch refuses to use (WHATWG "bad ports"); serve on another port`
      : deepest;
    return fail(ctx, 'connection', `cannot reach ${ctx.url} (${ctx.what}): ${why}.`,
      `Is the server running? Start it (see docs/servers.md) or fix ${ctx.key}.baseURL, then run \`specsearch doctor\`.`, err);
  }
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    const status = err.status;
    const said = (err.error as { message?: string } | undefined)?.message ?? err.message.replace(/^\d+ /, '');
    const quoted = said ? `: "${said}"` : ' (no body)';
    if (status >= 300 && status < 400) {
      const location = err.headers?.get('location');
      return fail(ctx, 'http', `${ctx.url} answered HTTP ${status}, a redirect to ${location ? resolved(location, ctx.url) : '(no Location given)'} (${ctx.what}); SpecSearch does not follow redirects, which would send the problem and any API key to a server the settings do not name.`,
        `If the server has moved, or a proxy redirects (http to https, a missing /v1), set ${ctx.key}.baseURL to the final address.`, err);
    }
    const wait = Number(err.headers?.get('retry-after-ms') ?? NaN);
    const asked = Number.isFinite(wait) ? `; the server asked to wait ${wait / 1000} s before trying again${wait > MAX_RETRY_AFTER_MS ? `, more than SpecSearch waits (${MAX_RETRY_AFTER_MS / 1000} s)` : ''}` : '';
    if (MODEL_OUTPUT.test(said)) {
      return fail(ctx, 'model-output', `the model produced output the server could not return (HTTP ${status}, ${ctx.what})${quoted}.`,
        'The model emitted text that is not valid UTF-8 (common with undertrained or mismatched models); check the model file and its tokenizer.', err);
    }
    if (CONTEXT_LENGTH.test(said)) {
      return fail(ctx, 'context-length', `the prompt does not fit the model's context (HTTP ${status}, ${ctx.what})${quoted}.`,
        'Give the server a larger context (vLLM --max-model-len, llama-server -c per slot × -np, SGLang --context-length), or lower search.maxDepth / search.maxStepTokens.', err);
    }
    if (MODEL_NOT_FOUND.test(said) || (status === 404 && /model/i.test(said))) {
      return fail(ctx, 'model-not-found', `the server does not serve the model asked for (HTTP ${status}, ${ctx.what})${quoted}.`,
        `Set ${ctx.key}.model to a name listed by GET ${new URL(ctx.url).origin}/v1/models, or start the server with that model (vLLM --served-model-name, llama-server --alias).`, err);
    }
    if (status === 401 || status === 403) {
      return fail(ctx, 'http', `the server refused the request (HTTP ${status}, ${ctx.what})${quoted}.`,
        `Set ${ctx.key}.apiKeyEnv to the NAME of an environment variable holding the server's API key, and export that variable.`, err);
    }
    if (status === 404) {
      return fail(ctx, 'http', `${ctx.url} does not exist on this server (HTTP 404, ${ctx.what})${quoted}.`,
        `Check ${ctx.key}.baseURL: OpenAI-compatible servers want it to end in /v1 (e.g. http://127.0.0.1:8000/v1); Ollama's native API wants /api.`, err);
    }
    return fail(ctx, 'http', `HTTP ${status} from ${ctx.url} (${ctx.what})${quoted}${asked}.`,
      status === 429 ? `The server is limiting requests: lower ${ctx.key}.maxConcurrency, or try again later.`
        : status >= 500 ? 'The server failed; its log says why.' : 'The server rejected the request; check that it is the kind of server configured (docs/servers.md).', err);
  }
  if (err instanceof SyntaxError) {
    return fail(ctx, 'bad-response', `the server answered ${ctx.url} with malformed JSON (${ctx.what}): ${err.message}.`,
      `Check that ${ctx.key}.baseURL points at a model server and not at a proxy or web page.`, err);
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = causeCode(err);
  if (message === 'terminated' || code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || /other side closed|premature close/i.test(message)) {
    return fail(ctx, 'bad-response', `the response from ${ctx.url} was cut off mid-body (${ctx.what}).`,
      'The server closed the connection while answering: it may have crashed or run out of memory; check its log.', err);
  }
  return fail(ctx, 'bad-response', `the request to ${ctx.url} failed (${ctx.what}): ${message}.`, 'Check the server log.', err);
}

/** For response bodies that parse but do not have the promised shape. */
export function badShape(ctx: Pick<RequestContext, 'label' | 'url' | 'what'>, detail: string, hint = 'Check that the server is the kind named in docs/servers.md and up to date.'): EngineError {
  return new EngineError({ code: 'bad-response', message: `${ctx.label}: unexpected answer from ${ctx.url} (${ctx.what}): ${detail}.`, server: ctx.url, hint });
}

// One HTTP client per configured server, on the `openai` package: a deadline per request, one retry, cancellation.
import OpenAI from 'openai';
import type { ModelSettings } from '../config';
import { EngineError } from '../errors';
import { addSecret } from '../redact';
import { deadlineSignal, normalizingFetch, toEngineError, type RequestContext } from './http-errors';

/** Transient failures (connection reset, 429, 5xx) get one retry; the deadline bounds retries too. */
const MAX_RETRIES = 1;

export interface CallOptions {
  what: string;
  signal: AbortSignal;
  /** Shorter than the model's timeoutMs, for probes. */
  timeoutMs?: number;
  retries?: number;
}

export class HttpClient {
  readonly openai: OpenAI;
  readonly baseURL: string;
  /** scheme://host:port, for endpoints that live outside /v1 (/pooling, /props, /tokenize, /metrics). */
  readonly origin: string;

  constructor(
    readonly label: string,
    readonly key: string,
    readonly settings: ModelSettings,
  ) {
    this.baseURL = (settings.baseURL ?? '').replace(/\/+$/, '');
    this.origin = new URL(this.baseURL).origin;
    let apiKey = 'not-needed';
    if (settings.apiKeyEnv !== undefined) {
      const value = process.env[settings.apiKeyEnv];
      if (!value) {
        throw new EngineError({
          code: 'config',
          message: `${key}.apiKeyEnv names the environment variable ${settings.apiKeyEnv}, which is not set.`,
          hint: `Export ${settings.apiKeyEnv}=<the server's API key> before starting SpecSearch, or remove ${key}.apiKeyEnv.`,
        });
      }
      apiKey = value;
      addSecret(value);
    }
    this.openai = new OpenAI({ baseURL: this.baseURL, apiKey, maxRetries: MAX_RETRIES, timeout: settings.timeoutMs, fetch: normalizingFetch });
  }

  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : this.baseURL + path;
  }

  /** Runs one request under a deadline; every failure comes out as an EngineError. */
  async call<T>(path: string, options: CallOptions, run: (signal: AbortSignal, timeout: number) => Promise<T>): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
    const deadline = deadlineSignal(options.signal, timeoutMs);
    const ctx: RequestContext = { label: this.label, key: this.key, url: this.url(path), what: options.what, timeoutMs, signal: options.signal, deadline };
    try {
      return await run(deadline, timeoutMs);
    } catch (err) {
      throw toEngineError(err, ctx);
    }
  }

  post<T>(path: string, body: Record<string, unknown>, options: CallOptions): Promise<T> {
    return this.call(path, options, (signal, timeout) =>
      this.openai.post<T>(this.url(path), { body, signal, timeout, maxRetries: options.retries ?? MAX_RETRIES }) as Promise<T>);
  }

  get<T>(path: string, options: CallOptions): Promise<T> {
    return this.call(path, options, (signal, timeout) =>
      this.openai.get<T>(this.url(path), { signal, timeout, maxRetries: options.retries ?? MAX_RETRIES }) as Promise<T>);
  }

  /** Like get, but a 404/405/501 (endpoint absent on this kind of server) is `null`, not an error. */
  async optional<T>(path: string, options: CallOptions): Promise<T | null> {
    try {
      return await this.get<T>(path, { ...options, retries: 0 });
    } catch (err) {
      const status = ((err as EngineError).cause as { status?: number } | undefined)?.status;
      if (err instanceof EngineError && (err.code === 'http' || err.code === 'bad-response' || err.code === 'model-not-found') && (status === undefined || [400, 401, 403, 404, 405, 422, 501].includes(status))) return null;
      throw err;
    }
  }
}

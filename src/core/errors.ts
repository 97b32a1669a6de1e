// Errors as values: a code for programs, a message for people, a hint saying what to do next.
import { redact } from './redact';

export type ErrorCode =
  | 'cancelled'
  | 'timeout'
  | 'connection'
  | 'http'
  | 'bad-response'
  | 'model-output'
  | 'model-not-found'
  | 'context-length'
  | 'model-load'
  | 'config'
  | 'usage'
  | 'internal';

/** For settings errors: the setting (as the engine's schema names it), its value as written, what is allowed. */
export interface SettingProblem {
  key: string;
  value: string;
  allowed: string;
}

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  server?: string;
  hint?: string;
  setting?: SettingProblem;
}

export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly server?: string;
  readonly hint?: string;
  readonly setting?: SettingProblem;

  /** Every text is redacted here, once: an error may quote a server that echoes the request's key. */
  constructor(info: ErrorInfo, options?: { cause?: unknown }) {
    super(redact(info.message), options);
    this.name = 'EngineError';
    this.code = info.code;
    this.server = info.server === undefined ? undefined : redact(info.server);
    this.hint = info.hint === undefined ? undefined : redact(info.hint);
    this.setting = info.setting === undefined ? undefined : { ...info.setting, value: redact(info.setting.value) };
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message };
    if (this.server !== undefined) info.server = this.server;
    if (this.hint !== undefined) info.hint = this.hint;
    if (this.setting !== undefined) info.setting = this.setting;
    return info;
  }
}

export function cancelledError(): EngineError {
  return new EngineError({ code: 'cancelled', message: 'The search was cancelled.' });
}

export function isAbortError(err: unknown): boolean {
  if (err instanceof EngineError) return err.code === 'cancelled';
  if (!(err instanceof Error)) return false;
  return err.name === 'AbortError' || err.name === 'APIUserAbortError';
}

/** Turns anything thrown inside the engine into an ErrorInfo that every surface can show. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof EngineError) return err.toInfo();
  if (isAbortError(err)) return cancelledError().toInfo();
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: 'internal',
    message: `Internal error: ${redact(message)}`,
    hint: 'This is a bug in SpecSearch; please report it with the exported trace.',
  };
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

// The CLI's one place that turns engine errors into messages and exit codes.
import { EngineError, toErrorInfo } from '../core/errors';
import { forTerminal } from './terminal';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function usageError(message: string, hint?: string): EngineError {
  return new EngineError({ code: 'usage', message, hint });
}

export function exitCodeFor(err: unknown): number {
  const info = toErrorInfo(err);
  // A model file that is missing or not a GGUF model is a setting to fix, as the help's exit codes say.
  return info.code === 'usage' || info.code === 'config' || info.code === 'model-load' ? EXIT.usage : EXIT.failed;
}

/** One paragraph on stderr, never a stack trace; what a server said cannot drive the terminal. */
export function printError(err: unknown): void {
  const info = toErrorInfo(err);
  process.stderr.write(`specsearch: ${forTerminal(info.message)}${info.hint ? `\n  hint: ${forTerminal(info.hint)}` : ''}\n`);
}

// `specsearch solve`: loads settings and models, runs one search, prints thoughts as they come.
import { METHODS, ALGORITHMS, withSearchOverrides, type Algorithm, type Method } from '../core/config';
import { loadConfig } from '../core/config-file';
import type { SearchEvent } from '../core/events';
import { createModels, disposeModels } from '../core/models/factory';
import { checkProblemFits, MAX_PROBLEM_CHARS, solve } from '../core/solve';
import { EngineError } from '../core/errors';
import { redact } from '../core/redact';
import { formatStats, TracePrinter } from './print';
import { printError, usageError } from './errors';
import { integerFlag } from './flags';
import { abortOnSignals } from './signals';

/** A character is at most 4 bytes of UTF-8: past this many bytes, stdin holds more than any problem may. */
const MAX_STDIN_BYTES = 4 * MAX_PROBLEM_CHARS;

/** The problem on stdin; reading stops, with a usage error, once it cannot fit the problem limit. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_STDIN_BYTES) {
      throw usageError(
        `stdin holds more than ${MAX_STDIN_BYTES} bytes, more than a problem of at most ${MAX_PROBLEM_CHARS} characters can take; SpecSearch stopped reading it.`,
        'Pass just the problem statement.',
      );
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw usageError(`--${flag} ${String(value)} is not one of ${allowed.join(', ')}.`);
  return value as T;
}

export async function runSolve(positionals: string[], flags: Record<string, string | boolean | undefined>): Promise<number> {
  const method = oneOf<Method>('method', flags.method, METHODS);
  const algorithm = oneOf<Algorithm>('algorithm', flags.algorithm, ALGORITHMS);
  const mode = oneOf('mode', flags.mode, ['solve', 'explain'] as const) ?? 'solve';
  const seed = integerFlag('seed', flags.seed as string | undefined, 0);
  const problem = positionals.length > 0 ? positionals.join(' ') : await readStdin();
  if (problem.trim() === '') {
    throw usageError(
      'No problem given.',
      'Pass the problem as an argument (quoted) or on stdin, e.g. specsearch solve "Start with 7. Add 5. What is the result?"',
    );
  }

  const { settings: base } = loadConfig({ configPath: flags.config as string | undefined, profile: flags.profile as string | undefined });
  const settings = withSearchOverrides(base, { method, algorithm, seed }, 'the command line');
  const json = flags.json === true;
  await checkProblemFits(problem, settings);

  const controller = new AbortController();
  const release = abortOnSignals(controller);

  let models;
  try {
    models = await createModels(settings);
  } catch (err) {
    release();
    throw err;
  }
  try {
    const printer = new TracePrinter(process.stdout, { color: process.stdout.isTTY === true });
    const onEvent = (event: SearchEvent) => {
      if (json) process.stdout.write(redact(JSON.stringify(event)) + '\n');
      else printer.print(event);
    };
    const result = await solve({ problem, mode, settings, models, signal: controller.signal, onEvent });
    if (result.error) {
      if (!json) printError(new EngineError(result.error));
      return 1;
    }
    if (!json) process.stdout.write(formatStats(result.stats) + '\n');
    return 0;
  } finally {
    release();
    await disposeModels(models);
  }
}

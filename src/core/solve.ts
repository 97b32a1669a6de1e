// Runs one search end to end: picks the generator and algorithm, streams SearchEvents, returns the trace.
import { newSearchId } from './search-id';
import { setMaxListeners } from 'node:events';
import { extractAnswer } from './answer/extract';
import { checkAnswer } from './confidence';
import type { Method, Settings } from './config';
import { EngineError, cancelledError, toErrorInfo, type ErrorInfo } from './errors';
import type { SearchEvent, SearchEventBody, SolveResult } from './events';
import { SingleModelGenerator } from './generate/single';
import { SpecSearchGenerator } from './generate/specsearch';
import type { SearchAlgorithm, SearchContext, ThoughtGenerator } from './generate/types';
import { pathIds } from './generate/types';
import type { ModelTrio } from './models/types';
import { beamSearch } from './search/beam';
import { bestOfN } from './search/best-of-n';
import { mcts } from './search/mcts';
import { StatsRecorder } from './stats';
import type { Mode } from './models/types';

export const MAX_PROBLEM_CHARS = 20_000;

export interface SolveOptions {
  problem: string;
  mode?: Mode;
  settings: Settings;
  /** The models, or a function that loads them once the problem has passed its checks. */
  models: ModelTrio | (() => Promise<ModelTrio>);
  signal?: AbortSignal;
  onEvent?: (event: SearchEvent) => void;
  searchId?: string;
}

export function generatorFor(method: Method): ThoughtGenerator {
  switch (method) {
    case 'specsearch':
      return new SpecSearchGenerator();
    case 'large':
      return new SingleModelGenerator('large', false);
    case 'sps':
      return new SingleModelGenerator('large', true);
    case 'small':
      return new SingleModelGenerator('small', false);
  }
}

const ALGORITHMS: Record<Settings['search']['algorithm'], SearchAlgorithm> = {
  beam: beamSearch,
  mcts,
  'best-of-n': bestOfN,
};

export function checkProblem(problem: string): string {
  const trimmed = problem.trim();
  if (trimmed.length === 0) {
    throw new EngineError({ code: 'usage', message: 'The problem is empty.', hint: 'Select or type the text of a problem to solve.' });
  }
  if (trimmed.length > MAX_PROBLEM_CHARS) {
    throw new EngineError({
      code: 'usage',
      message: `The problem is ${trimmed.length} characters long; the limit is ${MAX_PROBLEM_CHARS}.`,
      hint: 'Select just the problem statement.',
    });
  }
  return trimmed;
}

/**
 * checkProblem, and before any model loads: a problem that leaves an embedded model's context no room for
 * one step (its fewest possible tokens, from the model file's vocabulary) is refused as a usage error.
 */
export async function checkProblemFits(problem: string, settings: Settings): Promise<string> {
  const trimmed = checkProblem(problem);
  const files = [...new Set([settings.models.small, settings.models.large, settings.models.prm].filter((m) => m.provider === 'embedded').map((m) => m.model))];
  if (files.length === 0) return trimmed;
  const { fewestTokens } = await import('./models/embedded');
  const step = settings.search.maxStepTokens;
  for (const file of files) {
    const limits = await fewestTokens(file, trimmed);
    if (limits !== null && limits.fewest + step >= limits.context) {
      throw new EngineError({
        code: 'usage',
        message: `The problem is at least ${limits.fewest} tokens for the model ${file}, whose context holds ${limits.context} tokens for the problem and its steps together (a step takes up to search.maxStepTokens = ${step}).`,
        hint: 'Shorten the problem to its statement. Longer problems need a model with a longer context: serve one and point the settings at it (docs/servers.md).',
      });
    }
  }
  return trimmed;
}

/** Never throws: failures end the trace with `search.failed`, keeping everything done before. */
export function solve(options: SolveOptions): Promise<SolveResult> {
  return startSolve(options).result;
}

export interface RunningSolve {
  /**
   * The trace, ending in exactly one terminal event: search.finished, or search.failed at once on an
   * error or a cancel (sibling calls still under way are aborted, and nothing is emitted after it).
   */
  result: Promise<SolveResult>;
  /** When every model call of the search has returned: only then may its models be released. */
  settled: Promise<void>;
}

export function startSolve(options: SolveOptions): RunningSolve {
  const searchId = options.searchId ?? newSearchId();
  const mode = options.mode ?? 'solve';
  const search = options.settings.search;
  const stats = new StatsRecorder();
  const events: SearchEvent[] = [];
  const signal = options.signal ?? new AbortController().signal;
  // The search's own signal: the caller's cancel, or the end of the search (a failed branch stops its siblings).
  const inner = new AbortController();
  const forward = () => inner.abort();
  if (signal.aborted) inner.abort();
  else signal.addEventListener('abort', forward, { once: true });
  // Every concurrent model call listens for the abort: dozens at once is normal, not a leak.
  setMaxListeners(1000, inner.signal);
  let closed = false;
  let counter = 0;
  const emit = (body: SearchEventBody): void => {
    if (closed) return;
    const event = { ...body, searchId, t: Math.round(stats.elapsed() * 10) / 10 } as SearchEvent;
    events.push(event);
    options.onEvent?.(event);
  };
  let work: Promise<unknown> = Promise.resolve();

  const result = (async (): Promise<SolveResult> => {
    let problem = clip(options.problem);
    let answer: string | null = null;
    let error: ErrorInfo | null = null;
    try {
      problem = checkProblem(options.problem);
      emit({ type: 'search.started', problem, mode, method: search.method, algorithm: search.algorithm, settings: search });
      let models: ModelTrio;
      if (typeof options.models === 'function') {
        // Models loaded for this search: refuse what cannot fit before loading them.
        await checkProblemFits(problem, options.settings);
        const loading = options.models();
        work = loading;
        models = await untilAborted(loading, inner.signal);
      } else models = options.models;
      const ctx: SearchContext = {
        problem,
        mode,
        settings: search,
        models,
        signal: inner.signal,
        stats,
        emit,
        newId: () => `t${++counter}`,
      };
      const run = () => ALGORITHMS[search.algorithm](generatorFor(search.method), ctx);
      // In-process models run one search at a time: the others wait their turn (ModelTrio.searches).
      const running = models.searches ? models.searches.run(inner.signal, run) : run();
      work = running;
      const winner = await untilAborted(running, inner.signal);
      answer = winner ? extractAnswer(winner.steps.join('\n')) : null;
      const check = checkAnswer(winner, answer, problem, options.settings);
      emit({ type: 'search.finished', answer, answerThoughtId: winner?.id ?? null, path: pathIds(winner), ...check, stats: stats.snapshot() });
    } catch (err) {
      error = signal.aborted ? cancelledError().toInfo() : toErrorInfo(err);
      if (events.length === 0) emit({ type: 'search.started', problem, mode, method: search.method, algorithm: search.algorithm, settings: search });
      emit({ type: 'search.failed', error, partial: true, stats: stats.snapshot() });
    } finally {
      closed = true;
      inner.abort();
      signal.removeEventListener('abort', forward);
    }
    return { searchId, problem, answer, events, stats: stats.snapshot(), error };
  })();
  const settled = result
    .then(() => work)
    .then(
      () => undefined,
      () => undefined,
    );
  return { result, settled };
}

/** `promise`, or a cancelled error as soon as `signal` fires (the work itself stops on the same signal). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(cancelledError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A problem too long to echo back whole (it was refused for its length). */
function clip(problem: string): string {
  return problem.length > MAX_PROBLEM_CHARS ? `${problem.slice(0, 200)}… (${problem.length} characters)` : problem;
}

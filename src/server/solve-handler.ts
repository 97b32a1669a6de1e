// `specsearch/solve`: runs one search per request, streams its events, reports progress, stops on cancel.
import { randomUUID } from 'node:crypto';
import { ResponseError, type CancellationToken, type Connection, type WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { ALGORITHMS, METHODS, withSearchOverrides, type Settings } from '../core/config';
import { toErrorInfo, type ErrorInfo } from '../core/errors';
import type { SearchEvent, SearchStats, SolveResult } from '../core/events';
import { checkProblem, solve } from '../core/solve';
import { StatsRecorder } from '../core/stats';
import { ErrorCodes, EventNotification, type SolveParams } from '../protocol';
import type { EngineHost } from './engine-host';

/** The engine is asked to stop at once; if it has not answered by then, the partial trace answers for it. */
const CANCEL_DEADLINE_MS = 700;
const PROGRESS_INTERVAL_MS = 150;

export interface SolveHooks {
  /** Called with every finished or failed result (the hover store records answers from it). */
  onResult(params: SolveParams, result: SolveResult): void;
  /** Whether to create server-side progress when the request brings no workDoneToken. */
  serverProgress(): boolean;
  log(message: string): void;
}

export class SolveHandler {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly connection: Connection,
    private readonly host: EngineHost,
    private readonly hooks: SolveHooks,
  ) {}

  runningIds(): string[] {
    return [...this.running.keys()];
  }

  cancel(searchId?: string): string[] {
    const ids = searchId === undefined ? this.runningIds() : this.running.has(searchId) ? [searchId] : [];
    for (const id of ids) this.running.get(id)?.abort();
    return ids;
  }

  async handle(raw: unknown, token: CancellationToken): Promise<SolveResult> {
    const params = checkParams(raw);
    const settings = this.settingsFor(params);
    const searchId = params.searchId ?? `s-${randomUUID().slice(0, 8)}`;
    if (this.running.has(searchId)) throw new ResponseError(ErrorCodes.usage, `A search with id ${searchId} is already running.`);
    const controller = new AbortController();
    this.running.set(searchId, controller);
    const cancelListener = token.onCancellationRequested(() => controller.abort());
    const progress = await this.progressFor(params, controller);
    try {
      const result = await this.run(params, settings, searchId, controller, progress);
      this.hooks.onResult(params, result);
      return result;
    } finally {
      cancelListener.dispose();
      this.running.delete(searchId);
      progress?.done();
    }
  }

  private settingsFor(params: SolveParams): Settings {
    let settings: Settings;
    try {
      settings = this.host.settingsOrThrow();
      return withSearchOverrides(settings, { method: params.method, algorithm: params.algorithm }, 'the specsearch/solve request');
    } catch (err) {
      const info = toErrorInfo(err);
      throw new ResponseError(ErrorCodes.config, info.hint ? `${info.message} ${info.hint}` : info.message, info);
    }
  }

  private async run(params: SolveParams, settings: Settings, searchId: string, controller: AbortController, progress: Progress | null): Promise<SolveResult> {
    const events: SearchEvent[] = [];
    let answered = false;
    const onEvent = (event: SearchEvent) => {
      if (answered) return;
      events.push(event);
      void this.connection.sendNotification(EventNotification, { searchId, event });
      progress?.update(event);
    };

    let lease;
    const started = Date.now();
    try {
      // An empty or oversized problem is answered before loading models (which can take seconds).
      checkProblem(params.problem);
      lease = await this.host.acquire();
    } catch (err) {
      return failedBeforeStart(params, settings, searchId, toErrorInfo(err), onEvent);
    }
    const search = solve({ problem: params.problem, mode: params.mode, settings, models: lease.models, signal: controller.signal, onEvent, searchId });
    search.finally(() => lease.release()).catch(() => undefined);

    // The client is promised an answer within a second of cancelling, even if a native call is slow to stop.
    const deadline = new Promise<null>((resolve) => {
      const arm = () => setTimeout(() => resolve(null), CANCEL_DEADLINE_MS);
      if (controller.signal.aborted) arm();
      else controller.signal.addEventListener('abort', arm, { once: true });
    });
    const result = await Promise.race([search, deadline]);
    if (result) return result;
    const error: ErrorInfo = { code: 'cancelled', message: 'The search was cancelled.' };
    const t = Math.max(Date.now() - started, events.at(-1)?.t ?? 0);
    const stats = emptyStats(t);
    onEvent({ type: 'search.failed', searchId, t, error, partial: true, stats });
    answered = true;
    this.hooks.log(`Search ${searchId} did not stop within ${CANCEL_DEADLINE_MS} ms; answered with its partial trace.`);
    return { searchId, problem: params.problem, answer: null, events, stats, error };
  }

  private async progressFor(params: SolveParams, controller: AbortController): Promise<Progress | null> {
    let reporter: WorkDoneProgressReporter | null = null;
    if (params.workDoneToken !== undefined) reporter = this.connection.window.attachWorkDoneProgress(params.workDoneToken);
    else if (this.hooks.serverProgress()) {
      try {
        const created = await this.connection.window.createWorkDoneProgress();
        created.token.onCancellationRequested(() => controller.abort());
        reporter = created;
      } catch {
        reporter = null;
      }
    }
    if (!reporter) return null;
    return new Progress(reporter, params.mode === 'explain' ? 'SpecSearch: explaining' : 'SpecSearch: solving');
  }
}

/** Turns the event stream into throttled "depth 3 · 5 accepted · 2 rejected" progress reports. */
class Progress {
  private depth = 0;
  private accepted = 0;
  private rejected = 0;
  private last = 0;

  constructor(private readonly reporter: WorkDoneProgressReporter, title: string) {
    reporter.begin(title, undefined, 'starting…', true);
  }

  update(event: SearchEvent): void {
    if (event.type === 'step.started') this.depth = event.depth;
    else if (event.type === 'thought.judged') {
      if (event.verdict === 'accepted') this.accepted++;
      else this.rejected++;
    } else if (event.type !== 'beam.selected') return;
    const now = Date.now();
    if (now - this.last < PROGRESS_INTERVAL_MS) return;
    this.last = now;
    this.reporter.report(`depth ${this.depth} · ${this.accepted} accepted · ${this.rejected} rejected`);
  }

  done(): void {
    this.reporter.done();
  }
}

function checkParams(raw: unknown): SolveParams {
  const bad = (message: string) => new ResponseError(ErrorCodes.usage, `specsearch/solve: ${message}`);
  if (typeof raw !== 'object' || raw === null) throw bad('params must be an object {problem, mode}.');
  const p = raw as Record<string, unknown>;
  if (typeof p.problem !== 'string') throw bad('"problem" must be a string.');
  const mode = p.mode ?? 'solve';
  if (mode !== 'solve' && mode !== 'explain') throw bad(`"mode" must be "solve" or "explain", not ${JSON.stringify(mode)}.`);
  if (p.method !== undefined && !(METHODS as readonly unknown[]).includes(p.method)) throw bad(`"method" must be one of ${METHODS.join(', ')}.`);
  if (p.algorithm !== undefined && !(ALGORITHMS as readonly unknown[]).includes(p.algorithm)) throw bad(`"algorithm" must be one of ${ALGORITHMS.join(', ')}.`);
  if (p.searchId !== undefined && (typeof p.searchId !== 'string' || !/^[\w.-]{1,64}$/.test(p.searchId))) throw bad('"searchId" must be 1–64 letters, digits, "-", "_" or ".".');
  return { ...(p as unknown as SolveParams), mode };
}

/** A search that could not start (models failed to load) still tells its story in events, like any other. */
function failedBeforeStart(params: SolveParams, settings: Settings, searchId: string, error: ErrorInfo, emit: (e: SearchEvent) => void): SolveResult {
  const search = settings.search;
  const stats = emptyStats(0);
  const events: SearchEvent[] = [
    { type: 'search.started', searchId, t: 0, problem: params.problem, mode: params.mode, method: search.method, algorithm: search.algorithm, settings: search },
    { type: 'search.failed', searchId, t: 0, error, partial: true, stats },
  ];
  events.forEach(emit);
  return { searchId, problem: params.problem, answer: null, events, stats, error };
}

function emptyStats(wallMs: number): SearchStats {
  return { ...new StatsRecorder().snapshot(), wallMs };
}


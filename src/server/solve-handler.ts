// `specsearch/solve`: runs one search per request, streams its events, reports progress, stops on cancel.
import { newSearchId } from '../core/search-id';
import { ResponseError, type CancellationToken, type Connection, type WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { ALGORITHMS, METHODS, withSearchOverrides, type Settings } from '../core/config';
import { toErrorInfo } from '../core/errors';
import type { SearchEvent, SolveResult } from '../core/events';
import { startSolve } from '../core/solve';
import { ErrorCodes, EventNotification, type SolveParams } from '../protocol';
import type { EngineHost, Lease } from './engine-host';

const PROGRESS_INTERVAL_MS = 150;
/** How long a client may take to create a progress token before the search goes on without one. */
const PROGRESS_CREATE_MS = 1000;

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
    const searchId = params.searchId ?? newSearchId();
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
    const onEvent = (event: SearchEvent) => {
      void this.connection.sendNotification(EventNotification, { searchId, event });
      progress?.update(event);
    };
    // The engine checks the problem, then loads the models (raced against the cancel), and tells all of it
    // in its own events; the lease goes back once every model call of the search has returned.
    let lease: Promise<Lease> | null = null;
    const models = () => {
      lease = this.host.acquire();
      return lease.then((l) => l.models);
    };
    const running = startSolve({ problem: params.problem, mode: params.mode, settings, models, signal: controller.signal, onEvent, searchId });
    void running.settled.then(async () => {
      const acquired = lease && (await (lease as Promise<Lease>).catch(() => null));
      acquired?.release();
    });
    return running.result;
  }

  private async progressFor(params: SolveParams, controller: AbortController): Promise<Progress | null> {
    let reporter: WorkDoneProgressReporter | null = null;
    if (params.workDoneToken !== undefined) reporter = this.connection.window.attachWorkDoneProgress(params.workDoneToken);
    else if (this.hooks.serverProgress()) {
      // A client that never answers window/workDoneProgress/create must not hold up the search.
      const request = this.connection.window.createWorkDoneProgress();
      const created = await Promise.race([request.catch(() => null), new Promise<null>((resolve) => setTimeout(() => resolve(null), PROGRESS_CREATE_MS))]);
      if (created) {
        created.token.onCancellationRequested(() => controller.abort());
        reporter = created;
      } else {
        this.hooks.log(`The client did not answer window/workDoneProgress/create within ${PROGRESS_CREATE_MS} ms; solving without progress.`);
        void request.then(
          (late) => late.done(),
          () => undefined,
        );
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

  constructor(
    private readonly reporter: WorkDoneProgressReporter,
    title: string,
  ) {
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
  if (p.searchId !== undefined && (typeof p.searchId !== 'string' || !/^[\w.-]{1,64}$/.test(p.searchId)))
    throw bad('"searchId" must be 1–64 letters, digits, "-", "_" or ".".');
  const doc = p.textDocument as { uri?: unknown } | null | undefined;
  if (doc !== undefined && (typeof doc !== 'object' || doc === null || typeof doc.uri !== 'string')) throw bad('"textDocument" must be {uri: string}.');
  const position = (x: unknown) =>
    typeof x === 'object' &&
    x !== null &&
    [(x as { line?: unknown }).line, (x as { character?: unknown }).character].every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0);
  const range = p.range as { start?: unknown; end?: unknown } | null | undefined;
  if (range !== undefined && (typeof range !== 'object' || range === null || !position(range.start) || !position(range.end)))
    throw bad('"range" must be {start, end} positions of non-negative integers.');
  return { ...(p as unknown as SolveParams), mode };
}

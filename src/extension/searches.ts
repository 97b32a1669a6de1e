// Runs searches through the server and keeps their events: the panel, status bar and inline views follow them.
import { newSearchId } from '../core/search-id';
import * as vscode from 'vscode';
import type { Algorithm, Method } from '../core/config';
import { upgradeEvent, type SearchEvent, type SolveResult } from '../core/events';
import type { EventParams } from '../protocol';
import type { Ctx } from './ctx';
import { errorInfoOf, showEngineError } from './errors';
import type { Mode } from '../core/models/types';

export interface SearchRequest {
  problem: string;
  mode: Mode;
  method?: Method;
  algorithm?: Algorithm;
  /** The text the problem came from: answers are shown and inserted there. */
  anchor?: { uri: vscode.Uri; range: vscode.Range };
}

export interface SearchEntry {
  searchId: string;
  request: SearchRequest;
  events: SearchEvent[];
  result: SolveResult | null;
  cancel: vscode.CancellationTokenSource | null;
}

/** Enough to export and rerun recent searches; older ones are gone from the panel too. */
const KEEP = 10;
const FLUSH_MS = 40;
/** Finished searches are kept in the workspace's state, so a window reload brings them back. */
const HISTORY_KEY = 'specsearch.history';
/** A trace larger than this is not kept across reloads (the workspace state is not a trace store). */
const HISTORY_MAX_CHARS = 2_000_000;

/** A finished search as stored: the request (its anchor as plain values) and the engine's SolveResult. */
interface StoredSearch {
  searchId: string;
  request: Omit<SearchRequest, 'anchor'> & { anchor?: { uri: string; range: [number, number, number, number] } };
  result: SolveResult;
}

export class SearchRegistry {
  private readonly entries = new Map<string, SearchEntry>();
  private readonly pending = new Map<string, { from: number; events: SearchEvent[] }>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** The search the panel shows (the last started, or the one the user picked there). */
  current: string | null = null;

  constructor(private readonly ctx: Ctx) {
    this.restore();
  }

  /** Searches of earlier sessions in this workspace, finished ones only, as the engine returned them. */
  private restore(): void {
    const stored = this.ctx.extension.workspaceState.get<StoredSearch[]>(HISTORY_KEY, []);
    for (const item of Array.isArray(stored) ? stored : []) {
      if (!item || typeof item.searchId !== 'string' || !Array.isArray(item.result?.events)) continue;
      const a = item.request.anchor;
      const anchor = a ? { uri: vscode.Uri.parse(a.uri), range: new vscode.Range(...a.range) } : undefined;
      const result = { ...item.result, events: item.result.events.map((e) => upgradeEvent(e)) };
      this.entries.set(item.searchId, { searchId: item.searchId, request: { ...item.request, anchor }, events: result.events, result, cancel: null });
      this.current = item.searchId;
    }
  }

  private persist(): void {
    const stored: StoredSearch[] = [];
    for (const e of this.entries.values()) {
      if (!e.result || e.cancel !== null) continue;
      const a = e.request.anchor;
      const item: StoredSearch = {
        searchId: e.searchId,
        request: {
          ...e.request,
          anchor: a ? { uri: a.uri.toString(), range: [a.range.start.line, a.range.start.character, a.range.end.line, a.range.end.character] } : undefined,
        },
        result: e.result,
      };
      if (JSON.stringify(item).length <= HISTORY_MAX_CHARS) stored.push(item);
    }
    void this.ctx.extension.workspaceState.update(HISTORY_KEY, stored);
  }

  /** Answers of restored searches that came from a document, for the server's CodeLens and hover. */
  anchoredResults(): { uri: string; problem: string; mode: Mode; result: SolveResult }[] {
    return this.all().flatMap((e) =>
      e.result && e.request.anchor ? [{ uri: e.request.anchor.uri.toString(), problem: e.request.problem, mode: e.request.mode, result: e.result }] : [],
    );
  }

  get(searchId: string | null | undefined): SearchEntry | undefined {
    return searchId ? this.entries.get(searchId) : undefined;
  }

  latest(): SearchEntry | undefined {
    return this.get(this.current) ?? [...this.entries.values()].at(-1);
  }

  all(): SearchEntry[] {
    return [...this.entries.values()];
  }

  running(): SearchEntry[] {
    return this.all().filter((e) => e.cancel !== null);
  }

  async run(request: SearchRequest): Promise<SolveResult | null> {
    const server = await this.ctx.ensureClient();
    const searchId = newSearchId();
    const cancel = new vscode.CancellationTokenSource();
    const entry: SearchEntry = { searchId, request, events: [], result: null, cancel };
    this.entries.set(searchId, entry);
    this.evict();
    this.current = searchId;
    this.ctx.panel.reveal();
    if (request.anchor) this.ctx.inline.running(request.anchor, searchId, request.mode, request.problem);
    this.ctx.status.update(this.running());
    this.setRunningContext();
    try {
      const params = {
        problem: request.problem,
        mode: request.mode,
        method: request.method,
        algorithm: request.algorithm,
        searchId,
        ...(request.anchor ? { textDocument: { uri: request.anchor.uri.toString() }, range: toLspRange(request.anchor.range) } : {}),
      };
      const result = await server.solve(params, cancel.token);
      entry.result = result;
      // The response carries the full trace: fill in anything the notifications have not delivered yet.
      if (result.events.length > entry.events.length) this.queue(searchId, entry.events.length, result.events.slice(entry.events.length));
      entry.events = result.events;
      if (result.error) showEngineError(this.ctx, result.error);
      return result;
    } catch (err) {
      showEngineError(this.ctx, errorInfoOf(err));
      return null;
    } finally {
      entry.cancel = null;
      cancel.dispose();
      this.persist();
      if (request.anchor) this.ctx.inline.finished(searchId, entry.result);
      this.ctx.status.update(this.running());
      this.setRunningContext();
    }
  }

  /** Stops one search, or every running one. The server answers with the partial trace. */
  stop(searchId?: string): number {
    const targets = searchId ? [this.entries.get(searchId)].filter((e): e is SearchEntry => !!e) : this.running();
    let stopped = 0;
    for (const e of targets) {
      if (e.cancel) {
        e.cancel.cancel();
        stopped++;
      }
    }
    return stopped;
  }

  onEvent({ searchId, event }: EventParams): void {
    const entry = this.entries.get(searchId);
    if (!entry) return;
    this.queue(searchId, entry.events.length, [event]);
    entry.events.push(event);
    this.ctx.status.update(this.running(), entry);
    if (entry.request.anchor) this.ctx.inline.progress(searchId, event);
  }

  /** Events reach the panel in batches: one postMessage per ~frame, not one per event. */
  private queue(searchId: string, from: number, events: SearchEvent[]): void {
    const batch = this.pending.get(searchId);
    if (batch) batch.events.push(...events);
    else this.pending.set(searchId, { from, events: [...events] });
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.flushTimer = null;
    for (const [searchId, batch] of this.pending) this.ctx.panel.post({ type: 'events', searchId, from: batch.from, events: batch.events });
    this.pending.clear();
  }

  /** What a freshly loaded panel lacks, given how many events of each search it restored. */
  replay(have: Record<string, number>): void {
    this.flush();
    for (const entry of this.entries.values()) {
      const from = have[entry.searchId] ?? 0;
      if (entry.events.length > from) this.ctx.panel.post({ type: 'events', searchId: entry.searchId, from, events: entry.events.slice(from) });
    }
    if (this.current) this.ctx.panel.post({ type: 'show', searchId: this.current });
  }

  /** Drives the panel title's Stop button (`when: specsearch.running`). */
  private setRunningContext(): void {
    void vscode.commands.executeCommand('setContext', 'specsearch.running', this.running().length > 0);
  }

  private evict(): void {
    for (const [id, e] of this.entries) {
      if (this.entries.size <= KEEP) break;
      if (e.cancel === null) this.entries.delete(id);
    }
  }
}

function toLspRange(r: vscode.Range) {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

// Every custom LSP request and notification SpecSearch speaks, declared once; server and extension import it.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { Range, TextDocumentIdentifier, WorkDoneProgressParams } from 'vscode-languageserver-protocol';
import type { Algorithm, Method } from './core/config';
import type { DiscoverResult } from './core/discover';
import type { DoctorReport } from './core/doctor';
import type { ErrorInfo } from './core/errors';
import type { SearchEvent, SolveResult } from './core/events';
import type { Mode } from './core/models/types';

/**
 * `initialize` params' `initializationOptions`. `config` is the same object as specsearch.config.json,
 * validated by the engine's own schema (parseSettings) where it enters the server.
 */
export interface InitializationOptions {
  profile?: string;
  config?: unknown;
  /**
   * The client runs `specsearch.solveBlock` itself (the VS Code extension does); otherwise the server
   * offers it through workspace/executeCommand so CodeLens works in any editor.
   */
  clientCommands?: boolean;
  /** false: the client shows its own progress, so the server creates no window/workDoneProgress. */
  serverProgress?: boolean;
  /**
   * The client reports settings errors itself, from specsearch/settings' `error` (whose `setting` names the
   * key), so the server sends no window/showMessage for them.
   */
  clientSettingsErrors?: boolean;
}

/** `workspace/didChangeConfiguration` settings: `{specsearch: {profile?, config?}}` or the bare object. */
export interface ConfigurationSettings {
  specsearch?: { profile?: string; config?: unknown };
}

export interface SolveParams extends WorkDoneProgressParams {
  problem: string;
  mode: Mode;
  method?: Method;
  algorithm?: Algorithm;
  /** Chosen by the client so it can match events before the response arrives; generated when absent. */
  searchId?: string;
  /** Where the problem sits: the server remembers the answer there and shows it on hover. */
  textDocument?: TextDocumentIdentifier;
  range?: Range;
}

/** The engine's SolveResult, as is: the ordered events (partial when cancelled or failed) and the summary. */
export type SolveResponse = SolveResult;

/** Sent for every SearchEvent while a solve runs, in order. */
export interface EventParams {
  searchId: string;
  event: SearchEvent;
}

/** Stops one search, or every running search when searchId is absent. `$/cancelRequest` works too. */
export interface CancelParams {
  searchId?: string;
}

/** What `specsearch/doctor` answers: the engine's own report (src/core/doctor.ts), one entry per model. */
export type { DoctorReport };

/** Argument of the `specsearch.solveBlock` command a CodeLens carries. */
export interface SolveBlockArgs {
  uri: string;
  range: Range;
  mode: Mode;
  problem: string;
}

/** Sent when the settings in use change (after initialize and after each valid didChangeConfiguration). */
export interface SettingsParams {
  profile: string;
  /** e.g. "embedded small.gguf" / "http://127.0.0.1:8000/v1 Qwen2.5-Math-7B": for the status bar and logs. */
  models: { small: string; large: string; prm: string };
  method: Method;
  algorithm: Algorithm;
  /** The last configuration problem, or null when the settings in use are valid. */
  error: ErrorInfo | null;
}

export const SolveRequest = new RequestType<SolveParams, SolveResponse, void>('specsearch/solve');
export const CancelRequest = new RequestType<CancelParams, { cancelled: string[] }, void>('specsearch/cancel');
export const DoctorRequest = new RequestType<Record<string, never> | null, DoctorReport, void>('specsearch/doctor');
/** The model servers running on the server's machine, at the usual ports (src/core/discover.ts). */
export const DiscoverRequest = new RequestType<Record<string, never> | null, DiscoverResult, void>('specsearch/discover');
export const EventNotification = new NotificationType<EventParams>('specsearch/event');
export const SettingsNotification = new NotificationType<SettingsParams>('specsearch/settings');

/**
 * Client → server: an answer found in an earlier session (the client keeps the history), so CodeLens and
 * hover show it again over its problem after a reload.
 */
export interface RememberParams {
  textDocument: TextDocumentIdentifier;
  problem: string;
  mode: Mode;
  result: SolveResult;
}
export const RememberNotification = new NotificationType<RememberParams>('specsearch/remember');

export const SOLVE_BLOCK_COMMAND = 'specsearch.solveBlock';

/** JSON-RPC error codes of SpecSearch requests; `data` carries the engine's ErrorInfo (code, message, hint). */
export const ErrorCodes = {
  /** The settings are invalid: the message names the setting and what it must be. */
  config: -32050,
  /** The problem text cannot be solved as given (empty, too long). */
  usage: -32051,
  /** The models could not be created (missing GGUF, bad server URL…). */
  models: -32052,
} as const;

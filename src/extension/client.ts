// The connection to dist/server.js through vscode-languageclient. Loaded with import() on first use, so
// activation does not pay for the LSP libraries (the bundle's largest part).
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  MessageType,
  ShowMessageNotification,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { DiscoverResult } from '../core/discover';
import type { SolveResult } from '../core/events';
import {
  DiscoverRequest,
  DoctorRequest,
  EventNotification,
  RememberNotification,
  SettingsNotification,
  SolveRequest,
  type DoctorReport,
  type EventParams,
  type InitializationOptions,
  type RememberParams,
  type SettingsParams,
  type SolveParams,
} from '../protocol';
import { PROBLEM_LANGUAGES } from './selection';
import type { EngineSettings } from './settings';

export interface ServerHandlers {
  onEvent(params: EventParams): void;
  onSettings(params: SettingsParams): void;
  onMessage(severity: 'error' | 'warning' | 'info', message: string): void;
}

/** What the rest of the extension needs from the server; nothing else sees vscode-languageclient. */
export interface ServerConnection {
  solve(params: SolveParams, token: vscode.CancellationToken): Promise<SolveResult>;
  doctor(token: vscode.CancellationToken): Promise<DoctorReport>;
  discover(token: vscode.CancellationToken): Promise<DiscoverResult>;
  configure(settings: EngineSettings): void;
  /** Answers of earlier sessions, for CodeLens and hover over their problems. */
  remember(items: RememberParams[]): void;
  stop(): Promise<void>;
}

export async function startServer(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  settings: EngineSettings,
  secrets: Record<string, string>,
  handlers: ServerHandlers,
): Promise<ServerConnection> {
  const module = context.asAbsolutePath('dist/server.js');
  // API keys reach the server only as environment variables of its process, named by apiKeyEnv.
  const env = { ...process.env, ...secrets };
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { env } },
    debug: { module, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const initializationOptions: InitializationOptions = {
    profile: settings.profile,
    config: settings.config,
    // The extension runs the CodeLens command itself (so the panel and status bar follow the search)
    // and shows progress in its own status bar item.
    clientCommands: true,
    serverProgress: false,
    // Settings errors are told in VS Code's words (key, scope, Open Settings at the key): see Ctx.
    clientSettingsErrors: true,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: PROBLEM_LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    initializationOptions,
    outputChannel: output,
  };
  const client = new LanguageClient('specsearch', 'SpecSearch', serverOptions, clientOptions);
  client.onNotification(EventNotification, (params) => handlers.onEvent(params));
  client.onNotification(SettingsNotification, (params) => handlers.onSettings(params));
  // Server messages (e.g. invalid settings) get the same actions as every other SpecSearch error.
  client.onNotification(ShowMessageNotification.type, (m) => {
    handlers.onMessage(m.type === MessageType.Error ? 'error' : m.type === MessageType.Warning ? 'warning' : 'info', m.message);
  });
  await client.start();
  return {
    solve: (params, token) => client.sendRequest(SolveRequest, params, token),
    doctor: (token) => client.sendRequest(DoctorRequest, {}, token),
    discover: (token) => client.sendRequest(DiscoverRequest, {}, token),
    configure(next) {
      if (client.state !== State.Running) return;
      void client.sendNotification(DidChangeConfigurationNotification.type, { settings: { specsearch: { profile: next.profile, config: next.config } } });
    },
    remember(items) {
      for (const item of items) void client.sendNotification(RememberNotification, item);
    },
    stop: () => client.stop(),
  };
}

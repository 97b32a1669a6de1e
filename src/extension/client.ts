// Builds the LanguageClient for dist/server.js: transport, documents, initialization options, environment.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { InitializationOptions } from '../protocol';
import type { EngineSettings } from './settings';

/** The documents that get CodeLens and hover: where problems are written as prose. */
export const PROBLEM_LANGUAGES = ['markdown', 'plaintext', 'latex', 'tex'];

export function createClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  settings: EngineSettings,
  secrets: Record<string, string>,
): LanguageClient {
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
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: PROBLEM_LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    initializationOptions,
    outputChannel: output,
    // Settings go through our own didChangeConfiguration (filtered for trust, explicit values only).
    synchronize: {},
  };
  return new LanguageClient('specsearch', 'SpecSearch', serverOptions, clientOptions);
}

// The SpecSearch language server: hosts the engine in its own process and serves any LSP client.
import {
  CodeLensRefreshRequest,
  createConnection,
  MessageType,
  ProposedFeatures,
  ErrorCodes as LspErrorCodes,
  ResponseError,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { format } from 'node:util';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Settings } from '../core/config';
import type { ErrorInfo } from '../core/errors';
import {
  CancelRequest,
  DiscoverRequest,
  DoctorRequest,
  ErrorCodes,
  RememberNotification,
  SettingsNotification,
  SolveRequest,
  SOLVE_BLOCK_COMMAND,
  type InitializationOptions,
  type RememberParams,
  type SolveBlockArgs,
} from '../protocol';
import { answerCheckOf, upgradeEvent, validateEvent } from '../core/events';
import { answerLine } from '../core/verdict';
import { discoverServers } from '../core/discover';
import { runDoctor } from '../core/doctor';
import { EngineHost } from './engine-host';
import { AnswerStore, codeLenses, hover } from './lenses';
import { SolveHandler } from './solve-handler';
import { FramingGuard } from './framing';

import { VERSION } from '../core/version';

/**
 * Starts the server on `connection` (default: the transport named on the command line — `--stdio`,
 * `--node-ipc` or `--socket=N`). Used by dist/server.js and by `specsearch lsp --stdio`.
 */
/** The cancellation token vscode-jsonrpc passes last, whatever the params' shape. */
function tokenOf(args: readonly unknown[]): CancellationToken {
  return args[args.length - 1] as CancellationToken;
}

/** The connection on the transport named on the command line; over --stdio, its input passes a FramingGuard. */
function commandLineConnection(): Connection {
  if (!process.argv.includes('--stdio')) return createConnection(ProposedFeatures.all);
  let report = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const connection = createConnection(ProposedFeatures.all, process.stdin.pipe(new FramingGuard((m) => report(m))), process.stdout);
  report = (message) => connection.console.error(message);
  return connection;
}

export function startServer(connection: Connection = commandLineConnection()): Connection {
  const documents = new TextDocuments(TextDocument);
  const log = (message: string) => connection.console.log(`[${new Date().toISOString().slice(11, 23)}] ${message}`);
  // Over --stdio, stdout IS the protocol: a stray console.log from a library would corrupt it.
  console.log = console.info = console.debug = (...args: unknown[]) => log(format(...args));
  console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
  console.error = (...args: unknown[]) => connection.console.error(format(...args));
  const host = new EngineHost(log);
  const answers = new AnswerStore();
  let options: InitializationOptions = {};
  let clientProgress = false;
  let clientLensRefresh = false;
  // After `shutdown` the server only waits for `exit` (LSP): no request is served, no notification acted on.
  let shutDown = false;
  const refuseAfterShutdown = (method: string) => {
    if (shutDown)
      throw new ResponseError(LspErrorCodes.InvalidRequest, `${method}: the server is shutting down (it received "shutdown"); only "exit" is accepted now.`);
  };
  // Documents whose lenses were cut short and the user was told so (once per document).
  const lensLimitShown = new Set<string>();

  const solver = new SolveHandler(connection, host, {
    onResult(params, result) {
      if (params.textDocument) answers.record(params.textDocument.uri, params.problem, result, params.mode);
      // The lens over a solved block shows its answer: ask the client to fetch lenses again.
      if (params.textDocument && clientLensRefresh) connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    },
    serverProgress: () => clientProgress && options.serverProgress !== false,
    log,
  });

  const announce = () => {
    const s = host.current();
    if (!s) return;
    void connection.sendNotification(SettingsNotification, {
      profile: s.profile,
      models: describeModels(s),
      method: s.search.method,
      algorithm: s.search.algorithm,
      error: host.error(),
    });
  };

  const reportConfigError = (error: ErrorInfo | null) => {
    if (!error) return;
    const goesOn = host.current() ? ' Solving goes on with the last valid settings.' : '';
    log(`Invalid settings: ${error.message}${goesOn}`);
    // The VS Code extension reports it from specsearch/settings (sent while valid settings are in use) itself,
    // naming the setting as VS Code does.
    if (options.clientSettingsErrors && host.current()) return;
    // A notification, not window/showMessageRequest: every client shows it, none has to answer it.
    void connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Error,
      message: `SpecSearch: ${error.message}${error.hint ? ` ${error.hint}` : ''}${goesOn}`,
    });
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    options = (params.initializationOptions ?? {}) as InitializationOptions;
    clientProgress = params.capabilities.window?.workDoneProgress === true;
    clientLensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    const error = host.configure({ profile: options.profile, config: options.config }, EDITOR_SETTINGS);
    // Shown once the client is ready to display messages (after `initialized`).
    connection.onInitialized(() => {
      reportConfigError(error);
      announce();
    });
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        ...(options.clientCommands ? {} : { executeCommandProvider: { commands: [SOLVE_BLOCK_COMMAND] } }),
      },
      serverInfo: { name: 'specsearch', version: VERSION },
    };
  });

  connection.onDidChangeConfiguration((change) => {
    if (shutDown) return;
    const raw = (change.settings ?? {}) as Record<string, unknown>;
    // {specsearch: {profile?, config?}} (the VS Code extension), or {specsearch: <settings object>}
    // (Neovim's `settings`), or either of these bare. An empty section changes nothing.
    const section = (isObject(raw.specsearch) ? raw.specsearch : raw) as Record<string, unknown>;
    if (Object.keys(section).length === 0) return;
    const next = 'config' in section ? { profile: section.profile, config: section.config } : { config: section };
    const error = host.configure(next, EDITOR_SETTINGS);
    if (error) reportConfigError(error);
    else log(`Settings updated (profile ${host.current()?.profile}).`);
    announce();
  });

  connection.onRequest(SolveRequest, (params, token) => {
    refuseAfterShutdown(SolveRequest.method);
    return solver.handle(params, token);
  });
  // Requests without parameters of their own may come with [] for params (Neovim 0.7 encodes an empty Lua
  // table as an array), which vscode-jsonrpc spreads as no arguments: the token is then the first one.
  connection.onRequest(CancelRequest.method, (...args: unknown[]) => {
    refuseAfterShutdown(CancelRequest.method);
    const params = args.length > 1 && args[0] && typeof args[0] === 'object' ? (args[0] as { searchId?: unknown }) : null;
    const searchId = params?.searchId ?? undefined;
    if (searchId !== undefined && typeof searchId !== 'string') {
      throw new ResponseError(LspErrorCodes.InvalidParams, 'specsearch/cancel: searchId must be a string (or absent, to stop every running search).');
    }
    return { cancelled: solver.cancel(searchId) };
  });

  connection.onRequest(DiscoverRequest.method, async (...args: unknown[]) => {
    refuseAfterShutdown(DiscoverRequest.method);
    const controller = new AbortController();
    tokenOf(args).onCancellationRequested(() => controller.abort());
    return discoverServers({ signal: controller.signal });
  });

  connection.onRequest(DoctorRequest.method, async (...args: unknown[]) => {
    refuseAfterShutdown(DoctorRequest.method);
    const token = tokenOf(args);
    let settings: Settings;
    try {
      settings = host.settingsOrThrow();
    } catch (err) {
      const info = host.error();
      throw new ResponseError(ErrorCodes.config, info?.message ?? (err as Error).message, info ?? undefined);
    }
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    return runDoctor(settings, controller.signal);
  });

  connection.onCodeLens((params) => {
    refuseAfterShutdown('textDocument/codeLens');
    const document = documents.get(documentUri(params, 'textDocument/codeLens'));
    if (!document) return [];
    const { lenses, limit } = codeLenses(document, answers);
    if (limit && !lensLimitShown.has(document.uri)) {
      lensLimitShown.add(document.uri);
      log(limit);
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `SpecSearch: ${limit}` });
    }
    return lenses;
  });

  connection.onHover((params) => {
    refuseAfterShutdown('textDocument/hover');
    const document = documents.get(documentUri(params, 'textDocument/hover'));
    const position = (params as { position?: unknown }).position as { line?: unknown; character?: unknown } | undefined;
    const index = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    if (!position || !index(position.line) || !index(position.character)) {
      throw new ResponseError(LspErrorCodes.InvalidParams, 'textDocument/hover: "position" must be {line, character} with non-negative integers.');
    }
    return document ? hover(document, params.position, answers) : null;
  });

  // Editors without a local handler (Neovim, Helix…) run the CodeLens command here.
  connection.onExecuteCommand(async (params, token) => {
    refuseAfterShutdown('workspace/executeCommand');
    if (params.command !== SOLVE_BLOCK_COMMAND) throw new ResponseError(ErrorCodes.usage, `Unknown command ${params.command}.`);
    const args = (params.arguments?.[0] ?? {}) as SolveBlockArgs;
    const result = await solver.handle(
      { problem: args?.problem, mode: args?.mode, ...(args?.uri !== undefined ? { textDocument: { uri: args.uri } } : {}), range: args?.range },
      token,
    );
    const message = result.error ? `SpecSearch: ${result.error.message}` : `SpecSearch answer: ${answerLine(answerCheckOf(result))}`;
    void connection.sendNotification(ShowMessageNotification.type, { type: result.error ? MessageType.Error : MessageType.Info, message });
    return result;
  });

  connection.onNotification(RememberNotification, (params) => {
    if (shutDown) return;
    const p = params as Partial<RememberParams> | null;
    if (p && typeof p.result === 'object' && p.result !== null && Array.isArray(p.result.events))
      p.result = { ...p.result, events: p.result.events.map(upgradeEvent) };
    const valid =
      typeof p?.textDocument?.uri === 'string' &&
      typeof p.problem === 'string' &&
      (p.mode === 'solve' || p.mode === 'explain') &&
      Array.isArray(p.result?.events) &&
      p.result.events.every((e) => validateEvent(e).length === 0) &&
      typeof p.result.stats === 'object' &&
      p.result.stats !== null;
    if (!valid) return log('Ignored a specsearch/remember notification whose params are not {textDocument, problem, mode, result}.');
    answers.record(p.textDocument!.uri, p.problem!, p.result!, p.mode!);
    if (clientLensRefresh) connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  });

  documents.onDidClose((e) => {
    answers.forget(e.document.uri);
    lensLimitShown.delete(e.document.uri);
  });

  connection.onShutdown(async () => {
    shutDown = true;
    solver.cancel();
    await host.dispose();
  });
  connection.onExit(() => {
    solver.cancel();
  });

  // One failed notification or request must not take the engine (and every running search) down.
  process.on('unhandledRejection', (reason) => log(`Unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));

  documents.listen(connection);
  connection.listen();
  return connection;
}

function describeModels(s: Settings): { small: string; large: string; prm: string } {
  const one = (m: Settings['models']['small']) => (m.provider === 'embedded' ? `embedded ${m.model.split(/[\\/]/).pop()}` : `${m.baseURL} ${m.model}`);
  return { small: one(s.models.small), large: one(s.models.large), prm: one(s.models.prm) };
}

/** The document URI of a textDocument/* request, or an InvalidParams error (never a crash on a malformed request). */
function documentUri(params: unknown, method: string): string {
  const uri = (params as { textDocument?: { uri?: unknown } } | null)?.textDocument?.uri;
  if (typeof uri !== 'string') throw new ResponseError(LspErrorCodes.InvalidParams, `${method}: "textDocument.uri" must be a string.`);
  return uri;
}

/** Where settings sent by the editor come from, in messages: the user's words, never a protocol method. */
const EDITOR_SETTINGS = "the editor's SpecSearch settings";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The extension's context object: owns the client, status bar, panel, inline explanations and disposables.
import * as vscode from 'vscode';
import type { ErrorInfo } from '../core/errors';
import type { SettingsParams } from '../protocol';
import type { ServerConnection } from './client';
import { COMMANDS } from './commands';
import { showMessageWithActions } from './errors';
import { InlineExplanations } from './inline';
import { PanelProvider, VIEW_ID } from './panel';
import { SearchRegistry } from './searches';
import { Secrets } from './secrets';
import { PROBLEM_LANGUAGES } from './selection';
import { readSettings, settingErrorView } from './settings';
import { StatusBar } from './status';

export class Ctx {
  readonly output: vscode.LogOutputChannel;
  readonly status: StatusBar;
  readonly panel: PanelProvider;
  readonly searches: SearchRegistry;
  readonly inline: InlineExplanations;
  readonly secrets: Secrets;
  serverSettings: SettingsParams | null = null;
  private server: ServerConnection | null = null;
  private starting: Promise<ServerConnection> | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('SpecSearch', { log: true });
    this.status = new StatusBar();
    this.secrets = new Secrets(extension.secrets, extension.globalState);
    this.searches = new SearchRegistry(this);
    this.panel = new PanelProvider(this);
    this.inline = new InlineExplanations();
    this.disposables.push(this.output, this.status, this.inline);
  }

  activate(): void {
    const d = this.disposables;
    d.push(vscode.window.registerWebviewViewProvider(VIEW_ID, this.panel));
    for (const [id, run] of Object.entries(COMMANDS)) d.push(vscode.commands.registerCommand(id, (...args: unknown[]) => run(this, ...args)));
    d.push(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('specsearch') && this.sendSettings()));
    d.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.sendSettings()));
    // CodeLens needs the server: start it once a problem document is open, never at activation itself.
    d.push(vscode.workspace.onDidOpenTextDocument((doc) => this.maybeStartFor(doc)));
    setTimeout(() => vscode.workspace.textDocuments.forEach((doc) => this.maybeStartFor(doc)), 0);
    this.status.idle(null);
  }

  private maybeStartFor(doc: vscode.TextDocument): void {
    if (this.starting || !PROBLEM_LANGUAGES.includes(doc.languageId) || doc.uri.scheme === 'output') return;
    this.ensureClient().catch(() => undefined);
  }

  /** The language server, started on first use. */
  ensureClient(): Promise<ServerConnection> {
    this.starting ??= this.startServer().catch((err) => {
      this.starting = null;
      this.output.appendLine(`The language server did not start: ${(err as Error).message}`);
      void showMessageWithActions(this, 'error', `SpecSearch: the language server did not start (${(err as Error).message}).`, ['Show Log']);
      throw err;
    });
    return this.starting;
  }

  private async startServer(): Promise<ServerConnection> {
    const settings = readSettings();
    this.reportIgnored(settings.ignored);
    // dist/client.js is bundled apart (esbuild.mjs) and loaded here, on first use: activation never pays for it.
    const { startServer } = require('./client.js') as typeof import('./client');
    this.server = await startServer(this.extension, this.output, settings, await this.secrets.environment(), {
      onEvent: (params) => this.searches.onEvent(params),
      onSettings: (params) => {
        // specsearch/settings comes only while valid settings are in use: solving goes on with them.
        this.reportSettingsError(params.error);
        this.serverSettings = params;
        this.status.idle(params);
        this.panel.post({ type: 'profile', profile: params.profile, models: params.models });
      },
      onMessage: (severity, message) => void showMessageWithActions(this, severity, message, severity === 'info' ? [] : ['Open Settings', 'Show Log']),
    });
    // A reloaded window gets its CodeLens answers back from the kept history.
    this.server.remember(this.searches.anchoredResults().map((r) => ({ textDocument: { uri: r.uri }, problem: r.problem, mode: r.mode, result: r.result })));
    return this.server;
  }

  /** Settings changed (or trust was granted): the server validates them and answers with the result. */
  private sendSettings(): void {
    const settings = readSettings();
    this.reportIgnored(settings.ignored);
    this.server?.configure(settings);
  }

  private settingsErrorShown = '';
  /** An invalid setting, named as VS Code names it, once per distinct problem. */
  private reportSettingsError(error: ErrorInfo | null): void {
    const key = error ? JSON.stringify(error.setting ?? error.message) : '';
    if (key === this.settingsErrorShown) return;
    this.settingsErrorShown = key;
    if (!error) return;
    this.output.error(`Invalid setting: ${error.message}${error.hint ? ` ${error.hint}` : ''}`);
    const view = settingErrorView(error, true);
    if (!view) {
      void showMessageWithActions(this, 'error', `SpecSearch: ${error.message}${error.hint ? ` ${error.hint}` : ''}`, ['Open Settings', 'Show Log']);
      return;
    }
    void vscode.window.showErrorMessage(view.message, 'Open Settings').then((choice) => choice && view.open());
  }

  private ignoredShown = '';
  private reportIgnored(ignored: string[]): void {
    const key = ignored.join(',');
    if (key === '' || key === this.ignoredShown) return;
    this.ignoredShown = key;
    void vscode.window
      .showWarningMessage(
        `SpecSearch: this workspace is not trusted, so its ${ignored.join(', ')} settings are ignored (a workspace could send your problems and API keys to a server of its choosing). Your user settings are used instead.`,
        'Manage Workspace Trust',
      )
      .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
  }

  /** API keys are read at spawn: a new key needs a new server process. */
  async restartClient(): Promise<void> {
    if (!this.server) return;
    const old = this.server;
    this.server = null;
    this.starting = null;
    this.searches.stop();
    await old.stop().catch(() => undefined);
    await this.ensureClient();
  }

  async dispose(): Promise<void> {
    this.searches.stop();
    const server = this.server;
    this.server = null;
    for (const d of this.disposables.splice(0)) d.dispose();
    await server?.stop().catch(() => undefined);
  }
}

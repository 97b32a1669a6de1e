// The one place engine errors become VS Code notifications, each with the actions that help next.
import * as vscode from 'vscode';
import type { ErrorInfo } from '../core/errors';
import type { Ctx } from './ctx';
import { docsPages, docsUrl } from './text';

export type Action = 'Open Settings' | 'Check Model Servers' | 'Show Log' | 'Set API Key…';

const RUN: Record<Action, (ctx: Ctx) => unknown> = {
  'Open Settings': () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:specsearch.specsearch'),
  'Check Model Servers': () => vscode.commands.executeCommand('specsearch.checkModelServers'),
  'Show Log': (ctx) => ctx.output.show(true),
  'Set API Key…': () => vscode.commands.executeCommand('specsearch.setApiKey'),
};

/** The docs pages a message names, each as a button "Open docs/servers.md". */
function docsActions(ctx: Ctx, message: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const page of docsPages(message)) {
    const url = docsUrl((ctx.extension.extension.packageJSON as { repository?: unknown }).repository, page);
    if (url) links.set(`Open ${page}`, url);
  }
  return links;
}

export async function showMessageWithActions(ctx: Ctx, severity: 'error' | 'warning' | 'info', message: string, actions: Action[]): Promise<void> {
  const show =
    severity === 'error' ? vscode.window.showErrorMessage : severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const docs = docsActions(ctx, message);
  const choice = await show(message, ...docs.keys(), ...actions);
  if (!choice) return;
  const url = docs.get(choice);
  if (url) await vscode.env.openExternal(vscode.Uri.parse(url));
  else await RUN[choice as Action](ctx);
}

/** Which actions fit which failure: a connection problem wants the doctor, a bad setting wants the settings. */
function actionsFor(info: ErrorInfo): Action[] {
  switch (info.code) {
    case 'config':
      return ['Open Settings', 'Show Log'];
    case 'connection':
    case 'timeout':
    case 'model-not-found':
    case 'model-load':
    case 'bad-response':
      return ['Check Model Servers', 'Open Settings', 'Show Log'];
    case 'http':
      return /40[13]/.test(info.message) ? ['Set API Key…', 'Check Model Servers', 'Show Log'] : ['Check Model Servers', 'Show Log'];
    default:
      return ['Show Log'];
  }
}

export function showEngineError(ctx: Ctx, info: ErrorInfo): void {
  // The log channel writes the level itself ("[error]"): the line says only what happened.
  const line = `${info.code}: ${info.message}${info.hint ? ` (hint: ${info.hint})` : ''}`;
  if (info.code === 'cancelled') ctx.output.info(line);
  else ctx.output.error(line);
  if (info.code === 'cancelled') {
    vscode.window.setStatusBarMessage('SpecSearch: search stopped', 3000);
    return;
  }
  const text = `SpecSearch: ${info.message}${info.hint ? ` ${info.hint}` : ''}`;
  void showMessageWithActions(ctx, info.code === 'usage' ? 'warning' : 'error', text, actionsFor(info));
}

/** A rejected LSP request (ResponseError with the engine's ErrorInfo as data) as an ErrorInfo. */
export function errorInfoOf(err: unknown): ErrorInfo {
  const data = (err as { data?: unknown })?.data;
  if (data && typeof data === 'object' && 'code' in data && 'message' in data) return data as ErrorInfo;
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}

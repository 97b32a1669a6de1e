// VS Code entry point: wire the context, register what it offers, dispose it. The server starts lazily.
import type * as vscode from 'vscode';
import { Ctx } from './ctx';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): void {
  // Nothing slow here: the language server (and the models) start on the first command or problem document.
  const started = performance.now();
  ctx = new Ctx(context);
  ctx.activate();
  ctx.output.info(`Activated in ${(performance.now() - started).toFixed(1)} ms.`);
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}

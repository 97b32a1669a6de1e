// The sidebar reasoning panel's provider: forwards SearchEvents to the page and the page's buttons to commands.
import * as vscode from 'vscode';
import type { FromPanel, ToPanel } from '../../media/messages';
import type { Ctx } from './ctx';
import { panelHtml } from './panel-html';

export const VIEW_ID = 'specsearch.reasoning';

export class PanelProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | null = null;
  private ready = false;

  constructor(private readonly ctx: Ctx) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const root = this.ctx.extension.extensionUri;
    view.webview.options = {
      enableScripts: true,
      // The page loads nothing but the bundled script, its CSS and fonts, and the media folder.
      localResourceRoots: [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')],
    };
    view.webview.html = panelHtml(view.webview, root);
    view.webview.onDidReceiveMessage((m: FromPanel) => this.onMessage(m));
    // A hidden view loses its page; when shown again the page reloads its state and says 'ready'.
    view.onDidChangeVisibility(() => {
      if (!view.visible) this.ready = false;
    });
    view.onDidDispose(() => {
      this.view = null;
      this.ready = false;
    });
  }

  post(message: ToPanel): void {
    if (this.view && this.ready) void this.view.webview.postMessage(message);
  }

  /** Shows the panel without taking focus from the editor. */
  reveal(): void {
    if (this.view) this.view.show(true);
    else void vscode.commands.executeCommand(`${VIEW_ID}.focus`).then(() => vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup'));
  }

  private onMessage(m: FromPanel): void {
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        const s = this.ctx.serverSettings;
        if (s) this.post({ type: 'profile', profile: s.profile, models: s.models });
        this.ctx.searches.replay(m.have);
        break;
      }
      case 'stop':
        this.ctx.searches.stop(m.searchId);
        break;
      case 'export':
        void vscode.commands.executeCommand('specsearch.exportTrace', m.searchId);
        break;
      case 'rerun':
        void vscode.commands.executeCommand('specsearch.rerunWithMethod', m.searchId, m.method);
        break;
      case 'copy':
        void vscode.commands.executeCommand('specsearch.copyAnswer', m.searchId);
        break;
      case 'insert':
        void vscode.commands.executeCommand(m.worked ? 'specsearch.insertWorkedSolution' : 'specsearch.insertAnswer', m.searchId);
        break;
      case 'solveSelection':
        void vscode.commands.executeCommand('specsearch.solveSelection');
        break;
    }
  }
}

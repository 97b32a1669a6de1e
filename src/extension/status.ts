// The status bar item: the running search's depth and verdict counts, or the active profile when idle.
import * as vscode from 'vscode';
import type { SettingsParams } from '../protocol';
import type { SearchEntry } from './searches';
import { settingErrorView } from './settings';

const OPEN_PANEL = 'specsearch.openPanel';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('specsearch.status', vscode.StatusBarAlignment.Left, 10);
  private settings: SettingsParams | null = null;
  private lastUpdate = 0;

  constructor() {
    this.item.name = 'SpecSearch';
    this.item.command = OPEN_PANEL;
  }

  idle(settings: SettingsParams | null): void {
    if (settings) this.settings = settings;
    const s = this.settings;
    const error = s?.error;
    this.item.text = error ? '$(warning) SpecSearch' : `$(sparkle) SpecSearch${s ? `: ${s.profile}` : ''}`;
    this.item.tooltip = s
      ? new vscode.MarkdownString(
          `**SpecSearch** — profile \`${s.profile}\`, ${s.method} / ${s.algorithm}\n\n` +
            `- small: ${s.models.small}\n- large: ${s.models.large}\n- PRM: ${s.models.prm}` +
            // A bad setting is named as VS Code shows it (specsearch.search.beamWidth), with where it is set.
            (error ? `\n\n$(warning) ${settingErrorView(error, true)?.message.replace(/^SpecSearch: /, '') ?? error.message}` : '') +
            '\n\nClick to open the reasoning panel.',
          true,
        )
      : 'SpecSearch — the models load on the first solve. Click to open the reasoning panel.';
    this.item.backgroundColor = error ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  /** Counts come straight from the events: depth from step.started, verdicts from thought.judged. */
  update(running: SearchEntry[], changed?: SearchEntry): void {
    if (running.length === 0) return this.idle(null);
    // Events come in bursts; the status bar does not need more than a few updates a second.
    const now = Date.now();
    if (changed && now - this.lastUpdate < 100) return;
    this.lastUpdate = now;
    const entry = running.at(-1)!;
    let depth = 0;
    let accepted = 0;
    let rejected = 0;
    for (const e of entry.events) {
      if (e.type === 'step.started') depth = Math.max(depth, e.depth);
      else if (e.type === 'thought.judged') e.verdict === 'accepted' ? accepted++ : rejected++;
    }
    const more = running.length > 1 ? ` (+${running.length - 1})` : '';
    // Before the first step the engine is loading its models (or reaching its servers): say so, not "depth 0".
    const started = entry.events.some((e) => e.type === 'step.started');
    this.item.text = started
      ? `$(loading~spin) SpecSearch: depth ${depth} · ${accepted}✓ ${rejected}✗${more}`
      : `$(loading~spin) SpecSearch: loading models…${more}`;
    this.item.tooltip = `${entry.request.mode === 'explain' ? 'Explaining' : 'Solving'}: ${entry.request.problem.slice(0, 200)}\n\nClick to open the reasoning panel; "SpecSearch: Stop" stops it.`;
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

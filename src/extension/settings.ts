// Reads `specsearch.*` into the engine's settings object (what specsearch.config.json holds); trust-aware.
import * as vscode from 'vscode';
import { DEFAULT_SEARCH } from '../core/config';
import type { ErrorInfo } from '../core/errors';

export interface EngineSettings {
  profile: string | undefined;
  /** Only values the user set: the profile's own defaults (e.g. tiny's maxDepth 8) must not be overridden. */
  config: Record<string, unknown>;
  /** Workspace settings left out because the workspace is not trusted. */
  ignored: string[];
}

const ROLES = ['small', 'large', 'prm'] as const;
/** Workspace values of these are ignored in untrusted workspaces (package.json capabilities.restrictedConfigurations). */
export const RESTRICTED = ROLES.map((r) => `models.${r}`);

function explicit(config: vscode.WorkspaceConfiguration, key: string, trusted: boolean, ignored: string[]): unknown {
  const v = config.inspect(key);
  if (!v) return undefined;
  const workspace = v.workspaceFolderValue ?? v.workspaceValue;
  if (workspace !== undefined && !trusted && RESTRICTED.includes(key)) {
    // A repository could otherwise send prompts (and API keys) to a server of its choosing.
    ignored.push(`specsearch.${key}`);
    return v.globalValue;
  }
  return workspace ?? v.globalValue;
}

export function readSettings(): EngineSettings {
  const config = vscode.workspace.getConfiguration('specsearch');
  const trusted = vscode.workspace.isTrusted;
  const ignored: string[] = [];
  const out: Record<string, unknown> = {};
  const profile = explicit(config, 'profile', trusted, ignored);
  const models: Record<string, unknown> = {};
  for (const role of ROLES) {
    const value = explicit(config, `models.${role}`, trusted, ignored);
    if (value !== undefined && value !== null && !(typeof value === 'object' && Object.keys(value as object).length === 0)) models[role] = value;
  }
  if (Object.keys(models).length > 0) out.models = models;
  const search: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_SEARCH)) {
    const value = explicit(config, `search.${key}`, trusted, ignored);
    if (value !== undefined) search[key] = value;
  }
  if (Object.keys(search).length > 0) out.search = search;
  return { profile: typeof profile === 'string' ? profile : undefined, config: out, ignored };
}

/** The apiKeyEnv names the settings mention: what "Set API Key…" offers first. */
export function apiKeyNames(settings: EngineSettings): string[] {
  const models = (settings.config.models ?? {}) as Record<string, { apiKeyEnv?: unknown }>;
  return [
    ...new Set(
      Object.values(models)
        .map((m) => m?.apiKeyEnv)
        .filter((n): n is string => typeof n === 'string'),
    ),
  ];
}

/** A settings error from the engine, told as VS Code shows settings: its key, where it is set, how to get there. */
export interface SettingErrorView {
  message: string;
  /** Opens the settings editor at that scope, filtered to that key. */
  open(): Thenable<unknown>;
}

export function settingErrorView(info: ErrorInfo, solvingGoesOn: boolean): SettingErrorView | null {
  const problem = info.setting;
  if (!problem) return null;
  // The engine's key → the VS Code setting that holds it (model settings are one object per role).
  const parts = problem.key.split('.');
  const key = parts[0] === 'models' && parts.length > 2 ? `models.${parts[1]}` : problem.key === '(top level)' ? '' : problem.key;
  const property = parts[0] === 'models' && parts.length > 2 ? parts.slice(2).join('.') : null;
  const id = key ? `specsearch.${key}` : 'specsearch';
  const inspected = key ? vscode.workspace.getConfiguration('specsearch').inspect(key) : undefined;
  const scope = inspected?.workspaceFolderValue !== undefined ? 'folder' : inspected?.workspaceValue !== undefined ? 'workspace' : 'user';
  const where =
    scope === 'folder'
      ? 'the Workspace Folder Settings (.vscode/settings.json)'
      : scope === 'workspace'
        ? `the Workspace Settings (${vscode.workspace.workspaceFile ? vscode.workspace.workspaceFile.fsPath.split(/[\\/]/).pop() : '.vscode/settings.json'})`
        : 'your User Settings';
  const message =
    `SpecSearch: the setting "${id}"${property ? ` (its "${property}")` : ''} in ${where} has the value ${problem.value}, but ${problem.allowed}.` +
    (solvingGoesOn ? ' Solving goes on with the last valid settings.' : ' SpecSearch cannot solve until it is fixed.');
  const command =
    scope === 'folder'
      ? 'workbench.action.openFolderSettings'
      : scope === 'workspace'
        ? 'workbench.action.openWorkspaceSettings'
        : 'workbench.action.openSettings';
  return { message, open: () => vscode.commands.executeCommand(command, id) };
}

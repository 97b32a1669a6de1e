// Reads `specsearch.*` into the engine's settings object (what specsearch.config.json holds); trust-aware.
import * as vscode from 'vscode';
import { DEFAULT_SEARCH } from '../core/config';

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
  return [...new Set(Object.values(models).map((m) => m?.apiKeyEnv).filter((n): n is string => typeof n === 'string'))];
}

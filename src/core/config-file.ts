// Finds and reads `specsearch.config.json` (or the file given) into validated Settings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from './errors';
import { parseSettings, type Settings } from './config';
import { readTextFile } from './files';

export const CONFIG_FILE_NAME = 'specsearch.config.json';

export interface LoadedConfig {
  settings: Settings;
  /** The file read, or null when none was found and the profile's defaults apply. */
  file: string | null;
}

/**
 * An explicit `--config FILE` must exist; otherwise `specsearch.config.json` in the working directory is
 * used when present. A `profile` given on the command line overrides the file's.
 */
/** Set to 1 to let a specsearch.config.json found in the working directory use apiKeyEnv. */
export const TRUST_CONFIG_ENV = 'SPECSEARCH_TRUST_CONFIG';

/** A config is kilobytes; past this the file is not one. */
export const MAX_CONFIG_BYTES = 1 << 20;

/** The text of a config file: a regular file of at most MAX_CONFIG_BYTES. */
export function readConfigText(file: string): string {
  return readTextFile(file, {
    what: 'the config file',
    maxBytes: MAX_CONFIG_BYTES,
    code: 'config',
    hint: 'Give a JSON settings file (docs/servers.md has examples); check its path and permissions.',
  });
}

export function loadConfig(options: { configPath?: string; cwd?: string; profile?: string; trustFoundConfig?: boolean }): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  let file: string | null = null;
  if (options.configPath !== undefined) {
    file = path.resolve(cwd, options.configPath);
    if (!fs.existsSync(file)) {
      throw new EngineError({
        code: 'config',
        message: `The config file ${file} does not exist.`,
        hint: `Check the path given to --config, or create the file (see docs/servers.md for examples).`,
      });
    }
  } else if (fs.existsSync(path.join(cwd, CONFIG_FILE_NAME))) {
    file = path.join(cwd, CONFIG_FILE_NAME);
  }

  let raw: unknown = {};
  if (file !== null) {
    const text = readConfigText(file);
    try {
      // Editors on Windows may start the file with a byte-order mark.
      raw = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new EngineError({
        code: 'config',
        message: `The config file ${file} is not valid JSON: ${(err as Error).message}.`,
        hint: 'Fix the JSON syntax (a trailing comma or a missing quote is the usual cause).',
      });
    }
    if (depthOf(raw) > MAX_DEPTH) {
      throw new EngineError({
        code: 'config',
        message: `The config file ${file} nests objects or lists deeper than ${MAX_DEPTH} levels.`,
        hint: 'A SpecSearch config is at most three levels deep ("models" → "prm" → "kind"); check what the file holds.',
      });
    }
    if (options.configPath === undefined && !(options.trustFoundConfig ?? process.env[TRUST_CONFIG_ENV] === '1')) refuseFoundKeys(raw, file);
    raw = resolveModelPaths(raw, path.dirname(file));
  }
  if (options.profile !== undefined && typeof raw === 'object' && raw !== null) raw = { ...raw, profile: options.profile };
  else if (options.profile !== undefined) raw = { profile: options.profile };
  return { settings: parseSettings(raw, file ?? (options.profile ? `--profile ${options.profile}` : 'the default settings')), file };
}

/**
 * A config file picked up from the working directory may have come with a cloned repository: it must not
 * be able to send the value of an environment variable (apiKeyEnv) to a server of its choosing.
 */
function refuseFoundKeys(raw: unknown, file: string): void {
  const models = (raw as { models?: unknown } | null)?.models;
  if (typeof models !== 'object' || models === null) return;
  for (const [role, m] of Object.entries(models as Record<string, unknown>)) {
    const name = (m as { apiKeyEnv?: unknown } | null)?.apiKeyEnv;
    if (name === undefined) continue;
    const relative = path.relative(process.cwd(), file) || file;
    throw new EngineError({
      code: 'config',
      message: `${file} was found in the working directory and sets models.${role}.apiKeyEnv = ${JSON.stringify(name)}; a config file SpecSearch finds by itself may come with a cloned repository, so it never sends an environment variable's value to a server.`,
      hint: `If the file is yours, name it: --config ${relative}, or set ${TRUST_CONFIG_ENV}=1. Otherwise remove models.${role}.apiKeyEnv from it.`,
    });
  }
}

/** Embedded model paths in a config file are relative to that file, not to the working directory. */
function resolveModelPaths(raw: unknown, dir: string): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const o = raw as Record<string, unknown>;
  const models = o.models;
  if (typeof models !== 'object' || models === null) return raw;
  const resolved: Record<string, unknown> = {};
  for (const [role, m] of Object.entries(models as Record<string, unknown>)) {
    if (
      typeof m === 'object' &&
      m !== null &&
      (m as Record<string, unknown>).provider === 'embedded' &&
      typeof (m as Record<string, unknown>).model === 'string'
    ) {
      resolved[role] = { ...(m as object), model: path.resolve(dir, (m as Record<string, string>).model) };
    } else resolved[role] = m;
  }
  return { ...o, models: resolved };
}

const MAX_DEPTH = 32;

/** Nesting depth of parsed JSON, without recursion (a hostile file may nest 100,000 levels). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, d);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

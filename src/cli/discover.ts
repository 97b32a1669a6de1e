// `specsearch discover`: the model servers running on this machine, and a specsearch.config.json for a choice of them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discoverServers, type DiscoverResult, type FoundServer } from '../core/discover';
import { configFor, type Choice } from '../core/server-choice';
import { parseSettings, PRM_KINDS, SERVED_PRM_KINDS, type PrmKind } from '../core/config';
import { CONFIG_FILE_NAME } from '../core/config-file';
import { usageError } from './errors';
import { abortOnSignals } from './signals';

export interface DiscoverFlags {
  json?: boolean;
  ports?: string;
  host?: string;
  small?: string;
  large?: string;
  prm?: string;
  'prm-kind'?: string;
  /** Write the config (to --out, else ./specsearch.config.json) instead of printing it. */
  write?: boolean;
  out?: string;
}

/** "MODEL" (on whichever server lists it) or "URL#MODEL". */
function pick(role: string, wanted: string, servers: readonly FoundServer[]): Choice {
  const hash = wanted.lastIndexOf('#');
  const [url, model] = hash > 0 && /^https?:\/\//.test(wanted) ? [wanted.slice(0, hash), wanted.slice(hash + 1)] : [null, wanted];
  const matches = servers.filter((s) => (url === null || s.baseURL === url.replace(/\/+$/, '')) && s.models.includes(model));
  if (matches.length === 0) {
    const listed = servers.flatMap((s) => s.models.map((m) => `${m} (${s.baseURL})`)).join(', ') || 'none';
    throw usageError(`--${role} ${wanted}: no server found here serves that model.`, `Models found: ${listed}.`);
  }
  if (matches.length > 1)
    throw usageError(
      `--${role} ${wanted}: ${matches.length} servers serve that model.`,
      `Name one: --${role} ${matches.map((s) => `${s.baseURL}#${model}`).join(' or ')}.`,
    );
  return { baseURL: matches[0].baseURL, model };
}

/** What `specsearch discover` prints: each server with its kind, version, speculation and models. */
export function formatDiscovery(result: DiscoverResult): string {
  const lines = [`specsearch discover — ${result.servers.length} model server${result.servers.length === 1 ? '' : 's'} found in ${result.ms} ms`, ''];
  for (const s of result.servers) {
    lines.push(
      `  ${s.baseURL}  ${s.kind}${s.version ? ` ${s.version}` : ''}${s.speculative ? ', speculative decoding on' : s.speculative === null ? ', speculative decoding unknown' : ''}`,
    );
    for (const m of s.models) lines.push(`      ${m}`);
  }
  for (const s of result.skipped) lines.push(`  ${s.baseURL}  — ${s.why}`);
  if (result.servers.length > 0)
    lines.push(
      '',
      `Write a config: specsearch discover --small MODEL --large MODEL --prm MODEL [--prm-kind ${SERVED_PRM_KINDS.join('|')}] --write [--out FILE]`,
    );
  return lines.join('\n') + '\n';
}

export async function runDiscover(flags: DiscoverFlags): Promise<number> {
  const ports = flags.ports?.split(',').map((p) => Number(p.trim()));
  if (ports?.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw usageError(`--ports ${flags.ports} is not a comma-separated list of port numbers.`);
  const controller = new AbortController();
  const release = abortOnSignals(controller);
  let result;
  try {
    result = await discoverServers({ host: flags.host, ports, signal: controller.signal });
  } finally {
    release();
  }
  const chosen = flags.small !== undefined || flags.large !== undefined || flags.prm !== undefined;
  if (!chosen) {
    if (flags.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else process.stdout.write(formatDiscovery(result));
    return result.servers.length > 0 ? 0 : 1;
  }
  if (flags.small === undefined || flags.large === undefined || flags.prm === undefined)
    throw usageError('Choose all three: --small MODEL --large MODEL --prm MODEL.');
  const prmKind = flags['prm-kind'];
  if (prmKind !== undefined && !(PRM_KINDS as readonly string[]).includes(prmKind))
    throw usageError(`--prm-kind ${prmKind} is not one of ${PRM_KINDS.join(', ')}.`);
  const { config, notes } = configFor(
    {
      small: pick('small', flags.small, result.servers),
      large: pick('large', flags.large, result.servers),
      prm: pick('prm', flags.prm, result.servers),
      prmKind: prmKind as PrmKind | undefined,
    },
    result.servers,
  );
  for (const note of notes) process.stderr.write(`specsearch: ${note}\n`);
  // What is written must load: the engine's own schema checks it first.
  parseSettings(config, 'the discovered settings');
  const text = JSON.stringify(config, null, 2) + '\n';
  if (!flags.write) {
    process.stdout.write(text);
    return 0;
  }
  const file = path.resolve(flags.out ?? CONFIG_FILE_NAME);
  const exists = () => usageError(`${file} exists; SpecSearch does not overwrite it.`, 'Name another file with --out FILE, or move the old one away.');
  if (fs.existsSync(file)) throw exists();
  try {
    // 'wx' creates the file or fails: a symlink there, even a dangling one, is never followed out of the folder.
    fs.writeFileSync(file, text, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw exists();
    throw usageError(`Cannot write ${file}: ${(err as Error).message}.`, 'Name another file with --out FILE.');
  }
  process.stderr.write(`specsearch: wrote ${file}; run "specsearch doctor --config ${path.relative(process.cwd(), file) || file}" to check it.\n`);
  return 0;
}

// What every measurement script shares: its command-line flags, and the engine's TypeScript modules, bundled on
// the fly with esbuild (one source of truth, no build step), node-llama-cpp left external.
import { unlinkSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The flags `defaults` names (`--name VALUE`), each of its default's type: a number default takes finite numbers
 * only. An unknown flag, a missing value or a bad number prints `usage` and exits 2. With `positionals`, that many
 * arguments are required besides the flags, returned as `_`.
 */
export function flags(usage, defaults, { positionals = 0 } = {}) {
  const fail = (why) => {
    console.error(`${why}\nusage: ${usage}`);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({
      options: Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' }])),
      allowPositionals: positionals > 0,
      strict: true,
    });
  } catch (err) {
    fail(err.message);
  }
  if (parsed.positionals.length !== positionals) fail(`expected ${positionals} argument${positionals === 1 ? '' : 's'}, got ${parsed.positionals.length}`);
  const out = { _: parsed.positionals };
  for (const [k, def] of Object.entries(defaults)) {
    const raw = parsed.values[k];
    if (raw === undefined) out[k] = def;
    else if (typeof def === 'number') {
      out[k] = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(out[k])) fail(`--${k} must be a number, not "${raw}"`);
    } else out[k] = raw;
  }
  return out;
}

export async function loadEngine() {
  const entry = `
export * as task from './src/core/tiny/task';
export * as heldOut from './src/core/tiny/held-out';
export { EmbeddedRuntime } from './src/core/models/embedded';
export { createRewardModel } from './src/core/models/prm/factory';
export { calibrate } from './src/core/models/prm/calibrated';
export { profileSettings } from './src/core/profiles';
`;
  const built = await esbuild.build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    write: false,
    logLevel: 'error',
    external: ['node-llama-cpp'],
    format: 'cjs',
  });
  const file = join(root, 'node_modules', `.specsearch-engine-${process.pid}.cjs`);
  writeFileSync(file, built.outputFiles[0].text);
  try {
    return await import(file);
  } finally {
    unlinkSync(file);
  }
}

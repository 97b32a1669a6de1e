// The engine's TypeScript modules for the measurement scripts: bundled on the fly with esbuild (one source
// of truth, no build step), node-llama-cpp left external.
import { unlinkSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function loadEngine() {
  const entry = `
export * as task from './src/core/tiny/task';
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

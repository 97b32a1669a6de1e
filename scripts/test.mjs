// Runs the compiled tests of the given layers (unit, inference, servers, lsp, e2e) with node's test runner.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const layers = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = [];
for (const layer of layers.length ? layers : ['unit']) {
  const dir = join('out', 'test', layer);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) if (name.endsWith('.test.js')) files.push(join(dir, name));
}
if (files.length === 0) {
  console.error(`no compiled tests under out/test/{${layers.join(',')}}: run "npm run build" first`);
  process.exit(1);
}
const reporter = process.stdout.isTTY ? [] : ['--test-reporter=spec'];
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...reporter, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);

// Bundles the extension, the language server, the CLI, the webview script and the tests.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// The bundles' folder (default dist/); scripts/package.mjs builds into its own, which no other build rewrites.
const dist = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) ?? 'dist';

// Native inference and VS Code itself are never bundled.
const external = ['vscode', 'node-llama-cpp', '@node-llama-cpp/*'];

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external,
  logLevel: 'warning',
};

function testFiles(dir) {
  let files = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files = files.concat(testFiles(p));
    else if (/\.ts$/.test(name)) files.push(p);
  }
  return files;
}

const builds = [
  // The language client (vscode-languageclient: most of the extension's code) is its own file, required on
  // first use: activation loads and compiles only the small extension.js.
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: dist, external: [...external, './client.js'] },
  { ...node, entryPoints: { client: 'src/extension/client.ts' }, outdir: dist },
  { ...node, entryPoints: { server: 'src/server/main.ts' }, outdir: dist },
  // The executable is a few lines that listen for Ctrl-C before the CLI itself (cli-main.js) loads.
  { ...node, entryPoints: { cli: 'src/cli/launch.ts' }, outdir: dist, external: [...external, './cli-main.js'], banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { 'cli-main': 'src/cli/main.ts' }, outdir: dist },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    entryPoints: { webview: 'media/main.ts' },
    outdir: dist,
    loader: { '.ttf': 'file', '.woff2': 'file', '.woff': 'file' },
    logLevel: 'warning',
  },
];

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const exists = (p) => {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
};
let selected = builds.filter((b) => Object.values(b.entryPoints).every(exists));
if (only) selected = selected.filter((b) => Object.keys(b.entryPoints).includes(only));

if (!process.argv.includes('--no-tests') && !only) {
  rmSync('out/test', { recursive: true, force: true });
  selected.push({ ...node, entryPoints: testFiles('test').filter((f) => !f.includes('/fixtures/')), outdir: 'out/test', outbase: 'test' });
}

if (watch) {
  for (const b of selected) (await esbuild.context(b)).watch();
  console.log('watching for changes…');
} else {
  await Promise.all(selected.map((b) => esbuild.build(b)));
}

// Builds specsearch-<version>.vsix in the repository root (`npm run package`).
//
// vsce takes an extension's node_modules from `npm list --production`, which here names every
// platform binary npm installed for node-llama-cpp (CUDA, Vulkan, arm: ~700 MB). So the extension is
// staged first, in .cache/package/stage:
//   package.json       the manifest without scripts, devDependencies and `files`
//   README.md, CHANGELOG.md, LICENSE, dist/, media/, models/tiny/
//   node_modules/      the runtime closure of package.json's dependencies (node-llama-cpp), walked
//                      the way Node resolves packages; of the optional platform packages only
//                      @node-llama-cpp/linux-x64 (the CPU prebuilt binary) is kept; optional peers
//                      (typescript) are left out
// and vsce packages that folder (its own `npm list` then sees exactly the staged tree), filtered by
// the repository's .vscodeignore, for target linux-x64. The result is checked entry by entry, and
// node-llama-cpp is loaded from an extracted copy (outside the repository, so Node cannot fall back
// on the repository's node_modules).
//
// Flags: --skip-build (use dist/ as it is), --no-check (skip the load check).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const TARGET = 'linux-x64';
const vsixName = `${manifest.name}-${manifest.version}.vsix`;
const vsixPath = path.join(root, vsixName);
const stage = path.join(root, '.cache', 'package', 'stage');
const MODELS = ['small.gguf', 'large.gguf', 'verifier.gguf', 'prm.gguf', 'MODEL_CARD.md'];

/** Platform packages of node-llama-cpp other than the CPU build for linux-x64 never ship. */
function wanted(name) {
  if (name.startsWith('@node-llama-cpp/')) return name === `@node-llama-cpp/${TARGET}`;
  return true;
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function run(cmd, argv, options = {}) {
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (r.error) fail(`${cmd} ${argv.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${argv.join(' ')} exited with ${r.status ?? r.signal}`);
  return r;
}

const t0 = Date.now();

// 1. The production bundle (minified, no source maps, no tests).
if (!args.includes('--skip-build')) run(process.execPath, ['esbuild.mjs', '--production', '--no-tests'], { cwd: root });
for (const file of ['extension.js', 'server.js', 'cli.js', 'webview.js', 'webview.css']) {
  if (!fs.existsSync(path.join(root, 'dist', file))) fail(`dist/${file} is missing after the build`);
}
const missingModels = MODELS.filter((f) => !fs.existsSync(path.join(root, 'models', 'tiny', f)));
if (missingModels.length > 0) {
  fail(`models/tiny/ lacks ${missingModels.join(', ')}: the extension's default profile runs these models. Run "npm run models:train" first.`);
}

// 2. The runtime closure of the manifest's dependencies, as Node would resolve it from each package.
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    }
    if (dir === root || path.dirname(dir) === dir) return null;
  }
}

const closure = new Map(); // package dir (absolute) -> name
function walk(pkgDir, pkg) {
  const optional = pkg.optionalDependencies ?? {};
  const peers = pkg.peerDependencies ?? {};
  const peerMeta = pkg.peerDependenciesMeta ?? {};
  const edges = [
    ...Object.keys({ ...pkg.dependencies, ...optional }).map((name) => ({ name, required: !(name in optional) })),
    // A required peer must be there for the package to work; optional peers (typescript) stay out.
    ...Object.keys(peers).filter((name) => !peerMeta[name]?.optional).map((name) => ({ name, required: false })),
  ];
  for (const { name, required } of edges) {
    if (!wanted(name)) continue;
    const dir = resolvePackage(name, pkgDir);
    if (!dir) {
      if (required) fail(`${name}, a dependency of ${pkg.name ?? 'the extension'}, is not installed (run "npm ci")`);
      continue;
    }
    if (closure.has(dir)) continue;
    closure.set(dir, name);
    walk(dir, JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')));
  }
}
walk(root, { name: manifest.name, dependencies: manifest.dependencies ?? {} });
const binary = path.join(root, 'node_modules', '@node-llama-cpp', TARGET);
if (manifest.dependencies?.['node-llama-cpp'] && !closure.has(binary)) {
  fail(`@node-llama-cpp/${TARGET} (node-llama-cpp's prebuilt CPU binary) is not installed: run "npm ci" on ${TARGET}`);
}

// 3. The staging folder. Files are hard-linked (copied across file systems): cheap for 30 MB of binaries.
fs.rmSync(path.join(root, '.cache', 'package'), { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
function place(src, dst, skip = () => false) {
  const stat = fs.statSync(src);
  if (stat.isDirectory()) {
    fs.mkdirSync(dst, { recursive: true });
    for (const entry of fs.readdirSync(src).sort()) {
      if (skip(entry, src)) continue;
      place(path.join(src, entry), path.join(dst, entry), skip);
    }
  } else if (stat.isFile()) {
    try {
      fs.linkSync(src, dst);
    } catch {
      fs.copyFileSync(src, dst);
    }
  }
}
const staged = { ...manifest };
// vsce runs scripts.vscode:prepublish and refuses a manifest `files` next to .vscodeignore; neither
// scripts nor devDependencies mean anything inside an installed extension.
delete staged.scripts;
delete staged.devDependencies;
delete staged.files;
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);
for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
  if (!fs.existsSync(path.join(root, file))) fail(`${file} is missing`);
  place(path.join(root, file), path.join(stage, file));
}
for (const dir of ['dist', 'media', 'models/tiny']) {
  if (fs.existsSync(path.join(root, dir))) place(path.join(root, dir), path.join(stage, dir));
}
for (const [dir] of closure) {
  // A package's own node_modules are separate entries of the closure (or not needed at all).
  place(dir, path.join(stage, path.relative(root, dir)), (entry, parent) => entry === 'node_modules' && parent === dir);
}

// 4. vsce in the staging folder. Without a repository URL in the manifest, relative README links stay
//    relative (vsce would otherwise refuse to guess where they point).
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const vsceArgs = ['package', '--target', TARGET, '--out', vsixPath];
if (!manifest.repository) vsceArgs.push('--allow-missing-repository', '--no-rewrite-relative-links');
fs.rmSync(vsixPath, { force: true });
run(process.execPath, [vsce, ...vsceArgs], { cwd: stage });

// 5. Check what went in.
const list = spawnSync('unzip', ['-Z1', vsixPath], { encoding: 'utf8' });
if (list.status !== 0) fail(`unzip -Z1 ${vsixName}: ${list.stderr}`);
const entries = list.stdout.split('\n').filter(Boolean);
const has = new Set(entries.map((e) => e.toLowerCase()));
const required = [
  'extension/package.json',
  'extension/readme.md',
  'extension/changelog.md',
  ...['extension.js', 'server.js', 'cli.js', 'webview.js', 'webview.css'].map((f) => `extension/dist/${f}`),
  ...MODELS.map((f) => `extension/models/tiny/${f}`),
  'extension/node_modules/node-llama-cpp/package.json',
  `extension/node_modules/@node-llama-cpp/${TARGET}/bins/${TARGET}/llama-addon.node`,
  ...[...closure.keys()].map((dir) => `extension/${path.relative(root, dir)}/package.json`),
];
const missing = required.filter((e) => !has.has(e.toLowerCase()));
if (missing.length > 0) fail(`${vsixName} lacks:\n  ${missing.join('\n  ')}`);
if (!entries.some((e) => /^extension\/LICENSE(\.txt|\.md)?$/i.test(e))) fail(`${vsixName} lacks the LICENSE`);
const forbidden = [
  /^extension\/(src|test|out|scripts|bench|docs|\.cache|\.ci|\.vscode)\//,
  /^extension\/node_modules\/@node-llama-cpp\/(?!linux-x64\/)/,
  /^extension\/node_modules\/(typescript|@types|esbuild|@esbuild|playwright-core|@vscode)\//,
  /^extension\/node_modules\/node-llama-cpp\/llama\/(gitRelease\.bundle|llama\.cpp\/|localBuilds\/)/,
  /\.map$/,
];
const unwanted = entries.filter((e) => forbidden.some((re) => re.test(e)));
if (unwanted.length > 0) fail(`${vsixName} holds what must not ship:\n  ${unwanted.slice(0, 20).join('\n  ')}`);

// 6. node-llama-cpp loads its prebuilt binary from an extracted copy (outside the repository, so that
//    Node cannot fall back on the repository's node_modules).
if (!args.includes('--no-check')) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-vsix-'));
  let checkFailed = '';
  try {
    const unzipped = spawnSync('unzip', ['-q', vsixPath, 'extension/*', '-d', tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (unzipped.status !== 0) throw new Error(`unzip ${vsixName} failed`);
    const entry = path.join(tmp, 'extension', 'node_modules', 'node-llama-cpp', 'dist', 'index.js');
    const script = `const m = await import(${JSON.stringify(new URL(`file://${entry}`).href)});
const llama = await m.getLlama({ gpu: false, build: 'never', logLevel: m.LlamaLogLevel.error, progressLogs: false });
if (!llama.buildType.startsWith('prebuilt')) throw new Error('not the prebuilt binary: ' + llama.buildType);
await llama.dispose();`;
    // A file, not `node -e`: node-llama-cpp forks its binary test with the parent's execArgv.
    fs.writeFileSync(path.join(tmp, 'check.mjs'), script);
    const r = spawnSync(process.execPath, [path.join(tmp, 'check.mjs')], { cwd: tmp, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_PATH: '' } });
    if (r.status !== 0) checkFailed = `node-llama-cpp did not load its prebuilt binary from the extracted ${vsixName} (exit ${r.status ?? r.signal})`;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (checkFailed) fail(checkFailed);
}

const size = fs.statSync(vsixPath).size;
const packages = new Set([...closure.values()]).size;
console.log(
  `package: ${vsixName} (${TARGET}) ${(size / 2 ** 20).toFixed(1)} MiB, ${entries.length} entries, ` +
    `${packages} runtime packages${args.includes('--no-check') ? '' : ', node-llama-cpp loads from it'}; ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);

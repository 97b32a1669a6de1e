// Builds one .vsix per platform (`npm run package`): specsearch-<target>-<version>.vsix for each vsce
// target below, each carrying node-llama-cpp's prebuilt binary for that platform and no other's.
//
//   node scripts/package.mjs [--out DIR] [--target T ...] [--skip-build] [--no-check]
//
//   --out DIR      where the .vsix files go (default: the repository root)
//   --target T     only these targets (repeatable; default: all of TARGETS)
//   --skip-build   package a copy of dist/ as it is (default: a production build of its own, into
//                  .cache/package/dist, which the repository's dist/ and its rebuilds do not touch)
//   --no-check     skip the load check (the entry-by-entry checks always run)
//
// vsce takes an extension's node_modules from `npm list --production`, which here names every platform
// binary npm installed for node-llama-cpp (CUDA, Vulkan, arm: ~700 MB). So each target is staged first,
// in .cache/package/<target>:
//   package.json       the manifest without scripts, devDependencies and `files`
//   README.md, CHANGELOG.md, LICENSE, dist/, media/, models/tiny/
//   node_modules/      the runtime closure of package.json's dependencies (node-llama-cpp), walked the
//                      way Node resolves packages, less the files no runtime reads (RUNTIME_UNUSED);
//                      of node-llama-cpp's optional platform packages only the target's prebuilt binary
//                      (TARGETS[t].binary, less TARGETS[t].dropVariants); optional peers (typescript)
//                      and @reflink/* (ipull's optional copy-on-write clone for downloads, which the
//                      extension never makes) are left out
// and vsce packages that folder (its own `npm list` then sees exactly the staged tree), filtered by the
// repository's .vscodeignore. A binary package that `npm ci` did not install on this machine (another
// OS or CPU) is fetched with `npm pack` at the exact version node-llama-cpp pins, checked against the
// lockfile's integrity, and kept in .cache/node-llama-cpp-binaries.
//
// Each .vsix is then checked entry by entry: what must be there, what must not, every native file
// (ELF, Mach-O, PE, by its header, whatever its name) built for the target's OS and CPU, its bins/
// folder exactly the staged one, and its size under MAX_BYTES. The target of this machine is also
// unpacked outside the repository (so that Node cannot fall back on the repository's node_modules),
// and node-llama-cpp loads its prebuilt binary from there and reads the bundled small model.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * vsce target -> node-llama-cpp's prebuilt binary package for it (the one getLlama loads there with
 * gpu 'auto' when no CUDA/Vulkan build is installed; on Apple silicon that is the Metal build), the
 * native format and CPU its files must have, and the CPU variants of ggml left out.
 *
 * ggml loads every libggml-cpu-<variant> in the bins folder, asks each for its score on this CPU and
 * keeps the best (ggml_backend_load_best), so a CPU whose variant is missing runs the next best one.
 * The x64 builds leave out the variants that add one AVX-512 extension or one AVX feature to a variant
 * that stays: cannonlake, cascadelake and cooperlake run skylakex (or icelake) code; ivybridge and
 * piledriver run sandybridge code. Kept: x64 (any x86-64), sse42, sandybridge, haswell (AVX2),
 * alderlake (AVX-VNNI), skylakex (AVX-512), icelake, zen4 and sapphirerapids (AMX). The arm64 builds
 * fit with all their variants.
 */
const X64_DROPPED = ['ivybridge', 'piledriver', 'cannonlake', 'cascadelake', 'cooperlake'];
const TARGETS = {
  'linux-x64': { binary: 'linux-x64', format: 'elf', cpu: 'x64', dropVariants: X64_DROPPED, cpuBaseline: 'x64' },
  'linux-arm64': { binary: 'linux-arm64', format: 'elf', cpu: 'arm64', dropVariants: [], cpuBaseline: 'armv8.0_1' },
  'darwin-arm64': { binary: 'mac-arm64-metal', format: 'macho', cpu: 'arm64', dropVariants: [], cpuBaseline: 'apple_m1' },
  'darwin-x64': { binary: 'mac-x64', format: 'macho', cpu: 'x64', dropVariants: X64_DROPPED, cpuBaseline: 'x64' },
  'win32-x64': { binary: 'win-x64', format: 'pe', cpu: 'x64', dropVariants: X64_DROPPED, cpuBaseline: 'x64' },
};
/** The Marketplace's limit for this extension (the issue's): every .vsix stays under 40 MiB. */
const MAX_BYTES = 40 * 2 ** 20;
const MODELS = ['small.gguf', 'large.gguf', 'verifier.gguf', 'prm.gguf', 'MODEL_CARD.md'];
/** What the extension runs: the CLI (dist/cli.js) is for npm users, and the extension never starts it. */
const DIST = ['extension.js', 'client.js', 'server.js', 'webview.js', 'webview.css'];

/**
 * Files under node_modules that no runtime reads: documentation, lock files, dotfiles, TypeScript
 * declarations and source maps, and what only a compiler or a source build reads (C/C++ sources and
 * headers, gyp/CMake files, Windows import libraries, debug databases). Licence files stay.
 */
const RUNTIME_UNUSED = [
  /^(?!licen[sc]e)[^/]*\.(md|markdown)$/i,
  /^(readme|changelog|history|changes|authors|contributing)(\.[^/]*)?$/i,
  /^(yarn\.lock|package-lock\.json|pnpm-lock\.yaml|tsconfig(\..*)?\.json|Makefile)$/,
  /^\./,
  /\.(d\.[cm]?ts|[cm]?ts|map)$/,
  /\.(h|hh|hpp|c|cc|cpp|gyp|gypi|cmake|def|lib|exp|pdb)$/,
  /^CMakeLists\.txt$/,
];
/**
 * node-llama-cpp's own folders that serve building llama.cpp from source, downloading binaries or its
 * project templates (`npx node-llama-cpp init`). The engine loads the prebuilt binary
 * (getLlama({ build: 'never' })); of llama/ it reads package.json, binariesGithubRelease.json,
 * llama.cpp.info.json and grammars/.
 */
const NODE_LLAMA_CPP_UNUSED = /^(templates|llama\/(?!(package\.json|binariesGithubRelease\.json|llama\.cpp\.info\.json|grammars)$)[^/]+)$/;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lockfile = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const HOST_TARGET = `${process.platform}-${process.arch}`;

/** Temporary folders outside the repository, removed also when a check fails. */
const temporary = new Set();

function fail(message) {
  console.error(`package: ${message}`);
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}

function parseArgs(argv) {
  const options = { out: root, targets: [], build: true, check: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) fail(`${arg} needs a value`);
      return v;
    };
    if (arg === '--out') options.out = path.resolve(value());
    else if (arg === '--target') options.targets.push(value());
    else if (arg === '--skip-build') options.build = false;
    else if (arg === '--no-check') options.check = false;
    else fail(`unknown argument ${arg}; usage: node scripts/package.mjs [--out DIR] [--target T ...] [--skip-build] [--no-check]`);
  }
  for (const t of options.targets) if (!TARGETS[t]) fail(`unknown target ${t}; known: ${Object.keys(TARGETS).join(', ')}`);
  if (options.targets.length === 0) options.targets = Object.keys(TARGETS);
  return options;
}

function run(cmd, argv, options = {}) {
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (r.error) fail(`${cmd} ${argv.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${argv.join(' ')} exited with ${r.status ?? r.signal}${r.stderr ? `:\n${r.stderr}` : ''}`);
  return r;
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

// ---------------------------------------------------------------- the runtime closure

function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    }
    if (dir === root || path.dirname(dir) === dir) return null;
  }
}

/** Platform packages never come through the walk: each target adds its own binary package. */
const isPlatformPackage = (name) => name.startsWith('@node-llama-cpp/') || name.startsWith('@reflink/');

/** Package dir (absolute) -> name: the manifest's dependencies as Node would resolve them. */
function runtimeClosure() {
  const closure = new Map();
  const walk = (pkgDir, pkg) => {
    const optional = pkg.optionalDependencies ?? {};
    const peers = pkg.peerDependencies ?? {};
    const peerMeta = pkg.peerDependenciesMeta ?? {};
    const edges = [
      ...Object.keys({ ...pkg.dependencies, ...optional }).map((name) => ({ name, required: !(name in optional) })),
      // A required peer must be there for the package to work; optional peers (typescript) stay out.
      ...Object.keys(peers)
        .filter((name) => !peerMeta[name]?.optional)
        .map((name) => ({ name, required: false })),
    ];
    for (const { name, required } of edges) {
      if (isPlatformPackage(name)) continue;
      const dir = resolvePackage(name, pkgDir);
      if (!dir) {
        if (required) fail(`${name}, a dependency of ${pkg.name ?? 'the extension'}, is not installed (run "npm ci")`);
        continue;
      }
      if (closure.has(dir)) continue;
      closure.set(dir, name);
      walk(dir, readJson(path.join(dir, 'package.json')));
    }
  };
  walk(root, { name: manifest.name, dependencies: manifest.dependencies ?? {} });
  return closure;
}

// ---------------------------------------------------------------- node-llama-cpp's binary packages

function sha512Integrity(file) {
  return `sha512-${createHash('sha512').update(fs.readFileSync(file)).digest('base64')}`;
}

/**
 * The folder of @node-llama-cpp/<binary> at the exact version node-llama-cpp pins: the installed one
 * when npm ci put it there, otherwise the registry's tarball (npm pack), checked against the lockfile's
 * integrity and unpacked once into .cache/node-llama-cpp-binaries.
 */
function binaryPackage(binary, nodeLlamaCppDir) {
  const name = `@node-llama-cpp/${binary}`;
  const version = readJson(path.join(nodeLlamaCppDir, 'package.json')).optionalDependencies?.[name];
  if (!/^\d+\.\d+\.\d+$/.test(version ?? '')) fail(`node-llama-cpp does not pin ${name} to one version (${version})`);
  const installed = resolvePackage(name, nodeLlamaCppDir);
  if (installed && readJson(path.join(installed, 'package.json')).version === version) return { dir: installed, name, version, source: 'node_modules' };

  const locked = lockfile.packages?.[`node_modules/${name}`];
  if (locked?.version !== version || !locked.integrity) fail(`package-lock.json has no integrity for ${name}@${version}: run "npm install" to record it`);
  const cache = path.join(root, '.cache', 'node-llama-cpp-binaries');
  const dir = path.join(cache, `${binary}-${version}`);
  if (fs.existsSync(path.join(dir, '.complete'))) return { dir: path.join(dir, 'package'), name, version, source: 'npm pack (cached)' };

  fs.mkdirSync(cache, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cache, `.${binary}-`));
  temporary.add(tmp);
  try {
    console.log(`package: fetching ${name}@${version} (npm pack)`);
    const packed = run('npm', ['pack', `${name}@${version}`, '--pack-destination', tmp, '--json', '--loglevel=error'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [{ filename }] = JSON.parse(packed.stdout);
    const tarball = path.join(tmp, filename);
    const integrity = sha512Integrity(tarball);
    if (integrity !== locked.integrity) fail(`${filename}: integrity ${integrity} differs from package-lock.json's ${locked.integrity}`);
    run('tar', ['-xzf', tarball, '-C', tmp]);
    const pkg = readJson(path.join(tmp, 'package', 'package.json'));
    if (pkg.name !== name || pkg.version !== version) fail(`${filename} holds ${pkg.name}@${pkg.version}, not ${name}@${version}`);
    fs.rmSync(tarball);
    fs.writeFileSync(path.join(tmp, '.complete'), `${integrity}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    temporary.delete(tmp);
  }
  return { dir: path.join(dir, 'package'), name, version, source: 'npm pack' };
}

/** Library file name of a ggml CPU variant: libggml-cpu-haswell.so, ggml-cpu-haswell.dll. */
const cpuVariant = (file) => /^(?:lib)?ggml-cpu-(.+)\.(?:so|dylib|dll)$/.exec(file)?.[1] ?? null;

// ---------------------------------------------------------------- staging

/** Hard links (copies across file systems): cheap for the 30 MB of models and binaries. */
function place(src, dst, skip = () => false, rel = '') {
  const stat = fs.statSync(src);
  if (stat.isDirectory()) {
    fs.mkdirSync(dst, { recursive: true });
    for (const entry of fs.readdirSync(src).sort()) {
      const childRel = rel ? `${rel}/${entry}` : entry;
      if (skip(entry, childRel, fs.statSync(path.join(src, entry)).isDirectory())) continue;
      place(path.join(src, entry), path.join(dst, entry), skip, childRel);
    }
  } else if (stat.isFile()) {
    try {
      fs.linkSync(src, dst);
    } catch {
      fs.copyFileSync(src, dst);
    }
  }
}

/** What of a package under node_modules a runtime reads (rel: the path inside the package). */
function runtimeFile(pkgName, entry, rel, isDir) {
  if (isDir) return entry !== 'node_modules' && !entry.startsWith('.') && !(pkgName === 'node-llama-cpp' && NODE_LLAMA_CPP_UNUSED.test(rel));
  if (rel === 'package.json') return true;
  if (pkgName === 'node-llama-cpp' && NODE_LLAMA_CPP_UNUSED.test(rel)) return false;
  return !RUNTIME_UNUSED.some((re) => re.test(entry));
}

/** Stages the extension for one target; returns the staged bins/ files of its binary package. */
function stageTarget(stage, target, closure, binaryPkg, distDir) {
  const spec = TARGETS[target];
  fs.mkdirSync(stage, { recursive: true });
  const staged = { ...manifest };
  // vsce runs scripts.vscode:prepublish and refuses a manifest `files` next to .vscodeignore; neither
  // scripts nor devDependencies mean anything inside an installed extension.
  delete staged.scripts;
  delete staged.devDependencies;
  delete staged.files;
  delete staged.bin;
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);
  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
    if (!fs.existsSync(path.join(root, file))) fail(`${file} is missing`);
    place(path.join(root, file), path.join(stage, file));
  }
  place(distDir, path.join(stage, 'dist'), (_entry, rel) => /^cli\.js/.test(rel));
  for (const dir of ['media', 'models/tiny']) {
    if (fs.existsSync(path.join(root, dir))) place(path.join(root, dir), path.join(stage, dir));
  }
  for (const [dir, name] of closure) {
    // A package's own node_modules are separate entries of the closure (or not needed at all).
    place(dir, path.join(stage, path.relative(root, dir)), (entry, rel, isDir) => !runtimeFile(name, entry, rel, isDir));
  }
  const binsRel = `bins/${spec.binary}`;
  const dropped = new Set(spec.dropVariants);
  place(binaryPkg.dir, path.join(stage, 'node_modules', binaryPkg.name), (entry, rel, isDir) => {
    if (rel.startsWith(`${binsRel}/`) && dropped.has(cpuVariant(entry))) return true;
    return !runtimeFile(binaryPkg.name, entry, rel, isDir);
  });
  const bins = path.join(stage, 'node_modules', binaryPkg.name, binsRel);
  if (!fs.existsSync(path.join(bins, 'llama-addon.node'))) fail(`${binaryPkg.name} has no ${binsRel}/llama-addon.node`);
  const kept = new Set(fs.readdirSync(bins).map(cpuVariant).filter(Boolean));
  const unknown = spec.dropVariants.filter((v) => !fs.readdirSync(path.join(binaryPkg.dir, binsRel)).some((f) => cpuVariant(f) === v));
  if (unknown.length > 0) fail(`${binaryPkg.name} has no CPU variant ${unknown.join(', ')} to leave out: update TARGETS`);
  if (!kept.has(spec.cpuBaseline)) fail(`${binaryPkg.name} lacks the baseline CPU variant ${spec.cpuBaseline}`);
  return fs.readdirSync(bins).sort();
}

// ---------------------------------------------------------------- checks

/** The OS format and CPU of a native file from its header, or null when it is not one. */
function nativeKind(file) {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(4096);
  const n = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  if (n >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const machine = head.readUInt16LE(18);
    return { format: 'elf', cpu: { 62: 'x64', 183: 'arm64' }[machine] ?? `machine ${machine}` };
  }
  if (n >= 8 && [0xfeedfacf, 0xfeedface].includes(head.readUInt32LE(0))) {
    const cputype = head.readUInt32LE(4);
    return { format: 'macho', cpu: { 0x01000007: 'x64', 0x0100000c: 'arm64' }[cputype] ?? `cputype ${cputype}` };
  }
  if (n >= 8 && head.readUInt32BE(0) === 0xcafebabe && head.readUInt32BE(4) < 20) return { format: 'macho', cpu: 'universal' };
  if (n >= 0x40 && head.readUInt16BE(0) === 0x4d5a) {
    const pe = head.readUInt32LE(0x3c);
    if (pe + 6 <= n && head.readUInt32BE(pe) === 0x50450000) {
      const machine = head.readUInt16LE(pe + 4);
      return { format: 'pe', cpu: { 0x8664: 'x64', 0xaa64: 'arm64' }[machine] ?? `machine 0x${machine.toString(16)}` };
    }
  }
  if (n >= 8 && head.toString('latin1', 0, 8) === '!<arch>\n') return { format: 'static library', cpu: '?' };
  return null;
}

function walkFiles(dir, base = dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walkFiles(p, base, out);
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

/** Entry-by-entry checks of one .vsix; unpacks it into `unpacked`. */
function checkVsix(vsixPath, target, closure, binaryPkg, stagedBins, unpacked) {
  const spec = TARGETS[target];
  const vsixName = path.basename(vsixPath);
  const problems = [];
  const list = spawnSync('unzip', ['-Z1', vsixPath], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (list.status !== 0) fail(`unzip -Z1 ${vsixName}: ${list.stderr}`);
  const entries = list.stdout.split('\n').filter(Boolean);
  const has = new Set(entries.map((e) => e.toLowerCase()));

  const binsDir = `extension/node_modules/${binaryPkg.name}/bins/${spec.binary}`;
  const required = [
    'extension.vsixmanifest',
    'extension/package.json',
    'extension/readme.md',
    'extension/changelog.md',
    ...DIST.map((f) => `extension/dist/${f}`),
    ...MODELS.map((f) => `extension/models/tiny/${f}`),
    'extension/node_modules/node-llama-cpp/package.json',
    'extension/node_modules/node-llama-cpp/llama/binariesGithubRelease.json',
    'extension/node_modules/node-llama-cpp/llama/llama.cpp.info.json',
    `extension/node_modules/${binaryPkg.name}/package.json`,
    `extension/node_modules/${binaryPkg.name}/dist/index.js`,
    ...stagedBins.map((f) => `${binsDir}/${f}`),
    ...[...closure.keys()].map((dir) => `extension/${path.relative(root, dir)}/package.json`),
  ];
  const missing = required.filter((e) => !has.has(e.toLowerCase()));
  if (missing.length > 0) problems.push(`lacks:\n  ${missing.join('\n  ')}`);
  if (!entries.some((e) => /^extension\/LICENSE(\.txt|\.md)?$/i.test(e))) problems.push('lacks the LICENSE');

  const binary = spec.binary.replace(/[.-]/g, '\\$&');
  const forbidden = [
    /^extension\/(src|test|out|scripts|bench|docs|\.cache|\.ci|\.vscode)\//,
    new RegExp(`^extension/node_modules/@node-llama-cpp/(?!${binary}/)`),
    new RegExp(`^extension/node_modules/@node-llama-cpp/${binary}/bins/(?!${binary}/)`),
    /^extension\/node_modules\/(@reflink|typescript|@types|esbuild|@esbuild|playwright-core|@vscode)\//,
    /^extension\/node_modules\/node-llama-cpp\/(templates\/|llama\/(gitRelease\.bundle|llama\.cpp\/|localBuilds\/|addon\/|lastBuild\.json))/,
    /\.(map|d\.ts|lib|pdb)$/,
    /\/\.bin\//,
  ];
  const unwanted = entries.filter((e) => forbidden.some((re) => re.test(e)));
  if (unwanted.length > 0) problems.push(`holds what must not ship:\n  ${unwanted.slice(0, 20).join('\n  ')}`);
  // Every entry under node_modules lies in a package of the closure or in the target's binary package.
  const packages = new Set([...[...closure.keys()].map((dir) => path.relative(root, dir)), `node_modules/${binaryPkg.name}`]);
  const strays = entries.filter((e) => {
    const pkg = /^extension\/((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+)/.exec(e)?.[1];
    return e.startsWith('extension/node_modules/') && !packages.has(pkg?.replace(/\/$/, ''));
  });
  if (strays.length > 0) problems.push(`holds files of packages outside the runtime closure:\n  ${strays.slice(0, 20).join('\n  ')}`);
  const binsEntries = entries
    .filter((e) => e.startsWith(`${binsDir}/`))
    .map((e) => e.slice(binsDir.length + 1))
    .sort();
  if (binsEntries.join('\n') !== stagedBins.join('\n')) problems.push(`${binsDir}/ is not the staged folder: ${binsEntries.join(', ')}`);

  const vsixManifest = spawnSync('unzip', ['-p', vsixPath, 'extension.vsixmanifest'], { encoding: 'utf8' }).stdout ?? '';
  if (!vsixManifest.includes(`TargetPlatform="${target}"`)) problems.push(`extension.vsixmanifest does not name TargetPlatform="${target}"`);

  // Every native file, found by its header whatever its name, is built for the target.
  const unzipped = spawnSync('unzip', ['-q', vsixPath, '-d', unpacked], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (unzipped.status !== 0) fail(`unzip ${vsixName} failed`);
  let natives = 0;
  for (const rel of walkFiles(unpacked)) {
    const kind = nativeKind(path.join(unpacked, rel));
    if (!kind) continue;
    natives++;
    if (kind.format !== spec.format || kind.cpu !== spec.cpu) problems.push(`${rel} is ${kind.format} ${kind.cpu}, not ${spec.format} ${spec.cpu}`);
    else if (!rel.startsWith(`${binsDir}/`)) problems.push(`${rel}: a native file outside ${binsDir}/`);
  }
  const expected = stagedBins.filter((f) => /\.(node|so|dylib|dll)$/.test(f)).length;
  if (natives !== expected) problems.push(`${natives} native files, not the ${expected} of ${binsDir}/`);

  const size = fs.statSync(vsixPath).size;
  if (size >= MAX_BYTES) problems.push(`is ${(size / 2 ** 20).toFixed(2)} MiB, not under ${MAX_BYTES / 2 ** 20} MiB`);
  if (problems.length > 0) fail(`${vsixName}:\n${problems.join('\n')}`);
  return { entries: entries.length, size };
}

/** node-llama-cpp loads its prebuilt binary from the unpacked .vsix and reads the bundled small model. */
function checkLoads(unpacked, vsixName) {
  const ext = path.join(unpacked, 'extension');
  const entry = path.join(ext, 'node_modules', 'node-llama-cpp', 'dist', 'index.js');
  const script = `const m = await import(${JSON.stringify(new URL(`file://${entry}`).href)});
const llama = await m.getLlama({ gpu: 'auto', build: 'never', logLevel: m.LlamaLogLevel.error, progressLogs: false });
if (!llama.buildType.startsWith('prebuilt')) throw new Error('not the prebuilt binary: ' + llama.buildType);
const model = await llama.loadModel({ modelPath: ${JSON.stringify(path.join(ext, 'models', 'tiny', 'small.gguf'))} });
if (model.tokenize('Start with 7.').length === 0) throw new Error('the small model tokenized nothing');
await model.dispose();
await llama.dispose();`;
  // A file, not `node -e`: node-llama-cpp forks its binary test with the parent's execArgv.
  fs.writeFileSync(path.join(unpacked, 'check.mjs'), script);
  const r = spawnSync(process.execPath, [path.join(unpacked, 'check.mjs')], {
    cwd: unpacked,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_PATH: '' },
  });
  if (r.status !== 0) fail(`node-llama-cpp did not load its prebuilt binary and the small model from the unpacked ${vsixName} (exit ${r.status ?? r.signal})`);
}

// ---------------------------------------------------------------- main

const options = parseArgs(process.argv.slice(2));
const t0 = Date.now();

// 1. The production bundle (minified, no source maps, no tests) in a folder of its own; with
//    --skip-build a copy of dist/ (a build running beside this one rewrites dist/ in place, and the
//    stages hard-link what they take).
const work = path.join(root, '.cache', 'package');
const distDir = path.join(work, 'dist');
fs.rmSync(work, { recursive: true, force: true });
if (options.build) run(process.execPath, ['esbuild.mjs', '--production', '--no-tests', `--outdir=${distDir}`], { cwd: root });
else fs.cpSync(path.join(root, 'dist'), distDir, { recursive: true, filter: (src) => !src.endsWith('.map') });
for (const file of DIST) if (!fs.existsSync(path.join(distDir, file))) fail(`dist/${file} is missing${options.build ? ' after the build' : ''}`);
const missingModels = MODELS.filter((f) => !fs.existsSync(path.join(root, 'models', 'tiny', f)));
if (missingModels.length > 0) {
  fail(`models/tiny/ lacks ${missingModels.join(', ')}: the extension's default profile runs these models. Run "npm run models:train" first.`);
}

// 2. The runtime closure and each target's binary package (fetched before anything is built).
const closure = runtimeClosure();
const nodeLlamaCpp = [...closure].find(([, name]) => name === 'node-llama-cpp')?.[0];
if (!nodeLlamaCpp) fail('node-llama-cpp is not among the runtime dependencies');
const binaries = Object.fromEntries(options.targets.map((t) => [t, binaryPackage(TARGETS[t].binary, nodeLlamaCpp)]));

// 3. Stage, package and check each target.
fs.mkdirSync(options.out, { recursive: true });
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const results = [];
for (const target of options.targets) {
  const binaryPkg = binaries[target];
  const stage = path.join(work, target);
  const stagedBins = stageTarget(stage, target, closure, binaryPkg, distDir);
  const vsixPath = path.join(options.out, `${manifest.name}-${target}-${manifest.version}.vsix`);
  // Without a repository URL in the manifest, relative README links stay relative (vsce would
  // otherwise refuse to guess where they point).
  const vsceArgs = ['package', '--target', target, '--out', vsixPath];
  if (!manifest.repository) vsceArgs.push('--allow-missing-repository', '--no-rewrite-relative-links');
  fs.rmSync(vsixPath, { force: true });
  run(process.execPath, [vsce, ...vsceArgs], { cwd: stage });

  const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), `specsearch-vsix-${target}-`));
  temporary.add(unpacked);
  try {
    const { entries, size } = checkVsix(vsixPath, target, closure, binaryPkg, stagedBins, unpacked);
    const loads = options.check && target === HOST_TARGET;
    if (loads) checkLoads(unpacked, path.basename(vsixPath));
    const shown = path.relative(process.cwd(), vsixPath);
    results.push({ file: shown.startsWith('..') ? vsixPath : shown, size, entries, binary: `${binaryPkg.name}@${binaryPkg.version}`, loads });
  } finally {
    fs.rmSync(unpacked, { recursive: true, force: true });
    temporary.delete(unpacked);
  }
}

// 4. The table.
const rows = [
  ['file', 'MiB', 'entries', 'binary package', 'checked'],
  ...results.map((r) => [r.file, (r.size / 2 ** 20).toFixed(1), String(r.entries), r.binary, r.loads ? 'entries; loads here' : 'entries']),
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
for (const row of rows)
  console.log(
    row
      .map((cell, i) => (i === 1 || i === 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
console.log(`package: ${results.length} .vsix in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

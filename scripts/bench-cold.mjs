// Cold speed as a CLI user meets it: one `specsearch solve --method M` per process and problem, methods
// rotated problem by problem, on held-out tiny problems. Each solve's figure is its search's own wall time
// (search.finished stats.wallMs: model loading excluded); the process's whole time is recorded beside it.
// usage: node scripts/bench-cold.mjs [--seed 9004] [--n 12] [--methods large,sps,specsearch] [--base DIR]
//          [--variant LABEL:METHOD:ENV=VALUE ...] [--out DIR]
// --base DIR: also run each method with DIR/dist/cli.js (another build, e.g. an earlier commit), as columns
// "M@base" in the same rotation, so that the two builds' ratios come from one run.
// --variant LABEL:METHOD:ENV=VALUE (repeatable): one more column, METHOD run with that environment variable set,
// e.g. large@lanes32:large:SPECSEARCH_LANES=32 to check that a baseline is not slowed by a setting.
// Ratios of summed search times come with 95 % percentile-bootstrap intervals over problems.
// Writes DIR/results.json and prints a summary; run it on an otherwise idle machine.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { root } from './tiny/engine.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : def;
};
const SEED = Number(opt('seed', 9004));
const N = Number(opt('n', 12));
const METHODS = opt('methods', 'large,sps,specsearch').split(',');
const OUT = opt('out', null);
const BASE = opt('base', null);
const COLUMNS = [
  ...METHODS.map((m) => ({ label: m, method: m, cli: join(root, 'dist', 'cli.js') })),
  ...(BASE ? METHODS.map((m) => ({ label: `${m}@base`, method: m, cli: join(BASE, 'dist', 'cli.js') })) : []),
  ...args
    .flatMap((a, i) => (args[i - 1] === '--variant' ? [a] : []))
    .map((v) => {
      const [label, method, assignment] = v.split(':');
      const [name, value] = assignment.split('=');
      return { label, method, cli: join(root, 'dist', 'cli.js'), env: { [name]: value } };
    }),
];

const built = await esbuild.build({
  stdin: { contents: "export * from './src/core/tiny/held-out'; export {pairedSpeedup} from './src/core/bench/summary';", resolveDir: root, loader: 'ts' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'error',
});
const H = await import('data:text/javascript;base64,' + Buffer.from(built.outputFiles[0].text).toString('base64'));

const records = [];
for (const [i, p] of H.heldOutProblems(SEED, N).entries()) {
  for (let k = 0; k < COLUMNS.length; k++) {
    const { label, method, cli, env } = COLUMNS[(k + i) % COLUMNS.length];
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'solve', '--json', '--method', method, p.problem], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: { ...process.env, ...env },
    });
    const processMs = performance.now() - t0;
    const finished = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'search.finished');
    if (!finished) throw new Error(`${label} on ${p.id}: no search.finished (exit ${r.status}): ${r.stderr.slice(-500)}`);
    const record = {
      id: p.id,
      label,
      right: finished.answer === String(p.answer),
      wallMs: finished.stats.wallMs,
      processMs: Math.round(processMs),
      small: finished.stats.small,
      large: finished.stats.large,
      prm: finished.stats.prm,
    };
    records.push(record);
    process.stderr.write(
      `${p.id} ${label.padEnd(16)} ${record.right ? 'right' : 'WRONG'} ${(record.wallMs / 1000).toFixed(2)} s (process ${(processMs / 1000).toFixed(2)} s)\n`,
    );
  }
}

const sum = (label, key) => records.filter((r) => r.label === label).reduce((a, r) => a + r[key], 0);
/** Ratios against a baseline of the same build (`large` against `large`, `large@base` against `large@base`). */
const against = (label, baseline) => {
  const of = label.endsWith('@base') ? `${baseline}@base` : baseline;
  if (!label.endsWith('@base') && COLUMNS.find((c) => c.label === label)?.env) return null;
  if (of === label || !COLUMNS.some((c) => c.label === of)) return null;
  const times = (l, key) =>
    records
      .filter((r) => r.label === l)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((r) => r[key]);
  const ci = (key) => {
    const x = H.pairedSpeedup(times(of, key), times(label, key));
    return x && { low: x.low, high: x.high };
  };
  return {
    wall: sum(of, 'wallMs') / sum(label, 'wallMs'),
    wallCi: ci('wallMs'),
    process: sum(of, 'processMs') / sum(label, 'processMs'),
    processCi: ci('processMs'),
  };
};
const summary = Object.fromEntries(
  COLUMNS.map(({ label }) => [
    label,
    {
      right: records.filter((r) => r.label === label && r.right).length,
      total: N,
      wallMs: Math.round(sum(label, 'wallMs')),
      processMs: sum(label, 'processMs'),
      vsLarge: against(label, 'large'),
      vsSps: against(label, 'sps'),
      // against every variant column too (e.g. the baseline under another setting)
      vsVariants: Object.fromEntries(COLUMNS.filter((c) => c.env && c.label !== label).map((c) => [c.label, sum(c.label, 'wallMs') / sum(label, 'wallMs')])),
    },
  ]),
);
const meta = {
  command: `node scripts/bench-cold.mjs ${args.join(' ')}`.trim(),
  seed: SEED,
  problems: N,
  methods: METHODS,
  machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores`,
  load: os.loadavg(),
  node: process.version,
  date: new Date().toISOString(),
};
console.log(JSON.stringify({ meta, summary }, null, 2));
if (OUT) {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'results.json'), JSON.stringify({ meta, summary, records }, null, 1) + '\n');
}

// `specsearch bench --preset paper`: `bench` once per benchmark of the paper, then the paper's table over both.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PAPER_PRESET, paperTable, type PaperRun } from '../core/bench/paper';
import type { BenchSummary } from '../core/bench/summary';
import type { BenchFlags } from './bench';
import { usageError } from './errors';

export const PRESETS = ['paper'] as const;

/** Runs the preset's benchmarks through `bench` itself (`runOne`), each into its own folder under --out. */
export async function runPreset(flags: BenchFlags, argv: string[], runOne: (flags: BenchFlags, argv: string[]) => Promise<number>): Promise<number> {
  if (!(PRESETS as readonly string[]).includes(flags.preset ?? '')) throw usageError(`--preset ${flags.preset} is not one of ${PRESETS.join(', ')}.`);
  if (flags.dataset !== undefined || flags.methods !== undefined) {
    throw usageError(
      '--preset paper chooses the datasets (gsm8k, math500) and methods (large, sps, specsearch) itself.',
      'Leave out --dataset and --methods, or run bench without --preset.',
    );
  }
  const out = path.resolve(flags.out ?? path.join('bench', 'results', 'paper'));
  const runs: PaperRun[] = [];
  let settings: unknown = null;
  for (const dataset of PAPER_PRESET.datasets) {
    const dir = path.join(out, dataset);
    process.stderr.write(`bench --preset paper: ${dataset}${flags.limit ? ` (first ${flags.limit})` : ''}, methods ${PAPER_PRESET.methods.join(', ')}\n`);
    const code = await runOne({ ...flags, preset: undefined, dataset, methods: PAPER_PRESET.methods.join(','), out: dir, json: false }, argv);
    if (code !== 0) return code;
    const { summary, meta } = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as {
      summary: BenchSummary;
      meta: { warnings?: string[]; settings: unknown };
    };
    runs.push({ dataset, summary, dir: dataset, warnings: meta.warnings ?? [] });
    settings = meta.settings;
  }
  const table = paperTable(runs, {
    command: `specsearch ${argv.join(' ')}`,
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${os.platform()} ${os.arch()}`,
    settings,
  });
  const file = path.join(out, 'paper.md');
  fs.writeFileSync(file, table);
  fs.writeFileSync(path.join(out, 'paper.json'), JSON.stringify({ datasets: Object.fromEntries(runs.map((r) => [r.dataset, r.summary])) }, null, 2) + '\n');
  if (flags.json) process.stdout.write(JSON.stringify({ datasets: Object.fromEntries(runs.map((r) => [r.dataset, { methods: r.summary.methods }])) }) + '\n');
  else process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  return 0;
}

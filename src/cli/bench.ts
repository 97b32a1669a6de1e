// `specsearch bench`: every method on the same problems in one process; JSON, Markdown and SVG out.
import * as os from 'node:os';
import * as path from 'node:path';
import { ALGORITHMS, withSearchOverrides, type Algorithm } from '../core/config';
import { loadConfig } from '../core/config-file';
import { loadDataset } from '../core/bench/dataset';
import { writeReport } from '../core/bench/report';
import { checkBaseline } from '../core/bench/baseline';
import { parseBenchMethod, runBench, type BenchMethod } from '../core/bench/run';
import { summarize } from '../core/bench/summary';
import { createLanguageModelFor, createModels, disposeModels } from '../core/models/factory';
import type { LanguageModel, ModelTrio } from '../core/models/types';
import { EXIT, usageError } from './errors';
import { integerFlag } from './flags';
import { abortOnSignals } from './signals';
import { forTerminal } from './terminal';

export interface BenchFlags {
  dataset?: string;
  methods?: string;
  algorithm?: string;
  profile?: string;
  config?: string;
  limit?: string;
  seed?: string;
  concurrency?: string;
  warm?: boolean;
  baseline?: string;
  'allow-speculative-baseline'?: boolean;
  out?: string;
  json?: boolean;
  /** `paper`: large, sps and specsearch on gsm8k and math500, and the paper's table (src/cli/bench-preset.ts). */
  preset?: string;
}

function progress(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY) {
    if (done === total || done % 10 === 0) process.stderr.write(`bench: ${done}/${total}\n`);
    return;
  }
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label.padEnd(24).slice(0, 24)}`);
  if (done === total) process.stderr.write('\n');
}

export async function runBenchCommand(flags: BenchFlags, argv: string[]): Promise<number> {
  if (flags.preset !== undefined) return (await import('./bench-preset')).runPreset(flags, argv, runBenchCommand);
  const dataset = flags.dataset ?? 'tiny:1000:20';
  const specs = (flags.methods ?? 'large,sps,specsearch,small')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  let methods: BenchMethod[];
  try {
    methods = specs.map(parseBenchMethod);
  } catch (err) {
    throw usageError((err as Error).message);
  }
  if (new Set(methods.map((m) => m.label)).size !== methods.length) throw usageError('--methods names a column twice.');
  if (flags.algorithm !== undefined && !ALGORITHMS.includes(flags.algorithm as Algorithm))
    throw usageError(`--algorithm ${flags.algorithm} is not one of ${ALGORITHMS.join(', ')}.`);
  const limit = integerFlag('limit', flags.limit, 1);
  const seed = integerFlag('seed', flags.seed, 0);
  const concurrency = integerFlag('concurrency', flags.concurrency, 1) ?? 1;
  if (concurrency > 256) throw usageError(`--concurrency ${concurrency} must be at most 256.`);
  const measuresLarge = methods.some((m) => m.method === 'large');
  if (flags.baseline !== undefined && !measuresLarge) throw usageError('--baseline serves the `large` column, but --methods has none.');
  const problems = loadDataset(dataset, limit);
  if (problems.length === 0) throw usageError(`The dataset ${dataset} has no problems.`);

  const { settings: base } = loadConfig({ configPath: flags.config, profile: flags.profile });
  const settings = withSearchOverrides(base, { algorithm: flags.algorithm as Algorithm | undefined, seed }, 'the command line');
  const baselineSettings = flags.baseline !== undefined ? loadConfig({ configPath: flags.baseline }).settings.models.large : null;
  const out = path.resolve(flags.out ?? path.join('bench', 'results', 'latest'));
  // Listening from before the models load: a Ctrl-C then ends the run with a message, not by signal.
  const controller = new AbortController();
  const release = abortOnSignals(controller);
  let models: ModelTrio | null = null;
  let baselineLarge: LanguageModel | null = null;
  try {
    models = await createModels(settings);
    if (baselineSettings) baselineLarge = await createLanguageModelFor('large', baselineSettings, settings.models.small);
    const baselineModels = baselineLarge ? { ...models, large: baselineLarge } : undefined;
    const warnings: string[] = [];
    if (measuresLarge) {
      const check = await checkBaseline(baselineLarge ?? models.large, controller.signal);
      // A server that does not say is taken as the baseline only when --baseline named it as one.
      const named = check.autoregressive === null && baselineLarge !== null;
      if (!check.autoregressive && !named && !flags['allow-speculative-baseline']) {
        throw usageError(
          check.autoregressive === null
            ? `Cannot tell whether \`large\` is an autoregressive baseline: ${check.why}.`
            : `Refusing to measure \`large\`: ${check.why}.`,
          'Serve the large model a second time without speculation and pass a config for it with --baseline FILE (docs/bench.md), leave `large` out of --methods, or pass --allow-speculative-baseline to measure it anyway, flagged in the report.',
        );
      }
      if (!check.autoregressive) {
        const verdict = named
          ? 'is taken as the autoregressive baseline because --baseline names it, unchecked'
          : check.autoregressive === null
            ? 'may not be an autoregressive baseline'
            : 'is not an autoregressive baseline';
        warnings.push(`\`large\` ${verdict}: ${check.why}.`);
        process.stderr.write(`bench: WARNING: ${warnings[0]}\n`);
      }
    }
    // One untimed warm-up solve per method loads weights and builds contexts before anything is measured.
    await runBench({
      problems: problems.slice(0, Math.min(concurrency, problems.length)),
      methods,
      settings,
      models,
      baselineModels,
      concurrency,
      signal: controller.signal,
    });
    const cache: 'cold' | 'warm' = flags.warm ? 'warm' : 'cold';
    const records = await runBench({
      problems,
      methods,
      settings,
      models,
      baselineModels,
      concurrency,
      cache,
      signal: controller.signal,
      onProgress: (done, total, r) => progress(done, total, `${r.method} ${r.right ? '✓' : '✗'}`),
    });
    const planned = problems.length * methods.length;
    const interrupted = controller.signal.aborted;
    if (interrupted && records.length === 0) {
      process.stderr.write(`bench: interrupted before any solve ran to an end; nothing written (${path.relative(process.cwd(), out) || '.'} is as it was).\n`);
      return EXIT.failed;
    }
    const summary = summarize(records);
    const meta = {
      command: `specsearch ${argv.join(' ')}`,
      dataset,
      profile: settings.profile,
      algorithm: settings.search.algorithm,
      machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.arch()}`,
      date: new Date().toISOString(),
      node: process.version,
      concurrency,
      cache,
      warnings,
      ...(interrupted ? { interrupted: { solves: records.length, planned } } : {}),
      ...(baselineSettings ? { baseline: { provider: baselineSettings.provider, baseURL: baselineSettings.baseURL, model: baselineSettings.model } } : {}),
      settings: settings.search,
    };
    const files = writeReport(out, meta, records, summary);
    if (flags.json) process.stdout.write(JSON.stringify({ methods: summary.methods }) + '\n');
    else {
      for (const [m, s] of Object.entries(summary.methods)) {
        process.stdout.write(
          `${m.padEnd(Math.max(11, ...Object.keys(summary.methods).map((k) => k.length + 1)))} ${s.correct}/${s.total} right · mean ${(s.meanMs / 1000).toFixed(2)} s · ${s.throughputPerMin === null ? '–' : s.throughputPerMin.toFixed(1)}/min${s.speedupVsLarge ? ` · ${s.speedupVsLarge.ratio.toFixed(2)}× vs large` : ''}${s.speedupVsSps ? ` · ${s.speedupVsSps.ratio.toFixed(2)}× vs sps` : ''}\n`,
        );
      }
      process.stdout.write(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}\n`);
    }
    const report = path.relative(process.cwd(), path.join(out, 'report.md'));
    if (interrupted)
      process.stderr.write(`bench: interrupted after ${records.length} of ${planned} solves; ${report} holds the partial results, marked interrupted.\n`);
    const failed = records.filter((r) => r.error !== null);
    if (failed.length > 0) {
      const first = failed[0];
      process.stderr.write(
        `bench: ${failed.length} of ${records.length} solves failed (${report} lists them); the first, ${first.label} on ${first.id}: ${forTerminal(first.error ?? '')}\n`,
      );
    }
    return interrupted || failed.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    release();
    await Promise.allSettled([models ? disposeModels(models) : undefined, baselineLarge?.dispose()]);
  }
}

// Writes a bench run as results.json, report.md and SVG plots.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { redact } from '../redact';
import type { BenchRecord } from './run';
import type { BenchSummary, Interval95, MethodSummary } from './summary';
import { accuracyLatencySvg, acceptanceByDepthSvg, latencySvg } from './svg';

export interface BenchMeta {
  command: string;
  dataset: string;
  profile: string;
  algorithm: string;
  machine: string;
  date: string;
  node: string;
  /** Problems in flight at once. */
  concurrency?: number;
  /** Whether each solve started from empty caches (`cold`) or found earlier solves' (`warm`); absent in runs before the choice existed (warm). */
  cache?: 'cold' | 'warm';
  /** Said loudly at the top of the report: e.g. a `large` baseline whose server speculates. */
  warnings?: string[];
  /** The large model of the `large` column, where --baseline gave one of its own. */
  baseline?: { provider: string; baseURL?: string; model: string };
  /** Set when Ctrl-C or SIGTERM ended the run early: the solves that ran to an end, of those planned. */
  interrupted?: { solves: number; planned: number };
  settings: unknown;
}

/** How the solves found the in-process caches: what a cold and a warm figure each stand for. */
function cacheLine(meta: BenchMeta): string {
  if (meta.cache === 'cold') return `- Caches: **cold** — every solve${(meta.concurrency ?? 1) > 1 ? ' batch' : ''} started with the in-process models' KV caches and known path scores emptied, as a user's first solve after loading; model loading is not timed.`;
  if (meta.cache === 'warm') return '- Caches: **warm** (--warm) — each solve found what earlier solves left cached, other methods\' solves of the same problem included.';
  return '- Caches: warm — a run from before cold solves: each solve found what earlier solves left cached, other methods\' solves of the same problem included.';
}

/** The failed solves listed in report.md; results.json has them all. */
const MAX_FAILURES_LISTED = 50;

/** A cell of a Markdown table: one line, no column breaks. */
const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

/** What the top of the report says before any number: an interrupted run, failed solves. */
function cautions(meta: BenchMeta, summary: BenchSummary): string[] {
  const out: string[] = [];
  if (meta.interrupted) {
    out.push(`Interrupted: ${meta.interrupted.solves} of ${meta.interrupted.planned} solves ran before the run was stopped; these are partial results.`);
  }
  const failed = Object.entries(summary.methods).filter(([, m]) => m.errors > 0);
  if (failed.length > 0) {
    const total = failed.reduce((n, [, m]) => n + m.errors, 0);
    out.push(`${total} solve${total === 1 ? '' : 's'} failed (${failed.map(([name, m]) => `${name}: ${m.errors} of ${m.total}`).join(', ')}); they count as wrong, and speed-ups count only problems both compared methods finished. See "Failed solves" below.`);
  }
  return out;
}

function failureSection(records: readonly BenchRecord[]): string[] {
  const failed = records.filter((r) => r.error !== null);
  if (failed.length === 0) return [];
  return [
    '## Failed solves',
    '',
    '| problem | method | error |',
    '|---|---|---|',
    ...failed.slice(0, MAX_FAILURES_LISTED).map((r) => `| ${cell(r.id)} | ${cell(r.label)} | ${cell(r.error ?? '')} |`),
    ...(failed.length > MAX_FAILURES_LISTED ? ['', `… and ${failed.length - MAX_FAILURES_LISTED} more in results.json.`] : []),
    '',
  ];
}

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)} %`);
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const perMin = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${x.toFixed(1)}/min`);
const times = (i: Interval95 | null) => (i === null ? '–' : `${i.ratio.toFixed(2)}× [${i.low.toFixed(2)}, ${i.high.toFixed(2)}]`);

export function markdownReport(meta: BenchMeta, summary: BenchSummary, records: readonly BenchRecord[] = []): string {
  const rows = Object.entries(summary.methods) as [string, MethodSummary][];
  const concurrency = meta.concurrency ?? 1;
  const lines = [
    `# SpecSearch benchmark: ${meta.dataset}`,
    '',
    ...[...cautions(meta, summary), ...(meta.warnings ?? [])].flatMap((w) => [`> **Warning:** ${w}`, '']),
    `- Command: \`${meta.command}\``,
    `- Machine: ${meta.machine}; Node ${meta.node}; ${meta.date}`,
    ...(meta.baseline ? [`- \`large\` ran on its own large model (--baseline): ${meta.baseline.model}${meta.baseline.baseURL ? ` at ${meta.baseline.baseURL}` : ''}`] : []),
    `- Profile \`${meta.profile}\`, algorithm \`${meta.algorithm}\`, ${summary.problems} problems; every method ran on the same problems, ${concurrency > 1 ? `one method after another, ${concurrency} problems in flight at once` : 'interleaved problem by problem, one at a time'}.`,
    cacheLine(meta),
    '',
    '| method | accuracy | failed | mean latency | median latency | throughput | speed-up vs large (95 % CI) | speed-up vs sps (95 % CI) | acceptance | corrections | engine overhead |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(([m, s]) => `| ${m} | ${s.correct}/${s.total} (${pct(s.accuracy)}) | ${s.errors} | ${sec(s.meanMs)} | ${sec(s.medianMs)} | ${perMin(s.throughputPerMin)} | ${times(s.speedupVsLarge)} | ${times(s.speedupVsSps)} | ${pct(s.acceptanceRate)} | ${s.corrected} | ${pct(s.overheadShare)} |`),
    '',
    `Latency is one problem's wall time; throughput is problems finished per minute while the method ran${concurrency > 1 ? ` with ${concurrency} in flight` : ''}. Speed-ups are ratios of summed latencies.`,
    '',
    '## Where the time goes (summed over problems)',
    '',
    '| method | wall | small model | large model | PRM | engine | small tokens | large tokens | speculative tokens accepted |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(([m, s]) => `| ${m} | ${sec(s.wallMs)} | ${sec(s.smallMs)} | ${sec(s.largeMs)} | ${sec(s.prmMs)} | ${sec(s.overheadMs)} | ${s.smallTokens} | ${s.largeTokens} | ${pct(s.speculativeAcceptance)} |`),
    '',
    'Model and PRM times are the union of their call intervals (calls for different beams overlap), so they',
    'may add up to more than the wall time; "engine" is wall time during which no model or PRM call ran.',
    '',
  ];
  const searches = rows.filter(([, m]) => m.acceptanceByDepth.length > 0 || m.bound !== null);
  const bounded = searches.filter(([, m]) => m.bound !== null);
  if (bounded.length > 0) {
    lines.push(
      '## Against the bound',
      '',
      "T_large / (T_small + T_prm): large-only wall time over SpecSearch's small-model plus PRM time, same run; the speed-up if every draft were accepted.",
      '',
      '| method | bound | speed-up vs large | share of the bound |',
      '|---|---|---|---|',
      ...bounded.map(([name, m]) => `| ${name} | ${(m.bound as number).toFixed(2)}× | ${m.speedupVsLarge ? `${m.speedupVsLarge.ratio.toFixed(2)}×` : '–'} | ${pct(m.boundShare)} |`),
      '',
    );
  }
  for (const [name, m] of searches.filter(([, x]) => x.acceptanceByDepth.length > 0)) {
    lines.push(
      `## ${name}: acceptance by depth`,
      '',
      'Drafts judged against β: kept (accepted), passed but not needed (surplus), below β (rejected); corrections are',
      "the large model's thoughts in place of missing drafts. Acceptance = kept drafts / (kept drafts + corrections).",
      '',
      '| depth | drafts judged | accepted | surplus | rejected | corrections | acceptance |',
      '|---|---|---|---|---|---|---|',
      ...m.acceptanceByDepth.map((d) => `| ${d.depth} | ${d.judged} | ${d.accepted} | ${d.surplus} | ${d.rejected} | ${d.corrected} | ${pct(d.rate)} |`),
      '',
    );
  }
  lines.push(...failureSection(records));
  lines.push('![latency per method](latency.svg)', '![accuracy vs latency](accuracy-latency.svg)');
  if (searches.some(([, m]) => m.acceptanceByDepth.length > 0)) lines.push('![acceptance by depth](acceptance-by-depth.svg)');
  return lines.join('\n') + '\n';
}

export function writeReport(dir: string, meta: BenchMeta, records: readonly BenchRecord[], summary: BenchSummary): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['results.json', JSON.stringify({ meta, summary, records }, null, 2) + '\n'],
    ['report.md', markdownReport(meta, summary, records)],
    ['latency.svg', latencySvg(summary)],
    ['accuracy-latency.svg', accuracyLatencySvg(summary)],
  ];
  if (Object.values(summary.methods).some((m) => m.acceptanceByDepth.length > 0)) files.push(['acceptance-by-depth.svg', acceptanceByDepthSvg(summary)]);
  for (const [name, text] of files) fs.writeFileSync(path.join(dir, name), redact(text));
  return files.map(([name]) => path.join(dir, name));
}

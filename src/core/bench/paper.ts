// `bench --preset paper`: the paper's benchmark (Wang et al., ICML 2025) on the user's servers, and its table.
import type { BenchSummary, Interval95, MethodSummary } from './summary';
import type { DatasetName } from './dataset';

/** What the preset runs: the large model alone, with token-level speculation, and SpecSearch, on both benchmarks. */
export const PAPER_PRESET = {
  datasets: ['gsm8k', 'math500'] as const satisfies readonly DatasetName[],
  methods: ['large', 'sps', 'specsearch'] as const,
};

const TITLES: Record<DatasetName, string> = { gsm8k: 'GSM8K', math500: 'MATH-500' };

export interface PaperRun {
  dataset: DatasetName;
  summary: BenchSummary;
  /** The dataset's own bench folder (report.md, results.json, plots), relative to the table. */
  dir: string;
  warnings: string[];
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)}`);
const sec = (m: MethodSummary | undefined) => (m === undefined ? '–' : (m.meanMs / 1000).toFixed(2));
const times = (i: Interval95 | null | undefined) => (i === null || i === undefined ? '–' : `${i.ratio.toFixed(2)}× [${i.low.toFixed(2)}, ${i.high.toFixed(2)}]`);

/**
 * The table the paper reports per benchmark: accuracy (%), mean latency per problem (s) and the speed-up over
 * the large model, here with a 95 % bootstrap interval over problems, then SpecSearch against `sps` and its
 * acceptance (the share of kept thoughts the small model wrote).
 */
export function paperTable(runs: readonly PaperRun[], meta: { command: string; date: string; machine: string; settings: unknown }): string {
  const head = runs.map((r) => `${TITLES[r.dataset]} (${r.summary.problems})`);
  const lines = [
    '# SpecSearch: the paper\'s benchmark on these servers',
    '',
    ...runs.flatMap((r) => r.warnings.map((w) => `> **Warning (${TITLES[r.dataset]}):** ${w}`)).flatMap((w) => [w, '']),
    `- Command: \`${meta.command}\``,
    `- Machine: ${meta.machine}; ${meta.date}`,
    `- Each benchmark's full report (time shares, acceptance by depth, plots): ${runs.map((r) => `[${TITLES[r.dataset]}](${r.dir}/report.md)`).join(', ')}`,
    '',
    `| method | ${head.map((h) => `${h} accuracy (%) | latency (s) | speed-up vs large (95 % CI)`).join(' | ')} |`,
    `|---|${runs.map(() => '---|---|---|').join('')}`,
    ...PAPER_PRESET.methods.map((m) => `| ${m} | ${runs.map((r) => {
      const s = r.summary.methods[m];
      return `${pct(s?.accuracy)} | ${sec(s)} | ${m === 'large' ? '1.00×' : times(s?.speedupVsLarge)}`;
    }).join(' | ')} |`),
    '',
    `| SpecSearch | ${head.join(' | ')} |`,
    `|---|${runs.map(() => '---|').join('')}`,
    `| speed-up vs sps (95 % CI) | ${runs.map((r) => times(r.summary.methods.specsearch?.speedupVsSps)).join(' | ')} |`,
    `| acceptance (%) | ${runs.map((r) => pct(r.summary.methods.specsearch?.acceptanceRate)).join(' | ')} |`,
    `| accuracy − large's (points) | ${runs.map((r) => {
      const [s, l] = [r.summary.methods.specsearch, r.summary.methods.large];
      return s && l ? (100 * (s.accuracy - l.accuracy)).toFixed(1) : '–';
    }).join(' | ')} |`,
    '',
    'Latency is the mean wall time per problem; speed-ups are ratios of summed latencies over the problems both methods',
    'ran, with a 95 % percentile-bootstrap interval over problems. `large` decodes on its own (the --baseline rules of',
    'docs/bench.md), `sps` is the large model with token-level speculation on its server. Acceptance = kept drafts /',
    '(kept drafts + the large model\'s corrections).',
    '',
    `Search settings: \`${JSON.stringify(meta.settings)}\``,
  ];
  return lines.join('\n') + '\n';
}

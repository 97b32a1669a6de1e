// Aggregates bench records per method: accuracy, latency, speed-ups with bootstrap intervals, time shares.
import type { Method } from '../config';
import { mulberry32 } from '../tiny/task';
import type { BenchRecord } from './run';

export interface Interval95 {
  ratio: number;
  low: number;
  high: number;
}

export interface MethodSummary {
  correct: number;
  total: number;
  accuracy: number;
  /** Summed over the problems. */
  wallMs: number;
  meanMs: number;
  medianMs: number;
  smallMs: number;
  largeMs: number;
  prmMs: number;
  /** Wall time in which no model or PRM call ran: the engine's own cost. */
  overheadMs: number;
  overheadShare: number;
  smallTokens: number;
  largeTokens: number;
  drafted: number;
  accepted: number;
  corrected: number;
  acceptanceRate: number | null;
  speculativeAcceptance: number | null;
  errors: number;
  speedupVsLarge: Interval95 | null;
  speedupVsSps: Interval95 | null;
}

export interface BenchSummary {
  methods: Partial<Record<Method, MethodSummary>>;
  /** T_large / (T_small + T_prm): SpecSearch's speed-up if every draft were accepted (same run). */
  bound: number | null;
  /** SpecSearch's speed-up over large as a share of that bound. */
  boundShare: number | null;
  acceptanceByDepth: { depth: number; rate: number; judged: number }[];
  problems: number;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Ratio of summed times base/method over the same problems, with a seeded percentile bootstrap. */
export function pairedSpeedup(base: number[], method: number[], resamples = 2000, seed = 1): Interval95 | null {
  if (base.length === 0 || base.length !== method.length) return null;
  const ratio = sum(base) / sum(method);
  const random = mulberry32(seed);
  const samples: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let b = 0;
    let m = 0;
    for (let i = 0; i < base.length; i++) {
      const k = Math.floor(random() * base.length);
      b += base[k];
      m += method[k];
    }
    samples.push(b / m);
  }
  samples.sort((a, b) => a - b);
  return { ratio, low: samples[Math.floor(0.025 * resamples)], high: samples[Math.floor(0.975 * resamples)] };
}

export function summarize(records: readonly BenchRecord[]): BenchSummary {
  const byMethod = new Map<Method, BenchRecord[]>();
  for (const r of records) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
  const ids = [...new Set(records.map((r) => r.id))];
  // Speed-ups are paired: only problems every compared method finished count.
  const wallOf = (method: Method) => new Map((byMethod.get(method) ?? []).map((r) => [r.id, r.wallMs]));
  const paired = (base: Method, method: Method) => {
    const b = wallOf(base);
    const m = wallOf(method);
    const common = ids.filter((id) => b.has(id) && m.has(id));
    return pairedSpeedup(common.map((id) => b.get(id) as number), common.map((id) => m.get(id) as number));
  };

  const methods: BenchSummary['methods'] = {};
  for (const [method, rs] of byMethod) {
    const wall = sum(rs.map((r) => r.wallMs));
    const accepted = sum(rs.map((r) => r.accepted));
    const judged = accepted + sum(rs.map((r) => r.rejected));
    const spec = rs.map((r) => r.speculative).filter((s) => s !== null);
    const specDrafted = sum(spec.map((s) => s.drafted));
    const overhead = sum(rs.map((r) => r.overheadMs));
    methods[method] = {
      correct: rs.filter((r) => r.right).length,
      total: rs.length,
      accuracy: rs.filter((r) => r.right).length / rs.length,
      wallMs: wall,
      meanMs: wall / rs.length,
      medianMs: median(rs.map((r) => r.wallMs)),
      smallMs: sum(rs.map((r) => r.small.ms)),
      largeMs: sum(rs.map((r) => r.large.ms)),
      prmMs: sum(rs.map((r) => r.prm.ms)),
      overheadMs: overhead,
      overheadShare: wall > 0 ? overhead / wall : 0,
      smallTokens: sum(rs.map((r) => r.small.tokens)),
      largeTokens: sum(rs.map((r) => r.large.tokens)),
      drafted: sum(rs.map((r) => r.drafted)),
      accepted,
      corrected: sum(rs.map((r) => r.corrected)),
      acceptanceRate: judged > 0 ? accepted / judged : null,
      speculativeAcceptance: specDrafted > 0 ? sum(spec.map((s) => s.accepted)) / specDrafted : null,
      errors: rs.filter((r) => r.error !== null).length,
      speedupVsLarge: method !== 'large' && byMethod.has('large') ? paired('large', method) : null,
      speedupVsSps: method !== 'sps' && byMethod.has('sps') ? paired('sps', method) : null,
    };
  }

  const ss = methods.specsearch;
  const large = methods.large;
  const bound = ss && large && ss.smallMs + ss.prmMs > 0 ? large.wallMs / (ss.smallMs + ss.prmMs) : null;
  const depthRows = new Map<number, { accepted: number; judged: number }>();
  for (const r of byMethod.get('specsearch') ?? []) {
    for (const d of r.acceptanceByDepth) {
      const row = depthRows.get(d.depth) ?? { accepted: 0, judged: 0 };
      row.accepted += d.accepted;
      row.judged += d.judged;
      depthRows.set(d.depth, row);
    }
  }
  return {
    methods,
    bound,
    boundShare: bound && ss?.speedupVsLarge ? ss.speedupVsLarge.ratio / bound : null,
    acceptanceByDepth: [...depthRows.entries()].sort((a, b) => a[0] - b[0]).map(([depth, r]) => ({ depth, rate: r.accepted / r.judged, judged: r.judged })),
    problems: ids.length,
  };
}

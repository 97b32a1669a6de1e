// Aggregates bench records per method: accuracy, latency, speed-ups with bootstrap intervals, time shares.
import type { Method } from '../config';
import { mulberry32 } from '../tiny/task';
import type { DepthAcceptance } from '../events';
import type { BenchRecord } from './run';
import { acceptanceRate } from '../verdict';

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
  /**
   * Problems finished per minute: the problems over the time in which at least one of this method's
   * solves was running (with one problem in flight, the summed latencies).
   */
  throughputPerMin: number | null;
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
  /** SpecSearch: T_large / (T_small + T_prm), its speed-up over large if every draft were accepted (same run). */
  bound: number | null;
  /** SpecSearch: its speed-up over large as a share of that bound. */
  boundShare: number | null;
  /** SpecSearch, summed over the problems; rate = accepted / (accepted + corrected), as in the stats. */
  acceptanceByDepth: (DepthAcceptance & { rate: number | null })[];
}

export interface BenchSummary {
  /** By column label (a method, or a method with its own settings: "specsearch@thresholdRule=large"). */
  methods: Record<string, MethodSummary>;
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
  const byMethod = new Map<string, BenchRecord[]>();
  for (const r of records) byMethod.set(r.label ?? r.method, [...(byMethod.get(r.label ?? r.method) ?? []), r]);
  // The baselines are the plain columns of their method (or its first variant).
  const baseline = (method: Method) => (byMethod.has(method) ? method : records.find((r) => r.method === method)?.label ?? null);
  const largeLabel = baseline('large');
  const spsLabel = baseline('sps');
  const ids = [...new Set(records.map((r) => r.id))];
  // Speed-ups are paired: only problems both compared methods finished without an error count (a failed
  // request returns fast, and would otherwise read as a speed-up).
  const wallOf = (method: string) => new Map((byMethod.get(method) ?? []).filter((r) => r.error === null).map((r) => [r.id, r.wallMs]));
  const paired = (base: string, method: string) => {
    const b = wallOf(base);
    const m = wallOf(method);
    const common = ids.filter((id) => b.has(id) && m.has(id));
    return pairedSpeedup(common.map((id) => b.get(id) as number), common.map((id) => m.get(id) as number));
  };

  const methods: BenchSummary['methods'] = {};
  for (const [method, rs] of byMethod) {
    const isSpecSearch = rs[0].method === 'specsearch';
    const wall = sum(rs.map((r) => r.wallMs));
    const accepted = sum(rs.map((r) => r.accepted));
    const corrected = sum(rs.map((r) => r.corrected));
    const judged = sum(rs.map((r) => r.accepted + r.surplus + r.rejected));
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
      throughputPerMin: throughput(rs),
      smallMs: sum(rs.map((r) => r.small.ms)),
      largeMs: sum(rs.map((r) => r.large.ms)),
      prmMs: sum(rs.map((r) => r.prm.ms)),
      overheadMs: overhead,
      overheadShare: wall > 0 ? overhead / wall : 0,
      smallTokens: sum(rs.map((r) => r.small.tokens)),
      largeTokens: sum(rs.map((r) => r.large.tokens)),
      drafted: sum(rs.map((r) => r.drafted)),
      accepted,
      corrected,
      acceptanceRate: acceptanceRate(accepted, corrected, judged),
      speculativeAcceptance: specDrafted > 0 ? sum(spec.map((s) => s.accepted)) / specDrafted : null,
      errors: rs.filter((r) => r.error !== null).length,
      speedupVsLarge: largeLabel !== null && method !== largeLabel ? paired(largeLabel, method) : null,
      speedupVsSps: spsLabel !== null && method !== spsLabel ? paired(spsLabel, method) : null,
      bound: null,
      boundShare: null,
      acceptanceByDepth: isSpecSearch ? depthRows(rs) : [],
    };
  }
  const large = largeLabel !== null ? methods[largeLabel] : undefined;
  for (const [label, m] of Object.entries(methods)) {
    if (byMethod.get(label)?.[0].method !== 'specsearch' || !large || large.errors > 0 || m.errors > 0 || m.smallMs + m.prmMs <= 0) continue;
    m.bound = large.wallMs / (m.smallMs + m.prmMs);
    m.boundShare = m.speedupVsLarge ? m.speedupVsLarge.ratio / m.bound : null;
  }
  return { methods, problems: ids.length };
}

/** Problems per minute over the union of the solves' [start, end] intervals. */
export function throughput(rs: readonly Pick<BenchRecord, 'startMs' | 'endMs'>[]): number | null {
  const spans = rs.filter((r) => Number.isFinite(r.startMs) && Number.isFinite(r.endMs)).map((r) => [r.startMs, r.endMs] as const).sort((a, b) => a[0] - b[0]);
  if (spans.length === 0) return null;
  let busy = 0;
  let [from, to] = spans[0];
  for (const [s, e] of spans.slice(1)) {
    if (s > to) {
      busy += to - from;
      [from, to] = [s, e];
    } else to = Math.max(to, e);
  }
  busy += to - from;
  return busy > 0 ? (spans.length / busy) * 60_000 : null;
}

function depthRows(rs: readonly BenchRecord[]): MethodSummary['acceptanceByDepth'] {
  const rows = new Map<number, DepthAcceptance>();
  for (const r of rs) {
    for (const d of r.acceptanceByDepth) {
      const row = rows.get(d.depth) ?? { depth: d.depth, judged: 0, accepted: 0, surplus: 0, rejected: 0, corrected: 0 };
      for (const k of ['judged', 'accepted', 'surplus', 'rejected', 'corrected'] as const) row[k] += d[k];
      rows.set(d.depth, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.depth - b.depth).map((r) => ({ ...r, rate: acceptanceRate(r.accepted, r.corrected, r.judged) }));
}

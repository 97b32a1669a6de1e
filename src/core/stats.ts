// Accumulates what a search costs, per model, as calls complete. Calls may overlap (beams expand
// concurrently), so each component's time is the union of its call intervals, not their sum.
import type { DepthAcceptance, ModelUsage, SearchStats, SpeculativeStats } from './events';
import { acceptanceRate } from './verdict';

type Interval = [start: number, end: number];

function unionLength(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [curStart, curEnd] = [-Infinity, -Infinity];
  for (const [s, e] of sorted) {
    if (s > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      [curStart, curEnd] = [s, e];
    } else curEnd = Math.max(curEnd, e);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export class StatsRecorder {
  private readonly started = performance.now();
  private readonly intervals: Record<'small' | 'large' | 'prm', Interval[]> = { small: [], large: [], prm: [] };
  private readonly usage: Record<'small' | 'large', { calls: number; tokens: number }> = { small: { calls: 0, tokens: 0 }, large: { calls: 0, tokens: 0 } };
  private readonly prm = { calls: 0, scored: 0 };
  drafted = 0;
  private readonly byDepth = new Map<number, DepthAcceptance>();
  requests = 0;
  depth = 0;
  private speculative: SpeculativeStats | null = null;

  private depthRow(depth: number): DepthAcceptance {
    let row = this.byDepth.get(depth);
    if (!row) this.byDepth.set(depth, (row = { depth, judged: 0, accepted: 0, surplus: 0, rejected: 0, corrected: 0 }));
    return row;
  }

  /** SpecSearch judged a node's drafts at `depth`. */
  judged(depth: number, accepted: number, surplus: number, rejected: number): void {
    const row = this.depthRow(depth);
    row.judged += accepted + surplus + rejected;
    row.accepted += accepted;
    row.surplus += surplus;
    row.rejected += rejected;
  }

  /** The large model wrote a thought at `depth` in place of a rejected draft. */
  corrected(depth: number): void {
    this.depthRow(depth).corrected += 1;
  }

  elapsed(): number {
    return performance.now() - this.started;
  }

  recordModel(source: 'small' | 'large', tokens: number, interval: Interval, requests: number, speculative: SpeculativeStats | null): void {
    this.usage[source].calls += 1;
    this.usage[source].tokens += tokens;
    this.intervals[source].push(interval);
    this.requests += requests;
    if (speculative) {
      this.speculative ??= { drafted: 0, accepted: 0 };
      this.speculative.drafted += speculative.drafted;
      this.speculative.accepted += speculative.accepted;
    }
  }

  recordPrm(scored: number, interval: Interval, requests: number): void {
    this.prm.calls += 1;
    this.prm.scored += scored;
    this.intervals.prm.push(interval);
    this.requests += requests;
  }

  snapshot(): SearchStats {
    const rows = [...this.byDepth.values()].sort((a, b) => a.depth - b.depth).map((r) => ({ ...r }));
    const total = (key: 'judged' | 'accepted' | 'surplus' | 'rejected' | 'corrected') => rows.reduce((n, r) => n + r[key], 0);
    const accepted = total('accepted');
    const corrections = total('corrected');
    const model = (source: 'small' | 'large'): ModelUsage => ({ ...this.usage[source], ms: round(unionLength(this.intervals[source])) });
    return {
      wallMs: round(this.elapsed()),
      modelMs: round(unionLength([...this.intervals.small, ...this.intervals.large, ...this.intervals.prm])),
      small: model('small'),
      large: model('large'),
      prm: { ...this.prm, ms: round(unionLength(this.intervals.prm)) },
      drafted: this.drafted,
      accepted,
      surplus: total('surplus'),
      rejected: total('rejected'),
      corrections,
      acceptanceRate: acceptanceRate(accepted, corrections, total('judged')),
      acceptanceByDepth: rows,
      requests: this.requests,
      speculative: this.speculative ? { ...this.speculative } : null,
      depth: this.depth,
    };
  }
}

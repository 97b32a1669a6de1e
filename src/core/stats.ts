// Accumulates what a search costs, per model, as calls complete.
import type { ModelUsage, SearchStats, SpeculativeStats } from './events';

const usage = (): ModelUsage => ({ calls: 0, tokens: 0, ms: 0 });

export class StatsRecorder {
  private readonly started = performance.now();
  readonly small = usage();
  readonly large = usage();
  readonly prm = { calls: 0, ms: 0, scored: 0 };
  drafted = 0;
  accepted = 0;
  rejected = 0;
  corrections = 0;
  requests = 0;
  depth = 0;
  private speculative: SpeculativeStats | null = null;

  elapsed(): number {
    return performance.now() - this.started;
  }

  recordModel(source: 'small' | 'large', tokens: number, ms: number, requests: number, speculative: SpeculativeStats | null): void {
    const u = this[source];
    u.calls += 1;
    u.tokens += tokens;
    u.ms += ms;
    this.requests += requests;
    if (speculative) {
      this.speculative ??= { drafted: 0, accepted: 0 };
      this.speculative.drafted += speculative.drafted;
      this.speculative.accepted += speculative.accepted;
    }
  }

  recordPrm(scored: number, ms: number, requests: number): void {
    this.prm.calls += 1;
    this.prm.scored += scored;
    this.prm.ms += ms;
    this.requests += requests;
  }

  snapshot(): SearchStats {
    const judged = this.accepted + this.rejected;
    return {
      wallMs: Math.round(this.elapsed() * 10) / 10,
      small: { ...this.small },
      large: { ...this.large },
      prm: { ...this.prm },
      drafted: this.drafted,
      accepted: this.accepted,
      rejected: this.rejected,
      corrections: this.corrections,
      acceptanceRate: judged === 0 ? null : this.accepted / judged,
      requests: this.requests,
      speculative: this.speculative ? { ...this.speculative } : null,
      depth: this.depth,
    };
  }
}

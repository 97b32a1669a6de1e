// Runs every method on the same problems, interleaved problem by problem so machine noise hits all alike.
import { answersEquivalent } from '../answer/equivalence';
import { withSearchOverrides, type Method, type Settings } from '../config';
import type { ModelUsage, SearchEvent, SpeculativeStats } from '../events';
import type { ModelTrio } from '../models/types';
import { solve } from '../solve';
import type { BenchProblem } from './dataset';

export interface DepthAcceptance {
  depth: number;
  accepted: number;
  judged: number;
}

export interface BenchRecord {
  id: string;
  method: Method;
  answer: string | null;
  reference: string;
  right: boolean;
  wallMs: number;
  /** Wall time outside every model and PRM call. */
  overheadMs: number;
  small: ModelUsage;
  large: ModelUsage;
  prm: { calls: number; ms: number; scored: number };
  drafted: number;
  accepted: number;
  rejected: number;
  corrected: number;
  requests: number;
  speculative: SpeculativeStats | null;
  acceptanceByDepth: DepthAcceptance[];
  error: string | null;
}

export interface BenchOptions {
  problems: BenchProblem[];
  methods: Method[];
  settings: Settings;
  models: ModelTrio;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, record: BenchRecord) => void;
}

function acceptanceByDepth(events: readonly SearchEvent[]): DepthAcceptance[] {
  const depthOf = new Map<string, number>();
  const byDepth = new Map<number, DepthAcceptance>();
  for (const e of events) {
    if (e.type === 'thought.drafted') depthOf.set(e.id, e.depth);
    if (e.type === 'thought.judged') {
      const depth = depthOf.get(e.id) ?? 0;
      const row = byDepth.get(depth) ?? { depth, accepted: 0, judged: 0 };
      row.judged += 1;
      if (e.verdict === 'accepted') row.accepted += 1;
      byDepth.set(depth, row);
    }
  }
  return [...byDepth.values()].sort((a, b) => a.depth - b.depth);
}

export async function runBench(options: BenchOptions): Promise<BenchRecord[]> {
  const { problems, methods } = options;
  const records: BenchRecord[] = [];
  const total = problems.length * methods.length;
  for (const [i, p] of problems.entries()) {
    // Rotate the order so that no method always runs first (warm caches) or last.
    const order = methods.map((_, k) => methods[(k + i) % methods.length]);
    for (const method of order) {
      if (options.signal?.aborted) return records;
      const settings = withSearchOverrides(options.settings, { method, seed: options.settings.search.seed + i }, 'bench');
      const r = await solve({ problem: p.problem, settings, models: options.models, signal: options.signal });
      const s = r.stats;
      const record: BenchRecord = {
        id: p.id,
        method,
        answer: r.answer,
        reference: p.answer,
        right: r.answer !== null && answersEquivalent(p.answer, r.answer),
        wallMs: s.wallMs,
        overheadMs: Math.max(0, s.wallMs - s.modelMs),
        small: s.small,
        large: s.large,
        prm: s.prm,
        drafted: s.drafted,
        accepted: s.accepted,
        rejected: s.rejected,
        corrected: s.corrections,
        requests: s.requests,
        speculative: s.speculative,
        acceptanceByDepth: acceptanceByDepth(r.events),
        error: r.error ? `${r.error.code}: ${r.error.message}` : null,
      };
      records.push(record);
      options.onProgress?.(records.length, total, record);
    }
  }
  return records;
}

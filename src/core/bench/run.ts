// Runs every method on the same problems, interleaved problem by problem so machine noise hits all alike.
import { answersEquivalent } from '../answer/equivalence';
import { METHODS, withSearchOverrides, type Method, type SearchSettings, type Settings } from '../config';
import { EngineError } from '../errors';
import type { DepthAcceptance, ModelUsage, SpeculativeStats } from '../events';
import type { ModelTrio } from '../models/types';
import { solve } from '../solve';
import type { BenchProblem } from './dataset';

/**
 * One column of a bench: a method, possibly with search settings of its own ("variants"), written
 * `specsearch@thresholdRule=large` (several: `specsearch@thresholdRule=large@draftRatio=3`).
 */
export interface BenchMethod {
  label: string;
  method: Method;
  overrides: Partial<SearchSettings>;
}

export function parseBenchMethod(spec: string): BenchMethod {
  const [method, ...pairs] = spec.split('@').map((x) => x.trim());
  if (!METHODS.includes(method as Method)) {
    throw new EngineError({ code: 'usage', message: `--methods: "${method}" is not one of ${METHODS.join(', ')}.`, hint: 'Write a method, optionally with settings: specsearch@thresholdRule=large.' });
  }
  const overrides: Record<string, unknown> = {};
  for (const pair of pairs) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(pair);
    if (!m) throw new EngineError({ code: 'usage', message: `--methods: "${pair}" in "${spec}" is not KEY=VALUE.`, hint: 'Write a method, optionally with settings: specsearch@thresholdRule=large.' });
    const [, key, raw] = m;
    const n = Number(raw);
    overrides[key] = raw.trim() !== '' && Number.isFinite(n) ? n : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return { label: spec.trim(), method: method as Method, overrides: overrides as Partial<SearchSettings> };
}

export interface BenchRecord {
  id: string;
  /** The column: the method, with its settings where it has its own. */
  label: string;
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
  surplus: number;
  rejected: number;
  corrected: number;
  requests: number;
  speculative: SpeculativeStats | null;
  acceptanceByDepth: DepthAcceptance[];
  error: string | null;
}

export interface BenchOptions {
  problems: BenchProblem[];
  methods: (Method | BenchMethod)[];
  settings: Settings;
  models: ModelTrio;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, record: BenchRecord) => void;
}

export async function runBench(options: BenchOptions): Promise<BenchRecord[]> {
  const { problems } = options;
  const methods = options.methods.map((m) => (typeof m === 'string' ? { label: m, method: m, overrides: {} } : m));
  // Validate every variant's settings before the first solve.
  for (const m of methods) withSearchOverrides(options.settings, m.overrides, `--methods ${m.label}`);
  const records: BenchRecord[] = [];
  const total = problems.length * methods.length;
  for (const [i, p] of problems.entries()) {
    // Rotate the order so that no method always runs first (warm caches) or last.
    const order = methods.map((_, k) => methods[(k + i) % methods.length]);
    for (const { label, method, overrides } of order) {
      if (options.signal?.aborted) return records;
      const settings = withSearchOverrides(options.settings, { ...overrides, method, seed: options.settings.search.seed + i }, `--methods ${label}`);
      const r = await solve({ problem: p.problem, settings, models: options.models, signal: options.signal });
      const s = r.stats;
      const record: BenchRecord = {
        id: p.id,
        label,
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
        surplus: s.surplus,
        rejected: s.rejected,
        corrected: s.corrections,
        requests: s.requests,
        speculative: s.speculative,
        acceptanceByDepth: s.acceptanceByDepth,
        error: r.error ? `${r.error.code}: ${r.error.message}` : null,
      };
      records.push(record);
      options.onProgress?.(records.length, total, record);
    }
  }
  return records;
}

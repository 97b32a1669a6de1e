// Runs every method on the same problems, interleaved problem by problem so machine noise hits all alike.
import { answersEquivalent } from '../answer/equivalence';
import { METHODS, withSearchOverrides, type Method, type SearchSettings, type Settings } from '../config';
import { EngineError } from '../errors';
import type { DepthAcceptance, ModelUsage, SearchEvent, SpeculativeStats } from '../events';
import { forgetCaches, type ModelTrio } from '../models/types';
import type { ConfidenceBasis } from '../confidence';
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
  /** What search.finished said of the answer (src/core/confidence.ts). */
  confidence: number | null;
  weakestScore: number | null;
  basis: ConfidenceBasis | null;
  verified: boolean;
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
  /** When the solve started and ended, ms after the bench started: throughput is read from these. */
  startMs: number;
  endMs: number;
}

export interface BenchOptions {
  problems: BenchProblem[];
  methods: (Method | BenchMethod)[];
  settings: Settings;
  models: ModelTrio;
  /**
   * Models for the `large` column where they differ from `models` (a large model served without
   * token-level speculation, so that `large` is the autoregressive baseline).
   */
  baselineModels?: ModelTrio;
  /** Problems in flight at once (default 1). */
  concurrency?: number;
  /**
   * `cold` (the default): every solve starts from empty caches (KV caches of pooled sequences, known path
   * scores), as a user's first solve after loading does, so no method finds another's work on the same
   * problem; with several problems in flight, caches are emptied when each method's batch starts. `warm`:
   * caches persist from solve to solve, as in a language server that has solved other problems.
   */
  cache?: 'cold' | 'warm';
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, record: BenchRecord) => void;
}

/**
 * The solves of a bench, in batches run one after another. With one problem in flight, one batch:
 * methods interleaved problem by problem, the order rotating so that no method always runs first (warm
 * caches) or last, and machine noise hits all alike. With several in flight, one batch per method, each
 * with N problems in flight, so that a method's throughput is its own and not shared with another's.
 */
function batches<M>(problems: readonly BenchProblem[], methods: readonly M[], concurrency: number): { index: number; problem: BenchProblem; method: M }[][] {
  if (concurrency <= 1) {
    return [problems.flatMap((problem, index) => methods.map((_, k) => ({ index, problem, method: methods[(k + index) % methods.length] })))];
  }
  return methods.map((method) => problems.map((problem, index) => ({ index, problem, method })));
}

function verdictOf(events: readonly SearchEvent[]): Pick<BenchRecord, 'confidence' | 'weakestScore' | 'basis' | 'verified'> {
  const last = events[events.length - 1];
  if (last?.type !== 'search.finished') return { confidence: null, weakestScore: null, basis: null, verified: false };
  return { confidence: last.confidence, weakestScore: last.weakestScore, basis: last.basis, verified: last.verified };
}

/** The records of the solves that ran to an end (finished or failed); those an abort of `signal` cut short are left out. */
export async function runBench(options: BenchOptions): Promise<BenchRecord[]> {
  const methods = options.methods.map((m) => (typeof m === 'string' ? { label: m, method: m, overrides: {} } : m));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const cold = (options.cache ?? 'cold') === 'cold';
  // Validate every variant's settings before the first solve.
  for (const m of methods) withSearchOverrides(options.settings, m.overrides, `--methods ${m.label}`);
  const records: BenchRecord[] = [];
  const plan = batches(options.problems, methods, concurrency);
  const total = options.problems.length * methods.length;
  const started = performance.now();

  const runOne = async ({ index, problem: p, method: { label, method, overrides } }: (typeof plan)[number][number]): Promise<void> => {
    const settings = withSearchOverrides(options.settings, { ...overrides, method, seed: options.settings.search.seed + index }, `--methods ${label}`);
    const models = method === 'large' && options.baselineModels ? options.baselineModels : options.models;
    if (cold && concurrency === 1) await forgetCaches(models);
    const startMs = performance.now() - started;
    const r = await solve({ problem: p.problem, settings, models, signal: options.signal });
    // A solve cut short by the bench's own interruption measured nothing: it is left out, not counted wrong.
    if (options.signal?.aborted && r.error?.code === 'cancelled') return;
    const s = r.stats;
    const record: BenchRecord = {
      id: p.id,
      label,
      method,
      answer: r.answer,
      reference: p.answer,
      right: r.answer !== null && answersEquivalent(p.answer, r.answer),
      ...verdictOf(r.events),
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
      startMs,
      endMs: performance.now() - started,
    };
    records.push(record);
    options.onProgress?.(records.length, total, record);
  };

  // N workers take the next solve of a batch; a batch starts when the one before has finished.
  for (const batch of plan) {
    if (cold && concurrency > 1) await Promise.all([options.models, options.baselineModels].map((m) => m && forgetCaches(m)));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batch.length && !options.signal?.aborted) await runOne(batch[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
  }
  return records;
}

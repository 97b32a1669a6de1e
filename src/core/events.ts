// The one SearchEvent schema: CLI --json, LSP notifications, the webview and saved traces all speak it.
import type { ErrorInfo } from './errors';
import type { Algorithm, Method, SearchSettings } from './config';
import type { AnswerCheck } from './confidence';
import type { VerdictFacts } from './verdict';
import type { Mode } from './models/types';

export type Source = 'small' | 'large';
/**
 * A draft's fate against β: `accepted` passed and was kept; `surplus` passed, but N better drafts were kept;
 * `rejected` scored below β (the large model writes a thought in its place).
 */
export type Verdict = 'accepted' | 'surplus' | 'rejected';
export const VERDICTS: readonly Verdict[] = ['accepted', 'surplus', 'rejected'];

/** SpecSearch's drafts at one depth of the tree (the root's children are depth 1). */
export interface DepthAcceptance {
  depth: number;
  /** Drafts judged against β. */
  judged: number;
  accepted: number;
  surplus: number;
  rejected: number;
  /** Thoughts the large model wrote in place of missing drafts. */
  corrected: number;
}

export interface SpeculativeStats {
  /** Tokens proposed by the draft model. */
  drafted: number;
  /** Of those, tokens the target model accepted. */
  accepted: number;
}

export interface ModelUsage {
  calls: number;
  tokens: number;
  ms: number;
}

export interface SearchStats {
  wallMs: number;
  /** Time in which at least one model or PRM call was running; wallMs − modelMs is the engine's own time. */
  modelMs: number;
  small: ModelUsage;
  large: ModelUsage;
  prm: { calls: number; ms: number; scored: number };
  /** Thoughts the small model drafted. */
  drafted: number;
  /** Drafts that passed β and were kept. */
  accepted: number;
  /** Drafts that passed β but were not needed (N better ones were kept). */
  surplus: number;
  /** Drafts below β. */
  rejected: number;
  /** Thoughts the large model wrote in place of rejected drafts. */
  corrections: number;
  /**
   * accepted / (accepted + corrections): the share of the thoughts SpecSearch kept that the small model
   * wrote (the large model's reference thoughts at the root aside); null where nothing was judged.
   */
  acceptanceRate: number | null;
  /** The same, depth by depth; empty for the baselines. */
  acceptanceByDepth: DepthAcceptance[];
  requests: number;
  speculative: SpeculativeStats | null;
  depth: number;
}

interface Base {
  searchId: string;
  /** Milliseconds since the search started. */
  t: number;
}

export type SearchEvent = Base &
  (
    | { type: 'search.started'; problem: string; mode: Mode; method: Method; algorithm: Algorithm; settings: SearchSettings }
    | { type: 'step.started'; depth: number }
    | {
        type: 'thought.drafted';
        id: string;
        parentId: string | null;
        depth: number;
        source: Source;
        text: string;
        tokens: number;
        ms: number;
        speculative: SpeculativeStats | null;
        /** SpecSearch's reference thought: the large model's own child of the root, whose score sets β; never judged. */
        reference?: true;
      }
    | {
        type: 'thought.scored';
        id: string;
        /** The PRM's score of the path up to this thought (0..1): what ranks paths. */
        score: number;
        /** Where the PRM scores whole paths: the thought's own score, judged against β. */
        thoughtScore?: number;
      }
    | { type: 'thought.judged'; id: string; verdict: Verdict; threshold: number }
    | {
        type: 'thought.corrected';
        id: string;
        /** The rejected draft this large-model thought stands in for. */
        replaces: string | null;
        parentId: string | null;
        depth: number;
        text: string;
        tokens: number;
        ms: number;
        speculative: SpeculativeStats | null;
      }
    | { type: 'threshold.updated'; parentId: string | null; depth: number; threshold: number }
    | { type: 'beam.selected'; depth: number; ids: string[] }
    | { type: 'mcts.visited'; iteration: number; path: string[]; value: number }
    | ({
        type: 'search.finished';
        answer: string | null;
        answerThoughtId: string | null;
        path: string[];
        stats: SearchStats;
        // How far the answer can be trusted (confidence, calibrated, threshold, weakestScore, basis, verified,
        // caveat): src/core/confidence.ts computes it once; src/core/verdict.ts writes it for every surface.
      } & AnswerCheck)
    | { type: 'search.failed'; error: ErrorInfo; partial: true; stats: SearchStats }
  );

export type SearchEventType = SearchEvent['type'];
export type EventOf<T extends SearchEventType> = Extract<SearchEvent, { type: T }>;

/** A distributive Omit, so each member of the union keeps its own fields. */
type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;
export type SearchEventBody = DistributiveOmit<SearchEvent, 'searchId' | 't'>;

/** Everything a finished (or failed) search leaves behind: what Export Trace saves and bench aggregates. */
export interface SolveResult {
  searchId: string;
  problem: string;
  answer: string | null;
  events: SearchEvent[];
  stats: SearchStats;
  error: ErrorInfo | null;
}

/** What search.finished said of the answer; a failed or unfinished search has no verified answer. */
export function answerCheckOf(result: Pick<SolveResult, 'events' | 'answer'>): VerdictFacts {
  const last = result.events[result.events.length - 1];
  if (last?.type !== 'search.finished') return { answer: result.answer, confidence: null, calibrated: false, threshold: 0.5, verified: false, caveat: null };
  return {
    answer: last.answer,
    confidence: last.confidence,
    calibrated: last.calibrated,
    threshold: last.threshold,
    verified: last.verified,
    caveat: last.caveat,
  };
}

const FIELDS: Record<SearchEventType, Record<string, 'string' | 'number' | 'string|null' | 'object' | 'array' | 'object|null' | 'number|null' | 'boolean'>> = {
  'search.started': { problem: 'string', mode: 'string', method: 'string', algorithm: 'string', settings: 'object' },
  'step.started': { depth: 'number' },
  'thought.drafted': {
    id: 'string',
    parentId: 'string|null',
    depth: 'number',
    source: 'string',
    text: 'string',
    tokens: 'number',
    ms: 'number',
    speculative: 'object|null',
  },
  'thought.scored': { id: 'string', score: 'number' },
  'thought.judged': { id: 'string', verdict: 'string', threshold: 'number' },
  'thought.corrected': {
    id: 'string',
    replaces: 'string|null',
    parentId: 'string|null',
    depth: 'number',
    text: 'string',
    tokens: 'number',
    ms: 'number',
    speculative: 'object|null',
  },
  'threshold.updated': { parentId: 'string|null', depth: 'number', threshold: 'number' },
  'beam.selected': { depth: 'number', ids: 'array' },
  'mcts.visited': { iteration: 'number', path: 'array', value: 'number' },
  'search.finished': {
    answer: 'string|null',
    answerThoughtId: 'string|null',
    path: 'array',
    confidence: 'number|null',
    calibrated: 'boolean',
    threshold: 'number',
    weakestScore: 'number|null',
    basis: 'string',
    verified: 'boolean',
    caveat: 'string|null',
    stats: 'object',
  },
  'search.failed': { error: 'object', partial: 'boolean', stats: 'object' },
};

function hasType(value: unknown, kind: string): boolean {
  switch (kind) {
    case 'string|null':
      return value === null || typeof value === 'string';
    case 'object|null':
      return value === null || (typeof value === 'object' && !Array.isArray(value));
    case 'number|null':
      return value === null || (typeof value === 'number' && Number.isFinite(value));
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === kind;
  }
}

/**
 * A search.finished saved before it carried the verdict's threshold, calibration and basis (history kept
 * by an earlier version): filled in as what it was then, an uncalibrated score read against 0.5, so that
 * restored searches show and count like new ones. Other events pass through unchanged.
 */
export function upgradeEvent<T>(value: T): T {
  const e = value as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null || e.type !== 'search.finished' || 'basis' in e) return value;
  const confidence = typeof e.confidence === 'number' ? e.confidence : null;
  return {
    ...e,
    calibrated: false,
    threshold: 0.5,
    weakestScore: confidence,
    basis: e.verified === true ? 'score' : confidence === null ? 'none' : 'score',
  } as T;
}

/** Checks one event's shape; returns the problems found (empty when valid). For traces read from disk and tests. */
export function validateEvent(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['event is not an object'];
  const e = value as Record<string, unknown>;
  const fields = FIELDS[e.type as SearchEventType];
  if (!fields) return [`unknown event type ${JSON.stringify(e.type)}`];
  const problems: string[] = [];
  if (typeof e.searchId !== 'string') problems.push(`${e.type}: searchId must be a string`);
  if (typeof e.t !== 'number' || e.t < 0) problems.push(`${e.type}: t must be a non-negative number`);
  for (const [key, kind] of Object.entries(fields)) {
    if (!hasType(e[key], kind)) problems.push(`${e.type}: ${key} must be ${kind}`);
  }
  if (e.type === 'thought.scored' && typeof e.score === 'number' && (e.score < 0 || e.score > 1)) problems.push('thought.scored: score must lie in 0..1');
  if (e.type === 'thought.scored' && e.thoughtScore !== undefined && !(typeof e.thoughtScore === 'number' && e.thoughtScore >= 0 && e.thoughtScore <= 1))
    problems.push('thought.scored: thoughtScore must lie in 0..1');
  if (e.type === 'thought.drafted' && e.source !== 'small' && e.source !== 'large') problems.push('thought.drafted: source must be small or large');
  if (e.type === 'thought.judged' && !VERDICTS.includes(e.verdict as Verdict)) problems.push(`thought.judged: verdict must be one of ${VERDICTS.join(', ')}`);
  return problems;
}

/**
 * Order invariants every trace keeps: a judged thought was drafted and scored first; a correction
 * names a thought that was drafted; the search ends exactly once, with its last event.
 */
export function checkTraceInvariants(events: readonly SearchEvent[]): string[] {
  const problems: string[] = [];
  const drafted = new Set<string>();
  const scored = new Set<string>();
  events.forEach((e, i) => {
    problems.push(...validateEvent(e).map((p) => `#${i} ${p}`));
    if (i === 0 && e.type !== 'search.started') problems.push('the first event must be search.started');
    const last = i === events.length - 1;
    if ((e.type === 'search.finished' || e.type === 'search.failed') && !last) problems.push(`#${i} ${e.type} is not the last event`);
    if (last && e.type !== 'search.finished' && e.type !== 'search.failed') problems.push('the last event must be search.finished or search.failed');
    if (i > 0 && e.t < events[i - 1].t) problems.push(`#${i} time goes backwards`);
    switch (e.type) {
      case 'thought.drafted':
        drafted.add(e.id);
        break;
      case 'thought.corrected':
        drafted.add(e.id);
        if (e.replaces !== null && !drafted.has(e.replaces)) problems.push(`#${i} correction ${e.id} replaces unknown thought ${e.replaces}`);
        break;
      case 'thought.scored':
        if (!drafted.has(e.id)) problems.push(`#${i} ${e.id} scored before it was drafted`);
        scored.add(e.id);
        break;
      case 'thought.judged':
        if (!drafted.has(e.id) || !scored.has(e.id)) problems.push(`#${i} ${e.id} judged before it was drafted and scored`);
        break;
      case 'beam.selected':
        for (const id of e.ids) if (!drafted.has(id)) problems.push(`#${i} beam keeps unknown thought ${id}`);
        break;
      default:
        break;
    }
  });
  return problems;
}

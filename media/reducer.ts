// The panel's state as a pure function of SearchEvents: reduce(state, event) → state. No DOM, no engine logic.
import type { ErrorInfo } from '../src/core/errors';
import type { EventOf, SearchEvent, SearchStats, Source, SpeculativeStats, Verdict } from '../src/core/events';
import { acceptanceRate as rateOf, type VerdictFacts } from '../src/core/verdict';
import type { Mode } from '../src/core/models/types';

export interface ThoughtView {
  id: string;
  parentId: string | null;
  depth: number;
  source: Source;
  text: string;
  tokens: number;
  ms: number;
  speculative: SpeculativeStats | null;
  /** The PRM's score of the path up to this thought. */
  score: number | null;
  /** The thought's own score, judged against β (the path's score where the PRM gives no other). */
  thoughtScore: number | null;
  verdict: Verdict | null;
  /** The threshold β the verdict was judged against. */
  threshold: number | null;
  /** This thought is the large model's rewrite of `replaces`. */
  replaces: string | null;
  /** This (rejected) draft was rewritten by that thought. */
  replacedBy: string | null;
  /** SpecSearch's reference thought (thought.drafted says so; absent in history saved before it did). */
  reference?: boolean;
  children: string[];
}

/** What an earlier search of the same problem finished with: shown until this one finishes. */
export interface EarlierAnswer extends VerdictFacts {
  searchId: string;
  method: string;
}

/** What search.finished says (answer, path, confidence: ✓ only when verified, the caveat otherwise) is kept as sent. */
export interface SearchView extends Pick<
  EventOf<'search.finished'>,
  'answer' | 'answerThoughtId' | 'path' | 'confidence' | 'calibrated' | 'threshold' | 'verified' | 'caveat'
> {
  searchId: string;
  problem: string;
  mode: Mode;
  method: string;
  algorithm: string;
  status: 'running' | 'finished' | 'failed';
  thoughts: Record<string, ThoughtView>;
  roots: string[];
  depth: number;
  /** The thoughts kept by beam search at each depth (the latest selection wins). */
  beams: Record<number, string[]>;
  /** The latest threshold β announced per depth. */
  thresholds: Record<number, number>;
  drafted: number;
  accepted: number;
  surplus: number;
  rejected: number;
  corrections: number;
  mctsIterations: number;
  stats: SearchStats | null;
  error: ErrorInfo | null;
  /** ms since the start, from the last event. */
  t: number;
  /** Events reduced so far: the extension resends only what the page lacks. */
  events: number;
  /** The last finished answer to this problem before this search (a stopped rerun keeps it in view). */
  earlier: EarlierAnswer | null;
}

export interface PanelState {
  searches: Record<string, SearchView>;
  /** Oldest first; at most MAX_SEARCHES. */
  order: string[];
  current: string | null;
  /** Rejected-draft groups the user opened, by `${searchId}/${parentId}`; closed by default. */
  openGroups: Record<string, true>;
  /** Thoughts whose children the user folded, by `${searchId}/${id}`. */
  folded: Record<string, true>;
  /** Searches a later one of the same problem and method took the tab of: their events are ignored. */
  replaced: Record<string, string>;
}

export const MAX_SEARCHES = 5;

export function emptyState(): PanelState {
  return { searches: {}, order: [], current: null, openGroups: {}, folded: {}, replaced: {} };
}

function newSearch(e: Extract<SearchEvent, { type: 'search.started' }>, earlier: EarlierAnswer | null): SearchView {
  return {
    searchId: e.searchId,
    problem: e.problem,
    mode: e.mode,
    method: e.method,
    algorithm: e.algorithm,
    status: 'running',
    thoughts: {},
    roots: [],
    depth: 0,
    beams: {},
    thresholds: {},
    drafted: 0,
    accepted: 0,
    surplus: 0,
    rejected: 0,
    corrections: 0,
    mctsIterations: 0,
    answer: null,
    answerThoughtId: null,
    confidence: null,
    calibrated: false,
    threshold: 0.5,
    verified: false,
    caveat: null,
    path: [],
    stats: null,
    error: null,
    t: e.t,
    events: 0,
    earlier,
  };
}

/**
 * States are immutable to their readers, but copying a 500-entry thought record for every event makes a
 * trace cost O(events × thoughts). Within one batch of events (one reduce or reduceAll call) the record is
 * copied once and then updated in place: the copy belongs to the batch, no earlier state shares it.
 */
let owned = new WeakSet<object>();

function own(thoughts: Record<string, ThoughtView>): Record<string, ThoughtView> {
  if (owned.has(thoughts)) return thoughts;
  const copy = { ...thoughts };
  owned.add(copy);
  return copy;
}

/** Adds a thought and links it under its parent (copying only the records that change). */
/** A thought as it was written, not yet scored or judged: a draft (or reference thought) or a correction. */
function written(e: EventOf<'thought.drafted'> | EventOf<'thought.corrected'>, source: Source, replaces: string | null, reference: boolean): ThoughtView {
  return {
    id: e.id,
    parentId: e.parentId,
    depth: e.depth,
    source,
    text: e.text,
    tokens: e.tokens,
    ms: e.ms,
    speculative: e.speculative,
    score: null,
    thoughtScore: null,
    verdict: null,
    threshold: null,
    replaces,
    replacedBy: null,
    children: [],
    ...(reference ? { reference: true } : {}),
  };
}

function addThought(s: SearchView, thought: ThoughtView): SearchView {
  const thoughts = own(s.thoughts);
  thoughts[thought.id] = thought;
  let roots = s.roots;
  const parent = thought.parentId === null ? undefined : thoughts[thought.parentId];
  if (parent) thoughts[parent.id] = { ...parent, children: [...parent.children, thought.id] };
  else roots = [...roots, thought.id];
  return { ...s, thoughts, roots };
}

function patchThought(s: SearchView, id: string, patch: Partial<ThoughtView>): SearchView {
  const t = s.thoughts[id];
  if (!t) return s;
  const thoughts = own(s.thoughts);
  thoughts[id] = { ...t, ...patch };
  return { ...s, thoughts };
}

function reduceSearch(s: SearchView, e: SearchEvent): SearchView {
  switch (e.type) {
    case 'search.started':
      return s;
    case 'step.started':
      return { ...s, depth: Math.max(s.depth, e.depth) };
    case 'thought.drafted': {
      const next = addThought(s, written(e, e.source, null, e.reference === true));
      return { ...next, drafted: s.drafted + 1 };
    }
    case 'thought.corrected': {
      const next = addThought(s, written(e, 'large', e.replaces, false));
      const linked = e.replaces ? patchThought(next, e.replaces, { replacedBy: e.id }) : next;
      return { ...linked, corrections: s.corrections + 1 };
    }
    case 'thought.scored':
      return patchThought(s, e.id, { score: e.score, thoughtScore: e.thoughtScore ?? e.score });
    case 'thought.judged': {
      const next = patchThought(s, e.id, { verdict: e.verdict, threshold: e.threshold });
      return { ...next, [e.verdict]: s[e.verdict] + 1 };
    }
    case 'threshold.updated':
      return { ...s, thresholds: { ...s.thresholds, [e.depth]: e.threshold } };
    case 'beam.selected':
      return { ...s, beams: { ...s.beams, [e.depth]: e.ids } };
    case 'mcts.visited':
      return { ...s, mctsIterations: Math.max(s.mctsIterations, e.iteration) };
    case 'search.finished':
      return {
        ...s,
        status: 'finished',
        answer: e.answer,
        answerThoughtId: e.answerThoughtId,
        path: e.path,
        confidence: e.confidence,
        calibrated: e.calibrated,
        threshold: e.threshold,
        verified: e.verified,
        caveat: e.caveat,
        stats: e.stats,
        depth: Math.max(s.depth, e.stats.depth),
      };
    case 'search.failed':
      return { ...s, status: 'failed', error: e.error, stats: e.stats };
  }
}

export function reduce(state: PanelState, event: SearchEvent): PanelState {
  owned = new WeakSet();
  return reduceInBatch(state, event);
}

/** Many events at once (a replay, a burst): one batch, so the thought record is copied once. */
export function reduceAll(events: readonly SearchEvent[], state: PanelState = emptyState()): PanelState {
  owned = new WeakSet();
  const next = events.reduce(reduceInBatch, state);
  owned = new WeakSet();
  return next;
}

const sameProblem = (a: Pick<SearchView, 'problem' | 'mode'>, b: Pick<SearchView, 'problem' | 'mode'>) =>
  a.mode === b.mode && a.problem.replace(/\s+/g, ' ').trim() === b.problem.replace(/\s+/g, ' ').trim();

/** The last finished answer among the searches of this problem (the newest first), carried to a new search. */
function earlierAnswer(state: PanelState, started: Pick<SearchView, 'problem' | 'mode'>): EarlierAnswer | null {
  for (const id of [...state.order].reverse()) {
    const s = state.searches[id];
    if (!s || !sameProblem(s, started)) continue;
    if (s.status === 'finished') {
      return {
        searchId: s.searchId,
        method: s.method,
        answer: s.answer,
        confidence: s.confidence,
        calibrated: s.calibrated,
        threshold: s.threshold,
        verified: s.verified,
        caveat: s.caveat,
      };
    }
    if (s.earlier) return s.earlier;
  }
  return null;
}

function reduceInBatch(state: PanelState, event: SearchEvent): PanelState {
  if (state.replaced[event.searchId]) return state;
  let search = state.searches[event.searchId];
  let { order, current, replaced } = state;
  let searches = state.searches;
  if (!search) {
    // Events of a search whose start this page never saw (e.g. evicted) cannot be placed: ignore them.
    if (event.type !== 'search.started') return state;
    search = newSearch(event, earlierAnswer(state, event));
    // Solving the same problem again with the same method takes the earlier search's tab.
    const twin = order.find((id) => searches[id] && searches[id].method === event.method && sameProblem(searches[id], event));
    if (twin) {
      searches = { ...searches };
      delete searches[twin];
      replaced = { ...replaced, [twin]: event.searchId };
    }
    order = [...order.filter((id) => id !== event.searchId && id !== twin), event.searchId];
    current = event.searchId;
    if (order.length > MAX_SEARCHES) {
      const dropped = order.slice(0, order.length - MAX_SEARCHES);
      order = order.slice(-MAX_SEARCHES);
      searches = { ...searches };
      for (const id of dropped) delete searches[id];
    }
  }
  const next = reduceSearch(search, event);
  return { ...state, order, current, replaced, searches: { ...searches, [event.searchId]: { ...next, t: event.t, events: search.events + 1 } } };
}

/** The thoughts of the current beam, of the answer's path, for quick membership tests while rendering. */
export function keptIds(s: SearchView): { beam: Set<string>; path: Set<string> } {
  const beam = new Set<string>();
  for (const ids of Object.values(s.beams)) for (const id of ids) beam.add(id);
  return { beam, path: new Set(s.path) };
}

/** Acceptance rate as the engine defines it, live while the search runs; null before anything is judged. */
export function acceptanceRate(s: SearchView): number | null {
  if (s.stats && s.status !== 'running') return s.stats.acceptanceRate;
  return rateOf(s.accepted, s.corrections, s.accepted + s.surplus + s.rejected);
}

export function toggleGroup(state: PanelState, key: string): PanelState {
  const openGroups = { ...state.openGroups };
  if (openGroups[key]) delete openGroups[key];
  else openGroups[key] = true;
  return { ...state, openGroups };
}

export function toggleFold(state: PanelState, key: string): PanelState {
  const folded = { ...state.folded };
  if (folded[key]) delete folded[key];
  else folded[key] = true;
  return { ...state, folded };
}

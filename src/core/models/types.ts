// The two model interfaces the engine drives; each backend (embedded, openai-compatible, …) is one file.
import type { SpeculativeStats } from '../events';

/** What a search is for: an answer (solve) or an explanation of the problem's solution (explain). */
export type Mode = 'solve' | 'explain';

export interface DraftRequest {
  problem: string;
  mode: Mode;
  /** The path so far: the thoughts already written, without separators. */
  steps: readonly string[];
  /** How many continuations to draft. */
  n: number;
  /** Generation stops at the first of these (the step separator first); the stop string is not returned. */
  stop: readonly string[];
  maxTokens: number;
  temperature: number;
  seed: number;
  /** Use token-level speculative decoding (a draft model inside the backend or the server) when available. */
  speculative: boolean;
  signal: AbortSignal;
}

export interface Draft {
  /** The thought's text, without the separator. */
  text: string;
  tokens: number;
  /** Why generation ended: at a stop string (more steps follow), end of sequence (solution complete), or length. */
  finish: 'stop' | 'eos' | 'length';
}

export interface DraftResult {
  drafts: Draft[];
  /** Wall time of the whole call (drafts of one call are produced together). */
  ms: number;
  /** HTTP requests or native calls made. */
  requests: number;
  speculative: SpeculativeStats | null;
}

export interface ModelCapabilities {
  /** Token-level speculative decoding is available (draft model in-process or on the server). */
  speculative: boolean;
  /** Several continuations come from one call (`n` or parallel sequences). */
  batchedDrafts: boolean;
}

export interface LanguageModel {
  /** For messages: e.g. "large model (http://127.0.0.1:8000/v1, Qwen2.5-Math-7B-Instruct)". */
  readonly label: string;
  readonly capabilities: ModelCapabilities;
  draft(request: DraftRequest): Promise<DraftResult>;
  /**
   * Drops what earlier calls left cached in this process (KV caches of pooled sequences), so that the next
   * call starts as the first one after loading. Absent where nothing is cached here (a server's own prefix
   * cache is out of reach).
   */
  forget?(): Promise<void>;
  dispose(): Promise<void>;
}

export interface ScoreRequest {
  problem: string;
  /** Each path is a list of steps; the result is the score of each path's LAST step. */
  paths: readonly (readonly string[])[];
  /** The search's step separator (search.stepSeparator), for PRMs that read the path as the model wrote it. */
  separator?: string;
  signal: AbortSignal;
}

export interface ScoreResult {
  /** One score in 0..1 per path: what ranks the paths. */
  scores: number[];
  /**
   * For PRMs whose `scores` aggregate the whole path (kind "likelihood": the least likely token of any
   * step), the last step's own score, given the steps before it: what SpecSearch judges against β.
   * Absent where `scores` are the last step's own.
   */
  thoughtScores?: number[];
  ms: number;
  requests: number;
}

export interface ProcessRewardModel {
  readonly label: string;
  /** Scores the last step of each path: what the search needs for the drafts of one node. */
  scoreLast(request: ScoreRequest): Promise<ScoreResult>;
  /** Scores every step of one path. */
  scoreSteps(problem: string, steps: readonly string[], signal: AbortSignal, separator?: string): Promise<number[]>;
  /** Drops the scores and KV caches earlier calls left in this process (see LanguageModel.forget). */
  forget?(): Promise<void>;
  dispose(): Promise<void>;
}

export interface ModelTrio {
  small: LanguageModel;
  large: LanguageModel;
  prm: ProcessRewardModel;
  /**
   * Where the models compute in this process, the searches that may run at once: one search on a CPU already
   * keeps every core busy, and more would only share them out (four at once on 2 cores took 1.4× the wall
   * time of one after another). Searches beyond it wait their turn. Absent: no limit (servers queue for themselves).
   */
  searches?: { run<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T> };
}

/** Empties every cache the trio keeps between calls: the next solve starts cold, as the first after loading. */
export async function forgetCaches(models: ModelTrio): Promise<void> {
  await Promise.all([...new Set([models.small, models.large, models.prm])].map((m) => m.forget?.()));
}

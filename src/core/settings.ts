// The one settings schema (VS Code `specsearch.*` == CLI `specsearch.config.json`) and its defaults;
// config.ts validates raw settings against it, profiles.ts builds named bundles of it.
import type { FoundServer } from './discover';
import type { ThresholdRule } from './quality';

export const PROVIDERS = ['openai-compatible', 'embedded'] as const;
export const PRM_KINDS = ['vllm-pooling', 'logprob', 'judge', 'likelihood'] as const;
export const PROMPT_TEMPLATES = ['raw', 'qwen2.5-math', 'chatml', 'llama3', 'gguf'] as const;
export const METHODS = ['specsearch', 'large', 'sps', 'small'] as const;
export const ALGORITHMS = ['beam', 'mcts', 'best-of-n'] as const;

export type Provider = (typeof PROVIDERS)[number];
export type PrmKind = (typeof PRM_KINDS)[number];
export type PromptTemplate = (typeof PROMPT_TEMPLATES)[number];
export type Method = (typeof METHODS)[number];
export type Algorithm = (typeof ALGORITHMS)[number];

export interface ModelSettings {
  provider: Provider;
  /** Server URL (openai-compatible) — unused by embedded models. */
  baseURL?: string;
  /** Served model name (openai-compatible) or path to a GGUF file (embedded). */
  model: string;
  /** Name of the environment variable holding the API key; keys never live in settings files. */
  apiKeyEnv?: string;
  timeoutMs: number;
  maxConcurrency: number;
  promptTemplate: PromptTemplate;
  systemPrompt?: string;
}

export interface PrmSettings extends ModelSettings {
  kind: PrmKind;
  /** Tag written after each step; the PRM's next token there is `positiveToken` or `negativeToken`. */
  stepTag: string;
  positiveToken: string;
  negativeToken: string;
  /**
   * Maps the PRM's raw score r of a thought to the probability that the thought is right,
   * 1 / (1 + (midpoint / r)^slope), fitted for one model file (scripts/tiny/calibrate-verifier.mjs). SpecSearch
   * judges drafts against β on this scale, and answers are verified on it. Absent: scores are used as they come.
   */
  calibration?: Calibration;
  /**
   * Maps the weakest score on an answer's path (on the scale the search reads, after `calibration`) to the
   * probability that the answer is right: the answer's confidence, fitted from labelled solves by
   * `specsearch calibrate`. Absent: the confidence is the weakest score itself, which is not a probability.
   */
  answerCalibration?: AnswerCalibration;
}

export interface Calibration {
  /** The raw score at which a thought is as likely right as wrong. */
  midpoint: number;
  /** How fast the probability rises with ln(raw score). */
  slope: number;
}

/**
 * P(right | s) = 1 / (1 + (odds(midpoint) / odds(s))^slope), odds(s) = s / (1 − s): Platt scaling on the
 * log-odds of the weakest score s, ½ at the midpoint.
 */
export interface AnswerCalibration extends Calibration {
  /**
   * The same map for problems the models' own domain check puts outside what they were trained on (the
   * bundled tiny models: anything but chain arithmetic within its limits), fitted on such problems.
   */
  outside?: Calibration;
}

export interface SearchSettings {
  method: Method;
  algorithm: Algorithm;
  /** B: paths kept by beam search after each step (paper: 2). */
  beamWidth: number;
  /** N: children each node is expanded into (paper: 6). */
  candidatesPerStep: number;
  /** γ: the small model drafts γ·N candidates per node (paper: 2). */
  draftRatio: number;
  /** θ: weight of the old threshold in β ← θ·β + (1 − θ)·max(scores) (paper: 0.8–0.95). */
  thresholdDecay: number;
  /** β₀ = factor × max PRM score of the large model's thoughts at the root (paper: 0.9). */
  initialThresholdFactor: number;
  /** How β follows the path: "paper" (max of the kept scores) or "large" (the large model's own thoughts). */
  thresholdRule: ThresholdRule;
  /** How many thoughts the large model writes at the root to initialise β. */
  rootLargeThoughts: number;
  temperature: number;
  maxDepth: number;
  maxStepTokens: number;
  stepSeparator: string;
  stopStrings: string[];
  mctsIterations: number;
  mctsCBase: number;
  mctsCInit: number;
  seed: number;
  /** An answer whose path the PRM backs less than this (search.finished's confidence) is shown as unverified. */
  minConfidence: number;
}

export interface Settings {
  profile: string;
  models: { small: ModelSettings; large: ModelSettings; prm: PrmSettings };
  search: SearchSettings;
}

export const DEFAULT_SEARCH: SearchSettings = {
  method: 'specsearch',
  algorithm: 'beam',
  beamWidth: 2,
  candidatesPerStep: 6,
  draftRatio: 2,
  thresholdDecay: 0.9,
  initialThresholdFactor: 0.9,
  thresholdRule: 'large',
  rootLargeThoughts: 1,
  temperature: 0.7,
  maxDepth: 50,
  maxStepTokens: 256,
  stepSeparator: '\n\n',
  stopStrings: [],
  mctsIterations: 24,
  mctsCBase: 19652,
  mctsCInit: 1.25,
  seed: 0,
  minConfidence: 0.5,
};

export const DEFAULT_MODEL: Omit<ModelSettings, 'model'> = {
  provider: 'openai-compatible',
  timeoutMs: 120_000,
  maxConcurrency: 4,
  promptTemplate: 'qwen2.5-math',
};

export interface Choice {
  baseURL: string;
  model: string;
}

/**
 * The settings object (what specsearch.config.json holds, and the VS Code settings specsearch.models.*) for a
 * choice of servers: the PRM is read as a step-tag logprob PRM unless `prmKind` says otherwise.
 */
export function configFor(choice: { small: Choice; large: Choice; prm: Choice; prmKind?: PrmKind }, servers: readonly Pick<FoundServer, 'baseURL' | 'kind'>[]): { models: Record<'small' | 'large' | 'prm', Record<string, unknown>> } {
  const template = (c: Choice) => (servers.find((s) => s.baseURL === c.baseURL)?.kind === 'ollama' ? 'raw' : 'qwen2.5-math');
  const model = (c: Choice) => ({ provider: 'openai-compatible', baseURL: c.baseURL, model: c.model, promptTemplate: template(c) });
  return {
    models: {
      small: model(choice.small),
      large: model(choice.large),
      prm: { ...model(choice.prm), kind: choice.prmKind ?? 'logprob' },
    },
  };
}

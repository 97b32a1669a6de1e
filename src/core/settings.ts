// The one settings schema (VS Code `specsearch.*` == CLI `specsearch.config.json`) and its defaults;
// config.ts validates raw settings against it, profiles.ts builds named bundles of it.
import type { ThresholdRule } from './threshold';

export const PROVIDERS = ['openai-compatible', 'embedded'] as const;
export const PRM_KINDS = ['vllm-pooling', 'logprob', 'judge', 'likelihood'] as const;
export const PROMPT_TEMPLATES = ['raw', 'qwen2.5-math', 'chatml', 'llama3', 'gguf'] as const;
export const METHODS = ['specsearch', 'large', 'sps', 'small'] as const;
export const ALGORITHMS = ['beam', 'mcts', 'best-of-n'] as const;

/**
 * One descriptor per PRM kind, method and algorithm: what it is (the settings UI's enumDescriptions, the pickers,
 * the CLI's help), and for a PRM kind where it runs and what it needs of a server (discover.ts offers the kinds a
 * server can serve, doctor.ts checks them, models/prm/factory.ts builds them). package.json agrees with these
 * (test/lsp/settings-manifest.test.ts), the factory too (test/unit/prm-factory.test.ts).
 */
export interface PrmKindInfo {
  description: string;
  /** Where it runs: on a model server (openai-compatible), in-process (embedded). */
  runs: { server: boolean; embedded: boolean };
  /**
   * The server capability its scores come from (models/capabilities.ts), and what a server without it means:
   * "error", the kind cannot score there; "warning", it scores worse.
   */
  reads: { capability: 'pooling' | 'logprobs'; without: 'error' | 'warning'; why: string } | null;
  /** What doctor says of it even when everything answers, and the kind to use instead. */
  caveat?: { missing: string; instead: PrmKind };
  /** The settings of models.prm only this kind reads (package.json's descriptions of them name it). */
  parameters: readonly ('stepTag' | 'positiveToken' | 'negativeToken')[];
}

export const PRM_KIND_INFO: Record<PrmKind, PrmKindInfo> = {
  'vllm-pooling': {
    description: "a trained PRM on vLLM's /pooling runner, such as Qwen2.5-Math-PRM",
    runs: { server: true, embedded: false },
    reads: { capability: 'pooling', without: 'error', why: 'its step scores come from POST /pooling' },
    parameters: [],
  },
  logprob: {
    description: 'a step-tag PRM (Math-Shepherd) read from completion logprobs: the probability of positiveToken after stepTag',
    runs: { server: true, embedded: true },
    reads: { capability: 'logprobs', without: 'error', why: 'it reads the probability of positiveToken after stepTag' },
    parameters: ['stepTag', 'positiveToken', 'negativeToken'],
  },
  judge: {
    description: 'an instruction model asked whether a step is right',
    runs: { server: true, embedded: false },
    reads: { capability: 'logprobs', without: 'warning', why: 'without them a step scores 0 or 1 from the word the model writes' },
    caveat: { missing: 'a trained PRM: kind "judge" asks an instruction model and scores steps less reliably', instead: 'vllm-pooling' },
    parameters: [],
  },
  likelihood: {
    description: 'in-process only: a model that solves the task scores a path by the least likely token of its steps',
    runs: { server: false, embedded: true },
    reads: null,
    parameters: [],
  },
};
/**
 * The kind a PRM has when its settings name none: the paper's PRM (Qwen2.5-Math-PRM) on vLLM. Discovery
 * (server-choice.ts configFor) always writes a kind, guessed from the model's name and server where the user gave none.
 */
export const DEFAULT_PRM_KIND: PrmKind = 'vllm-pooling';
/** The kinds a model server can serve (`--prm-kind`, the Find Local Model Servers picker). */
export const SERVED_PRM_KINDS = PRM_KINDS.filter((k) => PRM_KIND_INFO[k].runs.server);
/** The kinds that run in-process (provider "embedded"). */
export const EMBEDDED_PRM_KINDS = PRM_KINDS.filter((k) => PRM_KIND_INFO[k].runs.embedded);

export const METHOD_INFO: Record<(typeof METHODS)[number], { description: string }> = {
  specsearch: { description: "the small model drafts, the PRM judges, the large model rewrites the rejected (the paper's method)" },
  large: { description: 'the large model writes every thought (baseline)' },
  sps: { description: 'the large model with token-level speculative decoding (baseline)' },
  small: { description: 'the small model only (baseline)' },
};

export const ALGORITHM_INFO: Record<(typeof ALGORITHMS)[number], { description: string; parameters: readonly { key: keyof SearchSettings; label: string }[] }> =
  {
    beam: {
      description: "beam search over thoughts (the paper's main setting)",
      parameters: [
        { key: 'candidatesPerStep', label: 'N' },
        { key: 'beamWidth', label: 'B' },
      ],
    },
    mcts: {
      description: 'Monte Carlo tree search (PUCT)',
      parameters: [
        { key: 'candidatesPerStep', label: 'N' },
        { key: 'mctsIterations', label: 'iterations' },
      ],
    },
    'best-of-n': { description: 'N whole solutions, the best-scored kept', parameters: [{ key: 'candidatesPerStep', label: 'N' }] },
  };

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
 * P(right | s) = σ(intercept + slope · ln(s / (1 − s))), σ(u) = 1 / (1 + e^−u): Platt scaling on the log-odds
 * of the weakest score s on an answer's path. A slope of 0 is a constant probability (a score that says
 * nothing).
 */
export interface PlattMap {
  intercept: number;
  slope: number;
}

export interface AnswerCalibration extends PlattMap {
  /**
   * The same map for problems the models' own domain check puts outside what they were trained on (the
   * bundled tiny models: anything but chain arithmetic within its limits), fitted on such problems.
   */
  outside?: PlattMap;
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
  /**
   * How many thoughts the large model writes at the root to initialise β (the paper: all N of the root's
   * children; with fewer, the small model drafts the rest there, judged against β₀).
   */
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
  thresholdRule: 'paper',
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

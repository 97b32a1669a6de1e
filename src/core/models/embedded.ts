// In-process models on node-llama-cpp: one shared Llama, pooled sequences, KV-cache reuse between calls,
// and token-level speculative decoding for the large model with the small model as its draft.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { ModelSettings } from '../config';
import { EngineError, cancelledError, throwIfAborted } from '../errors';
import { EmbeddedPrompt } from './embedded-prompt';
import { Gate } from './gate';
import { SequencePool, alignPrefix, inLanes } from './sequences';
import { speculativeTokens, type SpeculationCounts } from './speculative';
import type { Draft, DraftRequest, DraftResult, LanguageModel } from './types';
import { ggufHeaderProblem } from './gguf';

/** The bundled tiny models' context per path: the problem and its steps together must fit. */
const TINY_CONTEXT_TOKENS = 512;
/** Other models' context per path at most (each path has its own context and KV cache). */
const MAX_CONTEXT_TOKENS = 4096;
const TINY_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Tokens of context each path gets: 512 for tiny files (all their task needs), else what the model was
 * trained for, up to 4096 (a chat model's system prompt, problem and a long solution).
 */
export function contextTokens(fileBytes: number, trainContext: number | null | undefined): number {
  if (fileBytes < TINY_FILE_BYTES) return TINY_CONTEXT_TOKENS;
  return Math.max(TINY_CONTEXT_TOKENS, Math.min(MAX_CONTEXT_TOKENS, trainContext ?? MAX_CONTEXT_TOKENS));
}
/** Loading a model file that never finishes (a FIFO, a hung network mount) fails after this long. */
const LOAD_TIMEOUT_MS = Number(process.env.SPECSEARCH_MODEL_LOAD_TIMEOUT_MS ?? 120_000);
/** node-llama-cpp 3.21.1 mixes up the outputs of three or more sequences of one context that generate at once. */
const MAX_SEQUENCES_PER_CONTEXT = 2;
/**
 * Token-level speculation for the large model, with the small one as its draft model (speculative.ts).
 * `SPECSEARCH_EMBEDDED_SPECULATION=0` turns it off.
 */
const IN_PROCESS_SPECULATION = process.env.SPECSEARCH_EMBEDDED_SPECULATION !== '0';
/** Tokens the draft proposes per round at most, and its confidence below which it stops proposing. */
const DRAFT_MAX_TOKENS = 6;
const DRAFT_MIN_CONFIDENCE = 0.5;

/**
 * Tiny models run fastest on one thread per context (thread hand-offs cost more than the math); big ones
 * share cores − 1 among the `contexts` of a pool, which decode at the same time.
 */
function threadsFor(size: number, contexts: number): number {
  return size < TINY_FILE_BYTES ? 1 : Math.max(1, Math.floor((os.availableParallelism() - 1) / contexts));
}

/** Whether two models tokenize alike (a draft model must share the target's vocabulary). */
function sameVocabulary(a: LlamaModel, b: LlamaModel): boolean {
  const sample = 'Start with 7. Add 5. Multiply by 3. What is the result? 12 * 3 = 36\n\nThe answer is \\boxed{42}.';
  const ta = a.tokenize(sample);
  const tb = b.tokenize(sample);
  return ta.length === tb.length && ta.every((t, i) => t === tb[i]) && a.tokens.bos === b.tokens.bos && a.tokens.eos === b.tokens.eos;
}

/** A model path must name a regular file (a FIFO or a device would block the loader forever) whose GGUF header its size can hold. Returns its stat. */
function checkModelFile(file: string): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new EngineError({ code: 'model-load', message: `The model file ${file} does not exist.`, server: file, hint: 'Check the "model" path in your settings, or run `npm run models:train` to rebuild the bundled tiny models.' });
  }
  if (!stat.isFile()) {
    throw new EngineError({ code: 'model-load', message: `The model path ${file} is not a regular file.`, server: file, hint: 'Point the "model" setting at a .gguf file.' });
  }
  const problem = ggufHeaderProblem(file, stat);
  if (problem) {
    throw new EngineError({ code: 'model-load', message: `The model file ${file} is not a usable GGUF model: ${problem}.`, server: file, hint: 'The file is corrupt, truncated or another format. Point the "model" setting at a GGUF file.' });
  }
  return stat;
}

/**
 * The fewest tokens `text` can take in the GGUF model `file` (its byte length over the longest vocabulary
 * entry's) and the context a path gets, read from the file's header without loading the weights. Null
 * when the header cannot be read (loading the model reports that).
 */
export async function fewestTokens(file: string, text: string): Promise<{ fewest: number; context: number } | null> {
  try {
    const { size } = checkModelFile(file);
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const info = await readGgufFileInfo(file, { readTensorInfo: false, logWarnings: false, signal: AbortSignal.timeout(10_000) });
    const metadata = info.metadata as { tokenizer?: { ggml?: { tokens?: unknown; token_type?: unknown } }; general?: { architecture?: string } } & Record<string, unknown>;
    const ggml = metadata.tokenizer?.ggml;
    const vocabulary = ggml?.tokens;
    if (!Array.isArray(vocabulary) || vocabulary.length === 0) return null;
    const arch = metadata.general?.architecture;
    const trained = arch ? (metadata[arch] as { context_length?: unknown } | undefined)?.context_length : undefined;
    const context = contextTokens(size, typeof trained === 'number' ? trained : null);
    const types = Array.isArray(ggml?.token_type) ? (ggml.token_type as unknown[]) : [];
    let longest = 1;
    vocabulary.forEach((token, i) => {
      // GGUF token types: 2 unknown and 3 control stand for no text, 6 byte for one byte ("<0x41>").
      if (types[i] === 2 || types[i] === 3 || types[i] === 6) return;
      longest = Math.max(longest, Buffer.byteLength(String(token).replaceAll('\u2581', ' ')));
    });
    return { fewest: Math.ceil(Buffer.byteLength(text) / longest), context };
  } catch {
    return null;
  }
}

/** SPECSEARCH_GPU, checked: "auto" (the default) lets node-llama-cpp pick; "false" keeps to the CPU. */
function gpuChoice(): 'auto' | false | 'metal' | 'cuda' | 'vulkan' {
  const value = (process.env.SPECSEARCH_GPU ?? 'auto').trim().toLowerCase();
  if (value === 'false' || value === 'cpu' || value === '0') return false;
  if (value === 'auto' || value === 'metal' || value === 'cuda' || value === 'vulkan') return value;
  throw new EngineError({ code: 'config', message: `SPECSEARCH_GPU is "${value}", which is not one of auto, false, metal, cuda, vulkan.`, hint: 'Unset SPECSEARCH_GPU to let node-llama-cpp use the GPU it finds, or set it to false for the CPU.' });
}

export class EmbeddedRuntime {
  private static instance: Promise<EmbeddedRuntime> | null = null;
  private readonly models = new Map<string, Promise<LlamaModel>>();
  /**
   * Searches on in-process models at once: one on the CPU, where a search's parallel sequences already keep
   * every core busy (ModelTrio.searches); on a GPU no limit. SPECSEARCH_INPROCESS_SEARCHES sets it.
   */
  readonly searches: Gate;
  /**
   * Sequences one call keeps busy at once (a call's continuations, a PRM request's paths): the cores on the
   * CPU, where a sequence decodes on one thread and more sequences than cores add no speed, only evaluations
   * of the prompt; on a GPU every one at once. SPECSEARCH_LANES sets it.
   */
  readonly lanes: number;

  private constructor(readonly llama: Llama) {
    const lanes = Number(process.env.SPECSEARCH_LANES);
    this.lanes = Number.isInteger(lanes) && lanes > 0 ? lanes : llama.gpu ? Infinity : os.availableParallelism();
    const set = Number(process.env.SPECSEARCH_INPROCESS_SEARCHES);
    this.searches = new Gate(Number.isInteger(set) && set > 0 ? set : llama.gpu ? Infinity : 1);
  }

  /**
   * One Llama instance per process: loading the native library twice wastes memory and time. It uses the
   * GPU node-llama-cpp finds (Metal on Apple silicon, CUDA or Vulkan where their prebuilt binaries and
   * drivers are present), else the CPU; SPECSEARCH_GPU=false|auto|metal|cuda|vulkan chooses.
   */
  static shared(): Promise<EmbeddedRuntime> {
    EmbeddedRuntime.instance ??= (async () => {
      const lib = await import('node-llama-cpp');
      const llama = await lib.getLlama({ gpu: gpuChoice(), build: 'never', logLevel: lib.LlamaLogLevel.error, progressLogs: false });
      return new EmbeddedRuntime(llama);
    })().catch((err) => {
      EmbeddedRuntime.instance = null;
      throw new EngineError({
        code: 'model-load',
        message: `Cannot start the embedded inference engine (node-llama-cpp): ${(err as Error).message}`,
        hint: 'Install the .vsix built for this platform (README: Install in VS Code), or run `npm ci` in a checkout: node-llama-cpp\'s prebuilt binary comes in its @node-llama-cpp/<platform> package.',
      });
    });
    return EmbeddedRuntime.instance;
  }

  /** Where in-process models run, for doctor: "the GPU (cuda, prebuilt binary)" or "the CPU (…)". */
  device(): string {
    return this.llama.gpu ? `the GPU (${this.llama.gpu}, ${this.llama.buildType} binary)` : `the CPU (${this.llama.buildType} binary; no GPU found, or SPECSEARCH_GPU=false)`;
  }

  loadModel(file: string): Promise<LlamaModel> {
    let model = this.models.get(file);
    if (!model) {
      model = this.load(file);
      this.models.set(file, model);
      model.catch(() => this.models.delete(file));
    }
    return model;
  }

  private async load(file: string): Promise<LlamaModel> {
    checkModelFile(file);
    const deadline = AbortSignal.timeout(LOAD_TIMEOUT_MS);
    try {
      return await this.llama.loadModel({ modelPath: file, loadSignal: deadline });
    } catch (err) {
      if (deadline.aborted) {
        throw new EngineError({
          code: 'model-load',
          message: `Loading the model file ${file} did not finish within ${LOAD_TIMEOUT_MS / 1000} s.`,
          server: file,
          hint: 'Check that the file is on a local disk and readable; SPECSEARCH_MODEL_LOAD_TIMEOUT_MS raises the limit for very large models.',
        });
      }
      throw new EngineError({
        code: 'model-load',
        message: `Cannot load the model file ${file}: ${(err as Error).message}`,
        server: file,
        hint: 'The file is not a valid GGUF model (corrupt, truncated or another format). Replace it with a GGUF file.',
      });
    }
  }

  /**
   * Up to `n` sequences handed out as a pool, created as calls need them, `perContext` to a context (recorded in `owned` so their user can
   * dispose them). Sequences of one context are decoded together, one batched pass for all of them; but with
   * node-llama-cpp 3.21.1, when three or more sequences of one context generate at once, their outputs get
   * mixed up now and then (greedy text changes; steps of other paths leak in: 3–60 of 216 greedy drafts after
   * a busy search, against none with one or two per context), so at most two share a context. Separate
   * contexts decode in parallel on the thread pool (`large` ~1.7× faster here than with one context).
   * `SPECSEARCH_SEQUENCES_PER_CONTEXT` (1 or 2) overrides `perContext`, for measurements.
   */
  async sequencePool(model: LlamaModel, file: string, n: number, owned: LlamaContext[], perContext = 1): Promise<SequencePool> {
    const wanted = Number(process.env.SPECSEARCH_SEQUENCES_PER_CONTEXT ?? perContext);
    const per = Math.max(1, Math.min(MAX_SEQUENCES_PER_CONTEXT, n, Number.isInteger(wanted) ? wanted : 1));
    const bytes = fs.statSync(file).size;
    const threads = threadsFor(bytes, Math.ceil(n / per));
    const grow = async (sequences: number): Promise<LlamaContextSequence[]> => {
      const context = await model.createContext({ sequences, contextSize: contextTokens(bytes, model.trainContextSize), threads, flashAttention: false });
      owned.push(context);
      return Array.from({ length: sequences }, () => context.getSequence());
    };
    return new SequencePool(grow, n, per);
  }

  async languageModel(role: 'small' | 'large', settings: ModelSettings, draftSettings?: ModelSettings): Promise<LanguageModel> {
    const model = await this.loadModel(settings.model);
    const candidate = draftSettings && IN_PROCESS_SPECULATION ? await this.loadModel(draftSettings.model) : null;
    // Speculation needs one vocabulary: the target checks the draft's token ids as its own.
    const draft = candidate && sameVocabulary(model, candidate) ? candidate : null;
    const prompt = await EmbeddedPrompt.create(model, settings, `models.${role}`);
    return new EmbeddedLanguageModel(this, role, settings, model, prompt, draft && draftSettings ? { model: draft, file: draftSettings.model } : null);
  }
}

class EmbeddedLanguageModel implements LanguageModel {
  readonly label: string;
  readonly capabilities: { speculative: boolean; batchedDrafts: boolean };
  private plain: Promise<SequencePool> | null = null;
  private drafts: Promise<SequencePool> | null = null;
  private readonly contexts: LlamaContext[] = [];

  constructor(
    private readonly runtime: EmbeddedRuntime,
    role: 'small' | 'large',
    private readonly settings: ModelSettings,
    private readonly model: LlamaModel,
    private readonly prompt: EmbeddedPrompt,
    private readonly drafter: { model: LlamaModel; file: string } | null,
  ) {
    this.label = `${role} model (embedded, ${settings.model})`;
    this.capabilities = { speculative: drafter !== null, batchedDrafts: true };
  }

  private pool(): Promise<SequencePool> {
    this.plain ??= this.runtime.sequencePool(this.model, this.settings.model, this.settings.maxConcurrency, this.contexts);
    return this.plain;
  }

  /** The draft model's sequences, one per target sequence, for token-level speculation. */
  private draftPool(): Promise<SequencePool> {
    const draft = this.drafter as { model: LlamaModel; file: string };
    this.drafts ??= this.runtime.sequencePool(draft.model, draft.file, this.settings.maxConcurrency, this.contexts);
    return this.drafts;
  }

  async draft(request: DraftRequest): Promise<DraftResult> {
    throwIfAborted(request.signal);
    const started = performance.now();
    const useSpeculation = request.speculative && this.drafter !== null;
    const [targets, drafters] = await Promise.all([this.pool(), useSpeculation ? this.draftPool() : null]);
    const separator = request.stop[0] ?? '\n\n';
    const prompt = this.prompt.tokens({ problem: request.problem, mode: request.mode, steps: request.steps, separator });
    const counts: SpeculationCounts | null = useSpeculation ? { drafted: 0, accepted: 0 } : null;

    const one = async (i: number): Promise<Draft> => {
      const seed = request.seed * 1000 + i;
      const sequence = await targets.acquire(prompt, request.signal);
      try {
        if (!drafters || !counts) return await this.generate(sequence, prompt, request, (async function* () {
          yield* sequence.evaluate(await alignPrefix(sequence, prompt), { temperature: request.temperature, seed, yieldEogToken: true });
        })());
        const draftSequence = await drafters.acquire(prompt, request.signal);
        try {
          const options = { temperature: request.temperature, seed, maxDraftTokens: DRAFT_MAX_TOKENS, minDraftConfidence: DRAFT_MIN_CONFIDENCE, signal: request.signal };
          return await this.generate(sequence, prompt, request, speculativeTokens(sequence, draftSequence, prompt, options, counts));
        } finally {
          drafters.release(draftSequence);
        }
      } finally {
        targets.release(sequence);
      }
    };
    // The n continuations share their prompt, and node-llama-cpp 3.21.1 cannot copy one sequence's KV cache to
    // another: every extra sequence evaluates the whole path again. Written a few at a time, a continuation
    // finds a sequence that holds the prompt (the one the last continuation released) and evaluates only its own tokens.
    const drafts = await inLanes(request.n, this.runtime.lanes, one);
    return { drafts, ms: performance.now() - started, requests: request.n, speculative: counts };
  }

  /** Reads `tokens` (the plain or speculative continuation of `prompt` on `sequence`) up to a stop. */
  private async generate(sequence: LlamaContextSequence, prompt: Token[], request: DraftRequest, tokens: AsyncGenerator<Token>): Promise<Draft> {
    const generated: Token[] = [];
    let text = '';
    const budget = Math.min(request.maxTokens, sequence.contextSize - prompt.length - 1);
    if (budget <= 0) {
      throw new EngineError(request.steps.length === 0
        ? { code: 'context-length', message: `${this.label}: the problem alone is ${prompt.length} tokens, which fills its ${sequence.contextSize}-token context.`, server: this.settings.model, hint: 'Shorten the problem to its statement, or serve a model with a longer context and point the settings at it (docs/servers.md).' }
        : { code: 'context-length', message: `${this.label}: the path is ${prompt.length} tokens long (the problem and ${request.steps.length} steps), which fills its ${sequence.contextSize}-token context.`, server: this.settings.model, hint: 'Lower search.maxDepth or search.maxStepTokens, or shorten the problem.' });
    }
    for await (const token of tokens) {
      if (request.signal.aborted) throw cancelledError();
      if (this.model.isEogToken(token)) return { text, tokens: generated.length + 1, finish: 'eos' };
      generated.push(token);
      text = this.model.detokenize(generated);
      for (const stop of request.stop) {
        const at = text.indexOf(stop);
        if (at >= 0) return { text: text.slice(0, at), tokens: generated.length, finish: 'stop' };
      }
      if (generated.length >= budget) return { text, tokens: generated.length, finish: 'length' };
    }
    return { text, tokens: generated.length, finish: 'eos' };
  }

  async forget(): Promise<void> {
    await Promise.all([this.plain, this.drafts].map(async (pool) => (await pool)?.clear()));
    this.prompt.forget();
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.contexts.map((c) => c.dispose()));
    this.contexts.length = 0;
    this.plain = null;
    this.drafts = null;
  }
}

// Probes what an HTTP model server can do (n, logprobs, tokenize, pooling, server-side speculation), once per server and model.
import { EngineError, cancelledError } from '../errors';
import type { HttpClient } from './http-client';

export type ServerKind = 'vllm' | 'sglang' | 'llama.cpp' | 'lmstudio' | 'ollama' | 'openai-compatible';

export interface ServerCapabilities {
  baseURL: string;
  server: ServerKind;
  version: string | null;
  /** Names GET /v1/models (or Ollama's /api/tags) lists; empty when the server lists none. */
  servedModels: string[];
  /** Whether the configured model is among them; null when the server does not list models. */
  modelServed: boolean | null;
  /** Several completions in one request (`n`); null until a request has shown it either way. */
  n: boolean | null;
  /** The most `n` one request may ask for (llama-server: its slots, -np). */
  maxN: number | null;
  /** Completion logprobs with top-k alternatives. */
  logprobs: boolean | null;
  tokenize: boolean;
  /** vLLM's /pooling for reward models; null until a PRM has tried it. */
  pooling: boolean | null;
  /** Token-level speculative decoding configured on the server. */
  speculative: {
    /** null: the server does not say (vLLM started with --disable-log-stats exports no counters), which is not "off". */
    enabled: boolean | null;
    evidence: string;
    /** The draft model the server names (SGLang's speculative_draft_model_path); null where it names none. */
    draft: string | null;
    /** What the server reports of its speculation so far (vLLM /metrics, SGLang /server_info); null where it reports nothing. */
    totals: SpeculationTotals | null;
  };
  /** Context tokens per request (per slot on llama-server), when the server says. */
  contextTokens: number | null;
  /** Vocabulary size, when the server says (llama-server's /v1/models meta.n_vocab; vLLM and SGLang do not). */
  vocabSize: number | null;
  /** What SpecSearch does differently because something is missing; said once, shown by `doctor` and stats. */
  degraded: string[];
}

/** Speculation counters a server keeps across requests; each null where that server does not report it. */
export interface SpeculationTotals {
  /** Draft tokens proposed and accepted since the server started (vLLM's spec_decode counters). */
  drafted: number | null;
  accepted: number | null;
  /** Tokens per verification step, the target's own token included (vLLM: 1 + accepted / drafts; SGLang: avg_spec_accept_length). */
  meanAcceptLength: number | null;
}

/** Ollama's native API: a baseURL whose path ends in /api (documented rule), or bare host:11434. */
export function isOllamaURL(baseURL: string): boolean {
  const url = new URL(baseURL);
  const path = url.pathname.replace(/\/+$/, '');
  return path.endsWith('/api') || (path === '' && url.port === '11434');
}

const cache = new Map<string, Promise<ServerCapabilities>>();

/**
 * Probed once per (server, model) per process; a failed probe is forgotten so the next call retries.
 * The probe itself is not tied to the first caller's signal (another search may be waiting on it, and
 * its requests have their own short deadline); each caller stops waiting when its own signal fires.
 */
export function capabilitiesOf(client: HttpClient, model: string, signal: AbortSignal): Promise<ServerCapabilities> {
  const key = `${client.baseURL}\u0000${model}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = probeServer(client, model, new AbortController().signal);
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  if (signal.aborted) return Promise.reject(cancelledError());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    entry.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function clearCapabilityCache(): void {
  cache.clear();
}

export function degrade(caps: ServerCapabilities, note: string): void {
  if (!caps.degraded.includes(note)) caps.degraded.push(note);
}

type Json = Record<string, unknown>;
const PROBE_MS = 10_000;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
/** The objects in a JSON value that should be an array of objects (servers may send nulls or nothing). */
function objects(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter((x): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
}

/** What the server at client.baseURL is and offers; `model` null lists its models without asking for one. */
export async function probeServer(client: HttpClient, model: string | null, signal: AbortSignal): Promise<ServerCapabilities> {
  const timeoutMs = Math.min(client.settings.timeoutMs, PROBE_MS);
  const opts = (what: string) => ({ what, signal, timeoutMs });
  const caps: ServerCapabilities = {
    baseURL: client.baseURL,
    server: 'openai-compatible',
    version: null,
    servedModels: [],
    modelServed: null,
    n: null,
    maxN: null,
    logprobs: null,
    tokenize: false,
    pooling: null,
    speculative: { enabled: false, evidence: 'the server does not report speculative decoding', draft: null, totals: null },
    contextTokens: null,
    vocabSize: null,
    degraded: [],
  };

  if (isOllamaURL(client.baseURL)) {
    caps.server = 'ollama';
    const tags = await client.get<Json>('/tags', opts('listing models (GET /api/tags)'));
    const models = objects(tags?.models);
    caps.servedModels = models.map((m) => str(m.name) ?? str(m.model)).filter((m): m is string => m !== null);
    caps.modelServed = model === null ? null : caps.servedModels.some((m) => m === model || m === `${model}:latest`);
    caps.version = str((await client.optional<Json>('/version', opts('reading the version')))?.version);
    caps.n = false;
    caps.logprobs = ollamaHasLogprobs(caps.version);
    degrade(caps, 'Ollama has no `n`: drafts of a node are parallel requests (set OLLAMA_NUM_PARALLEL on the server to run them at once).');
    if (model !== null && !caps.modelServed) throw notServed(client, model, caps);
    return caps;
  }

  // GET /v1/models answers on every OpenAI-compatible server; connection failures end the probe here.
  const listing = await client.optional<Json>('/models', opts('listing models (GET /v1/models)'));
  if (listing === null && !/\/v1\/?$/.test(new URL(client.baseURL).pathname)) {
    degrade(caps, `GET ${client.url('/models')} was not found, so this server goes unchecked: an OpenAI-compatible baseURL ends in /v1 (${client.origin}/v1).`);
  }
  const entries = objects(listing?.data);
  caps.servedModels = entries.map((m) => str(m.id)).filter((m): m is string => m !== null);
  const owner = entries.map((m) => str(m.owned_by)).find((o) => o !== null) ?? '';
  caps.contextTokens = num(entries.find((m) => m.id === model)?.max_model_len);
  caps.vocabSize = num((entries[0]?.meta as Json | undefined)?.n_vocab);
  if (owner === 'vllm') caps.server = 'vllm';
  else if (owner === 'sglang') caps.server = 'sglang';
  else if (owner === 'llamacpp') caps.server = 'llama.cpp';
  else if (owner === 'organization_owner') caps.server = 'lmstudio';
  else if (owner === 'library' || owner === 'ollama') caps.server = 'ollama';

  const props = caps.server === 'llama.cpp' || caps.server === 'openai-compatible'
    ? await client.optional<Json>(`${client.origin}/props`, opts('reading llama-server properties (GET /props)')).catch(() => null)
    : null;
  if (props && typeof props === 'object' && 'total_slots' in props) {
    caps.server = 'llama.cpp';
    caps.maxN = num(props.total_slots);
    caps.version = str(props.build_info);
    const gen = objects([props.default_generation_settings])[0] ?? {};
    caps.contextTokens = num(gen.n_ctx);
    // /slots says per slot whether a draft model is attached (/props' speculative.types stays "none" with -md).
    const slots = await client.optional<unknown>(`${client.origin}/slots`, opts('reading llama-server slots (GET /slots)')).catch(() => null);
    const types = str((objects([gen.params])[0] ?? {})['speculative.types']);
    if (Array.isArray(slots) && slots.length > 0) {
      const on = objects(slots).some((slot) => slot.speculative === true);
      caps.speculative = { enabled: on, evidence: `llama-server /slots: speculative = ${on}`, draft: null, totals: null };
    } else if (types && types !== 'none') {
      caps.speculative = { enabled: true, evidence: `llama-server /props: speculative.types = ${types}`, draft: null, totals: null };
    } else {
      caps.speculative = { enabled: false, evidence: 'llama-server reports no draft model (/slots disabled or no speculative slot)', draft: null, totals: null };
    }
  }

  switch (caps.server) {
    case 'llama.cpp':
      caps.n = true;
      caps.logprobs = true;
      caps.tokenize = true;
      caps.pooling = false;
      // llama-server ignores the model name: it serves the one GGUF it was started with.
      if (model !== null && caps.servedModels.length > 0 && !caps.servedModels.includes(model)) {
        degrade(caps, `llama-server serves "${caps.servedModels[0]}" and ignores the model name "${model}" (start it with --alias ${model} to match).`);
      }
      return caps;
    case 'vllm': {
      caps.n = true;
      caps.logprobs = true;
      caps.tokenize = true;
      caps.version = str((await client.optional<Json>(`${client.origin}/version`, opts('reading the version')).catch(() => null))?.version);
      const metrics = await client.optional<unknown>(`${client.origin}/metrics`, opts('reading metrics (GET /metrics)')).catch(() => null);
      caps.speculative = vllmSpeculation(typeof metrics === 'string' ? metrics : null);
      break;
    }
    case 'sglang': {
      caps.n = true;
      caps.logprobs = true;
      // /server_info is the current name; /get_server_info its deprecated alias, and the only one older SGLang has.
      let path = '/server_info';
      let info = await client.optional<Json>(`${client.origin}${path}`, opts(`reading server info (GET ${path})`)).catch(() => null);
      if (info === null) {
        path = '/get_server_info';
        info = await client.optional<Json>(`${client.origin}${path}`, opts(`reading server info (GET ${path})`)).catch(() => null);
      }
      caps.version = str(info?.version);
      const algorithm = str(info?.speculative_algorithm);
      const states = objects(info?.internal_states);
      const accept = num(states[0]?.avg_spec_accept_length);
      const totals: SpeculationTotals | null = accept === null ? null : { drafted: null, accepted: null, meanAcceptLength: accept };
      caps.speculative = algorithm && algorithm !== 'None'
        ? { enabled: true, evidence: `SGLang ${path}: speculative_algorithm = ${algorithm}${describeTotals(totals)}`, draft: str(info?.speculative_draft_model_path), totals }
        : { enabled: false, evidence: info === null ? 'SGLang /server_info unreadable' : `SGLang ${path}: no speculative_algorithm`, draft: null, totals: null };
      caps.contextTokens ??= num(info?.context_length);
      break;
    }
    case 'ollama':
      degrade(caps, 'This is Ollama\'s OpenAI endpoint, which applies the chat template to completions; use its native API instead: baseURL http://HOST:11434/api.');
      break;
    default:
      break;
  }
  caps.modelServed = caps.servedModels.length === 0 || model === null ? null : caps.servedModels.includes(model);
  if (model !== null && caps.modelServed === false) throw notServed(client, model, caps);
  return caps;
}

/**
 * Whether an engine's version ("0.11.1", "v0.12.11", "0.26.0rc1", "0.10.1.1+cu128") is `least` or later; null where
 * it cannot be read, and for dev builds that call themselves 0.0.0.
 */
export function versionAtLeast(version: string | null, least: readonly [number, number, number]): boolean | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version ?? '');
  if (!m) return null;
  const parts = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (parts.every((p) => p === 0)) return null;
  for (let i = 0; i < 3; i++) if (parts[i] !== least[i]) return parts[i] > least[i];
  return true;
}

/** Ollama added `logprobs`/`top_logprobs` to /api/generate in 0.12.11 (ollama PR #12899); null for unknown and dev ("0.0.0") builds. */
export function ollamaHasLogprobs(version: string | null): boolean | null {
  return versionAtLeast(version, [0, 12, 11]);
}

/**
 * What vLLM's /metrics says of speculation. Its engine metrics (`vllm:` samples) exist only while it logs stats:
 * with spec_decode counters it speculates; with other engine samples but none of those it does not; with no
 * engine sample at all (started with --disable-log-stats, or /metrics unreadable) nobody can tell from here.
 */
export function vllmSpeculation(metrics: string | null): ServerCapabilities['speculative'] {
  if (metrics !== null && /^(# (HELP|TYPE) )?vllm:spec_decode_/m.test(metrics)) {
    const totals = vllmSpeculationTotals(metrics);
    return { enabled: true, evidence: `vLLM /metrics exports spec_decode counters (--speculative-config is set)${describeTotals(totals)}`, draft: null, totals };
  }
  if (metrics !== null && /^(# (HELP|TYPE) )?vllm:/m.test(metrics)) {
    return { enabled: false, evidence: 'vLLM /metrics exports engine metrics but no spec_decode counters', draft: null, totals: null };
  }
  return {
    enabled: null,
    evidence: metrics === null
      ? 'vLLM /metrics could not be read, so whether it speculates is unknown'
      : 'vLLM /metrics exports no engine metrics (the server was started with --disable-log-stats), so whether it speculates is unknown',
    draft: null,
    totals: null,
  };
}

/** A Prometheus counter summed over its label sets; null when the text has no sample of it. */
function counter(text: string, name: string): number | null {
  let total: number | null = null;
  for (const line of text.split('\n')) {
    const m = /^([^\s{#]+)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    const value = m && m[1] === name ? Number(m[2]) : NaN;
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/** vLLM's spec_decode counters (the same names in its V0 and V1 engines; num_drafts only in V1). */
export function vllmSpeculationTotals(metrics: string): SpeculationTotals {
  const drafts = counter(metrics, 'vllm:spec_decode_num_drafts_total');
  const drafted = counter(metrics, 'vllm:spec_decode_num_draft_tokens_total');
  const accepted = counter(metrics, 'vllm:spec_decode_num_accepted_tokens_total');
  return { drafted, accepted, meanAcceptLength: drafts !== null && drafts > 0 && accepted !== null ? 1 + accepted / drafts : null };
}

function describeTotals(t: SpeculationTotals | null): string {
  if (t === null) return '';
  const parts: string[] = [];
  if (t.drafted !== null && t.accepted !== null) parts.push(`${t.accepted} of ${t.drafted} draft tokens accepted${t.drafted > 0 ? ` (${Math.round((100 * t.accepted) / t.drafted)}%)` : ''}`);
  if (t.meanAcceptLength !== null) parts.push(`${Math.round(t.meanAcceptLength * 100) / 100} tokens per verification step`);
  return parts.length > 0 ? `; so far ${parts.join(', ')}` : '';
}

function notServed(client: HttpClient, model: string, caps: ServerCapabilities): EngineError {
  const list = caps.servedModels.length > 0 ? caps.servedModels.map((m) => `"${m}"`).join(', ') : 'none';
  return new EngineError({
    code: 'model-not-found',
    message: `${client.label}: the server at ${client.baseURL} does not serve "${model}" (it serves ${list}).`,
    server: client.baseURL,
    hint: caps.server === 'ollama'
      ? `Run \`ollama pull ${model}\`, or set ${client.key}.model to one of the names listed.`
      : `Set ${client.key}.model to one of the names listed, or start the server with --served-model-name ${model} (vLLM, SGLang).`,
  });
}

/** llama-server's draft flags on builds before PR #22964 (`draft-simple`) and before PR #22397 (`--spec-draft-n-max`). */
const LLAMA_SPEC_OLDER = 'builds from late April 2026 that take --spec-draft-n-max but not draft-simple: -md small.gguf --spec-draft-n-max 8; older builds: -md small.gguf --draft-max 8';

/**
 * The exact server flag that adds what is missing, per server kind; used by `doctor` and error hints.
 * Flags whose spelling changed between versions say the range (docs/servers.md gives the sources).
 */
export function fixFor(server: ServerKind, missing: 'speculative' | 'n' | 'logprobs' | 'pooling' | 'model'): string {
  const table: Record<typeof missing, Partial<Record<ServerKind, string>> & { default: string }> = {
    speculative: {
      // N-gram needs no draft model: Qwen2.5-Math-1.5B (151936 vocabulary entries) is refused as the 7B's (152064) draft.
      vllm: `--speculative-config '{"method": "ngram", "num_speculative_tokens": 5, "prompt_lookup_max": 4}' (vLLM ≥ 0.8.3; a draft model instead needs a vLLM newer than 0.13 and exactly the large model's vocabulary size)`,
      'llama.cpp': `-md small.gguf --spec-type draft-simple --spec-draft-n-max 8 (llama.cpp builds from May 2026 on, whose llama-server --help lists draft-simple; ${LLAMA_SPEC_OLDER})`,
      sglang: '--speculative-algorithm NGRAM --speculative-num-draft-tokens 8 (SGLang releases since its n-gram speculation landed in autumn 2025, CUDA only; STANDALONE with a draft model needs exactly the large model\'s vocabulary)',
      default: 'serve the large model from vLLM, SGLang or llama-server with speculation on (docs/servers.md)',
    },
    n: {
      'llama.cpp': '-np 12 (one slot per draft of a node: γ·N = 12 by default; -c grows with it)',
      default: 'none needed: drafts are sent as parallel requests (raise maxConcurrency to run more at once)',
    },
    logprobs: {
      vllm: '--max-logprobs 20',
      ollama: 'Ollama 0.12.11 or later (it added logprobs/top_logprobs to /api/generate)',
      default: 'serve the PRM from vLLM, SGLang, llama-server or Ollama ≥ 0.12.11, which return completion logprobs',
    },
    pooling: {
      vllm: '--runner pooling (vLLM ≥ 0.10.1; 0.10.0 and older: --task reward)',
      default: 'serve Qwen2.5-Math-PRM-7B with vLLM: vllm serve Qwen/Qwen2.5-Math-PRM-7B --runner pooling (vLLM ≥ 0.10.1; 0.10.0 and older: --task reward)',
    },
    model: {
      vllm: '--served-model-name NAME',
      sglang: '--served-model-name NAME',
      'llama.cpp': '--alias NAME',
      ollama: 'ollama pull NAME',
      default: 'load the model in the server',
    },
  };
  return table[missing][server] ?? table[missing].default;
}

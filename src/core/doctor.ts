// `doctor`: checks each configured model (reachable, name served, capabilities, a one-token round trip, what is missing and the flag that adds it).
import * as fs from 'node:fs';
import { PRM_KIND_INFO, type ModelSettings, type PrmSettings, type Settings } from './config';
import { EngineError, toErrorInfo, type ErrorInfo } from './errors';
import { clearCapabilityCache, fixFor, type ServerCapabilities } from './models/capabilities';
import { HttpLanguageModel } from './models/http-model';
import { createHttpRewardModel, createRewardModel } from './models/prm/factory';
import type { LanguageModel, ProcessRewardModel } from './models/types';

export type Role = 'small' | 'large' | 'prm';

export interface DoctorFinding {
  /** warning: SpecSearch runs, slower or degraded; error: the configured search cannot run as set. */
  level: 'warning' | 'error';
  missing: string;
  /** The exact server flag (or setting) that fixes it. */
  fix: string;
}

export interface DoctorModelReport {
  role: Role;
  provider: ModelSettings['provider'];
  /** baseURL, or the GGUF path for embedded models. */
  target: string;
  /** The configured model name (or file). */
  model: string;
  reachable: boolean;
  /** What the server says it serves (llama-server: its alias or file; Ollama: its tags). */
  servedModels: string[];
  server: ServerCapabilities['server'] | 'embedded' | null;
  version: string | null;
  capabilities: ServerCapabilities | null;
  /** Wall time of a one-token generation (or one PRM score), ms. */
  roundTripMs: number | null;
  /** For embedded models: the time to load the GGUF file, ms. */
  loadMs: number | null;
  /** For embedded models: where they run ("the GPU (cuda, …)" or "the CPU (…)"). */
  device: string | null;
  findings: DoctorFinding[];
  notes: string[];
  error: ErrorInfo | null;
  ok: boolean;
}

export interface DoctorReport {
  ok: boolean;
  profile: string;
  method: Settings['search']['method'];
  ms: number;
  models: DoctorModelReport[];
}

function blank(role: Role, settings: ModelSettings): DoctorModelReport {
  return {
    role,
    provider: settings.provider,
    target: settings.provider === 'embedded' ? settings.model : (settings.baseURL ?? ''),
    model: settings.model,
    reachable: false,
    servedModels: [],
    server: settings.provider === 'embedded' ? 'embedded' : null,
    version: null,
    capabilities: null,
    roundTripMs: null,
    loadMs: null,
    device: null,
    findings: [],
    notes: [],
    error: null,
    ok: false,
  };
}

const ONE_TOKEN_PROBLEM = 'What is 1 + 1?';

/** Never throws: every failure is a finding or an error in the report. JSON-serialisable for the language server. */
export async function runDoctor(settings: Settings, signal: AbortSignal): Promise<DoctorReport> {
  const started = performance.now();
  clearCapabilityCache();
  const { small, large, prm } = settings.models;
  const models = await Promise.all([
    checkLanguageModel('small', small, settings, signal),
    checkLanguageModel('large', large, settings, signal),
    checkPrm(prm, settings, signal),
  ]);
  findDraftVocabularyGap(models[0], models[1]);
  return { ok: models.every((m) => m.ok), profile: settings.profile, method: settings.search.method, ms: Math.round(performance.now() - started), models };
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await f();
  return [value, Math.round((performance.now() - t) * 10) / 10];
}

async function checkLanguageModel(role: 'small' | 'large', ms: ModelSettings, settings: Settings, signal: AbortSignal): Promise<DoctorModelReport> {
  const report = blank(role, ms);
  let model: LanguageModel | null = null;
  try {
    if (ms.provider === 'embedded') {
      const { EmbeddedRuntime } = await import('./models/embedded');
      if (!fs.existsSync(ms.model))
        throw new EngineError({
          code: 'model-load',
          message: `The model file ${ms.model} does not exist.`,
          server: ms.model,
          hint: `Fix models.${role}.model, or train the bundled tiny models.`,
        });
      const runtime = await EmbeddedRuntime.shared();
      [, report.loadMs] = await timed(() => runtime.loadModel(ms.model));
      report.reachable = true;
      report.servedModels = [ms.model];
      report.device = runtime.device();
      model = await runtime.languageModel(role, ms);
    } else {
      const { createLanguageModel } = await import('./models/openai-compatible');
      model = createLanguageModel(role, ms);
      const caps = await (model as HttpLanguageModel).probe(signal);
      fill(report, caps);
    }
    // Two drafts from the small model show whether `n` works; one token each keeps it quick.
    const n = role === 'small' ? 2 : 1;
    const [, rtt] = await timed(() =>
      model!.draft({
        problem: ONE_TOKEN_PROBLEM,
        mode: 'solve',
        steps: [],
        n,
        stop: [settings.search.stepSeparator],
        maxTokens: 1,
        temperature: 0,
        seed: 0,
        speculative: role === 'large',
        signal,
      }),
    );
    report.roundTripMs = rtt;
    if (model instanceof HttpLanguageModel) fill(report, await model.probe(signal));
    findLanguageModelGaps(role, report, settings);
  } catch (err) {
    report.error = toErrorInfo(err);
    report.reachable = report.reachable && report.error.code !== 'connection' && report.error.code !== 'timeout';
  } finally {
    await model?.dispose().catch(() => undefined);
  }
  report.ok = report.error === null && report.findings.every((f) => f.level !== 'error');
  return report;
}

function fill(report: DoctorModelReport, caps: ServerCapabilities): void {
  report.reachable = true;
  report.capabilities = caps;
  report.server = caps.server;
  report.version = caps.version;
  report.servedModels = caps.servedModels;
  report.notes = [...caps.degraded];
}

function findLanguageModelGaps(role: 'small' | 'large', report: DoctorModelReport, settings: Settings): void {
  const caps = report.capabilities;
  const s = settings.search;
  if (caps === null) {
    if (role === 'large' && s.method === 'sps' && settings.models.small.provider !== 'embedded') {
      report.findings.push({
        level: 'error',
        missing: 'token-level speculation: an embedded large model drafts with the small model only when both are embedded',
        fix: 'set models.small.provider to "embedded" too',
      });
    }
    return;
  }
  if (role === 'large' && caps.speculative.enabled === null) {
    report.findings.push({
      level: 'warning',
      missing: `word of whether this server speculates (${caps.speculative.evidence}): method "sps" and SpecSearch's corrections are faster if it does, and \`specsearch bench\` will not take it as the autoregressive \`large\` baseline`,
      fix:
        caps.server === 'vllm'
          ? 'start vLLM without --disable-log-stats, so that /metrics says; for bench, give the config of a large model served without speculation with --baseline FILE (docs/bench.md)'
          : 'give bench the config of a large model served without speculation with --baseline FILE (docs/bench.md)',
    });
  }
  if (role === 'large' && caps.speculative.enabled === false) {
    report.findings.push({
      level: s.method === 'sps' ? 'error' : 'warning',
      missing: `server-side speculative decoding (${caps.speculative.evidence}); method "sps" needs it and SpecSearch's corrections run slower without it`,
      fix: fixFor(caps.server, 'speculative'),
    });
  }
  if (role === 'large' && caps.speculative.enabled === true) {
    report.findings.push({
      level: 'warning',
      missing: `an autoregressive baseline: this server speculates (${caps.speculative.evidence}), which serves "sps" and SpecSearch's corrections, but \`specsearch bench\` would measure its \`large\` column with that speculation`,
      fix: 'serve the large model once more without speculation and give bench its config with --baseline FILE (docs/bench.md)',
    });
  }
  if (role === 'small') {
    const need = Math.ceil(s.draftRatio * s.candidatesPerStep);
    if (caps.n === false) {
      report.findings.push({
        level: 'warning',
        missing: "`n` > 1 in one request: each node's drafts go out as parallel requests",
        fix: fixFor(caps.server, 'n'),
      });
    } else if (caps.maxN !== null && caps.maxN < need) {
      report.findings.push({
        level: 'warning',
        missing: `slots for the ${need} drafts of a node in one request (the server has ${caps.maxN}; they go out in ${Math.ceil(need / caps.maxN)} requests)`,
        fix: `-np ${need} (llama-server; raise -c with it)`,
      });
    }
  }
  if (caps.server === 'ollama' && !/\/api$/.test(caps.baseURL)) {
    report.findings.push({
      level: 'error',
      missing: "raw completions: Ollama's /v1 endpoint applies the chat template",
      fix: `set models.${role}.baseURL to ${new URL(caps.baseURL).origin}/api`,
    });
  }
}

/** The flags of a fixFor hint without its version note. */
const flagsOf = (hint: string) => hint.split(' (')[0];

/** llama-server's limit (common/speculative.cpp, SPEC_VOCAB_MAX_SIZE_DIFFERENCE); the shared tokens must match too. */
const LLAMA_VOCAB_GAP = 128;

/**
 * A draft model must have the large model's vocabulary: vLLM (draft models, after 0.13) and SGLang (STANDALONE)
 * refuse to start on any difference in size, llama-server on one over 128. Only llama-server says its size
 * (/v1/models meta.n_vocab), so the small model's server stands in for the draft, as in docs/servers.md.
 */
function findDraftVocabularyGap(small: DoctorModelReport, large: DoctorModelReport): void {
  const draft = small.capabilities?.vocabSize ?? null;
  const target = large.capabilities?.vocabSize ?? null;
  if (draft === null || target === null || draft === target) return;
  const sizes = `the small model's vocabulary has ${draft} entries, the large model's ${target}`;
  if (large.server === 'llama.cpp' && Math.abs(draft - target) <= LLAMA_VOCAB_GAP) {
    large.findings.push({
      level: 'warning',
      missing: `a draft model with the large model's vocabulary: ${sizes}; llama-server takes the small model as its draft (a gap of up to ${LLAMA_VOCAB_GAP} whose shared tokens match), vLLM and SGLang STANDALONE refuse it at startup`,
      fix: `none needed on llama-server; on vLLM: ${flagsOf(fixFor('vllm', 'speculative'))}; on SGLang: ${flagsOf(fixFor('sglang', 'speculative'))} (versions: docs/servers.md)`,
    });
    return;
  }
  large.findings.push({
    level: 'warning',
    missing: `a draft model with the large model's vocabulary: ${sizes}, so the small model cannot be its draft (vLLM and SGLang refuse any gap, llama-server one over ${LLAMA_VOCAB_GAP})`,
    fix:
      large.server === 'llama.cpp'
        ? "a draft GGUF with the large model's vocabulary, or speculation without a draft model: --spec-type ngram-mod (on builds whose llama-server --help lists it)"
        : fixFor(large.capabilities?.server ?? 'openai-compatible', 'speculative'),
  });
}

async function checkPrm(ps: PrmSettings, settings: Settings, signal: AbortSignal): Promise<DoctorModelReport> {
  const report = blank('prm', ps);
  let prm: ProcessRewardModel | null = null;
  try {
    if (ps.provider === 'embedded') {
      const { EmbeddedRuntime } = await import('./models/embedded');
      if (!fs.existsSync(ps.model))
        throw new EngineError({
          code: 'model-load',
          message: `The model file ${ps.model} does not exist.`,
          server: ps.model,
          hint: 'Fix models.prm.model, or train the bundled tiny models.',
        });
      const runtime = await EmbeddedRuntime.shared();
      [, report.loadMs] = await timed(() => runtime.loadModel(ps.model));
      report.reachable = true;
      report.servedModels = [ps.model];
      report.device = runtime.device();
      prm = await createRewardModel(ps, runtime);
    } else {
      const http = await createHttpRewardModel(ps);
      prm = http;
      fill(report, await http.probe(signal));
    }
    const info = PRM_KIND_INFO[ps.kind];
    const before = report.capabilities;
    const lacking = info.reads !== null && before !== null && before[info.reads.capability] === false ? info.reads : null;
    if (lacking && before) {
      report.findings.push({
        level: lacking.without,
        missing: `${lacking.capability === 'pooling' ? 'a /pooling endpoint' : 'completion logprobs'}, which kind "${ps.kind}" reads: ${lacking.why} (${before.server}${before.version ? ` ${before.version}` : ''} has none)`,
        fix: fixFor(before.server, lacking.capability),
      });
    }
    // Known before asking where the kind cannot score without it: the round trip would only fail for the same reason.
    if (lacking?.without !== 'error') {
      const [, rtt] = await timed(() => prm!.scoreLast({ problem: ONE_TOKEN_PROBLEM, paths: [['1 + 1 = 2.']], signal }));
      report.roundTripMs = rtt;
    }
    const caps = report.capabilities;
    if (caps !== null) {
      report.notes = [...caps.degraded];
      if (info.caveat)
        report.findings.push({
          level: 'warning',
          missing: info.caveat.missing,
          fix: `${fixFor('openai-compatible', PRM_KIND_INFO[info.caveat.instead].reads?.capability ?? 'pooling')}, and set models.prm.kind to "${info.caveat.instead}"`,
        });
    }
  } catch (err) {
    report.error = toErrorInfo(err);
    report.reachable = report.reachable && report.error.code !== 'connection' && report.error.code !== 'timeout';
  } finally {
    await prm?.dispose().catch(() => undefined);
  }
  report.ok = report.error === null && report.findings.every((f) => f.level !== 'error');
  return report;
}

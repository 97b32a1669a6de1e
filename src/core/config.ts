// Validation of the one settings schema (settings.ts), with messages that name the place to edit.
import { EngineError } from './errors';
import { profileSettings, PROFILE_NAMES } from './profiles';
import { THRESHOLD_RULES } from './threshold';
import {
  ALGORITHMS,
  DEFAULT_MODEL,
  DEFAULT_PRM_KIND,
  DEFAULT_SEARCH,
  EMBEDDED_PRM_KINDS,
  METHODS,
  PRM_KIND_INFO,
  PRM_KINDS,
  PROMPT_TEMPLATES,
  PROVIDERS,
  SERVED_PRM_KINDS,
} from './settings';
import type { AnswerCalibration, Calibration, PlattMap, ModelSettings, PrmSettings, SearchSettings, Settings } from './settings';

export * from './settings';

/** Validation problems point at the place a person has to edit. */
class Checker {
  constructor(private readonly source: string) {}

  fail(key: string, value: unknown, allowed: string): never {
    throw new EngineError({
      code: 'config',
      message: `${this.source}: setting "${key}" has the value ${show(value)}, but ${allowed}.`,
      hint: `Edit "${key}" in ${this.source}.`,
      setting: { key, value: show(value), allowed },
    });
  }

  object(key: string, value: unknown): Record<string, unknown> {
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(key, value, 'it must be an object');
    return value as Record<string, unknown>;
  }

  oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(key, value, `it must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    }
    return value as T;
  }

  number(key: string, value: unknown, fallback: number, min: number, max: number, integer = false): number {
    if (value === undefined) return fallback;
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
    if (!ok || (integer && !Number.isInteger(value))) {
      this.fail(key, value, `it must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
    return value as number;
  }

  string(key: string, value: unknown, fallback: string | undefined, nonEmpty = true): string | undefined {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || (nonEmpty && value.length === 0)) this.fail(key, value, 'it must be a non-empty string');
    return value as string;
  }

  url(key: string, value: unknown, fallback: string | undefined): string | undefined {
    const s = this.string(key, value, fallback);
    if (s === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(s);
    } catch {
      return this.fail(key, s, 'it must be an http:// or https:// URL such as "http://127.0.0.1:8000/v1"');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') this.fail(key, s, 'it must be an http:// or https:// URL');
    if (parsed.username !== '' || parsed.password !== '') {
      // Never echo the credentials: they would end up in messages, traces and logs.
      parsed.username = '';
      parsed.password = '';
      this.fail(
        key,
        `${parsed.protocol}//***@${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`,
        'a URL must not carry a user name or password (they would be sent with every request and written to traces); put the API key in an environment variable and set apiKeyEnv to its name',
      );
    }
    if (parsed.search !== '' || parsed.hash !== '' || /[?#]/.test(s)) {
      // A token there would go to every endpoint and into every message; SpecSearch appends paths to the URL anyway.
      this.fail(
        key,
        `${parsed.origin}${parsed.pathname === '/' ? '' : parsed.pathname}${s.includes('?') ? '?***' : '#***'}`,
        "a URL must not carry a ?query or #fragment (an API key there would be sent to every endpoint and written to messages and traces); give the server's base URL alone, put the API key in an environment variable and set apiKeyEnv to its name",
      );
    }
    return s.replace(/\/+$/, '');
  }

  strings(key: string, value: unknown, fallback: string[]): string[] {
    if (value === undefined) return fallback;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) this.fail(key, value, 'it must be a list of non-empty strings');
    return value as string[];
  }

  unknownKeys(prefix: string, obj: Record<string, unknown>, known: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) this.fail(`${prefix}${key}`, obj[key], `there is no such setting (known: ${known.join(', ')})`);
    }
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  let s: string;
  try {
    // JSON writes 1e309 (Infinity once parsed) as null: show numbers as numbers.
    s = typeof value === 'number' ? String(value) : JSON.stringify(value);
  } catch {
    // Settings from an editor are not depth-checked like a file: a list or object nested thousands deep.
    return Array.isArray(value) ? 'a list nested too deeply to show' : 'an object nested too deeply to show';
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const MODEL_KEYS = ['provider', 'baseURL', 'model', 'apiKeyEnv', 'timeoutMs', 'maxConcurrency', 'promptTemplate', 'systemPrompt'] as const;
const PRM_KEYS = [...MODEL_KEYS, 'kind', 'stepTag', 'positiveToken', 'negativeToken', 'calibration', 'answerCalibration'] as const;

function parseModel(c: Checker, key: string, raw: unknown, base: ModelSettings | undefined): ModelSettings {
  const o = c.object(key, raw);
  c.unknownKeys(`${key}.`, o, key.endsWith('prm') ? PRM_KEYS : MODEL_KEYS);
  const provider = c.oneOf(`${key}.provider`, o.provider, PROVIDERS, base?.provider ?? DEFAULT_MODEL.provider);
  // Switching provider away from the profile's drops settings that only made sense for the old one.
  const inherit = base && base.provider === provider ? base : undefined;
  const model = c.string(`${key}.model`, o.model, inherit?.model);
  if (model === undefined)
    c.fail(`${key}.model`, undefined, provider === 'embedded' ? 'it must be the path of a GGUF file' : 'it must name the model the server serves');
  const baseURL = c.url(`${key}.baseURL`, o.baseURL, inherit?.baseURL);
  if (provider === 'openai-compatible' && baseURL === undefined) {
    c.fail(`${key}.baseURL`, undefined, 'an openai-compatible model needs the server URL, e.g. "http://127.0.0.1:8000/v1"');
  }
  const settings: ModelSettings = {
    provider,
    model: model as string,
    timeoutMs: c.number(`${key}.timeoutMs`, o.timeoutMs, inherit?.timeoutMs ?? DEFAULT_MODEL.timeoutMs, 100, 3_600_000, true),
    maxConcurrency: c.number(`${key}.maxConcurrency`, o.maxConcurrency, inherit?.maxConcurrency ?? DEFAULT_MODEL.maxConcurrency, 1, 256, true),
    // The prompt format belongs to the model: another model does not inherit the profile's. An in-process
    // model brings its own chat template (GGUF metadata); a server's is applied here by name.
    promptTemplate: c.oneOf(
      `${key}.promptTemplate`,
      o.promptTemplate,
      PROMPT_TEMPLATES,
      (model === inherit?.model ? inherit?.promptTemplate : undefined) ?? (provider === 'embedded' ? 'gguf' : DEFAULT_MODEL.promptTemplate),
    ),
  };
  if (settings.promptTemplate === 'gguf' && provider !== 'embedded') {
    c.fail(
      `${key}.promptTemplate`,
      'gguf',
      'the chat template of a GGUF file is read by in-process ("embedded") models; for a server name its template: "qwen2.5-math", "chatml", "llama3" or "raw"',
    );
  }
  if (baseURL !== undefined) settings.baseURL = baseURL;
  const apiKeyEnv = c.string(`${key}.apiKeyEnv`, o.apiKeyEnv, inherit?.apiKeyEnv);
  if (apiKeyEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv))
      c.fail(`${key}.apiKeyEnv`, apiKeyEnv, 'it must be the NAME of an environment variable (the key itself never goes in a settings file)');
    settings.apiKeyEnv = apiKeyEnv;
  }
  const systemPrompt = c.string(`${key}.systemPrompt`, o.systemPrompt, inherit?.systemPrompt, false);
  if (systemPrompt !== undefined) settings.systemPrompt = systemPrompt;
  return settings;
}

function parsePrm(c: Checker, raw: unknown, base: PrmSettings | undefined): PrmSettings {
  const o = c.object('models.prm', raw);
  const model = parseModel(c, 'models.prm', raw, base);
  const inherit = base && base.provider === model.provider ? base : undefined;
  // A kind runs on a server, in-process or both (its descriptor); one set where it cannot run is refused here,
  // named as the setting, rather than when the first solve builds the PRM.
  const where = model.provider === 'embedded' ? 'embedded' : 'server';
  const kind = c.oneOf('models.prm.kind', o.kind, PRM_KINDS, inherit?.kind ?? DEFAULT_PRM_KIND);
  if (!PRM_KIND_INFO[kind].runs[where]) {
    const fits = (where === 'embedded' ? EMBEDDED_PRM_KINDS : SERVED_PRM_KINDS).map((k) => `"${k}"`).join(', ');
    c.fail(
      'models.prm.kind',
      kind,
      where === 'embedded'
        ? `with models.prm.provider "embedded" it must be one of ${fits} ("${kind}" needs a model server: serve the PRM and set provider to "openai-compatible")`
        : `with models.prm.provider "${model.provider}" it must be one of ${fits} ("${kind}" runs in-process only: set provider to "embedded" with a GGUF file)`,
    );
  }
  const settings: PrmSettings = {
    ...model,
    kind,
    stepTag: c.string('models.prm.stepTag', o.stepTag, inherit?.stepTag ?? ' ки') as string,
    positiveToken: c.string('models.prm.positiveToken', o.positiveToken, inherit?.positiveToken ?? '+') as string,
    negativeToken: c.string('models.prm.negativeToken', o.negativeToken, inherit?.negativeToken ?? '-') as string,
  };
  // A calibration is fitted for one model read one way: another file or kind does not inherit it.
  const sameModel = inherit && inherit.model === model.model && inherit.kind === kind ? inherit : undefined;
  const calibration = parseCalibration(c, 'models.prm.calibration', o.calibration, sameModel?.calibration);
  if (calibration) settings.calibration = calibration;
  // The answer calibration is fitted on the scale the thought calibration gives: it goes with both.
  const sameScale = sameModel && o.calibration === undefined ? sameModel : undefined;
  const answerCalibration = parseAnswerCalibration(c, o.answerCalibration, sameScale?.answerCalibration);
  if (answerCalibration) settings.answerCalibration = answerCalibration;
  return settings;
}

function parseCalibration(c: Checker, key: string, raw: unknown, inherited: Calibration | undefined): Calibration | undefined {
  if (raw === undefined) return inherited;
  if (raw === null) return undefined;
  const o = c.object(key, raw);
  c.unknownKeys(`${key}.`, o, ['midpoint', 'slope']);
  if (o.midpoint === undefined || o.slope === undefined) {
    c.fail(key, raw, 'an object with both midpoint (0..1) and slope (> 0), or null for none');
  }
  return {
    midpoint: c.number(`${key}.midpoint`, o.midpoint, 0, 1e-12, 1),
    slope: c.number(`${key}.slope`, o.slope, 0, 0.01, 100),
  };
}

function parseAnswerCalibration(c: Checker, raw: unknown, inherited: AnswerCalibration | undefined): AnswerCalibration | undefined {
  const key = 'models.prm.answerCalibration';
  if (raw === undefined) return inherited;
  if (raw === null) return undefined;
  const base = parsePlatt(c, key, raw, ['outside']);
  const outside = (raw as Record<string, unknown>).outside;
  return outside === undefined || outside === null ? base : { ...base, outside: parsePlatt(c, `${key}.outside`, outside, []) };
}

function parsePlatt(c: Checker, key: string, raw: unknown, extra: string[]): PlattMap {
  const o = c.object(key, raw);
  c.unknownKeys(`${key}.`, o, ['intercept', 'slope', ...extra]);
  if (o.intercept === undefined || o.slope === undefined) c.fail(key, raw, 'an object with both intercept (−50..50) and slope (0..100), or null for none');
  return { intercept: c.number(`${key}.intercept`, o.intercept, 0, -50, 50), slope: c.number(`${key}.slope`, o.slope, 0, 0, 100) };
}

const SEARCH_KEYS = Object.keys(DEFAULT_SEARCH);

function parseSearch(c: Checker, raw: unknown, base: SearchSettings): SearchSettings {
  const o = c.object('search', raw);
  c.unknownKeys('search.', o, SEARCH_KEYS);
  const n = (key: keyof SearchSettings, min: number, max: number, integer = false) => c.number(`search.${key}`, o[key], base[key] as number, min, max, integer);
  const s: SearchSettings = {
    method: c.oneOf('search.method', o.method, METHODS, base.method),
    algorithm: c.oneOf('search.algorithm', o.algorithm, ALGORITHMS, base.algorithm),
    beamWidth: n('beamWidth', 1, 64, true),
    candidatesPerStep: n('candidatesPerStep', 1, 64, true),
    draftRatio: n('draftRatio', 1, 16),
    thresholdDecay: n('thresholdDecay', 0, 1),
    initialThresholdFactor: n('initialThresholdFactor', 0, 1),
    thresholdRule: c.oneOf('search.thresholdRule', o.thresholdRule, THRESHOLD_RULES, base.thresholdRule),
    rootLargeThoughts: n('rootLargeThoughts', 1, 64, true),
    temperature: n('temperature', 0, 2),
    maxDepth: n('maxDepth', 1, 1000, true),
    maxStepTokens: n('maxStepTokens', 1, 32768, true),
    stepSeparator: c.string('search.stepSeparator', o.stepSeparator, base.stepSeparator) as string,
    stopStrings: c.strings('search.stopStrings', o.stopStrings, base.stopStrings),
    mctsIterations: n('mctsIterations', 1, 10_000, true),
    mctsCBase: n('mctsCBase', 1, 1e9),
    mctsCInit: n('mctsCInit', 0, 100),
    seed: n('seed', 0, 2 ** 31 - 1, true),
    minConfidence: n('minConfidence', 0, 1),
  };
  if (s.beamWidth > s.candidatesPerStep * s.beamWidth) c.fail('search.beamWidth', s.beamWidth, 'it cannot exceed the number of children per step');
  return s;
}

/**
 * Validates raw settings (parsed JSON, VS Code configuration, LSP initializationOptions) on top of a
 * profile. `source` names where they came from, for messages: a file path or "VS Code settings".
 */
export function parseSettings(raw: unknown, source: string, fallbackProfile = 'tiny'): Settings {
  const c = new Checker(source);
  const o = c.object('(top level)', raw);
  c.unknownKeys('', o, ['$schema', 'profile', 'models', 'search']);
  const profile = c.oneOf('profile', o.profile, PROFILE_NAMES, fallbackProfile as (typeof PROFILE_NAMES)[number]);
  const base = profileSettings(profile);
  const models = c.object('models', o.models);
  c.unknownKeys('models.', models, ['small', 'large', 'prm']);
  const small = parseModel(c, 'models.small', models.small, base.models.small);
  const large = parseModel(c, 'models.large', models.large, base.models.large);
  const prm = parsePrm(c, models.prm, base.models.prm);
  // An answer calibration is fitted on the answers one pair of models writes: other models do not inherit it.
  const prmRaw = models.prm as Record<string, unknown> | undefined;
  const ownCalibration = typeof prmRaw === 'object' && prmRaw !== null && prmRaw.answerCalibration !== undefined;
  if (!ownCalibration && (small.model !== base.models.small.model || large.model !== base.models.large.model)) delete prm.answerCalibration;
  return { profile, models: { small, large, prm }, search: parseSearch(c, o.search, base.search) };
}

/** Applies per-request overrides (CLI flags, LSP params) through the same validation. */
export function withSearchOverrides(settings: Settings, overrides: Partial<SearchSettings>, source: string): Settings {
  const c = new Checker(source);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...settings, search: parseSearch(c, defined, settings.search) };
}

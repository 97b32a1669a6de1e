// Finds the model servers already running on this machine (vLLM, SGLang, llama-server, Ollama, LM Studio) at
// their usual ports and says what each is and serves (server-choice.ts turns a choice among them into settings).
import { DEFAULT_MODEL, PRM_KIND_INFO, SERVED_PRM_KINDS, type ModelSettings, type PrmKind } from './settings';
import { toErrorInfo } from './errors';
import { probeServer, type ServerCapabilities, type ServerKind } from './models/capabilities';
import { HttpClient } from './models/http-client';

/** The ports each engine listens on by default, and those docs/servers.md's recipes give the other servers. */
export const USUAL_PORTS: readonly { port: number; engine: string; path: '/v1' | '/api' }[] = [
  { port: 8000, engine: 'vLLM', path: '/v1' },
  // docs/servers.md's vLLM recipe: small 8001, PRM 8002, the large model without speculation 8003 (docs/bench.md).
  { port: 8001, engine: 'vLLM', path: '/v1' },
  { port: 8002, engine: 'vLLM', path: '/v1' },
  { port: 8003, engine: 'vLLM', path: '/v1' },
  { port: 30000, engine: 'SGLang', path: '/v1' },
  { port: 30001, engine: 'SGLang', path: '/v1' },
  { port: 8080, engine: 'llama.cpp llama-server', path: '/v1' },
  { port: 8081, engine: 'llama.cpp llama-server', path: '/v1' },
  { port: 8082, engine: 'llama.cpp llama-server', path: '/v1' },
  // The bundled tiny models on llama-server (docs/servers.md).
  { port: 8180, engine: 'llama.cpp llama-server', path: '/v1' },
  { port: 8181, engine: 'llama.cpp llama-server', path: '/v1' },
  { port: 8182, engine: 'llama.cpp llama-server', path: '/v1' },
  { port: 11434, engine: 'Ollama', path: '/api' },
  { port: 1234, engine: 'LM Studio', path: '/v1' },
];

export interface FoundServer {
  baseURL: string;
  kind: ServerKind;
  version: string | null;
  models: string[];
  /** Which PRM kinds this server can serve, from what it offers. */
  prmKinds: PrmKind[];
  /** null where the server does not say (vLLM with --disable-log-stats). */
  speculative: boolean | null;
}

export interface DiscoverResult {
  servers: FoundServer[];
  /** Ports probed and why nothing usable answered there (closed, not a model server…). */
  skipped: { baseURL: string; why: string }[];
  ms: number;
}

/**
 * Whether a server may serve a PRM kind, from what its probe showed of the capability the kind reads: /pooling
 * is known only once tried, and only vLLM has it; logprobs count unless the server showed it has none.
 */
function mayServe(kind: PrmKind, caps: ServerCapabilities): boolean {
  const reads = PRM_KIND_INFO[kind].reads;
  if (reads === null) return true;
  if (reads.capability === 'pooling') return caps.pooling === true || (caps.pooling === null && caps.server === 'vllm');
  return caps.logprobs !== false;
}

/** Each port's probe is bounded: a closed port fails at once, a silent one after `timeoutMs`. */
export async function discoverServers(
  options: { host?: string; ports?: (number | { port: number; path: '/v1' | '/api' })[]; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<DiscoverResult> {
  const started = performance.now();
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 1500;
  const signal = options.signal ?? new AbortController().signal;
  const targets = options.ports
    ? options.ports.map((p) =>
        typeof p === 'number' ? (USUAL_PORTS.find((u) => u.port === p) ?? { port: p, engine: 'server', path: '/v1' as const }) : { ...p, engine: 'server' },
      )
    : USUAL_PORTS;
  const results = await Promise.all(
    targets.map(async ({ port, path }) => {
      const baseURL = `http://${host}:${port}${path}`;
      const settings: ModelSettings = { ...DEFAULT_MODEL, provider: 'openai-compatible', baseURL, model: '', timeoutMs, promptTemplate: 'raw' };
      const client = new HttpClient(`server at ${baseURL}`, 'discover', settings);
      try {
        const caps = await probeServer(client, null, signal);
        if (caps.servedModels.length === 0) return { skipped: { baseURL, why: 'answers, but lists no models' } };
        const prmKinds = SERVED_PRM_KINDS.filter((k) => mayServe(k, caps));
        const found: FoundServer = {
          baseURL,
          kind: caps.server,
          version: caps.version,
          models: caps.servedModels,
          prmKinds,
          speculative: caps.speculative.enabled,
        };
        return { found };
      } catch (err) {
        const info = toErrorInfo(err);
        return {
          skipped: {
            baseURL,
            why:
              info.code === 'connection'
                ? 'nothing listens there'
                : info.code === 'timeout'
                  ? `no answer within ${timeoutMs} ms`
                  : info.message.replace(/^[^:]*: /, ''),
          },
        };
      }
    }),
  );
  return {
    servers: results.flatMap((r) => ('found' in r && r.found ? [r.found] : [])),
    skipped: results.flatMap((r) => ('skipped' in r && r.skipped ? [r.skipped] : [])),
    ms: Math.round(performance.now() - started),
  };
}

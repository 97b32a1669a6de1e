// `specsearch/doctor`: checks the configured models. INTEGRATION POINT: uses src/core/doctor.ts's
// runDoctor(settings, signal) when that module exists, and a minimal built-in check until then.
import * as fs from 'node:fs';
import type { ModelSettings, Settings } from '../core/config';
import type { DoctorCheck, DoctorReport } from '../protocol';

type RunDoctor = (settings: Settings, signal: AbortSignal) => Promise<unknown>;

/**
 * esbuild leaves a `require` inside try/catch that it cannot resolve as a runtime require (a warning,
 * not an error): the bundle builds today, and picks up src/core/doctor.ts on the first build after it
 * lands. Replace with a static import then.
 */
function engineDoctor(): RunDoctor | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../core/doctor') as { runDoctor?: RunDoctor };
    return typeof mod.runDoctor === 'function' ? mod.runDoctor : null;
  } catch {
    return null;
  }
}

export async function doctor(settings: Settings, signal: AbortSignal): Promise<DoctorReport> {
  const run = engineDoctor();
  if (run) return toReport(await run(settings, signal), settings);
  return builtInDoctor(settings, signal);
}

/** Accepts the engine's report whatever its exact field names, so both sides can evolve independently. */
function toReport(raw: unknown, settings: Settings): DoctorReport {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const list = Array.isArray(o.checks) ? o.checks : Array.isArray(raw) ? raw : [];
  const checks: DoctorCheck[] = list.map((c: Record<string, unknown>) => {
    const check: DoctorCheck = {
      name: String(c.name ?? c.role ?? c.label ?? 'check'),
      ok: c.ok === true || c.status === 'ok',
      message: String(c.message ?? c.detail ?? ''),
    };
    if (typeof c.hint === 'string') check.hint = c.hint;
    if (typeof c.ms === 'number') check.ms = c.ms;
    return check;
  });
  return { ok: typeof o.ok === 'boolean' ? o.ok : checks.every((c) => c.ok), profile: settings.profile, checks };
}

async function builtInDoctor(settings: Settings, signal: AbortSignal): Promise<DoctorReport> {
  const roles = ['small', 'large', 'prm'] as const;
  const checks = await Promise.all(roles.map((role) => checkModel(`${role} model`, settings.models[role], signal)));
  return { ok: checks.every((c) => c.ok), profile: settings.profile, checks };
}

async function checkModel(name: string, m: ModelSettings, signal: AbortSignal): Promise<DoctorCheck> {
  const started = Date.now();
  if (m.provider === 'embedded') {
    const exists = fs.existsSync(m.model);
    return exists
      ? { name, ok: true, message: `embedded: ${m.model} (${Math.round(fs.statSync(m.model).size / 1024)} KiB)`, ms: Date.now() - started }
      : { name, ok: false, message: `embedded: ${m.model} does not exist`, hint: 'The bundled tiny models may still be missing; or set the model path in the settings.' };
  }
  const url = `${m.baseURL}/models`;
  try {
    const headers: Record<string, string> = {};
    const key = m.apiKeyEnv ? process.env[m.apiKeyEnv] : undefined;
    if (key) headers.authorization = `Bearer ${key}`;
    const timeout = AbortSignal.timeout(Math.min(m.timeoutMs, 10_000));
    const response = await fetch(url, { headers, signal: AbortSignal.any([signal, timeout]) });
    if (!response.ok) return { name, ok: false, message: `${url} answered HTTP ${response.status}`, hint: m.apiKeyEnv && !key ? `Set the API key ${m.apiKeyEnv}.` : 'Check the server URL and key.', ms: Date.now() - started };
    const body = (await response.json()) as { data?: { id?: string }[] };
    const ids = (body.data ?? []).map((d) => d.id);
    const served = ids.includes(m.model);
    return {
      name,
      ok: served,
      message: served ? `${m.baseURL} serves ${m.model}` : `${m.baseURL} does not serve ${m.model} (it serves ${ids.join(', ') || 'nothing'})`,
      ms: Date.now() - started,
      ...(served ? {} : { hint: 'Set the model name to one the server lists.' }),
    };
  } catch (err) {
    return { name, ok: false, message: `${url}: ${(err as Error).message}`, hint: 'Is the server running and reachable from this machine?', ms: Date.now() - started };
  }
}

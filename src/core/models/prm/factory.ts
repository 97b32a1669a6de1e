// The one place a PRM kind becomes a class: profiles, the model factory, the embedded runtime's users and
// `doctor` all come here. Where each kind runs is its descriptor's (settings.ts PRM_KIND_INFO); this table has
// a builder for each place it names (test/unit/prm-factory.test.ts).
import { EMBEDDED_PRM_KINDS, SERVED_PRM_KINDS, type PrmKind, type PrmSettings } from '../../config';
import { EngineError } from '../../errors';
import type { EmbeddedRuntime } from '../embedded';
import type { ServerGates } from '../gate';
import type { ProcessRewardModel } from '../types';
import type { HttpPrm } from './http';

interface KindEntry {
  http?: (settings: PrmSettings, gates?: ServerGates) => Promise<HttpPrm>;
  embedded?: (settings: PrmSettings, runtime: EmbeddedRuntime) => Promise<ProcessRewardModel>;
}

export const KINDS: Record<PrmKind, KindEntry> = {
  'vllm-pooling': {
    http: async (s, g) => new (await import('./vllm-pooling')).VllmPoolingPrm(s, g),
  },
  logprob: {
    http: async (s, g) => new (await import('./logprob')).LogprobPrm(s, g),
    embedded: async (s, runtime) => new (await import('./logprob')).EmbeddedLogprobPrm(runtime, s, await runtime.loadModel(s.model)),
  },
  judge: {
    http: async (s, g) => new (await import('./judge')).JudgePrm(s, g),
  },
  likelihood: {
    embedded: async (s, runtime) => {
      const model = await runtime.loadModel(s.model);
      const prompt = await (await import('../embedded-prompt')).EmbeddedPrompt.create(model, s, 'models.prm');
      return new (await import('./likelihood')).LikelihoodRewardModel(runtime, s, model, prompt);
    },
  },
};

const where = (kinds: readonly PrmKind[]) => kinds.map((k) => `"${k}"`).join(', ');

/** A PRM served over HTTP (what `doctor` probes); throws a settings error for kinds that cannot be. */
export async function createHttpRewardModel(settings: PrmSettings, gates?: ServerGates): Promise<HttpPrm> {
  const make = KINDS[settings.kind].http;
  if (!make) {
    throw new EngineError({
      code: 'config',
      message: `models.prm.kind "${settings.kind}" needs an in-process model; ${settings.baseURL ?? 'the PRM'} is a server.`,
      hint: `On a server use ${where(SERVED_PRM_KINDS)}; or set models.prm.provider to "embedded".`,
    });
  }
  return make(settings, gates);
}

/** The PRM the settings describe, over HTTP or in-process, on the scale of its calibration where it has one. */
export async function createRewardModel(settings: PrmSettings, runtime?: EmbeddedRuntime, gates?: ServerGates): Promise<ProcessRewardModel> {
  const prm = await createUncalibrated(settings, runtime, gates);
  if (!settings.calibration) return prm;
  return new (await import('./calibrated')).CalibratedRewardModel(prm, settings.calibration);
}

async function createUncalibrated(settings: PrmSettings, runtime?: EmbeddedRuntime, gates?: ServerGates): Promise<ProcessRewardModel> {
  if (settings.provider !== 'embedded') return createHttpRewardModel(settings, gates);
  const make = KINDS[settings.kind].embedded;
  if (!make) {
    throw new EngineError({
      code: 'config',
      message: `models.prm.kind "${settings.kind}" cannot run embedded.`,
      hint: `Embedded PRMs use kind ${where(EMBEDDED_PRM_KINDS)}; or serve this PRM and set models.prm.provider to "openai-compatible".`,
    });
  }
  return make(settings, runtime ?? (await (await import('../embedded')).EmbeddedRuntime.shared()));
}

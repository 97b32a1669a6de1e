// Builds the model trio a Settings object describes, one backend per provider.
import type { ModelSettings, Settings } from '../config';
import { createRewardModel } from './prm/factory';
import { ServerGates } from './gate';
import type { LanguageModel, ModelTrio } from './types';

/** One language model; an embedded large model drafts with `draftWith` for token-level speculation when it is embedded too. */
export async function createLanguageModelFor(role: 'small' | 'large', settings: ModelSettings, draftWith?: ModelSettings, gates?: ServerGates): Promise<LanguageModel> {
  if (settings.provider === 'embedded') {
    const local = await (await import('./embedded')).EmbeddedRuntime.shared();
    return local.languageModel(role, settings, draftWith?.provider === 'embedded' ? draftWith : undefined);
  }
  return (await import('./openai-compatible')).createLanguageModel(role, settings, { gates });
}

export async function createModels(settings: Settings): Promise<ModelTrio> {
  const { small, large, prm } = settings.models;
  // Searches that share these models share each server's maxConcurrency, also where two roles use one server.
  const gates = new ServerGates([small, large, prm]);
  const smallModel = await createLanguageModelFor('small', small, undefined, gates);
  // The large model drafts with the small one for token-level speculation when both run in-process.
  const largeModel = await createLanguageModelFor('large', large, small, gates);
  const prmModel = await createRewardModel(prm, undefined, gates);
  const inProcess = [small, large, prm].some((m) => m.provider === 'embedded');
  const searches = inProcess ? (await (await import('./embedded')).EmbeddedRuntime.shared()).searches : undefined;
  return { small: smallModel, large: largeModel, prm: prmModel, ...(searches ? { searches } : {}) };
}

export async function disposeModels(models: ModelTrio): Promise<void> {
  await Promise.allSettled([models.small.dispose(), models.large.dispose(), models.prm.dispose()]);
}

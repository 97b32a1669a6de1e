// Builds the model trio a Settings object describes, one backend per provider.
import type { Settings } from '../config';
import { createRewardModel } from './prm/factory';
import type { ModelTrio } from './types';

export async function createModels(settings: Settings): Promise<ModelTrio> {
  const { small, large, prm } = settings.models;
  const embedded = small.provider === 'embedded' || large.provider === 'embedded' || prm.provider === 'embedded';
  const local = embedded ? await (await import('./embedded')).EmbeddedRuntime.shared() : null;
  const remote = small.provider !== 'embedded' || large.provider !== 'embedded'
    ? await import('./openai-compatible')
    : null;

  const smallModel = small.provider === 'embedded' ? await local!.languageModel('small', small) : remote!.createLanguageModel('small', small);
  // The large model drafts with the small one for token-level speculation when both run in-process.
  const largeModel = large.provider === 'embedded'
    ? await local!.languageModel('large', large, small.provider === 'embedded' ? small : undefined)
    : remote!.createLanguageModel('large', large);
  const prmModel = await createRewardModel(prm, local ?? undefined);
  return { small: smallModel, large: largeModel, prm: prmModel };
}

export async function disposeModels(models: ModelTrio): Promise<void> {
  await Promise.allSettled([models.small.dispose(), models.large.dispose(), models.prm.dispose()]);
}

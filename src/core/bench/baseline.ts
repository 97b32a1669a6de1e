// The `large` column must be the autoregressive baseline: a large model whose server speculates is not.
import { HttpLanguageModel } from '../models/http-model';
import type { LanguageModel } from '../models/types';

/**
 * Why `model` would not be an autoregressive baseline (its server does token-level speculation), or
 * null when it would be. In-process models never speculate for `large`: the engine drafts for them
 * only in method `sps`.
 */
export async function speculatingBaseline(model: LanguageModel, signal: AbortSignal): Promise<string | null> {
  if (!(model instanceof HttpLanguageModel)) return null;
  const caps = await model.probe(signal);
  if (!caps.speculative.enabled) return null;
  return `the ${model.label} speculates (${caps.speculative.evidence}), so the \`large\` column would measure its speculative decoding, not the large model decoding on its own, and every speed-up over it would be understated`;
}

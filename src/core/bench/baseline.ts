// The `large` column must be the autoregressive baseline: a large model whose server speculates is not.
import { HttpLanguageModel } from '../models/http-model';
import type { LanguageModel } from '../models/types';

/** Whether `model` decodes on its own: yes, no (its server speculates), or unknown (its server does not say). */
export type BaselineCheck = { autoregressive: true } | { autoregressive: false | null; why: string };

/**
 * In-process models never speculate for `large`: the engine drafts for them only in method `sps`. A server
 * that does not say whether it speculates (vLLM with --disable-log-stats) is unknown, never taken as plain.
 */
export async function checkBaseline(model: LanguageModel, signal: AbortSignal): Promise<BaselineCheck> {
  if (!(model instanceof HttpLanguageModel)) return { autoregressive: true };
  const { speculative } = await model.probe(signal);
  if (speculative.enabled === false) return { autoregressive: true };
  if (speculative.enabled === null) {
    return { autoregressive: null, why: `the ${model.label} does not say whether it speculates (${speculative.evidence}), so the \`large\` column might measure speculative decoding rather than the large model decoding on its own` };
  }
  return { autoregressive: false, why: `the ${model.label} speculates (${speculative.evidence}), so the \`large\` column would measure its speculative decoding, not the large model decoding on its own, and every speed-up over it would be understated` };
}

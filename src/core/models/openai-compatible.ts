// Models on OpenAI-compatible HTTP servers (vLLM, SGLang, llama.cpp server, LM Studio) and Ollama.
import type { ModelSettings, PrmSettings } from '../config';
import { EngineError } from '../errors';
import type { LanguageModel, ProcessRewardModel } from './types';

export function createLanguageModel(role: 'small' | 'large', settings: ModelSettings): LanguageModel {
  throw new EngineError({ code: 'config', message: `models.${role}: the openai-compatible provider is not available in this version yet.`, hint: 'Use the embedded provider (profile "tiny").' });
}

export function createRewardModel(settings: PrmSettings): ProcessRewardModel {
  throw new EngineError({ code: 'config', message: `models.prm: the openai-compatible provider is not available in this version yet (${settings.baseURL}).`, hint: 'Use the embedded provider (profile "tiny").' });
}

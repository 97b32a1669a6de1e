// A choice of small, large and PRM among the servers discover.ts found, turned into settings (what
// specsearch.config.json and the VS Code settings specsearch.models.* hold). Apart from discover.ts, which
// probes over HTTP, so that the extension can build settings without bundling the HTTP client.
import type { FoundServer } from './discover';
import { DEFAULT_MODEL, SERVED_PRM_KINDS, type PrmKind, type PromptTemplate } from './settings';

export interface Choice {
  baseURL: string;
  model: string;
}

/** The prompt format a served model's name says; the default (Qwen2.5-Math's ChatML) where it says none. */
function templateFor(model: string): { template: PromptTemplate; why: string | null } {
  if (/llama[-_ .]?3/i.test(model)) return { template: 'llama3', why: null };
  if (/qwen/i.test(model)) return { template: 'qwen2.5-math', why: null };
  return {
    template: DEFAULT_MODEL.promptTemplate,
    why: `"${model}" does not say its chat format, so it gets promptTemplate "${DEFAULT_MODEL.promptTemplate}" (Qwen2.5-Math's ChatML); set "chatml", "llama3" or "raw" if it is another`,
  };
}

/** What kind of PRM a served model is, from its name and its server, where the caller did not say. */
function prmKindFor(model: string, server: FoundServer['kind'] | undefined): { kind: PrmKind; why: string } {
  if (/shepherd/i.test(model)) return { kind: 'logprob', why: `"${model}" is a Math-Shepherd PRM: kind "logprob" reads its "+"/"-" after the step tag " ки"` };
  if (server === 'vllm' && /prm|reward/i.test(model))
    return { kind: 'vllm-pooling', why: `"${model}" is a PRM on vLLM: kind "vllm-pooling" reads its step scores from POST /pooling` };
  return {
    kind: 'logprob',
    why: `kind "logprob" for "${model}" (a step-tag PRM read from completion logprobs) is a guess from nothing: pass --prm-kind ${SERVED_PRM_KINDS.slice(0, -1).join(', ')} or ${SERVED_PRM_KINDS.at(-1)} to say what it is`,
  };
}

/**
 * The settings object (what specsearch.config.json holds, and the VS Code settings specsearch.models.*) for a
 * choice of servers, and a note for each default it chose that the choice did not settle: the prompt format from
 * the model's name (Ollama too: SpecSearch renders the template and sends it raw), the PRM's kind from its name
 * and server unless `prmKind` says it.
 */
export function configFor(
  choice: { small: Choice; large: Choice; prm: Choice; prmKind?: PrmKind },
  servers: readonly Pick<FoundServer, 'baseURL' | 'kind'>[],
): { config: { models: Record<'small' | 'large' | 'prm', Record<string, unknown>> }; notes: string[] } {
  const notes: string[] = [];
  const model = (role: string, c: Choice) => {
    const { template, why } = templateFor(c.model);
    if (why) notes.push(`models.${role}: ${why}.`);
    return { provider: 'openai-compatible', baseURL: c.baseURL, model: c.model, promptTemplate: template };
  };
  let kind = choice.prmKind;
  if (kind === undefined) {
    const guess = prmKindFor(choice.prm.model, servers.find((s) => s.baseURL === choice.prm.baseURL)?.kind);
    kind = guess.kind;
    notes.push(`models.prm: ${guess.why}.`);
  }
  return {
    config: { models: { small: model('small', choice.small), large: model('large', choice.large), prm: { ...model('prm', choice.prm), kind } } },
    notes,
  };
}

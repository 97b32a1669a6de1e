// Renders the prompt a completion server continues: the chat template is applied here, not by the server.
import type { PromptTemplate } from '../config';
import type { Mode } from './types';

/** Qwen2.5-Math-Instruct's own system prompt (its model card); other templates have none unless set. */
export const QWEN_MATH_SYSTEM_PROMPT = 'Please reason step by step, and put your final answer within \\boxed{}.';

const EXPLAIN_SUFFIX = '\n\nExplain each step so that a student can follow it.';

/** The user's turn: the problem, and in explain mode the request to explain each step. */
export function userText(problem: string, mode: Mode): string {
  return mode === 'explain' ? problem + EXPLAIN_SUFFIX : problem;
}

export interface PromptParts {
  template: PromptTemplate;
  systemPrompt?: string;
  problem: string;
  mode: Mode;
  /** The thoughts written so far; each is followed by the separator, so the model starts a new step. */
  steps: readonly string[];
  separator: string;
}

/**
 * SpecSearch continues a partial solution, so it needs a raw completion whose prefix is the assistant's
 * turn so far. Chat endpoints cannot do that (they close the assistant turn), hence /v1/completions with
 * the template rendered here. The BOS token is left to the server, which adds it when tokenizing.
 */
export function renderPrompt(p: PromptParts): string {
  const partial = p.steps.map((s) => s + p.separator).join('');
  const user = userText(p.problem, p.mode);
  switch (p.template) {
    case 'raw':
      return rawPrompt(p.problem, p.steps, p.separator);
    case 'qwen2.5-math':
      return chatml(p.systemPrompt ?? QWEN_MATH_SYSTEM_PROMPT, user) + partial;
    case 'chatml':
      return chatml(p.systemPrompt, user) + partial;
    case 'llama3':
      return llama3(p.systemPrompt, user) + partial;
    case 'gguf':
      // Settings refuse "gguf" for servers; in-process models render it with the file's template (embedded-prompt.ts).
      throw new Error('promptTemplate "gguf" is rendered by the in-process backend, from the GGUF file');
  }
}

function chatml(system: string | undefined, user: string): string {
  const sys = system ? `<|im_start|>system\n${system}<|im_end|>\n` : '';
  return `${sys}<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`;
}

function llama3(system: string | undefined, user: string): string {
  const turn = (role: string, text: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n${text}<|eot_id|>`;
  return (system ? turn('system', system) : '') + turn('user', user) + '<|start_header_id|>assistant<|end_header_id|>\n\n';
}

/** Stop strings that end the assistant's turn in each template, besides the step separator. */
export function templateStops(template: PromptTemplate): string[] {
  switch (template) {
    case 'qwen2.5-math':
    case 'chatml':
      return ['<|im_end|>', '<|endoftext|>'];
    case 'llama3':
      return ['<|eot_id|>'];
    case 'raw':
    case 'gguf':
      return [];
  }
}

/** Math-Shepherd's step tag (peiyi9979/math-shepherd-mistral-7b-prm); this tag selects that model's own input format. */
export const MATH_SHEPHERD_STEP_TAG = ' ки';

/**
 * The text a tag PRM (kind "logprob") reads, in the format the PRM was trained on; each tag is where a step's
 * score is read. The step tag picks the format: Math-Shepherd's " ки" gets {@link mathShepherdText}; any other
 * tag (the bundled tiny PRM's " @") gets problem + "\n\n" + each step followed by the tag, joined by "\n\n".
 */
export function prmTaggedText(problem: string, steps: readonly string[], stepTag: string): string {
  if (stepTag.trim() === MATH_SHEPHERD_STEP_TAG.trim()) return mathShepherdText(problem, steps);
  return problem + '\n\n' + steps.map((s) => s + stepTag).join('\n\n');
}

/**
 * Math-Shepherd's training format (its model card): question + " " + "Step 1: … ки\nStep 2: … ки". Steps are
 * numbered here; a step that already starts with "Step k:" is renumbered, not prefixed twice.
 */
export function mathShepherdText(problem: string, steps: readonly string[]): string {
  const numbered = steps.map((s, k) => `Step ${k + 1}: ${s.trim().replace(/^Step \d+:\s*/, '')}${MATH_SHEPHERD_STEP_TAG}`);
  return problem + ' ' + numbered.join('\n');
}

/** Qwen2.5-Math-PRM's input: a chat whose assistant turn is the steps, each closed by `<extra_0>`. */
export function qwenPrmText(problem: string, steps: readonly string[], systemPrompt?: string): string {
  const system = systemPrompt ?? QWEN_MATH_SYSTEM_PROMPT;
  return chatml(system, problem) + steps.map((s) => s + '<extra_0>').join('') + '<|im_end|>\n<|endoftext|>';
}

/** The prompt the tiny models were trained on: problem, then each step, each followed by the separator. */
export function rawPrompt(problem: string, steps: readonly string[], separator: string): string {
  return problem + separator + steps.map((s) => s + separator).join('');
}

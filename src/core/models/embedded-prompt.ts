// The prompt an in-process model continues, as tokens: the same prompt templates as over HTTP, plus
// "gguf", the chat template in the model file's own metadata (through node-llama-cpp's chat wrappers).
import type { ChatHistoryItem, LlamaModel, Token } from 'node-llama-cpp';
import type { ModelSettings } from '../config';
import { EngineError } from '../errors';
import { tokenizeWithBos } from './sequences';
import { rawPrompt, renderPrompt, userText } from './templates';
import type { Mode } from './types';

export interface PromptRequest {
  problem: string;
  mode: Mode;
  steps: readonly string[];
  separator: string;
}

type ContextStateOf = (history: ChatHistoryItem[]) => { contextText: { tokenize(tokenizer: LlamaModel['tokenizer']): Token[] } };

export class EmbeddedPrompt {
  private constructor(
    private readonly model: LlamaModel,
    private readonly settings: Pick<ModelSettings, 'promptTemplate' | 'systemPrompt'>,
    private readonly chat: ContextStateOf | null,
    /** Where the setting lives, for messages: "models.small". */
    readonly key: string,
  ) {}

  /**
   * For promptTemplate "gguf", reads the chat template from the file (tokenizer.chat_template) and lets
   * node-llama-cpp resolve it: a built-in wrapper where one renders it exactly, else its Jinja renderer.
   */
  static async create(model: LlamaModel, settings: Pick<ModelSettings, 'promptTemplate' | 'systemPrompt' | 'model'>, key: string): Promise<EmbeddedPrompt> {
    if (settings.promptTemplate !== 'gguf') return new EmbeddedPrompt(model, settings, null, key);
    const template = (model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } }).tokenizer?.chat_template;
    if (typeof template !== 'string' || template.trim() === '') {
      throw new EngineError({
        code: 'config',
        message: `${key}.promptTemplate is "gguf", but the model file ${settings.model} has no chat template in its metadata (tokenizer.chat_template).`,
        server: settings.model,
        setting: { key: `${key}.promptTemplate`, value: 'gguf', allowed: '"gguf" only for a GGUF file with a chat template; else "chatml", "qwen2.5-math", "llama3" or "raw"' },
        hint: `Set ${key}.promptTemplate to the model's format: "chatml", "qwen2.5-math", "llama3", or "raw" for a base model.`,
      });
    }
    const { resolveChatWrapper } = await import('node-llama-cpp');
    const wrapper = resolveChatWrapper(model, { type: 'auto', warningLogs: false });
    return new EmbeddedPrompt(model, settings, (history) => wrapper.generateContextState({ chatHistory: history }), key);
  }

  /** The prompt's tokens: BOS, the rendered chat up to the assistant's turn, then the steps so far. */
  tokens(p: PromptRequest): Token[] {
    if (this.settings.promptTemplate === 'raw') return tokenizeWithBos(this.model, rawPrompt(p.problem, p.steps, p.separator));
    const partial = p.steps.map((s) => s + p.separator).join('');
    return [...this.headTokens(p.problem, p.mode), ...this.model.tokenize(partial)];
  }

  /** The last head rendered: a search asks for the same problem's head on every draft and every scored path. */
  private head: { key: string; tokens: Token[] } | null = null;

  forget(): void {
    this.head = null;
  }

  /** BOS and the chat up to the assistant's turn, for a chat or named template (it does not depend on the steps). */
  private headTokens(problem: string, mode: PromptRequest['mode']): Token[] {
    const key = `${mode}\u0000${problem}`;
    if (this.head?.key === key) return this.head.tokens;
    const { promptTemplate: template, systemPrompt } = this.settings;
    let tokens: Token[];
    if (this.chat) {
      const history: ChatHistoryItem[] = [
        ...(systemPrompt ? [{ type: 'system' as const, text: systemPrompt }] : []),
        { type: 'user', text: userText(problem, mode) },
        { type: 'model', response: [] },
      ];
      // The template's markers are special tokens; the user's text is tokenized as text.
      tokens = this.chat(history).contextText.tokenize(this.model.tokenizer);
    } else {
      // A named template: its markers (<|im_start|>, …) are the model's special tokens.
      const text = renderPrompt({ template, systemPrompt, problem, mode, steps: [], separator: '' });
      const bos = this.model.tokens.bos;
      const first = bos !== null && this.model.tokens.shouldPrependBosToken ? [bos] : [];
      tokens = [...first, ...this.model.tokenize(text, true)];
    }
    this.head = { key, tokens };
    return tokens;
  }
}

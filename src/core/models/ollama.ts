// Models on Ollama's native /api/generate with raw: true (its OpenAI endpoint would apply a chat template).
import { badShape, preview } from './http-errors';
import { finishOf, HttpLanguageModel, type Batch, type CompletionCall } from './http-model';

/**
 * Ollama has no `n`: the probe marks it so, and HttpLanguageModel sends one request per draft (in
 * parallel, up to maxConcurrency; the server runs OLLAMA_NUM_PARALLEL of them at once).
 * Request and response shapes: https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-completion
 */
export class OllamaLanguageModel extends HttpLanguageModel {
  protected async complete(call: CompletionCall): Promise<Batch> {
    const { request } = call;
    const body = {
      model: this.settings.model,
      prompt: call.prompt,
      raw: true,
      stream: false,
      options: {
        num_predict: request.maxTokens,
        temperature: request.temperature,
        seed: call.seed,
        stop: [...call.stepStops, ...call.endStops],
      },
    };
    const what = 'drafting a thought (POST /api/generate)';
    const response = await this.client.post<Record<string, unknown>>('/generate', body, { what, signal: request.signal });
    if (typeof response?.response !== 'string') {
      throw badShape({ label: this.label, url: this.client.url('/generate'), what }, `no "response" text in ${preview(response)}`);
    }
    // done_reason is "stop" for both EOS and a stop string (which Ollama strips), "length" at num_predict.
    const reason = response.done_reason === 'length' ? 'length' : 'stop';
    const e = finishOf(response.response, reason, undefined, call, false);
    const tokens = typeof response.eval_count === 'number' ? response.eval_count : Math.ceil(e.text.length / 4);
    return { drafts: [{ text: e.text, finish: e.finish, tokens }], requests: 1, speculative: null };
  }
}

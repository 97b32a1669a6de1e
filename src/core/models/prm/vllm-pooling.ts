// PRM kind "vllm-pooling": a trained PRM (Qwen2.5-Math-PRM) on vLLM's pooling runner, over HTTP.
import { EngineError } from '../../errors';
import { fixFor, versionAtLeast } from '../capabilities';
import { badShape, preview } from '../http-errors';
import { qwenPrmText } from '../templates';
import { HttpPrm } from './http';

type Json = Record<string, unknown>;

/**
 * The `task` a /pooling request names for a PRM's per-step [p(wrong), p(right)] rows. vLLM 0.11.1 split the
 * old "encode" task into token_embed and token_classify and let /pooling take either (vllm PRs #25370, #25524);
 * since its pooling IO refactor (0.26) a request without a task may resolve to another than token_classify for
 * Qwen2ForProcessRewardModel. Older versions know no such task and pool their one way: nothing is sent there,
 * nor where the version is unknown.
 */
export function vllmPoolingTask(version: string | null): 'token_classify' | null {
  return versionAtLeast(version, [0, 11, 1]) === true ? 'token_classify' : null;
}

/**
 * Qwen2.5-Math-PRM-7B on vLLM's pooling runner: POST /pooling with the chat text, steps closed by
 * `<extra_0>`; each step gets [p(wrong), p(right)]. Some vLLM versions return one row per step tag, others
 * one row per token: then the tag positions come from POST /tokenize.
 */
export class VllmPoolingPrm extends HttpPrm {
  protected async scorePaths(problem: string, paths: readonly (readonly string[])[], signal: AbortSignal) {
    const caps = await this.probe(signal);
    const texts = paths.map((steps) => qwenPrmText(problem, steps, this.settings.systemPrompt));
    const url = `${this.client.origin}/pooling`;
    const what = `scoring ${paths.length} thought${paths.length === 1 ? '' : 's'} (POST /pooling)`;
    const task = caps.server === 'vllm' ? vllmPoolingTask(caps.version) : null;
    const body = { model: this.settings.model, input: texts.length === 1 ? texts[0] : texts, ...(task ? { task } : {}) };
    let response: Json;
    try {
      response = await this.gate.run(signal, () => this.client.post<Json>(url, body, { what, signal }));
    } catch (err) {
      if (err instanceof EngineError && err.code === 'http' && /HTTP (404|405)/.test(err.message)) {
        caps.pooling = false;
        throw new EngineError({ code: 'http', message: `${this.label}: the server has no /pooling endpoint (${url}).`, server: url, hint: `Serve the PRM with vLLM's pooling runner: ${fixFor('vllm', 'pooling')}; or set models.prm.kind to "logprob" or "judge".` }, { cause: err });
      }
      throw err;
    }
    caps.pooling = true;
    const data = response?.data;
    const ctx = { label: this.label, url, what };
    if (!Array.isArray(data) || data.length !== texts.length) throw badShape(ctx, `expected "data" with ${texts.length} item(s), got ${preview(response)}`);
    let requests = 1;
    const scores: number[] = [];
    const items = [...data].sort((a, b) => Number((a as Json | null)?.index ?? 0) - Number((b as Json | null)?.index ?? 0)) as (Json | null)[];
    for (let i = 0; i < texts.length; i++) {
      const item = items[i];
      let rows = toRows(item?.data);
      if (rows === null) {
        const width = widthOf(item?.data);
        if (width !== null) {
          // Hidden states (token_embed) instead of the two-label head: the server pooled with another task.
          throw new EngineError({
            code: 'bad-response',
            message: `${this.label}: ${url} answered rows of ${width} values, not [p(wrong), p(right)]: the server pooled${task ? '' : ' without a task, which resolved'} to another task than token_classify${caps.version ? ` (vLLM ${caps.version})` : ''}.`,
            server: url,
            hint: 'Start the PRM with --pooler-config.task token_classify (newer vLLM), or use the vLLM version docs/servers.md names.',
          });
        }
        throw badShape(ctx, `item ${i} has no [p(wrong), p(right)] rows of finite numbers: ${preview(item)}`);
      }
      const steps = paths[i].length;
      if (rows.length !== steps) {
        rows = await this.tagRows(texts[i], rows, signal, ctx);
        requests += 1;
      }
      scores.push(positive(rows[rows.length - 1]));
    }
    return { scores, requests };
  }

  /** Per-token rows: keep those at `<extra_0>` positions, found by tokenizing the same text. */
  private async tagRows(text: string, rows: number[][], signal: AbortSignal, ctx: { label: string; url: string; what: string }): Promise<number[][]> {
    const tokenize = (prompt: string, special: boolean) => this.client.post<Json>(`${this.client.origin}/tokenize`,
      { model: this.settings.model, prompt, add_special_tokens: special }, { what: 'finding step tags (POST /tokenize)', signal });
    const [all, tag] = await Promise.all([tokenize(text, true), tokenize('<extra_0>', false)]);
    const tokens = all?.tokens as number[] | undefined;
    const tagIds = tag?.tokens as number[] | undefined;
    if (!Array.isArray(tokens) || tokens.length !== rows.length || !Array.isArray(tagIds) || tagIds.length !== 1) {
      throw badShape(ctx, `${rows.length} rows do not match the ${tokens?.length ?? '?'} tokens of the text`);
    }
    const tagged = rows.filter((_, k) => tokens[k] === tagIds[0]);
    if (tagged.length === 0) throw badShape(ctx, `none of the ${rows.length} rows sits at a <extra_0> step tag`);
    return tagged;
  }
}

const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);

/** Two-label rows (one per step, or per token); null for anything else. */
function toRows(data: unknown): number[][] | null {
  if (!Array.isArray(data) || data.length === 0) return null;
  if (data.every(finite)) return data.length === 2 ? [data as number[]] : null;
  if (data.every((r) => Array.isArray(r) && r.length === 2 && r.every(finite))) return data as number[][];
  return null;
}

/** The width of rows of finite numbers wider than two labels (hidden states), else null. */
function widthOf(data: unknown): number | null {
  if (!Array.isArray(data) || data.length === 0) return null;
  const rows = data.every(finite) ? [data] : data;
  const width = Array.isArray(rows[0]) ? rows[0].length : 0;
  return width > 2 && rows.every((r) => Array.isArray(r) && r.length === width && r.every(finite)) ? width : null;
}

/** p(right) of a [wrong, right] row; logits (rows that are not probabilities) go through a softmax. */
function positive(row: number[]): number {
  const [a, b] = row;
  const isProb = a >= 0 && b >= 0 && Math.abs(a + b - 1) < 1e-3;
  if (isProb) return b;
  const m = Math.max(a, b);
  return Math.exp(b - m) / (Math.exp(a - m) + Math.exp(b - m));
}

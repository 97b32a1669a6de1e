// Real inference: a user's own chat GGUF in-process (promptTemplate "gguf"): the chat template is read from the
// file's metadata through node-llama-cpp, with the configured system prompt, explain mode and step separator.
// The model is the bundled small model with a chat template added (scripts/tiny/train/chat_template.py): the template
// renders the problem the way the model was trained, so a chat-rendered prompt must decode as the raw one does.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { LlamaModel } from 'node-llama-cpp';
import { parseSettings } from '../../src/core/config';
import { EngineError } from '../../src/core/errors';
import { EmbeddedRuntime } from '../../src/core/models/embedded';
import { EmbeddedPrompt } from '../../src/core/models/embedded-prompt';
import { createModels, disposeModels } from '../../src/core/models/factory';
import type { ModelTrio } from '../../src/core/models/types';
import { solve } from '../../src/core/solve';
import { generateProblems, solutionSteps } from '../../src/core/tiny/task';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CHAT = path.join(ROOT, 'test', 'fixtures', 'tiny', 'small-chat.gguf');
const SMALL = path.join(ROOT, 'models', 'tiny', 'small.gguf');
const VERIFIER = path.join(ROOT, 'models', 'tiny', 'verifier.gguf');
const signal = new AbortController().signal;
const opened: ModelTrio[] = [];
after(() => Promise.all(opened.map(disposeModels)));

/** The tiny profile with the small model's file (and template) replaced; `large` stays the bundled one. */
function settingsWith(small: Record<string, unknown>, search: Record<string, unknown> = {}) {
  return parseSettings({ models: { small: { provider: 'embedded', ...small } }, search: { method: 'small', temperature: 0, ...search } }, 'chat-template test');
}

async function load(file: string): Promise<LlamaModel> {
  return (await EmbeddedRuntime.shared()).loadModel(file);
}

const text = (model: LlamaModel, tokens: readonly number[]) => model.detokenize(tokens as never, true);

test('promptTemplate "gguf" renders the file\'s chat template: system prompt, problem (explain: with the request), then the steps', async () => {
  const model = await load(CHAT);
  const problem = 'Start with 7. Add 5. What is the result?';
  const plain = await EmbeddedPrompt.create(model, { promptTemplate: 'gguf', model: CHAT }, 'models.small');
  assert.equal(text(model, plain.tokens({ problem, mode: 'solve', steps: ['7 + 5 = 12'], separator: '\n\n' })), `<s>${problem}\n\n7 + 5 = 12\n\n`);
  const system = await EmbeddedPrompt.create(model, { promptTemplate: 'gguf', systemPrompt: 'Be exact.', model: CHAT }, 'models.small');
  assert.equal(
    text(model, system.tokens({ problem, mode: 'explain', steps: [], separator: '\n' })),
    `<s>Be exact.\n\n${problem}\n\nExplain each step so that a student can follow it.\n\n`,
  );
  // A named template over the same model: its markers are rendered by the engine, as for servers.
  const chatml = await EmbeddedPrompt.create(model, { promptTemplate: 'chatml', systemPrompt: 'S', model: CHAT }, 'models.small');
  assert.equal(
    text(model, chatml.tokens({ problem, mode: 'solve', steps: ['a'], separator: '\n\n' })),
    `<s><|im_start|>system\nS<|im_end|>\n<|im_start|>user\n${problem}<|im_end|>\n<|im_start|>assistant\na\n\n`,
  );
});

test("a solve in-process with the chat GGUF gives the raw model's answers (its template renders the trained format)", async () => {
  const chat = settingsWith({ model: CHAT });
  assert.equal(chat.models.small.promptTemplate, 'gguf', "an embedded model without a promptTemplate uses its file's chat template");
  const raw = settingsWith({ model: SMALL, promptTemplate: 'raw' });
  const [a, b] = await Promise.all([createModels(chat), createModels(raw)]);
  opened.push(a, b);
  for (const p of generateProblems(11, 4)) {
    const [x, y] = await Promise.all([
      solve({ problem: p.problem, settings: chat, models: a, signal }),
      solve({ problem: p.problem, settings: raw, models: b, signal }),
    ]);
    assert.equal(x.error, null, x.error?.message);
    assert.notEqual(x.answer, null);
    assert.equal(x.answer, y.answer, p.problem);
    assert.deepEqual(
      x.events.filter((e) => e.type === 'thought.drafted').map((e) => (e as { text: string }).text),
      y.events.filter((e) => e.type === 'thought.drafted').map((e) => (e as { text: string }).text),
    );
  }
});

test('"gguf" on a file without a chat template is a settings error naming the setting; on a server it is refused', async () => {
  const settings = settingsWith({ model: SMALL, promptTemplate: 'gguf' });
  await assert.rejects(createModels(settings), (err: EngineError) => {
    assert.equal(err.code, 'config');
    assert.match(err.message, /models\.small\.promptTemplate is "gguf", but the model file .*small\.gguf has no chat template in its metadata/);
    assert.equal(err.setting?.key, 'models.small.promptTemplate');
    assert.match(err.hint ?? '', /"chatml", "qwen2\.5-math", "llama3", or "raw"/);
    return true;
  });
  assert.throws(
    () =>
      parseSettings({ models: { large: { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:8000/v1', model: 'm', promptTemplate: 'gguf' } } }, 'test'),
    /models\.large\.promptTemplate.*read by in-process \("embedded"\) models/,
  );
});

test("the likelihood verifier reads the path with the search's step separator", async () => {
  const settings = parseSettings({ models: { prm: { model: VERIFIER } } }, 'test');
  const models = await createModels(settings);
  opened.push(models);
  const p = generateProblems(12, 1)[0];
  const right = solutionSteps(p);
  const score = async (separator: string) => (await models.prm.scoreLast({ problem: p.problem, paths: [right], separator, signal })).scores[0];
  const trained = await score('\n\n');
  const other = await score(' | ');
  assert.ok(trained > 0.5, `the right path with the trained separator: ${trained}`);
  assert.ok(other < trained / 2, `the same path joined by another separator reads as another text: ${other} vs ${trained}`);
});

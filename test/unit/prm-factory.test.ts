// Each PRM kind's descriptor (settings.ts PRM_KIND_INFO) and the factory that builds it agree on where it runs.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { EMBEDDED_PRM_KINDS, parseSettings, PRM_KIND_INFO, PRM_KINDS, SERVED_PRM_KINDS } from '../../src/core/config';
import { createHttpRewardModel, KINDS } from '../../src/core/models/prm/factory';

test('the factory has a server builder exactly for the kinds the descriptor says a server serves, and an in-process one for the embedded', () => {
  for (const kind of PRM_KINDS) {
    assert.equal(Boolean(KINDS[kind].http), PRM_KIND_INFO[kind].runs.server, `${kind}: server`);
    assert.equal(Boolean(KINDS[kind].embedded), PRM_KIND_INFO[kind].runs.embedded, `${kind}: embedded`);
  }
  assert.deepEqual(SERVED_PRM_KINDS, ['vllm-pooling', 'logprob', 'judge']);
  assert.deepEqual(EMBEDDED_PRM_KINDS, ['logprob', 'likelihood']);
});

test('a kind set where it cannot run is a settings error naming the kinds that can', () => {
  const server = { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'm' };
  assert.throws(
    () => parseSettings({ models: { prm: { ...server, kind: 'likelihood' } } }, 'test'),
    (err: Error & { code?: string; setting?: { key: string } }) => {
      assert.equal(err.code, 'config');
      assert.equal(err.setting?.key, 'models.prm.kind');
      assert.match(
        err.message,
        /with models\.prm\.provider "openai-compatible" it must be one of "vllm-pooling", "logprob", "judge" \("likelihood" runs in-process only/,
      );
      return true;
    },
  );
  assert.throws(() => parseSettings({ models: { prm: { provider: 'embedded', model: 'x.gguf', kind: 'judge' } } }, 'test'), /"judge" needs a model server/);
  // The tiny profile's PRM is embedded ("likelihood"): an embedded PRM keeps its kind; one on a server starts from the paper's.
  assert.equal(parseSettings({ models: { prm: { provider: 'embedded', model: 'x.gguf' } } }, 'test').models.prm.kind, 'likelihood');
  assert.equal(parseSettings({ models: { prm: server } }, 'test').models.prm.kind, 'vllm-pooling');
});

test('the factory refuses the same where settings come from elsewhere than parseSettings', async () => {
  const parsed = parseSettings({ models: { prm: { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'm' } } }, 'test').models.prm;
  await assert.rejects(createHttpRewardModel({ ...parsed, kind: 'likelihood' }), (err: Error & { code?: string; hint?: string }) => {
    assert.equal(err.code, 'config');
    assert.match(err.message, /models\.prm\.kind "likelihood" needs an in-process model/);
    assert.equal(err.hint, 'On a server use "vllm-pooling", "logprob", "judge"; or set models.prm.provider to "embedded".');
    return true;
  });
});

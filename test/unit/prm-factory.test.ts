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

test('a kind no server can serve, set on a server, is a settings error naming the kinds that can', async () => {
  const settings = parseSettings(
    { models: { prm: { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'm', kind: 'likelihood' } } },
    'test',
  );
  await assert.rejects(createHttpRewardModel(settings.models.prm), (err: Error & { code?: string; hint?: string }) => {
    assert.equal(err.code, 'config');
    assert.match(err.message, /models\.prm\.kind "likelihood" needs an in-process model/);
    assert.equal(err.hint, 'On a server use "vllm-pooling", "logprob", "judge"; or set models.prm.provider to "embedded".');
    return true;
  });
});

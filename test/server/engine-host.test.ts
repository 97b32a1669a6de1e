// The server's engine host and solve handler with scripted models: lazy models, reload on change, cancel.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { CancellationTokenSource, ResponseError, type Connection } from 'vscode-languageserver/node';
import type { SearchEvent } from '../../src/core/events';
import type { LanguageModel, ModelTrio } from '../../src/core/models/types';
import { EngineHost } from '../../src/server/engine-host';
import { SolveHandler } from '../../src/server/solve-handler';
import { ErrorCodes, type EventParams } from '../../src/protocol';
import { countingModel, countingPrm, trio } from '../unit/doubles';

function factory() {
  const created: ModelTrio[] = [];
  const disposed: ModelTrio[] = [];
  const create = async () => {
    const models = trio(countingModel('small', 3, 0.3, created.length + 1), countingModel('large', 3, 0, 7), countingPrm());
    const dispose = models.small.dispose.bind(models.small);
    models.small.dispose = async () => {
      disposed.push(models);
      await dispose();
    };
    created.push(models);
    return models;
  };
  return { created, disposed, create };
}

describe('EngineHost', () => {
  test('models are created on the first acquire, not before, and reused', async () => {
    const f = factory();
    const host = new EngineHost(() => undefined, f.create);
    assert.equal(host.configure({ profile: 'tiny', config: {} }, 'test'), null);
    assert.equal(f.created.length, 0);
    const a = await host.acquire();
    const b = await host.acquire();
    assert.equal(a.models, b.models);
    assert.equal(f.created.length, 1);
    a.release();
    b.release();
  });

  test('search-only changes keep the models; model changes dispose them once no search uses them', async () => {
    const f = factory();
    const host = new EngineHost(() => undefined, f.create);
    host.configure({ config: {} }, 'test');
    const first = await host.acquire();
    host.configure({ config: { search: { beamWidth: 3 } } }, 'test');
    assert.equal(host.current()?.search.beamWidth, 3);
    const same = await host.acquire();
    assert.equal(same.models, first.models, 'a search setting does not reload models');
    same.release();
    host.configure({ config: { models: { small: { timeoutMs: 5000 } } } }, 'test');
    assert.equal(f.disposed.length, 0, 'still in use by a running search');
    first.release();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(f.disposed, [first.models]);
    const next = await host.acquire();
    assert.notEqual(next.models, first.models);
    assert.equal(f.created.length, 2);
    next.release();
  });

  test('invalid settings are reported and the previous ones stay in use', () => {
    const host = new EngineHost(() => undefined, factory().create);
    host.configure({ config: { search: { beamWidth: 4 } } }, 'test');
    const error = host.configure({ config: { search: { temperature: 'hot' } } }, 'workspace/didChangeConfiguration');
    assert.match(error?.message ?? '', /workspace\/didChangeConfiguration: setting "search\.temperature" has the value "hot"/);
    assert.equal(host.current()?.search.beamWidth, 4);
    assert.throws(() => host.settingsOrThrow(), /search\.temperature/);
    assert.equal(host.configure({ config: {} }, 'test'), null, 'fixing the settings clears the error');
  });
});

function fakeConnection() {
  const notifications: EventParams[] = [];
  const connection = {
    sendNotification: async (_type: unknown, params: EventParams) => {
      notifications.push(params);
    },
    window: {
      attachWorkDoneProgress: () => ({ begin() {}, report() {}, done() {} }),
      createWorkDoneProgress: async () => ({ begin() {}, report() {}, done() {}, token: new CancellationTokenSource().token }),
    },
  } as unknown as Connection;
  return { connection, notifications };
}

const hooks = { onResult: () => undefined, serverProgress: () => false, log: () => undefined };

describe('SolveHandler', () => {
  test('every event is notified, in order, and the result is the same trace', async () => {
    const { connection, notifications } = fakeConnection();
    const host = new EngineHost(() => undefined, factory().create);
    const handler = new SolveHandler(connection, host, hooks);
    const result = await handler.handle({ problem: 'count to three', mode: 'solve', searchId: 'x1' }, new CancellationTokenSource().token);
    assert.equal(result.error, null);
    assert.equal(result.answer, '3');
    assert.deepEqual(notifications.map((n) => n.event), result.events);
    assert.ok(notifications.every((n) => n.searchId === 'x1'));
  });

  test('a model that ignores the abort still gets the request answered within a second, with the partial trace', async () => {
    const { connection, notifications } = fakeConnection();
    const stuck: LanguageModel = { label: 'stuck', capabilities: { speculative: false, batchedDrafts: true }, draft: () => new Promise(() => undefined), dispose: async () => undefined };
    const host = new EngineHost(() => undefined, async () => trio(stuck, stuck, countingPrm()));
    const handler = new SolveHandler(connection, host, hooks);
    const source = new CancellationTokenSource();
    const pending = handler.handle({ problem: 'count to three', mode: 'solve', method: 'small', searchId: 'stuck' }, source.token);
    while (!notifications.some((n) => n.event.type === 'step.started')) await new Promise((r) => setTimeout(r, 5));
    const cancelledAt = Date.now();
    source.cancel();
    const result = await pending;
    assert.ok(Date.now() - cancelledAt < 1000);
    assert.equal(result.error?.code, 'cancelled');
    const types = result.events.map((e: SearchEvent) => e.type);
    assert.deepEqual([types[0], types.at(-1)], ['search.started', 'search.failed']);
    assert.deepEqual(handler.runningIds(), []);
  });

  test('invalid settings fail the request with the config error code and the setting named', async () => {
    const { connection } = fakeConnection();
    const host = new EngineHost(() => undefined, factory().create);
    host.configure({ config: { search: { maxDepth: 0 } } }, 'initializationOptions.config');
    const handler = new SolveHandler(connection, host, hooks);
    await assert.rejects(handler.handle({ problem: 'count', mode: 'solve' }, new CancellationTokenSource().token), (err: unknown) => {
      assert.ok(err instanceof ResponseError);
      assert.equal(err.code, ErrorCodes.config);
      assert.match(err.message, /search\.maxDepth/);
      return true;
    });
  });

  test('cancel by search id stops that search only', async () => {
    const { connection } = fakeConnection();
    const slow = async () => trio(countingModel('small', 3, 0, 1, 30), countingModel('large', 3, 0, 2, 30), countingPrm());
    const handler = new SolveHandler(connection, new EngineHost(() => undefined, slow), hooks);
    const a = handler.handle({ problem: 'a', mode: 'solve', searchId: 'a' }, new CancellationTokenSource().token);
    const b = handler.handle({ problem: 'b', mode: 'solve', searchId: 'b' }, new CancellationTokenSource().token);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(handler.cancel('b'), ['b']);
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.error, null);
    assert.equal(rb.error?.code, 'cancelled');
  });
});

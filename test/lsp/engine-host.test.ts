// The server's engine host and solve handler with scripted models: lazy models, reload on change, cancel.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { CancellationTokenSource, ResponseError, type Connection } from 'vscode-languageserver/node';
import type { SearchEvent } from '../../src/core/events';
import { EngineError } from '../../src/core/errors';
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
    assert.deepEqual(error?.setting, { key: 'search.temperature', value: '"hot"', allowed: 'it must be a number from 0 to 2' });
    assert.equal(host.current()?.search.beamWidth, 4);
    assert.equal(host.settingsOrThrow().search.beamWidth, 4, 'solving goes on with the last valid settings');
    assert.match(host.error()?.message ?? '', /search\.temperature/, 'while the problem stays reported');
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
    assert.deepEqual(
      notifications.map((n) => n.event),
      result.events,
    );
    assert.ok(notifications.every((n) => n.searchId === 'x1'));
  });

  test('a model that ignores the abort still gets the request answered within a second, with the partial trace', async () => {
    const { connection, notifications } = fakeConnection();
    const stuck: LanguageModel = {
      label: 'stuck',
      capabilities: { speculative: false, batchedDrafts: true },
      draft: () => new Promise(() => undefined),
      dispose: async () => undefined,
    };
    const host = new EngineHost(
      () => undefined,
      async () => trio(stuck, stuck, countingPrm()),
    );
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

  test("models that never finish loading: a cancel answers within a second with the engine's own events, and the id is free again", async () => {
    const { connection, notifications } = fakeConnection();
    const host = new EngineHost(
      () => undefined,
      () => new Promise<ModelTrio>(() => undefined),
    );
    const handler = new SolveHandler(connection, host, hooks);
    const source = new CancellationTokenSource();
    const pending = handler.handle({ problem: 'count to three', mode: 'solve', searchId: 'load' }, source.token);
    while (!notifications.some((n) => n.event.type === 'search.started')) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    const cancelledAt = Date.now();
    source.cancel();
    const result = await pending;
    assert.ok(Date.now() - cancelledAt < 1000, `answered in ${Date.now() - cancelledAt} ms`);
    assert.equal(result.error?.code, 'cancelled');
    assert.deepEqual(
      result.events.map((e) => e.type),
      ['search.started', 'search.failed'],
    );
    assert.deepEqual(handler.runningIds(), [], 'the search id can be used again');
  });

  test('a client that never answers window/workDoneProgress/create does not hold up the solve', async () => {
    const { connection } = fakeConnection();
    (connection.window as unknown as { createWorkDoneProgress: () => Promise<never> }).createWorkDoneProgress = () => new Promise<never>(() => undefined);
    const logs: string[] = [];
    const handler = new SolveHandler(connection, new EngineHost(() => undefined, factory().create), {
      ...hooks,
      serverProgress: () => true,
      log: (m: string) => logs.push(m),
    });
    const result = await handler.handle({ problem: 'count to three', mode: 'solve' }, new CancellationTokenSource().token);
    assert.equal(result.answer, '3');
    assert.ok(
      logs.some((m) => /did not answer window\/workDoneProgress\/create/.test(m)),
      logs.join('\n'),
    );
  });

  test('a failing call ends the search: its siblings are aborted and nothing is notified after search.failed', async () => {
    const { connection, notifications } = fakeConnection();
    let calls = 0;
    // The root's call (0) finishes first; at depth 2 three beams draft at once and call 2 fails.
    const aborted: boolean[] = [];
    const flaky: LanguageModel = {
      label: 'flaky',
      capabilities: { speculative: false, batchedDrafts: true },
      draft: (req) => {
        const k = calls++;
        if (k === 2) return Promise.reject(new EngineError({ code: 'bad-response', message: 'flaky: unexpected answer' }));
        return new Promise((resolve) =>
          setTimeout(() => {
            if (k > 0) aborted.push(req.signal.aborted);
            resolve({
              drafts: Array.from({ length: req.n }, (_, i) => ({ text: `${req.steps.length + 1}${'.'.repeat(i)}`, tokens: 1, finish: 'stop' as const })),
              ms: 1,
              requests: 1,
              speculative: null,
            });
          }, 60),
        );
      },
      dispose: async () => undefined,
    };
    const host = new EngineHost(
      () => undefined,
      async () => trio(flaky, flaky, countingPrm()),
    );
    host.configure({ config: { search: { beamWidth: 3, candidatesPerStep: 3 } } }, 'test');
    const handler = new SolveHandler(connection, host, hooks);
    const result = await handler.handle({ problem: 'count to three', mode: 'solve', method: 'small', searchId: 'flaky' }, new CancellationTokenSource().token);
    assert.equal(result.error?.code, 'bad-response');
    await new Promise((r) => setTimeout(r, 200));
    const types = notifications.map((n) => n.event.type);
    assert.equal(types.at(-1), 'search.failed', `the last notification is the terminal event: ${types.join(', ')}`);
    assert.equal(types.filter((t) => t === 'search.failed' || t === 'search.finished').length, 1);
    assert.ok(aborted.length > 0 && aborted.every(Boolean), `siblings saw the abort: ${aborted.join(', ')}`);
  });

  test('an oversize problem is refused before models load and not echoed back', async () => {
    const { connection, notifications } = fakeConnection();
    const f = factory();
    const handler = new SolveHandler(connection, new EngineHost(() => undefined, f.create), hooks);
    const problem = 'Start with 1. Add 1. '.repeat(250_000);
    const result = await handler.handle({ problem, mode: 'solve' }, new CancellationTokenSource().token);
    assert.equal(result.error?.code, 'usage');
    assert.equal(f.created.length, 0, 'no models loaded');
    const sent = JSON.stringify(notifications).length + JSON.stringify(result).length;
    assert.ok(sent < 10_000, `${sent} characters sent back for a ${problem.length}-character problem`);
  });
});

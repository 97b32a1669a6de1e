import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SEARCH, parseSettings, withSearchOverrides } from '../../src/core/config';
import { loadConfig } from '../../src/core/config-file';
import { EngineError } from '../../src/core/errors';

function configError(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof EngineError, `expected an EngineError, got ${err}`);
    assert.equal(err.code, 'config');
    return err;
  }
  assert.fail('expected a configuration error');
}

test('defaults: the tiny profile with the paper settings (N = 6, B = 2, θ = 0.9, β₀ factor 0.9) and its own γ = 1.5; γ = 2 elsewhere', () => {
  const s = parseSettings({}, 'test');
  assert.equal(s.profile, 'tiny');
  assert.equal(s.models.large.provider, 'embedded');
  assert.match(s.models.large.model, /models[\\/]tiny[\\/]large\.gguf$/);
  assert.equal(s.models.prm.kind, 'likelihood');
  assert.match(s.models.prm.model, /models[\\/]tiny[\\/]verifier\.gguf$/);
  assert.deepEqual(
    [
      s.search.candidatesPerStep,
      s.search.beamWidth,
      s.search.draftRatio,
      s.search.thresholdDecay,
      s.search.initialThresholdFactor,
      s.search.method,
      s.search.algorithm,
      s.search.stepSeparator,
    ],
    [6, 2, 1.5, 0.9, 0.9, 'specsearch', 'beam', '\n\n'],
  );
  assert.equal(DEFAULT_SEARCH.draftRatio, 2);
});

test('an invalid provider names the file, the key, the value and what is allowed', () => {
  const err = configError(() => parseSettings({ models: { large: { provider: 'openai', model: 'x' } } }, '/tmp/specsearch.config.json'));
  assert.match(err.message, /\/tmp\/specsearch\.config\.json/);
  assert.match(err.message, /models\.large\.provider/);
  assert.match(err.message, /"openai"/);
  assert.match(err.message, /"openai-compatible", "embedded"/);
});

test('numbers out of range, unknown keys, bad URLs and API keys in the file are refused with the key named', () => {
  assert.match(configError(() => parseSettings({ search: { beamWidth: 0 } }, 'f')).message, /search\.beamWidth.*integer from 1/);
  assert.match(configError(() => parseSettings({ search: { thresholdDecay: 1.5 } }, 'f')).message, /search\.thresholdDecay.*from 0 to 1/);
  assert.match(configError(() => parseSettings({ search: { beamwidth: 2 } }, 'f')).message, /search\.beamwidth.*no such setting/);
  assert.match(
    configError(() => parseSettings({ models: { small: { provider: 'openai-compatible', model: 'm', baseURL: 'localhost:8000' } } }, 'f')).message,
    /models\.small\.baseURL/,
  );
  assert.match(configError(() => parseSettings({ models: { small: { provider: 'openai-compatible', model: 'm' } } }, 'f')).message, /needs the server URL/);
  assert.match(configError(() => parseSettings({ models: { small: { apiKeyEnv: 'sk-abc123-secret' } } }, 'f')).message, /NAME of an environment variable/);
  assert.match(
    configError(() => parseSettings({ models: { prm: { kind: 'pooling' } } }, 'f')).message,
    /models\.prm\.kind.*"vllm-pooling", "logprob", "judge", "likelihood"/,
  );
});

test('a server trio replaces the profile models; overrides go through the same validation', () => {
  const s = parseSettings(
    {
      models: {
        small: { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:8001/v1/', model: 'Qwen2.5-Math-1.5B-Instruct' },
        large: { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:8000/v1', model: 'Qwen2.5-Math-7B-Instruct', apiKeyEnv: 'VLLM_KEY' },
        prm: { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:8002', model: 'Qwen2.5-Math-PRM-7B', kind: 'vllm-pooling' },
      },
    },
    'f',
  );
  assert.equal(s.models.small.baseURL, 'http://127.0.0.1:8001/v1', 'trailing slash dropped');
  assert.equal(s.models.small.promptTemplate, 'qwen2.5-math');
  assert.equal(s.models.prm.stepTag, ' ки');
  const o = withSearchOverrides(s, { method: 'sps', algorithm: undefined }, 'flags');
  assert.equal(o.search.method, 'sps');
  assert.equal(o.search.algorithm, 'beam');
  assert.throws(() => withSearchOverrides(s, { beamWidth: -1 }, 'flags'), /flags: setting "search\.beamWidth"/);
});

test('config files: a missing --config file and invalid JSON are clear errors; embedded paths resolve from the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-config-'));
  assert.match(configError(() => loadConfig({ configPath: 'nope.json', cwd: dir })).message, /nope\.json does not exist/);
  fs.writeFileSync(path.join(dir, 'bad.json'), '{"search": {"beamWidth": 2,}}');
  assert.match(configError(() => loadConfig({ configPath: 'bad.json', cwd: dir })).message, /bad\.json is not valid JSON/);
  fs.writeFileSync(path.join(dir, 'specsearch.config.json'), JSON.stringify({ models: { small: { provider: 'embedded', model: 'm/small.gguf' } } }));
  const loaded = loadConfig({ cwd: dir });
  assert.equal(loaded.file, path.join(dir, 'specsearch.config.json'));
  assert.equal(loaded.settings.models.small.model, path.join(dir, 'm', 'small.gguf'));
});

test('config files: a byte-order mark is fine, over-deep nesting is refused clearly, values are shown as numbers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-cfg-'));
  fs.writeFileSync(path.join(dir, 'bom.json'), '\uFEFF' + JSON.stringify({ search: { beamWidth: 3 } }));
  assert.equal(loadConfig({ configPath: 'bom.json', cwd: dir }).settings.search.beamWidth, 3);
  fs.writeFileSync(path.join(dir, 'deep.json'), '['.repeat(100_000) + ']'.repeat(100_000));
  assert.throws(
    () => loadConfig({ configPath: 'deep.json', cwd: dir }),
    (err: unknown) => err instanceof EngineError && err.code === 'config' && /deeper than 32 levels/.test(err.message),
  );
  fs.writeFileSync(path.join(dir, 'inf.json'), '{"search": {"temperature": 1e309}}');
  assert.throws(() => loadConfig({ configPath: 'inf.json', cwd: dir }), /"search\.temperature" has the value Infinity/);
});

test('an empty stop string is refused: every thought would be empty', () => {
  assert.throws(() => parseSettings({ search: { stopStrings: [''] } }, 'test'), /search\.stopStrings.*non-empty strings/);
  assert.deepEqual(parseSettings({ search: { stopStrings: ['END'] } }, 'test').search.stopStrings, ['END']);
});

test('credentials in a server URL are refused, and the message never shows them', () => {
  const err = configError(() =>
    parseSettings({ models: { large: { provider: 'openai-compatible', model: 'm', baseURL: 'http://alice:hunter2@127.0.0.1:8000/v1' } } }, 'f'),
  );
  assert.match(err.message, /models\.large\.baseURL.*user name or password/);
  assert.match(err.message, /\*\*\*@127\.0\.0\.1:8000\/v1/);
  assert.ok(!/hunter2|alice/.test(`${err.message} ${err.hint}`), err.message);
  assert.match(err.message, /apiKeyEnv/);
});

test('a config file found in the working directory cannot send an environment variable to a server; --config or the opt-in can', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-keys-'));
  const config = { models: { large: { provider: 'openai-compatible', model: 'm', baseURL: 'http://203.0.113.9/v1', apiKeyEnv: 'MY_CLOUD_TOKEN' } } };
  fs.writeFileSync(path.join(dir, 'specsearch.config.json'), JSON.stringify(config));
  const err = configError(() => loadConfig({ cwd: dir, trustFoundConfig: false }));
  assert.match(err.message, /found in the working directory and sets models\.large\.apiKeyEnv = "MY_CLOUD_TOKEN"/);
  assert.match(err.hint ?? '', /--config .*specsearch\.config\.json.*SPECSEARCH_TRUST_CONFIG=1/);
  assert.equal(loadConfig({ cwd: dir, configPath: 'specsearch.config.json' }).settings.models.large.apiKeyEnv, 'MY_CLOUD_TOKEN');
  assert.equal(loadConfig({ cwd: dir, trustFoundConfig: true }).settings.models.large.apiKeyEnv, 'MY_CLOUD_TOKEN');
  // Without apiKeyEnv a found file is used as before.
  fs.writeFileSync(path.join(dir, 'specsearch.config.json'), JSON.stringify({ search: { beamWidth: 3 } }));
  assert.equal(loadConfig({ cwd: dir, trustFoundConfig: false }).settings.search.beamWidth, 3);
});

test('models.prm.calibration: the profile verifier has one; another model file or kind does not inherit it; null removes it; bad values are refused by key', () => {
  const tiny = parseSettings({}, 'test');
  assert.ok(tiny.models.prm.calibration && tiny.models.prm.calibration.midpoint > 0 && tiny.models.prm.calibration.slope > 0);
  // The same file with another setting changed keeps the profile's calibration.
  assert.deepEqual(parseSettings({ models: { prm: { maxConcurrency: 2 } } }, 'test').models.prm.calibration, tiny.models.prm.calibration);
  assert.equal(parseSettings({ models: { prm: { model: '/models/mine.gguf' } } }, 'test').models.prm.calibration, undefined);
  assert.equal(parseSettings({ models: { prm: { kind: 'logprob' } } }, 'test').models.prm.calibration, undefined);
  assert.equal(parseSettings({ models: { prm: { calibration: null } } }, 'test').models.prm.calibration, undefined);
  assert.deepEqual(
    parseSettings({ models: { prm: { model: '/models/mine.gguf', calibration: { midpoint: 0.02, slope: 2 } } } }, 'test').models.prm.calibration,
    { midpoint: 0.02, slope: 2 },
  );
  assert.match(
    configError(() => parseSettings({ models: { prm: { calibration: { midpoint: 0, slope: 2 } } } }, 'f.json')).message,
    /models\.prm\.calibration\.midpoint/,
  );
  assert.match(
    configError(() => parseSettings({ models: { prm: { calibration: { midpoint: 0.1 } } } }, 'f.json')).message,
    /models\.prm\.calibration".*both midpoint/,
  );
  assert.match(
    configError(() => parseSettings({ models: { prm: { calibration: { midpoint: 0.1, slope: 1, bias: 3 } } } }, 'f.json')).message,
    /models\.prm\.calibration\.bias/,
  );
});

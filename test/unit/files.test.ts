// Files and streams a person names are read with bounds: a FIFO, a device or a huge file is a named error, promptly.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, MAX_CONFIG_BYTES } from '../../src/core/config-file';
import { loadDataset } from '../../src/core/bench/dataset';
import { EngineError } from '../../src/core/errors';
import { CLI } from './run-cli';

const posix = process.platform !== 'win32';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-files-'));
}

function fifo(dir: string): string {
  const file = path.join(dir, 'pipe');
  assert.equal(spawnSync('mkfifo', [file]).status, 0, 'mkfifo');
  return file;
}

/** Runs `read`, which must throw an EngineError of `code` whose message matches `words`, within 5 s. */
function refused(read: () => unknown, code: string, words: RegExp): void {
  const started = performance.now();
  assert.throws(read, (err: unknown) => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, words);
    assert.ok(err.hint, 'a hint');
    return true;
  });
  assert.ok(performance.now() - started < 5000, 'promptly');
}

test(
  'a config file that is a FIFO, /dev/zero, a found specsearch.config.json linked to a device, or over 1 MiB: a configuration error naming the file',
  { skip: !posix && 'POSIX files' },
  () => {
    const dir = tmp();
    const pipe = fifo(dir);
    refused(() => loadConfig({ configPath: pipe }), 'config', new RegExp(`the config file ${pipe}: it is a FIFO \\(named pipe\\), not a regular file`));
    refused(() => loadConfig({ configPath: '/dev/zero' }), 'config', /\/dev\/zero: it is a device, not a regular file/);
    fs.symlinkSync('/dev/zero', path.join(dir, 'specsearch.config.json'));
    refused(() => loadConfig({ cwd: dir }), 'config', /specsearch\.config\.json: it is a device/);
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, `{"x": "${'a'.repeat(MAX_CONFIG_BYTES)}"}`);
    refused(() => loadConfig({ configPath: big }), 'config', /big\.json: it is larger than 1 MiB/);
    refused(() => loadConfig({ configPath: dir }), 'config', /it is a directory/);
  },
);

test('bench --dataset that is a FIFO or a device: a usage error naming it, promptly', { skip: !posix && 'POSIX files' }, () => {
  const dir = tmp();
  const pipe = fifo(dir);
  refused(() => loadDataset(pipe), 'usage', /the dataset .*pipe: it is a FIFO/);
  refused(() => loadDataset('/dev/zero'), 'usage', /the dataset \/dev\/zero: it is a device/);
  const link = path.join(dir, 'd.jsonl');
  fs.symlinkSync('/dev/urandom', link);
  refused(() => loadDataset(link), 'usage', /d\.jsonl: it is a device/);
});

test(
  'specsearch solve stops reading an endless stdin past the problem limit: exit 2, promptly, small',
  { skip: (!posix && 'POSIX files') || (!fs.existsSync(CLI) && 'dist/cli.js not built') },
  async () => {
    const zero = fs.openSync('/dev/zero', 'r');
    const started = performance.now();
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'solve'], { stdio: [zero, 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
    fs.closeSync(zero);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /stdin holds more than 80000 bytes, more than a problem of at most 20000 characters can take; SpecSearch stopped reading it/);
    assert.ok(performance.now() - started < 5000, `${Math.round(performance.now() - started)} ms`);
  },
);

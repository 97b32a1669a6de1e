// Ctrl-C in the CLI: heard from the executable's first line, remembered until the command's work starts,
// then the first aborts the work, the second says what is still being done, the third quits (exit 130).
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { listenEarly, takeEarlySignals } from '../../src/cli/early-signals';
import { abortOnSignals, INTERRUPTED_EXIT, listenForInterrupts } from '../../src/cli/signals';

test('early signals are counted until taken, and taking them removes the listener', () => {
  assert.equal(takeEarlySignals(), 0, 'nothing to take without the launcher');
  listenEarly();
  const before = process.listenerCount('SIGINT');
  process.emit('SIGINT');
  process.emit('SIGTERM');
  assert.equal(takeEarlySignals(), 2);
  assert.equal(process.listenerCount('SIGINT'), before - 1);
  assert.equal(takeEarlySignals(), 0);
});

test('a Ctrl-C while the CLI loads aborts the work as it starts; the second says what is going on; the third quits with 130', () => {
  const exits: (number | undefined)[] = [];
  const said: string[] = [];
  const exit = process.exit;
  const write = process.stderr.write;
  process.exit = ((code?: number) => void exits.push(code)) as typeof process.exit;
  process.stderr.write = ((s: string) => (said.push(s), true)) as typeof process.stderr.write;
  try {
    listenEarly();
    process.emit('SIGINT'); // before the CLI's code has loaded
    listenForInterrupts(); // main.ts, as an interruptible command starts
    process.emit('SIGINT'); // while it reads its settings
    const controller = new AbortController();
    const release = abortOnSignals(controller);
    assert.equal(controller.signal.aborted, true, 'aborted as soon as the work starts');
    assert.deepEqual(exits, []);

    process.emit('SIGINT'); // the third signal in all: the work is still stopping
    assert.deepEqual(exits, [INTERRUPTED_EXIT]);
    release();
    process.emit('SIGINT'); // after the command is done: quit at once
    assert.deepEqual(exits, [INTERRUPTED_EXIT, INTERRUPTED_EXIT]);
    assert.equal(said.length, 0, 'no "still stopping" line where the signal came before the work');
  } finally {
    process.exit = exit;
    process.stderr.write = write;
  }
});

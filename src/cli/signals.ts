import { takeEarlySignals } from './early-signals';

// Ctrl-C and SIGTERM abort the command's work instead of killing the process, so that a solve ends with
// its `search.failed` event and a bench writes what it has. The listeners go in as the command starts
// (main.ts), before it reads its settings or loads a model, and stay for the life of the process:
// node-llama-cpp pulls in `signal-exit`, which re-raises a signal when it sees no other listener left, and a
// Ctrl-C would then kill the process mid-write.
//
//   before the command's work starts   remembered (from the executable's first line: early-signals.ts): the work is aborted as it starts
//   while it runs                      the first aborts it; the second says what is still being done; the
//                                      third quits at once (exit 130), for a stop that hangs
//   after it is done                   quits at once (exit 130)
let state: 'idle' | 'starting' | 'running' | 'done' = 'idle';
let current: AbortController | null = null;
let pending = false;
let received = 0;

/** SIGINT's conventional exit status (128 + 2). */
export const INTERRUPTED_EXIT = 130;

function onSignal(): void {
  received++;
  if (state === 'starting') {
    pending = true;
    return;
  }
  if (state !== 'running' || current === null || received >= 3) return void process.exit(INTERRUPTED_EXIT);
  if (received === 2) process.stderr.write('Still stopping: what was done is being written. Press Ctrl-C once more to quit without it.\n');
  current.abort();
}

/** Listens for SIGINT and SIGTERM from now on; a signal before `abortOnSignals` aborts its controller at once. */
export function listenForInterrupts(): void {
  if (state !== 'idle') return;
  state = 'starting';
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  received += takeEarlySignals();
  if (received > 0) pending = true;
}

/** Ctrl-C and SIGTERM abort `controller` until the returned function is called (the command is done). */
export function abortOnSignals(controller: AbortController): () => void {
  listenForInterrupts();
  state = 'running';
  current = controller;
  if (pending) controller.abort();
  return () => {
    if (current !== controller) return;
    current = null;
    state = 'done';
  };
}

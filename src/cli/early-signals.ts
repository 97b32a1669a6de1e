// Ctrl-C heard before the CLI's code has loaded. Node takes about 60 ms to start and the CLI's bundle about as
// long again to load; a signal in that time would end the process with nothing said. The `specsearch`
// executable (launch.ts) listens from its first line; signals.ts (or main.ts, for commands that do not stop
// gracefully) takes over what it heard. The two are separate bundles: they meet on a global symbol.
const KEY = Symbol.for('specsearch.earlySignals');

interface Early {
  received: number;
  listener: () => void;
}

type WithEarly = typeof globalThis & { [KEY]?: Early };

export function listenEarly(): void {
  const early: Early = { received: 0, listener: () => void early.received++ };
  (globalThis as WithEarly)[KEY] = early;
  process.on('SIGINT', early.listener);
  process.on('SIGTERM', early.listener);
}

/** Stops the early listening; how many signals it heard (0 when the CLI was loaded without the launcher). */
export function takeEarlySignals(): number {
  const early = (globalThis as WithEarly)[KEY];
  if (!early) return 0;
  process.off('SIGINT', early.listener);
  process.off('SIGTERM', early.listener);
  delete (globalThis as WithEarly)[KEY];
  return early.received;
}

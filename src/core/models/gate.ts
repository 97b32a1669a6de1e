// How many requests a server gets at once: a gate per server, shared by the roles and searches that use it.

/** A small gate so one model never has more than `maxConcurrency` requests in flight. */
export class Gate {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.queue.indexOf(go);
          if (i >= 0) this.queue.splice(i, 1);
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        };
        this.queue.push(go);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * One gate per server for a set of models: the roles that name the same baseURL, and every search that
 * uses these models at once, share that server's maxConcurrency (the smallest any of those roles sets).
 */
export class ServerGates {
  private readonly gates = new Map<string, Gate>();

  constructor(models: readonly { provider: string; baseURL?: string; maxConcurrency: number }[]) {
    const limits = new Map<string, number>();
    for (const m of models) {
      if (m.provider === 'embedded' || !m.baseURL) continue;
      const key = ServerGates.key(m.baseURL);
      limits.set(key, Math.min(limits.get(key) ?? Infinity, m.maxConcurrency));
    }
    for (const [key, limit] of limits) this.gates.set(key, new Gate(limit));
  }

  private static key(baseURL: string): string {
    return baseURL.replace(/\/+$/, '');
  }

  /** The server's gate; a model the set was not built with gets one of its own. */
  for(settings: { baseURL?: string; maxConcurrency: number }): Gate {
    return (settings.baseURL && this.gates.get(ServerGates.key(settings.baseURL))) || new Gate(settings.maxConcurrency);
  }
}

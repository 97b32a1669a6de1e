// API keys in SecretStorage, stored under their apiKeyEnv name, handed to the server as environment variables.
import type * as vscode from 'vscode';

const PREFIX = 'specsearch.apiKey.';
/** SecretStorage cannot list its keys: the names stored are remembered (names are not secret). */
const NAMES = 'specsearch.apiKeyNames';

export class Secrets {
  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  names(): string[] {
    return this.state.get<string[]>(NAMES, []);
  }

  async set(name: string, key: string): Promise<void> {
    await this.storage.store(PREFIX + name, key);
    if (!this.names().includes(name)) await this.state.update(NAMES, [...this.names(), name].sort());
  }

  async delete(name: string): Promise<void> {
    await this.storage.delete(PREFIX + name);
    await this.state.update(
      NAMES,
      this.names().filter((n) => n !== name),
    );
  }

  /** { NAME: key } for every stored key: the server process's extra environment. */
  async environment(): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const name of this.names()) {
      const key = await this.storage.get(PREFIX + name);
      if (key) env[name] = key;
    }
    return env;
  }
}

export function isEnvName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

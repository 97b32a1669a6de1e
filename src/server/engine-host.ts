// Holds the server's settings and its models: created lazily on the first solve, reused, replaced when
// the model settings change (the old trio is disposed once the searches still using it have finished).
import { parseSettings, type Settings } from '../core/config';
import { EngineError, toErrorInfo, type ErrorInfo } from '../core/errors';
import { createModels, disposeModels } from '../core/models/factory';
import type { ModelTrio } from '../core/models/types';

interface Generation {
  key: string;
  models: Promise<ModelTrio> | null;
  users: number;
  stale: boolean;
}

export interface Lease {
  models: ModelTrio;
  settings: Settings;
  release(): void;
}

export type CreateModels = (settings: Settings) => Promise<ModelTrio>;

export class EngineHost {
  private settings: Settings | null = null;
  private configError: ErrorInfo | null = null;
  private generation: Generation | null = null;

  constructor(
    private readonly log: (message: string) => void,
    private readonly create: CreateModels = createModels,
  ) {}

  /**
   * Validates raw settings (initializationOptions or didChangeConfiguration) with the engine's schema.
   * On failure the previous valid settings stay in use and the error is returned for the client.
   */
  configure(raw: { profile?: unknown; config?: unknown }, source: string): ErrorInfo | null {
    try {
      const config = raw.config === undefined || raw.config === null ? {} : raw.config;
      const merged =
        raw.profile !== undefined && typeof config === 'object' && !Array.isArray(config) ? { ...(config as object), profile: raw.profile } : config;
      const next = parseSettings(merged, source);
      const key = JSON.stringify(next.models);
      if (this.generation && this.generation.key !== key) this.retire(this.generation);
      if (!this.generation || this.generation.stale) this.generation = { key, models: null, users: 0, stale: false };
      this.settings = next;
      this.configError = null;
    } catch (err) {
      this.configError = toErrorInfo(err);
    }
    return this.configError;
  }

  current(): Settings | null {
    return this.settings;
  }

  error(): ErrorInfo | null {
    return this.configError;
  }

  /**
   * Settings for a new search: the last valid ones, also while a later change is invalid (that error is
   * reported, and solving goes on). Throws the configuration error only when no valid settings were ever given.
   */
  settingsOrThrow(): Settings {
    if (this.configError && !this.settings) throw new EngineError(this.configError);
    if (!this.settings) this.configure({}, 'the default settings');
    if (!this.settings) throw new EngineError(this.configError ?? { code: 'config', message: 'No settings.' });
    return this.settings;
  }

  /** The models for one search; call release() when it ends. */
  async acquire(): Promise<Lease> {
    const settings = this.settingsOrThrow();
    const generation = this.generation!;
    if (!generation.models) {
      this.log(`Loading models (profile ${settings.profile})…`);
      const started = Date.now();
      generation.models = this.create(settings);
      generation.models.then(
        () => this.log(`Models ready in ${Date.now() - started} ms.`),
        (err) => {
          this.log(`Models failed to load: ${toErrorInfo(err).message}`);
          // A later solve tries again (the user may have fixed the path or started the server).
          if (this.generation === generation) generation.models = null;
        },
      );
    }
    generation.users++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      generation.users--;
      if (generation.stale && generation.users === 0) void this.disposeGeneration(generation);
    };
    try {
      return { models: await generation.models, settings, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  private retire(generation: Generation): void {
    generation.stale = true;
    this.log('Model settings changed: the models will be reloaded on the next solve.');
    if (generation.users === 0) void this.disposeGeneration(generation);
  }

  private async disposeGeneration(generation: Generation): Promise<void> {
    const models = generation.models;
    generation.models = null;
    if (!models) return;
    try {
      await disposeModels(await models);
    } catch {
      // Models that never loaded have nothing to dispose.
    }
  }

  async dispose(): Promise<void> {
    if (this.generation) {
      this.generation.stale = true;
      await this.disposeGeneration(this.generation);
    }
  }
}

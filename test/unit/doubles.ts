// Scripted LanguageModel / ProcessRewardModel doubles for unit tests: deterministic, seeded, observable.
import type { Settings } from '../../src/core/config';
import { parseSettings } from '../../src/core/config';
import { mulberry32 } from '../../src/core/tiny/task';
import type { Draft, DraftRequest, DraftResult, LanguageModel, ModelTrio, ProcessRewardModel, ScoreRequest, ScoreResult } from '../../src/core/models/types';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      },
      { once: true },
    );
  });
}

export type Script = (request: DraftRequest, call: number) => (string | Draft)[];

export class ScriptedModel implements LanguageModel {
  readonly calls: DraftRequest[] = [];
  readonly capabilities = { speculative: true, batchedDrafts: true };
  constructor(
    readonly label: string,
    private readonly script: Script,
    private readonly delayMs = 0,
  ) {}

  async draft(request: DraftRequest): Promise<DraftResult> {
    const call = this.calls.length;
    this.calls.push(request);
    if (this.delayMs > 0) await sleep(this.delayMs, request.signal);
    const drafts = this.script(request, call).map((d) => (typeof d === 'string' ? toDraft(d) : d));
    return { drafts, ms: this.delayMs, requests: 1, speculative: request.speculative ? { drafted: 4, accepted: 3 } : null };
  }

  async dispose(): Promise<void> {}
}

function toDraft(text: string): Draft {
  return { text, tokens: text.length, finish: /answer is/i.test(text) ? 'eos' : 'stop' };
}

export class ScriptedPrm implements ProcessRewardModel {
  readonly label = 'scripted PRM';
  readonly scored: string[][] = [];
  constructor(private readonly scoreOf: (steps: readonly string[]) => number) {}

  async scoreLast(request: ScoreRequest): Promise<ScoreResult> {
    if (request.signal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    request.paths.forEach((p) => this.scored.push([...p]));
    return { scores: request.paths.map((p) => this.scoreOf(p)), ms: 0, requests: 1 };
  }

  async scoreSteps(_problem: string, steps: readonly string[]): Promise<number[]> {
    return steps.map((_, i) => this.scoreOf(steps.slice(0, i + 1)));
  }

  async dispose(): Promise<void> {}
}

/**
 * A counting task: the right thought at depth d is "d", after `length` steps "The answer is <length>."
 * Wrong thoughts are "x<d>". The PRM gives right thoughts `good` and wrong ones `bad`.
 */
export function countingStep(steps: readonly string[], length: number): string {
  const d = steps.length + 1;
  return d > length ? `The answer is ${length}.` : String(d);
}

export function isRightPath(steps: readonly string[]): boolean {
  return steps.every((s, i) => s === String(i + 1) || /^The answer is \d+\.$/.test(s));
}

/** A small model that gets `wrongEvery`-th draft wrong (0: never), seeded. */
export function countingModel(label: string, length: number, wrongRate: number, seed: number, delayMs = 0): ScriptedModel {
  const rng = mulberry32(seed);
  return new ScriptedModel(
    label,
    (req) => Array.from({ length: req.n }, () => (rng() < wrongRate ? `x${req.steps.length + 1}` : countingStep(req.steps, length))),
    delayMs,
  );
}

export function countingPrm(good = 0.9, bad = 0.1): ScriptedPrm {
  return new ScriptedPrm((steps) => (isRightPath(steps) ? good : bad));
}

export function trio(small: LanguageModel, large: LanguageModel, prm: ProcessRewardModel): ModelTrio {
  return { small, large, prm };
}

/**
 * Settings for tests: the tiny profile's shape with search overrides and the engine's default γ = 2 (the
 * tiny profile drafts 1.5·N); no model is ever loaded from them.
 */
export function testSettings(search: Partial<Settings['search']> = {}): Settings {
  return parseSettings({ search: { temperature: 0.7, maxDepth: 10, draftRatio: 2, ...search } }, 'test settings');
}

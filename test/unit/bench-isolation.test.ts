// Cold benches: every method's solve of a problem starts from the same cache state, so the order the
// methods run in changes no ratio.
import test from 'node:test';
import assert from 'node:assert/strict';
import { runBench, type BenchRecord } from '../../src/core/bench/run';
import type { DraftRequest, DraftResult, LanguageModel, ProcessRewardModel, ScoreRequest, ScoreResult } from '../../src/core/models/types';
import type { Method } from '../../src/core/config';
import { countingStep, isRightPath, testSettings } from './doubles';

/** Work done by the doubles, in units: a prompt or path seen before costs 1, a new one 10 (a cache hit against a prefill). */
class Work {
  units = 0;
}

/** A model whose output depends on the request alone, and whose cost on whether it has seen the prompt before. */
class CachingModel implements LanguageModel {
  readonly capabilities = { speculative: true, batchedDrafts: true };
  private readonly seen = new Set<string>();
  constructor(
    readonly label: string,
    private readonly work: Work,
    private readonly wrong: (req: DraftRequest, i: number) => boolean,
  ) {}

  async draft(req: DraftRequest): Promise<DraftResult> {
    const key = [req.problem, ...req.steps].join('\u0000');
    this.work.units += this.seen.has(key) ? req.n : 10 * req.n;
    this.seen.add(key);
    const drafts = Array.from({ length: req.n }, (_, i) => {
      const text = this.wrong(req, i) ? `x${req.steps.length + 1}` : countingStep(req.steps, 3);
      return { text, tokens: 1, finish: /answer is/.test(text) ? ('eos' as const) : ('stop' as const) };
    });
    return { drafts, ms: 1, requests: 1, speculative: req.speculative ? { drafted: 1, accepted: 1 } : null };
  }

  async forget(): Promise<void> {
    this.seen.clear();
  }

  async dispose(): Promise<void> {}
}

class CachingPrm implements ProcessRewardModel {
  readonly label = 'caching PRM';
  private readonly known = new Set<string>();
  constructor(private readonly work: Work) {}

  async scoreLast(req: ScoreRequest): Promise<ScoreResult> {
    for (const p of req.paths) {
      const key = [req.problem, ...p].join('\u0000');
      this.work.units += this.known.has(key) ? 0 : 2;
      this.known.add(key);
    }
    return { scores: req.paths.map((p) => (isRightPath(p) ? 0.9 : 0.1)), ms: 1, requests: 1 };
  }

  async scoreSteps(_problem: string, steps: readonly string[]): Promise<number[]> {
    return steps.map((_, i) => (isRightPath(steps.slice(0, i + 1)) ? 0.9 : 0.1));
  }

  async forget(): Promise<void> {
    this.known.clear();
  }

  async dispose(): Promise<void> {}
}

const problems = [1, 2, 3, 4].map((n) => ({ id: `p${n}`, problem: `count to three, take ${n}`, answer: '3' }));

/** Each method's summed work over the problems, with the methods in `order`, caches `cache`. */
async function workByMethod(order: Method[], cache: 'cold' | 'warm'): Promise<Record<string, number>> {
  const work = new Work();
  const small = new CachingModel('small', work, (req, i) => (req.seed + i + req.steps.length) % 3 === 0);
  const large = new CachingModel('large', work, () => false);
  const totals: Record<string, number> = {};
  let before = 0;
  await runBench({
    problems,
    methods: order,
    settings: testSettings({ candidatesPerStep: 2, beamWidth: 1 }),
    models: { small, large, prm: new CachingPrm(work) },
    cache,
    // One problem in flight: the work since the last solve finished is this solve's.
    onProgress: (_d, _t, r: BenchRecord) => {
      totals[r.method] = (totals[r.method] ?? 0) + work.units - before;
      before = work.units;
    },
  });
  return totals;
}

function ratios(t: Record<string, number>): number[] {
  return [t.large! / t.specsearch!, t.sps! / t.specsearch!, t.large! / t.sps!];
}

const forward: Method[] = ['large', 'sps', 'specsearch'];
const reversed: Method[] = ['specsearch', 'sps', 'large'];

test('cold bench: reversing the method order changes no ratio by more than 5 %', async () => {
  const a = ratios(await workByMethod(forward, 'cold'));
  const b = ratios(await workByMethod(reversed, 'cold'));
  a.forEach((r, i) => assert.ok(Math.abs(b[i]! / r - 1) <= 0.05, `ratio ${i}: ${r.toFixed(3)} forward, ${b[i]!.toFixed(3)} reversed`));
});

test("warm bench: the method that runs second on a problem finds the first one's caches (what cold removes)", async () => {
  const a = ratios(await workByMethod(forward, 'warm'));
  const b = ratios(await workByMethod(reversed, 'warm'));
  assert.ok(
    a.some((r, i) => Math.abs(b[i]! / r - 1) > 0.05),
    `forward ${a.map((r) => r.toFixed(3))}, reversed ${b.map((r) => r.toFixed(3))}`,
  );
});

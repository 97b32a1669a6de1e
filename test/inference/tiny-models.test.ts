// Real inference: the bundled tiny models through node-llama-cpp, in-process.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractAnswer } from '../../src/core/answer/extract';
import { parseSettings, withSearchOverrides, type Settings } from '../../src/core/config';
import { EngineError } from '../../src/core/errors';
import { answerCheckOf, checkTraceInvariants } from '../../src/core/events';
import { answersEquivalent } from '../../src/core/answer/equivalence';
import { generateBeyondProblems, generateOtherProblems } from '../../src/core/tiny/neighbours';
import { createModels, disposeModels } from '../../src/core/models/factory';
import type { DraftRequest, ModelTrio } from '../../src/core/models/types';
import { solve } from '../../src/core/solve';
import { heldOutProblems } from '../../src/core/tiny/held-out';
import { checkSteps, plantedErrorSteps, solutionSteps } from '../../src/core/tiny/task';

const settings: Settings = parseSettings({}, 'inference test');
let models: ModelTrio;

before(async () => {
  models = await createModels(settings);
});

after(async () => {
  await disposeModels(models);
});

function request(problem: string, steps: string[], extra: Partial<DraftRequest> = {}): DraftRequest {
  return {
    problem,
    mode: 'solve',
    steps,
    n: 1,
    stop: ['\n\n'],
    maxTokens: 64,
    temperature: 0,
    seed: 1,
    speculative: false,
    signal: new AbortController().signal,
    ...extra,
  };
}

/** Greedy, one step at a time, as the search does it. */
async function greedy(model: ModelTrio['large'], problem: string): Promise<string | null> {
  const steps: string[] = [];
  for (let i = 0; i < 8; i++) {
    const d = (await model.draft(request(problem, steps))).drafts[0];
    steps.push(d.text.trim());
    if (d.finish !== 'stop' || extractAnswer(d.text) !== null) break;
  }
  return extractAnswer(steps.join('\n'));
}

test('the trio loads from models/tiny and says what it is', () => {
  assert.match(models.small.label, /small model \(embedded, .*small\.gguf\)/);
  assert.match(models.large.label, /large\.gguf/);
  assert.match(models.prm.label, /likelihood, embedded, .*verifier\.gguf/);
  // The large model speculates with the small one as its draft model (DraftSequenceTokenPredictor).
  assert.equal(models.large.capabilities.speculative, true);
  assert.equal(models.small.capabilities.speculative, false);
});

// The model card states 95.5 % on the first 200 held-out problems of seed 9003 (95 of the first 100); greedy
// decoding is deterministic, so the first 100 pin the shipped weights' accuracy down.
test('greedy large answers held-out problems right (≥ 93 of the first 100 of seed 9003)', async () => {
  const problems = heldOutProblems(9003, 100);
  let right = 0;
  for (const p of problems) if ((await greedy(models.large, p.problem)) === String(p.answer)) right++;
  assert.ok(right >= 93, `large got ${right}/100`);
});

// The small model is the draft model: clearly worse than the large one, but right often enough to be
// worth drafting with (model card: 43 % of the first 200 held-out problems of seed 9003; target band 40–75 %).
test('greedy small is clearly worse than large and still right on a good share (35–75 of the first 100 of seed 9003)', async () => {
  const problems = heldOutProblems(9003, 100);
  let right = 0;
  for (const p of problems) if ((await greedy(models.small, p.problem)) === String(p.answer)) right++;
  assert.ok(right >= 35 && right <= 75, `small got ${right}/100`);
});

/** How often right steps outscore planted wrong ones (six kinds of error, fresh problems). */
async function rightAboveWrong(prm: ModelTrio['prm'], seed: number, count: number): Promise<{ above: number; total: number }> {
  const signal = new AbortController().signal;
  const kinds = ['result', 'digit', 'operand', 'operator', 'copy', 'final'] as const;
  let above = 0;
  for (const [i, p] of heldOutProblems(seed, count).entries()) {
    const right = solutionSteps(p);
    const { steps: wrong, firstWrong } = plantedErrorSteps(p, kinds[i % kinds.length]);
    const r = await prm.scoreLast({ problem: p.problem, paths: [right.slice(0, firstWrong + 1), wrong.slice(0, firstWrong + 1)], signal });
    if (r.scores[0] > r.scores[1]) above++;
  }
  return { above, total: count };
}

test('the default PRM (verifier.gguf as a likelihood verifier) scores right steps above planted wrong ones', async () => {
  const { above, total } = await rightAboveWrong(models.prm, 501, 12);
  assert.equal(above, total, `right above wrong in ${above}/${total}`);
  const p = heldOutProblems(501, 1)[0];
  const all = await models.prm.scoreSteps(p.problem, solutionSteps(p), new AbortController().signal);
  assert.equal(all.length, solutionSteps(p).length);
  assert.ok(
    all.every((s) => s > 0.5),
    `right steps: ${all.map((s) => s.toFixed(2)).join(' ')}`,
  );
});

test('the default PRM sees the whole path: once a step is wrong, every later step of that path scores low', async () => {
  const signal = new AbortController().signal;
  const kinds = ['result', 'digit', 'operand', 'operator', 'copy'] as const;
  let checked = 0;
  for (const [i, p] of heldOutProblems(503, 10).entries()) {
    const { steps: wrong, firstWrong } = plantedErrorSteps(p, kinds[i % kinds.length]);
    if (firstWrong >= wrong.length - 1) continue;
    const right = solutionSteps(p);
    // Steps after the error follow on consistently from the wrong value: each one alone looks fine.
    const later = await models.prm.scoreLast({ problem: p.problem, paths: [wrong.slice(0, firstWrong + 2), right.slice(0, firstWrong + 2)], signal });
    // The scores are calibrated (models.prm.calibration): what separates the paths is their order, which the
    // calibration keeps; how sharp the raw scores are is the model card's measurement.
    assert.ok(later.scores[1] > later.scores[0], `${p.problem}: wrong path ${later.scores[0]}, right path ${later.scores[1]}`);
    const all = await models.prm.scoreSteps(p.problem, wrong, signal);
    assert.ok(
      all.slice(firstWrong).every((s) => s <= all[firstWrong] + 1e-9),
      `scores never recover after the error: ${all.join(' ')}`,
    );
    checked++;
  }
  assert.ok(checked >= 5, `${checked} paths with steps after the error`);
});

test('the tag-trained PRM (prm.gguf, Math-Shepherd "+"/"-") loads and scores steps in 0..1', async () => {
  const tagged = parseSettings(
    { models: { prm: { provider: 'embedded', model: path.join(path.dirname(settings.models.large.model), 'prm.gguf'), kind: 'logprob' } } },
    'test',
  );
  const trio = await createModels(tagged);
  try {
    const p = heldOutProblems(505, 1)[0];
    const scores = await trio.prm.scoreSteps(p.problem, solutionSteps(p), new AbortController().signal);
    assert.equal(scores.length, solutionSteps(p).length);
    assert.ok(scores.every((s) => s >= 0 && s <= 1));
  } finally {
    await disposeModels(trio);
  }
});

test('drafting N at temperature > 0 samples N continuations in one call; at temperature 0 they are the greedy one', async () => {
  const p = heldOutProblems(502, 1)[0];
  const sampled = await models.small.draft(request(p.problem, [], { n: 6, temperature: 2.5, seed: 7 }));
  assert.equal(sampled.drafts.length, 6);
  // A confident model repeats its favourite step now and then; sampling still spreads over several.
  assert.ok(new Set(sampled.drafts.map((d) => d.text)).size >= 3, sampled.drafts.map((d) => d.text).join(' | '));
  assert.ok(sampled.drafts.every((d) => d.tokens > 0));
  const greedy = await models.small.draft(request(p.problem, [], { n: 3, temperature: 0 }));
  assert.equal(new Set(greedy.drafts.map((d) => d.text)).size, 1);
});

test('token-level speculation: greedy text identical to the large model alone, with acceptance figures', async () => {
  const problems = heldOutProblems(503, 4);
  let drafted = 0;
  let accepted = 0;
  for (const p of problems) {
    let steps: string[] = [];
    for (let i = 0; i < 8; i++) {
      const plain = await models.large.draft(request(p.problem, steps));
      const spec = await models.large.draft(request(p.problem, steps, { speculative: true }));
      assert.equal(plain.speculative, null);
      assert.equal(spec.drafts[0].text, plain.drafts[0].text, `${p.problem} step ${i + 1}`);
      assert.equal(spec.drafts[0].finish, plain.drafts[0].finish);
      assert.ok(spec.speculative, 'speculation figures are reported');
      drafted += spec.speculative.drafted;
      accepted += spec.speculative.accepted;
      steps = [...steps, plain.drafts[0].text];
      if (plain.drafts[0].finish !== 'stop') break;
    }
  }
  assert.ok(accepted > 0 && accepted <= drafted, `accepted ${accepted} of ${drafted} draft tokens`);
});

test('speculative sequences run many at once and are reused across calls without stalling', async () => {
  const p = heldOutProblems(506, 1)[0];
  const greedyText = (await models.large.draft(request(p.problem, []))).drafts[0].text;
  // 12 parallel speculative generations, three times over: each call reuses sequences the previous one left.
  for (let round = 0; round < 3; round++) {
    const r = await models.large.draft(request(p.problem, [], { n: 12, speculative: true }));
    assert.equal(r.drafts.length, 12);
    assert.deepEqual(new Set(r.drafts.map((d) => d.text)), new Set([greedyText]));
  }
  const sampled = await models.large.draft(request(p.problem, [], { n: 12, speculative: true, temperature: 0.7, seed: 3 }));
  assert.ok(
    sampled.drafts.every((d) => d.finish === 'stop' && d.tokens > 0),
    sampled.drafts.map((d) => d.text).join(' | '),
  );
});

// Sequences are pooled and reused with their KV cache; many calls at once (sampled, speculative and greedy)
// must not leak into each other: greedy drafts stay what they are on a fresh model.
test('greedy drafts are unchanged after many concurrent sampled and speculative calls', async () => {
  const problems = heldOutProblems(900, 12);
  const paths = problems.map((p) => ({ problem: p.problem, steps: solutionSteps(p).slice(0, 2) }));
  const reference: string[] = [];
  for (const x of paths) reference.push((await models.large.draft(request(x.problem, x.steps))).drafts[0].text);
  const changed: string[] = [];
  for (let round = 0; round < 3; round++) {
    const busy = problems
      .slice(0, 6)
      .map((p, i) =>
        models.large.draft(
          request(p.problem, solutionSteps(p).slice(0, 1 + (i % 2)), { n: 6, speculative: i % 2 === 0, temperature: 0.7, seed: round * 10 + i }),
        ),
      );
    const again = await Promise.all(paths.map((x) => models.large.draft(request(x.problem, x.steps, { n: 6 }))));
    await Promise.all(busy);
    again.forEach((r, i) =>
      r.drafts.forEach((d) => {
        if (d.text !== reference[i]) changed.push(`${JSON.stringify(reference[i])} → ${JSON.stringify(d.text)}`);
      }),
    );
  }
  assert.deepEqual(changed, []);
});

test('SpecSearch solves the README example: 32, with drafts judged against the threshold', async () => {
  const r = await solve({ problem: 'Start with 7. Add 5. Multiply by 3. Subtract 4. What is the result?', settings, models });
  assert.deepEqual(checkTraceInvariants(r.events), []);
  assert.equal(r.error, null);
  assert.equal(r.answer, '32');
  assert.ok(r.events.some((e) => e.type === 'thought.judged'));
  assert.ok(r.stats.small.tokens > 0 && r.stats.prm.scored > 0);
});

test('an answer marked verified is right: in the family, just past its limits and of other kinds (fresh seed 611)', async () => {
  const outcome = async (problem: string, reference: string) => {
    const r = await solve({ problem, settings, models });
    assert.equal(r.error, null, problem);
    const check = answerCheckOf(r);
    // One meaning everywhere: verified ⇔ confidence ≥ 0.5; never unverified at or above it.
    assert.equal(check.verified, check.confidence !== null && check.confidence >= 0.5, `${problem}: ${JSON.stringify(check)}`);
    return { right: r.answer !== null && answersEquivalent(reference, r.answer), check };
  };
  let inRange = 0;
  for (const p of heldOutProblems(611, 10)) {
    const { right, check } = await outcome(p.problem, String(p.answer));
    assert.ok(right || !check.verified, `in range, wrong and verified: ${p.problem} ${JSON.stringify(check)}`);
    if (right && check.verified) inRange++;
  }
  assert.ok(inRange >= 8, `in range, right and verified: ${inRange} of 10`);
  for (const p of generateBeyondProblems(611, 12)) {
    const { right, check } = await outcome(p.problem, String(p.answer));
    assert.equal(check.verified, false, `past the limits: ${p.problem} ${JSON.stringify(check)}`);
    assert.ok(check.confidence === null || check.confidence < 0.5);
    assert.match(check.caveat ?? '', /know chain arithmetic with numbers from 1 to 40|says .* but/, p.problem);
    void right;
  }
  for (const p of generateOtherProblems(611, 5)) {
    const { check } = await outcome(p.problem, p.answer);
    assert.equal(check.verified, false, p.problem);
    assert.ok(check.confidence === null || check.confidence < 0.5);
  }
});

/**
 * How SpecSearch judged the drafts whose path so far is right, split by whether the draft itself is right;
 * copies of one draft at one node (common at temperature 0.3) count once.
 */
async function verdicts(trio: ModelTrio, s: Settings, seed: number, count: number) {
  const tally = { rightPassed: 0, rightRejected: 0, wrongPassed: 0, wrongRejected: 0 };
  const seen = new Set<string>();
  for (const p of heldOutProblems(seed, count)) {
    const r = await solve({ problem: p.problem, settings: s, models: trio });
    const written = new Map<string, { parentId: string | null; text: string }>();
    const stepsOf = (id: string | null): string[] => {
      const steps: string[] = [];
      for (let at = id; at !== null; at = written.get(at)?.parentId ?? null) steps.unshift((written.get(at) as { text: string }).text);
      return steps;
    };
    for (const e of r.events) {
      if (e.type === 'thought.drafted' || e.type === 'thought.corrected') written.set(e.id, { parentId: e.parentId, text: e.text });
      if (e.type !== 'thought.judged') continue;
      const draft = written.get(e.id) as { parentId: string | null; text: string };
      const key = [p.problem, draft.parentId, draft.text, e.verdict === 'rejected'].join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      const before = stepsOf(draft.parentId);
      if (!checkSteps(p, before).every(Boolean)) continue;
      const right = checkSteps(p, [...before, draft.text]).at(-1) === true;
      const passed = e.verdict !== 'rejected';
      tally[right ? (passed ? 'rightPassed' : 'rightRejected') : passed ? 'wrongPassed' : 'wrongRejected']++;
    }
  }
  return tally;
}

test('SpecSearch rejects the wrong drafts and keeps the right ones; on the raw verifier scale it rejected right ones too', async () => {
  const calibrated = await verdicts(models, settings, 507, 10);
  const right = calibrated.rightPassed + calibrated.rightRejected;
  const wrong = calibrated.wrongPassed + calibrated.wrongRejected;
  assert.ok(right >= 40 && wrong >= 10, JSON.stringify(calibrated));
  assert.ok(calibrated.rightRejected <= 0.05 * right, `right drafts rejected: ${JSON.stringify(calibrated)}`);
  assert.ok(calibrated.wrongPassed <= 0.05 * wrong, `wrong drafts passed: ${JSON.stringify(calibrated)}`);
  // The same search with the verifier's raw scores (the least likely token): right steps it is unsure of
  // score 0.2–0.4, below β ≈ 0.9.
  const rawSettings = parseSettings({ models: { prm: { calibration: null } } }, 'inference test');
  const rawTrio = await createModels(rawSettings);
  try {
    const raw = await verdicts(rawTrio, rawSettings, 507, 10);
    assert.ok(raw.rightRejected > 2 * Math.max(1, calibrated.rightRejected), `raw scale: ${JSON.stringify(raw)}, calibrated: ${JSON.stringify(calibrated)}`);
  } finally {
    await disposeModels(rawTrio);
  }
});

for (const method of ['large', 'sps'] as const)
  test(`cancellation mid-generation returns within a second with the partial trace (${method})`, async () => {
    const controller = new AbortController();
    const many = withSearchOverrides(settings, { method, candidatesPerStep: 16, beamWidth: 4 }, 'test');
    const started = Date.now();
    let abortedAt = 0;
    const r = await solve({
      problem: heldOutProblems(504, 1)[0].problem,
      settings: many,
      models,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step.started' && e.depth === 2 && abortedAt === 0) {
          abortedAt = Date.now();
          setTimeout(() => controller.abort(), 5);
        }
      },
    });
    assert.ok(abortedAt > 0, 'reached depth 2');
    assert.equal(r.error?.code, 'cancelled');
    assert.ok(Date.now() - abortedAt < 1000, `returned ${Date.now() - abortedAt} ms after the abort`);
    assert.ok(r.events.some((e) => e.type === 'thought.drafted'));
    assert.ok(Date.now() - started < 30_000);
  });

test('a missing or corrupt GGUF gives a clear error naming the file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-gguf-'));
  const missing = path.join(dir, 'missing.gguf');
  const corrupt = path.join(dir, 'corrupt.gguf');
  fs.writeFileSync(corrupt, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(64, 7)]));
  for (const file of [missing, corrupt]) {
    const broken = parseSettings({ models: { small: { provider: 'embedded', model: file } } }, 'test');
    await assert.rejects(createModels(broken), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'model-load');
      assert.ok(err.message.includes(file), err.message);
      assert.ok(err.hint);
      return true;
    });
  }
});

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  test(`${signal} during \`specsearch solve --json\` ends with search.failed (cancelled), whole JSON lines and exit 1`, async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [path.resolve('dist/cli.js'), 'solve', '--json', '--method', 'large', heldOutProblems(506, 1)[0].problem], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!sent && out.includes('"thought.drafted"')) {
        sent = true;
        child.kill(signal);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.ok(sent, 'a thought was drafted before the signal');
    assert.equal(code, 1);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; error?: { code: string } });
    const last = lines.at(-1);
    assert.equal(last?.type, 'search.failed');
    assert.equal(last?.error?.code, 'cancelled');
    assert.ok(
      lines.some((e) => e.type === 'thought.drafted'),
      'the partial trace is kept',
    );
  });

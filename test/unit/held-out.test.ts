// The tiny task's held-out problems: no test or benchmark problem is a training problem, by text.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../src/core/bench/dataset';
import { HEADLINE_SEEDS, TRAINING_STREAMS, TUNING_SEEDS, heldOutProblems, trainingProblems, trainingStreamTexts } from '../../src/core/tiny/held-out';
import { generateProblems } from '../../src/core/tiny/task';

const fixture = JSON.parse(fs.readFileSync(path.resolve('test/fixtures/tiny/training-streams.json'), 'utf8')) as Record<
  string,
  { first: string[]; at7999: string }
>;

test('the training streams are bit-exact twins of scripts/tiny/train/task.py problem_stream, the filtered phase-5b stream included', () => {
  for (const s of TRAINING_STREAMS) {
    const texts = trainingStreamTexts(s.seed, 8000, s.easyKeep);
    const expected = fixture[String(s.seed)];
    assert.ok(expected, `fixture for seed ${s.seed}`);
    assert.deepEqual(texts.slice(0, 3), expected.first, `seed ${s.seed}`);
    assert.equal(texts[7999], expected.at7999, `seed ${s.seed}`);
  }
});

test('the training set holds every stream as long as training drew it', () => {
  assert.deepEqual(
    TRAINING_STREAMS.map((s) => [s.seed, s.count]),
    [
      [1, 96_000],
      [11, 12_800],
      [21, 9_600],
      [31, 8_000],
    ],
  );
  const all = trainingProblems();
  for (const s of TRAINING_STREAMS) assert.ok(all.has(trainingStreamTexts(s.seed, s.count, s.easyKeep)[s.count - 1]!));
});

// The seeds the tests and benchmarks measure on: each headline seed, and the seeds of test/inference (which
// draws its problems with heldOutProblems).
const MEASURED_SEEDS = [...Object.keys(HEADLINE_SEEDS).map(Number), 501, 502, 503, 504, 505, 506, 507, 611, 900];

test('test and benchmark problems overlap no training stream (0 of 500 per seed)', () => {
  const trained = trainingProblems();
  for (const seed of MEASURED_SEEDS) {
    const problems = heldOutProblems(seed, 500);
    assert.equal(problems.length, 500);
    const overlaps = problems.filter((p) => trained.has(p.problem));
    assert.equal(overlaps.length, 0, `seed ${seed}: ${overlaps.map((p) => p.id).join(', ')}`);
  }
});

test('without the filter, fresh seeds do repeat training problems (what the filter removes)', () => {
  const trained = trainingProblems();
  const repeated = generateProblems(2000, 100).filter((p) => trained.has(p.problem));
  assert.ok(repeated.length > 0);
  // Held-out ids keep their place in the seed's stream: the repeated ones are the gaps.
  const kept = new Set(heldOutProblems(2000, 100 - repeated.length).map((p) => p.id));
  for (const p of repeated) assert.ok(!kept.has(p.id));
});

test('headline seeds are neither training nor tuning seeds, and the bench generates held-out problems', () => {
  const training = new Set(TRAINING_STREAMS.map((s) => s.seed));
  for (const seed of Object.keys(HEADLINE_SEEDS).map(Number)) {
    assert.ok(!training.has(seed) && !(seed in TUNING_SEEDS), `seed ${seed}`);
  }
  const trained = trainingProblems();
  const bench = loadDataset('tiny:9001:200');
  assert.equal(bench.length, 200);
  assert.ok(bench.every((p) => !trained.has(p.problem)));
  assert.deepEqual(
    bench.map((p) => p.id),
    heldOutProblems(9001, 200).map((p) => p.id),
  );
});

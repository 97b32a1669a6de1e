// Fits the `tiny` profile's verifier calibration (models.prm.calibration): the map from the likelihood
// verifier's raw score of a thought (the least probability it gives any of the thought's tokens) to the
// probability that the thought is right, P(right | raw) = 1 / (1 + (midpoint / raw)^slope).
//
// Data, on problems of a seed used nowhere else (41): the small model's own drafts of every step of the
// reference solution (sampled at the temperatures a search uses, 0.3 and 0.7), labelled right when the
// draft is the step the task defines, and one planted error per problem (six kinds). Fit: Platt scaling,
// logistic regression of the label on ln(raw) with Platt's smoothed targets, so that classes that separate
// completely still give a finite slope.
// usage: node scripts/tiny/calibrate-verifier.mjs [--n 200] [--seed 41] [--drafts 4] [--data FILE (writes [raw, right] pairs)]
// Prints a JSON summary on stdout: the fitted calibration, and how calibrated it is on the data.
import { flags, loadEngine } from './engine.mjs';

const {
  n: N,
  seed: SEED,
  drafts: DRAFTS,
  data: DATA,
} = flags('node scripts/tiny/calibrate-verifier.mjs [--n 200] [--seed 41] [--drafts 4] [--data FILE]', {
  n: 200,
  seed: 41,
  drafts: 4,
  data: null,
});

const { task: T, EmbeddedRuntime, profileSettings, createRewardModel, calibrate } = await loadEngine();
const settings = profileSettings('tiny');
const runtime = await EmbeddedRuntime.shared();
const small = await runtime.languageModel('small', { ...settings.models.small, maxConcurrency: DRAFTS });
// The raw verifier: the same model and kind, without a calibration.
const prm = await createRewardModel({ ...settings.models.prm, calibration: undefined, maxConcurrency: 8 }, runtime);
const signal = new AbortController().signal;
const separator = settings.search.stepSeparator;

/** [raw score, right?] per thought. */
const data = [];
const rng = T.mulberry32(SEED * 1000 + 5);
const kinds = ['result', 'digit', 'operand', 'operator', 'copy', 'final'];
let seed = 0;
for (const p of T.generateProblems(SEED, N)) {
  const right = T.solutionSteps(p);
  for (let k = 0; k < right.length; k++) {
    for (const temperature of [0.3, 0.7]) {
      const r = await small.draft({
        problem: p.problem,
        mode: 'solve',
        steps: right.slice(0, k),
        n: DRAFTS,
        stop: [separator],
        maxTokens: settings.search.maxStepTokens,
        temperature,
        seed: seed++,
        speculative: false,
        signal,
      });
      const paths = r.drafts.map((d) => [...right.slice(0, k), d.text]);
      const s = await prm.scoreLast({ problem: p.problem, paths, separator, signal });
      r.drafts.forEach((d, i) => data.push([s.thoughtScores[i], d.text === right[k]]));
    }
  }
  const kind = kinds[T.randint(rng, 0, kinds.length - 1)];
  const { steps: wrong, firstWrong } = T.plantedErrorSteps(p, kind, rng);
  const s = await prm.scoreLast({ problem: p.problem, paths: [wrong.slice(0, firstWrong + 1)], separator, signal });
  data.push([s.thoughtScores[0], false]);
}

const FLOOR = 1e-30;
const xs = data.map(([raw]) => Math.log(Math.max(raw, FLOOR)));
const pos = data.filter(([, y]) => y).length;
const neg = data.length - pos;
// Platt's targets: (N+ + 1) / (N+ + 2) for right thoughts, 1 / (N- + 2) for wrong ones.
const ts = data.map(([, y]) => (y ? (pos + 1) / (pos + 2) : 1 / (neg + 2)));
const sigmoid = (z) => 1 / (1 + Math.exp(-z));
// Newton's method on the cross-entropy in (a, b), halving a step that does not lower it.
const loss = (a, b) =>
  xs.reduce((sum, x, i) => {
    const z = a * x + b;
    // -[t ln σ(z) + (1 - t) ln(1 - σ(z))], written to stay finite for large |z|
    return sum + Math.max(z, 0) - ts[i] * z + Math.log1p(Math.exp(-Math.abs(z)));
  }, 0);
let a = 1;
let b = -Math.log(1e-3);
let current = loss(a, b);
for (let it = 0; it < 200; it++) {
  let ga = 0,
    gb = 0,
    haa = 0,
    hab = 0,
    hbb = 0;
  xs.forEach((x, i) => {
    const q = sigmoid(a * x + b);
    const w = Math.max(q * (1 - q), 1e-12);
    ga += (q - ts[i]) * x;
    gb += q - ts[i];
    haa += w * x * x;
    hab += w * x;
    hbb += w;
  });
  const det = haa * hbb - hab * hab;
  let da = (hbb * ga - hab * gb) / det;
  let db = (haa * gb - hab * ga) / det;
  let step = 1;
  while (step > 1e-6 && !(loss(a - step * da, b - step * db) <= current)) step /= 2;
  a -= step * da;
  b -= step * db;
  const next = loss(a, b);
  const done = current - next < 1e-9;
  current = next;
  if (done) break;
}
const calibration = { midpoint: Number(Math.exp(-b / a).toPrecision(3)), slope: Number(a.toPrecision(3)) };
// The product's own map, with the fitted numbers.
const calibrated = (raw) => calibrate(raw, calibration);

const quantile = (vs, q) => {
  const s = [...vs].sort((u, v) => u - v);
  return s[Math.floor(q * (s.length - 1))];
};
const rightRaw = data.filter(([, y]) => y).map(([r]) => r);
const wrongRaw = data.filter(([, y]) => !y).map(([r]) => r);
// Reliability: thoughts binned by calibrated score, the share right in each bin.
const edges = [0, 0.01, 0.1, 0.5, 0.9, 0.99, 1.0001];
const bins = edges.slice(0, -1).map((lo, i) => {
  const hi = edges[i + 1];
  const inBin = data.filter(([r]) => calibrated(r) >= lo && calibrated(r) < hi);
  return { calibrated: `[${lo}, ${hi > 1 ? 1 : hi})`, thoughts: inBin.length, right: inBin.filter(([, y]) => y).length };
});
if (DATA) (await import('node:fs')).writeFileSync(DATA, JSON.stringify(data));
console.log(
  JSON.stringify(
    {
      seed: SEED,
      problems: N,
      thoughts: data.length,
      right: pos,
      wrong: neg,
      calibration,
      rawRight: { min: Math.min(...rightRaw), q01: quantile(rightRaw, 0.01), median: quantile(rightRaw, 0.5) },
      rawWrong: { median: quantile(wrongRaw, 0.5), q99: quantile(wrongRaw, 0.99), max: Math.max(...wrongRaw) },
      calibratedRight: { min: calibrated(Math.min(...rightRaw)), q01: calibrated(quantile(rightRaw, 0.01)) },
      calibratedWrong: { q99: calibrated(quantile(wrongRaw, 0.99)), max: calibrated(Math.max(...wrongRaw)) },
      reliability: bins,
    },
    null,
    1,
  ),
);
await prm.dispose();
await small.dispose();
process.exit(0);

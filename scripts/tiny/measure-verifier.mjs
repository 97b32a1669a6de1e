// Measures verifiers on the tiny task through the product's own PRM classes (embedded, node-llama-cpp):
//  - ROC AUC of right steps against planted errors, separately for the step that is wrong ("last-step
//    errors") and for later steps of a path whose error sits in an earlier step ("earlier-step errors");
//  - what scoring one thought costs against the large model writing it (greedy, no speculation), both
//    measured on the same thoughts, interleaved.
// usage: node scripts/tiny/measure-verifier.mjs [--n 100] [--seed 3] [--verifiers verifier.gguf:likelihood,prm.gguf:logprob]
// Prints a JSON summary on stdout.
import { dirname, join } from 'node:path';
import { flags, loadEngine } from './engine.mjs';

const usage = 'node scripts/tiny/measure-verifier.mjs [--n 100] [--seed 3] [--verifiers verifier.gguf:likelihood,prm.gguf:logprob]';
const { n: N, seed: SEED, verifiers } = flags(usage, { n: 100, seed: 3, verifiers: 'verifier.gguf:likelihood,prm.gguf:logprob' });
const VERIFIERS = verifiers.split(',').map((v) => v.split(':'));

const { task: T, EmbeddedRuntime, profileSettings, createRewardModel } = await loadEngine();

const settings = profileSettings('tiny');
const dir = dirname(settings.models.large.model);
const runtime = await EmbeddedRuntime.shared();
const large = await runtime.languageModel('large', { ...settings.models.large, maxConcurrency: 1 });
const signal = new AbortController().signal;

function auc(pos, neg) {
  if (!pos.length || !neg.length) return null;
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

const problems = T.generateProblems(SEED, N);
const kinds = ['result', 'digit', 'operand', 'operator', 'copy', 'final'];
const out = { seed: SEED, problems: N, cpu: (await import('node:os')).cpus()[0]?.model, verifiers: {} };
const prms = [];
for (const [file, kind] of VERIFIERS) {
  prms.push({
    file,
    kind,
    prm: await createRewardModel({ ...settings.models.prm, model: join(dir, file), kind, maxConcurrency: 1 }, runtime),
    pos: [],
    negLast: [],
    negEarlier: [],
    scoreMs: [],
    byKind: {},
  });
}
const writeMs = [];
const writeTokens = [];
const rng = T.mulberry32(SEED * 1000 + 17);
for (const p of problems) {
  const right = T.solutionSteps(p);
  const kind = kinds[T.randint(rng, 0, kinds.length - 1)];
  const { steps: wrong, firstWrong } = T.plantedErrorSteps(p, kind, rng);
  // cost: the large model writes each right step from its prefix; each verifier scores that one thought
  for (let k = 0; k < right.length; k++) {
    const t0 = performance.now();
    const r = await large.draft({
      problem: p.problem,
      mode: 'solve',
      steps: right.slice(0, k),
      n: 1,
      stop: ['\n\n'],
      maxTokens: 64,
      temperature: 0,
      seed: 0,
      speculative: false,
      signal,
    });
    writeMs.push(performance.now() - t0);
    writeTokens.push(r.drafts[0]?.tokens ?? 0);
    for (const v of prms) {
      const t1 = performance.now();
      await v.prm.scoreLast({ problem: p.problem, paths: [right.slice(0, k + 1)], signal });
      v.scoreMs.push(performance.now() - t1);
    }
  }
  for (const v of prms) {
    v.pos.push(...(await v.prm.scoreSteps(p.problem, right, signal)));
    const sc = await v.prm.scoreSteps(p.problem, wrong, signal);
    sc.forEach((s, i) => {
      if (i < firstWrong) v.pos.push(s);
      else if (i === firstWrong) {
        v.negLast.push(s);
        (v.byKind[kind] ??= []).push(s);
      } else v.negEarlier.push(s);
    });
  }
}
for (const v of prms) {
  out.verifiers[`${v.file} (${v.kind})`] = {
    aucLastStepErrors: auc(v.pos, v.negLast),
    aucEarlierStepErrors: auc(v.pos, v.negEarlier),
    aucByKind: Object.fromEntries(Object.entries(v.byKind).map(([k, s]) => [k, auc(v.pos, s)])),
    rightSteps: v.pos.length,
    lastStepErrors: v.negLast.length,
    earlierStepErrors: v.negEarlier.length,
    meanScoreRight: mean(v.pos),
    meanScoreLastStepError: mean(v.negLast),
    meanScoreEarlierStepError: mean(v.negEarlier),
    msPerThought: mean(v.scoreMs),
    costVsLargeWriting: mean(v.scoreMs) / mean(writeMs),
  };
}
out.large = { msPerThought: mean(writeMs), tokensPerThought: mean(writeTokens) };
console.log(JSON.stringify(out, null, 1));
for (const v of prms) await v.prm.dispose();
await large.dispose();
process.exit(0);

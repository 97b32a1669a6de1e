// Measures the tiny model trio with node-llama-cpp (CPU, threads 1, context 512):
//  - greedy accuracy of small and large, each alone, step by step (stop "\n\n"),
//  - tokens/s of small and large side by side in one run (problems interleaved),
//  - PRM ROC AUC on planted-error steps vs right steps, and on the small model's own steps.
// usage: node scripts/tiny/measure.mjs [--n 200] [--seed 9003] [--dir models/tiny] [--threads 1]
// Prints a JSON summary on stdout.
import { join } from 'node:path';
import { flags, loadEngine, root } from './engine.mjs';

const usage = 'node scripts/tiny/measure.mjs [--n 200] [--seed 9003] [--dir models/tiny] [--threads 1] [--prm-n N]';
const args = flags(usage, { n: 200, seed: 9003, dir: join(root, 'models', 'tiny'), threads: 1, 'prm-n': null });
const { n: N, seed: SEED, dir: DIR, threads: THREADS } = args;
const PRM_N = args['prm-n'] === null ? N : Number(args['prm-n']);

// The task module is TypeScript: bundled on the fly (single source of truth).
const { task, heldOut } = await loadEngine();
const T = { ...task, ...heldOut };

const { getLlama } = await import('node-llama-cpp');
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });

async function load(name) {
  const model = await llama.loadModel({ modelPath: join(DIR, name + '.gguf') });
  const context = await model.createContext({ contextSize: 512, threads: THREADS, batchSize: 512 });
  return { name, model, context, seq: context.getSequence(), tokens: 0, ms: 0, right: 0, n: 0 };
}

const SEP = '\n\n';

/** Step-by-step greedy solve: prompt BOS + problem + "\n\n", generate each step until "\n\n" or EOS. */
async function solve(m, problem) {
  const { model, seq } = m;
  await seq.clearHistory();
  const eos = model.tokens.eos;
  const nl = model.tokenize('\n')[0]; // char-level vocabulary: "\n\n" is two "\n" tokens
  let pending = [model.tokens.bos, ...model.tokenize(T.lmPrompt(problem))];
  const steps = [];
  let total = pending.length;
  const t0 = performance.now();
  let generated = 0;
  for (let s = 0; s < 8; s++) {
    const out = [];
    let ended = false;
    let stopped = false;
    for await (const tkn of seq.evaluate(pending, { temperature: 0 })) {
      generated++;
      if (tkn === eos) {
        ended = true;
        break;
      }
      out.push(tkn);
      if (tkn === nl && out.length >= 2 && out[out.length - 2] === nl) {
        stopped = true;
        break;
      }
      if (total + out.length >= 510) break;
    }
    let text = model.detokenize(out);
    if (stopped) text = text.slice(0, -SEP.length);
    steps.push(text);
    // the last sampled token is not in the context yet: feed it with the next call
    pending = out.length ? [out[out.length - 1]] : [];
    total += out.length;
    if (!stopped || ended) break;
  }
  m.ms += performance.now() - t0;
  m.tokens += generated;
  return steps.filter((x, i) => x.length > 0 || i < steps.length - 1);
}

/** PRM: scores of every step of a path, read at each "@" (P(+)/(P(+)+P(-)) of the next token). */
async function prmScores(prm, problem, steps) {
  const { model, seq } = prm;
  await seq.clearHistory();
  const ids = [model.tokens.bos, ...model.tokenize(T.prmText(problem, steps))];
  const at = model.tokenize('@')[0];
  const plus = model.tokenize('+')[0];
  const minus = model.tokenize('-')[0];
  const input = ids.map((t) => (t === at ? [t, { generateNext: { probabilities: true } }] : t));
  const res = await seq.controlledEvaluate(input);
  const scores = [];
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== at) continue;
    const p = res[i].next.probabilities;
    const pp = p.get(plus) ?? 0;
    const pm = p.get(minus) ?? 0;
    scores.push(pp / (pp + pm || 1));
  }
  return scores;
}

function auc(pos, neg) {
  if (!pos.length || !neg.length) return null;
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

const small = await load('small');
const large = await load('large');
const prm = await load('prm');
// Held out: problems of any training stream are skipped (src/core/tiny/held-out.ts).
const problems = T.heldOutProblems(SEED, N);
const smallPaths = [];
const failures = { small: [], large: [] };
for (const p of problems) {
  // interleaved: both models run on the same problem, one after the other, in the same process
  for (const m of [small, large]) {
    const steps = await solve(m, p.problem);
    const last = steps[steps.length - 1] ?? '';
    const mm = /The answer is (-?\d+)\./.exec(last);
    const ok = !!mm && Number(mm[1]) === p.answer;
    m.n++;
    if (ok) m.right++;
    else if (failures[m.name].length < 5) failures[m.name].push({ problem: p.problem, steps });
    if (m === small) smallPaths.push({ p, steps });
  }
}

// PRM on planted errors (fresh problems of the same seed)
const kinds = ['result', 'digit', 'operand', 'operator', 'copy', 'final'];
const rng = T.mulberry32(SEED * 1000 + 17);
const pos = [],
  neg = [],
  negAfter = [];
const byKind = {};
for (const p of problems.slice(0, PRM_N)) {
  const right = await prmScores(prm, p.problem, T.solutionSteps(p));
  pos.push(...right);
  const kind = kinds[T.randint(rng, 0, kinds.length - 1)];
  const { steps, firstWrong } = T.plantedErrorSteps(p, kind, rng);
  const sc = await prmScores(prm, p.problem, steps);
  for (let i = 0; i < sc.length; i++) {
    if (i < firstWrong) pos.push(sc[i]);
    else if (i === firstWrong) {
      neg.push(sc[i]);
      (byKind[kind] ??= []).push(sc[i]);
    } else negAfter.push(sc[i]);
  }
}
// PRM on the small model's own steps, labelled by checking the arithmetic
const sPos = [],
  sNeg = [],
  sNegAll = [];
for (const { p, steps } of smallPaths) {
  if (!steps.length) continue;
  const labels = T.checkSteps(p, steps);
  const sc = await prmScores(prm, p.problem, steps);
  let first = true;
  for (let i = 0; i < sc.length; i++) {
    if (labels[i]) sPos.push(sc[i]);
    else {
      sNegAll.push(sc[i]);
      if (first) {
        sNeg.push(sc[i]);
        first = false;
      }
    }
  }
}
const posForKinds = pos;
const summary = {
  seed: SEED,
  problems: N,
  threads: THREADS,
  cpu: (await import('node:os')).cpus()[0]?.model,
  large: { accuracy: large.right / large.n, tokens: large.tokens, tokensPerSecond: large.tokens / (large.ms / 1000), params: null },
  small: { accuracy: small.right / small.n, tokens: small.tokens, tokensPerSecond: small.tokens / (small.ms / 1000) },
  speedRatio: small.tokens / small.ms / (large.tokens / large.ms),
  prm: {
    aucPlantedFirstWrongVsRight: auc(pos, neg),
    aucPlantedAllWrongVsRight: auc(pos, neg.concat(negAfter)),
    aucPlantedByKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, auc(posForKinds, v)])),
    plantedRightSteps: pos.length,
    plantedWrongSteps: neg.length,
    aucSmallModelStepsFirstWrongVsRight: auc(sPos, sNeg),
    aucSmallModelStepsAllWrongVsRight: auc(sPos, sNegAll),
    smallRightSteps: sPos.length,
    smallFirstWrongSteps: sNeg.length,
    smallWrongStepsAll: sNegAll.length,
  },
  failures,
};
console.log(JSON.stringify(summary, null, 1));
for (const m of [small, large, prm]) {
  await m.context.dispose();
  await m.model.dispose();
}
await llama.dispose();

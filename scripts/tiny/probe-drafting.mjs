// Per-node drafting time of the embedded small model: γ·N = 12 drafts of one node, with one sequence per
// context against two per context (one batched decode for both), interleaved in one process. Also checks
// that greedy drafts are identical under both layouts (node-llama-cpp 3.21.1 mixes up 3+ sequences).
// usage: node scripts/tiny/probe-drafting.mjs [--nodes 60] [--seed 5]
import { dirname, join } from 'node:path';
import { flags, loadEngine } from './engine.mjs';

const { nodes: NODES, seed: SEED } = flags('node scripts/tiny/probe-drafting.mjs [--nodes 60] [--seed 5]', { nodes: 60, seed: 5 });
const { task: T, EmbeddedRuntime, profileSettings } = await loadEngine();

const settings = profileSettings('tiny');
const runtime = await EmbeddedRuntime.shared();
const layouts = {};
for (const per of [1, 2]) {
  process.env.SPECSEARCH_SEQUENCES_PER_CONTEXT = String(per);
  const model = await runtime.languageModel('small', settings.models.small);
  // the pool is created on first use: warm it up now, under this layout
  await model.draft({
    problem: 'Start with 1. Add 1. Add 1. What is the result?',
    mode: 'solve',
    steps: [],
    n: 12,
    stop: ['\n\n'],
    maxTokens: 64,
    temperature: 0.7,
    seed: 1,
    speculative: false,
    signal: new AbortController().signal,
  });
  layouts[per] = { model, ms: [], greedy: [] };
}
delete process.env.SPECSEARCH_SEQUENCES_PER_CONTEXT;
const signal = new AbortController().signal;
const problems = T.generateProblems(SEED, NODES);
for (const [i, p] of problems.entries()) {
  const steps = T.solutionSteps(p).slice(0, i % 3);
  const order = i % 2 ? [2, 1] : [1, 2];
  for (const per of order) {
    const L = layouts[per];
    const t0 = performance.now();
    await L.model.draft({
      problem: p.problem,
      mode: 'solve',
      steps,
      n: 12,
      stop: ['\n\n'],
      maxTokens: 64,
      temperature: 0.7,
      seed: i,
      speculative: false,
      signal,
    });
    L.ms.push(performance.now() - t0);
    const g = await L.model.draft({
      problem: p.problem,
      mode: 'solve',
      steps,
      n: 4,
      stop: ['\n\n'],
      maxTokens: 64,
      temperature: 0,
      seed: i,
      speculative: false,
      signal,
    });
    L.greedy.push(g.drafts.map((d) => d.text));
  }
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const differing = layouts[1].greedy.filter((g, i) => JSON.stringify(g) !== JSON.stringify(layouts[2].greedy[i])).length;
const unequalWithin = [1, 2].map((per) => layouts[per].greedy.filter((g) => new Set(g).size > 1).length);
console.log(
  JSON.stringify(
    {
      nodes: NODES,
      draftsPerNode: 12,
      msPerNode: { onePerContext: mean(layouts[1].ms), twoPerContext: mean(layouts[2].ms) },
      speedup: mean(layouts[1].ms) / mean(layouts[2].ms),
      greedyNodesDifferingBetweenLayouts: differing,
      greedyNodesWhoseFourCopiesDisagree: { onePerContext: unequalWithin[0], twoPerContext: unequalWithin[1] },
    },
    null,
    1,
  ),
);
for (const per of [1, 2]) await layouts[per].model.dispose();
process.exit(0);

// The two moves every generator makes: have a model write thoughts below a node, and have the PRM score them.
import { extractAnswer } from '../answer/extract';
import { EngineError, throwIfAborted } from '../errors';
import type { SpeculativeStats, Source } from '../events';
import { pathKey, type SearchContext, type ThoughtNode } from './types';

export interface Written {
  node: ThoughtNode;
  tokens: number;
  ms: number;
  speculative: SpeculativeStats | null;
}

/**
 * Why a model is called below a node. Calls for different purposes at the same node get different seeds:
 * SpecSearch's corrections at the root must not replay the large model's reference thought.
 */
export type Purpose = 'draft' | 'reference' | 'correction';

/** Calls one model for `n` continuations of the parent's path. Emits nothing: callers decide draft vs correction. */
export async function write(
  source: Source,
  parent: ThoughtNode,
  n: number,
  speculative: boolean,
  ctx: SearchContext,
  purpose: Purpose = 'draft',
): Promise<Written[]> {
  throwIfAborted(ctx.signal);
  const model = source === 'small' ? ctx.models.small : ctx.models.large;
  const s = ctx.settings;
  const started = ctx.stats.elapsed();
  const result = await model.draft({
    problem: ctx.problem,
    mode: ctx.mode,
    steps: parent.steps,
    n,
    stop: [s.stepSeparator, ...s.stopStrings],
    maxTokens: s.maxStepTokens,
    temperature: s.temperature,
    seed: seedFor(s.seed, parent, source, purpose),
    speculative,
    signal: ctx.signal,
  });
  const tokens = result.drafts.reduce((sum, d) => sum + d.tokens, 0);
  ctx.stats.recordModel(source, tokens, [started, ctx.stats.elapsed()], result.requests, result.speculative);
  return result.drafts.map((d) => {
    const text = d.text.trim();
    const node: ThoughtNode = {
      id: ctx.newId(),
      parent,
      depth: parent.depth + 1,
      steps: [...parent.steps, text],
      text,
      source,
      score: 0,
      thoughtScore: 0,
      threshold: parent.threshold,
      terminal: d.finish === 'eos' || extractAnswer(text) !== null,
    };
    return { node, tokens: d.tokens, ms: result.ms, speculative: result.speculative };
  });
}

/** Seeds depend on where in the tree a call is made, not on the order concurrent calls finish in. */
export function seedFor(base: number, parent: ThoughtNode, source: Source, purpose: Purpose): number {
  let h = (base ^ 0x9e3779b9) >>> 0;
  for (const ch of `${parent.id ?? 'root'}/${source}/${purpose}/${parent.steps.length}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h % 2_147_483_647;
}

export function emitDrafted(w: Written, ctx: SearchContext, reference = false): void {
  ctx.stats.drafted += w.node.source === 'small' ? 1 : 0;
  ctx.emit({
    type: 'thought.drafted',
    id: w.node.id as string,
    parentId: w.node.parent?.id ?? null,
    depth: w.node.depth,
    source: w.node.source,
    text: w.node.text,
    tokens: w.tokens,
    ms: round(w.ms),
    speculative: w.speculative,
    ...(reference ? { reference: true as const } : {}),
  });
}

/**
 * One PRM call for all the given thoughts (the drafts of a node, or several nodes'); sets and emits
 * scores. Identical paths (drafts repeat often at low temperature) are scored once.
 */
export async function score(nodes: readonly ThoughtNode[], ctx: SearchContext): Promise<void> {
  if (nodes.length === 0) return;
  throwIfAborted(ctx.signal);
  const keys = nodes.map(pathKey);
  const index = new Map<string, number>();
  const paths: string[][] = [];
  nodes.forEach((node, i) => {
    if (!index.has(keys[i])) {
      index.set(keys[i], paths.length);
      paths.push(node.steps);
    }
  });
  const started = ctx.stats.elapsed();
  const result = await ctx.models.prm.scoreLast({ problem: ctx.problem, paths, separator: ctx.settings.stepSeparator, signal: ctx.signal });
  ctx.stats.recordPrm(paths.length, [started, ctx.stats.elapsed()], result.requests);
  // A score that is not a number in 0..1 is the PRM's fault, never a verdict: an Infinity or NaN
  // would otherwise pass as 0 or 1 and decide which drafts are kept.
  const own = result.thoughtScores;
  const miscounted = result.scores.length !== paths.length || (own !== undefined && own.length !== paths.length);
  const all = [...result.scores, ...(own ?? [])];
  const bad = all.findIndex((x) => typeof x !== 'number' || !(x >= -1e-6 && x <= 1 + 1e-6));
  if (miscounted || bad !== -1) {
    throw new EngineError({
      code: 'bad-response',
      message: `${ctx.models.prm.label} returned ${miscounted ? `${result.scores.length} scores for ${paths.length} paths` : `the score ${String(all[bad])} for a thought`}; scores must be numbers from 0 to 1.`,
      hint: 'Check that models.prm.kind matches the model the server runs (docs/servers.md).',
    });
  }
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  nodes.forEach((node, i) => {
    const k = index.get(keys[i]) as number;
    node.score = clamp(result.scores[k]);
    node.thoughtScore = own ? clamp(own[k]) : node.score;
    ctx.emit({ type: 'thought.scored', id: node.id as string, score: node.score, ...(own ? { thoughtScore: node.thoughtScore } : {}) });
  });
}

export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

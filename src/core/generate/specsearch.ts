// SpecSearch's bi-level generator (Wang et al., ICML 2025): the small model drafts γ·N thoughts, the PRM
// scores them, drafts below the path's threshold β are rejected, and the large model writes the missing ones.
import type { Verdict } from '../events';
import { initialThreshold, judge, updateThreshold } from '../threshold';
import { emitDrafted, round, score, write, type Written } from './write';
import type { SearchContext, ThoughtGenerator, ThoughtNode } from './types';

export class SpecSearchGenerator implements ThoughtGenerator {
  async expand(parent: ThoughtNode, n: number, ctx: SearchContext): Promise<ThoughtNode[]> {
    const s = ctx.settings;
    const estimating = parent.threshold === null;
    const referenceCount = estimating ? Math.min(n, s.rootLargeThoughts) : 0;
    // Where the large model writes every child of the root (the paper: rootLargeThoughts = N), no draft
    // could take a slot there, so none is written.
    const draftCount = referenceCount >= n ? 0 : Math.max(n, Math.ceil(s.draftRatio * n));

    // At the root β is unknown: the large model writes reference thoughts, alongside the drafts where it
    // writes fewer than N. They are the large model's own children of the root, never judged, and they take their slots.
    const [drafts, references] = await Promise.all([
      draftCount > 0 ? write('small', parent, draftCount, false, ctx, 'draft') : Promise.resolve([] as Written[]),
      referenceCount > 0 ? write('large', parent, referenceCount, true, ctx, 'reference') : Promise.resolve([] as Written[]),
    ]);
    const written = [...drafts, ...references];
    drafts.forEach((w) => emitDrafted(w, ctx));
    references.forEach((w) => emitDrafted(w, ctx, true));
    await score(
      written.map((w) => w.node),
      ctx,
    );
    const refs = references.map((w) => w.node);

    // β is about one thought's quality given its path: judged on the thoughts' own scores.
    const beta = estimating
      ? initialThreshold(
          refs.map((r) => r.thoughtScore),
          s,
        )
      : (parent.threshold as number);
    if (estimating) ctx.emit({ type: 'threshold.updated', parentId: parent.id, depth: parent.depth, threshold: beta });

    const { kept, surplus, rejected } = judge(
      drafts.map((w) => w.node),
      beta,
      n - refs.length,
      (d) => d.thoughtScore,
    );
    const verdicts = new Map<ThoughtNode, Verdict>([
      ...kept.map((k) => [k, 'accepted'] as const),
      ...surplus.map((k) => [k, 'surplus'] as const),
      ...rejected.map((k) => [k, 'rejected'] as const),
    ]);
    ctx.stats.judged(parent.depth + 1, kept.length, surplus.length, rejected.length);
    for (const w of drafts) ctx.emit({ type: 'thought.judged', id: w.node.id as string, verdict: verdicts.get(w.node) as Verdict, threshold: beta });

    const missing = n - refs.length - kept.length;
    const corrections = missing > 0 ? await this.correct(parent, missing, rejected, ctx) : [];
    const children = [...refs, ...kept, ...corrections];
    // β₀ is the estimate from this very step's large thoughts: the update starts with the next step's evidence.
    const next = estimating
      ? beta
      : updateThreshold(beta, { kept: children.map((c) => c.thoughtScore), large: [...refs, ...corrections].map((c) => c.thoughtScore) }, s);
    for (const child of children) child.threshold = next;
    ctx.emit({ type: 'threshold.updated', parentId: parent.id, depth: parent.depth + 1, threshold: next });
    return children;
  }

  /** The large model writes the thoughts the small one could not, with token-level speculation. */
  private async correct(parent: ThoughtNode, missing: number, rejected: ThoughtNode[], ctx: SearchContext): Promise<ThoughtNode[]> {
    const written = await write('large', parent, missing, true, ctx, 'correction');
    // Each correction stands in for one rejected draft, the best-scored first.
    const replaced = [...rejected].sort((a, b) => b.thoughtScore - a.thoughtScore);
    written.forEach((w, i) => {
      ctx.stats.corrected(w.node.depth);
      ctx.emit({
        type: 'thought.corrected',
        id: w.node.id as string,
        replaces: replaced[i]?.id ?? null,
        parentId: parent.id,
        depth: w.node.depth,
        text: w.node.text,
        tokens: w.tokens,
        ms: round(w.ms),
        speculative: w.speculative,
      });
    });
    const nodes = written.map((w) => w.node);
    await score(nodes, ctx);
    return nodes;
  }
}

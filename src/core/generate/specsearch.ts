// SpecSearch's bi-level generator (Wang et al., ICML 2025): the small model drafts γ·N thoughts, the PRM
// scores them, drafts below the path's threshold β are rejected, and the large model writes the missing ones.
import { initialThreshold, judge, updateThreshold } from '../quality';
import { emitDrafted, round, score, write, type Written } from './write';
import type { SearchContext, ThoughtGenerator, ThoughtNode } from './types';

export class SpecSearchGenerator implements ThoughtGenerator {
  async expand(parent: ThoughtNode, n: number, ctx: SearchContext): Promise<ThoughtNode[]> {
    const s = ctx.settings;
    const draftCount = Math.max(n, Math.ceil(s.draftRatio * n));
    const estimating = parent.threshold === null;

    // At the root β is unknown: the large model writes a few reference thoughts alongside the drafts.
    const [drafts, references] = await Promise.all([
      write('small', parent, draftCount, false, ctx),
      estimating ? write('large', parent, s.rootLargeThoughts, true, ctx) : Promise.resolve([] as Written[]),
    ]);
    const candidates = [...drafts, ...references];
    candidates.forEach((w) => emitDrafted(w, ctx));
    await score(candidates.map((w) => w.node), ctx);

    const beta = estimating
      ? initialThreshold(references.map((w) => w.node.score), s)
      : (parent.threshold as number);
    if (estimating) ctx.emit({ type: 'threshold.updated', parentId: parent.id, depth: parent.depth, threshold: beta });

    const { kept, rejected } = judge(candidates.map((w) => w.node), beta, n);
    for (const node of candidates.map((w) => w.node)) {
      const verdict = node.score >= beta ? 'accepted' : 'rejected';
      if (verdict === 'accepted') ctx.stats.accepted += 1;
      else ctx.stats.rejected += 1;
      ctx.emit({ type: 'thought.judged', id: node.id as string, verdict, threshold: beta });
    }

    const corrections = kept.length < n ? await this.correct(parent, n - kept.length, rejected, ctx) : [];
    const children = [...kept, ...corrections];
    const next = updateThreshold(beta, children.map((c) => c.score), s);
    for (const child of children) child.threshold = next;
    ctx.emit({ type: 'threshold.updated', parentId: parent.id, depth: parent.depth + 1, threshold: next });
    return children;
  }

  /** The large model writes the thoughts the small one could not, with token-level speculation. */
  private async correct(parent: ThoughtNode, missing: number, rejected: ThoughtNode[], ctx: SearchContext): Promise<ThoughtNode[]> {
    const written = await write('large', parent, missing, true, ctx);
    // Each correction stands in for one rejected draft, the best-scored first.
    const replaced = [...rejected].sort((a, b) => b.score - a.score);
    written.forEach((w, i) => {
      ctx.stats.corrections += 1;
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

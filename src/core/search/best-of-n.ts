// Best-of-N (baseline): N independent paths grown one thought at a time; the best-scored finished path wins.
import type { SearchContext, ThoughtGenerator, ThoughtNode } from '../generate/types';
import { rootNode } from '../generate/types';
import { best } from './select';

export async function bestOfN(generator: ThoughtGenerator, ctx: SearchContext): Promise<ThoughtNode | null> {
  const { candidatesPerStep, maxDepth } = ctx.settings;
  const finished: ThoughtNode[] = [];
  let open: ThoughtNode[] = [];

  for (let depth = 1; depth <= maxDepth; depth++) {
    ctx.stats.depth = depth;
    ctx.emit({ type: 'step.started', depth });
    // The root is expanded once into N paths; after that each path grows by a single thought.
    const children =
      depth === 1
        ? await generator.expand(rootNode(), candidatesPerStep, ctx)
        : (await Promise.all(open.map((p) => generator.expand(p, 1, ctx)))).map((c) => c[0]).filter((c) => c !== undefined);
    ctx.emit({ type: 'beam.selected', depth, ids: children.map((n) => n.id as string) });
    finished.push(...children.filter((n) => n.terminal));
    open = children.filter((n) => !n.terminal);
    if (open.length === 0) break;
    if (depth === maxDepth) finished.push(...open);
  }
  return best(finished);
}

// Beam search over thoughts: expand every beam into N children, keep the B best (paper: B = 2, N = 6).
import type { SearchContext, ThoughtGenerator, ThoughtNode } from '../generate/types';
import { rootNode } from '../generate/types';
import { best, topK } from './select';

export async function beamSearch(generator: ThoughtGenerator, ctx: SearchContext): Promise<ThoughtNode | null> {
  const { beamWidth, candidatesPerStep, maxDepth } = ctx.settings;
  let beams: ThoughtNode[] = [rootNode()];
  const finished: ThoughtNode[] = [];

  for (let depth = 1; depth <= maxDepth && beams.length > 0; depth++) {
    ctx.stats.depth = depth;
    ctx.emit({ type: 'step.started', depth });
    const children = (await Promise.all(beams.map((b) => generator.expand(b, candidatesPerStep, ctx)))).flat();
    // Paths that ended take their beam with them: the search stops once B paths have finished.
    const kept = topK(children, beamWidth - finished.length);
    ctx.emit({ type: 'beam.selected', depth, ids: kept.map((n) => n.id as string) });
    finished.push(...kept.filter((n) => n.terminal));
    beams = kept.filter((n) => !n.terminal);
    if (depth === maxDepth) finished.push(...beams);
  }
  return best(finished);
}

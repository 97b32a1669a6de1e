// Monte Carlo tree search over thoughts: select by PUCT, expand into N children, evaluate with the PRM, back up.
import type { SearchContext, ThoughtGenerator, ThoughtNode } from '../generate/types';
import { pathIds, rootNode } from '../generate/types';
import { best } from './select';

interface Stat {
  node: ThoughtNode;
  visits: number;
  valueSum: number;
  children: Stat[] | null;
}

/** AlphaZero's exploration weight, growing slowly with the parent's visits. */
export function explorationWeight(parentVisits: number, cBase: number, cInit: number): number {
  return Math.log((1 + parentVisits + cBase) / cBase) + cInit;
}

export function puct(child: Stat, parentVisits: number, prior: number, cBase: number, cInit: number): number {
  // An unvisited child is valued at its own PRM score until a backup says otherwise.
  const q = child.visits === 0 ? child.node.score : child.valueSum / child.visits;
  return q + (explorationWeight(parentVisits, cBase, cInit) * prior * Math.sqrt(parentVisits)) / (1 + child.visits);
}

export function selectChild(parent: Stat, cBase: number, cInit: number): Stat {
  const children = parent.children as Stat[];
  const prior = 1 / children.length;
  let chosen = children[0];
  let top = -Infinity;
  for (const child of children) {
    const u = puct(child, parent.visits, prior, cBase, cInit);
    if (u > top) {
      top = u;
      chosen = child;
    }
  }
  return chosen;
}

export async function mcts(generator: ThoughtGenerator, ctx: SearchContext): Promise<ThoughtNode | null> {
  const { candidatesPerStep, maxDepth, mctsIterations, mctsCBase, mctsCInit, beamWidth } = ctx.settings;
  const root: Stat = { node: rootNode(), visits: 0, valueSum: 0, children: null };
  const finished: ThoughtNode[] = [];

  for (let iteration = 1; iteration <= mctsIterations; iteration++) {
    // Select: walk down by PUCT to a leaf.
    const path: Stat[] = [root];
    let leaf = root;
    while (leaf.children && leaf.children.length > 0 && !leaf.node.terminal) {
      leaf = selectChild(leaf, mctsCBase, mctsCInit);
      path.push(leaf);
    }
    // Expand and evaluate: a finished or too-deep leaf is worth its own score; otherwise its best child's.
    let value = leaf.node.score;
    if (!leaf.node.terminal && leaf.node.depth < maxDepth) {
      ctx.stats.depth = Math.max(ctx.stats.depth, leaf.node.depth + 1);
      ctx.emit({ type: 'step.started', depth: leaf.node.depth + 1 });
      const children = await generator.expand(leaf.node, candidatesPerStep, ctx);
      leaf.children = children.map((node) => ({ node, visits: 0, valueSum: 0, children: null }));
      finished.push(...children.filter((c) => c.terminal || c.depth >= maxDepth));
      value = children.length > 0 ? Math.max(...children.map((c) => c.score)) : 0;
    }
    // Back up along the selected path.
    for (const stat of path) {
      stat.visits += 1;
      stat.valueSum += value;
    }
    ctx.emit({ type: 'mcts.visited', iteration, path: pathIds(leaf.node), value });
    if (finished.filter((n) => n.terminal).length >= beamWidth) break;
  }
  return best(finished);
}

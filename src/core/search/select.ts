// Picking the best thoughts: by PRM score, ties to the earlier thought, one copy of each distinct path.
import { pathKey, type ThoughtNode } from '../generate/types';

/** The `k` best nodes; identical paths count once while distinct ones remain. */
export function topK(nodes: readonly ThoughtNode[], k: number): ThoughtNode[] {
  const ranked = nodes.map((node, i) => ({ node, i })).sort((a, b) => b.node.score - a.node.score || a.i - b.i);
  const seen = new Set<string>();
  const distinct: ThoughtNode[] = [];
  const copies: ThoughtNode[] = [];
  for (const { node } of ranked) {
    const key = pathKey(node);
    if (seen.has(key)) copies.push(node);
    else {
      seen.add(key);
      distinct.push(node);
    }
  }
  return [...distinct, ...copies].slice(0, k);
}

export function best(nodes: readonly ThoughtNode[]): ThoughtNode | null {
  return topK(nodes, 1)[0] ?? null;
}

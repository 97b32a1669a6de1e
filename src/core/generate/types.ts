// The tree the search algorithms grow, and the context every ThoughtGenerator works in.
import type { SearchSettings } from '../config';
import type { SearchEventBody, Source } from '../events';
import type { ModelTrio } from '../models/types';
import type { StatsRecorder } from '../stats';
import type { Mode } from '../models/types';

export interface ThoughtNode {
  /** null for the root (the bare problem). */
  id: string | null;
  parent: ThoughtNode | null;
  depth: number;
  /** Every thought on the path from the root, this one last. */
  steps: string[];
  text: string;
  source: Source;
  /** PRM score of the path up to this thought (what ranks paths); 1 for the root. */
  score: number;
  /** The thought's own score given the steps before it (what SpecSearch judges against β); = score for most PRMs. */
  thoughtScore: number;
  /** SpecSearch's β for the paths below this node; null until estimated. */
  threshold: number | null;
  /** The thought ends the solution (end of sequence or a final answer). */
  terminal: boolean;
}

export interface SearchContext {
  problem: string;
  mode: Mode;
  settings: SearchSettings;
  models: ModelTrio;
  signal: AbortSignal;
  stats: StatsRecorder;
  emit(event: SearchEventBody): void;
  newId(): string;
}

/** Writes the children of a node, scored by the PRM: the part in which methods differ. */
export interface ThoughtGenerator {
  expand(parent: ThoughtNode, n: number, ctx: SearchContext): Promise<ThoughtNode[]>;
}

export type SearchAlgorithm = (generator: ThoughtGenerator, ctx: SearchContext) => Promise<ThoughtNode | null>;

export function rootNode(): ThoughtNode {
  return { id: null, parent: null, depth: 0, steps: [], text: '', source: 'large', score: 1, thoughtScore: 1, threshold: null, terminal: false };
}

/** A path's steps as one key: equal keys, equal paths. */
export function pathKey(node: ThoughtNode): string {
  return node.steps.join('\u0000');
}

export function pathIds(node: ThoughtNode | null): string[] {
  const ids: string[] = [];
  for (let n = node; n && n.id !== null; n = n.parent) ids.unshift(n.id);
  return ids;
}

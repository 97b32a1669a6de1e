// Baselines through the same code path: one model writes every thought (`large`, `small`, and `sps`,
// which is `large` with token-level speculative decoding).
import type { Source } from '../events';
import { emitDrafted, score, write } from './write';
import type { SearchContext, ThoughtGenerator, ThoughtNode } from './types';

export class SingleModelGenerator implements ThoughtGenerator {
  constructor(
    private readonly source: Source,
    private readonly speculative: boolean,
  ) {}

  async expand(parent: ThoughtNode, n: number, ctx: SearchContext): Promise<ThoughtNode[]> {
    const written = await write(this.source, parent, n, this.speculative, ctx);
    written.forEach((w) => emitDrafted(w, ctx));
    const children = written.map((w) => w.node);
    await score(children, ctx);
    return children;
  }
}

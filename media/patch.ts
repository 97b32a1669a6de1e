// Keyed DOM updates for the panel: a part or a tree row whose HTML is unchanged keeps its element (and its
// custom elements, focus and layout); only new or changed ones are parsed. A search's events change a few
// rows each frame, so a frame costs what changed, not the whole tree.
import type { PanelPart } from './render';
import { TREE_OPEN } from './tree';

interface Kept {
  html: string;
  el: Element;
}

const template = document.createElement('template');

function element(html: string): Element {
  template.innerHTML = html;
  const el = template.content.firstElementChild;
  if (!el || template.content.childElementCount !== 1) throw new Error(`a panel part must be one element: ${html.slice(0, 80)}`);
  return el;
}

/** Places `wanted` as the children of `parent`, in order, moving only what is out of place. */
function arrange(parent: Element, wanted: readonly Element[]): void {
  const keep = new Set(wanted);
  for (const child of Array.from(parent.children)) if (!keep.has(child)) child.remove();
  wanted.forEach((el, i) => {
    const at = parent.children[i];
    if (at !== el) parent.insertBefore(el, at ?? null);
  });
}

/**
 * New rows parsed per frame at most. A whole saved trace (hundreds of rows) shows its first screenful in
 * the first frame, and the rest follows in the next frames: `incomplete` tells the page to render again.
 */
export const ROWS_PER_FRAME = 24;

export class PanelPatcher {
  private parts = new Map<string, Kept>();
  private rows = new Map<string, Kept>();
  private tree: Element | null = null;
  /** Rows were left for the next frame. */
  incomplete = false;

  constructor(private readonly root: HTMLElement) {}

  patch(parts: readonly PanelPart[]): void {
    const nextParts = new Map<string, Kept>();
    const order: Element[] = [];
    for (const part of parts) {
      if ('rows' in part) {
        this.tree ??= element(`${TREE_OPEN}</div>`);
        this.patchRows(this.tree, part.rows);
        order.push(this.tree);
        continue;
      }
      if (part.html === '') continue;
      const old = this.parts.get(part.key);
      const kept = old && old.html === part.html ? old : { html: part.html, el: element(part.html) };
      nextParts.set(part.key, kept);
      order.push(kept.el);
    }
    if (!parts.some((p) => 'rows' in p)) {
      this.tree = null;
      this.rows.clear();
      this.incomplete = false;
    }
    this.parts = nextParts;
    arrange(this.root, order);
  }

  private patchRows(tree: Element, all: readonly { key: string; html: string }[]): void {
    const next = new Map<string, Kept>();
    const fresh: { key: string; html: string }[] = [];
    let shown = all.length;
    for (const [i, row] of all.entries()) {
      const old = this.rows.get(row.key);
      if (old && old.html === row.html) next.set(row.key, old);
      else if (fresh.length === ROWS_PER_FRAME) {
        // The tree shows the rows before this one now, the rest next frame (a prefix: rows keep their order).
        shown = i;
        break;
      } else fresh.push(row);
    }
    this.incomplete = shown < all.length;
    const rows = all.slice(0, shown);
    // New and changed rows are parsed together: one parse of many rows costs far less than many parses.
    if (fresh.length > 0) {
      template.innerHTML = fresh.map((r) => r.html).join('');
      const els = Array.from(template.content.children);
      if (els.length !== fresh.length) throw new Error(`${fresh.length} tree rows gave ${els.length} elements`);
      fresh.forEach((r, i) => next.set(r.key, { html: r.html, el: els[i] }));
    }
    this.rows = next;
    arrange(
      tree,
      rows.map((r) => (next.get(r.key) as Kept).el),
    );
  }
}

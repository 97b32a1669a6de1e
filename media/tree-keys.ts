// Keyboard navigation of the thought tree (WAI-ARIA tree pattern, roving tabindex over flat rows).

export interface TreeActions {
  /** Expand or collapse the row (a thought's children or a rejected-draft group). */
  toggle(row: HTMLElement): void;
  /** Follow the row's link (a correction to the draft it replaced, and back). */
  follow(row: HTMLElement): void;
}

const rows = (tree: HTMLElement) => Array.from(tree.querySelectorAll<HTMLElement>('[role="treeitem"]'));

/** Exactly one row is tabbable; it keeps that role across re-renders (by its data-id / data-group). */
export function focusRow(tree: HTMLElement, row: HTMLElement | null | undefined, moveFocus = true): void {
  if (!row) return;
  for (const r of Array.from(tree.querySelectorAll<HTMLElement>('[role="treeitem"][tabindex="0"]'))) {
    r.tabIndex = -1;
    r.setAttribute('aria-selected', 'false');
  }
  row.tabIndex = 0;
  row.setAttribute('aria-selected', 'true');
  if (moveFocus) {
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: 'nearest' });
  }
}

export function rowKey(row: HTMLElement): string {
  return row.dataset.id ? `id:${row.dataset.id}` : `group:${row.dataset.group ?? ''}`;
}

export function findRow(tree: HTMLElement, key: string | null): HTMLElement | null {
  if (!key) return null;
  const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  return rows(tree).find((r) => (kind === 'id' ? r.dataset.id === value : r.dataset.group === value)) ?? null;
}

export function onTreeKey(tree: HTMLElement, event: KeyboardEvent, actions: TreeActions): void {
  const all = rows(tree);
  const current = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
  if (!current) return;
  const i = all.indexOf(current);
  const expanded = current.getAttribute('aria-expanded');
  const level = Number(current.getAttribute('aria-level'));
  let handled = true;
  switch (event.key) {
    case 'ArrowDown':
      focusRow(tree, all[i + 1]);
      break;
    case 'ArrowUp':
      focusRow(tree, all[i - 1]);
      break;
    case 'Home':
      focusRow(tree, all[0]);
      break;
    case 'End':
      focusRow(tree, all[all.length - 1]);
      break;
    case 'ArrowRight':
      if (expanded === 'false') actions.toggle(current);
      else if (expanded === 'true') focusRow(tree, all[i + 1]);
      break;
    case 'ArrowLeft':
      if (expanded === 'true') actions.toggle(current);
      else {
        // The parent is the nearest row above with a lower level.
        for (let j = i - 1; j >= 0; j--) {
          if (Number(all[j].getAttribute('aria-level')) < level) {
            focusRow(tree, all[j]);
            break;
          }
        }
      }
      break;
    case 'Enter':
    case ' ':
      if (event.key === 'Enter' && current.querySelector('.goto')) actions.follow(current);
      else if (expanded !== null) actions.toggle(current);
      break;
    default:
      handled = false;
  }
  if (handled) event.preventDefault();
}

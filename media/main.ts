// The reasoning panel page: receives SearchEvents, reduces them, renders at most once per frame.
import katex from 'katex';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import './panel.css';
import type { FromPanel, ToPanel } from './messages';
import { emptyState, reduceAll, toggleFold, toggleGroup, type PanelState } from './reducer';
import { PanelPatcher } from './patch';
import { panelParts, type RenderOptions } from './render';
import { groupsHiding, shownAs } from './tree';
import { findRow, focusRow, onTreeKey, rowKey } from './tree-keys';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): Saved | undefined;
  setState(state: Saved): void;
}
interface Saved {
  panel: PanelState;
  profile: RenderOptions['profile'];
  focused: string | null;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
const saved = vscode.getState();
// A state saved by an earlier version lacks the newer fields: the empty state supplies them.
let state: PanelState = saved?.panel ? { ...emptyState(), ...saved.panel } : emptyState();
let profile: RenderOptions['profile'] = saved?.profile ?? null;
let focused: string | null = saved?.focused ?? null;
let scheduled = false;
const patcher = new PanelPatcher(root);

// The panel re-renders every frame while a search runs; screen readers hear only the transitions.
const announcer = document.createElement('div');
announcer.className = 'sr-only';
announcer.setAttribute('aria-live', 'polite');
document.body.append(announcer);
let announced = state.current ? `${state.current}:${state.searches[state.current]?.status}` : '';

function announce(): void {
  const s = state.current ? state.searches[state.current] : undefined;
  if (!s) return;
  const text =
    s.status === 'running'
      ? `Search started: ${s.problem.slice(0, 80)}`
      : s.status === 'finished'
        ? `Search finished: answer ${s.answer ?? 'not found'}`
        : `Search failed: ${s.error?.message ?? ''}`;
  const key = `${s.searchId}:${s.status}`;
  if (key !== announced) {
    announced = key;
    announcer.textContent = text;
  }
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  // Events arrive in bursts (a node's drafts, scores, verdicts): one render per frame, whatever their number.
  requestAnimationFrame(() => {
    scheduled = false;
    render();
  });
}

function render(): void {
  const active = document.activeElement as HTMLElement | null;
  const hadFocus = active !== null && root.contains(active) && active.getAttribute('role') === 'treeitem';
  patcher.patch(panelParts(state, { tex: katex, profile }));
  if (patcher.incomplete) schedule();
  const tree = root.querySelector<HTMLElement>('[role="tree"]');
  if (tree) {
    const row = findRow(tree, focused) ?? tree.querySelector<HTMLElement>('.row.on-path:last-of-type') ?? tree.querySelector<HTMLElement>('[role="treeitem"]');
    focusRow(tree, row, hadFocus);
    revealPending(tree);
  }
  // Elements that did not change stay in place, so the scroll position needs no restoring (restoring it
  // would force a layout in the middle of the frame).
  saveState();
  announce();
}

let saveTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * The saved state (restored when the panel is shown again) is the whole trace: it is cloned on every save,
 * so a running search saves it at most twice a second; a finished or failed one right after the frame, and a
 * page being hidden at once.
 */
function saveState(): void {
  const running = state.current !== null && state.searches[state.current]?.status === 'running';
  // Never inside the frame: the clone would delay what the user sees.
  if (!running && saveTimer) clearTimeout(saveTimer);
  if (!running) saveTimer = setTimeout(saveNow, 0);
  else saveTimer ??= setTimeout(saveNow, 500);
}

function saveNow(): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  vscode.setState({ panel: state, profile, focused });
}
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden' && saveTimer) saveNow();
});

window.addEventListener('message', (message: MessageEvent<ToPanel>) => {
  const m = message.data;
  switch (m.type) {
    case 'events': {
      // The extension may resend events the page restored from its saved state: skip those.
      const have = state.searches[m.searchId]?.events ?? 0;
      const fresh = m.events.slice(Math.max(0, have - m.from));
      if (m.from > have && have > 0) return;
      state = reduceAll(fresh, state);
      break;
    }
    case 'show': {
      // A search whose tab a later search of the same problem took is shown by that one.
      const id = state.replaced[m.searchId] ?? m.searchId;
      if (state.searches[id]) state = { ...state, current: id };
      break;
    }
    case 'profile':
      profile = { profile: m.profile, models: m.models };
      break;
  }
  schedule();
});

function post(message: FromPanel): void {
  vscode.postMessage(message);
}

function goTo(target: string): void {
  const s = state.current ? state.searches[state.current] : undefined;
  if (!s || !s.thoughts[target]) return;
  // A thought collapsed into an identical sibling's row ("×12") is shown by that row.
  const id = shownAs(s, target);
  // Open what hides the thought: rejected-draft and other-branch groups, and any folded ancestor.
  for (const group of groupsHiding(s, id)) if (!state.openGroups[group]) state = toggleGroup(state, group);
  for (let p = s.thoughts[id].parentId; p; p = s.thoughts[p]?.parentId ?? null) {
    if (state.folded[`${s.searchId}/${p}`]) state = toggleFold(state, `${s.searchId}/${p}`);
  }
  focused = `id:${id}`;
  revealing = focused;
  render();
}

/** The row a link asked for, until it is in the DOM (rows arrive ROWS_PER_FRAME at a time) and scrolled to. */
let revealing: string | null = null;

/**
 * Rows out of view are laid out only when scrolled near (content-visibility), at their real height: one
 * scroll lands short of a row far below. Scroll, then again on the next frames until the row stays in view.
 */
function reveal(row: HTMLElement, tries = 4): void {
  row.scrollIntoView({ block: 'center' });
  requestAnimationFrame(() => {
    const box = row.getBoundingClientRect();
    if (tries > 1 && row.isConnected && (box.top < 0 || box.bottom > window.innerHeight)) reveal(row, tries - 1);
  });
}

function revealPending(tree: HTMLElement): void {
  if (!revealing) return;
  const row = findRow(tree, revealing);
  if (!row) return;
  revealing = null;
  focusRow(tree, row);
  reveal(row);
  row.classList.add('flash');
}

function toggle(row: HTMLElement): void {
  focused = rowKey(row);
  if (row.dataset.group) state = toggleGroup(state, row.dataset.group);
  else if (row.dataset.id && state.current) state = toggleFold(state, `${state.current}/${row.dataset.id}`);
  render();
  const tree = root.querySelector<HTMLElement>('[role="tree"]');
  if (tree) focusRow(tree, findRow(tree, focused));
}

root.addEventListener('click', (event) => {
  const target = event.target as HTMLElement;
  const action = target.closest<HTMLElement>('[data-action]')?.dataset.action;
  const searchId = state.current;
  if (action === 'solveSelection') return post({ type: 'solveSelection' });
  if (action && searchId && (action === 'stop' || action === 'export' || action === 'rerun' || action === 'copy')) return post({ type: action, searchId });
  if (searchId && (action === 'insert' || action === 'insertWorked')) return post({ type: 'insert', searchId, worked: action === 'insertWorked' });
  const select = target.closest<HTMLElement>('[data-select]')?.dataset.select;
  if (select) {
    state = { ...state, current: select };
    focused = null;
    revealing = null;
    return render();
  }
  const goto = target.closest<HTMLElement>('[data-goto]')?.dataset.goto;
  if (goto) {
    event.preventDefault();
    return goTo(goto);
  }
  const row = target.closest<HTMLElement>('[role="treeitem"]');
  if (row) {
    focused = rowKey(row);
    if (target.closest('.twisty') || row.dataset.group) toggle(row);
    else focusRow(row.closest('[role="tree"]')!, row);
  }
});

root.addEventListener('keydown', (event) => {
  const tab = (event.target as HTMLElement).closest<HTMLElement>('[role="tab"]');
  if (tab) return onTabKey(tab, event);
  const tree = (event.target as HTMLElement).closest<HTMLElement>('[role="tree"]');
  if (!tree) return;
  onTreeKey(tree, event, {
    toggle,
    follow: (row) => {
      const id = row.querySelector<HTMLElement>('.goto')?.dataset.goto;
      if (id) goTo(id);
    },
  });
  const row = tree.querySelector<HTMLElement>('[role="treeitem"][tabindex="0"]');
  if (row) focused = rowKey(row);
});

/** The tab list is one Tab stop; ←/→ (and Home/End) select the previous or next search, as in VS Code's own tabs. */
function onTabKey(tab: HTMLElement, event: KeyboardEvent): void {
  const tabs = Array.from(root.querySelectorAll<HTMLElement>('[role="tab"]'));
  const i = tabs.indexOf(tab);
  const next =
    event.key === 'ArrowRight'
      ? tabs[(i + 1) % tabs.length]
      : event.key === 'ArrowLeft'
        ? tabs[(i - 1 + tabs.length) % tabs.length]
        : event.key === 'Home'
          ? tabs[0]
          : event.key === 'End'
            ? tabs[tabs.length - 1]
            : null;
  if (!next?.dataset.select) return;
  event.preventDefault();
  state = { ...state, current: next.dataset.select };
  focused = null;
  revealing = null;
  render();
  root.querySelector<HTMLElement>(`[role="tab"][data-select="${CSS.escape(next.dataset.select)}"]`)?.focus();
}

render();
const have: Record<string, number> = {};
for (const id of state.order) have[id] = state.searches[id].events;
post({ type: 'ready', have });

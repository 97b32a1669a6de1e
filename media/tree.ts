// The thought tree as flat keyed rows: the answer's path first, the other branches and the drafts that were
// not kept folded under it, identical siblings merged into one row.
import { keptIds, type PanelState, type SearchView, type ThoughtView } from './reducer';
import { escapeHtml as e, renderMath, type TexRenderer } from './math';

const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** A tree row: its key (the thought's or the group's) and its HTML, one element, rendered when first asked for. */
export interface TreeRow {
  key: string;
  readonly html: string;
}

/** A row whose HTML (KaTeX included) is built on first read: rows a frame does not reach cost nothing. */
function lazyRow(key: string, build: () => string): TreeRow {
  let html: string | null = null;
  return {
    key,
    get html() {
      return (html ??= build());
    },
  };
}

/** The tree's element around its rows. */
export const TREE_OPEN = '<div class="tree" role="tree" aria-label="Thought tree">';

interface TreeContext {
  s: SearchView;
  state: PanelState;
  tex: TexRenderer | null;
  beam: Set<string>;
  path: Set<string>;
  out: TreeRow[];
}

/** The tree is flat in the DOM (rows with aria-level): cheap to patch, and indentation stays bounded at depth 50. */
export function treeRows(s: SearchView, state: PanelState, tex: TexRenderer | null): TreeRow[] {
  const { beam, path } = keptIds(s);
  const ctx: TreeContext = { s, state, tex, beam, path, out: [] };
  renderChildren(ctx, null, s.roots, 1);
  return ctx.out;
}

const dropped = (t: ThoughtView) => t.verdict === 'rejected' || t.verdict === 'surplus';

/** The key of a node's group of drafts that were not kept (`…/parent`) or of its other branches (`…/parent#branches`). */
const groupKey = (s: SearchView, parentId: string | null, branches: boolean) => `${s.searchId}/${parentId ?? ''}${branches ? '#branches' : ''}`;

function renderChildren(ctx: TreeContext, parentId: string | null, ids: string[], level: number): void {
  const shown: ThoughtView[] = [];
  const others: ThoughtView[] = [];
  const rejected: ThoughtView[] = [];
  const onPath = ids.some((id) => ctx.path.has(id));
  for (const id of ids) {
    const t = ctx.s.thoughts[id];
    if (!t) continue;
    // Drafts that were not kept fold into one row per node: a 500-thought trace stays readable (and cheap).
    if (dropped(t) && !ctx.path.has(id)) rejected.push(t);
    // Where the answer's path passes, its thought comes first and the other branches fold under it.
    else if (onPath && !ctx.path.has(id)) others.push(t);
    else shown.push(t);
  }
  const kept = collapseIdentical(shown, ctx.path);
  const setSize = kept.length + (others.length > 0 ? 1 : 0) + (rejected.length > 0 ? 1 : 0);
  kept.forEach(([t, twins], i) => renderThought(ctx, t, level, i + 1, setSize, twins));
  if (others.length > 0) renderBranches(ctx, parentId, others, level, kept.length + 1, setSize);
  if (rejected.length > 0) renderGroup(ctx, parentId, rejected, level, setSize);
}

/** Thoughts that say the same as an earlier sibling (same text, writer and verdict, nothing below). */
const sameKey = (t: ThoughtView) => `${t.source}\u0000${t.replaces ? 'corrected' : (t.verdict ?? 'pending')}\u0000${t.text.trim()}`;
const collapsible = (t: ThoughtView, path: ReadonlySet<string>) => t.children.length === 0 && !path.has(t.id);

/**
 * Siblings that repeat one another ("The answer is 32." twelve times, or five rewrites with one text) show
 * as one row with "×12": the first of them, with all its twins. Thoughts with children or on the answer
 * path keep their own rows.
 */
export function collapseIdentical(siblings: readonly ThoughtView[], path: ReadonlySet<string>): [ThoughtView, ThoughtView[]][] {
  const first = new Map<string, [ThoughtView, ThoughtView[]]>();
  const out: [ThoughtView, ThoughtView[]][] = [];
  for (const t of siblings) {
    if (!collapsible(t, path)) {
      out.push([t, [t]]);
      continue;
    }
    const key = sameKey(t);
    const seen = first.get(key);
    if (seen) seen[1].push(t);
    else {
      const entry: [ThoughtView, ThoughtView[]] = [t, [t]];
      first.set(key, entry);
      out.push(entry);
    }
  }
  return out;
}

const siblingsOf = (s: SearchView, t: ThoughtView) => (t.parentId === null ? s.roots : (s.thoughts[t.parentId]?.children ?? []));

/** The row that shows a thought: itself, or the earlier identical sibling it was collapsed into. */
export function shownAs(s: SearchView, id: string): string {
  const t = s.thoughts[id];
  const path = keptIds(s).path;
  if (!t || !collapsible(t, path)) return id;
  // The first sibling with the same text, writer and verdict is the row (collapseIdentical keeps the first).
  const siblings = siblingsOf(s, t)
    .map((c) => s.thoughts[c])
    .filter((c): c is ThoughtView => c !== undefined);
  const key = sameKey(t);
  const twin = siblings.find((c) => collapsible(c, path) && sameKey(c) === key);
  return twin?.id ?? id;
}

/** The groups (drafts not kept, other branches) that hide a thought or one of its ancestors, so "go to" opens them. */
export function groupsHiding(s: SearchView, id: string): string[] {
  const path = new Set(s.path);
  const keys: string[] = [];
  for (let t: ThoughtView | undefined = s.thoughts[id]; t; t = t.parentId === null ? undefined : s.thoughts[t.parentId]) {
    if (path.has(t.id)) continue;
    if (dropped(t)) keys.push(groupKey(s, t.parentId, false));
    else if (siblingsOf(s, t).some((c) => path.has(c))) keys.push(groupKey(s, t.parentId, true));
  }
  return keys;
}

/** What a row says of its thought's verdict: judged, rewritten, the large model's reference, or not judged (yet). */
type Shown = 'accepted' | 'surplus' | 'rejected' | 'corrected' | 'reference' | 'pending' | 'unjudged';

function shownVerdict(s: SearchView, t: ThoughtView): Shown {
  if (t.replaces) return 'corrected';
  if (t.verdict) return t.verdict;
  if (t.reference) return 'reference';
  return s.status === 'running' ? 'pending' : 'unjudged';
}

const VERDICTS: Record<Shown, { icon: string; label: string; title: string }> = {
  accepted: { icon: 'check', label: 'accepted', title: 'accepted ✓: the PRM scored it at or above β' },
  surplus: { icon: 'dash', label: 'spare', title: 'spare: passed β, but enough better drafts were kept' },
  rejected: { icon: 'close', label: 'rejected', title: 'rejected ✗: the PRM scored it below β' },
  corrected: { icon: 'sync', label: 'corrected', title: 'corrected ↻: the large model rewrote a rejected draft' },
  reference: { icon: 'bookmark', label: 'reference thought', title: 'reference thought: the large model writes it at the first step; its PRM score sets β' },
  pending: { icon: 'circle-outline', label: 'not judged yet', title: 'not judged yet' },
  unjudged: { icon: 'circle-small', label: 'not judged against β', title: 'not judged against β (this method or the stopped search did not judge it)' },
};

function renderThought(ctx: TreeContext, t: ThoughtView, level: number, pos: number, size: number, twins: ThoughtView[] = [t]): void {
  const key = `${ctx.s.searchId}/${t.id}`;
  const folded = ctx.state.folded[key] === true;
  const hasChildren = t.children.length > 0;
  const verdict = shownVerdict(ctx.s, t);
  const copies = twins.length;
  const classes = ['row', 'thought', verdict, t.source === 'small' ? 'small' : 'large'];
  if (ctx.path.has(t.id)) classes.push('on-path');
  if (ctx.beam.has(t.id)) classes.push('in-beam');
  if (t.id === ctx.s.answerThoughtId) classes.push('answer-step');
  ctx.out.push(
    lazyRow(`id:${t.id}`, () => {
      const label = [
        `${positionOf(ctx.s, t.id)}: ${t.text.length > 200 ? `${t.text.slice(0, 199)}…` : t.text}`,
        `written by the ${t.source} model`,
        t.thoughtScore !== null
          ? `score ${fmt(t.thoughtScore)}${t.score !== null && t.score !== t.thoughtScore ? ` (path ${fmt(t.score)})` : ''}`
          : 'not scored yet',
        t.threshold !== null ? `threshold ${fmt(t.threshold)}` : '',
        verdict === 'corrected'
          ? `rewrite of ${positionsOf(
              ctx.s,
              twins.map((w) => w.replaces as string),
            )}`
          : VERDICTS[verdict].label,
        ctx.beam.has(t.id) ? 'kept in the beam' : '',
        ctx.path.has(t.id) ? 'on the answer path' : '',
        copies > 1 ? `${copies} identical thoughts` : '',
      ]
        .filter(Boolean)
        .join(', ');
      return (
        `<div class="${classes.join(' ')}" role="treeitem" id="n-${e(t.id)}" data-id="${e(t.id)}" data-parent="${e(t.parentId ?? '')}" ` +
        `aria-level="${level}" aria-posinset="${pos}" aria-setsize="${size}"${hasChildren ? ` aria-expanded="${!folded}"` : ''} aria-label="${e(label)}" tabindex="-1" style="--level:${Math.min(level - 1, 24)}">` +
        `<span class="twisty codicon ${hasChildren ? (folded ? 'codicon-chevron-right' : 'codicon-chevron-down') : 'codicon-blank'}" aria-hidden="true"></span>` +
        `<span class="verdict ${verdict} codicon codicon-${VERDICTS[verdict].icon}" title="${VERDICTS[verdict].title}" aria-hidden="true"></span>` +
        `<span class="src ${e(t.source)}" title="written by the ${e(t.source)} model">${e(t.source)}</span>` +
        scoreMeter(t) +
        `<span class="text">${renderMath(t.text, ctx.tex)}</span>` +
        (copies > 1
          ? `<span class="copies" title="${copies} ${t.source === 'small' ? 'drafts' : 'thoughts'} with this text (${copies - 1} more not shown)">×${copies}</span>`
          : '') +
        links(ctx.s, t, twins) +
        `<span class="cost dim">${e(String(t.tokens))} tok · ${e(String(Math.round(Number(t.ms))))} ms${t.speculative ? ` · spec ${e(String(t.speculative.accepted))}/${e(String(t.speculative.drafted))}` : ''}</span>` +
        `</div>`
      );
    }),
  );
  if (hasChildren && !folded) renderChildren(ctx, t.id, t.children, level + 1);
}

/** A group row (closed by default) and, when open, its thoughts one level below. */
function renderFolded(
  ctx: TreeContext,
  key: string,
  parentId: string | null,
  level: number,
  pos: number,
  size: number,
  row: { kind: string; icon: string; summary: string; title: string },
  members: ThoughtView[],
): void {
  const open = ctx.state.openGroups[key] === true;
  ctx.out.push(
    lazyRow(
      `group:${key}`,
      () =>
        `<div class="row group ${row.kind}" role="treeitem" data-group="${e(key)}" data-parent="${e(parentId ?? '')}" aria-level="${level}" aria-posinset="${pos}" aria-setsize="${size}" ` +
        `aria-expanded="${open}" aria-label="${e(row.summary)}" title="${e(row.title)}" tabindex="-1" style="--level:${Math.min(level - 1, 24)}">` +
        `<span class="twisty codicon ${open ? 'codicon-chevron-down' : 'codicon-chevron-right'}" aria-hidden="true"></span>` +
        `<span class="codicon codicon-${row.icon} verdict ${row.kind}" aria-hidden="true"></span>` +
        `<span class="dim">${e(row.summary)}</span></div>`,
    ),
  );
  // Closed groups render nothing of their thoughts: the cost of a trace follows what is visible.
  if (open) {
    const distinct = collapseIdentical(members, ctx.path);
    distinct.forEach(([t, twins], i) => renderThought(ctx, t, level + 1, i + 1, distinct.length, twins));
  }
}

function renderBranches(ctx: TreeContext, parentId: string | null, others: ThoughtView[], level: number, pos: number, size: number): void {
  const summary = `${others.length} other branch${others.length === 1 ? '' : 'es'}, off the answer's path`;
  const title = 'Thoughts the search kept at this step that the answer does not build on';
  renderFolded(ctx, groupKey(ctx.s, parentId, true), parentId, level, pos, size, { kind: 'branches', icon: 'type-hierarchy-sub', summary, title }, others);
}

function renderGroup(ctx: TreeContext, parentId: string | null, group: ThoughtView[], level: number, size: number): void {
  const rejected = group.filter((t) => t.verdict === 'rejected');
  const spare = group.length - rejected.length;
  const best = Math.max(...rejected.map((t) => t.thoughtScore ?? 0));
  const beta = group[0].threshold;
  const summary = [
    rejected.length > 0
      ? `${rejected.length} rejected draft${rejected.length === 1 ? '' : 's'} (best ${fmt(best)}${beta !== null ? ` < β ${fmt(beta)}` : ''})`
      : '',
    spare > 0 ? `${spare} spare (passed β, not needed)` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const title = 'Rejected: the PRM scored the draft below the threshold β. Spare: it passed β, but enough better drafts were kept.';
  const row = rejected.length > 0 ? { kind: 'rejected', icon: 'close', summary, title } : { kind: 'surplus', icon: 'dash', summary, title };
  renderFolded(ctx, groupKey(ctx.s, parentId, false), parentId, level, size, size, row, group);
}

function scoreMeter(t: ThoughtView): string {
  if (t.thoughtScore === null) return `<span class="meter empty" aria-hidden="true"></span><span class="score dim">—</span>`;
  const score = t.thoughtScore;
  const passed = t.threshold === null || score >= t.threshold;
  const mark = t.threshold !== null ? `<span class="mark" style="left:${(t.threshold * 100).toFixed(1)}%"></span>` : '';
  const path = t.score !== null && t.score !== score ? `; the path up to here ${fmt(t.score)}` : '';
  const title = `PRM (process reward model) score ${fmt(score)}${t.threshold !== null ? ` ${passed ? '≥' : '<'} threshold β ${fmt(t.threshold)}` : ''}${path}`;
  return (
    `<span class="meter ${passed ? 'pass' : 'fail'}" title="${title}" aria-hidden="true"><span class="fill" style="width:${(score * 100).toFixed(1)}%"></span>${mark}</span>` +
    `<span class="score" title="${title}">${fmt(score)}</span>`
  );
}

/** A merged row links to the first of its targets and names them all ("replaces step 2, drafts 1–5"). */
function links(s: SearchView, t: ThoughtView, twins: ThoughtView[]): string {
  if (t.replaces) {
    const targets = twins.map((w) => w.replaces as string);
    return `<a href="#" class="goto link" data-goto="${e(t.replaces)}" title="Show the rejected draft this rewrite replaces (${e(t.replaces)})"><span class="glyph" aria-hidden="true">↻</span> replaces ${e(positionsOf(s, targets))}</a>`;
  }
  if (t.replacedBy) {
    const targets = twins.flatMap((w) => (w.replacedBy ? [w.replacedBy] : []));
    return `<a href="#" class="goto link" data-goto="${e(t.replacedBy)}" title="Show the large model's rewrite (${e(t.replacedBy)})"><span class="glyph" aria-hidden="true">↻</span> rewritten as ${e(positionsOf(s, targets))}</a>`;
  }
  return '';
}

/** Where a thought sits, as a reader counts: "step 2, draft 3" (its place among its parent's children). */
export function positionOf(s: SearchView, id: string): string {
  const p = placeOf(s, id);
  return p ? `step ${p.depth}, ${p.kind} ${p.k > 0 ? p.k : '?'}` : id;
}

function placeOf(s: SearchView, id: string): { depth: number; kind: string; k: number } | null {
  const t = s.thoughts[id];
  if (!t) return null;
  return { depth: t.depth, kind: t.source === 'small' ? 'draft' : 'thought', k: siblingsOf(s, t).indexOf(id) + 1 };
}

/** Several places at one step as one phrase: "step 2, drafts 1–3, 5"; otherwise each place in turn. */
export function positionsOf(s: SearchView, ids: string[]): string {
  if (ids.length <= 1) return ids.length === 1 ? positionOf(s, ids[0]) : '';
  const places = ids.map((id) => placeOf(s, id));
  const first = places[0];
  if (!first || places.some((p) => !p || p.depth !== first.depth || p.kind !== first.kind || p.k < 1)) return ids.map((id) => positionOf(s, id)).join('; ');
  const ks = [...new Set(places.map((p) => p!.k))].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < ks.length; i++) {
    let j = i;
    while (j + 1 < ks.length && ks[j + 1] === ks[j] + 1) j++;
    runs.push(j > i ? `${ks[i]}–${ks[j]}` : String(ks[i]));
    i = j;
  }
  return `step ${first.depth}, ${first.kind}s ${runs.join(', ')}`;
}

// Renders the panel state to HTML strings (pure: unit-tested in Node, assigned to innerHTML in the page).
import { acceptanceRate, keptIds, type PanelState, type SearchView, type ThoughtView } from './reducer';
import { escapeHtml, renderMath, type TexRenderer } from './math';
import { describeStep, explainPath } from '../src/core/explain';
import { confidenceMeaning, confidenceText } from '../src/core/verdict';

export interface RenderOptions {
  tex: TexRenderer | null;
  profile?: { profile: string; models: { small: string; large: string; prm: string } | null } | null;
}

const e = escapeHtml;
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const seconds = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`);
const percent = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);

/** One top-level element of the page, or the thought tree as keyed rows (the page patches only what changed). */
export type PanelPart = { key: string; html: string } | { key: 'tree'; rows: TreeRow[] };

/** A tree row: its key (the thought's or the group's) and its HTML, one element, rendered when first asked for. */
export interface TreeRow {
  key: string;
  readonly html: string;
}

/** A row whose HTML (KaTeX included) is built on first read: rows a frame does not reach cost nothing. */
function lazyRow(key: string, build: () => string): TreeRow {
  let html: string | null = null;
  return { key, get html() { return (html ??= build()); } };
}

/** The tree's element around its rows. */
export const TREE_OPEN = '<div class="tree" role="tree" aria-label="Thought tree">';

/** The page as parts in order; each html is one element (or empty: no element). */
export function panelParts(state: PanelState, options: RenderOptions): PanelPart[] {
  const s = state.current ? state.searches[state.current] : undefined;
  if (!s) return [{ key: 'empty', html: renderEmpty(options) }];
  const rows = treeRows(s, state, options);
  return [
    { key: 'tabs', html: renderTabs(state) },
    { key: 'header', html: renderHeader(s, options) },
    { key: 'answer', html: renderAnswer(s, options) },
    { key: 'explanation', html: renderExplanation(s, options) },
    { key: 'stats', html: renderStats(s) },
    { key: 'beams', html: renderBeams(s) },
    rows.length === 0 ? { key: 'tree-empty', html: '<p class="dim tree-empty">Waiting for the first thought…</p>' } : { key: 'tree', rows },
  ];
}

/** The whole page as one string (tests, and the first paint). */
export function renderPanel(state: PanelState, options: RenderOptions): string {
  return panelParts(state, options).map((p) => ('rows' in p ? `${TREE_OPEN}${p.rows.map((r) => r.html).join('')}</div>` : p.html)).join('');
}

function renderEmpty(options: RenderOptions): string {
  const p = options.profile;
  const models = p?.models
    ? `<ul class="models">${(['small', 'large', 'prm'] as const).map((r) => `<li><b>${r}</b> ${e(p.models![r])}</li>`).join('')}</ul>`
    : '';
  return `<section class="empty" aria-label="No search yet">
<p>No search yet. Select a problem in an editor and run <b>SpecSearch: Solve Selection</b>
(<kbd>Ctrl+Alt+S</kbd>), or click <b>Solve</b> above a problem in a Markdown, text or LaTeX file.</p>
<vscode-button data-action="solveSelection">Solve Selection</vscode-button>
${p ? `<p class="profile">Profile <b>${e(p.profile)}</b></p>${models}` : ''}
</section>`;
}

function renderTabs(state: PanelState): string {
  if (state.order.length < 2) return '';
  const tabs = [...state.order].reverse().map((id) => {
    const s = state.searches[id];
    const selected = id === state.current;
    const icon = s.status === 'running' ? 'loading codicon-modifier-spin' : stopped(s) ? 'stop-circle' : s.status === 'failed' ? 'error' : 'pass';
    const problem = s.problem.length > 24 ? `${s.problem.slice(0, 23)}…` : s.problem;
    const outcome = s.status === 'running' ? 'running' : s.status === 'failed' ? (stopped(s) ? 'stopped' : 'failed') : s.answer === null ? 'no answer' : `${s.verified ? '' : '⚠ '}${s.answer}`;
    const label = `${s.method} · ${outcome.length > 16 ? `${outcome.slice(0, 15)}…` : outcome} · ${problem}`;
    // One Tab stop for the whole tab list; the arrow keys move between tabs (media/main.ts).
    return `<button class="tab${selected ? ' selected' : ''}" role="tab" aria-selected="${selected}" tabindex="${selected ? 0 : -1}" data-select="${e(id)}" title="${e(`${s.method}, ${outcome}: ${s.problem}`)}"><span class="codicon codicon-${icon}" aria-hidden="true"></span>${e(label)}</button>`;
  });
  return `<nav class="tabs" role="tablist" aria-label="Recent searches">${tabs.join('')}</nav>`;
}

function renderHeader(s: SearchView, options: RenderOptions): string {
  const running = s.status === 'running';
  const buttons = [
    running ? `<vscode-button data-action="stop" secondary aria-label="Stop this search"><span class="codicon codicon-stop-circle"></span> Stop</vscode-button>` : '',
    `<vscode-button data-action="export" secondary aria-label="Export the trace as JSON"><span class="codicon codicon-export"></span> Export Trace</vscode-button>`,
    running ? '' : `<vscode-button data-action="rerun" secondary aria-label="Run this problem again with another method"><span class="codicon codicon-refresh"></span> Rerun with…</vscode-button>`,
  ].join('');
  const status = running
    ? `<span class="status running"><span class="codicon codicon-loading codicon-modifier-spin"></span> ${s.depth > 0 ? `depth ${s.depth}` : 'loading models…'}</span>`
    : s.status === 'failed'
      ? stopped(s) ? '<span class="status failed stopped">stopped</span>' : '<span class="status failed">failed</span>'
      : '<span class="status finished">finished</span>';
  return `<header class="search">
${renderProblem(s.problem, options)}
<div class="meta"><vscode-badge>${e(s.mode)}</vscode-badge><vscode-badge>${e(s.method)}</vscode-badge><vscode-badge>${e(s.algorithm)}</vscode-badge>${status}</div>
<div class="actions">${buttons}</div>
</header>`;
}

/** Explain mode: the answer's path step by step, in plain words, with what was rejected and rewritten there. */
function renderExplanation(s: SearchView, options: RenderOptions): string {
  if (s.mode !== 'explain' || s.status !== 'finished' || s.path.length === 0) return '';
  const thought = (id: string) => {
    const t = s.thoughts[id];
    return t && { id, parentId: t.parentId, source: t.source, text: t.text, score: t.thoughtScore, verdict: t.verdict, threshold: t.threshold, replaces: t.replaces };
  };
  const childrenOf = (parentId: string | null) => (parentId === null ? s.roots : s.thoughts[parentId]?.children ?? []);
  const items = explainPath(s.path, thought, childrenOf).map((step) => {
    const [plain, ...story] = describeStep(step);
    return `<li><b>${e(plain)}</b> <a href="#" class="goto" data-goto="${e(step.id)}" title="Show this step in the tree">${renderMath(step.text, options.tex)}</a><div class="dim">${e(story.join(' '))}</div></li>`;
  });
  return `<section class="explanation" aria-label="Explanation"><h3>Explanation</h3><ol>${items.join('')}</ol></section>`;
}

/** Copy always; insert (one undo step, at the problem) only what the PRM backs. */
function answerActions(verified: boolean): string {
  const button = (action: string, icon: string, text: string, label: string) =>
    `<vscode-button data-action="${action}" secondary aria-label="${label}"><span class="codicon codicon-${icon}"></span> ${text}</vscode-button>`;
  return `<div class="answer-actions">${[
    button('copy', 'copy', 'Copy', 'Copy the answer'),
    verified ? button('insert', 'insert', 'Insert Answer', 'Insert the answer below the problem') : '',
    verified ? button('insertWorked', 'list-ordered', 'Insert Worked Solution', 'Insert the worked solution and the answer below the problem') : '',
  ].join('')}</div>`;
}

/** A long problem shows its start and an expander; the whole text is one click away. */
function renderProblem(problem: string, options: RenderOptions): string {
  if (problem.length <= LONG_PROBLEM) return `<div class="problem" aria-label="Problem">${renderMath(problem, options.tex)}</div>`;
  return `<details class="problem long" aria-label="Problem (${problem.length} characters)"><summary>${e(problem.slice(0, 240))}… <span class="dim">(${problem.length} characters: show all)</span></summary>${renderMath(problem, options.tex)}</details>`;
}

const LONG_PROBLEM = 400;

function stopped(s: SearchView): boolean {
  return s.status === 'failed' && s.error?.code === 'cancelled';
}

function renderAnswer(s: SearchView, options: RenderOptions): string {
  if (s.status === 'failed' && s.error) {
    // A search the user stopped is not an error: say so quietly and keep the thoughts below.
    if (stopped(s)) return `<section class="error stopped" role="status"><span class="codicon codicon-stop-circle"></span> ${e(s.error.message)} The thoughts written so far are kept below.</section>`;
    return `<section class="error" role="alert"><span class="codicon codicon-error"></span> <b>${e(s.error.message)}</b>${s.error.hint ? `<div class="hint">${e(s.error.hint)}</div>` : ''}</section>`;
  }
  if (s.status !== 'finished') return '';
  const answer = s.answer === null ? '<i>no answer found</i>' : renderMath(s.answer.includes('\\') ? `$${s.answer}$` : s.answer, options.tex);
  const link = s.answerThoughtId ? ` <a href="#" class="goto" data-goto="${e(s.answerThoughtId)}">path (${s.path.length} steps)</a>` : '';
  const confidence = ` <span class="dim confidence" title="${e(confidenceMeaning(s))}">${e(confidenceText(s))}</span>`;
  if (!s.verified) {
    return `<section class="answer unverified" aria-label="Unverified answer"><span class="codicon codicon-warning"></span> Unverified answer: <b class="value">${answer}</b>${confidence}${link}${s.caveat ? `<div class="hint">${e(s.caveat)}</div>` : ''}${s.answer !== null ? answerActions(false) : ''}</section>`;
  }
  return `<section class="answer" aria-label="Answer, verified"><span class="codicon codicon-pass"></span> Answer: <b class="value">${answer}</b> <span class="verified">verified</span>${confidence}${link}${answerActions(true)}</section>`;
}

function renderStats(s: SearchView): string {
  const st = s.stats;
  const rows: [string, string][] = [
    ['time', seconds(st?.wallMs ?? s.t)],
    ['acceptance', `${percent(acceptanceRate(s))} <span class="dim" title="drafts kept ✓ · drafts below β ✗ · drafts that passed β but were not needed">(${s.accepted} ✓ / ${s.rejected} ✗${s.surplus > 0 ? ` / ${s.surplus} spare` : ''})</span>`],
    ['corrections', String(st?.corrections ?? s.corrections)],
  ];
  if (st) {
    rows.push(['small model', `${st.small.tokens} tok · ${seconds(st.small.ms)}`]);
    rows.push(['large model', `${st.large.tokens} tok · ${seconds(st.large.ms)}`]);
    rows.push(['PRM', `${st.prm.calls} calls · ${seconds(st.prm.ms)}`]);
    if (st.speculative) rows.push(['speculation', `${percent(st.speculative.drafted === 0 ? null : st.speculative.accepted / st.speculative.drafted)} <span class="dim">(${st.speculative.accepted}/${st.speculative.drafted} tokens)</span>`]);
  }
  if (s.mctsIterations > 0) rows.push(['MCTS iterations', String(s.mctsIterations)]);
  return `<dl class="stats" aria-label="Statistics">${rows.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>`;
}

function renderBeams(s: SearchView): string {
  const depths = Object.keys(s.beams).map(Number).sort((a, b) => a - b);
  if (depths.length === 0) return '';
  const items = depths.map((d) => {
    const beta = s.thresholds[d];
    const chips = s.beams[d].map((id) => `<a href="#" class="chip" data-goto="${e(id)}">${e(id)}</a>`).join('');
    return `<li><span class="dim">d${d}${beta !== undefined ? ` β ${fmt(beta)}` : ''}</span> ${chips}</li>`;
  });
  return `<vscode-collapsible title="Beam at each depth" class="beams"><ul>${items.join('')}</ul></vscode-collapsible>`;
}

interface TreeContext {
  s: SearchView;
  state: PanelState;
  options: RenderOptions;
  beam: Set<string>;
  path: Set<string>;
  out: TreeRow[];
}

/** The tree is flat in the DOM (rows with aria-level): cheap to patch, and indentation stays bounded at depth 50. */
export function treeRows(s: SearchView, state: PanelState, options: RenderOptions): TreeRow[] {
  const { beam, path } = keptIds(s);
  const ctx: TreeContext = { s, state, options, beam, path, out: [] };
  renderChildren(ctx, null, s.roots, 1);
  return ctx.out;
}

function renderChildren(ctx: TreeContext, parentId: string | null, ids: string[], level: number): void {
  const shown: ThoughtView[] = [];
  const rejected: ThoughtView[] = [];
  for (const id of ids) {
    const t = ctx.s.thoughts[id];
    if (!t) continue;
    // Drafts that were not kept fold into one row per node: a 500-thought trace stays readable (and cheap).
    if ((t.verdict === 'rejected' || t.verdict === 'surplus') && !ctx.path.has(id)) rejected.push(t);
    else shown.push(t);
  }
  const kept = collapseIdentical(shown, ctx.path);
  const setSize = kept.length + (rejected.length > 0 ? 1 : 0);
  kept.forEach(([t, copies], i) => renderThought(ctx, t, level, i + 1, setSize, copies));
  if (rejected.length > 0) renderGroup(ctx, parentId, rejected, level, setSize);
}

/** Thoughts that say the same as an earlier sibling (same text, writer and verdict, nothing below). */
const sameKey = (t: ThoughtView) => `${t.source}\u0000${t.replaces ? 'corrected' : t.verdict ?? 'pending'}\u0000${t.text.trim()}`;
const collapsible = (t: ThoughtView, path: ReadonlySet<string>) => t.children.length === 0 && !path.has(t.id) && !t.replaces && !t.replacedBy;

/**
 * Siblings that repeat one another ("The answer is 32." twelve times) show as one row with "×12": the
 * first of them, and how many there are. Thoughts with children, on the answer path or linked to a
 * correction keep their own rows.
 */
export function collapseIdentical(siblings: readonly ThoughtView[], path: ReadonlySet<string>): [ThoughtView, number][] {
  const first = new Map<string, [ThoughtView, number]>();
  const out: [ThoughtView, number][] = [];
  for (const t of siblings) {
    if (!collapsible(t, path)) {
      out.push([t, 1]);
      continue;
    }
    const key = sameKey(t);
    const seen = first.get(key);
    if (seen) seen[1]++;
    else {
      const entry: [ThoughtView, number] = [t, 1];
      first.set(key, entry);
      out.push(entry);
    }
  }
  return out;
}

/** The row that shows a thought: itself, or the earlier identical sibling it was collapsed into. */
export function shownAs(s: SearchView, id: string): string {
  const t = s.thoughts[id];
  const path = keptIds(s).path;
  if (!t || !collapsible(t, path)) return id;
  // The first sibling with the same text, writer and verdict is the row (collapseIdentical keeps the first).
  const siblings = (t.parentId === null ? s.roots : s.thoughts[t.parentId]?.children ?? []).map((c) => s.thoughts[c]).filter((c): c is ThoughtView => c !== undefined);
  const key = sameKey(t);
  const twin = siblings.find((c) => collapsible(c, path) && sameKey(c) === key);
  return twin?.id ?? id;
}

function renderThought(ctx: TreeContext, t: ThoughtView, level: number, pos: number, size: number, copies = 1): void {
  const key = `${ctx.s.searchId}/${t.id}`;
  const folded = ctx.state.folded[key] === true;
  const hasChildren = t.children.length > 0;
  const verdict = t.replaces ? 'corrected' : t.verdict ?? 'pending';
  const classes = ['row', 'thought', verdict, t.source === 'small' ? 'small' : 'large'];
  if (ctx.path.has(t.id)) classes.push('on-path');
  if (ctx.beam.has(t.id)) classes.push('in-beam');
  if (t.id === ctx.s.answerThoughtId) classes.push('answer-step');
  ctx.out.push(lazyRow(`id:${t.id}`, () => {
    const label = [
      `${positionOf(ctx.s, t.id)}: ${t.text.length > 200 ? `${t.text.slice(0, 199)}…` : t.text}`,
      `written by the ${t.source} model`,
      t.thoughtScore !== null ? `score ${fmt(t.thoughtScore)}${t.score !== null && t.score !== t.thoughtScore ? ` (path ${fmt(t.score)})` : ''}` : 'not scored yet',
      t.threshold !== null ? `threshold ${fmt(t.threshold)}` : '',
      verdict === 'corrected' ? `rewrite of ${positionOf(ctx.s, t.replaces as string)}` : verdict,
      ctx.beam.has(t.id) ? 'kept in the beam' : '',
      ctx.path.has(t.id) ? 'on the answer path' : '',
      copies > 1 ? `${copies} identical thoughts` : '',
    ].filter(Boolean).join(', ');
    return `<div class="${classes.join(' ')}" role="treeitem" id="n-${e(t.id)}" data-id="${e(t.id)}" data-parent="${e(t.parentId ?? '')}" ` +
      `aria-level="${level}" aria-posinset="${pos}" aria-setsize="${size}"${hasChildren ? ` aria-expanded="${!folded}"` : ''} aria-label="${e(label)}" tabindex="-1" style="--level:${Math.min(level - 1, 24)}">` +
      `<span class="twisty codicon ${hasChildren ? (folded ? 'codicon-chevron-right' : 'codicon-chevron-down') : 'codicon-blank'}" aria-hidden="true"></span>` +
      verdictIcon(verdict) +
      `<span class="src ${e(t.source)}" title="written by the ${e(t.source)} model">${e(t.source)}</span>` +
      scoreMeter(t) +
      `<span class="text">${renderMath(t.text, ctx.options.tex)}</span>` +
      (copies > 1 ? `<span class="copies" title="${copies} ${t.source === 'small' ? 'drafts' : 'thoughts'} with this text (${copies - 1} more not shown)">×${copies}</span>` : '') +
      links(ctx.s, t) +
      `<span class="cost dim">${e(String(t.tokens))} tok · ${e(String(Math.round(Number(t.ms))))} ms${t.speculative ? ` · spec ${e(String(t.speculative.accepted))}/${e(String(t.speculative.drafted))}` : ''}</span>` +
      `</div>`;
  }));
  if (hasChildren && !folded) renderChildren(ctx, t.id, t.children, level + 1);
}

function renderGroup(ctx: TreeContext, parentId: string | null, dropped: ThoughtView[], level: number, size: number): void {
  const key = `${ctx.s.searchId}/${parentId ?? ''}`;
  const open = ctx.state.openGroups[key] === true;
  const rejected = dropped.filter((t) => t.verdict === 'rejected');
  const spare = dropped.length - rejected.length;
  const best = Math.max(...rejected.map((t) => t.thoughtScore ?? 0));
  const beta = dropped[0].threshold;
  const parts = [
    rejected.length > 0 ? `${rejected.length} rejected draft${rejected.length === 1 ? '' : 's'} (best ${fmt(best)}${beta !== null ? ` < β ${fmt(beta)}` : ''})` : '',
    spare > 0 ? `${spare} passed β but not needed` : '',
  ];
  const summary = parts.filter(Boolean).join(', ');
  ctx.out.push(lazyRow(`group:${key}`, () =>
    `<div class="row group" role="treeitem" data-group="${e(key)}" data-parent="${e(parentId ?? '')}" aria-level="${level}" aria-posinset="${size}" aria-setsize="${size}" ` +
      `aria-expanded="${open}" aria-label="${e(summary)}" tabindex="-1" style="--level:${Math.min(level - 1, 24)}">` +
      `<span class="twisty codicon ${open ? 'codicon-chevron-down' : 'codicon-chevron-right'}" aria-hidden="true"></span>` +
      (rejected.length > 0
        ? `<span class="codicon codicon-close verdict rejected" aria-hidden="true"></span>`
        : `<span class="codicon codicon-dash verdict surplus" aria-hidden="true"></span>`) +
      `<span class="dim">${e(summary)}</span></div>`));
  // Closed groups render nothing of their drafts: the cost of a trace follows what is visible.
  if (open) {
    const distinct = collapseIdentical(dropped, ctx.path);
    distinct.forEach(([t, copies], i) => renderThought(ctx, t, level + 1, i + 1, distinct.length, copies));
  }
}

function verdictIcon(verdict: string): string {
  const icon = { accepted: 'check', surplus: 'dash', rejected: 'close', corrected: 'sync', pending: 'circle-outline' }[verdict] ?? 'circle-outline';
  const title = {
    accepted: 'accepted ✓', surplus: 'passed β, not needed: enough better drafts were kept', rejected: 'rejected ✗',
    corrected: 'corrected ↻ (large model rewrite)', pending: 'not judged',
  }[verdict] ?? verdict;
  return `<span class="verdict ${verdict} codicon codicon-${icon}" title="${title}" aria-hidden="true"></span>`;
}

function scoreMeter(t: ThoughtView): string {
  if (t.thoughtScore === null) return `<span class="meter empty" aria-hidden="true"></span><span class="score dim">—</span>`;
  const score = t.thoughtScore;
  const passed = t.threshold === null || score >= t.threshold;
  const mark = t.threshold !== null ? `<span class="mark" style="left:${(t.threshold * 100).toFixed(1)}%"></span>` : '';
  const path = t.score !== null && t.score !== score ? `; the path up to here ${fmt(t.score)}` : '';
  const title = `PRM score ${fmt(score)}${t.threshold !== null ? ` ${passed ? '≥' : '<'} threshold β ${fmt(t.threshold)}` : ''}${path}`;
  return `<span class="meter ${passed ? 'pass' : 'fail'}" title="${title}" aria-hidden="true"><span class="fill" style="width:${(score * 100).toFixed(1)}%"></span>${mark}</span>` +
    `<span class="score" title="${title}">${fmt(score)}</span>`;
}

function links(s: SearchView, t: ThoughtView): string {
  if (t.replaces) return `<a href="#" class="goto link" data-goto="${e(t.replaces)}" title="Show the rejected draft this rewrite replaces (${e(t.replaces)})"><span class="glyph" aria-hidden="true">↻</span> replaces ${e(positionOf(s, t.replaces))}</a>`;
  if (t.replacedBy) return `<a href="#" class="goto link" data-goto="${e(t.replacedBy)}" title="Show the large model's rewrite (${e(t.replacedBy)})"><span class="glyph" aria-hidden="true">↻</span> rewritten as ${e(positionOf(s, t.replacedBy))}</a>`;
  return '';
}

/** Where a thought sits, as a reader counts: "step 2, draft 3" (its place among its parent's children). */
export function positionOf(s: SearchView, id: string): string {
  const t = s.thoughts[id];
  if (!t) return id;
  const siblings = t.parentId === null ? s.roots : s.thoughts[t.parentId]?.children ?? [];
  const k = siblings.indexOf(id) + 1;
  return `step ${t.depth}, ${t.source === 'small' ? 'draft' : 'thought'} ${k > 0 ? k : '?'}`;
}

/** The group a rejected thought is folded into, so "go to" can open it first. */
export function groupKeyOf(s: SearchView, id: string): string | null {
  const t = s.thoughts[id];
  return t && (t.verdict === 'rejected' || t.verdict === 'surplus') ? `${s.searchId}/${t.parentId ?? ''}` : null;
}

// Renders the panel state to HTML strings (pure: unit-tested in Node, assigned to innerHTML in the page).
import { acceptanceRate, MAX_SEARCHES, type EarlierAnswer, type PanelState, type SearchView } from './reducer';
import { TREE_OPEN, treeRows, type TreeRow } from './tree';
import { escapeHtml, renderMath, type TexRenderer } from './math';
import { describeStep, explainPath } from '../src/core/explain';
import { confidenceMeaning, confidenceText, verdictText } from '../src/core/verdict';

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

/** The page as parts in order; each html is one element (or empty: no element). */
export function panelParts(state: PanelState, options: RenderOptions): PanelPart[] {
  const s = state.current ? state.searches[state.current] : undefined;
  if (!s) return [{ key: 'empty', html: renderEmpty(options) }];
  const rows = treeRows(s, state, options.tex);
  return [
    { key: 'tabs', html: renderTabs(state) },
    { key: 'header', html: renderHeader(s, options) },
    { key: 'answer', html: renderAnswer(s, options) },
    { key: 'explanation', html: renderExplanation(s, options) },
    { key: 'stats', html: renderStats(s) },
    { key: 'beams', html: renderBeams(s) },
    { key: 'legend', html: LEGEND },
    rows.length === 0 ? { key: 'tree-empty', html: '<p class="dim tree-empty">Waiting for the first thought…</p>' } : { key: 'tree', rows },
  ];
}

/** The whole page as one string (tests, and the first paint). */
export function renderPanel(state: PanelState, options: RenderOptions): string {
  return panelParts(state, options)
    .map((p) => ('rows' in p ? `${TREE_OPEN}${p.rows.map((r) => r.html).join('')}</div>` : p.html))
    .join('');
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

/** A tab's icon says how its search ended: ✓ verified, ⚠ unverified, no answer, stopped, failed or running. */
export function tabIcon(s: SearchView): string {
  if (s.status === 'running') return 'loading codicon-modifier-spin';
  if (stopped(s)) return 'stop-circle';
  if (s.status === 'failed') return 'error';
  if (s.answer === null) return 'circle-slash';
  return s.verified ? 'pass' : 'warning';
}

function renderTabs(state: PanelState): string {
  if (state.order.length < 2) return '';
  const tabs = [...state.order].reverse().map((id) => {
    const s = state.searches[id];
    const selected = id === state.current;
    const problem = s.problem.length > 24 ? `${s.problem.slice(0, 23)}…` : s.problem;
    const outcome =
      s.status === 'running'
        ? 'running'
        : s.status === 'failed'
          ? stopped(s)
            ? 'stopped'
            : 'failed'
          : s.answer === null
            ? 'no answer'
            : `${s.verified ? '' : '⚠ '}${s.answer}`;
    const label = `${s.method} · ${outcome.length > 16 ? `${outcome.slice(0, 15)}…` : outcome} · ${problem}`;
    // One Tab stop for the whole tab list; the arrow keys move between tabs (media/main.ts). Tabs share the
    // width (each cut with an ellipsis), so every search keeps a visible tab however narrow the side bar.
    return `<button class="tab${selected ? ' selected' : ''}" role="tab" aria-selected="${selected}" tabindex="${selected ? 0 : -1}" data-select="${e(id)}" title="${e(`${s.method}, ${outcome}: ${s.problem}`)}"><span class="codicon codicon-${tabIcon(s)}" aria-hidden="true"></span><span class="label">${e(label)}</span></button>`;
  });
  const count = `<span class="tab-count dim" title="${state.order.length} recent searches (the last ${MAX_SEARCHES} are kept)">${state.order.length}</span>`;
  return `<nav class="tabs" role="tablist" aria-label="Recent searches (${state.order.length})">${tabs.join('')}${count}</nav>`;
}

function renderHeader(s: SearchView, options: RenderOptions): string {
  const running = s.status === 'running';
  const buttons = [
    running
      ? `<vscode-button data-action="stop" secondary aria-label="Stop this search"><span class="codicon codicon-stop-circle"></span> Stop</vscode-button>`
      : '',
    `<vscode-button data-action="export" secondary aria-label="Export the trace as JSON"><span class="codicon codicon-export"></span> Export Trace</vscode-button>`,
    running
      ? ''
      : `<vscode-button data-action="rerun" secondary aria-label="Run this problem again with another method"><span class="codicon codicon-refresh"></span> Rerun with…</vscode-button>`,
  ].join('');
  const status = running
    ? `<span class="status running"><span class="codicon codicon-loading codicon-modifier-spin"></span> ${s.depth > 0 ? `depth ${s.depth}` : 'loading models…'}</span>`
    : s.status === 'failed'
      ? stopped(s)
        ? '<span class="status failed stopped">stopped</span>'
        : '<span class="status failed">failed</span>'
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
    return (
      t && { id, parentId: t.parentId, source: t.source, text: t.text, score: t.thoughtScore, verdict: t.verdict, threshold: t.threshold, replaces: t.replaces }
    );
  };
  const childrenOf = (parentId: string | null) => (parentId === null ? s.roots : (s.thoughts[parentId]?.children ?? []));
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

/** Until a new search of a problem finishes, the last finished answer to it stays in view. */
function renderEarlier(earlier: EarlierAnswer | null | undefined, options: RenderOptions): string {
  if (!earlier || earlier.answer === null) return '';
  return `<div class="earlier" aria-label="Last answer"><span class="codicon codicon-${earlier.verified ? 'pass' : 'warning'}" aria-hidden="true"></span> Last answer (${e(earlier.method)}): <b class="value">${renderMath(earlier.answer, options.tex)}</b> <span class="dim">${e(verdictText(earlier))}</span></div>`;
}

function renderAnswer(s: SearchView, options: RenderOptions): string {
  const earlier = renderEarlier(s.earlier, options);
  if (s.status === 'failed' && s.error) {
    // A search the user stopped is not an error: say so quietly and keep the thoughts below.
    if (stopped(s))
      return `<section class="error stopped" role="status"><span class="codicon codicon-stop-circle"></span> ${e(s.error.message)} The thoughts written so far are kept below.${earlier}</section>`;
    return `<section class="error" role="alert"><span class="codicon codicon-error"></span> <b>${e(s.error.message)}</b>${s.error.hint ? `<div class="hint">${e(s.error.hint)}</div>` : ''}${earlier}</section>`;
  }
  if (s.status !== 'finished') return earlier === '' ? '' : `<section class="running-earlier">${earlier}</section>`;
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
    [
      'acceptance',
      `${percent(acceptanceRate(s))} <span class="dim" title="drafts kept ✓ · drafts below the threshold β ✗ · spare: drafts that passed β but were not needed">(${s.accepted} ✓ / ${s.rejected} ✗${s.surplus > 0 ? ` / ${s.surplus} spare` : ''})</span>`,
    ],
    ['corrections', String(st?.corrections ?? s.corrections)],
  ];
  if (st) {
    rows.push(['small model', `${st.small.tokens} tok · ${seconds(st.small.ms)}`]);
    rows.push(['large model', `${st.large.tokens} tok · ${seconds(st.large.ms)}`]);
    rows.push(['PRM', `${st.prm.calls} call${st.prm.calls === 1 ? '' : 's'} · ${seconds(st.prm.ms)}`]);
    if (st.speculative)
      rows.push([
        'speculation',
        `${percent(st.speculative.drafted === 0 ? null : st.speculative.accepted / st.speculative.drafted)} <span class="dim">(${st.speculative.accepted}/${st.speculative.drafted} tokens)</span>`,
      ]);
  }
  if (s.mctsIterations > 0) rows.push(['MCTS iterations', String(s.mctsIterations)]);
  const terms: Record<string, string> = {
    acceptance: 'The share of the kept thoughts that the small model wrote',
    corrections: 'Rejected drafts the large model rewrote',
    PRM: 'The process reward model: it scores each reasoning step',
    speculation: "Tokens the large model accepted from the small model's speculative drafts",
  };
  return `<dl class="stats" aria-label="Statistics">${rows.map(([k, v]) => `<div><dt${terms[k] ? ` title="${e(terms[k])}"` : ''}>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>`;
}

/** The words of the tree, one click away: what β, the PRM, spare drafts and reference thoughts are. */
const LEGEND = `<details class="legend"><summary>What the marks mean</summary><dl>
<dt>PRM</dt><dd>The process reward model: it scores each step from 0 to 1.</dd>
<dt>β</dt><dd>The threshold a small model's draft must reach to be kept; SpecSearch sets it per step.</dd>
<dt><span class="codicon codicon-check" aria-hidden="true"></span> accepted</dt><dd>A small model's draft scored at or above β.</dd>
<dt><span class="codicon codicon-close" aria-hidden="true"></span> rejected</dt><dd>A draft scored below β; the large model rewrites it.</dd>
<dt><span class="codicon codicon-sync" aria-hidden="true"></span> corrected ↻</dt><dd>The large model's rewrite of a rejected draft.</dd>
<dt><span class="codicon codicon-dash" aria-hidden="true"></span> spare</dt><dd>A draft that passed β but was not needed: enough better ones were kept.</dd>
<dt><span class="codicon codicon-bookmark" aria-hidden="true"></span> reference thought</dt><dd>The large model's thought at the first step; its score sets β.</dd>
<dt>×N</dt><dd>N sibling thoughts with the same text, shown as one row.</dd>
</dl></details>`;

function renderBeams(s: SearchView): string {
  const depths = Object.keys(s.beams)
    .map(Number)
    .sort((a, b) => a - b);
  if (depths.length === 0) return '';
  const items = depths.map((d) => {
    const beta = s.thresholds[d];
    const chips = s.beams[d].map((id) => `<a href="#" class="chip" data-goto="${e(id)}">${e(id)}</a>`).join('');
    return `<li><span class="dim">d${d}${beta !== undefined ? ` β ${fmt(beta)}` : ''}</span> ${chips}</li>`;
  });
  return `<vscode-collapsible title="Beam at each depth" class="beams"><ul>${items.join('')}</ul></vscode-collapsible>`;
}

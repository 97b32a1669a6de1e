// Turns a thought's text into safe HTML: TeX between $…$, $$…$$, \(…\), \[…\] through KaTeX, the rest escaped.

export interface TexRenderer {
  renderToString(
    tex: string,
    options: {
      displayMode: boolean;
      throwOnError: boolean;
      output?: 'html' | 'mathml' | 'htmlAndMathml';
      strict?: 'ignore';
      maxSize?: number;
      maxExpand?: number;
    },
  ): string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// Inline $…$ needs a non-space right inside both dollars, so "costs $5 and $10" stays text.
const MATH = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?!\d)/g;

/** Rendering the same thought again (every frame of a live search) must not cost KaTeX time again. */
const cache = new Map<string, string>();
const CACHE_LIMIT = 4000;

export function renderMath(text: string, tex: TexRenderer | null): string {
  if (tex === null) return escapeHtml(text);
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  let html = '';
  let last = 0;
  for (const m of text.matchAll(MATH)) {
    html += escapeHtml(text.slice(last, m.index));
    const display = m[1] !== undefined || m[2] !== undefined;
    const body = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    // htmlAndMathml: the MathML half is what screen readers read. maxSize/maxExpand: a model's
    // `\rule{100000em}{1em}` or a self-expanding macro cannot cover the panel or hang the page.
    html += tex.renderToString(body, { displayMode: display, throwOnError: false, output: 'mathml', strict: 'ignore', maxSize: 10, maxExpand: 1000 });
    last = m.index! + m[0].length;
  }
  html += escapeHtml(text.slice(last));
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, html);
  return html;
}

// Benchmarks the reasoning panel in Chromium: the real page script (dist/webview.js) and stylesheet, fed a
// saved 500-thought trace the way the extension feeds it (postMessage), timed inside the page.
//   - first render: reducing the whole trace, rendering it (KaTeX included) and laying out the first frame
//     (the panel parses at most 24 new rows a frame: the rest follow in the next frames, timed too);
//   - re-render after one event while the search runs (median of 30).
// usage: node scripts/bench-panel.mjs [--out bench/results/panel] [--runs 5]
// Needs `node esbuild.mjs` (dist/webview.js) and Chromium (apt-get install -y chromium).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as os from 'node:os';
import * as esbuild from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const OUT = path.resolve(root, opt('out', 'bench/results/panel'));
const RUNS = Number(opt('runs', 5));
const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && fs.existsSync(p));
if (!chromium) throw new Error('Chromium is not installed (apt-get install -y chromium)');
if (!fs.existsSync(path.join(root, 'dist', 'webview.js'))) throw new Error('dist/webview.js is missing: run "node esbuild.mjs" first');

// The saved trace: the same one the unit tests render (test/fixtures/traces.ts).
const built = await esbuild.build({
  entryPoints: [path.join(root, 'test/fixtures/traces.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'error',
});
const { bigTrace } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
const events = bigTrace();
const thoughts = events.filter((e) => e.type === 'thought.drafted' || e.type === 'thought.corrected').length;

// The page: the panel's shell with a stand-in for VS Code's webview API, and a clock around each frame's render.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-panel-bench-'));
fs.writeFileSync(
  path.join(dir, 'index.html'),
  `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<link rel="stylesheet" href="${path.join(root, 'dist', 'webview.css')}"></head>
<body class="vscode-dark"><main id="root"></main>
<script>
  window.acquireVsCodeApi = () => ({ postMessage() {}, getState() { return undefined; }, setState() {} });
  // Time every frame callback (the page renders in one) including the layout it causes.
  const raf = window.requestAnimationFrame.bind(window);
  window.__frames = [];
  window.requestAnimationFrame = (cb) => raf((t) => { const s = performance.now(); cb(t); document.body.getBoundingClientRect(); window.__frames.push(performance.now() - s); });
</script>
<script src="${path.join(root, 'dist', 'webview.js')}"></script></body></html>`,
);

const { chromium: pw } = createRequire(path.join(root, 'package.json'))('playwright-core');
const browser = await pw.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });
const firsts = [];
const completes = [];
const firstRowCounts = [];
const rerenders = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const page = await browser.newPage({ viewport: { width: 460, height: 900 } });
    await page.goto(`file://${path.join(dir, 'index.html')}`);
    await page.waitForFunction(() => document.getElementById('root') !== null);
    const result = await page.evaluate(
      async ({ events }) => {
        const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
        await frame();
        // First render: the message handler reduces every event; the next frame renders.
        window.__frames.length = 0;
        const t0 = performance.now();
        window.dispatchEvent(new MessageEvent('message', { data: { type: 'events', searchId: 'big', from: 0, events } }));
        const reduceMs = performance.now() - t0;
        await frame();
        const first = reduceMs + window.__frames[0];
        const firstRows = document.querySelectorAll('[role="treeitem"]').length;
        // The rest of the rows follow in the next frames: wait until a frame adds none.
        let rows = firstRows;
        for (;;) {
          await frame();
          const now = document.querySelectorAll('[role="treeitem"]').length;
          if (now === rows) break;
          rows = now;
        }
        const complete = {
          wallMs: performance.now() - t0,
          workMs: reduceMs + window.__frames.slice(0, -1).reduce((a, b) => a + b, 0),
          frames: window.__frames.length - 1,
          rows,
        };
        // One more event at a time, as during a live search.
        const last = events[events.length - 1];
        const live = events.slice(0, -1);
        window.dispatchEvent(
          new MessageEvent('message', { data: { type: 'events', searchId: 'live', from: 0, events: live.map((e) => ({ ...e, searchId: 'live' })) } }),
        );
        await frame();
        const times = [];
        for (let i = 0; i < 30; i++) {
          window.__frames.length = 0;
          const s = performance.now();
          const id = `x${i}`;
          window.dispatchEvent(
            new MessageEvent('message', {
              data: {
                type: 'events',
                searchId: 'live',
                from: live.length + i,
                events: [
                  {
                    type: 'thought.drafted',
                    searchId: 'live',
                    t: 1e6 + i,
                    id,
                    parentId: null,
                    depth: 1,
                    source: 'small',
                    text: `late draft ${i}: $x = ${i}$`,
                    tokens: 3,
                    ms: 1,
                    speculative: null,
                  },
                ],
              },
            }),
          );
          const handler = performance.now() - s;
          await frame();
          times.push(handler + window.__frames[0]);
        }
        return { first, firstRows, complete, reduceMs, rerender: times, rows: document.querySelectorAll('[role="treeitem"]').length, lastType: last.type };
      },
      { events },
    );
    firsts.push(result.first);
    completes.push(result.complete);
    firstRowCounts.push(result.firstRows);
    rerenders.push(...result.rerender);
    await page.close();
  }
} finally {
  await browser.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const round = (x) => Math.round(x * 10) / 10;
const summary = {
  trace: { events: events.length, thoughts },
  chromium: path.basename(chromium),
  runs: RUNS,
  firstRenderMs: { median: round(median(firsts)), all: firsts.map(round), rowsShown: median(firstRowCounts) },
  wholeTreeMs: {
    wallMedian: round(median(completes.map((c) => c.wallMs))),
    workMedian: round(median(completes.map((c) => c.workMs))),
    frames: median(completes.map((c) => c.frames)),
    rows: median(completes.map((c) => c.rows)),
  },
  rerenderAfterOneEventMs: {
    median: round(median(rerenders)),
    p90: round([...rerenders].sort((a, b) => a - b)[Math.floor(rerenders.length * 0.9)]),
    samples: rerenders.length,
  },
  targets: { firstRenderMs: 100, rerenderMs: 16 },
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
  date: new Date().toISOString().slice(0, 10),
};
fs.mkdirSync(OUT, { recursive: true });
fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(summary, null, 2) + '\n');
const verdict = (x, t) => (x < t ? `✓ under ${t} ms` : `✗ over ${t} ms`);
fs.writeFileSync(
  path.join(OUT, 'report.md'),
  `# Reasoning panel speed (Chromium)

\`node scripts/bench-panel.mjs\` — the real page script and stylesheet in headless ${summary.chromium}, a saved
trace of ${thoughts} thoughts (${events.length} events, math in every thought), ${RUNS} runs, ${summary.machine}.

| measure | median | target |
|---|---|---|
| first render of the trace (reduce + render + layout; the first ${summary.firstRenderMs.rowsShown} rows, a screenful and more) | ${summary.firstRenderMs.median} ms | ${verdict(summary.firstRenderMs.median, 100)} |
| the whole tree in the page (${summary.wholeTreeMs.rows} rows, ${summary.wholeTreeMs.frames} frames; work ${summary.wholeTreeMs.workMedian} ms) | ${summary.wholeTreeMs.wallMedian} ms | — |
| re-render after one event (${rerenders.length} samples; p90 ${summary.rerenderAfterOneEventMs.p90} ms) | ${summary.rerenderAfterOneEventMs.median} ms | ${verdict(summary.rerenderAfterOneEventMs.median, 16)} |
`,
);
console.log(JSON.stringify(summary));

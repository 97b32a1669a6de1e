// End to end in a real VS Code: the packed .vsix installed into code-server, driven by Debian's
// Chromium through playwright-core. Solve Selection fills the reasoning panel (accepted/rejected
// thoughts, the answer 32), Explain Selection writes its result after the selection, Stop stops a
// running search. Screenshots go to docs/screenshots/. Needs `npm run package` and
// scripts/e2e/setup-code-server.sh (both run by `npm run test:e2e`); skipped only without Chromium.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  chromiumPath,
  codeServerInstall,
  extensionLog,
  launchBrowser,
  prepareProfile,
  repoRoot,
  startCodeServer,
  stopProcessGroup,
  updateWorkspaceSettings,
  vsixPath,
  Workbench,
  type CodeServer,
} from './code-server';
import { openAIHandler, startFixture } from '../servers/fixtures/http-fixture';

const chromium = chromiumPath();
const SCREENSHOTS = path.join(repoRoot, 'docs', 'screenshots');

const PROBLEM_SOLVE = 'Start with 7. Add 5. Multiply by 3. Subtract 4. What is the result?';
const PROBLEM_EXPLAIN = 'Start with 9. Multiply by 4. Subtract 6. Add 10. What is the result?';
const PROBLEM_STOP = 'Start with 12. Add 30. Multiply by 3. Subtract 26. Divide by 4. Add 17. What is the result?';
// A word problem, outside the tiny models' task (short enough to stay on one editor line).
const PROBLEM_WORDS = 'Tom has 3 apples and buys 4 more. How many apples does he have?';
const PROBLEMS_MD = `# Tiny problems

${PROBLEM_SOLVE}

${PROBLEM_EXPLAIN}

${PROBLEM_STOP}

${PROBLEM_WORDS}
`;

describe(
  'SpecSearch in VS Code (code-server + Chromium)',
  { skip: chromium ? false : 'Chromium is not installed (apt-get install -y chromium fonts-liberation); the end-to-end tests need it' },
  () => {
    let server: CodeServer | null = null;
    let browser: Browser | null = null;
    let page: Page;
    let wb: Workbench;
    let failed = false;
    let root = '';

    before(async () => {
      assert.ok(fs.existsSync(vsixPath), `${path.basename(vsixPath)} is missing: run "npm run package" first`);
      const install = codeServerInstall();
      const profile = prepareProfile(install, { 'problems.md': PROBLEMS_MD });
      root = profile.root;
      console.log(`# e2e folder ${root}; extension installed in ${profile.installMs} ms`);
      server = await startCodeServer(install, profile.root, profile.workspace);
      ({ browser, page } = await launchBrowser(chromium!));
      wb = new Workbench(page);
    });

    after(async () => {
      // Always: the browser, then code-server's whole process group (extension host, language server).
      await browser?.close().catch(() => undefined);
      if (server) await stopProcessGroup(server.process);
      if (root && !failed) fs.rmSync(root, { recursive: true, force: true });
      else if (root) console.log(`# e2e: kept ${root} (code-server.log, failure-*.png, user-data/logs)`);
    });

    /** Runs a step; on failure keeps a screenshot and prints the logs that explain it. */
    async function step(name: string, body: () => Promise<void>): Promise<void> {
      try {
        await body();
      } catch (err) {
        failed = true;
        await page?.screenshot({ path: path.join(root, `failure-${name}.png`) }).catch(() => undefined);
        console.log(`# e2e step "${name}" failed; logs:\n${logTails(root)}`);
        throw err;
      }
    }

    test('the workbench loads with the extension installed and its panel', async () => {
      await step('workbench', async () => {
        await wb.open(server!);
        await wb.activityItem('SpecSearch').waitFor({ state: 'visible', timeout: 60_000 });
        await wb.openFile('problems.md', 'Tiny problems');
        await wb.runCommand('SpecSearch: Open Reasoning Panel');
        const panel = wb.webview();
        await panel.locator('section.empty').waitFor({ state: 'visible', timeout: 60_000 });
        assert.match(await panel.locator('section.empty').innerText(), /No search yet/);
        await wb.resizeSidebar(460);
      });
    });

    test('Solve Selection shows judged thoughts and the answer 32 in the reasoning panel', async () => {
      await step('solve', async () => {
        await wb.selectLine(PROBLEM_SOLVE);
        await wb.runCommand('SpecSearch: Solve Selection');
        const panel = wb.webview();
        // The first solve loads the three models in the language server.
        await panel.locator('.status.finished, .status.failed').first().waitFor({ state: 'visible', timeout: 240_000 });
        const error = panel.locator('section.error');
        assert.equal(await error.count(), 0, `the search failed: ${(await error.count()) ? await error.innerText() : ''}`);
        assert.match(await panel.locator('header.search .problem').innerText(), /Start with 7/);
        assert.equal((await panel.locator('section.answer .value').innerText()).trim(), '32');
        const accepted = await panel.locator('.tree .row.thought.accepted').count();
        const rejected = (await panel.locator('.tree .row.thought.rejected').count()) + (await panel.locator('.tree .row.group').count());
        assert.ok(accepted >= 1, `expected accepted thoughts in the tree, found ${accepted}`);
        const acceptance = await panel.locator('dl.stats').innerText();
        assert.match(acceptance, /\d+ ✓ \/ \d+ ✗/, 'the statistics count accepted and rejected drafts');
        console.log(`# panel: ${accepted} accepted rows, ${rejected} rejected rows/groups; ${acceptance.replace(/\s+/g, ' ')}`);
        // Every shown thought says who wrote it and carries its PRM score against the threshold.
        const rows = panel.locator('.tree .row.thought');
        assert.ok((await rows.count()) >= accepted);
        assert.match((await rows.first().getAttribute('aria-label')) ?? '', /written by the (small|large) model, score \d\.\d\d/);
        // The answer's path comes first; with its groups closed, every thought shown is on the path.
        await assertPathFirst(panel);
        // The inline result after the selection and the answer notification.
        await waitFor(
          async () => inlineResult(await wb.afterDecorations(PROBLEM_SOLVE), /SpecSearch: 32 ✓ verified/),
          30_000,
          'the inline "32 ✓ verified" after the problem',
        );
        const note = wb.notifications().filter({ hasText: 'SpecSearch answer: 32' }).first();
        await note.waitFor({ state: 'visible', timeout: 30_000 });
        // One verdict, word for word, on all six surfaces: panel, inline text, notification, CodeLens, hover, CLI.
        const confidence = (await panel.locator('section.answer .confidence').innerText()).trim();
        assert.match(confidence, /^confidence \d\.\d\d$/, 'the panel shows the calibrated confidence');
        const verdict = `32 ✓ verified · ${confidence}`;
        const inline = (await wb.afterDecorations(PROBLEM_SOLVE)).join(' | ');
        assert.ok(inline.includes(verdict), `inline text "${inline}" says "${verdict}"`);
        const noteText = await note.innerText();
        assert.ok(noteText.includes(verdict), `notification "${noteText}" says "${verdict}"`);
        await wb.dismissNotifications();
        await page
          .locator('.codelens-decoration', { hasText: `${verdict} · Solve again` })
          .first()
          .waitFor({ state: 'visible', timeout: 30_000 });
        await wb.editorLine(PROBLEM_SOLVE).first().locator('span').first().hover();
        const hover = page.locator('.monaco-hover:visible', { hasText: /SpecSearch (answer|solution)/ });
        await hover.first().waitFor({ state: 'visible', timeout: 15_000 });
        const hoverText = (await hover.first().innerText()).replace(/\s+/g, ' ');
        assert.ok(hoverText.includes(verdict), `hover "${hoverText.slice(0, 200)}" says "${verdict}"`);
        await page.mouse.move(900, 700);
        await page.keyboard.press('Escape');
        // The CLI solves the same problem with the same settings and seed, and writes the same words.
        const cli = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'solve', PROBLEM_SOLVE], {
          encoding: 'utf8',
          cwd: root,
          env: { ...process.env, NO_COLOR: '1' },
        });
        assert.ok(
          cli.stdout.includes(`answer: ${verdict}`),
          `the CLI says "answer: ${verdict}": ${cli.stdout
            .split('\n')
            .filter((l) => l.startsWith('answer'))
            .join('')} ${cli.stderr}`,
        );
        console.log(`# six surfaces: ${verdict}`);
        await page.mouse.move(900, 700);
        await screenshot(page, 'panel.png', await sidebarClip(page));
      });
    });

    test('the panel copies the answer and inserts it below the problem, in one undo step', async () => {
      await step('insert', async () => {
        const panel = wb.webview();
        await panel.locator('vscode-button[data-action="copy"]').click();
        await page.locator('.statusbar', { hasText: 'copied the answer 32' }).waitFor({ state: 'visible', timeout: 10_000 });
        await panel.locator('vscode-button[data-action="insert"]').click();
        await wb.editorLine('**Answer:** 32').waitFor({ state: 'visible', timeout: 10_000 });
        // One undo removes the whole insertion.
        await wb.editorLine(PROBLEM_SOLVE).first().click();
        await page.keyboard.press('Control+Z');
        await wb.editorLine('**Answer:** 32').waitFor({ state: 'detached', timeout: 10_000 });
        assert.equal(await wb.editorLine(PROBLEM_SOLVE).count(), 1, 'the problem itself is untouched');
      });
    });

    test('Explain Selection shows the explanation at the selection', async () => {
      await step('explain', async () => {
        await wb.selectLine(PROBLEM_EXPLAIN);
        await wb.runCommand('SpecSearch: Explain Selection');
        let texts: string[] = [];
        await waitFor(
          async () => inlineResult((texts = await wb.afterDecorations(PROBLEM_EXPLAIN)), /SpecSearch: \d+ steps.* (✓ verified|⚠ unverified)/),
          180_000,
          'the inline explanation after the selection',
        );
        console.log(`# inline: ${texts.join(' | ')}`);
        const panel = wb.webview();
        await panel.locator('.status.finished').waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await panel.locator('header.search .meta').innerText(), /explain/);
        // The panel tells the story step by step: what each step does, who wrote it and why it was kept.
        const explanation = await panel.locator('section.explanation').innerText();
        assert.match(explanation, /Multiplies 9 by 4, which gives 36\./);
        assert.match(explanation, /(Drafted by the small model and kept|Written by the large model)/);
        // The whole line and its inline result fit the editor without the side bar.
        await wb.sideBar(false);
        // Hovering the explained text shows the worked steps (the language server's hover over a problem
        // block, or the extension's over any other selection).
        await wb.editorLine(PROBLEM_EXPLAIN).first().locator('span').first().hover();
        const hover = page.locator('.monaco-hover:visible', { hasText: /SpecSearch (answer|explanation)/ });
        await hover.first().waitFor({ state: 'visible', timeout: 15_000 });
        // The worked steps: the equations of the path and its answer line (numbered or not, by hover).
        const text = await hover.first().innerText();
        assert.match(text, /\d+ [-+*\/] \d+ = \d+/, 'the hover lists the worked steps');
        assert.match(text, /The answer is \d+\./, 'down to the answer');
        assert.match(text, /(Adds|Subtracts|Multiplies|Divides) \d+ (to|from|by) \d+/, 'each step in plain words');
        assert.match(text, /PRM \d\.\d\d|PRM scored it \d\.\d\d/, 'with the score that kept it');
        await screenshot(page, 'explain-inline.png', await editorClip(page));
        await page.mouse.move(900, 700);
        await page.keyboard.press('Escape');
        await wb.sideBar(true);
      });
    });

    test("in Light, Dark and High Contrast themes the panel's links (corrections, explanation, beam) and labels reach 4.5:1 contrast", async () => {
      await step('themes', async () => {
        const panel = wb.webview();
        const themes = [
          { name: 'Default Light Modern', body: 'vscode-light', shot: 'panel-light.png' },
          { name: 'Default High Contrast', body: 'vscode-high-contrast', shot: 'panel-high-contrast.png' },
          { name: 'Default Dark Modern', body: 'vscode-dark', shot: 'panel-dark.png' },
        ];
        await page.mouse.move(900, 700);
        for (const theme of themes) {
          updateWorkspaceSettings(server!.workspace, { 'workbench.colorTheme': theme.name });
          await panel.locator(`body.${theme.body}`).waitFor({ state: 'attached', timeout: 30_000 });
          // The theme's colours reach the webview in steps: measure until two readings agree.
          const measure = () => panel.locator('a.goto, a.link, a.chip, .verified, .src, .score, .dim').evaluateAll(contrastOf);
          let measured = await measure();
          for (let i = 0; i < 10; i++) {
            await new Promise((r) => setTimeout(r, 600));
            const again = await measure();
            if (JSON.stringify(again) === JSON.stringify(measured)) break;
            measured = again;
          }
          const links = measured.filter((m) => m.kind === 'link');
          assert.ok(links.length > 0, 'the explained search shows links');
          const worst = (kind: string) =>
            measured.filter((m) => m.kind === kind).reduce<ContrastSample | null>((w, m) => (w === null || m.ratio < w.ratio ? m : w), null);
          const said = ['link', 'src', 'score', 'dim', 'verified']
            .map((k) => {
              const w = worst(k);
              return w ? `${k} ${w.ratio.toFixed(2)}:1 (${w.fg} on ${w.bg})` : '';
            })
            .filter(Boolean)
            .join('; ');
          console.log(`# contrast, ${theme.name}: ${said}`);
          // WCAG AA for text: the links, and the labels, scores, secondary text and "verified" mark around them.
          for (const m of measured)
            assert.ok(m.ratio >= 4.5, `${theme.name}: the ${m.kind} "${m.text}" has contrast ${m.ratio.toFixed(2)}:1 (${m.fg} on ${m.bg}), under 4.5:1`);
          await screenshot(page, theme.shot, await sidebarClip(page));
        }
      });
    });

    test('an invalid setting names the VS Code setting and where it is set; solving goes on; a problem outside the tiny task is flagged, not ✓', async () => {
      await step('unverified', async () => {
        updateWorkspaceSettings(server!.workspace, { 'specsearch.search.beamWidth': -4 });
        const message = wb.notifications().filter({ hasText: 'specsearch.search.beamWidth' }).first();
        await message.waitFor({ state: 'visible', timeout: 30_000 });
        const said = await message.innerText();
        assert.match(said, /the setting "specsearch\.search\.beamWidth" in the Workspace Settings \(\.vscode\/settings\.json\) has the value -4/);
        assert.match(said, /Solving goes on with the last valid settings/);
        assert.doesNotMatch(said, /didChangeConfiguration|initializationOptions/);
        await screenshot(page, 'settings-error.png', await windowClip(page));
        await wb.dismissNotifications();
        await wb.selectLine(PROBLEM_WORDS);
        await wb.runCommand('SpecSearch: Solve Selection');
        const panel = wb.webview();
        await panel.locator('header.search .problem', { hasText: 'Tom has 3 apples' }).waitFor({ state: 'visible', timeout: 30_000 });
        await panel.locator('.status.finished, .status.failed').first().waitFor({ state: 'visible', timeout: 240_000 });
        const answer = await panel.locator('section.answer').innerText();
        assert.match(answer, /Unverified answer/);
        assert.match(answer, /only solve chain arithmetic/);
        assert.equal(await panel.locator('section.answer .verified').count(), 0, 'no "verified" mark');
        assert.equal(await panel.locator('vscode-button[data-action="insert"]').count(), 0, 'nothing to insert');
        assert.match(answer, /confidence (\d\.\d\d|< 0\.01|unknown), below 0\.5/, 'the confidence beside the threshold');
        await waitFor(
          async () => inlineResult(await wb.afterDecorations(PROBLEM_WORDS), /SpecSearch: .*⚠ unverified|SpecSearch: no answer/),
          30_000,
          'the inline "⚠ unverified"',
        );
        assert.ok(!(await wb.afterDecorations(PROBLEM_WORDS)).some((t) => /✓/.test(t)), 'no ✓ inline');
        await page.mouse.move(900, 700);
        await screenshot(page, 'unverified.png', await sidebarClip(page));
        updateWorkspaceSettings(server!.workspace, { 'specsearch.search.beamWidth': 2 });
        await wb.dismissNotifications();
      });
    });

    test('the panel reads at a glance: the path first, links that scroll to their row, tabs by verdict, one tab per problem (light and dark)', async () => {
      await step('glance', async () => {
        const panel = wb.webview();
        await page.mouse.move(900, 700);
        // Tabs: the verified answer 32 has a check, the unverified word problem a warning, and a count.
        const tab = (text: string) => panel.locator('[role="tab"]', { hasText: text }).first();
        await tab('Tom has 3').waitFor({ state: 'visible', timeout: 30_000 });
        assert.equal(await tab('Tom has 3').locator('.codicon-warning').count(), 1, "the unverified answer's tab has a warning icon");
        assert.equal(await tab('Tom has 3').locator('.codicon-pass').count(), 0, 'and no check');
        assert.equal(await tab('Start with 7').locator('.codicon-pass').count(), 1, "the verified answer's tab has a check");
        const tabsBefore = await panel.locator('[role="tab"]').count();
        assert.equal((await panel.locator('.tab-count').innerText()).trim(), String(tabsBefore), 'the tab list says how many searches it holds');
        // At the default side-bar width every tab stays in view (they share the width).
        await wb.resizeSidebar(300);
        await assertTabsFit(panel);
        await inThemes(async (theme) => screenshot(page, `tabs-${theme}.png`, await sidebarClip(page)));
        await wb.resizeSidebar(460);
        // The solved problem's tab: the answer's path first, the rest folded; the shots in both themes.
        await tab('Start with 7').click();
        await panel.locator('header.search .problem', { hasText: 'Start with 7' }).waitFor({ state: 'visible', timeout: 10_000 });
        await assertPathFirst(panel);
        await inThemes(async (theme) => screenshot(page, `answer-path-${theme}.png`, await sidebarClip(page)));
        // Links scroll: open every folded group so the tree is long, scroll to its end, then follow the answer's
        // "path (N steps)" link without scrolling to it first: the answer's row must end up in view and focused.
        for (let i = 0; i < 20; i++) {
          const closed = panel.locator('.tree .row.group[aria-expanded="false"]');
          if ((await closed.count()) === 0) break;
          await closed.first().click();
        }
        await panel.locator('body').evaluate(() => window.scrollTo(0, document.body.scrollHeight));
        const link = panel.locator('section.answer a.goto').first();
        const target = await link.getAttribute('data-goto');
        assert.ok(target, 'the answer links to its last step');
        await link.dispatchEvent('click');
        const row = panel.locator(`.tree [role="treeitem"][data-id="${target}"]`);
        await waitFor(
          async () =>
            row.evaluate((el) => {
              const box = el.getBoundingClientRect();
              return box.top >= 0 && box.bottom <= window.innerHeight && document.activeElement === el;
            }),
          5_000,
          'the linked row to be scrolled into view and focused',
        );
        await inThemes(async (theme) => screenshot(page, `link-scrolled-${theme}.png`, await sidebarClip(page)));
        // Solving the same problem again with the same method takes its tab: no duplicate.
        const before = await tab('Start with 7').getAttribute('data-select');
        await wb.selectLine(PROBLEM_SOLVE);
        await wb.runCommand('SpecSearch: Solve Selection');
        await waitFor(async () => (await tab('Start with 7').getAttribute('data-select')) !== before, 30_000, "the new search to take the problem's tab");
        await panel.locator('.status.finished, .status.failed').first().waitFor({ state: 'visible', timeout: 120_000 });
        assert.equal(await panel.locator('[role="tab"]', { hasText: 'Start with 7' }).count(), 1, 'one tab for the solved problem');
        assert.equal(await panel.locator('[role="tab"]').count(), tabsBefore, 'solving again adds no tab');
        await page.mouse.move(900, 700);
      });
    });

    /** Runs `shoot` in Light Modern, then in Dark Modern (where the other tests run), once the panel took each theme. */
    async function inThemes(shoot: (theme: 'light' | 'dark') => Promise<void>): Promise<void> {
      const panel = wb.webview();
      for (const [theme, name, body] of [
        ['light', 'Default Light Modern', 'vscode-light'],
        ['dark', 'Default Dark Modern', 'vscode-dark'],
      ] as const) {
        updateWorkspaceSettings(server!.workspace, { 'workbench.colorTheme': name });
        await panel.locator(`body.${body}`).waitFor({ state: 'attached', timeout: 30_000 });
        await new Promise((r) => setTimeout(r, 800));
        await shoot(theme);
      }
    }

    test('after a window reload the searches are still there: tabs with method and answer, CodeLens answers, rerun', async () => {
      await step('history', async () => {
        await page.reload();
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await wb.openFile('problems.md', 'Tiny problems');
        // CodeLens answers come back from the kept history.
        await page
          .locator('.codelens-decoration', { hasText: /32 ✓ verified · confidence \d\.\d\d · Solve again/ })
          .first()
          .waitFor({ state: 'visible', timeout: 60_000 });
        await wb.runCommand('SpecSearch: Open Reasoning Panel');
        const panel = wb.webview();
        await panel.locator('[role="tab"]').first().waitFor({ state: 'visible', timeout: 30_000 });
        const tabs = await panel.locator('[role="tab"]').allInnerTexts();
        assert.ok(
          tabs.some((t) => /specsearch · 32 · Start with 7/.test(t)),
          `a tab reads method · answer · problem: ${tabs.join(' | ')}`,
        );
        await page.mouse.move(900, 700);
        await screenshot(page, 'history.png', await windowClip(page));
        // Rerun knows the restored search: it offers the methods instead of "solve a problem first".
        await wb.runCommand('SpecSearch: Rerun with Method…', { opensPicker: true });
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'large' }).first().waitFor({ state: 'visible', timeout: 10_000 });
        await page.keyboard.press('Escape');
      });
    });

    test('Stop stops a running search', async () => {
      await step('stop', async () => {
        const t0 = Date.now();
        const note = (what: string) => console.log(`# stop: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        // A search that cannot finish before Stop: the small model is an HTTP server that lists its model
        // and then never answers a completion (the large model and the PRM stay the bundled ones).
        const hanging = openAIHandler();
        const stuck = await startFixture((req, res, body, fixture) => {
          if (req.url === '/v1/completions') return;
          hanging(req, res, body, fixture);
        });
        try {
          const updates = () => extensionLog(root).split('Settings updated').length;
          const before = updates();
          updateWorkspaceSettings(server!.workspace, {
            'specsearch.models.small': { provider: 'openai-compatible', baseURL: `${stuck.origin}/v1`, model: 'm', promptTemplate: 'raw', timeoutMs: 600_000 },
          });
          await waitFor(async () => updates() > before, 30_000, 'the language server to report "Settings updated"');
          note('hanging small-model server configured');
          await wb.selectLine(PROBLEM_STOP);
          await wb.runCommand('SpecSearch: Solve Selection');
          note('solve started');
          const panel = wb.webview();
          // Stop is picked in the palette only once the search is really running: the panel shows it, and
          // the server holds its first completion request.
          await wb.runCommand('SpecSearch: Stop', {
            beforeEnter: async () => {
              note('palette ready');
              await panel.locator('header.search .problem', { hasText: 'Start with 12' }).waitFor({ state: 'visible', timeout: 60_000 });
              await waitFor(async () => stuck.requests.some((r) => r.path === '/v1/completions'), 60_000, 'the first completion request');
              note('a completion request is in flight');
              assert.equal(
                await panel.locator('.status.running').count(),
                1,
                `the search is not running: ${(await panel.locator('header.search').innerText()).replace(/\s+/g, ' ')}`,
              );
            },
          });
          const stopped = Date.now();
          note('stop sent');
          await panel.locator('.status.failed').waitFor({ state: 'visible', timeout: 30_000 });
          assert.match(await panel.locator('section.error').innerText(), /cancel/i);
          assert.equal(await panel.locator('.status.running').count(), 0);
          // Cancelling aborts the HTTP request the server was holding.
          await waitFor(async () => stuck.inFlight() === 0, 5_000, 'the held completion request to be aborted');
          note(`request aborted ${Date.now() - stopped} ms after Stop`);
          // A stopped search leaves no inline result behind.
          await waitFor(async () => !(await wb.afterDecorations(PROBLEM_STOP)).some((t) => /SpecSearch/.test(t)), 15_000, 'the inline "solving…" to go away');
          await page.mouse.move(900, 700);
          await screenshot(page, 'stopped.png', await sidebarClip(page));

          // A stopped rerun of the problem solved earlier keeps its last finished answer: CodeLens, hover, panel.
          const held = stuck.requests.filter((r) => r.path === '/v1/completions').length;
          await wb.selectLine(PROBLEM_SOLVE);
          await wb.runCommand('SpecSearch: Solve Selection');
          await wb.runCommand('SpecSearch: Stop', {
            beforeEnter: async () => {
              await panel.locator('.status.running').waitFor({ state: 'visible', timeout: 60_000 });
              await panel.locator('header.search .problem', { hasText: 'Start with 7' }).waitFor({ state: 'visible', timeout: 30_000 });
              await waitFor(
                async () => stuck.requests.filter((r) => r.path === '/v1/completions').length > held,
                60_000,
                "the rerun's first completion request",
              );
              // While it runs, the panel already shows the last answer.
              assert.match(await panel.locator('.earlier').innerText(), /Last answer \(specsearch\): 32 ✓ verified/);
            },
          });
          await panel.locator('.status.stopped').waitFor({ state: 'visible', timeout: 30_000 });
          assert.match(await panel.locator('section.error.stopped .earlier').innerText(), /Last answer \(specsearch\): 32 ✓ verified · confidence \d\.\d\d/);
          assert.equal(await panel.locator('[role="tab"]', { hasText: 'Start with 7' }).count(), 1, "the rerun took the problem's tab");
          await page
            .locator('.codelens-decoration', { hasText: /32 ✓ verified · confidence \d\.\d\d · Solve again/ })
            .first()
            .waitFor({ state: 'visible', timeout: 30_000 });
          await wb.editorLine(PROBLEM_SOLVE).first().locator('span').first().hover();
          await page
            .locator('.monaco-hover:visible', { hasText: /SpecSearch answer: 32 ✓ verified/ })
            .first()
            .waitFor({ state: 'visible', timeout: 15_000 });
          await page.mouse.move(900, 700);
          await page.keyboard.press('Escape');
          await inThemes(async (theme) => screenshot(page, `stopped-rerun-${theme}.png`, await windowClip(page)));
        } finally {
          await stuck.close();
        }
      });
    });
  },
);

/** A condition that will not come true any more: waitFor stops at once. */
class Hopeless extends Error {}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await check().catch((err) => {
        if (err instanceof Hopeless) throw err;
        return false;
      })
    )
      return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** True once an inline result matches; hopeless once it says there is no answer. */
function inlineResult(texts: string[], want: RegExp): boolean {
  if (texts.some((t) => want.test(t))) return true;
  const failed = texts.find((t) => /SpecSearch: no answer/.test(t));
  if (failed) throw new Hopeless(`the inline result says: ${failed}`);
  return false;
}

type Clip = { x: number; y: number; width: number; height: number };

interface ContrastSample {
  kind: string;
  text: string;
  fg: string;
  bg: string;
  ratio: number;
}

/**
 * WCAG 2 contrast of each element's text against what is behind it (the first opaque background up the
 * tree, else the side bar's theme colour that VS Code gives the webview), run inside the webview.
 */
function contrastOf(elements: Element[]): ContrastSample[] {
  const rgb = (c: string): [number, number, number, number] | null => {
    const hex = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(c.trim());
    if (hex)
      return [0, 2, 4].map((i) => parseInt(hex[1].slice(i, i + 2), 16)).concat(hex[2] ? parseInt(hex[2], 16) / 255 : 1) as [number, number, number, number];
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1]
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return [r, g, b, a];
  };
  const luminance = ([r, g, b]: number[]) => {
    const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const root = getComputedStyle(document.documentElement);
  const fallback = rgb(root.getPropertyValue('--vscode-sideBar-background')) ?? rgb(root.getPropertyValue('--vscode-editor-background')) ?? [255, 255, 255, 1];
  const behind = (el: Element) => {
    for (let e: Element | null = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c[3] >= 0.99) return c;
    }
    return fallback;
  };
  const kindOf = (el: Element) =>
    el.tagName === 'A'
      ? 'link'
      : el.classList.contains('src')
        ? 'src'
        : el.classList.contains('score')
          ? 'score'
          : el.classList.contains('verified')
            ? 'verified'
            : 'dim';
  return elements
    .filter((el) => (el as HTMLElement).offsetParent !== null && (el.textContent ?? '').trim() !== '')
    .map((el) => {
      const fg = rgb(getComputedStyle(el).color) ?? [0, 0, 0, 1];
      const bg = behind(el);
      // A translucent text colour is blended over its background first.
      const seen = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
      const [hi, lo] = [luminance(seen), luminance(bg)].sort((a, b) => b - a);
      const css = (c: number[]) =>
        `rgb(${c
          .slice(0, 3)
          .map((v) => Math.round(v))
          .join(', ')})`;
      return { kind: kindOf(el), text: (el.textContent ?? '').trim().slice(0, 40), fg: css(seen), bg: css(bg), ratio: (hi + 0.05) / (lo + 0.05) };
    });
}

async function sidebarClip(page: Page): Promise<Clip> {
  const box = await page.locator('.part.sidebar').boundingBox();
  assert.ok(box, 'the side bar is visible');
  return { x: 0, y: 0, width: Math.ceil(box.x + box.width), height: Math.ceil(box.y + box.height) };
}

/** The whole window: the side bar, the editor with its CodeLens and the notifications. */
async function windowClip(page: Page): Promise<Clip> {
  const size = page.viewportSize();
  assert.ok(size, 'the page has a viewport');
  return { x: 0, y: 0, width: size.width, height: size.height };
}

async function editorClip(page: Page): Promise<Clip> {
  const editor = await page.locator('.part.editor').boundingBox();
  const hover = await page
    .locator('.monaco-hover:visible')
    .first()
    .boundingBox()
    .catch(() => null);
  assert.ok(editor, 'the editor is visible');
  const bottom = Math.max(editor.y + 260, hover ? hover.y + hover.height + 12 : 0);
  return { x: editor.x, y: editor.y, width: editor.width, height: Math.min(editor.height, Math.ceil(bottom - editor.y)) };
}

async function screenshot(page: Page, name: string, clip: Clip): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, name);
  await page.screenshot({ path: file, clip });
  console.log(`# screenshot ${path.relative(repoRoot, file)} (${clip.width}×${clip.height}, ${(fs.statSync(file).size / 1024).toFixed(0)} KiB)`);
}

/** The ends of code-server's log and of the extension's output channel, for a failing step. */
function logTails(root: string): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/SpecSearch\.log$|exthost\.log$|remoteexthost\.log$/.test(entry.name)) files.push(p);
    }
  };
  walk(path.join(root, 'user-data', 'logs'));
  return [path.join(root, 'code-server.log'), ...files]
    .filter((f) => fs.existsSync(f))
    .map((f) => `--- ${path.relative(root, f)}\n${fs.readFileSync(f, 'utf8').split('\n').slice(-40).join('\n')}`)
    .join('\n');
}

type Panel = ReturnType<Workbench['webview']>;

/** The answer's path comes first: the tree's first row is on it, and with its groups closed every thought is. */
async function assertPathFirst(panel: Panel): Promise<void> {
  const rows = await panel.locator('.tree [role="treeitem"]').evaluateAll((els) =>
    els.map((el) => ({
      thought: el.classList.contains('thought'),
      onPath: el.classList.contains('on-path'),
      open: el.getAttribute('aria-expanded') === 'true' && el.classList.contains('group'),
      label: el.getAttribute('aria-label') ?? '',
    })),
  );
  assert.ok(rows.length > 0, 'the tree has rows');
  assert.ok(rows[0].onPath, `the first row is on the answer's path: ${rows[0].label}`);
  if (!rows.some((r) => r.open)) {
    const off = rows.filter((r) => r.thought && !r.onPath);
    assert.equal(off.length, 0, `thoughts off the path are folded: ${off.map((r) => r.label).join(' | ')}`);
  }
}

/** Every tab, its icon included, lies inside the tab list: none is pushed out of view. */
async function assertTabsFit(panel: Panel): Promise<void> {
  const boxes = await panel.locator('nav.tabs').evaluate((nav) => {
    const outer = nav.getBoundingClientRect();
    return Array.from(nav.querySelectorAll('[role="tab"]')).map((tab) => {
      const box = tab.getBoundingClientRect();
      const icon = tab.querySelector('.codicon')!.getBoundingClientRect();
      return {
        text: (tab.textContent ?? '').slice(0, 40),
        inside: box.left >= outer.left - 1 && box.right <= outer.right + 1,
        icon: icon.width > 0 && icon.right <= outer.right + 1,
      };
    });
  });
  assert.ok(boxes.length >= 2, 'several tabs');
  for (const b of boxes) assert.ok(b.inside && b.icon, `the tab "${b.text}" and its icon are in view`);
}

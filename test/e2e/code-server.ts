// The end-to-end harness: code-server (a real VS Code, installed by scripts/e2e/setup-code-server.sh)
// with the packaged .vsix installed into its own profile, driven by Debian's Chromium through
// playwright-core. Every run gets its own folders (user data, extensions, config, XDG, TMPDIR) under
// one temporary root, and code-server runs in its own process group, so stopping it stops the
// extension host and the language server too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';

export const repoRoot = findRepoRoot();
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string; version: string };
export const extensionId = `${manifest.publisher}.${manifest.name}`;
// `npm run package -- --target <this machine's target>` writes it (one .vsix per platform).
export const vsixPath = path.join(repoRoot, `${manifest.name}-${process.platform}-${process.arch}-${manifest.version}.vsix`);

function findRepoRoot(): string {
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).name === 'specsearch') return dir;
    if (path.dirname(dir) === dir) throw new Error('run the e2e tests from the SpecSearch repository');
  }
}

/** Debian's Chromium (apt-get install chromium), or CHROMIUM_PATH. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}

/** Node 24 and code-server's entry point, from the setup script (it installs them when they are not cached). */
export function codeServerInstall(): { node: string; entry: string } {
  const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'e2e', 'setup-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`scripts/e2e/setup-code-server.sh failed (exit ${r.status ?? r.signal})`);
  const value = (key: string) => r.stdout.match(new RegExp(`^${key}=(.+)$`, 'm'))?.[1];
  const node = value('SPECSEARCH_E2E_NODE');
  const entry = value('SPECSEARCH_E2E_CODE_SERVER');
  if (!node || !entry) throw new Error(`scripts/e2e/setup-code-server.sh printed no paths:\n${r.stdout}`);
  return { node, entry };
}

/** User settings that keep the workbench quiet and the screenshots clean. */
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.layoutControl.enabled': false,
  'window.commandCenter': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'editor.minimap.enabled': false,
  // One problem, one editor line: lines are selected with Home / Shift+End.
  'editor.wordWrap': 'off',
  '[markdown]': { 'editor.wordWrap': 'off' },
  'editor.fontSize': 14,
  'breadcrumbs.enabled': false,
  'files.autoSave': 'off',
  'markdown.preview.openMarkdownLinks': 'inEditor',
};

export interface CodeServer {
  url: string;
  root: string;
  workspace: string;
  logFile: string;
  process: ChildProcess;
}

/** Environment for code-server and its CLI: own XDG folders and TMPDIR, nothing from a VS Code we may run inside. */
function serverEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // VSCODE_IPC_HOOK_CLI would send --install-extension to the VS Code whose terminal runs the tests.
    if (/^(VSCODE_|ELECTRON_)/.test(k) || k === 'NODE_OPTIONS' || k === 'npm_config_nodedir') continue;
    env[k] = v;
  }
  for (const dir of ['xdg-config', 'xdg-data', 'xdg-cache', 'tmp']) fs.mkdirSync(path.join(root, dir), { recursive: true });
  env.XDG_CONFIG_HOME = path.join(root, 'xdg-config');
  env.XDG_DATA_HOME = path.join(root, 'xdg-data');
  env.XDG_CACHE_HOME = path.join(root, 'xdg-cache');
  env.TMPDIR = path.join(root, 'tmp');
  return env;
}

function profileArgs(root: string): string[] {
  return ['--user-data-dir', path.join(root, 'user-data'), '--extensions-dir', path.join(root, 'extensions'), '--config', path.join(root, 'config.yaml')];
}

/** A fresh profile with the .vsix installed, and a workspace holding the given files. */
export function prepareProfile(
  install: { node: string; entry: string },
  files: Record<string, string>,
): { root: string; workspace: string; installMs: number } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'specsearch-e2e-'));
  const workspace = path.join(root, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(workspace, name), text);
  fs.mkdirSync(path.join(root, 'user-data', 'User'), { recursive: true });
  fs.writeFileSync(path.join(root, 'user-data', 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  fs.writeFileSync(path.join(root, 'config.yaml'), 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const started = Date.now();
  const r = spawnSync(install.node, [install.entry, ...profileArgs(root), '--install-extension', vsixPath], {
    encoding: 'utf8',
    env: serverEnv(root),
    timeout: 120_000,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !/successfully installed/i.test(out))
    throw new Error(`code-server --install-extension ${path.basename(vsixPath)} failed (exit ${r.status ?? r.signal}):\n${out}`);
  const installed = fs.readdirSync(path.join(root, 'extensions')).filter((d) => d.startsWith(`${extensionId}-`));
  if (installed.length !== 1) throw new Error(`expected one ${extensionId} folder in the extensions dir, found: ${installed.join(', ') || 'none'}\n${out}`);
  return { root, workspace, installMs: Date.now() - started };
}

/**
 * Merges values into the workspace's .vscode/settings.json. (code-server applies edits of workspace
 * files within seconds, but not outside edits of the user settings.json.)
 */
export function updateWorkspaceSettings(workspace: string, values: Record<string, unknown>): void {
  const file = path.join(workspace, '.vscode', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const current = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  fs.writeFileSync(file, JSON.stringify({ ...current, ...values }, null, 2));
}

/** The extension's output channel (SpecSearch.log under the profile's logs), '' before it exists. */
export function extensionLog(root: string): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'SpecSearch.log') found.push(p);
    }
  };
  walk(path.join(root, 'user-data', 'logs'));
  return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

/** Starts code-server in its own process group on a free port; resolves once it listens. */
export async function startCodeServer(install: { node: string; entry: string }, root: string, workspace: string): Promise<CodeServer> {
  const logFile = path.join(root, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const args = [
    install.entry,
    '--bind-addr',
    '127.0.0.1:0',
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    ...profileArgs(root),
    workspace,
  ];
  // detached: the child calls setsid(), so it leads a new process group that stop() can signal as a whole.
  const child = spawn(install.node, args, { cwd: root, env: serverEnv(root), detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = fs.readFileSync(logFile, 'utf8');
    const m = text.match(/HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\/?/);
    if (m) return { url: m[1], root, workspace, logFile, process: child };
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before listening:\n${text}`);
    await sleep(100);
  }
  stopProcessGroup(child);
  throw new Error(`code-server did not listen within 60 s:\n${fs.readFileSync(logFile, 'utf8')}`);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole process group, SIGKILL after 5 s; returns once the group is gone. */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid;
  if (!pgid || !groupAlive(pgid)) return;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    for (let i = 0; i < 20 && groupAlive(pgid); i++) await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function launchBrowser(executablePath: string): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  // Loaded at run time, not bundled: playwright-core reads its own package files.
  const { chromium } = createRequire(path.join(repoRoot, 'package.json'))('playwright-core') as typeof import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // The clipboard is what a user's browser grants code-server on localhost.
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  return { browser, context, page };
}

// ------------------------------------------------------------------------------------------ workbench

export class Workbench {
  constructor(readonly page: Page) {}

  async open(server: CodeServer): Promise<void> {
    await this.page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  /** The activity bar entry of a view container, by its title. */
  activityItem(title: string): Locator {
    return this.page.locator(`.activitybar .action-item a.action-label[aria-label^="${title}"]`);
  }

  /**
   * Runs a command from the command palette (F1), picking the row by its exact label. `opensPicker`: the
   * command shows a quick pick of its own, so the quick input stays open (it is not waited to close).
   */
  async runCommand(label: string, options: { beforeEnter?: () => Promise<void>; opensPicker?: boolean } = {}): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${label}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    });
    await row.first().waitFor({ state: 'visible', timeout: 30_000 });
    if (options.beforeEnter) await options.beforeEnter();
    await row.first().click();
    if (!options.opensPicker) await input.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Opens a workspace file with Quick Open and waits for its editor. */
  async openFile(name: string, firstText: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.page
      .locator('.monaco-workbench')
      .click({ position: { x: 640, y: 10 } })
      .catch(() => undefined);
    await this.page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: name });
    await row.first().waitFor({ state: 'visible', timeout: 30_000 });
    await row.first().click();
    await this.editorLine(firstText).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** Drags the side bar's sash so the side bar is `width` pixels wide (the panel's rows read better). */
  async resizeSidebar(width: number): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box) throw new Error('the side bar is not visible');
    // The sash is a 4 px strip that starts at the side bar's right edge.
    const edge = box.x + box.width + 2;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(edge, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width + 2, y, { steps: 8 });
    await this.page.mouse.up();
    const after = await this.page.locator('.part.sidebar').boundingBox();
    if (!after || Math.abs(after.width - width) > 8) throw new Error(`the side bar is ${after?.width} px wide after dragging its sash to ${width} px`);
  }

  editorLine(text: string): Locator {
    return this.page.locator('.editor-instance .view-lines .view-line', { hasText: text });
  }

  /** Selects one whole line of the active editor: click on it, Home, Shift+End. */
  async selectLine(text: string): Promise<void> {
    await this.editorLine(text).first().click();
    await this.page.keyboard.press('Home');
    await this.page.keyboard.press('Shift+End');
    await this.page.locator('.editor-instance .selected-text').first().waitFor({ state: 'attached', timeout: 5_000 });
  }

  /** The text of `after` decorations (rendered as CSS ::after content) on lines containing `lineText`. */
  async afterDecorations(lineText: string): Promise<string[]> {
    return this.editorLine(lineText)
      .first()
      .evaluate((line) => {
        const texts: string[] = [];
        for (const el of Array.from(line.querySelectorAll('span'))) {
          const content = getComputedStyle(el, '::after').content;
          if (content && content !== 'none' && content !== 'normal') texts.push(content.replace(/^"|"$/g, ''));
          // Injected text (newer editors) is real DOM text in its own span.
          if (/ced-|inline-decoration|injected/.test(el.className) && el.textContent) texts.push(el.textContent);
        }
        return texts;
      });
  }

  /** The reasoning panel: a webview view is two nested iframes (the outer one names the extension). */
  webview(): FrameLocator {
    return this.page.frameLocator(`iframe.webview[src*="extensionId=${extensionId}"]`).frameLocator('iframe#active-frame');
  }

  /** Shows or hides the primary side bar (View: Toggle Primary Side Bar Visibility, Ctrl+B in the editor). */
  async sideBar(visible: boolean): Promise<void> {
    const bar = this.page.locator('.part.sidebar');
    if ((await bar.isVisible()) === visible) return;
    await this.runCommand('View: Toggle Primary Side Bar Visibility');
    await bar.waitFor({ state: visible ? 'visible' : 'hidden', timeout: 10_000 });
  }

  notifications(): Locator {
    return this.page.locator('.notifications-toasts .notification-toast .notification-list-item-message');
  }

  async dismissNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

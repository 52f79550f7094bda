import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { repoRoot } from './media.ts';

/** Chromium from CHROME_PATH or Debian's package; never a downloaded build. */
export function chromePath(): string {
  const p = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(p)) throw new Error(`Chromium not found at ${p}: apt-get install chromium, or set CHROME_PATH`);
  return p;
}

export interface LaunchOptions {
  /** .y4m file for the fake camera; omitted → Chromium's synthetic pattern. */
  camera?: string;
  /** .wav file for the fake microphone. */
  mic?: string;
  /** false leaves WebGPU off (tests the no-adapter page). */
  webgpu?: boolean;
  /** false drops the auto-accepting permission UI (tests denied permissions). */
  autoAcceptPermissions?: boolean;
  extraArgs?: string[];
}

/** The command-line flags the project's tests rely on. */
export function chromiumArgs(opts: LaunchOptions = {}): string[] {
  const args = [
    '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic', '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ];
  // Vulkan on SwiftShader gives the GPU process a shared-image backing for WebGPU canvases;
  // without it presenting a WebGPU canvas crashes the GPU process in headless Chromium.
  if (opts.webgpu !== false) args.push('--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader');
  else args.push('--disable-webgpu');
  if (opts.autoAcceptPermissions !== false) args.push('--use-fake-ui-for-media-stream');
  if (opts.camera) args.push(`--use-file-for-fake-video-capture=${opts.camera}`);
  if (opts.mic) args.push(`--use-file-for-fake-audio-capture=${opts.mic}`);
  args.push(...(opts.extraArgs ?? []));
  return args;
}

/** Starts headless Debian Chromium with the flags the project's tests rely on. */
export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: chromePath(), headless: true, args: chromiumArgs(opts) });
}

/**
 * Starts Chromium on a profile folder that outlives it (origin-private files survive a restart,
 * e.g. after the test kills it). Pages opened in the returned context share that profile.
 */
export async function launchPersistentChromium(userDataDir: string, opts: LaunchOptions = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: chromePath(), headless: true, args: chromiumArgs(opts), viewport: { width: 1280, height: 800 } });
}

/** The process id of the Chromium browser process running on `userDataDir` (not its renderers). */
export function browserPid(userDataDir: string): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd: string[];
    try { cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    if (cmd.includes(`--user-data-dir=${userDataDir}`) && !cmd.some((a) => a.startsWith('--type='))) return Number(d);
  }
  return null;
}

/** Starts the studio's own Vite dev server on a free loopback port. */
export async function startServer(): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({
    root: repoRoot,
    configFile: join(repoRoot, 'vite.config.ts'),
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  const addr = server.httpServer?.address();
  if (!addr || typeof addr === 'string') throw new Error('vite did not bind a port');
  return { server, url: `http://127.0.0.1:${addr.port}` };
}

/** A page whose console errors and off-origin requests are collected for assertions. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  consoleErrors: string[];
  foreignRequests: string[];
}

/** Opens a page on the dev server, recording console errors and requests to other origins. */
export async function openPage(browser: Browser, url: string, path = '/'): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const origin = new URL(url).origin;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreignRequests.push(u);
  });
  await page.goto(url + path);
  return { page, context, consoleErrors, foreignRequests };
}

/**
 * Imports a module in the page and calls one export with JSON arguments.
 * The call is sent as source text so vitest cannot rewrite the dynamic import.
 */
export async function callInPage<T>(page: Page, modulePath: string, fn: string, ...args: unknown[]): Promise<T> {
  const expr = `import(${JSON.stringify(modulePath)}).then((m) => m[${JSON.stringify(fn)}](...${JSON.stringify(args)}))`;
  return page.evaluate(expr) as Promise<T>;
}

/** A fresh temp user-data dir so OPFS starts empty. */
export function tempProfile(): string {
  return mkdtempSync(join(tmpdir(), 'bds-profile-'));
}

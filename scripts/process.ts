// `npm run process -- IN... -o OUT_DIR --background …`: removes the background of video files
// (and cuts people out of stills) with the studio's own page in headless Chrome or Chromium:
// the Vite dev server serves the app, the inputs and an upload route; each result streams back
// into OUT_DIR as it is finished. A progress bar per file on the terminal; exit code 0 when
// every file was processed, 1 when one failed, 2 for a usage error or a missing browser.
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { chromiumArgs } from '../tests/helpers/browser.ts';
import { repoRoot } from '../tests/helpers/media.ts';
import { parseArgs, progressBar, UsageError, USAGE, type CliArgs } from './process-args.ts';
import { formatEta, type ProcessProgress } from '../src/process/progress.ts';

const BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
const TYPES: Record<string, string> = { '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm', '.mkv': 'video/x-matroska',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

const fail = (message: string, code: number): never => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

/** CHROME_PATH, else the first system Chrome or Chromium found. */
function findBrowser(): string {
  const env = process.env.CHROME_PATH;
  if (env) return existsSync(env) ? env : fail(`CHROME_PATH is ${env}, but there is no browser there. Point it at a Chrome or Chromium executable.`, 2);
  return BROWSERS.find((p) => existsSync(p)) ?? fail(`No Chrome or Chromium found (looked for ${BROWSERS.join(', ')}). ` +
    'Install Chromium (e.g. apt-get install chromium) or set CHROME_PATH to a Chrome or Chromium executable.', 2);
}

/** A name in `dir` that no file has yet: "x.mp4", else "x (2).mp4", … */
function freePath(dir: string, name: string): string {
  const ext = extname(name), stem = name.slice(0, name.length - ext.length);
  let p = join(dir, name);
  for (let n = 2; existsSync(p); n++) p = join(dir, `${stem} (${n})${ext}`);
  return p;
}

/** Routes on the dev server: GET /__process/in/<i> (an input), GET /__process/bg (the background image), POST /__process/out/<i> (a result). */
function routes(args: CliArgs, saved: Map<number, string>) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const m = /^\/__process\/(in|out|bg)(?:\/(\d+))?/.exec(req.url ?? '');
    if (!m) return next();
    const i = Number(m[2] ?? -1);
    if (m[1] === 'out' && req.method === 'POST') {
      const name = basename(decodeURIComponent(new URL(req.url!, 'http://x').searchParams.get('name') ?? `output-${i}`));
      const final = freePath(args.outDir, name), part = `${final}.part`;
      // Written under a temporary name and renamed once whole: no half-written result in OUT_DIR.
      const out = createWriteStream(part);
      req.pipe(out);
      out.on('finish', () => { renameSync(part, final); saved.set(i, final); res.end('ok'); });
      out.on('error', (e) => { res.statusCode = 500; res.end(String(e)); });
      return;
    }
    const path = m[1] === 'bg' && args.background.type === 'image' ? resolve(args.background.path) : args.inputs[i];
    if (!path || !existsSync(path)) { res.statusCode = 404; res.end('no such input'); return; }
    res.setHeader('Content-Type', TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(path).size));
    createReadStream(path).pipe(res);
  };
}

/** The studio's Vite dev server on a free loopback port, with the job routes in front of its own. */
async function startServe(handler: ReturnType<typeof routes>): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({
    root: repoRoot, configFile: join(repoRoot, 'vite.config.ts'), logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    plugins: [{ name: 'process-routes', configureServer: (s) => { s.middlewares.use(handler); } }],
  });
  await server.listen();
  const addr = server.httpServer?.address();
  if (!addr || typeof addr === 'string') throw new Error('vite did not bind a port');
  return { server, url: `http://127.0.0.1:${addr.port}` };
}

/** What runs in the page for one file (a string: tsx's compiled functions can reference helpers the page lacks). */
const JOB = `async ([i, name, type, args]) => {
  const blob = await (await fetch('/__process/in/' + i)).blob();
  const file = new File([blob], name, { type });
  const b = args.background;
  const background = b.type === 'image' ? { type: 'image', image: await (await fetch('/__process/bg')).blob() } : b;
  const out = await window.studio.processFile(file, { background, videoCodec: args.codec, container: args.container, videoBitrate: args.bitrate,
    onProgress: (p) => window.__processProgress(i, p) });
  const r = await fetch('/__process/out/' + i + '?name=' + encodeURIComponent(out.name), { method: 'POST', body: out });
  if (!r.ok) throw new Error('the result could not be sent back: ' + r.status);
  return { name: out.name, size: out.size, result: out.type.startsWith('image/') ? null : window.studio.lastProcessResult };
}`;

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    return fail(`${e instanceof UsageError ? e.message : String(e)}\n\n${USAGE}`, 2);
  }
  if (args.help) { process.stdout.write(`${USAGE}\n`); return; }
  for (const p of args.inputs) if (!existsSync(p) || !statSync(p).isFile()) fail(`${p}: no such file.`, 2);
  if (args.background.type === 'image' && !existsSync(args.background.path)) fail(`--background image:${args.background.path}: no such file.`, 2);
  const executablePath = findBrowser();
  mkdirSync(args.outDir, { recursive: true });

  const saved = new Map<number, string>();
  const { server, url } = await startServe(routes(args, saved));
  let browser: Browser | null = null;
  const tty = process.stderr.isTTY === true;
  let failures = 0;
  try {
    // The tests' flags; with --gpu system, WebGPU on the machine's own GPU instead of SwiftShader.
    const flags = chromiumArgs().filter((f) => args.gpu === 'swiftshader' || !/swiftshader/.test(f));
    browser = await chromium.launch({ executablePath, headless: true, args: flags });
    const page = await browser.newPage();
    let current = '';
    let lastLine = 0, lastFrames = -1;
    await page.exposeFunction('__processProgress', (_i: number, p: ProcessProgress) => {
      const line = progressBar(p.frames, p.totalFrames, p.fps, formatEta(p.etaS), current);
      if (tty) { process.stderr.write(`\r${line}\x1b[K`); return; }
      // Not a terminal (a log file): a line every 5 s and at the end.
      if (p.frames !== lastFrames && (p.frames === p.totalFrames || Date.now() - lastLine > 5000)) {
        lastLine = Date.now();
        lastFrames = p.frames;
        process.stderr.write(`${line}\n`);
      }
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    await page.goto(url + '/');
    try {
      await page.waitForFunction('window.studio !== undefined', undefined, { timeout: 120_000 });
      await page.evaluate('window.studio.ready');
    } catch (e) {
      throw new Error(`The studio page could not start in this browser: ${e instanceof Error ? e.message : String(e)}${pageErrors.length ? ` (${pageErrors.join('; ')})` : ''}`);
    }
    for (const [i, input] of args.inputs.entries()) {
      current = basename(input);
      lastFrames = -1;
      const t0 = performance.now();
      try {
        const r = await page.evaluate(`(${JOB})(${JSON.stringify([i, basename(input), TYPES[extname(input).toLowerCase()] ?? '', args])})`) as
          { name: string; size: number; result: { frames: number; realTimeFactor: number; audio: string } | null };
        const s = ((performance.now() - t0) / 1000).toFixed(1);
        const extra = r.result ? `, ${r.result.frames} frames, ${r.result.realTimeFactor.toFixed(2)}× real time, audio ${r.result.audio}` : '';
        process.stderr.write(`${tty ? '\r\x1b[K' : ''}✓ ${input} → ${saved.get(i) ?? r.name} (${(r.size / 1e6).toFixed(2)} MB in ${s} s${extra})\n`);
      } catch (e) {
        failures++;
        const msg = (e instanceof Error ? e.message : String(e)).replace(/^page\.evaluate: /, '').split('\n')[0];
        process.stderr.write(`${tty ? '\r\x1b[K' : ''}✗ ${input}: ${msg}\n`);
      }
    }
  } finally {
    await browser?.close();
    await server.close();
  }
  process.stderr.write(`${args.inputs.length - failures} of ${args.inputs.length} files processed into ${args.outDir}\n`);
  process.exitCode = failures ? 1 : 0;
}

await main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e), 1));

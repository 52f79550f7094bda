// `npm run bench [filter]`: runs every bench/*.bench.ts in headless Chromium against the Vite
// dev server and prints one JSON object per result line on stdout. Everything else (progress,
// page console, errors) goes to stderr so stdout stays machine-readable. A file whose first line
// is NODE_BENCH_PRAGMA runs under Node instead and drives its own browser (bench/live.bench.ts).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { callInPage, launchChromium, openPage, startServer } from '../tests/helpers/browser.ts';
import { repoRoot, sharedDir } from '../tests/helpers/media.ts';
import { matchesFilter, MEDIA_PREFIX, NODE_BENCH_PRAGMA, type BenchModule, type BenchResult, type NodeBenchModule } from './types.ts';

const filter = process.argv[2] || undefined;
const log = (...a: unknown[]) => console.error('[bench]', ...a);

const files = readdirSync(join(repoRoot, 'bench')).filter((f) => f.endsWith('.bench.ts')).sort();
const t0 = performance.now();
const { server, url } = await startServer();
// Launched on first use, and closed before a Node-side bench so that no idle browser sits beside theirs.
let browser = null as Browser | null;
let failed = false;
let printed = 0;
/**
 * When Vite re-optimises its dependencies mid-run (another bench, or a test run sharing the
 * cache, found a new one), a page still holding the old module graph gets 504s on import.
 * A fresh page loads the new graph, so such a file is tried once more.
 */
const STALE_DEPS = /Failed to fetch dynamically imported module|Outdated Optimize Dep/;

/** Runs one bench file in its own page; 'retry' when its import hit stale Vite deps. */
async function runFile(file: string, lastTry: boolean): Promise<'done' | 'retry'> {
  const modulePath = `/bench/${file}`;
  browser ??= await launchChromium();
  const { page, context } = await openPage(browser, url, '/bench/index.html');
  let imported = false;
  try {
    page.on('console', (m) => { if (m.type() !== 'debug') log(`${file} console.${m.type()}:`, m.text()); });
    // The dev server only serves the repository; the shared media sit beside it.
    await context.route(`**${MEDIA_PREFIX}*`, async (route) => {
      const name = basename(new URL(route.request().url()).pathname);
      const path = join(sharedDir, 'media', name);
      if (!existsSync(path)) return route.fulfill({ status: 404, body: `no ${name} in ../shared/media` });
      return route.fulfill({ path, contentType: name.endsWith('.mp4') ? 'video/mp4' : 'application/octet-stream' });
    });
    // See BenchModule: the exports say whether the file can be skipped or take the filter.
    const meta = await page.evaluate(`import(${JSON.stringify(modulePath)}).then((m) => ({ names: m.names ?? null, filterable: m.filterable === true }))`) as
      { names: string[] | null } & Pick<BenchModule, 'filterable'>;
    imported = true;
    if (meta.names && !meta.names.some((n) => matchesFilter(n, filter))) { log(`${file}: skipped, nothing matches '${filter}'`); return 'done'; }
    const started = performance.now();
    log(`${file}: running`);
    const results = meta.filterable
      ? await callInPage<BenchResult[]>(page, modulePath, 'default', filter ?? '')
      : await callInPage<BenchResult[]>(page, modulePath, 'default');
    log(`${file}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    print(results);
  } catch (e) {
    const message = e instanceof Error ? e.stack ?? e.message : String(e);
    if (!imported && !lastTry && STALE_DEPS.test(message)) { log(`${file}: Vite re-optimised its dependencies; retrying on a fresh page`); return 'retry'; }
    failed = true;
    log(`${file} threw:`, message);
  } finally {
    await context.close();
  }
  return 'done';
}

/** Writes the lines that match the filter to stdout. */
function print(results: readonly BenchResult[]): void {
  for (const r of results) {
    if (!matchesFilter(r.name, filter)) continue;
    process.stdout.write(JSON.stringify(r) + '\n');
    printed++;
  }
}

/** Whether a bench file declares itself Node-side on its first line. */
function runsInNode(file: string): boolean {
  return readFileSync(join(repoRoot, 'bench', file), 'utf8').split('\n', 1)[0]!.trim() === NODE_BENCH_PRAGMA;
}

/** Imports a Node-side bench here and runs it against the runner's dev server. */
async function runNodeFile(file: string): Promise<void> {
  try {
    const mod = await import(pathToFileURL(join(repoRoot, 'bench', file)).href) as NodeBenchModule;
    if (mod.names && !mod.names.some((n) => matchesFilter(n, filter))) { log(`${file}: skipped, nothing matches '${filter}'`); return; }
    await browser?.close();
    browser = null;
    const started = performance.now();
    log(`${file}: running (Node-side)`);
    const results = await mod.default({ url, filter: filter ?? '', log: (...a) => log(`${file}:`, ...a) });
    log(`${file}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    print(results);
  } catch (e) {
    failed = true;
    log(`${file} threw:`, e instanceof Error ? e.stack ?? e.message : String(e));
  }
}

try {
  for (const file of files) {
    if (runsInNode(file)) await runNodeFile(file);
    else if (await runFile(file, false) === 'retry') await runFile(file, true);
  }
} finally {
  await browser?.close();
  await server.close();
}
log(`${printed} result(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (printed === 0 && !failed) {
  log(filter ? `no result name contains '${filter}'` : 'no bench files found');
  process.exitCode = 2;
}
if (failed) process.exitCode = 1;

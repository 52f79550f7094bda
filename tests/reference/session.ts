/**
 * One Vite server, one Chromium and one page per kernel test file, plus the byte side channel.
 * The page is opened without request listeners: Playwright would otherwise copy every POST
 * body over CDP, which makes posting a frame back ~10x slower.
 */
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { callInPage, launchChromium, startServer } from '../helpers/browser.ts';
import { ByteServer } from './byte-server.ts';

export interface KernelSession {
  page: Page;
  bytes: ByteServer;
  /** Console errors and uncaught page errors. */
  errors: string[];
  call<T>(module: string, fn: string, ...args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

export async function openKernelSession(): Promise<KernelSession> {
  let server: ViteDevServer | null = null;
  let browser: Browser | null = null;
  let bytes: ByteServer | null = null;
  try {
    const s = await startServer();
    server = s.server;
    browser = await launchChromium();
    bytes = await ByteServer.start();
    const page = await browser.newPage();
    const errors: string[] = [];
    // Chromium asks every page for /favicon.ico, which the dev server does not have.
    page.on('console', (m) => { if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${s.url}/tests/browser/blank.html`);
    const b = bytes, br = browser, sv = server;
    return {
      page, bytes: b, errors,
      call: (module, fn, ...args) => callInPage(page, module, fn, ...args),
      async close() { await br.close(); await sv.close(); await b.close(); },
    };
  } catch (e) {
    await browser?.close();
    await server?.close();
    await bytes?.close();
    throw e;
  }
}

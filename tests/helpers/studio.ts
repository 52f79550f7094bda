import type { Browser, Page } from 'playwright-core';
import { openPage } from './browser.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a File that a page expression resolves to and writes it under `dir`; returns the path. */
export async function saveFileFromPage(page: Page, expression: string, dir: string): Promise<{ path: string; name: string; size: number }> {
  const r = await page.evaluate(`(async () => {
    const f = await (${expression});
    const buf = new Uint8Array(await f.arrayBuffer());
    let s = '';
    for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    return { name: f.name, size: f.size, b64: btoa(s) };
  })()`) as { name: string; size: number; b64: string };
  const path = join(dir, r.name.replace(/[^\w.-]+/g, '_'));
  writeFileSync(path, Buffer.from(r.b64, 'base64'));
  return { path, name: r.name, size: r.size };
}

/** Waits until the page's studio is ready. */
export async function studioReady(page: Page): Promise<void> {
  await page.waitForFunction('window.studio !== undefined');
  await page.evaluate('window.studio.ready');
}

/**
 * Polls an expression in the page until it is truthy, awaiting promises (Playwright's
 * waitForFunction treats a returned Promise as truthy and does not wait for it). `explain`, an
 * expression read when it times out, goes into the error.
 */
export async function waitInPage(page: Page, expression: string, timeoutMs = 15_000, explain?: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(`Promise.resolve(${expression}).then((v) => !!v)`)) return;
    if (Date.now() > end) {
      // What the page says of itself then, so that a failure in CI can be read without a rerun.
      const state = explain ? await page.evaluate(`Promise.resolve(${explain}).then((v) => JSON.stringify(v))`).catch((e) => `(unreadable: ${e})`) : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression}${state ? `; the page: ${state}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pages of their own (fresh storage) for each test, closed after it so they stop using the CPU. */
export class TestPages {
  private readonly open: Page[] = [];
  constructor(private readonly target: () => { browser: Browser; url: string }) {}

  /** Opens the studio in a new browser context and waits until it is ready. */
  async fresh(): Promise<Page> {
    const { browser, url } = this.target();
    const { page } = await openPage(browser, url);
    this.open.push(page);
    await studioReady(page);
    return page;
  }

  /** Closes every page opened since the last call. */
  async closeAll(): Promise<void> {
    for (const p of this.open.splice(0)) await p.context().close();
  }
}

/** Evaluates an expression in the page (awaiting a promise) and types the result. */
export const ev = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

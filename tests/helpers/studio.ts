import type { Page } from 'playwright-core';
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
 * waitForFunction treats a returned Promise as truthy and does not wait for it).
 */
export async function waitInPage(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(`Promise.resolve(${expression}).then((v) => !!v)`)) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { join } from 'node:path';
import { launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { makeY4m, scratchDir, shared } from '../helpers/media.ts';
import { studioReady, waitInPage } from '../helpers/studio.ts';

let server: ViteDevServer, url: string, browser: Browser, wp: WatchedPage;
const out = scratchDir('ui');

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium({ camera: makeY4m('webcam_woman_640x480_30fps.mp4', 4), mic: shared('media/speech_jfk_48k_stereo.wav') });
  wp = await openPage(browser, url);
  await studioReady(wp.page);
});
afterAll(async () => { await browser?.close(); await server?.close(); });

describe('studio UI', () => {
  it('starts the camera and records from the buttons, with a running timer and stats', async () => {
    const { page } = wp;
    await page.getByRole('button', { name: 'Start camera' }).click();
    await page.waitForFunction('window.studio.cameraState === "on"');
    await page.getByRole('button', { name: /Record/ }).click();
    await page.waitForFunction('window.studio.recordingState === "recording"');
    await page.waitForTimeout(2300);
    expect(await page.getByRole('timer').textContent()).toMatch(/^0:0[2-3]$/);
    const stats = await page.locator('#stats-list').textContent();
    expect(stats).toMatch(/Frames skipped due to encoding lag/);
    expect(stats).toMatch(/Frames missed due to rendering lag/);
    expect(stats).toMatch(/avc1/);
    const shot = join(out, 'studio.png');
    await page.screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
    await page.getByRole('button', { name: /Stop recording/ }).click();
    await page.waitForFunction('window.studio.recordingState === "idle"');
    await page.getByRole('button', { name: /^Save .* as…$/ }).first().waitFor();
  });

  it('adds tab/system audio from a screen share and a second microphone to the mixer, and removes them', async () => {
    const { page } = wp;
    await page.getByRole('button', { name: 'Add tab or system audio…' }).click();
    await waitInPage(page, 'window.studio.listAudioSources().then((l) => l.some((s) => s.kind === "display"))', 15_000);
    await page.getByRole('button', { name: 'Add microphone' }).click();
    await waitInPage(page, 'window.studio.listAudioSources().then((l) => l.filter((s) => s.kind === "microphone").length >= 2)', 15_000);
    const display = (await page.evaluate('window.studio.listAudioSources()') as { id: string; kind: string; label: string }[]).find((x) => x.kind === 'display')!;
    await page.getByRole('slider', { name: `Gain for ${display.label}` }).waitFor();
    await page.getByRole('button', { name: `Remove ${display.label}` }).click();
    await waitInPage(page, 'window.studio.listAudioSources().then((l) => !l.some((s) => s.kind === "display"))');
  });

  it('gives every control an accessible name', async () => {
    const unnamed = await wp.page.locator('button, select, input, [role=button]').evaluateAll((els) =>
      els.filter((e) => {
        const label = e.getAttribute('aria-label') || e.textContent?.trim() || (e.id && document.querySelector(`label[for="${e.id}"]`)?.textContent) || e.closest('label')?.textContent?.trim();
        return !label;
      }).map((e) => e.outerHTML));
    expect(unnamed).toEqual([]);
  });
});

/**
 * A full disk, made real through the DevTools protocol (Storage.overrideQuotaForOrigin):
 * - too little space at the start: the recording is refused with a message, and no file is left;
 * - the quota filling up mid-recording: the recording stops within 1 s (state, event) and the
 *   file plays, up to within 2 s of the failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { launchChromium, openPage, startServer } from '../helpers/browser.ts';
import { makeY4m, scratchDir, shared } from '../helpers/media.ts';
import { probe } from '../helpers/av.ts';
import { ev, saveFileFromPage, studioReady, waitInPage } from '../helpers/studio.ts';

let server: ViteDevServer, url: string, browser: Browser;
const out = scratchDir('storage');

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium({ camera: makeY4m('webcam_man_640x480_30fps.mp4', 4), mic: shared('media/speech_jfk_48k_stereo.wav') });
});
afterAll(async () => { await browser?.close(); await server?.close(); });

async function studio(): Promise<{ page: Page; cdp: CDPSession; origin: string }> {
  const { page } = await openPage(browser, url);
  await studioReady(page);
  await ev(page, 'window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
  await ev(page, 'window.studio.startCamera()');
  const cdp = await page.context().newCDPSession(page);
  return { page, cdp, origin: new URL(url).origin };
}

describe('a full disk', () => {
  it('too little space at the start: refused with a message, no file left', async () => {
    const { page, cdp, origin } = await studio();
    const before = await ev<unknown[]>(page, 'window.studio.listRecordings()');
    const usage = await ev<number>(page, 'navigator.storage.estimate().then((e) => e.usage)');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 300_000 });
    const err = await ev<{ name: string; message: string } | null>(page, 'window.studio.startRecording().then(() => null, (e) => ({ name: e.name, message: e.message }))');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    console.log(`[storage] ${usage + 300_000} bytes quota at start: ${err?.name}: ${err?.message}`);
    expect(err?.name).toBe('StorageError');
    expect(err?.message).toMatch(/not enough free storage/);
    expect(await ev<string>(page, 'window.studio.recordingState')).toBe('idle');
    expect(await ev<unknown[]>(page, 'window.studio.listRecordings()')).toHaveLength(before.length);
    await page.context().close();
  });

  it('filling up mid-recording: stopped within 1 s, the file plays to within 2 s of the failure', async () => {
    const { page, cdp, origin } = await studio();
    await ev(page, `(() => {
      window.__states = [];
      window.__errors = [];
      window.studio.addEventListener('state', () => window.__states.push([window.studio.recordingState, performance.now()]));
      window.studio.addEventListener('error', (e) => window.__errors.push([e.detail.name, e.detail.message, performance.now()]));
    })()`);
    await ev(page, 'window.studio.startRecording({ videoBitrate: 1_500_000 })');
    const startedAt = await ev<number>(page, 'performance.now()');
    await page.waitForTimeout(3000);
    const usage = await ev<number>(page, 'navigator.storage.estimate().then((e) => e.usage)');
    // About 2 s more at 1.5 Mbit/s, then the disk is full.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 400_000 });
    await waitInPage(page, `window.studio.recordingState === 'idle'`, 30_000);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    const states = await ev<[string, number][]>(page, 'window.__states');
    const errors = await ev<[string, string, number][]>(page, 'window.__errors');
    const stopping = states.find(([s]) => s === 'stopping')![1];
    const idle = states.filter(([s]) => s === 'idle').pop()![1];
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const p = probe(file.path);
    const video = p.streams.find((s) => s.codec_type === 'video')!;
    const failedAfterS = (stopping - startedAt) / 1000;
    console.log(`[storage] quota filled: stopping ${failedAfterS.toFixed(2)} s into the recording, idle ${((idle - stopping) / 1000).toFixed(2)} s later; ` +
      `${errors.map((e) => `${e[0]}: ${e[1]}`).join(' | ')}; file ${file.size} bytes, ${Number(video.duration).toFixed(2)} s, ${video.nb_read_frames} frames`);
    expect(errors.some(([name, msg]) => name === 'StorageError' && /disk is full/i.test(msg))).toBe(true);
    expect(idle - stopping).toBeLessThanOrEqual(1000);
    expect(Number(video.nb_read_frames)).toBeGreaterThan(10);
    expect(Math.abs(Number(video.duration) - failedAfterS)).toBeLessThanOrEqual(2);
    await page.context().close();
  });
});

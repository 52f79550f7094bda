/**
 * Pause / resume with the flash-and-beep fake devices: a 2 s pause leaves no gap in the file,
 * its duration is the time recorded (not the time paused), and picture and sound stay together
 * after the resume (A/V offset after the pause within 45 ms of the offset before it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { launchChromium, openPage, startServer } from '../helpers/browser.ts';
import { scratchDir } from '../helpers/media.ts';
import { audioSamples, probe } from '../helpers/av.ts';
import { ev, saveFileFromPage, studioReady } from '../helpers/studio.ts';
import { audioStart, beepOnsets, makeSyncMedia, pairBeepsWithVideo, syncFrames } from '../helpers/avsync.ts';

let server: ViteDevServer, url: string, browser: Browser;
const out = scratchDir('pause');

beforeAll(async () => {
  ({ server, url } = await startServer());
  const media = makeSyncMedia(out, 12);
  browser = await launchChromium({ camera: media.y4m, mic: media.wav });
});
afterAll(async () => { await browser?.close(); await server?.close(); });

describe('pause and resume', () => {
  it('a 2 s pause leaves no gap, the file lasts the recorded time, and A/V stays together', async () => {
    const { page } = await openPage(browser, url);
    await studioReady(page);
    await ev(page, 'window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
    await ev(page, 'window.studio.startCamera()');
    await page.waitForTimeout(2500);
    await ev(page, 'window.studio.startRecording()');
    await page.waitForTimeout(3000);
    await ev(page, 'window.studio.pauseRecording()');
    expect(await ev(page, 'window.studio.recordingState')).toBe('paused');
    await page.waitForTimeout(2000);
    await ev(page, 'window.studio.resumeRecording()');
    await page.waitForTimeout(3000);
    const elapsed = await ev<number>(page, 'window.studio.recordingElapsedMs');
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const p = probe(file.path);
    const vDur = Number(p.streams.find((s) => s.codec_type === 'video')!.duration);
    const aDur = Number(p.streams.find((s) => s.codec_type === 'audio')!.duration);
    const frames = syncFrames(file.path);
    let gap = 0;
    for (let i = 1; i < frames.length; i++) gap = Math.max(gap, frames[i]!.t - frames[i - 1]!.t);
    const beeps = beepOnsets(audioSamples(file.path)).map((b) => b + audioStart(file.path));
    const pairs = pairBeepsWithVideo(beeps, frames);
    const before = pairs.filter((x) => x.beep < 2.8), after = pairs.filter((x) => x.beep > 3.3);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const offBefore = mean(before.map((x) => x.offsetMs)), offAfter = mean(after.map((x) => x.offsetMs));
    console.log(`[pause] recorded ${(elapsed / 1000).toFixed(2)} s (timer), file video ${vDur.toFixed(2)} s / audio ${aDur.toFixed(2)} s, ` +
      `largest frame gap ${(gap * 1000).toFixed(0)} ms; A/V before the pause ${before.map((x) => x.offsetMs.toFixed(1)).join(', ')} ms, after ${after.map((x) => x.offsetMs.toFixed(1)).join(', ')} ms`);
    // About 6 s recorded (3 + 3), not 8.
    expect(Math.abs(vDur - elapsed / 1000)).toBeLessThanOrEqual(0.4);
    expect(vDur).toBeLessThan(7);
    expect(Math.abs(vDur - aDur)).toBeLessThanOrEqual(0.1);
    expect(gap).toBeLessThan(0.25);
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(after.length).toBeGreaterThanOrEqual(1);
    expect(Math.abs(offAfter - offBefore)).toBeLessThanOrEqual(45);
    await page.context().close();
  });
});

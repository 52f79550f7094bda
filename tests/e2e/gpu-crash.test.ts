/**
 * GPU process crashes (DevTools `Browser.crashGpuProcess`) while recording: the studio makes a
 * new device, rebuilds the program and the filters and goes on. The file is judged with
 * ffprobe/ffmpeg on the flash-and-beep fake devices: its length, the picture moving again after
 * the crash (the camera's frame counter keeps climbing) and lip sync after the crash. Crashes
 * again and again within a minute make the studio give up and finish the recording.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { launchChromium, openPage, startServer } from '../helpers/browser.ts';
import { scratchDir } from '../helpers/media.ts';
import { audioSamples, probe } from '../helpers/av.ts';
import { ev, saveFileFromPage, studioReady, waitInPage } from '../helpers/studio.ts';
import { audioStart, beepOnsets, makeSyncMedia, pairBeepsWithVideo, syncFrames } from '../helpers/avsync.ts';

let server: ViteDevServer, url: string, browser: Browser | null = null;
let media: { y4m: string; wav: string };
let consoleErrors: string[] = [];
const out = scratchDir('gpu-crash');

beforeAll(async () => {
  ({ server, url } = await startServer());
  // Longer than the test runs, so the camera's frame counter never wraps.
  media = makeSyncMedia(out, 24);
});
afterEach(async () => { await browser?.close(); browser = null; });
afterAll(async () => { await server?.close(); });

/**
 * A browser of its own for each test: Chrome blocks WebGPU for a while after its GPU process
 * crashed twice, so every test starts from a browser whose GPU never crashed.
 */
async function studioPage(blur: boolean): Promise<Page> {
  browser = await launchChromium({ camera: media.y4m, mic: media.wav });
  const { page, consoleErrors: errs } = await openPage(browser, url);
  consoleErrors = errs;
  await studioReady(page);
  await watchEvents(page);
  await ev(page, 'window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
  await ev(page, 'window.studio.startCamera()');
  if (blur) await ev(page, `window.studio.setBackground({ type: 'blur', strength: 1 })`);
  return page;
}

async function crashGpu(): Promise<void> {
  const cdp = await browser!.newBrowserCDPSession();
  // The command's reply is lost with the process it crashes.
  await cdp.send('Browser.crashGpuProcess').catch(() => {});
  await cdp.detach().catch(() => {});
}

/** Collects the studio's 'warning' and 'error' events in the page. */
async function watchEvents(page: Page): Promise<void> {
  await ev(page, `(() => {
    window.__warnings = []; window.__errors = [];
    window.studio.addEventListener('warning', (e) => window.__warnings.push(e.detail));
    window.studio.addEventListener('error', (e) => window.__errors.push(e.detail.name + ': ' + e.detail.message));
  })()`);
}

/** The page's own account, for a wait that times out. */
const explain = `window.studio.getStats().then((s) => ({ recording: window.studio.recordingState, elapsedMs: Math.round(window.studio.recordingElapsedMs),
  gpu: s.render.gpu, warnings: window.__warnings, errors: window.__errors }))`;

/** Waits for an expression in the page; a timeout says the page's state and its console errors. */
async function wait(page: Page, expression: string, timeoutMs: number): Promise<void> {
  try {
    await waitInPage(page, expression, timeoutMs, explain);
  } catch (e) {
    throw new Error(`${(e as Error).message}; console errors ${JSON.stringify(consoleErrors.slice(-10))}`);
  }
}

type FrameCounts = { cameraDelivered: number; workerRead: number; replacedUnshown: number; rendered: number; missedTicks: number; droppedToEncoder: number; encoded: number; skippedByEncoder: number };

/** Running counts along the picture's way to the file: the camera, the render worker, the link to the encoder and the encoder. */
const frameCounts = (page: Page) => ev<FrameCounts>(page, `window.studio.getStats().then((s) => ({
  cameraDelivered: s.camera.framesDelivered ?? 0, workerRead: s.render.sources[0]?.framesIn ?? 0, replacedUnshown: s.render.sources[0]?.framesReplaced ?? 0,
  rendered: s.render.framesRendered, missedTicks: s.render.framesMissed, droppedToEncoder: s.render.outputDropped,
  encoded: s.encode?.framesEncoded ?? 0, skippedByEncoder: s.encode?.framesSkipped ?? 0 }))`);

const gpuStats = (page: Page) => ev<{ recoveries: number; down: boolean; gaveUp: boolean }>(page, 'window.studio.getStats().then((s) => s.render.gpu)');

describe('GPU process crash', () => {
  it('a crash 4 s into a 12 s recording: the file is 12 s long, the picture moves again, A/V stays together', async () => {
    const page = await studioPage(false);
    await page.waitForTimeout(2500);
    await ev(page, 'window.studio.startRecording()');
    await page.waitForTimeout(4000);
    const crashAt = (await ev<number>(page, 'window.studio.recordingElapsedMs')) / 1000;
    const atCrash = await frameCounts(page);
    await crashGpu();
    await wait(page, 'window.studio.getStats().then((s) => s.render.gpu.recoveries === 1 && !s.render.gpu.down)', 10_000);
    await wait(page, 'window.studio.recordingElapsedMs >= 12000', 15_000);
    // The stats panel says so too.
    await expect.poll(() => page.locator('#stats').textContent(), { timeout: 5000 }).toMatch(/GPU restarts recovered\s*1/);
    const atEnd = await frameCounts(page);
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const warnings = await ev<string[]>(page, 'window.__warnings');
    const errors = await ev<string[]>(page, 'window.__errors');
    const stats = await ev<{ framesMissed: number; framesRendered: number }>(page, 'window.studio.getStats().then((s) => s.render)');

    const p = probe(file.path);
    const vDur = Number(p.streams.find((s) => s.codec_type === 'video')!.duration);
    const aDur = Number(p.streams.find((s) => s.codec_type === 'audio')!.duration);
    const frames = syncFrames(file.path);
    // The crash in file time: the recording timer and the file start within a frame or two.
    // The outage: from the crash on, frames that repeat the picture or follow a pause of over
    // 200 ms, up to the last of them that comes within 10 frames of the one before; the picture
    // moves again from there. The device is rebuilt in between: on a busy machine that took up to
    // 1.9 s, and a fixed 0.5 s grace counted the picture held until then as frames out of order.
    const first = Math.max(1, frames.findIndex((f) => f.t > crashAt));
    let start = first;
    for (let i = first, lastBad = -1; i < frames.length; i++) {
      if (frames[i]!.index > frames[i - 1]!.index && frames[i]!.t - frames[i - 1]!.t <= 0.2) continue;
      if (lastBad >= 0 && i - lastBad > 10) break;
      start = lastBad = i;
    }
    const resumeS = frames[start]!.t - crashAt;
    const after = frames.slice(start);
    let gap = 0;
    for (let i = 1; i < frames.length; i++) gap = Math.max(gap, frames[i]!.t - frames[i - 1]!.t);
    let climbing = 0;
    for (let i = 1; i < after.length; i++) if (after[i]!.index > after[i - 1]!.index) climbing++;
    const distinct = new Set(after.map((f) => f.index)).size;
    const beeps = beepOnsets(audioSamples(file.path)).map((b) => b + audioStart(file.path));
    const all = pairBeepsWithVideo(beeps, frames);
    const pairs = all.filter((x) => x.beep > crashAt + 1), earlier = all.filter((x) => x.beep < crashAt);
    console.log(`[gpu-crash] crash at ${crashAt.toFixed(2)} s; file video ${vDur.toFixed(2)} s / audio ${aDur.toFixed(2)} s; ` +
      `largest frame gap ${(gap * 1000).toFixed(0)} ms; the picture moves again ${resumeS.toFixed(2)} s after the crash; from then ${after.length} frames, ${distinct} distinct camera frames, counter rising ${climbing}/${after.length - 1}; ` +
      `A/V before the crash ${earlier.map((x) => x.offsetMs.toFixed(1)).join(', ')} ms, after ${pairs.map((x) => x.offsetMs.toFixed(1)).join(', ')} ms; missed ticks ${stats.framesMissed}, rendered ${stats.framesRendered}; ` +
      `warnings ${JSON.stringify(warnings)}; errors ${JSON.stringify(errors)}; ` +
      `from the crash to the stop (where repeated pictures come from): ${Object.entries(atEnd).map(([k, v]) => `${k} ${v - atCrash[k as keyof FrameCounts]}`).join(', ')}`);
    expect(Math.abs(vDur - 12)).toBeLessThanOrEqual(1);
    expect(Math.abs(vDur - aDur)).toBeLessThanOrEqual(0.1);
    // At most about 2 s without a picture.
    expect(gap).toBeLessThanOrEqual(2.2);
    // The picture moves again within 2.5 s, then goes on moving: several seconds of new camera frames, in order.
    expect(resumeS).toBeLessThanOrEqual(2.5);
    expect(distinct).toBeGreaterThanOrEqual(5 * 5);
    expect(climbing).toBeGreaterThanOrEqual(0.9 * (after.length - 1) - 1);
    expect(pairs.length).toBeGreaterThanOrEqual(3);
    for (const x of pairs) expect(Math.abs(x.offsetMs)).toBeLessThanOrEqual(45);
    // Told once, as a warning; no error for a crash the studio recovered from.
    expect(warnings.filter((w) => /GPU stopped/.test(w))).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('the blur comes back after a crash; crashes again and again within a minute make the studio give up, finish the recording and say why', async () => {
    const page = await studioPage(true);
    await page.waitForTimeout(1500);
    await ev(page, 'window.studio.startRecording()');
    await page.waitForTimeout(1500);
    await crashGpu();
    await wait(page, 'window.studio.getStats().then((s) => s.render.gpu.recoveries === 1 && !s.render.gpu.down)', 10_000);
    const masksAtRecovery = await ev<number>(page, 'window.studio.getStats().then((s) => s.render.effects.masksProduced)');
    await page.waitForTimeout(3000);
    const fx = await ev<{ active: boolean; masksProduced: number; error: string | null }>(page, 'window.studio.getStats().then((s) => s.render.effects)');
    console.log(`[gpu-crash] blur after the recovery: ${fx.masksProduced - masksAtRecovery} new masks in 3 s (chain ${fx.active ? 'active' : 'off'}, error ${fx.error})`);
    // The filter was rebuilt on the new device: new masks keep coming.
    expect(fx.active).toBe(true);
    expect(fx.masksProduced - masksAtRecovery).toBeGreaterThanOrEqual(3);
    // Chrome itself may stop offering a GPU adapter after repeated crashes; either way the
    // studio's rebuilds fail or its devices are lost again, and it gives up within a minute.
    const seen: string[] = [];
    let before = 1;
    for (let i = 0; i < 8 && !(await gpuStats(page)).gaveUp; i++) {
      await crashGpu();
      const end = Date.now() + 6000;
      let g = await gpuStats(page);
      while (Date.now() < end && !g.gaveUp && (g.down || g.recoveries === before)) {
        await page.waitForTimeout(200);
        g = await gpuStats(page);
      }
      before = g.recoveries;
      seen.push(`${g.recoveries}/${g.down ? 'down' : 'up'}${g.gaveUp ? '/gave up' : ''}`);
    }
    await waitInPage(page, `window.studio.recordingState === 'idle'`, 10_000);
    const gpu = await gpuStats(page);
    const errors = await ev<string[]>(page, 'window.__errors');
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const vDur = Number(probe(file.path).streams.find((s) => s.codec_type === 'video')!.duration);
    console.log(`[gpu-crash] after crashes (recoveries/state: ${seen.join(', ')}): ${JSON.stringify(gpu)}; errors ${JSON.stringify(errors)}; kept ${vDur.toFixed(2)} s`);
    expect(gpu.gaveUp).toBe(true);
    expect(errors.some((e) => e.startsWith('GPUDeviceLostError') && /stopped trying/.test(e))).toBe(true);
    expect(vDur).toBeGreaterThan(3);
  });
});

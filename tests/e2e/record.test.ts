import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { makeY4m, scratchDir, shared } from '../helpers/media.ts';
import { audioSamples, grayThumbnails, probe, psnr, rms } from '../helpers/av.ts';
import { saveFileFromPage, studioReady } from '../helpers/studio.ts';

const CLIP = 'webcam_woman_640x480_30fps.mp4';
let server: ViteDevServer, url: string, browser: Browser, wp: WatchedPage;
const out = scratchDir('record');
const y4m = makeY4m(CLIP, 6);

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium({ camera: y4m, mic: shared('media/speech_jfk_48k_stereo.wav') });
  wp = await openPage(browser, url);
  await studioReady(wp.page);
});
afterAll(async () => { await browser?.close(); await server?.close(); });

describe('recording through window.studio', () => {
  it('records 5 s of camera + microphone into an MP4 that ffmpeg reads back', async () => {
    const { page } = wp;
    // The program canvas at the camera's size: the camera is drawn 1:1 (a copy, no scaling).
    await page.evaluate('window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
    await page.evaluate('window.studio.startCamera()');
    // As a person would: the preview runs a moment before Record is pressed.
    await page.waitForTimeout(2000);
    const info = await page.evaluate('window.studio.startRecording()') as { codec: string; container: string };
    expect(info.container).toBe('mp4');
    await page.waitForTimeout(5000);
    const stats = await page.evaluate('window.studio.getStats()') as { encode: { framesEncoded: number; bitrateKbps: number; recording: boolean }; render: unknown };
    console.log('stats while recording:', JSON.stringify(stats));
    expect(stats.encode.recording).toBe(true);
    expect(stats.encode.framesEncoded).toBeGreaterThan(0);
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    expect(file.name).toMatch(/\.mp4$/);

    const p = probe(file.path);
    const video = p.streams.filter((s) => s.codec_type === 'video');
    const audio = p.streams.filter((s) => s.codec_type === 'audio');
    expect(video).toHaveLength(1);
    expect(audio).toHaveLength(1);
    expect(video[0].codec_name).toBe('h264');
    expect([video[0].width, video[0].height]).toEqual([640, 480]);
    const vDur = Number(video[0].duration), aDur = Number(audio[0].duration);
    expect(Math.abs(vDur - 5)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(aDur - 5)).toBeLessThanOrEqual(0.5);
    const fps = Number(video[0].nb_read_frames) / vDur;
    console.log(`recorded: video ${vDur.toFixed(2)} s, ${video[0].nb_read_frames} frames (${fps.toFixed(1)} fps), audio ${aDur.toFixed(2)} s`);
    expect(fps).toBeGreaterThanOrEqual(20);

    // The microphone plays speech: the recorded audio must not be silence.
    const level = rms(audioSamples(file.path));
    console.log(`audio RMS ${level.toFixed(4)} (${(20 * Math.log10(level)).toFixed(1)} dBFS)`);
    expect(level).toBeGreaterThan(0.01);

    // Frames must look like the camera footage: best PSNR of a gray thumbnail vs any source frame.
    const source = grayThumbnails(shared(`media/${CLIP}`)).slice(0, 6 * 30);
    const recorded = grayThumbnails(file.path);
    const picks = [0.1, 0.35, 0.6, 0.85].map((f) => recorded[Math.floor(f * (recorded.length - 1))]);
    const scores = picks.map((r) => Math.max(...source.map((s) => psnr(r, s))));
    console.log(`thumbnail PSNR vs nearest source frame: ${scores.map((s) => s.toFixed(1)).join(', ')} dB`);
    for (const s of scores) expect(s).toBeGreaterThanOrEqual(24);
  });

  it('records through the canvas-VideoFrame path too (the hardware-encoder path)', async () => {
    const { page } = wp;
    const info = await page.evaluate(`window.studio.startRecording({ outputPath: 'canvas' })`) as { outputPath: string };
    expect(info.outputPath).toBe('canvas');
    await page.waitForTimeout(2500);
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const p = probe(file.path);
    const video = p.streams.find((s) => s.codec_type === 'video')!;
    expect([video.width, video.height]).toEqual([640, 480]);
    expect(Number(video.nb_read_frames)).toBeGreaterThan(10);
    const source = grayThumbnails(shared(`media/${CLIP}`)).slice(0, 6 * 30);
    const recorded = grayThumbnails(file.path);
    const mid = recorded[Math.floor(recorded.length / 2)];
    const best = Math.max(...source.map((s) => psnr(mid, s)));
    console.log(`canvas path: ${video.nb_read_frames} frames, PSNR ${best.toFixed(1)} dB`);
    expect(best).toBeGreaterThanOrEqual(24);
  });

  it('a recording whose frames stop arriving says so within 3 s and goes on', async () => {
    const { page } = wp;
    await page.evaluate(`(() => { window.__warnings = []; window.studio.addEventListener('warning', (e) => window.__warnings.push([e.detail, performance.now()])); })()`);
    await page.evaluate('window.studio.startRecording()');
    await page.waitForTimeout(1500);
    // What a stalled GPU looks like to the recorder: no more frames.
    const heldAt = await page.evaluate('window.studio.setDebugHoldOutput(true).then(() => performance.now())') as number;
    await page.waitForFunction(`window.__warnings.some(([m]) => /No picture/.test(m))`, undefined, { timeout: 6000 });
    const [message, at] = (await page.evaluate('window.__warnings') as [string, number][]).find(([m]) => /No picture/.test(m))!;
    await page.evaluate('window.studio.setDebugHoldOutput(false)');
    await page.waitForTimeout(1000);
    const stats = await page.evaluate('window.studio.getStats()') as { encode: { videoStalls: number; recording: boolean } };
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    console.log(`stall reported ${((at - heldAt) / 1000).toFixed(2)} s after frames stopped: "${message}"; stalls ${stats.encode.videoStalls}; file ${probe(file.path).format.duration} s`);
    expect(at - heldAt).toBeLessThanOrEqual(3000);
    expect(stats.encode.recording).toBe(true);
    expect(stats.encode.videoStalls).toBe(1);
    expect(Number(probe(file.path).format.duration)).toBeGreaterThan(3);
  });

  it('lists the recording, requests nothing from other origins and logs no errors', async () => {
    const recs = await wp.page.evaluate('window.studio.listRecordings()') as { name: string; size: number }[];
    expect(recs.length).toBeGreaterThanOrEqual(1);
    expect(recs[0].size).toBeGreaterThan(10_000);
    expect(wp.foreignRequests).toEqual([]);
    expect(wp.consoleErrors).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { launchChromium, openPage, startServer } from '../helpers/browser.ts';
import { makeY4m, scratchDir, shared } from '../helpers/media.ts';
import { grayThumbnails, probe, psnr } from '../helpers/av.ts';
import { saveFileFromPage, studioReady, waitInPage } from '../helpers/studio.ts';

let server: ViteDevServer, url: string;
const out = scratchDir('errors');
const y4m = makeY4m('webcam_man_640x480_30fps.mp4', 4);

beforeAll(async () => { ({ server, url } = await startServer()); });
afterAll(async () => { await server?.close(); });

/** Runs `fn` with a browser launched with `opts`, always closing it. */
async function withBrowser<T>(opts: Parameters<typeof launchChromium>[0], fn: (b: Browser) => Promise<T>): Promise<T> {
  const b = await launchChromium(opts);
  try { return await fn(b); } finally { await b.close(); }
}

describe('bad input', () => {
  it('denied camera permission gives CameraPermissionError and a message in the UI', async () => {
    await withBrowser({ camera: y4m, autoAcceptPermissions: false, extraArgs: ['--deny-permission-prompts'] }, async (b) => {
      const { page } = await openPage(b, url);
      await studioReady(page);
      const err = await page.evaluate('window.studio.startCamera().then(() => null, (e) => ({ name: e.name, message: e.message }))') as { name: string; message: string };
      expect(err.name).toBe('CameraPermissionError');
      expect(err.message).toMatch(/denied/i);
      // The same path through the UI: the button shows the message in the alert banner.
      await page.getByRole('button', { name: 'Start camera' }).click();
      const banner = page.getByRole('alert');
      await banner.waitFor({ state: 'visible' });
      expect(await banner.textContent()).toMatch(/Camera access was denied/);
    });
  });

  it('without a WebGPU adapter the page explains what to do instead of a blank canvas', async () => {
    await withBrowser({ camera: y4m, webgpu: false }, async (b) => {
      const { page } = await openPage(b, url);
      const err = await page.evaluate('window.studio.ready.then(() => null, (e) => e.name)');
      expect(err).toBe('WebGPUUnavailableError');
      const section = page.locator('.unsupported');
      await section.waitFor({ state: 'visible' });
      const text = await section.textContent();
      expect(text).toMatch(/WebGPU/);
      expect(text).toMatch(/Chrome|Edge/);
      expect(await page.locator('#preview').count()).toBe(0);
    });
  });

  it('a codec the browser cannot encode is refused with the list of codecs it can', async () => {
    await withBrowser({ camera: y4m }, async (b) => {
      const { page } = await openPage(b, url);
      await studioReady(page);
      await page.evaluate('window.studio.startCamera({ audio: false })');
      const err = await page.evaluate(`window.studio.startRecording({ videoCodec: 'hevc' }).then(() => null, (e) => ({ name: e.name, message: e.message, supported: e.supported }))`) as { name: string; message: string; supported: string[] };
      expect(err.name).toBe('UnsupportedCodecError');
      expect(err.message).toMatch(/HEVC/);
      expect(err.message).toMatch(/H\.264/);
      expect(err.supported).toContain('avc');
      expect(err.supported).not.toContain('hevc');
      // The studio stays usable: a default recording starts afterwards.
      const info = await page.evaluate('window.studio.startRecording()') as { codec: string };
      expect(info.codec).toBe('avc');
      await page.evaluate('window.studio.stopRecording()');
    });
  });

  it('the camera ending mid-recording leaves the recording going with its last picture', async () => {
    await withBrowser({ camera: y4m, mic: shared('media/speech_jfk_48k_stereo.wav') }, async (b) => {
      const { page } = await openPage(b, url);
      await studioReady(page);
      // The program canvas at the camera's size: the camera is drawn 1:1 (a copy, no scaling).
      await page.evaluate('window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
      await page.evaluate('window.studio.startCamera()');
      await page.evaluate('window.studio.startRecording()');
      await page.waitForTimeout(2500);
      // What an unplugged camera looks like to the page: the track ends.
      await page.evaluate('window.studio.tracks.video.stop()');
      await page.waitForFunction('window.studio.cameraState === "off"', undefined, { timeout: 15_000 });
      const banner = page.getByRole('alert');
      await banner.waitFor({ state: 'visible' });
      expect(await banner.textContent()).toMatch(/camera stopped.*recording goes on/i);
      await page.waitForTimeout(2000);
      expect(await page.evaluate('window.studio.recordingState')).toBe('recording');
      const src = await page.evaluate('window.studio.getStats().then((s) => s.render.sources[0])') as { state: string };
      expect(src.state).toBe('ended');
      const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
      const p = probe(file.path);
      const video = p.streams.find((s) => s.codec_type === 'video')!;
      // The recording ran on after the camera ended: its last picture fills the remaining time.
      expect(Number(video.duration)).toBeGreaterThan(3.5);
      const thumbs = grayThumbnails(file.path);
      const last = thumbs.slice(-10);
      const still = Math.min(...last.slice(1).map((t) => psnr(t, last[0])));
      console.log(`[errors] unplugged camera: ${thumbs.length} frames, ${Number(video.duration).toFixed(2)} s, last 10 frames PSNR ≥ ${still.toFixed(1)} dB to each other`);
      expect(still).toBeGreaterThan(40);
    });
  });

  it('a corrupt or missing segmentation model leaves the camera working and says why effects are off', async () => {
    for (const [label, body, status] of [['corrupt', 'this is not an ONNX model', 200], ['missing', 'gone', 404]] as const) {
      await withBrowser({ camera: y4m }, async (b) => {
        const context = await b.newContext();
        await context.route('**/models/*.onnx', (route) => route.fulfill({ status, body, contentType: 'application/octet-stream' }));
        const page = await context.newPage();
        await page.goto(url);
        await studioReady(page);
        expect(await page.evaluate('window.studio.segmentation')).toBe('unavailable');
        const err = await page.evaluate(`window.studio.setBackground({ type: 'blur' }).then(() => null, (e) => ({ name: e.name, message: e.message }))`) as { name: string; message: string };
        expect(err, label).not.toBeNull();
        expect(err.message, label).toMatch(/model/i);
        const stats = await page.evaluate('window.studio.getStats()') as { render: { effects: { error: string } } };
        expect(stats.render.effects.error, label).toMatch(/model/i);
        await page.evaluate('window.studio.startCamera({ audio: false })');
        await waitInPage(page, 'window.studio.getStats().then((s) => s.render.framesRendered > 5)', 20_000);
      });
    }
  });
});

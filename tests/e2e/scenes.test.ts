/**
 * Scenes end to end through window.studio, judged as a user would: recordings opened by ffprobe
 * and decoded by ffmpeg, pixels compared with what the scene should show.
 * - An image filling 1280×720 with the fake camera (background transparent) at the bottom right
 *   third: outside the camera's rectangle the file is the image (PSNR ≥ 30 dB); inside, each
 *   pixel is either the image (background) or the camera picture (person).
 * - A text source, read back from the program losslessly, matches the same text drawn by a 2D
 *   canvas in the page within 3/255.
 * - A 500 ms fade: a frame in the middle is (1 − t)·A + t·B with t ∈ [0.25, 0.75] (≥ 22 dB to
 *   the blend, ≥ 8 dB closer than to either scene), and t only grows.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { join } from 'node:path';
import { launchChromium, startServer } from '../helpers/browser.ts';
import { makeY4m, scratchDir, shared } from '../helpers/media.ts';
import { probe } from '../helpers/av.ts';
import { ev, saveFileFromPage, TestPages, waitInPage } from '../helpers/studio.ts';
import { inside, psnrWhere, putBlob, rgbFrames, type Rect } from '../helpers/frames.ts';
import { stillPng } from '../helpers/scene-setup.ts';

const CLIP = 'webcam_woman_640x480_30fps.mp4';
let server: ViteDevServer, url: string, browser: Browser;
const out = scratchDir('scenes');

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium({ camera: makeY4m(CLIP, 4), mic: shared('media/speech_jfk_48k_stereo.wav') });
});
afterAll(async () => { await browser?.close(); await server?.close(); });

const pages = new TestPages(() => ({ browser, url }));
const freshPage = (): Promise<Page> => pages.fresh();
afterEach(() => pages.closeAll());

/** A still scaled to w×h as PNG bytes (written into this file's scratch folder). */
const still = (src: string, w: number, h: number, name: string): Buffer => stillPng(src, w, h, out, name);


describe('scenes end to end', () => {
  it('an image under the camera with a transparent background at the bottom right third', async () => {
    const page = await freshPage();
    const W = 1280, H = 720;
    const png = still('media/segmentation/011.jpg', W, H, 'bg.png');
    await putBlob(page, 'bg', png, 'image/png', 'bg.png');
    const imageId = await ev<string>(page, `window.studio.addSource({ kind: 'image', image: window.bg })`);
    await ev(page, `window.studio.addItem(window.studio.currentScene, ${JSON.stringify(imageId)})`);
    await ev(page, `window.studio.setBackground({ type: 'transparent' })`);
    await ev(page, 'window.studio.startCamera({ audio: false })');
    const camItem = await ev<string>(page, 'window.studio.scenes.scenes[0].items[1].id');
    // A third of the canvas: a 427×240 box; the 4:3 camera is contained in it, 320×240.
    await ev(page, `window.studio.updateItem(${JSON.stringify(camItem)}, { x: 853, y: 480, width: 427, height: 240 })`);
    await waitInPage(page, 'window.studio.getStats().then((s) => s.render.effects.masksProduced >= 3)', 30_000);
    await ev(page, 'window.studio.startRecording()');
    await page.waitForTimeout(3000);
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const v = probe(file.path).streams.find((s) => s.codec_type === 'video')!;
    expect([v.width, v.height]).toEqual([W, H]);

    const image = rgbFrames(join(out, 'bg.png'), W, H)[0];
    const frames = rgbFrames(file.path, W, H);
    const cam: Rect = { x0: 853 + 53.5, y0: 480, x1: 853 + 53.5 + 320, y1: 720 };
    // The camera clip's frames at the size they are drawn, to find which one a recorded frame shows.
    const clip = rgbFrames(makeY4m(CLIP, 4), 320, 240);
    const picks = [Math.floor(frames.length / 2), frames.length - 5];
    for (const f of picks.map((i) => frames[i])) {
      const outsidePsnr = psnrWhere(f, image, W, (x, y) => !inside({ x0: cam.x0 - 3, y0: cam.y0 - 3, x1: cam.x1 + 3, y1: cam.y1 + 3 }, x, y));
      // Inside: every pixel should be either the image's (background) or the camera's (person).
      let best = { k: -1, err: Infinity };
      for (let k = 0; k < clip.length; k++) {
        let err = 0;
        for (let y = 482; y < 718; y += 2) {
          for (let x = 910; x < 1170; x += 2) {
            const o = (y * W + x) * 3, c = ((y - 480) * 320 + Math.round(x - cam.x0)) * 3;
            let ei = 0, ec = 0;
            for (let ch = 0; ch < 3; ch++) { ei += (f[o + ch] - image[o + ch]) ** 2; ec += (f[o + ch] - clip[k][c + ch]) ** 2; }
            err += Math.min(ei, ec);
          }
        }
        if (err < best.err) best = { k, err };
      }
      let nImage = 0, nCam = 0, se = 0, n = 0;
      for (let y = 484; y < 716; y++) {
        for (let x = 912; x < 1168; x++) {
          const o = (y * W + x) * 3, c = ((y - 480) * 320 + Math.round(x - cam.x0)) * 3;
          let ei = 0, ec = 0;
          for (let ch = 0; ch < 3; ch++) { ei += (f[o + ch] - image[o + ch]) ** 2; ec += (f[o + ch] - clip[best.k][c + ch]) ** 2; }
          if (ei <= ec) nImage++; else nCam++;
          se += Math.min(ei, ec); n += 3;
        }
      }
      const insidePsnr = 10 * Math.log10(255 * 255 / (se / n));
      const share = nCam / (nImage + nCam);
      console.log(`[scenes] outside the camera: PSNR ${outsidePsnr.toFixed(1)} dB vs the image; inside: camera frame ${best.k}, ` +
        `${(100 * share).toFixed(1)} % person (camera) / ${(100 * (1 - share)).toFixed(1)} % image, PSNR ${insidePsnr.toFixed(1)} dB vs the nearer of the two`);
      expect(outsidePsnr).toBeGreaterThan(30);
      expect(insidePsnr).toBeGreaterThan(28);
      expect(share).toBeGreaterThan(0.15);
      expect(share).toBeLessThan(0.85);
    }
  });

  it('a text source matches the same text drawn by a 2D canvas', async () => {
    const page = await freshPage();
    await ev(page, 'window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
    const colorId = await ev<string>(page, `window.studio.addSource({ kind: 'color', color: '#203040' })`);
    await ev(page, `window.studio.addItem(window.studio.currentScene, ${JSON.stringify(colorId)}, { fit: 'stretch' })`);
    const textId = await ev<string>(page, `window.studio.addSource({ kind: 'text', text: 'Backdrop Studio\\nlive from the browser', size: 36, bold: true, color: '#ffcc00', outlineColor: '#000000', outlineWidth: 2, background: '#10204080', padding: 10, align: 'center' })`);
    await waitInPage(page, `window.studio.getStats().then((s) => s.render.sources.some((x) => x.id === ${JSON.stringify(textId)} && x.width > 0))`);
    const size = await ev<{ width: number; height: number }>(page, `window.studio.getStats().then((s) => s.render.sources.find((x) => x.id === ${JSON.stringify(textId)}))`);
    const X = 40, Y = 60;
    await ev(page, `window.studio.addItem(window.studio.currentScene, ${JSON.stringify(textId)}, { x: ${X}, y: ${Y}, width: ${size.width}, height: ${size.height}, fit: 'stretch' })`);
    await page.waitForTimeout(500);
    // The program picture exactly as composed (no codec in between).
    const shot = await saveFileFromPage(page, `window.studio.captureProgram().then((b) => new File([b], 'text-program.png'))`, out);
    // The reference: the text drawn by the page's own 2D canvas over the colour, straight alpha.
    const ref = await ev<number[]>(page, `(async () => {
      const { renderText } = await import('/src/sources/text-render.ts');
      const entry = window.studio.scenes.sources.find((s) => s.id === ${JSON.stringify(textId)});
      const r = renderText(entry.settings);
      const c = new OffscreenCanvas(640, 480);
      const g = c.getContext('2d');
      g.fillStyle = '#203040'; g.fillRect(0, 0, 640, 480);
      g.drawImage(r.canvas, 0, 0, r.width, r.height, ${X}, ${Y}, r.width, r.height);
      return Array.from(g.getImageData(0, 0, 640, 480).data);
    })()`);
    const refRgb = new Uint8Array(640 * 480 * 3);
    for (let i = 0; i < 640 * 480; i++) for (let c = 0; c < 3; c++) refRgb[i * 3 + c] = ref[i * 4 + c];
    const f = rgbFrames(shot.path, 640, 480)[0];
    const box: Rect = { x0: X, y0: Y, x1: X + size.width, y1: Y + size.height };
    const p = psnrWhere(f, refRgb, 640, (x, y) => inside(box, x, y));
    let maxDiff = 0, over1 = 0;
    for (let i = 0; i < f.length; i++) { const d = Math.abs(f[i] - refRgb[i]); maxDiff = Math.max(maxDiff, d); if (d > 1) over1++; }
    console.log(`[scenes] text ${size.width}×${size.height}: PSNR ${p.toFixed(1)} dB in its box, max diff ${maxDiff}/255, ${over1} of ${f.length} values off by more than 1, vs the 2D-canvas reference`);
    // Premultiplied blending in the compositor vs the canvas's own rounding: a couple of levels.
    expect(maxDiff).toBeLessThanOrEqual(3);
    expect(p).toBeGreaterThan(45);
  });

  it('a 500 ms fade while recording blends both scenes', async () => {
    const page = await freshPage();
    await ev(page, 'window.studio.setOutput({ width: 640, height: 360, frameRate: 30 })');
    await putBlob(page, 'a', still('media/segmentation/001.jpg', 640, 360, 'a.png'), 'image/png', 'a.png');
    await putBlob(page, 'b', still('media/segmentation/015.jpg', 640, 360, 'b.png'), 'image/png', 'b.png');
    const sceneA = await ev<string>(page, 'window.studio.currentScene');
    const sceneB = await ev<string>(page, `window.studio.createScene('B')`);
    const a = await ev<string>(page, `window.studio.addSource({ kind: 'image', image: window.a })`);
    const b = await ev<string>(page, `window.studio.addSource({ kind: 'image', image: window.b })`);
    await ev(page, `window.studio.addItem(${JSON.stringify(sceneA)}, ${JSON.stringify(a)})`);
    await ev(page, `window.studio.addItem(${JSON.stringify(sceneB)}, ${JSON.stringify(b)})`);
    await page.waitForTimeout(300);
    await ev(page, 'window.studio.startRecording()');
    await page.waitForTimeout(1200);
    await ev(page, `window.studio.switchScene(${JSON.stringify(sceneB)}, { transition: 'fade', durationMs: 500 })`);
    await page.waitForTimeout(1500);
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const A = rgbFrames(join(out, 'a.png'), 640, 360)[0], B = rgbFrames(join(out, 'b.png'), 640, 360)[0];
    const frames = rgbFrames(file.path, 640, 360);
    // t by least squares: F ≈ A + t (B − A).
    const fit = frames.map((f) => {
      let num = 0, den = 0;
      for (let i = 0; i < f.length; i++) { const d = B[i] - A[i]; num += (f[i] - A[i]) * d; den += d * d; }
      const t = num / den;
      const blend = new Uint8Array(f.length);
      for (let i = 0; i < f.length; i++) blend[i] = Math.round(A[i] + t * (B[i] - A[i]));
      return { t, blendPsnr: psnrWhere(f, blend, 640, () => true), aPsnr: psnrWhere(f, A, 640, () => true), bPsnr: psnrWhere(f, B, 640, () => true) };
    });
    // The encoder's quality ramp after a big change keeps t near 0.9 for a few frames after the fade.
    const during = fit.filter((x) => x.t > 0.1 && x.t < 0.85);
    const mid = fit.reduce((best, x) => Math.abs(x.t - 0.5) < Math.abs(best.t - 0.5) ? x : best);
    console.log(`[scenes] fade: ${frames.length} frames, ${during.length} between the scenes (t: ${during.map((x) => x.t.toFixed(2)).join(' ')}); ` +
      `middle frame t=${mid.t.toFixed(2)}: ${mid.blendPsnr.toFixed(1)} dB to the blend, ${mid.aPsnr.toFixed(1)} dB to A, ${mid.bPsnr.toFixed(1)} dB to B`);
    expect(fit[0].t).toBeLessThan(0.05);
    expect(fit[fit.length - 1].t).toBeGreaterThan(0.9);
    expect(mid.t).toBeGreaterThan(0.25);
    expect(mid.t).toBeLessThan(0.75);
    // Two detailed pictures at once cost the encoder more than either alone (seen: 32.5 dB on
    // the unblended frames, 24.8 dB on the middle blend); a cut or a wrong mix scores ~14 dB.
    console.log(`[scenes] fade: the unblended first/last frames score ${fit[0].aPsnr.toFixed(1)} / ${fit[fit.length - 1].bPsnr.toFixed(1)} dB to A / B`);
    expect(mid.blendPsnr).toBeGreaterThan(22);
    expect(mid.blendPsnr).toBeGreaterThan(Math.max(mid.aPsnr, mid.bPsnr) + 8);
    // The mix moves one way: t never goes back by more than the codec's noise.
    for (let i = 1; i < fit.length; i++) expect(fit[i].t).toBeGreaterThan(fit[i - 1].t - 0.03);
    // t from 0.1 to 0.85 is 375 ms, 11 frames at 30 fps; a loaded machine may render fewer.
    expect(during.length).toBeGreaterThanOrEqual(4);
    expect(during.length).toBeLessThanOrEqual(16);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { makeY4m, scratchDir, shared } from '../helpers/media.ts';
import { saveFileFromPage, studioReady } from '../helpers/studio.ts';
import { probe } from '../helpers/av.ts';

const CLIP = 'webcam_woman_640x480_30fps.mp4';
let server: ViteDevServer, url: string, browser: Browser, wp: WatchedPage;
const out = scratchDir('effects');

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium({ camera: makeY4m(CLIP, 4), mic: shared('media/speech_jfk_48k_stereo.wav') });
  wp = await openPage(browser, url);
  await studioReady(wp.page);
});
afterAll(async () => { await browser?.close(); await server?.close(); });

/** Full-resolution gray frames of a video. */
function grayFrames(file: string, w: number, h: number): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', 'format=gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 30 });
  return Array.from({ length: Math.floor(raw.length / (w * h)) }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * w * h, w * h));
}

/** Mean absolute Laplacian in a rectangle: how much fine detail it holds. */
function detail(img: Uint8Array, w: number, [x0, y0, x1, y1]: number[]): number {
  let s = 0, n = 0;
  for (let y = y0 + 1; y < y1 - 1; y++) {
    for (let x = x0 + 1; x < x1 - 1; x++) {
      const i = y * w + x;
      s += Math.abs(4 * img[i] - img[i - 1] - img[i + 1] - img[i - w] - img[i + w]);
      n++;
    }
  }
  return s / n;
}

/** Sends a file to the page as a Blob stored on window[name]. */
async function putBlob(name: string, bytes: Buffer, type: string): Promise<void> {
  await wp.page.evaluate(([n, b64, t]) => {
    const bin = atob(b64);
    const u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    (window as unknown as Record<string, Blob>)[n] = new Blob([u8], { type: t });
  }, [name, bytes.toString('base64'), type]);
}

/** Alpha channel of a PNG as bytes. */
function pngAlpha(file: string): Uint8Array {
  return new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', 'alphaextract,format=gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 28 }));
}

function grayImage(file: string): Uint8Array {
  return new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', 'format=gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 28 }));
}

describe('background effects', () => {
  // The monitor at the left edge is background full of edges; the face is person.
  const BACKGROUND = [0, 64, 96, 448];
  const FACE = [264, 96, 336, 160];

  it('records with the background blurred and the person sharp', async () => {
    const { page } = wp;
    await page.evaluate(`window.studio.setBackground({ type: 'blur', strength: 1 })`);
    // The program canvas at the camera's size: the camera is drawn 1:1 (a copy, no scaling).
    await page.evaluate('window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
    await page.evaluate('window.studio.startCamera()');
    await page.waitForTimeout(1500);
    await page.evaluate('window.studio.startRecording()');
    await page.waitForTimeout(3000);
    const stats = await page.evaluate('window.studio.getStats()') as { render: { effects: { backend: string; masksProduced: number; inferenceMs: number; maskAgeMs: number } } };
    console.log('segmentation:', JSON.stringify(stats.render.effects));
    expect(stats.render.effects.masksProduced).toBeGreaterThanOrEqual(2);
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    await page.evaluate('window.studio.stopCamera()');
    await page.evaluate(`window.studio.setBackground({ type: 'none' })`);
    // However low the frame rate with blur on this machine, both tracks end together.
    const tracks = probe(file.path).streams;
    const vDur = Number(tracks.find((s) => s.codec_type === 'video')!.duration), aDur = Number(tracks.find((s) => s.codec_type === 'audio')!.duration);
    console.log(`blur recording: video ${vDur.toFixed(3)} s (${tracks.find((s) => s.codec_type === 'video')!.nb_read_frames} frames), audio ${aDur.toFixed(3)} s`);
    expect(Math.abs(vDur - aDur)).toBeLessThanOrEqual(0.1);

    const src = grayFrames(shared(`media/${CLIP}`), 640, 480).slice(0, 120);
    const rec = grayFrames(file.path, 640, 480);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const srcBg = avg(src.map((f) => detail(f, 640, BACKGROUND)));
    const srcFace = avg(src.map((f) => detail(f, 640, FACE)));
    const picks = rec.filter((_, i) => i % 10 === 5);
    const recBg = avg(picks.map((f) => detail(f, 640, BACKGROUND)));
    const recFace = avg(picks.map((f) => detail(f, 640, FACE)));
    console.log(`detail (mean |Laplacian|): background ${srcBg.toFixed(2)} → ${recBg.toFixed(2)}, face ${srcFace.toFixed(2)} → ${recFace.toFixed(2)}`);
    expect(recBg).toBeLessThan(0.4 * srcBg);
    expect(recFace).toBeGreaterThan(0.6 * srcFace);
  });

  it('removeBackground cuts people out of stills, person-centred (mean IoU ≥ 0.87; the raw model over the whole frame scores 0.838)', async () => {
    const dir = shared('media/segmentation');
    const ids = readdirSync(dir).filter((f) => f.endsWith('.jpg')).map((f) => f.slice(0, 3)).sort();
    const ious: number[] = [];
    for (const id of ids) {
      await putBlob('still', readFileSync(join(dir, `${id}.jpg`)), 'image/jpeg');
      const png = await saveFileFromPage(wp.page, `window.studio.removeBackground(window.still).then((b) => new File([b], 'cut-${id}.png'))`, out);
      const alpha = pngAlpha(png.path);
      const gt = grayImage(join(dir, `${id}.png`));
      expect(alpha.length).toBe(gt.length);
      let inter = 0, union = 0;
      for (let i = 0; i < gt.length; i++) {
        const a = alpha[i] >= 128, b = gt[i] >= 128;
        if (a && b) inter++;
        if (a || b) union++;
      }
      ious.push(union ? inter / union : 1);
    }
    const mean = ious.reduce((a, b) => a + b, 0) / ious.length;
    console.log(`removeBackground mean IoU over ${ious.length} images: ${mean.toFixed(4)} (${ious.map((x) => x.toFixed(2)).join(' ')})`);
    expect(mean).toBeGreaterThanOrEqual(0.87);
  });

  it('refuses unreadable and oversized images with clear errors while the live picture keeps running', async () => {
    const { page } = wp;
    // The program canvas at the camera's size: the camera is drawn 1:1 (a copy, no scaling).
    await page.evaluate('window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
    await page.evaluate('window.studio.startCamera({ audio: false })');
    await putBlob('notImage', Buffer.from('this is not an image'), 'image/png');
    const bad = await page.evaluate('window.studio.removeBackground(window.notImage).then(() => null, (e) => ({ name: e.name, message: e.message }))') as { name: string; message: string };
    expect(bad.name).toBe('MediaDecodeError');
    expect(bad.message).toMatch(/could not be read as an image/);
    const big = join(out, 'big.png');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:s=10000x10000', '-frames:v', '1', big]);
    await putBlob('big', readFileSync(big), 'image/png');
    const huge = await page.evaluate('window.studio.removeBackground(window.big).then(() => null, (e) => ({ name: e.name, message: e.message }))') as { name: string; message: string };
    expect(huge.name).toBe('MediaDecodeError');
    expect(huge.message).toMatch(/10000×10000/);
    const before = (await page.evaluate('window.studio.getStats()') as { render: { framesRendered: number } }).render.framesRendered;
    await page.waitForTimeout(700);
    const after = (await page.evaluate('window.studio.getStats()') as { render: { framesRendered: number } }).render.framesRendered;
    expect(after).toBeGreaterThan(before);
    await page.evaluate('window.studio.stopCamera()');
  });
});

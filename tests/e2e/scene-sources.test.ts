/**
 * Sources that move or end, and the scene collection across reloads and imports, through
 * window.studio with real Chromium.
 * - A looping video file: the recording shows its frames wrapping to the start (each recorded
 *   frame matched to the clip at ≥ 30 dB), and its sound is in the recording (NCC ≥ 0.7 against
 *   the file's audio).
 * - A screen share stopped mid-recording: the recording goes on, the item holds its last frame.
 * - Reload restores the collection deep-equal, images included; ten hostile imports each give
 *   SceneValidationError and change nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, startServer } from '../helpers/browser.ts';
import { scratchDir, shared } from '../helpers/media.ts';
import { audioSamples, grayThumbnails, probe, psnr } from '../helpers/av.ts';
import { ev, saveFileFromPage, studioReady, TestPages, waitInPage } from '../helpers/studio.ts';
import { ncc, putBlob } from '../helpers/frames.ts';

let server: ViteDevServer, url: string, browser: Browser;
const out = scratchDir('scene-sources');

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium({});
});
afterAll(async () => { await browser?.close(); await server?.close(); });

const pages = new TestPages(() => ({ browser, url }));
const freshPage = (): Promise<Page> => pages.fresh();
afterEach(() => pages.closeAll());


/** Mono samples at 8 kHz (enough to line up music; keeps the correlation search small). */
const at8k = (file: string) => audioSamples(file, 8000);

describe('video files, ending sources, persistence', () => {
  it('a looping video file plays in the program and its sound is recorded', async () => {
    const clip = join(out, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', shared('media/webcam_man_640x480_30fps.mp4'),
      '-i', shared('media/music_outfoxing_kevin_macleod_15s_48k_stereo.wav'), '-t', '2', '-map', '0:v', '-map', '1:a',
      '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'aac', '-b:a', '160k', '-shortest', clip]);
    const page = await freshPage();
    await ev(page, 'window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
    await putBlob(page, 'clip', readFileSync(clip), 'video/mp4', 'clip.mp4');
    const id = await ev<string>(page, `window.studio.addSource({ kind: 'video', file: window.clip, loop: true })`);
    await ev(page, `window.studio.addItem(window.studio.currentScene, ${JSON.stringify(id)})`);
    await ev(page, 'window.studio.startRecording()');
    await page.waitForTimeout(5500);
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const stats = await ev<{ framesIn: number; state: string }>(page, `window.studio.getStats().then((s) => s.render.sources[0])`);
    const p = probe(file.path);
    expect(p.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);

    const source = grayThumbnails(clip);
    const rec = grayThumbnails(file.path);
    const match = rec.map((f) => {
      let best = { k: -1, db: 0 };
      source.forEach((s, k) => { const db = psnr(f, s); if (db > best.db) best = { k, db }; });
      return best;
    });
    const wraps = match.filter((m, i) => i > 0 && match[i - 1].k - m.k > source.length / 2).length;
    const worst = Math.min(...match.slice(3).map((m) => m.db));
    console.log(`[sources] video: ${rec.length} recorded frames matched to the ${source.length}-frame clip (worst ${worst.toFixed(1)} dB), ` +
      `${wraps} wrap(s) to the start; ${stats.framesIn} frames decoded; indices ${match.map((m) => m.k).join(' ')}`);
    expect(worst).toBeGreaterThan(30);
    expect(wraps).toBeGreaterThanOrEqual(1);

    // Sound: a second of the recording, found in the (looping) file's audio.
    const fileAudio = at8k(clip);
    const recAudio = at8k(file.path);
    const loop = new Float32Array(fileAudio.length * 2);
    loop.set(fileAudio); loop.set(fileAudio, fileAudio.length);
    const win = recAudio.subarray(8000 * 2, 8000 * 3);
    let best = { lag: 0, r: -1 };
    for (let lag = 0; lag + win.length <= loop.length && lag < fileAudio.length; lag += 1) {
      const r = ncc(win, loop.subarray(lag, lag + win.length));
      if (r > best.r) best = { lag, r };
    }
    console.log(`[sources] video sound: NCC ${best.r.toFixed(3)} at ${(best.lag / 8).toFixed(1)} ms into the clip's audio`);
    expect(best.r).toBeGreaterThan(0.7);
  });

  it('two video sources removing their backgrounds take turns with the one model: both keep getting masks', async () => {
    const page = await freshPage();
    await ev(page, 'window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
    // Pinned high: no pause between model runs, so a source that kept the model would starve the other.
    await ev(page, `window.studio.setQuality('high')`);
    const ids: string[] = [];
    for (const [k, clip] of [['a', 'webcam_man_640x480_30fps.mp4'], ['b', 'webcam_woman_640x480_30fps.mp4']] as const) {
      const file = join(out, `two-${k}.mp4`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', shared(`media/${clip}`), '-t', '2', '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '30', file]);
      await putBlob(page, `two_${k}`, readFileSync(file), 'video/mp4', `two-${k}.mp4`);
      const id = await ev<string>(page, `window.studio.addSource({ kind: 'video', file: window.two_${k}, loop: true })`);
      await ev(page, `window.studio.addItem(window.studio.currentScene, ${JSON.stringify(id)})`);
      await ev(page, `window.studio.setSourceBackground(${JSON.stringify(id)}, { type: 'blur' })`);
      ids.push(id);
    }
    const masks = async (): Promise<number[]> => {
      const st = await ev<{ id: string; masks?: number }[]>(page, 'window.studio.getStats().then((s) => s.render.sources)');
      return ids.map((id) => st.find((x) => x.id === id)?.masks ?? 0);
    };
    await waitInPage(page, `window.studio.getStats().then((s) => s.render.sources.every((x) => (x.masks ?? 0) >= 2))`, 30_000);
    const a = await masks();
    await page.waitForTimeout(4000);
    const b = await masks();
    console.log(`[sources] two blurred video sources, masks in 4 s: ${b.map((x, i) => x - a[i]!).join(' and ')}`);
    // Neither keeps the model to itself: each gets a share of the masks.
    for (let i = 0; i < 2; i++) expect(b[i]! - a[i]!).toBeGreaterThanOrEqual(2);
  });

  it('a screen share stopped mid-recording: the recording goes on and the item keeps its last frame', async () => {
    const page = await freshPage();
    await ev(page, 'window.studio.setOutput({ width: 640, height: 360, frameRate: 30 })');
    const id = await ev<string>(page, `window.studio.addSource({ kind: 'display', audio: false })`);
    await ev(page, `window.studio.addItem(window.studio.currentScene, ${JSON.stringify(id)})`);
    await ev(page, 'window.studio.startRecording()');
    await page.waitForTimeout(1500);
    // What "Stop sharing" looks like to the page: the track ends.
    await ev(page, `window.studio.sourceTracks(${JSON.stringify(id)}).video.stop()`);
    await page.waitForFunction(`window.studio.listSources()[0].status === 'ended'`, undefined, { timeout: 10_000 });
    const banner = page.getByRole('alert');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent()).toMatch(/screen sharing stopped.*recording goes on/i);
    await page.waitForTimeout(1500);
    expect(await ev(page, 'window.studio.recordingState')).toBe('recording');
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const v = probe(file.path).streams.find((s) => s.codec_type === 'video')!;
    const thumbs = grayThumbnails(file.path);
    const last = thumbs.slice(-10);
    const still = Math.min(...last.slice(1).map((t) => psnr(t, last[0])));
    // The fake screen is a moving clock: frames before the stop differ from each other.
    const moving = psnr(thumbs[5], thumbs[20]);
    console.log(`[sources] screen stop: ${thumbs.length} frames, ${Number(v.duration).toFixed(2)} s; last 10 frames ≥ ${still.toFixed(1)} dB to each other, ` +
      `live frames 15 apart ${moving.toFixed(1)} dB`);
    expect(Number(v.duration)).toBeGreaterThan(2.5);
    expect(still).toBeGreaterThan(40);
    expect(moving).toBeLessThan(still);
  });

  it('reload restores the scene collection exactly, images included', async () => {
    const page = await freshPage();
    await putBlob(page, 'img', readFileSync(shared('media/segmentation/005.jpg')), 'image/jpeg', 'hike.jpg');
    await ev(page, 'window.studio.setOutput({ width: 960, height: 540, frameRate: 25 })');
    const img = await ev<string>(page, `window.studio.addSource({ kind: 'image', image: window.img, name: 'Hike' })`);
    const text = await ev<string>(page, `window.studio.addSource({ kind: 'text', text: 'Lower third', size: 30, outlineWidth: 2, background: '#000000aa' })`);
    const color = await ev<string>(page, `window.studio.addSource({ kind: 'color', color: '#336699' })`);
    const s1 = await ev<string>(page, 'window.studio.currentScene');
    await ev(page, `window.studio.addItem(${JSON.stringify(s1)}, ${JSON.stringify(color)}, { fit: 'stretch' })`);
    await ev(page, `window.studio.addItem(${JSON.stringify(s1)}, ${JSON.stringify(img)}, { x: 500, y: 40, width: 400, height: 225, rotation: 12.5, crop: { left: 20, top: 0, right: 40, bottom: 10 }, opacity: 0.8, fit: 'cover' })`);
    await ev(page, `window.studio.addItem(${JSON.stringify(s1)}, ${JSON.stringify(text)}, { x: 40, y: 440, width: 400, height: 60, locked: true })`);
    const s2 = await ev<string>(page, `window.studio.duplicateScene(${JSON.stringify(s1)}, 'Second')`);
    await ev(page, `window.studio.renameScene(${JSON.stringify(s1)}, 'Main')`);
    const s2items = await ev<{ id: string }[]>(page, `window.studio.scenes.scenes[1].items`);
    await ev(page, `window.studio.updateItem(${JSON.stringify(s2items[1].id)}, { visible: false })`);
    await ev(page, `window.studio.switchScene(${JSON.stringify(s2)}, { transition: 'cut' })`);
    await ev(page, 'window.studio.saveScenes()');
    const before = await ev<unknown>(page, 'window.studio.getSceneCollection()');
    const shotBefore = await saveFileFromPage(page, `window.studio.captureProgram().then((b) => new File([b], 'before.png'))`, out);
    await page.reload();
    await studioReady(page);
    const after = await ev<unknown>(page, 'window.studio.getSceneCollection()');
    expect(after).toEqual(before);
    const status = await ev<{ id: string; status: string }[]>(page, 'window.studio.listSources().map((s) => ({ id: s.id, status: s.status }))');
    expect(status.find((s) => s.id === img)!.status).toBe('live');
    const shotAfter = await saveFileFromPage(page, `window.studio.captureProgram().then((b) => new File([b], 'after.png'))`, out);
    const gray = (f: string) => new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-i', f, '-vf', 'format=gray', '-f', 'rawvideo', '-']));
    const same = psnr(gray(shotBefore.path), gray(shotAfter.path));
    console.log(`[sources] reload: collection deep-equal (${JSON.stringify(after).length} bytes of JSON), program picture before/after ${same.toFixed(1)} dB`);
    expect(same).toBeGreaterThan(45);
  });

  it('a static scene of 32 items recomputes no transform in the program; moving one recomputes one', async () => {
    const page = await freshPage();
    await ev(page, 'window.studio.setOutput({ width: 640, height: 360, frameRate: 30 })');
    const color = await ev<string>(page, `window.studio.addSource({ kind: 'color', color: '#445566' })`);
    const items: string[] = [];
    for (let i = 0; i < 32; i++) {
      items.push(await ev<string>(page, `window.studio.addItem(window.studio.currentScene, ${JSON.stringify(color)}, { x: ${(i % 8) * 80}, y: ${Math.floor(i / 8) * 90}, width: 70, height: 80, rotation: ${i * 3}, fit: 'stretch' })`));
    }
    type P = { ticks: number; transformsRecomputed: number };
    const prog = () => ev<P>(page, 'window.studio.getStats().then((s) => s.render.program)');
    await page.waitForTimeout(300);
    const a = await prog();
    await waitInPage(page, `window.studio.getStats().then((s) => s.render.program.ticks >= ${a.ticks + 100})`, 30_000);
    const b = await prog();
    await ev(page, `window.studio.updateItem(${JSON.stringify(items[7])}, { x: 5 })`);
    await waitInPage(page, `window.studio.getStats().then((s) => s.render.program.ticks >= ${b.ticks + 10})`, 30_000);
    const c = await prog();
    console.log(`[sources] 32 items: ${b.ticks - a.ticks} ticks, ${b.transformsRecomputed - a.transformsRecomputed} transforms recomputed; after moving one: ${c.transformsRecomputed - b.transformsRecomputed}`);
    expect(b.transformsRecomputed - a.transformsRecomputed).toBe(0);
    expect(c.transformsRecomputed - b.transformsRecomputed).toBe(1);
  });

  it('image sources from PNG, JPEG, WebP, GIF (first frame) and SVG; a broken file adds nothing', async () => {
    const page = await freshPage();
    const src = shared('media/segmentation/003.jpg');
    const files: [string, string][] = [['png', 'image/png'], ['jpg', 'image/jpeg'], ['webp', 'image/webp'], ['gif', 'image/gif']];
    for (const [ext] of files) execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, '-vf', 'scale=320:180', '-frames:v', '1', join(out, `still.${ext}`)]);
    for (const [ext, type] of files) await putBlob(page, `img_${ext}`, readFileSync(join(out, `still.${ext}`)), type, `still.${ext}`);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="#ff8800"/><circle cx="100" cy="50" r="40" fill="#0044ff"/></svg>';
    await putBlob(page, 'img_svg', Buffer.from(svg), 'image/svg+xml', 'logo.svg');
    await putBlob(page, 'img_bad', Buffer.from('GIF89a but not really'), 'image/gif', 'broken.gif');
    const ids: string[] = [];
    for (const k of ['png', 'jpg', 'webp', 'gif', 'svg']) ids.push(await ev<string>(page, `window.studio.addSource({ kind: 'image', image: window.img_${k} })`));
    const bad = await ev<{ name: string; message: string }>(page, `window.studio.addSource({ kind: 'image', image: window.img_bad }).then(() => null, (e) => ({ name: e.name, message: e.message }))`);
    await waitInPage(page, `window.studio.getStats().then((s) => s.render.sources.filter((x) => x.kind === 'image' && x.width > 0).length === 5)`);
    const sizes = await ev<{ id: string; width: number; height: number }[]>(page, 'window.studio.getStats().then((s) => s.render.sources)');
    console.log(`[sources] images: ${sizes.map((x) => `${x.width}×${x.height}`).join(', ')}; broken: ${bad.name}: ${bad.message}`);
    expect(sizes.map((x) => [x.width, x.height])).toEqual([[320, 180], [320, 180], [320, 180], [320, 180], [200, 100]]);
    expect(bad.name).toBe('MediaDecodeError');
    expect(await ev<number>(page, 'window.studio.scenes.sources.length')).toBe(5);
    // The SVG's pixels: orange corner, blue centre.
    await ev(page, `window.studio.setOutput({ width: 200, height: 100, frameRate: 30 })`);
    await ev(page, `window.studio.addItem(window.studio.currentScene, ${JSON.stringify(ids[4])}, { fit: 'stretch' })`);
    const shot = await saveFileFromPage(page, `window.studio.captureProgram().then((b) => new File([b], 'svg.png'))`, out);
    const px = new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-i', shot.path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']));
    const at = (x: number, y: number) => Array.from(px.subarray((y * 200 + x) * 3, (y * 200 + x) * 3 + 3));
    expect(at(5, 5)).toEqual([255, 136, 0]);
    expect(at(100, 50)).toEqual([0, 68, 255]);
  });

  it('hostile imports each give SceneValidationError and leave the scenes untouched', async () => {
    const page = await freshPage();
    const color = await ev<string>(page, `window.studio.addSource({ kind: 'color', color: '#112233' })`);
    await ev(page, `window.studio.addItem(window.studio.currentScene, ${JSON.stringify(color)})`);
    const results = await ev<{ label: string; name: string; message: string; unchanged: boolean }[]>(page, `(async () => {
      const good = window.studio.getSceneCollection();
      const before = JSON.stringify(good);
      const clone = () => JSON.parse(before);
      const item = (c) => c.scenes[0].items[0];
      const cases = [
        ['wrong types', () => { const c = clone(); c.scenes = 'none'; return c; }],
        ['NaN transform', () => { const c = clone(); item(c).x = NaN; return c; }],
        ['huge transform', () => { const c = clone(); item(c).width = 1e12; return c; }],
        ['10^6 items', () => { const c = clone(); c.scenes[0].items = new Array(1e6).fill(item(c)); return c; }],
        ['unknown kind', () => { const c = clone(); c.sources[0].settings.kind = 'hologram'; return c; }],
        ['__proto__ key', () => JSON.stringify(clone()).replace('"version":1', '"__proto__":{"polluted":true},"version":1')],
        ['100 MB string', () => 'x'.repeat(100 * 1024 * 1024)],
        ['unknown key', () => { const c = clone(); item(c).script = 'alert(1)'; return c; }],
        ['dangling source', () => { const c = clone(); item(c).sourceId = 'src-gone'; return c; }],
        ['not JSON', () => '{"version": 1, "scenes": ['],
      ];
      const out = [];
      for (const [label, make] of cases) {
        const input = make();
        const r = await window.studio.loadSceneCollection(input).then(() => ({ name: 'none', message: '' }), (e) => ({ name: e.name, message: e.message }));
        out.push({ label, ...r, unchanged: JSON.stringify(window.studio.getSceneCollection()) === before && ({}).polluted === undefined });
      }
      return out;
    })()`);
    for (const r of results) console.log(`[sources] import ${r.label}: ${r.name}: ${r.message.slice(0, 140)}`);
    for (const r of results) {
      expect(r.name, r.label).toBe('SceneValidationError');
      expect(r.unchanged, r.label).toBe(true);
    }
    expect(results).toHaveLength(10);
  });
});

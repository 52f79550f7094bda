/**
 * Studio mode through the UI: the main canvas previews the scene being edited, the program
 * moves beside it. Edits to the preview scene while recording leave the program — and the
 * file — untouched until "Transition", which sends the edited scene to the program and puts the
 * old program scene on the preview (OBS's swap). A screenshot of studio mode is saved.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { join } from 'node:path';
import { launchChromium, startServer } from '../helpers/browser.ts';
import { scratchDir } from '../helpers/media.ts';
import { ev, saveFileFromPage, TestPages, waitInPage } from '../helpers/studio.ts';
import { psnrWhere, rgbFrames } from '../helpers/frames.ts';
import { captureRgba, twoImageScenes } from '../helpers/scene-setup.ts';

const W = 640, H = 360;
let server: ViteDevServer, url: string, browser: Browser;
const out = scratchDir('studio-mode');

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium();
});
afterAll(async () => { await browser?.close(); await server?.close(); });
const pages = new TestPages(() => ({ browser, url }));
afterEach(() => pages.closeAll());

const maxDiff = (a: Uint8Array, b: Uint8Array): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
/** RGBA → RGB, as ffmpeg decodes the file. */
const rgb = (x: Uint8Array): Uint8Array => {
  const o = new Uint8Array((x.length / 4) * 3);
  for (let i = 0, j = 0; i < x.length; i += 4, j += 3) { o[j] = x[i]!; o[j + 1] = x[i + 1]!; o[j + 2] = x[i + 2]!; }
  return o;
};

describe('studio mode', () => {
  it('edits to the preview scene leave the program and the recording untouched until Transition', async () => {
    const page = await pages.fresh();
    const { a, b } = await twoImageScenes(page, W, H, out);
    const progA = await captureRgba(page, out, 'program-a.png');
    await page.click('#studio-mode');
    await waitInPage(page, 'window.studio.studioMode');
    expect(await ev(page, 'window.studio.previewScene')).toBe(a);
    // Clicking a scene in studio mode previews it; the program stays on A.
    await page.click(`#scenes-list [data-scene-id="${b}"] .row-name`);
    await waitInPage(page, `window.studio.previewScene === ${JSON.stringify(b)}`);
    expect(await ev(page, 'window.studio.currentScene')).toBe(a);

    await ev(page, 'window.studio.startRecording()');
    await page.waitForTimeout(500);
    // Several edits of the previewed scene while recording: move and shrink its image, add a colour box.
    const itemB = await ev<string>(page, `window.studio.scenes.scenes.find((s) => s.id === ${JSON.stringify(b)}).items[0].id`);
    const color = await ev<string>(page, `window.studio.addSource({ kind: 'color', color: '#ff00ff' })`);
    await ev(page, `window.studio.addItem(${JSON.stringify(b)}, ${JSON.stringify(color)}, { x: 20, y: 20, width: 160, height: 90 })`);
    const programDiffs: number[] = [];
    for (let i = 0; i < 3; i++) {
      await ev(page, `window.studio.updateItem(${JSON.stringify(itemB)}, { x: ${60 + i * 40}, y: 30, width: 480, height: 270 })`);
      programDiffs.push(maxDiff(await captureRgba(page, out, `program-during-${i}.png`), progA));
      await page.waitForTimeout(300);
    }
    const previewEdited = await captureRgba(page, out, 'preview-edited.png', 'preview');
    await page.screenshot({ path: '/tmp/studio-mode.png' });
    // Transition (the default: a 300 ms fade) through the UI.
    const before = await ev<number>(page, 'window.studio.recordingElapsedMs') / 1000;
    await page.click('#transition-go');
    await waitInPage(page, `window.studio.currentScene === ${JSON.stringify(b)}`);
    await page.waitForTimeout(1200);
    const progAfter = await captureRgba(page, out, 'program-after.png');
    const previewAfter = await ev<string>(page, 'window.studio.previewScene');
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);

    const frames = rgbFrames(file.path, W, H);
    const A = rgbFrames(join(out, 'a.png'), W, H)[0]!;
    const E = rgb(previewEdited);
    // Frames before the transition (the recording timer and the file start within a frame or two).
    const fps = frames.length / (await ev<number>(page, 'window.studio.getStats().then((s) => s.encode.durationMs)') / 1000 || 1);
    const early = frames.slice(0, Math.max(1, Math.floor((before - 0.2) * fps)));
    const earlyToA = early.map((f) => psnrWhere(f, A, W, () => true));
    const lastToEdited = psnrWhere(frames.at(-1)!, E, W, () => true);
    console.log(`[studio-mode] program max diff to scene A during ${programDiffs.length} preview edits: ${programDiffs.join(', ')}/255; ` +
      `file: ${frames.length} frames, the ${early.length} before Transition ${Math.min(...earlyToA).toFixed(1)}–${Math.max(...earlyToA).toFixed(1)} dB to A, ` +
      `the last ${lastToEdited.toFixed(1)} dB to the edited preview; after Transition the program matches the preview to ${maxDiff(progAfter, previewEdited)}/255, preview now ${previewAfter === a ? 'A' : previewAfter}`);
    for (const d of programDiffs) expect(d).toBe(0);
    expect(maxDiff(previewEdited, progA)).toBeGreaterThan(100);
    // The encoder's first frames score 24–28 dB on a loaded machine; a frame showing the edited
    // scene (its image moved, a magenta box) scores ~10 dB.
    expect(Math.min(...earlyToA)).toBeGreaterThan(18);
    expect(lastToEdited).toBeGreaterThan(28);
    expect(maxDiff(progAfter, previewEdited)).toBeLessThanOrEqual(1);
    expect(previewAfter).toBe(a);
    // Off again: the main canvas shows the program.
    await page.click('#studio-mode');
    await waitInPage(page, '!window.studio.studioMode');
    expect(maxDiff(await captureRgba(page, out, 'preview-off.png', 'preview'), progAfter)).toBeLessThanOrEqual(1);
  });
});

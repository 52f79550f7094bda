import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { execFileSync } from 'node:child_process';
import { launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { makeY4m, shared } from '../helpers/media.ts';
import { studioReady } from '../helpers/studio.ts';

let server: ViteDevServer, url: string, browser: Browser, wp: WatchedPage;

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium({ camera: makeY4m('webcam_woman_640x480_30fps.mp4', 4) });
  wp = await openPage(browser, url);
  await studioReady(wp.page);
});
afterAll(async () => { await browser?.close(); await server?.close(); });

interface Fx { backend: string | null; active: boolean; masksProduced: number; error: string | null }
const effects = () => wp.page.evaluate('window.studio.getStats().then((s) => s.render.effects)') as Promise<Fx>;
const savedMask = () => wp.page.evaluate(`JSON.parse(localStorage.getItem('backdrop.maskOptions') ?? 'null')`) as Promise<Record<string, unknown> | null>;

/** Mean and spread of the gray levels in a rectangle of a PNG screenshot. */
function grayStats(png: Buffer, [x, y, w, hgt]: number[]): { mean: number; spread: number } {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-vf', `crop=${w}:${hgt}:${x}:${y},format=gray`, '-f', 'rawvideo', '-'], { input: png });
  let s = 0, lo = 255, hi = 0;
  for (const v of raw) { s += v; lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return { mean: s / raw.length, spread: hi - lo };
}

describe('effects panel', () => {
  it('gives every control an accessible name', async () => {
    const unnamed = await wp.page.locator('#effects').locator('button, select, input, [role=button], [role=radiogroup]').evaluateAll((els) =>
      els.filter((e) => {
        const label = e.getAttribute('aria-label') || e.textContent?.trim() || (e.id && document.querySelector(`label[for="${e.id}"]`)?.textContent) || e.closest('label')?.textContent?.trim();
        return !label;
      }).map((e) => e.outerHTML));
    expect(unnamed).toEqual([]);
    for (const name of ['None', 'Blur', 'Colour', 'Image', 'Transparent']) await expect(wp.page.getByRole('radio', { name }).count()).resolves.toBe(1);
    const status = await wp.page.locator('#fx-status').textContent();
    console.log('status line:', status);
    expect(status).toMatch(/^Segmentation: (wasm \(CPU\)|WebGPU)/);
  });

  it('blurs the live picture from the Blur button', async () => {
    const { page } = wp;
    await page.getByRole('button', { name: 'Start camera' }).click();
    await page.waitForFunction('window.studio.cameraState === "on"');
    await page.getByRole('radio', { name: 'Blur' }).check();
    await page.getByLabel('Blur strength').fill('1');
    await expect.poll(async () => (await effects()).masksProduced, { timeout: 20_000, interval: 250 }).toBeGreaterThan(0);
    const a = await effects();
    await expect.poll(async () => (await effects()).masksProduced, { timeout: 20_000, interval: 250 }).toBeGreaterThan(a.masksProduced);
    const b = await effects();
    console.log('effects:', JSON.stringify(b));
    expect(b.active).toBe(true);
    expect(await page.evaluate(`JSON.parse(localStorage.getItem('backdrop.background')).strength`)).toBe(1);
    expect(await page.locator('#stats-list').textContent()).toMatch(/Masks reused/);
    await page.screenshot({ path: '/tmp/effects-blur.png' });
  });

  it('a transparent background shows what the scene has below the camera (here nothing: black, as recorded)', async () => {
    const { page } = wp;
    await page.getByRole('radio', { name: 'Transparent' }).check();
    // The switch keeps the current mask, so two frames after it the picture is see-through.
    const rendered = () => page.evaluate('window.studio.getStats().then((s) => s.render.framesRendered)') as Promise<number>;
    const n = await rendered();
    await expect.poll(rendered, { timeout: 20_000, interval: 100 }).toBeGreaterThan(n + 1);
    // Screenshots take seconds on SwiftShader: one, cropped, serves the check too.
    const shot = await page.screenshot({ path: '/tmp/effects-transparent.png' });
    // The clip's upper left is background: the program (what is recorded) is black there, as
    // nothing lies under the camera in the scene; before, it was the bright office wall.
    const box = (await page.locator('#preview').boundingBox())!;
    const corner = grayStats(shot, [Math.round(box.x + box.width * 0.2), Math.round(box.y + 10), 60, 60]);
    console.log('transparent corner:', JSON.stringify(corner));
    expect(corner.mean).toBeLessThan(10);
    // The remaining tests need no frames; an idle render worker answers them sooner.
    await page.getByRole('button', { name: 'Stop camera' }).click();
    await page.waitForFunction('window.studio.cameraState === "off"');
  });

  it('changes a mask knob and resets them all', async () => {
    const { page } = wp;
    await page.getByText('Mask refinement').click();
    await page.getByLabel('Threshold').fill('0.7');
    await page.getByLabel('Edge-aware upsampling').uncheck();
    await expect.poll(savedMask, { timeout: 10_000, interval: 100 }).toMatchObject({ threshold: 0.7, edgeAware: false });
    expect(await page.locator('output[for=mask-threshold]').textContent()).toBe('0.70');
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.waitForFunction(`JSON.parse(localStorage.getItem('backdrop.maskOptions'))?.threshold === 0.5`);
    expect(await savedMask()).toEqual({ threshold: 0.5, softness: 0.3, expand: 0, smoothContour: 0.25, feather: 0, temporal: 0.8, edgeAware: true });
    expect(await page.locator('output[for=mask-threshold]').textContent()).toBe('0.50');
    expect(await page.getByLabel('Edge-aware upsampling').isChecked()).toBe(true);
  });

  it('cuts a person out of a picture and offers the PNG', async () => {
    const { page } = wp;
    await page.locator('#cutout-file').setInputFiles(shared('media/segmentation/001.jpg'));
    const link = page.getByRole('link', { name: /Download 001-cutout\.png/ });
    await link.waitFor({ timeout: 30_000 });
    expect(await link.getAttribute('download')).toBe('001-cutout.png');
    const head = await page.evaluate(`fetch(document.querySelector('#cutout-download').href).then(async (r) => {
      const b = await r.blob();
      return { type: b.type, size: b.size, sig: [...new Uint8Array(await b.slice(0, 4).arrayBuffer())] };
    })`) as { type: string; size: number; sig: number[] };
    expect(head.type).toBe('image/png');
    expect(head.sig).toEqual([0x89, 0x50, 0x4e, 0x47]);
    await expect(page.locator('.cutout-preview img').evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).resolves.toBeGreaterThan(0);
  });

  it('shows the remembered background after a reload, with no console errors', async () => {
    const { page } = wp;
    expect(wp.consoleErrors).toEqual([]);
    await page.reload();
    // The panel restores its state at mount; the studio's model load need not finish for that.
    await page.waitForSelector('#bg-transparent:checked', { timeout: 20_000 });
    // The camera source kept its filter in the saved scene collection.
    await studioReady(page);
    expect(await page.evaluate(`window.studio.scenes.sources.find((s) => s.settings.kind === 'camera').background.type`)).toBe('transparent');
  });
});

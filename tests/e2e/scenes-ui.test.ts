import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { makeY4m, repoRoot, scratchDir, shared } from '../helpers/media.ts';
import { studioReady } from '../helpers/studio.ts';

let server: ViteDevServer, url: string, browser: Browser, wp: WatchedPage, page: Page;
const out = scratchDir('scenes-ui');

interface Item { id: string; sourceId: string; x: number; width: number; visible: boolean }
interface Coll { currentSceneId: string; output: { width: number }; scenes: { id: string; name: string; items: Item[] }[]; sources: { id: string; name: string; settings: Record<string, unknown>; background: { type: string } }[] }
const scenes = () => page.evaluate('window.studio.scenes') as Promise<Coll>;
const current = async () => { const c = await scenes(); return c.scenes.find((s) => s.id === c.currentSceneId)!; };
const sourceNamed = async (name: string) => (await scenes()).sources.find((s) => s.name === name)!;

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium({ camera: makeY4m('webcam_woman_640x480_30fps.mp4', 4) });
  wp = await openPage(browser, url);
  page = wp.page;
  await studioReady(page);
  // A small canvas keeps SwiftShader's compositing quick.
  await page.evaluate('window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
});
afterAll(async () => { await browser?.close(); await server?.close(); });

describe('scenes, sources and properties panels', () => {
  it('show API calls at once (no polling): scenes, items, source settings, output', async () => {
    // Each read happens right after the call resolves: the panels render on the 'scenes' event itself.
    const seen = await page.evaluate(`(async () => {
      const s = window.studio;
      const names = () => [...document.querySelectorAll('#scenes-list .row-name')].map((b) => b.textContent);
      await s.createScene('From API');
      const afterCreate = names();
      const sceneId = s.scenes.scenes.find((x) => x.name === 'From API').id;
      await s.switchScene(sceneId, { transition: 'cut' });
      const currentMarked = document.querySelector('#scenes-list [aria-current="true"]')?.textContent;
      const src = await s.addSource({ kind: 'color', color: '#ff0000' });
      const item = await s.addItem(sceneId, src, { x: 10, y: 10, width: 200, height: 100 });
      await Promise.resolve();
      const row = document.querySelector('#sources-list [data-item-id="' + item + '"] .row-name');
      row.click();
      await Promise.resolve();
      await s.updateItem(item, { x: 123, visible: false });
      await s.updateSource(src, { color: '#00ff00' });
      await s.renameScene(sceneId, 'Renamed by API');
      return {
        afterCreate, currentMarked, sourceRow: row.textContent, afterRename: names(),
        x: document.getElementById('prop-x').value, visible: document.getElementById('prop-visible').checked,
        eye: document.querySelector('#sources-list [data-item-id="' + item + '"] .eye').getAttribute('aria-pressed'),
        colour: document.getElementById('src-color').value, output: document.getElementById('output-preset').value,
      };
    })()`);
    expect(seen).toEqual({
      afterCreate: ['Scene 1', 'From API'], currentMarked: 'From API', sourceRow: 'Colour',
      afterRename: ['Scene 1', 'Renamed by API'], x: '123', visible: false, eye: 'false', colour: '#00ff00', output: '640x480@30',
    });
  });

  it('changes studio.scenes from clicks: add, rename, switch, hide, move, edit and remove', async () => {
    await page.getByRole('button', { name: 'Add scene' }).click();
    const edit = page.getByRole('textbox', { name: 'Scene name' });
    await edit.fill('Interview');
    await edit.press('Enter');
    await expect.poll(async () => (await scenes()).scenes.map((s) => s.name)).toEqual(['Scene 1', 'Renamed by API', 'Interview']);
    // A name the studio rejects stays in the field with its reason.
    await page.getByRole('button', { name: 'Rename Interview' }).click();
    await edit.fill('x'.repeat(201));
    await edit.press('Enter');
    await expect.poll(() => page.locator('.scene-row .field-error:visible').textContent()).toMatch(/at most 200 characters/);
    expect(await edit.inputValue()).toBe('x'.repeat(201));
    await edit.press('Escape');

    await page.locator('#transition-kind').selectOption('cut');
    await page.getByRole('button', { name: 'Interview', exact: true }).click();
    await expect.poll(async () => (await current()).name).toBe('Interview');

    await page.getByText('+ Add source').click();
    await page.getByRole('button', { name: 'Add text' }).click();
    await expect.poll(async () => (await current()).items.length).toBe(1);
    await expect(page.locator('#props-title').textContent()).resolves.toBe('Text');
    await page.getByRole('button', { name: 'Show Text' }).click();
    await expect.poll(async () => (await current()).items[0]!.visible).toBe(false);

    await page.getByLabel('X', { exact: true }).fill('100');
    await page.getByLabel('X', { exact: true }).press('Enter');
    await expect.poll(async () => (await current()).items[0]!.x).toBe(100);
    const width = (await current()).items[0]!.width;
    await page.getByLabel('Width', { exact: true }).fill('-5');
    await page.getByLabel('Width', { exact: true }).press('Enter');
    await expect(page.locator('#prop-width-error').textContent()).resolves.toMatch(/width: must be between 0 and 100000/);
    expect(await page.getByLabel('Width', { exact: true }).inputValue()).toBe('-5');
    expect((await current()).items[0]!.width).toBe(width);
    await page.getByLabel('Width', { exact: true }).press('Escape');

    await page.getByRole('textbox', { name: 'Text', exact: true }).fill('Hello');
    await expect.poll(async () => (await sourceNamed('Text')).settings.text).toBe('Hello');

    // A second item goes on top; "Move up" puts the text back above it.
    await page.getByText('+ Add source').click();
    await page.getByRole('button', { name: 'Add colour' }).click();
    await expect.poll(async () => (await current()).items.length).toBe(2);
    const colour = (await current()).items[1]!;
    await page.getByRole('button', { name: 'Move Text up' }).click();
    await expect.poll(async () => (await current()).items.map((i) => i.id)).toEqual([colour.id, (await current()).items.find((i) => i.id !== colour.id)!.id]);
    const name = (await scenes()).sources.find((s) => s.id === colour.sourceId)!.name;
    await page.getByRole('button', { name: `Remove ${name}` }).click();
    await page.getByRole('button', { name: `Delete source ${name}` }).click();
    await expect.poll(async () => (await scenes()).sources.some((s) => s.id === colour.sourceId)).toBe(false);

    await page.getByRole('button', { name: 'Delete Renamed by API' }).click();
    await expect.poll(async () => (await scenes()).scenes.map((s) => s.name)).toEqual(['Scene 1', 'Interview']);
  });

  it('imports nothing from a broken file and says why; exports the collection', async () => {
    const before = await scenes();
    await page.getByLabel('Scene collection file to import').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 1, ') });
    await expect.poll(() => page.locator('#banner').textContent()).toMatch(/not valid JSON/);
    expect(await scenes()).toEqual(before);
    await page.getByRole('button', { name: 'Dismiss message' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export scenes' }).click()]);
    const file = join(out, 'export.json');
    await download.saveAs(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(before);
  });

  it('composes camera, image and text in one scene (screenshot)', async () => {
    const png = join(out, 'portrait.png');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', shared('media/segmentation/001.jpg'), '-vf', 'scale=240:-2', png]);
    await page.getByRole('button', { name: 'Scene 1', exact: true }).click();
    await expect.poll(async () => (await current()).name).toBe('Scene 1');
    await page.getByText('+ Add source').click();
    await page.getByRole('button', { name: 'Add camera' }).click();
    await page.waitForFunction('window.studio.cameraState === "on"', undefined, { timeout: 20_000 });
    await page.getByLabel('Image file to add').setInputFiles(png);
    await expect.poll(async () => (await current()).items.length, { timeout: 15_000 }).toBe(2);
    const image = (await current()).items[1]!;
    await page.evaluate(`window.studio.updateItem(${JSON.stringify(image.id)}, { x: 410, y: 20, width: 210, height: 160, rotation: -4 })`);
    await page.getByText('+ Add source').click();
    await page.getByRole('button', { name: 'Add text' }).click();
    await expect.poll(async () => (await current()).items.length).toBe(3);
    await page.getByRole('textbox', { name: 'Text', exact: true }).fill('Backdrop Studio · scenes');
    await page.getByLabel('Background box').check();
    await expect.poll(async () => (await current()).items.length).toBe(3);
    const rows = await page.locator('#sources-list .row-name').allTextContents();
    expect(rows).toEqual(['Text 2', 'portrait.png', 'Camera']);
    const statuses = await page.locator('#sources-list .status').allTextContents();
    // An image added by addSource lists as 'off' until SourceManager marks it live (reported to the facade's owner).
    expect(statuses).toEqual(['live', expect.stringMatching(/^(live|off)$/), 'live']);
    const composed = () => page.evaluate('window.studio.getStats().then((s) => s.render.program?.composed ?? 0)') as Promise<number>;
    const n = await composed();
    await expect.poll(composed, { timeout: 20_000, interval: 200 }).toBeGreaterThan(n + 3);
    const unnamed = await page.locator('#scenes, #sources, #properties, #output').locator('button, select, input, textarea').evaluateAll((els) =>
      els.filter((e) => {
        const label = e.getAttribute('aria-label') || e.textContent?.trim() || (e.id && document.querySelector(`label[for="${e.id}"]`)?.textContent) || e.closest('label')?.textContent?.trim();
        return !label;
      }).map((e) => e.outerHTML));
    expect(unnamed).toEqual([]);
    mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, '.tmp/scenes-ui.png'), fullPage: true });
  });

  it('keeps the Effects and Properties filters on the camera source state after an API setBackground', async () => {
    await page.evaluate('window.studio.stopCamera()');
    await page.getByRole('button', { name: 'Camera', exact: true }).click();
    // With the camera off, the filter is stored straight into the scene collection.
    const shown = await page.evaluate(`(async () => {
      await window.studio.setBackground({ type: 'blur', strength: 0.8 });
      await Promise.resolve();
      return { radio: document.querySelector('input[name=bg-type]:checked')?.value, prop: document.getElementById('src-filter').value,
        strength: document.getElementById('bg-strength').value };
    })()`);
    expect(shown).toEqual({ radio: 'blur', prop: 'blur', strength: '0.8' });
    expect((await sourceNamed('Camera')).background.type).toBe('blur');
    await page.getByLabel('Background filter').selectOption('none');
    await expect.poll(async () => page.locator('input[name=bg-type]:checked').getAttribute('value')).toBe('none');
    expect(wp.consoleErrors).toEqual([]);
  });
});

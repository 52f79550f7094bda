/**
 * Keyboard editing in the real page: hotkeys (scenes, recording), never while typing in a text
 * field; the Sources list driven by the keyboard alone (select, move 10 px, resize); Ctrl+Z and
 * the Undo button; undoing a removed image brings its picture back after a save; the Hotkeys
 * panel stores its keys; and every control has an accessible name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { launchChromium, openPage, startServer } from '../helpers/browser.ts';
import { makeY4m, scratchDir } from '../helpers/media.ts';
import { ev, studioReady } from '../helpers/studio.ts';

let server: ViteDevServer, url: string, browser: Browser, page: Page;
const out = scratchDir('editing-keys');

interface Item { id: string; sourceId: string; x: number; y: number; width: number; height: number }
interface Coll { currentSceneId: string; output: { width: number; height: number }; scenes: { id: string; name: string; items: Item[] }[]; sources: { id: string; name: string; settings: Record<string, unknown> }[] }
const scenes = () => ev<Coll>(page, 'window.studio.scenes');
const currentName = async () => { const c = await scenes(); return c.scenes.find((s) => s.id === c.currentSceneId)!.name; };
const itemById = async (id: string) => (await scenes()).scenes.flatMap((s) => s.items).find((i) => i.id === id);
/** Takes the focus off any field, as clicking the page background would (without a mouse). */
const blur = () => page.evaluate('document.activeElement?.blur()');

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium({ camera: makeY4m('webcam_woman_640x480_30fps.mp4', 4) });
  ({ page } = await openPage(browser, url));
  await studioReady(page);
  // A small canvas keeps SwiftShader's compositing and encoding quick.
  await ev(page, 'window.studio.setOutput({ width: 320, height: 240, frameRate: 30 })');
});
afterAll(async () => { await browser?.close(); await server?.close(); });

describe('hotkeys', () => {
  it('switch scenes with 1–9, but not while typing in a scene name or a text source', async () => {
    await ev(page, `(async () => { await window.studio.createScene('Two'); await window.studio.createScene('Three'); })()`);
    await blur();
    await page.keyboard.press('2');
    await expect.poll(currentName).toBe('Two');
    await page.keyboard.press('3');
    await expect.poll(currentName).toBe('Three');
    await page.keyboard.press('1');
    await expect.poll(currentName).toBe('Scene 1');

    // The rename box of a scene: the digits go into the name.
    await page.getByRole('button', { name: 'Rename Two' }).click();
    const edit = page.getByRole('textbox', { name: 'Scene name' });
    await page.keyboard.press('End');
    await page.keyboard.type('23');
    expect(await edit.inputValue()).toBe('Two23');
    await page.keyboard.press('F9'); // the record key does nothing in a field either
    await edit.press('Escape'); // the rename is dropped
    // A text source's text.
    const text = await ev<string>(page, `(async () => {
      const s = window.studio; const src = await s.addSource({ kind: 'text', text: 'Hi' });
      await s.addItem(s.currentScene, src, { x: 0, y: 0, width: 160, height: 40 }); return src; })()`);
    await page.locator('#sources-list .row-name', { hasText: 'Text' }).click();
    const box = page.getByRole('textbox', { name: 'Text', exact: true });
    await box.focus();
    await page.keyboard.press('End');
    await page.keyboard.type(' 3 2');
    await expect.poll(async () => (await scenes()).sources.find((s) => s.id === text)!.settings.text).toBe('Hi 3 2');
    expect(await currentName()).toBe('Scene 1');
    expect(await ev(page, 'window.studio.recordingState')).toBe('idle');
    // Typing the text was one undo step, not one per letter.
    expect(await ev(page, 'window.studio.undoLabel')).toBe('Change Text');
    await blur();
  });

  it('start and stop recording with F9; an undo that would change the output while recording is refused', async () => {
    await page.getByRole('button', { name: 'Start camera' }).click();
    await page.waitForFunction('window.studio.cameraState === "on"', undefined, { timeout: 20_000 });
    await ev(page, 'window.studio.setOutput({ width: 320, height: 180, frameRate: 30 })');
    await blur();
    const t0 = Date.now();
    await page.keyboard.press('F9');
    await page.waitForFunction('window.studio.recordingState === "recording"', undefined, { timeout: 20_000 });
    const startedMs = Date.now() - t0;
    const refused = await ev<{ name: string; message: string }>(page, `window.studio.undo().then(
      () => ({ name: 'none', message: '' }), (e) => ({ name: e.name, message: e.message }))`);
    expect(refused.name).toBe('StudioStateError');
    expect(refused.message).toMatch(/would change the output, which cannot change while recording/);
    expect((await scenes()).output).toMatchObject({ width: 320, height: 180 });
    await page.waitForTimeout(1500);
    const file = page.evaluate(`new Promise((r) => window.studio.addEventListener('recording', (e) => r(e.detail.size), { once: true }))`);
    await page.keyboard.press('F9');
    await page.waitForFunction('window.studio.recordingState === "idle"', undefined, { timeout: 30_000 });
    const size = await file as number;
    console.log(`[editing-keys] F9 started recording in ${startedMs} ms; F9 stopped it: file ${size} bytes`);
    expect(size).toBeGreaterThan(1000);
    expect(await ev(page, 'window.studio.undo()')).toBe(true);
    expect((await scenes()).output).toMatchObject({ width: 320, height: 240 });
  });
});

describe('keyboard-only editing', () => {
  it('selects an item in the Sources list, moves it by 10 px, resizes it, removes it; Ctrl+Z and the Undo button undo', async () => {
    const item = await ev<string>(page, `(async () => {
      const s = window.studio; const src = await s.addSource({ kind: 'color', color: '#ff0000', name: 'Red' });
      return s.addItem(s.currentScene, src, { x: 10, y: 20, width: 160, height: 90 }); })()`);
    // Into the list without a mouse: focus the first row, then arrow down to "Red" and press Enter.
    await page.locator('#sources-list .row-name').last().focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 5 && await page.evaluate('document.activeElement?.textContent') !== 'Red'; i++) await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Red');
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-keyshortcuts")')).toMatch(/Control\+ArrowRight/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#props-title').textContent()).toBe('Red');

    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(async () => { const i = await itemById(item); return [i!.x, i!.y]; }).toEqual([20, 30]);
    await page.keyboard.press('Control+ArrowRight'); // 10 px wider, aspect kept
    await expect.poll(async () => (await itemById(item))!.width).toBe(170);
    expect((await itemById(item))!.height).toBeCloseTo(90 * 170 / 160, 6);
    await page.keyboard.press('Control+Shift+ArrowDown'); // 10 px taller only
    await expect.poll(async () => (await itemById(item))!.height).toBeCloseTo(90 * 170 / 160 + 10, 6);
    const after = (await itemById(item))!;
    console.log(`[editing-keys] keyboard: moved to ${after.x},${after.y}; resized to ${after.width}×${after.height.toFixed(3)}`);
    expect(after.width).toBe(170);

    // Ctrl+Z (focus is on the row's button, not a text field) undoes the last edit; Ctrl+Shift+Z redoes it.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await itemById(item))!.height).toBeCloseTo(90 * 170 / 160, 6);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(async () => (await itemById(item))!.height).toBeCloseTo(90 * 170 / 160 + 10, 6);
    expect(await page.locator('#hotkey-status').textContent()).toMatch(/Redone: Resize Red/);

    // A held arrow key is one undo step.
    await page.keyboard.down('ArrowRight');
    for (let i = 0; i < 5; i++) await page.keyboard.down('ArrowRight');
    await page.keyboard.up('ArrowRight');
    await expect.poll(async () => (await itemById(item))!.x).toBe(26);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await itemById(item))!.x).toBe(20);

    // Escape: the arrows go through the list again instead of moving the item.
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowRight');
    expect((await itemById(item))!.x).toBe(20);

    // Delete removes it from the scene; the Undo button (by its accessible name) brings it back.
    await page.keyboard.press('Delete');
    await expect.poll(() => itemById(item)).toBeUndefined();
    expect(await page.evaluate('document.activeElement?.closest("#sources-list") !== null')).toBe(true);
    await page.getByRole('button', { name: 'Undo', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await itemById(item))?.x).toBe(20);
  });
});

describe('undo and media', () => {
  it('undoing the removal of an image source shows its picture again, also after a save collected unused files', async () => {
    const png = join(out, 'green.png');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x00ff00:s=64x64', '-frames:v', '1', png]);
    const b64 = execFileSync('base64', ['-w0', png]).toString();
    const id = await ev<string>(page, `(async () => {
      const s = window.studio;
      const bytes = Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));
      const scene = await s.createScene('Picture');
      await s.switchScene(scene, { transition: 'cut' });
      const src = await s.addSource({ kind: 'image', image: new Blob([bytes], { type: 'image/png' }), name: 'Green' });
      await s.addItem(scene, src);
      return src; })()`);
    /** The program's centre pixel (after a few frames). */
    const centre = () => ev<number[]>(page, `(async () => {
      await new Promise((r) => setTimeout(r, 300));
      const bmp = await createImageBitmap(await window.studio.captureProgram());
      const c = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d'); c.drawImage(bmp, 0, 0);
      return [...c.getImageData(bmp.width >> 1, bmp.height >> 1, 1, 1).data]; })()`);
    const green = (px: number[]) => px[0]! < 16 && px[1]! > 240 && px[2]! < 16;
    expect(green(await centre())).toBe(true);
    await ev(page, `window.studio.removeSource(${JSON.stringify(id)})`);
    await ev(page, 'window.studio.saveScenes()');
    expect((await centre())[1]).toBeLessThan(100);
    expect(await ev(page, 'window.studio.undo()')).toBe(true);
    await expect.poll(() => ev(page, `window.studio.listSources().find((s) => s.id === ${JSON.stringify(id)})?.status`)).toBe('live');
    await expect.poll(async () => green(await centre())).toBe(true);
    // Redo removes it again.
    expect(await ev(page, 'window.studio.redo()')).toBe(true);
    expect(await ev(page, `window.studio.listSources().some((s) => s.id === ${JSON.stringify(id)})`)).toBe(false);
  });

  it('undoing the removal of a live camera opens the camera again; redo closes it', async () => {
    const cam = await ev<string>(page, `window.studio.listSources().find((s) => s.settings.kind === 'camera' && s.status === 'live')?.id`);
    expect(cam).toBeTruthy();
    await ev(page, `window.studio.removeSource(${JSON.stringify(cam)})`);
    expect(await ev(page, 'window.studio.cameraState')).toBe('off');
    expect(await ev(page, 'window.studio.undo()')).toBe(true);
    await expect.poll(() => ev(page, `window.studio.listSources().find((s) => s.id === ${JSON.stringify(cam)})?.status`)).toBe('live');
    expect(await ev(page, 'window.studio.cameraState')).toBe('on');
    expect(await ev(page, `window.studio.sourceTracks(${JSON.stringify(cam)}).video?.readyState`)).toBe('live');
    expect(await ev(page, 'window.studio.redo()')).toBe(true);
    expect(await ev(page, 'window.studio.cameraState')).toBe('off');
    expect(await ev(page, 'window.studio.undo()')).toBe(true);
    await expect.poll(() => ev(page, 'window.studio.cameraState')).toBe('on');
  });
});

describe('hotkeys panel and accessible names', () => {
  it('sets, moves, clears and resets keys, stored in localStorage', async () => {
    await page.locator('#hotkeys-details > summary').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Set keys for Switch to scene 2' }).click();
    await page.keyboard.press('q');
    await expect.poll(() => page.evaluate(`localStorage.getItem('backdrop-studio.hotkeys')`)).toBe(JSON.stringify({ version: 1, bindings: { 'scene.2': ['KeyQ'] } }));
    await page.getByRole('button', { name: 'Set keys for Switch to scene 3' }).click();
    await page.keyboard.press('q');
    await expect.poll(() => page.locator('#hotkeys-message').textContent()).toMatch(/Switch to scene 3: Q \(no longer for Switch to scene 2\)/);
    await blur();
    await page.keyboard.press('q');
    await expect.poll(currentName).toBe('Three');
    await page.keyboard.press('2'); // its default key was replaced by Q, which scene 3 then took
    await page.waitForTimeout(200);
    expect(await currentName()).toBe('Three');
    await page.getByRole('button', { name: 'Clear keys for Switch to scene 3' }).click();
    await page.getByRole('button', { name: 'Reset to defaults' }).click();
    expect(await page.evaluate(`localStorage.getItem('backdrop-studio.hotkeys')`)).toBeNull();
    await blur();
    await page.keyboard.press('2');
    await expect.poll(currentName).toBe('Two');
  });

  it('every visible control has an accessible name', async () => {
    const unnamed = await page.evaluate(`[...document.querySelectorAll('button, input, select, textarea, summary, [role="button"]')]
      .filter((el) => el.getClientRects().length > 0 && !el.closest('[hidden], [aria-hidden="true"]'))
      .filter((el) => {
        const by = el.getAttribute('aria-labelledby');
        const name = el.getAttribute('aria-label') || (by && by.split(' ').map((i) => document.getElementById(i)?.textContent ?? '').join(' '))
          || (el.labels && [...el.labels].map((l) => l.textContent).join(' ')) || (el.matches('button, summary, [role="button"]') ? el.textContent : '') || el.getAttribute('title');
        return !name || !name.trim();
      }).map((el) => el.outerHTML.slice(0, 120))`);
    expect(unnamed).toEqual([]);
    const shot = join(out, 'editing-keys.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`[editing-keys] screenshot ${shot}`);
  });
});

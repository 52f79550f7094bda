import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { studioReady } from '../helpers/studio.ts';
import { putBlob } from '../helpers/frames.ts';
import { shared } from '../helpers/media.ts';
import { readFileSync } from 'node:fs';

/**
 * Editing on the preview with Playwright's mouse and keyboard on the real studio page (1280×720
 * program shown at about 0.69 CSS px per canvas px). Expected transforms are computed here from
 * the pointer's travel; snapped edges must equal the guide's coordinate exactly.
 */
let server: ViteDevServer, url: string, browser: Browser, wp: WatchedPage, page: Page;

interface Item { id: string; sourceId: string; x: number; y: number; width: number; height: number; rotation: number; crop: Record<string, number>; locked: boolean; flipH?: boolean }
interface Map { left: number; top: number; scale: number }
type P = [number, number];
let red = '', blue = '', a = '', b = '', photo = '';

const item = (id: string) => page.evaluate(`window.studio.scenes.scenes.flatMap((s) => s.items).find((i) => i.id === ${JSON.stringify(id)}) ?? null`) as Promise<Item | null>;
const set = (id: string, patch: Partial<Item>) => page.evaluate(`window.studio.updateItem(${JSON.stringify(id)}, ${JSON.stringify(patch)})`);
/** Two animation frames and the microtasks after them: the editor's last update has been applied. */
const settle = () => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 20))))');
const status = () => page.locator('#preview-editor-status').textContent();

/** Program pixels → client pixels, measured from the canvas element (the picture is contained in it). */
async function mapping(): Promise<Map> {
  const r = await page.evaluate(`(() => { const r = document.getElementById('preview').getBoundingClientRect(); const o = window.studio.scenes.output;
    return { left: r.left, top: r.top, width: r.width, height: r.height, ow: o.width, oh: o.height }; })()`) as Record<string, number>;
  const scale = Math.min(r.width! / r.ow!, r.height! / r.oh!);
  return { left: r.left! + (r.width! - r.ow! * scale) / 2, top: r.top! + (r.height! - r.oh! * scale) / 2, scale };
}
const client = (m: Map, p: P): P => [m.left + p[0] * m.scale, m.top + p[1] * m.scale];

/** Presses at `from` and moves to `to` (client px) in steps; `hold` runs before releasing. */
async function drag(from: P, to: P, opts: { keys?: string[]; hold?: () => Promise<void>; steps?: number } = {}): Promise<void> {
  for (const k of opts.keys ?? []) await page.keyboard.down(k);
  await page.mouse.move(from[0], from[1]);
  await page.mouse.down();
  await page.mouse.move(to[0], to[1], { steps: opts.steps ?? 6 });
  await settle();
  await opts.hold?.();
  await page.mouse.up();
  for (const k of opts.keys ?? []) await page.keyboard.up(k);
  await settle();
}

const setSnap = async (on: boolean) => { if (await page.locator('#snap-enabled').isChecked() !== on) await page.locator('#snap-enabled').click(); };
const guides = () => page.evaluate(`[...document.querySelectorAll('#preview-editor .snap-guide')].map((l) => l.dataset.axis + '@' + l.dataset.at)`) as Promise<string[]>;

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium();
  wp = await openPage(browser, url);
  page = wp.page;
  await studioReady(page);
  const ids = await page.evaluate(`(async () => {
    const s = window.studio;
    const red = await s.addSource({ kind: 'color', color: '#ff0000' });
    const blue = await s.addSource({ kind: 'color', color: '#0000ff' });
    await s.updateSource(red, { name: 'Red' });
    await s.updateSource(blue, { name: 'Blue' });
    const scene = s.currentScene;
    for (const i of s.scenes.scenes[0].items) await s.removeItem(i.id);
    const a = await s.addItem(scene, red, { x: 200, y: 150, width: 320, height: 180, fit: 'stretch' });
    const b = await s.addItem(scene, blue, { x: 440, y: 260, width: 240, height: 160, fit: 'stretch' });
    return { red, blue, a, b };
  })()`) as Record<string, string>;
  ({ red, blue, a, b } = ids as { red: string; blue: string; a: string; b: string });
  await setSnap(false);
});
afterAll(async () => { await browser?.close(); await server?.close(); });

describe('editing items on the preview with the mouse', () => {
  it('a click selects the topmost item, Alt-click the one beneath; a drag moves by the pointer travel', async () => {
    const m = await mapping();
    const overlap = client(m, [480, 300]);
    await page.mouse.click(overlap[0], overlap[1]);
    expect(await status()).toMatch(/^Blue selected/);
    await page.keyboard.down('Alt');
    await page.mouse.click(overlap[0], overlap[1]);
    await page.keyboard.up('Alt');
    expect(await status()).toMatch(/^Red selected/);
    // The Sources list shares the selection.
    const start = (await item(a))!;
    const from = client(m, [260, 200]);
    await drag(from, [from[0] + 55, from[1] + 37]);
    const end = (await item(a))!;
    console.log(`move: scale ${m.scale.toFixed(4)}; expected Δ (${(55 / m.scale).toFixed(2)}, ${(37 / m.scale).toFixed(2)}), got (${(end.x - start.x).toFixed(2)}, ${(end.y - start.y).toFixed(2)})`);
    expect(Math.abs(end.x - start.x - 55 / m.scale)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(end.y - start.y - 37 / m.scale)).toBeLessThanOrEqual(0.5);
    expect([end.width, end.height]).toEqual([start.width, start.height]);
  });

  it('a whole drag is one edit group with at most one update per animation frame', async () => {
    await page.evaluate(`(() => {
      const s = window.studio, log = (window.__editLog = { calls: [], frames: 0, counting: true });
      const begin = s.beginEditGroup, end = s.endEditGroup, update = s.updateItem;
      s.beginEditGroup = function (label) { log.calls.push('begin:' + label); return begin?.call(this, label); };
      s.endEditGroup = function () { log.calls.push('end'); return end?.call(this); };
      s.updateItem = function (...args) { log.calls.push('update'); return update.apply(this, args); };
      const tick = () => { log.frames++; if (log.counting) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    })()`);
    const m = await mapping();
    const it0 = (await item(a))!;
    const from = client(m, [it0.x + 30, it0.y + 30]);
    await drag(from, [from[0] + 30, from[1] + 20], { steps: 40 });
    const log = await page.evaluate(`(() => { const l = window.__editLog; l.counting = false; const s = window.studio;
      delete s.beginEditGroup; delete s.endEditGroup; delete s.updateItem; return l; })()`) as { calls: string[]; frames: number };
    const updates = log.calls.filter((c) => c === 'update').length;
    console.log(`drag with 40 pointer moves: ${updates} updates in ${log.frames} animation frames; calls ${log.calls[0]} … ${log.calls.at(-1)}`);
    expect(log.calls[0]).toBe('begin:Move item');
    expect(log.calls.at(-1)).toBe('end');
    expect(log.calls.filter((c) => c.startsWith('begin')).length).toBe(1);
    expect(updates).toBeGreaterThanOrEqual(1);
    expect(updates).toBeLessThanOrEqual(log.frames + 1);
    // One undo takes the whole drag back.
    expect(await page.evaluate('window.studio.undo()')).toBe(true);
    const undone = (await item(a))!;
    expect([undone.x, undone.y]).toEqual([it0.x, it0.y]);
  });

  it('the corner handle resizes with the aspect kept, and freely with Shift; the opposite corner stays', async () => {
    await set(a, { x: 200, y: 150, width: 320, height: 180, rotation: 0 });
    const m = await mapping();
    const w = 320, h = 180, dx = 40 / m.scale, dy = 10 / m.scale;
    const corner = client(m, [520, 330]);
    await drag(corner, [corner[0] + 40, corner[1] + 10]);
    const locked = (await item(a))!;
    const s = ((w + dx) * w + (h + dy) * h) / (w * w + h * h);
    console.log(`resize kept: expected ${(w * s).toFixed(2)}×${(h * s).toFixed(2)}, got ${locked.width.toFixed(2)}×${locked.height.toFixed(2)}`);
    expect(Math.abs(locked.width - w * s)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(locked.height - h * s)).toBeLessThanOrEqual(0.5);
    expect([locked.x, locked.y]).toEqual([200, 150]);

    await set(a, { width: 320, height: 180 });
    await drag(corner, [corner[0] + 40, corner[1] + 10], { keys: ['Shift'] });
    const free = (await item(a))!;
    console.log(`resize Shift: expected ${(w + dx).toFixed(2)}×${(h + dy).toFixed(2)}, got ${free.width.toFixed(2)}×${free.height.toFixed(2)}`);
    expect(Math.abs(free.width - (w + dx))).toBeLessThanOrEqual(0.5);
    expect(Math.abs(free.height - (h + dy))).toBeLessThanOrEqual(0.5);
    expect([free.x, free.y]).toEqual([200, 150]);
  });

  it('the rotate handle turns about the centre; Shift snaps to 15°', async () => {
    await set(a, { x: 200, y: 150, width: 320, height: 180, rotation: 0 });
    const m = await mapping();
    const c: P = [360, 240];
    const handle: P = [360, 150 - 28 / m.scale];
    const at = (deg: number): P => { const r = (deg * Math.PI) / 180, d = 150; return client(m, [c[0] + d * Math.sin(r), c[1] - d * Math.cos(r)]); };
    await drag(client(m, handle), at(37));
    const turned = (await item(a))!;
    console.log(`rotate: expected 37°, got ${turned.rotation.toFixed(3)}°`);
    expect(Math.abs(turned.rotation - 37)).toBeLessThanOrEqual(0.5);
    await set(a, { rotation: 0 });
    await drag(client(m, handle), at(37), { keys: ['Shift'] });
    expect((await item(a))!.rotation).toBe(30);
    await set(a, { rotation: 0 });
  });

  it('Alt-drag on a handle crops: the picture stays where it is and the crop grows', async () => {
    // A 640×360 photo at half size: 0.5 canvas px per source px.
    await putBlob(page, 'photo', readFileSync(shared('media/segmentation/005.jpg')), 'image/jpeg', 'photo.jpg');
    photo = await page.evaluate(`(async () => {
      const s = window.studio;
      const src = await s.addSource({ kind: 'image', image: window.photo, name: 'Photo' });
      return s.addItem(s.currentScene, src, { x: 760, y: 440, width: 320, height: 180, fit: 'stretch' });
    })()`) as string;
    const m = await mapping();
    const region = `(async () => {
      const bmp = await createImageBitmap(await window.studio.captureProgram());
      const c = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
      c.drawImage(bmp, 0, 0);
      return { kept: [...c.getImageData(880, 450, 190, 160).data], cut: [...c.getImageData(800, 530, 1, 1).data.slice(0, 3)] };
    })()`;
    await settle();
    const before = await page.evaluate(region) as { kept: number[]; cut: number[] };
    const inside = client(m, [1000, 530]);
    await page.mouse.click(inside[0], inside[1]);
    expect(await status()).toMatch(/^Photo selected/);
    const w = client(m, [760, 530]);
    await drag(w, [w[0] + 60, w[1] + 3], { keys: ['Alt'] });
    const cropped = (await item(photo))!;
    const d = 60 / m.scale;
    const after = await page.evaluate(region) as { kept: number[]; cut: number[] };
    let maxDiff = 0, sum = 0;
    for (let i = 0; i < after.kept.length; i++) { const e = Math.abs(after.kept[i]! - before.kept[i]!); maxDiff = Math.max(maxDiff, e); sum += e; }
    console.log(`crop: expected x ${(760 + d).toFixed(2)}, crop.left ${(d / 0.5).toFixed(2)}; got x ${cropped.x.toFixed(2)}, width ${cropped.width.toFixed(2)}, crop ${JSON.stringify(cropped.crop)}; ` +
      `uncropped part of the program: mean |Δ| ${(sum / after.kept.length).toFixed(3)}, max ${maxDiff} (of 255); cut-off pixel ${before.cut} → ${after.cut}`);
    expect(Math.abs(cropped.x - (760 + d))).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cropped.x + cropped.width - 1080)).toBeLessThan(1e-6);
    expect(Math.abs(cropped.crop.left! - d / 0.5)).toBeLessThanOrEqual(1);
    expect([cropped.y, cropped.height, cropped.crop.top, cropped.crop.right, cropped.crop.bottom]).toEqual([440, 180, 0, 0, 0]);
    expect(sum / after.kept.length).toBeLessThan(1);
    expect(before.cut.some((v) => v > 20)).toBe(true);
    expect(after.cut).toEqual([0, 0, 0]);
    expect(maxDiff).toBeLessThanOrEqual(8);
  });

  it('"Flip horizontal" from the context menu mirrors the picture in its box', async () => {
    await set(photo, { x: 760, width: 320, crop: { left: 0, top: 0, right: 0, bottom: 0 } });
    await settle();
    const row = `(async () => {
      const bmp = await createImageBitmap(await window.studio.captureProgram());
      const c = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
      c.drawImage(bmp, 0, 0);
      return [...c.getImageData(760, 500, 320, 1).data];
    })()`;
    const before = await page.evaluate(row) as number[];
    const m = await mapping();
    const p = client(m, [900, 520]);
    await page.mouse.click(p[0], p[1], { button: 'right' });
    await page.getByRole('menuitem', { name: 'Flip horizontal' }).click();
    await settle();
    expect((await item(photo))!.flipH).toBe(true);
    const after = await page.evaluate(row) as number[];
    let sum = 0, max = 0;
    for (let x = 0; x < 320; x++) for (let k = 0; k < 3; k++) {
      const e = Math.abs(after[x * 4 + k]! - before[(319 - x) * 4 + k]!);
      sum += e; max = Math.max(max, e);
    }
    console.log(`flip: program row against the mirrored row before: mean |Δ| ${(sum / 960).toFixed(3)}, max ${max}`);
    expect(sum / 960).toBeLessThan(2);
    await page.evaluate(`window.studio.removeItem(${JSON.stringify(photo)})`);
  });
});

describe('snapping', () => {
  it('snaps to the canvas edge with a guide drawn (screenshot), the edge exactly on it', async () => {
    await setSnap(true);
    await set(a, { x: 200, y: 150, width: 320, height: 180, rotation: 0 });
    const m = await mapping();
    // 5 canvas px short of the left edge.
    const from = client(m, [260, 200]);
    let seen: string[] = [];
    await drag(from, [from[0] - 195 * m.scale, from[1]], {
      hold: async () => {
        seen = await guides();
        await page.screenshot({ path: '/tmp/preview-editing-snap.png', clip: { x: 0, y: 40, width: 920, height: 560 } });
      },
    });
    const it1 = (await item(a))!;
    console.log(`edge snap: x ${it1.x}, guides while dragging ${seen.join(', ')}`);
    expect(it1.x).toBe(0);
    expect(seen).toContain('x@0');
    expect(await guides()).toEqual([]);
    // The distance is adjustable (screen px) and stored: at 2 px the same drag stays 5 canvas px (3.4 screen px) away.
    await page.locator('#snap-distance').fill('2');
    await page.locator('#snap-distance').press('Enter');
    expect(JSON.parse(await page.evaluate(`localStorage.getItem('backdrop.previewSnap')`) as string)).toEqual({ enabled: true, distance: 2 });
    await set(a, { x: 200 });
    await drag(from, [from[0] - 195 * m.scale, from[1]]);
    expect(Math.abs((await item(a))!.x - 5)).toBeLessThanOrEqual(0.5);
    await page.locator('#snap-distance').fill('8');
    await page.locator('#snap-distance').press('Enter');
  });

  it('snaps the centre to the canvas centre line and an edge to another item, exactly', async () => {
    await setSnap(true);
    await set(a, { x: 200, y: 150, width: 320, height: 180, rotation: 0 });
    const m = await mapping();
    // Centre 360 → 636 (4 short of 640).
    let from = client(m, [260, 200]);
    let seen: string[] = [];
    await drag(from, [from[0] + 276 * m.scale, from[1]], { hold: async () => { seen = await guides(); } });
    const centred = (await item(a))!;
    console.log(`centre snap: centre x ${centred.x + centred.width / 2}, guides ${seen.join(', ')}`);
    expect(centred.x + centred.width / 2).toBe(640);
    expect(seen).toContain('x@640');
    // Right edge 520 → 437 (3 short of Blue's left edge at 440); top 150 → 100, so no edge is near a horizontal target.
    await set(a, { x: 200, y: 150 });
    from = client(m, [260, 200]);
    await drag(from, [from[0] - 83 * m.scale, from[1] - 50 * m.scale], { hold: async () => { seen = await guides(); } });
    const beside = (await item(a))!;
    console.log(`item snap: right edge ${beside.x + beside.width}, guides ${seen.join(', ')}`);
    expect(beside.x + beside.width).toBe(440);
    expect(beside.y).toBeCloseTo(100, 0);
    expect(seen).toEqual(['x@440']);
    // In the program the red ends at column 439 and column 440 is Blue's first.
    const px = await page.evaluate(`(async () => {
      const bmp = await createImageBitmap(await window.studio.captureProgram());
      const c = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
      c.drawImage(bmp, 0, 0);
      const at = (x, y) => [...c.getImageData(x, y, 1, 1).data.slice(0, 3)];
      return { left: at(439, 270), right: at(440, 270) };
    })()`) as { left: number[]; right: number[] };
    console.log(`program at the snapped edge: column 439 ${px.left}, column 440 ${px.right}`);
    expect(px.left).toEqual([255, 0, 0]);
    expect(px.right).toEqual([0, 0, 255]);
  });
});

describe('menu, keyboard and what reaches the program', () => {
  it('"Fit to canvas" from the context menu scales the item to fit and centres it', async () => {
    await set(a, { x: 100, y: 100, width: 300, height: 100, rotation: 0 });
    const m = await mapping();
    const p = client(m, [150, 150]);
    await page.mouse.click(p[0], p[1], { button: 'right' });
    await page.getByRole('menuitem', { name: 'Fit to canvas' }).waitFor();
    await page.screenshot({ path: '/tmp/preview-editing-menu.png', clip: { x: 0, y: 40, width: 920, height: 560 } });
    await page.getByRole('menuitem', { name: 'Fit to canvas' }).click();
    await settle();
    const fit = (await item(a))!;
    // 3:1 box: the width fills 1280, height 1280/3, centred vertically.
    expect(fit.x).toBeCloseTo(0, 6);
    expect(fit.width).toBeCloseTo(1280, 6);
    expect(fit.height).toBeCloseTo(1280 / 3, 6);
    expect(fit.y).toBeCloseTo((720 - 1280 / 3) / 2, 6);
    expect(await page.getByRole('menu').count()).toBe(0);
  });

  it('the keyboard nudges, copies and pastes a transform, and removes, with the preview focused', async () => {
    await set(a, { x: 200, y: 150, width: 320, height: 180, rotation: 20 });
    const m = await mapping();
    const p = client(m, [300, 220]);
    await page.mouse.click(p[0], p[1]);
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('preview-editor');
    expect(await page.getByRole('application', { name: /Preview editor/ }).count()).toBe(1);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await settle();
    const nudged = (await item(a))!;
    expect([nudged.x, nudged.y]).toEqual([201, 160]);
    // Screenshot with handles on a turned item.
    await page.screenshot({ path: '/tmp/preview-editing-handles.png', clip: { x: 0, y: 40, width: 920, height: 560 } });
    await page.keyboard.press('Control+c');
    const q = client(m, [640, 400]);
    await page.mouse.click(q[0], q[1]);
    expect(await status()).toMatch(/^Blue selected/);
    await page.keyboard.press('Control+v');
    await settle();
    const pasted = (await item(b))!;
    expect({ x: pasted.x, y: pasted.y, w: pasted.width, h: pasted.height, r: pasted.rotation }).toEqual({ x: 201, y: 160, w: 320, h: 180, r: 20 });
    await page.keyboard.press('Delete');
    await settle();
    expect(await item(b)).toBeNull();
  });

  it('a locked item is selected but not moved, and shows no handles', async () => {
    await set(a, { x: 200, y: 150, width: 320, height: 180, rotation: 0, locked: true });
    const m = await mapping();
    const from = client(m, [300, 220]);
    await drag(from, [from[0] + 50, from[1] + 30]);
    const still = (await item(a))!;
    expect([still.x, still.y]).toEqual([200, 150]);
    expect(await status()).toMatch(/^Red selected \(locked\)/);
    expect(await page.locator('#preview-editor .handle').count()).toBe(0);
    await set(a, { locked: false });
  });

  it('the outline and handles are drawn over the preview only, never into the program', async () => {
    const m = await mapping();
    const it1 = (await item(a))!;
    const p = client(m, [it1.x + it1.width / 2, it1.y + it1.height / 2]);
    await page.mouse.click(p[0], p[1]);
    expect(await page.locator('#preview-editor .handle').count()).toBe(9);
    const count = `(async (blob, box) => {
      const bmp = await createImageBitmap(blob);
      const c = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
      c.drawImage(bmp, 0, 0);
      const d = c.getImageData(box ? box[0] : 0, box ? box[1] : 0, box ? box[2] : bmp.width, box ? box[3] : bmp.height).data;
      let white = 0, outline = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] > 235 && d[i + 1] > 235 && d[i + 2] > 235) white++;
        if (Math.abs(d[i] - 255) < 25 && Math.abs(d[i + 1] - 69) < 30 && Math.abs(d[i + 2] - 58) < 30) outline++;
      }
      return { white, outline };
    })`;
    const program = await page.evaluate(`window.studio.captureProgram().then((b) => ${count}(b, null))`) as { white: number; outline: number };
    const shot = (await page.screenshot({ clip: { x: m.left, y: m.top, width: 1280 * m.scale, height: 720 * m.scale } })).toString('base64');
    const screen = await page.evaluate(`fetch('data:image/png;base64,${shot}').then((r) => r.blob()).then((b) => ${count}(b, null))`) as { white: number; outline: number };
    console.log(`handle-white / outline-red pixels: program ${program.white} / ${program.outline}, preview on screen ${screen.white} / ${screen.outline}`);
    expect(screen.white).toBeGreaterThan(50);
    expect(program).toEqual({ white: 0, outline: 0 });
    expect(wp.consoleErrors).toEqual([]);
    void red; void blue;
  });
});

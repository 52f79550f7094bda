import type { Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shared } from './media.ts';
import { ev, saveFileFromPage } from './studio.ts';
import { putBlob } from './frames.ts';

/** A shared still scaled to w×h, written as PNG into `dir`; returns its bytes. */
export function stillPng(src: string, w: number, h: number, dir: string, name: string): Buffer {
  const file = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', shared(src), '-vf', `scale=${w}:${h}:flags=lanczos`, file]);
  return readFileSync(file);
}

/** The program (or studio mode's preview) as straight RGBA bytes: a lossless PNG capture decoded by ffmpeg. */
export async function captureRgba(page: Page, dir: string, name: string, which: 'program' | 'preview' = 'program'): Promise<Uint8Array> {
  const call = which === 'program' ? 'captureProgram' : 'capturePreview';
  const f = await saveFileFromPage(page, `window.studio.${call}().then((b) => new File([b], ${JSON.stringify(name)}))`, dir);
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', f.path, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-']);
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

/**
 * Two scenes at w×h, each one shared still filling the canvas (a.png: segmentation/001.jpg,
 * b.png: segmentation/015.jpg, also written into `dir`); resolves to the scene and source ids.
 */
export async function twoImageScenes(page: Page, w: number, h: number, dir: string): Promise<{ a: string; b: string; srcA: string; srcB: string }> {
  await ev(page, `window.studio.setOutput({ width: ${w}, height: ${h}, frameRate: 30 })`);
  await putBlob(page, 'imgA', stillPng('media/segmentation/001.jpg', w, h, dir, 'a.png'), 'image/png', 'a.png');
  await putBlob(page, 'imgB', stillPng('media/segmentation/015.jpg', w, h, dir, 'b.png'), 'image/png', 'b.png');
  const a = await ev<string>(page, 'window.studio.currentScene');
  const b = await ev<string>(page, `window.studio.createScene('B')`);
  const srcA = await ev<string>(page, `window.studio.addSource({ kind: 'image', image: window.imgA })`);
  const srcB = await ev<string>(page, `window.studio.addSource({ kind: 'image', image: window.imgB })`);
  await ev(page, `window.studio.addItem(${JSON.stringify(a)}, ${JSON.stringify(srcA)})`);
  await ev(page, `window.studio.addItem(${JSON.stringify(b)}, ${JSON.stringify(srcB)})`);
  return { a, b, srcA, srcB };
}

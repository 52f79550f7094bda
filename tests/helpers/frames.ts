import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';

/** RGB frames (w×h×3 bytes each) of a video or image, scaled to w×h by ffmpeg (area filter). */
export function rgbFrames(file: string, w: number, h: number, maxFrames = 10_000): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-frames:v', String(maxFrames), '-vf', `scale=${w}:${h}:flags=area,format=rgb24`, '-f', 'rawvideo', '-'], { maxBuffer: 2 ** 31 });
  const n = Math.floor(raw.length / (w * h * 3));
  return Array.from({ length: n }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * w * h * 3, w * h * 3));
}

/** A rectangle in pixels, x0/y0 inclusive, x1/y1 exclusive. */
export interface Rect { x0: number; y0: number; x1: number; y1: number }

/** PSNR (dB) of two RGB images over the pixels where `include(x, y)` holds. */
export function psnrWhere(a: Uint8Array, b: Uint8Array, w: number, include: (x: number, y: number) => boolean): number {
  let se = 0, n = 0;
  const h = a.length / 3 / w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!include(x, y)) continue;
      const i = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) { const d = a[i + c] - b[i + c]; se += d * d; }
      n += 3;
    }
  }
  const mse = se / Math.max(1, n);
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

/** Whether (x, y) lies in `r` shrunk by `margin` pixels. */
export const inside = (r: Rect, x: number, y: number, margin = 0): boolean =>
  x >= r.x0 + margin && x < r.x1 - margin && y >= r.y0 + margin && y < r.y1 - margin;

/** Stores a file's bytes in the page as a Blob (a File when `name` has an extension) on window[key]. */
export async function putBlob(page: Page, key: string, bytes: Buffer, type: string, name = ''): Promise<void> {
  await page.evaluate(([k, b64, t, n]) => {
    const bin = atob(b64);
    const u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    (window as unknown as Record<string, Blob>)[k] = n ? new File([u8], n, { type: t }) : new Blob([u8], { type: t });
  }, [key, bytes.toString('base64'), type, name]);
}

/** Normalised cross-correlation of two equal-length signals. */
export function ncc(a: Float32Array, b: Float32Array): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb || 1);
}

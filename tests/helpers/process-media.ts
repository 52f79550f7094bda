/**
 * Media for the file-processing tests, made with ffmpeg from the shared clips into a scratch
 * folder, and the measurements on the outputs: packet timestamps and hashes (ffprobe / ffmpeg
 * framemd5), the detail measure of the blur test, and the person mask read back from a
 * colour-background output.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { shared } from './media.ts';

const dir = join(tmpdir(), 'backdrop-studio-test-media', 'process');

/** `name` in the scratch folder, made by `ffmpeg args… name` the first time (args may use {shared} paths). */
export function clip(name: string, args: string[]): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, name);
  if (!existsSync(out)) execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
  return out;
}

/** Path of a shared media file. */
export const media = (rel: string): string => shared(`media/${rel}`);

/** Presentation timestamps (s) of a file's video packets, sorted. */
export function videoPts(file: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return out.trim().split('\n').map(Number).sort((a, b) => a - b);
}

/** Size and MD5 of every audio packet, in order, copied out without decoding (ffmpeg framemd5). */
export function audioPacketHashes(file: string): string[] {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-c', 'copy', '-f', 'framemd5', '-'], { encoding: 'utf8' });
  // Columns: stream, dts, pts, duration, size, hash; the time base may differ between files.
  return out.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').slice(4).map((c) => c.trim()).join(' '));
}

/** Frames of a video as bytes (gray or rgb24), decoded by ffmpeg (rotation applied); `scale` resizes to w×h (area filter). */
export function frames(file: string, w: number, h: number, fmt: 'gray' | 'rgb24', scale = false): Uint8Array[] {
  const bpp = fmt === 'gray' ? 1 : 3;
  const vf = `${scale ? `scale=${w}:${h}:flags=area,` : ''}format=${fmt}`;
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-vf', vf, '-f', 'rawvideo', '-'], { maxBuffer: 2 ** 31 });
  const n = Math.floor(raw.length / (w * h * bpp));
  return Array.from({ length: n }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * w * h * bpp, w * h * bpp));
}

/** Mean absolute Laplacian in a rectangle [x0, y0, x1, y1) of a gray image: how much fine detail it holds (the blur test's measure). */
export function detail(img: Uint8Array, w: number, [x0, y0, x1, y1]: readonly number[]): number {
  let s = 0, n = 0;
  for (let y = y0 + 1; y < y1 - 1; y++) {
    for (let x = x0 + 1; x < x1 - 1; x++) {
      const i = y * w + x;
      s += Math.abs(4 * img[i]! - img[i - 1]! - img[i + 1]! - img[i - w]! - img[i + w]!);
      n++;
    }
  }
  return s / n;
}

/**
 * The person mask of a frame drawn over a solid colour `g`: out = m·c + (1 − m)·g, so with the
 * input pixel c, m = (out − g)·(c − g) / |c − g|². 1 where m ≥ 0.5, else 0; pixels whose colour
 * is within `minDist` of g cannot be told apart and count as background.
 */
export function maskOverColour(out: Uint8Array, input: Uint8Array, g: readonly [number, number, number], minDist = 30): Uint8Array {
  const n = out.length / 3, m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let num = 0, den = 0;
    for (let c = 0; c < 3; c++) {
      const d = input[i * 3 + c]! - g[c]!;
      num += (out[i * 3 + c]! - g[c]!) * d;
      den += d * d;
    }
    m[i] = den >= minDist * minDist && num / den >= 0.5 ? 255 : 0;
  }
  return m;
}

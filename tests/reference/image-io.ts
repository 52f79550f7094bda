/**
 * Node-side image and video decoding for tests, through the system ffmpeg so no npm image
 * codec is needed. Raw pixels come back on stdout; nothing is written to the repository.
 */
import { execFileSync } from 'node:child_process';

const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';
const MAX_BUFFER = 1 << 30;

/** An 8-bit image, tightly packed, `channels` bytes per pixel. */
export interface Image8 {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

const PIX_FMT = { 1: 'gray', 3: 'rgb24', 4: 'rgba' } as const;

function run(args: string[]): Uint8Array {
  const out = execFileSync(FFMPEG, ['-v', 'error', '-nostdin', ...args], { maxBuffer: MAX_BUFFER });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Decodes a still image (PNG, JPEG) of known size to gray, RGB or RGBA bytes. */
export function readImage(path: string, width: number, height: number, channels: 1 | 3 | 4): Image8 {
  const data = run(['-i', path, '-f', 'rawvideo', '-pix_fmt', PIX_FMT[channels], '-']);
  if (data.length !== width * height * channels) {
    throw new Error(`${path}: expected ${width}x${height}x${channels} bytes, ffmpeg gave ${data.length}`);
  }
  return { width, height, channels, data };
}

/** Decodes a ground-truth mask PNG (white = person) to one byte per pixel. */
export function readMaskPng(path: string, width: number, height: number): Image8 {
  return readImage(path, width, height, 1);
}

/**
 * Decodes `count` consecutive RGB frames starting at `startSeconds`, scaled (bilinear,
 * stretched) to width x height — the way the studio resizes frames for the model.
 */
export function readVideoFrames(path: string, startSeconds: number, count: number, width: number, height: number): Image8[] {
  const data = run([
    '-ss', String(startSeconds), '-i', path, '-frames:v', String(count),
    '-vf', `scale=${width}:${height}:flags=bilinear`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-',
  ]);
  const size = width * height * 3;
  if (data.length !== size * count) throw new Error(`${path}: expected ${count} frames, got ${data.length / size}`);
  return Array.from({ length: count }, (_, i) => ({ width, height, channels: 3 as const, data: data.slice(i * size, (i + 1) * size) }));
}

/** RGB bytes → RGBA bytes with opaque alpha (what an rgba8unorm texture upload wants). */
export function rgbToRgba(img: Image8): Uint8Array {
  if (img.channels !== 3) throw new Error('rgbToRgba wants a 3-channel image');
  const n = img.width * img.height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    out[i * 4] = img.data[i * 3];
    out[i * 4 + 1] = img.data[i * 3 + 1];
    out[i * 4 + 2] = img.data[i * 3 + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** RGB bytes → f32 NCHW planes in [0, 1] (the model's input tensor layout). */
export function rgbToNchw(img: Image8): Float32Array {
  if (img.channels !== 3) throw new Error('rgbToNchw wants a 3-channel image');
  const n = img.width * img.height;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[c * n + i] = img.data[i * 3 + c] / 255;
  return out;
}

/** Node-side image decoding for the background tests, through the system ffmpeg. */
import { execFileSync } from 'node:child_process';

/** A tightly packed image: 4 bytes per pixel (RGBA) or 1 (grey). */
export interface Raw { data: Uint8Array; width: number; height: number }

function ffmpeg(args: string[]): Uint8Array {
  return new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', ...args], { maxBuffer: 1 << 28 }));
}

/** Decodes `path` to RGBA (alpha 255 for opaque sources), optionally through an ffmpeg -vf chain that sets the size. */
export function decodeRgba(path: string, width: number, height: number, vf?: string): Raw {
  const data = ffmpeg(['-i', path, ...(vf ? ['-vf', vf] : []), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-']);
  if (data.length !== width * height * 4) throw new Error(`${path}: got ${data.length} bytes, expected ${width}x${height} RGBA`);
  return { data, width, height };
}

/** Decodes `path` to 8-bit grey (a mask), optionally through an ffmpeg -vf chain. */
export function decodeGray(path: string, width: number, height: number, vf?: string): Raw {
  const data = ffmpeg(['-i', path, ...(vf ? ['-vf', vf] : []), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
  if (data.length !== width * height) throw new Error(`${path}: got ${data.length} bytes, expected ${width}x${height} grey`);
  return { data, width, height };
}

/** Encodes RGBA pixels as PNG bytes (lossless, so the browser decodes exactly these pixels). */
export function encodePng(img: Raw): Uint8Array {
  return new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${img.width}x${img.height}`,
    '-i', '-', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', '-'], { input: img.data, maxBuffer: 1 << 28 }));
}

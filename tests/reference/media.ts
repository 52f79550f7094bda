/** Raw frames of the shared webcam clips, decoded by the system ffmpeg for kernel tests. */
import { execFileSync } from 'node:child_process';
import { shared } from '../helpers/media.ts';

/** Pixel formats ffmpeg writes tightly packed: yuv420p planes, or 4-byte interleaved pixels. */
export type RawFormat = 'yuv420p' | 'rgba' | 'bgra';

const cache = new Map<string, Uint8Array>();

/** One frame at `seconds` into a shared clip, as ffmpeg's rawvideo bytes. */
export function decodeFrame(clip: string, format: RawFormat, seconds = 1): Uint8Array {
  const key = `${clip}:${format}:${seconds}`;
  let bytes = cache.get(key);
  if (!bytes) {
    const buf = execFileSync('/usr/bin/ffmpeg', [
      '-v', 'error', '-nostdin', '-ss', String(seconds), '-i', shared(`media/${clip}`),
      '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', format, '-',
    ], { maxBuffer: 64 << 20 });
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    cache.set(key, bytes);
  }
  return bytes;
}

/** Bytes → base64 for the page. */
export const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** Base64 from the page → bytes. */
export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

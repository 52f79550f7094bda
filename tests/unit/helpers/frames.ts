/**
 * Real video frames for model tests: decoded with the system ffmpeg (tests must not
 * depend on a browser decoder) and pre-processed the way the studio feeds the
 * segmentation model (stretch-resize, RGB / 255, NCHW planar).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FFMPEG = '/usr/bin/ffmpeg';

/** An 8-bit interleaved RGB frame. */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** True when the system ffmpeg is available. */
export function hasFfmpeg(): boolean {
  return existsSync(FFMPEG);
}

/** Decodes `count` frames, one per `everySeconds`, from the start of a video of known size. */
export function decodeFrames(video: string, width: number, height: number, count: number, everySeconds = 1): RgbFrame[] {
  const dir = mkdtempSync(join(tmpdir(), 'frames-'));
  try {
    const out = join(dir, 'frames.rgb');
    execFileSync(FFMPEG, [
      '-v', 'error', '-nostdin', '-i', video,
      '-vf', `fps=${1 / everySeconds}`, '-frames:v', String(count),
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', out,
    ]);
    const bytes = readFileSync(out);
    const frameSize = width * height * 3;
    if (bytes.length !== frameSize * count) {
      throw new Error(`ffmpeg produced ${bytes.length} bytes from ${video}, expected ${count} frames of ${width}x${height}`);
    }
    return Array.from({ length: count }, (_, i) => ({
      width,
      height,
      data: new Uint8Array(bytes.buffer, bytes.byteOffset + i * frameSize, frameSize),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Stretch-resizes a frame to outW x outH with bilinear filtering (half-pixel centres,
 * edge clamped) and returns float32 NCHW planes (R, G, B) scaled to [0, 1].
 */
export function toModelInput(frame: RgbFrame, outW: number, outH: number): Float32Array {
  const { width: w, height: h, data } = frame;
  const plane = outW * outH;
  const out = new Float32Array(3 * plane);
  const sx = w / outW;
  const sy = h / outH;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const p00 = data[(y0 * w + x0) * 3 + c]!;
        const p01 = data[(y0 * w + x1) * 3 + c]!;
        const p10 = data[(y1 * w + x0) * 3 + c]!;
        const p11 = data[(y1 * w + x1) * 3 + c]!;
        const top = p00 + (p01 - p00) * wx;
        const bottom = p10 + (p11 - p10) * wx;
        out[c * plane + y * outW + x] = (top + (bottom - top) * wy) / 255;
      }
    }
  }
  return out;
}

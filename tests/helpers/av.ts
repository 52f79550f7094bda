import { execFileSync } from 'node:child_process';

export interface StreamInfo { codec_type: string; codec_name: string; duration?: string; width?: number; height?: number; nb_read_frames?: string; avg_frame_rate?: string; sample_rate?: string; channels?: number }

/** ffprobe's view of a media file: streams with decoded frame counts, and the container duration. */
export function probe(file: string): { streams: StreamInfo[]; format: { duration?: string; format_name: string } } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** Decodes every video frame to a small gray thumbnail (w×h bytes each) with ffmpeg. */
export function grayThumbnails(file: string, w = 64, h = 48): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', `scale=${w}:${h}:flags=area,format=gray`, '-f', 'rawvideo', '-'], { maxBuffer: 1 << 30 });
  const n = Math.floor(raw.length / (w * h));
  return Array.from({ length: n }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * w * h, w * h));
}

/** Peak signal-to-noise ratio of two 8-bit images, in dB. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; se += d * d; }
  const mse = se / a.length;
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

/** Decodes the first audio stream to mono float samples at `rate` Hz. */
export function audioSamples(file: string, rate = 48000): Float32Array {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', String(rate), '-f', 'f32le', '-'], { maxBuffer: 1 << 30 });
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

/** Root-mean-square of samples. */
export function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

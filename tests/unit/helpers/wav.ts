// Minimal RIFF/WAVE PCM16 reader for test fixtures in ../shared/media.
// Only what the fixtures use: format 1 (or WAVE_FORMAT_EXTENSIBLE wrapping PCM), 16-bit.
import { readFileSync } from 'node:fs';

export interface WavData {
  sampleRate: number;
  /** Planar channels scaled to [-1, 1) by 1/32768. */
  channels: Float32Array[];
  frames: number;
}

export function parseWav(bytes: Uint8Array): WavData {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | null = null;
  let pos = 12;
  while (pos + 8 <= bytes.byteLength) {
    const id = tag(pos);
    const size = dv.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      fmt = {
        format: dv.getUint16(body, true),
        channels: dv.getUint16(body + 2, true),
        sampleRate: dv.getUint32(body + 4, true),
        bits: dv.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      if ((fmt.format !== 1 && fmt.format !== 0xfffe) || fmt.bits !== 16) {
        throw new Error(`unsupported WAV format ${fmt.format}/${fmt.bits}-bit`);
      }
      const len = Math.min(size, bytes.byteLength - body);
      const frames = Math.floor(len / (2 * fmt.channels));
      const channels = Array.from({ length: fmt.channels }, () => new Float32Array(frames));
      for (let f = 0; f < frames; f++) {
        for (let c = 0; c < fmt.channels; c++) {
          channels[c]![f] = dv.getInt16(body + (f * fmt.channels + c) * 2, true) / 32768;
        }
      }
      return { sampleRate: fmt.sampleRate, channels, frames };
    }
    pos = body + size + (size & 1); // chunks are word aligned
  }
  throw new Error('no data chunk');
}

export function readWav(path: string): WavData {
  return parseWav(readFileSync(path));
}

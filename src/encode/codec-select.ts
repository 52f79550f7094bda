import { UnsupportedCodecError } from '../util/errors.ts';
import type { CodecSupport, ContainerName, VideoCodecName } from '../util/types.ts';

type IsSupported = (config: VideoEncoderConfig) => Promise<boolean>;

const NAMES: Record<VideoCodecName, string> = { avc: 'H.264', vp9: 'VP9', av1: 'AV1', hevc: 'HEVC' };

/** Codec strings to try, best first, for a given size and frame rate. */
export function codecStrings(codec: VideoCodecName, width: number, height: number, fps: number): string[] {
  const rate = width * height * fps;
  switch (codec) {
    case 'avc': {
      // Levels: 3.1 up to 720p30, 4.0 up to 1080p30, 4.2 up to 1080p60, 5.1 beyond.
      const level = rate <= 1280 * 720 * 30 ? '1f' : rate <= 1920 * 1088 * 30 ? '28' : rate <= 1920 * 1088 * 60 ? '2a' : '33';
      return ['6400', '4d00', '42e0'].map((p) => `avc1.${p}${level}`);
    }
    case 'vp9': return ['vp09.00.40.08', 'vp09.00.31.08'];
    case 'av1': return rate <= 1920 * 1088 * 30 ? ['av01.0.08M.08', 'av01.0.05M.08'] : ['av01.0.09M.08', 'av01.0.12M.08'];
    case 'hevc': return [`hvc1.1.6.L${rate <= 1280 * 720 * 30 ? 93 : 120}.B0`, 'hev1.1.6.L120.B0'];
  }
}

/** Which codecs a container can hold. */
export function containerAllows(container: ContainerName, codec: VideoCodecName): boolean {
  return container === 'mp4' || codec === 'vp9' || codec === 'av1';
}

export interface VideoEncoderChoice { config: VideoEncoderConfig; codec: VideoCodecName; hardware: boolean }

/** Default bitrate: about 0.12 bits per pixel per frame, which keeps webcam footage clean. */
export function defaultBitrate(width: number, height: number, fps: number): number {
  return Math.round(Math.min(20e6, Math.max(500e3, width * height * fps * 0.12)));
}

/**
 * Picks a video encoder configuration. Hardware is tried before software for each codec string;
 * without an explicit request H.264 comes first (VP9 first for WebM). An explicit codec that no
 * encoder accepts raises UnsupportedCodecError naming what this browser can encode.
 */
export async function chooseVideoEncoder(isSupported: IsSupported, opts: {
  codec?: VideoCodecName; container: ContainerName; width: number; height: number; frameRate: number; bitrate?: number;
}): Promise<VideoEncoderChoice> {
  const { width, height, frameRate, container } = opts;
  const bitrate = opts.bitrate ?? defaultBitrate(width, height, frameRate);
  if (opts.codec && !containerAllows(container, opts.codec)) {
    throw new UnsupportedCodecError(`${NAMES[opts.codec]} cannot be stored in ${container.toUpperCase()}; choose MP4 or another codec.`, { codec: opts.codec, container });
  }
  const order: VideoCodecName[] = opts.codec ? [opts.codec]
    : container === 'webm' ? ['vp9', 'av1'] : ['avc', 'vp9', 'av1', 'hevc'];
  for (const codec of order) {
    for (const codecString of codecStrings(codec, width, height, frameRate)) {
      for (const hw of ['prefer-hardware', 'no-preference'] as const) {
        const config: VideoEncoderConfig = {
          codec: codecString, width, height, bitrate, framerate: frameRate,
          hardwareAcceleration: hw, latencyMode: 'realtime', bitrateMode: 'variable',
          ...(codec === 'avc' ? { avc: { format: 'avc' } } : {}),
          ...(codec === 'hevc' ? { hevc: { format: 'hevc' } } : {}),
        } as VideoEncoderConfig;
        if (await isSupported(config).catch(() => false)) return { config, codec, hardware: hw === 'prefer-hardware' };
      }
    }
  }
  const supported = (await listSupportedCodecs(isSupported, width, height, frameRate)).filter((c) => containerAllows(container, c.codec));
  const list = supported.map((c) => `${NAMES[c.codec]}${c.hardware ? ' (hardware)' : ''}`).join(', ') || 'none';
  const wanted = opts.codec ? NAMES[opts.codec] : 'any video codec';
  throw new UnsupportedCodecError(`This browser cannot encode ${wanted} at ${width}x${height}. It can encode: ${list}.`,
    { codec: opts.codec ?? null, supported: supported.map((c) => c.codec) });
}

/** Every codec this browser can encode at the given size, with whether hardware does it. */
export async function listSupportedCodecs(isSupported: IsSupported, width: number, height: number, frameRate: number): Promise<CodecSupport[]> {
  const out: CodecSupport[] = [];
  for (const codec of ['avc', 'vp9', 'av1', 'hevc'] as const) {
    let found: CodecSupport | null = null;
    for (const codecString of codecStrings(codec, width, height, frameRate)) {
      for (const hw of ['prefer-hardware', 'no-preference'] as const) {
        const ok = await isSupported({ codec: codecString, width, height, framerate: frameRate, hardwareAcceleration: hw }).catch(() => false);
        if (ok) { found = { codec, codecString, hardware: hw === 'prefer-hardware' }; break; }
      }
      if (found) break;
    }
    if (found) out.push(found);
  }
  return out;
}

/** Audio codec for a container: AAC where the browser encodes it and MP4 is used, else Opus. */
export async function chooseAudioEncoder(isSupported: (c: AudioEncoderConfig) => Promise<boolean>, container: ContainerName,
  sampleRate: number, numberOfChannels: number): Promise<AudioEncoderConfig | null> {
  const candidates: AudioEncoderConfig[] = [];
  if (container === 'mp4') candidates.push({ codec: 'mp4a.40.2', sampleRate, numberOfChannels, bitrate: 160_000 });
  candidates.push({ codec: 'opus', sampleRate, numberOfChannels, bitrate: 128_000 });
  for (const c of candidates) if (await isSupported(c).catch(() => false)) return c;
  return null;
}

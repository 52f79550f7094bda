/** Video codecs a stream may be sent in (OBS's WHIP output offers the same). */
export type StreamVideoCodec = 'h264' | 'vp8' | 'vp9' | 'av1';

/** The order 'auto' tries: H.264 first, as every WHIP server (and its viewers) takes it. */
export const STREAM_CODECS: readonly StreamVideoCodec[] = ['h264', 'vp8', 'vp9', 'av1'];

const MIME: Record<StreamVideoCodec, string> = { h264: 'video/h264', vp8: 'video/vp8', vp9: 'video/vp9', av1: 'video/av1' };
/** Names for people. */
export const CODEC_LABELS: Record<StreamVideoCodec, string> = { h264: 'H.264', vp8: 'VP8', vp9: 'VP9', av1: 'AV1' };
/** Codecs that only repair or protect the chosen one: kept so loss is recovered. */
const HELPERS = new Set(['video/rtx', 'video/red', 'video/ulpfec', 'video/flexfec-03']);

/** A capability as RTCRtpSender.getCapabilities lists it (a plain shape, so Node tests can build them). */
export interface CodecCapability { mimeType: string; clockRate: number; sdpFmtpLine?: string; channels?: number }

/** H.264 variants in the order servers and players take them best: packetization-mode 1, baseline-compatible first. */
function h264Rank(c: CodecCapability): number {
  const f = c.sdpFmtpLine ?? '';
  const mode1 = /packetization-mode=1/.test(f) ? 0 : 10;
  const profile = /profile-level-id=42e0/i.test(f) ? 0 : /profile-level-id=4200/i.test(f) ? 1 : /profile-level-id=4d/i.test(f) ? 2 : 3;
  return mode1 + profile;
}

/** The codecs this browser can send (of the four), in the 'auto' order. */
export function sendableCodecs(caps: readonly CodecCapability[]): StreamVideoCodec[] {
  const have = new Set(caps.map((c) => c.mimeType.toLowerCase()));
  return STREAM_CODECS.filter((c) => have.has(MIME[c]));
}

/**
 * The codec list for setCodecPreferences: only `choice` (its variants best first), then the
 * repair codecs. Offering only the chosen codec makes a server that cannot take it say so,
 * instead of quietly picking another from its own preference order.
 */
export function preferCodec<T extends CodecCapability>(caps: readonly T[], choice: StreamVideoCodec): T[] {
  const mime = MIME[choice];
  const chosen = caps.filter((c) => c.mimeType.toLowerCase() === mime);
  if (choice === 'h264') chosen.sort((a, b) => h264Rank(a) - h264Rank(b));
  else if (choice === 'vp9') chosen.sort((a, b) => Number(/profile-id=2/.test(a.sdpFmtpLine ?? '')) - Number(/profile-id=2/.test(b.sdpFmtpLine ?? '')));
  return [...chosen, ...caps.filter((c) => HELPERS.has(c.mimeType.toLowerCase()))];
}

/** The codec a stream is sent in: the one asked for, else the first this browser can send. */
export function chooseCodec(asked: StreamVideoCodec | undefined, sendable: readonly StreamVideoCodec[]): StreamVideoCodec | null {
  if (asked) return sendable.includes(asked) ? asked : null;
  return sendable[0] ?? null;
}

/** A codec name from an RTP mime type ('video/H264' → 'h264'); null for others. */
export function codecOfMime(mimeType: string): StreamVideoCodec | null {
  const m = mimeType.toLowerCase();
  return STREAM_CODECS.find((c) => MIME[c] === m) ?? null;
}

/** The codecs (lower-case names: 'h264', 'vp8', 'rtx'...) of the first video section of an SDP; [] when it has none or it was rejected (port 0). */
export function sdpVideoCodecs(sdp: string): string[] {
  const sections = sdp.split(/\r?\n(?=m=)/);
  const video = sections.find((x) => x.startsWith('m=video'));
  if (!video || /^m=video 0 /.test(video)) return [];
  return [...video.matchAll(/^a=rtpmap:\d+ ([^/\s]+)\//gm)].map((m) => m[1]!.toLowerCase());
}

/**
 * Asks for stereo Opus in the server's answer: browsers send mono unless the receiver says it
 * takes stereo, and the studio's mix is stereo. Only the answer's fmtp of Opus is touched.
 */
export function preferStereoOpus(sdp: string): string {
  const pt = /a=rtpmap:(\d+) opus\/48000/i.exec(sdp)?.[1];
  if (!pt) return sdp;
  const fmtp = new RegExp(`^a=fmtp:${pt} (.*)$`, 'm');
  if (fmtp.test(sdp)) {
    return sdp.replace(fmtp, (line, params: string) => (/stereo=1/.test(params) ? line : `a=fmtp:${pt} ${params};stereo=1;sprop-stereo=1`));
  }
  return sdp.replace(new RegExp(`^(a=rtpmap:${pt} opus/48000[^\\r\\n]*)(\\r?\\n)`, 'im'), `$1$2a=fmtp:${pt} stereo=1;sprop-stereo=1$2`);
}

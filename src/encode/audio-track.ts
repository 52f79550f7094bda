import { AudioTimeline } from './audio-timeline.ts';

/** Audio held ahead of the video longer than this is muxed anyway (a stalled picture must not hold memory). */
export const AUDIO_HOLD_MAX_US = 3_000_000;

type Held = { chunk: EncodedAudioChunk; meta?: EncodedAudioChunkMetadata };

/**
 * One output's sound: an AudioEncoder fed on the wall clock (AudioTimeline fills gaps and drops
 * overlaps), whose chunks wait for the video they belong with before they are muxed, so that
 * both tracks end together however low the frame rate.
 * Input AudioData stays the caller's: what is encoded is a copy.
 */
export class AudioTrack {
  readonly timeline = new AudioTimeline();
  /** Chunks muxed so far. */
  chunks = 0;
  /** Audio left out because no video went with it (µs). */
  trimmedUs = 0;
  private readonly held: Held[] = [];
  private readonly enc: AudioEncoder;
  private configured = false;
  /** The encoder's decoder config, which the first chunk of every file must carry. */
  private configMeta: EncodedAudioChunkMetadata | undefined;
  private needConfig = false;

  /**
   * `mux` takes each chunk once its video is there; `onChunk` hears that a chunk is waiting (the
   * owner calls release()); `onError` hears an encoder error.
   */
  constructor(private readonly config: AudioEncoderConfig, private readonly mux: (chunk: EncodedAudioChunk, meta?: EncodedAudioChunkMetadata) => void,
    onChunk: () => void, onError: (e: DOMException) => void) {
    this.enc = new AudioEncoder({
      output: (chunk, meta) => {
        if (meta?.decoderConfig) this.configMeta = meta;
        this.held.push({ chunk, meta });
        onChunk();
      },
      error: onError,
    });
  }

  /** Encodes a copy of `value` placed at `atUs` (capture clock, pauses removed). */
  encode(value: AudioData, atUs: number): void {
    if (!this.configured) {
      this.enc.configure({ ...this.config, sampleRate: value.sampleRate, numberOfChannels: value.numberOfChannels });
      this.configured = true;
    }
    const step = this.timeline.place(atUs, value.numberOfFrames, value.sampleRate);
    if (step.silenceFrames > 0) encodeSilence(this.enc, value, step.silenceFrames, step.silenceAtUs);
    if (step.dropFrames < value.numberOfFrames) {
      const copy = retimestamped(value, step.chunkAtUs, step.dropFrames);
      try { this.enc.encode(copy); } finally { copy.close(); }
    }
  }

  /** Muxes the held chunks that start before `videoEndUs` (or that waited too long). */
  release(videoEndUs: number): void {
    const held = this.held;
    let n = 0;
    while (n < held.length) {
      const c = held[n].chunk;
      const newest = held[held.length - 1].chunk.timestamp;
      if (c.timestamp >= videoEndUs && newest - c.timestamp < AUDIO_HOLD_MAX_US) break;
      this.mux(c, this.needConfig && !held[n].meta?.decoderConfig ? this.configMeta : held[n].meta);
      this.needConfig = false;
      this.chunks++;
      n++;
    }
    if (n > 0) held.splice(0, n);
  }

  /**
   * A new file starts at `us`: held chunks before it are left out (and counted), and the next
   * chunk muxed carries the decoder config again.
   */
  newFile(us: number): void {
    this.needConfig = true;
    let n = 0;
    while (n < this.held.length && this.held[n].chunk.timestamp < us) this.trimmedUs += this.held[n++].chunk.duration ?? 0;
    if (n > 0) this.held.splice(0, n);
  }

  /** At the end: muxes what goes with the video and leaves out (counted) what lies past it. */
  end(videoEndUs: number): void {
    this.release(videoEndUs);
    for (const h of this.held) this.trimmedUs += h.chunk.duration ?? 0;
    this.held.length = 0;
  }

  /** Waits for the encoder's last chunks (nothing to wait for if it never started). */
  async flush(): Promise<void> {
    if (this.configured && this.enc.state === 'configured') await this.enc.flush();
  }

  /** Releases the encoder. */
  close(): void {
    if (this.enc.state !== 'closed') this.enc.close();
  }
}

/** AudioData has no way to change its timestamp, so the samples (after `skip` frames) are copied into a new one. */
export function retimestamped(a: AudioData, timestamp: number, skip = 0): AudioData {
  const planar = a.format?.endsWith('-planar') ?? true;
  const planes = planar ? a.numberOfChannels : 1;
  const frameCount = a.numberOfFrames - skip;
  const opts = { frameOffset: skip, frameCount };
  const bytesPerPlane = a.allocationSize({ planeIndex: 0, ...opts });
  const buf = new Uint8Array(bytesPerPlane * planes);
  for (let p = 0; p < planes; p++) a.copyTo(buf.subarray(p * bytesPerPlane, (p + 1) * bytesPerPlane), { planeIndex: p, ...opts });
  return new AudioData({
    format: a.format!, sampleRate: a.sampleRate, numberOfFrames: frameCount,
    numberOfChannels: a.numberOfChannels, timestamp, data: buf,
  });
}

/** Encodes `frames` frames of silence shaped like `like`, in pieces of at most a second. */
export function encodeSilence(enc: AudioEncoder, like: AudioData, frames: number, atUs: number): void {
  const rate = like.sampleRate, ch = like.numberOfChannels;
  for (let done = 0; done < frames;) {
    const n = Math.min(frames - done, rate);
    const d = new AudioData({ format: 'f32-planar', sampleRate: rate, numberOfFrames: n, numberOfChannels: ch, timestamp: atUs + (done * 1e6) / rate, data: new Float32Array(n * ch) });
    try { enc.encode(d); } finally { d.close(); }
    done += n;
  }
}

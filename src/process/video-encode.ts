/**
 * WebCodecs encoding for a file job: one VideoEncoder, or for transparent output two (colour
 * and alpha, VP9), whose packets go to the muxer in order. The alpha encoder runs behind the
 * colour one and is told to make a key frame exactly where the colour encoder made one, so the
 * two streams stay decodable from the same places. `encode` waits while the encoders or the
 * muxer are behind, so nothing is dropped and memory stays flat.
 */
import { chooseVideoEncoder, defaultBitrate, type VideoEncoderChoice } from '../encode/codec-select.ts';
import { EncoderError, asStudioError } from '../util/errors.ts';
import type { ContainerName, VideoCodecName } from '../util/types.ts';

/** Frames a stage may have inside an encoder, and packets waiting for the muxer, before it waits. */
const MAX_ENCODER_QUEUE = 3;
const MAX_MUX_BACKLOG = 6;

export type PacketSink = (chunk: EncodedVideoChunk, meta: EncodedVideoChunkMetadata | undefined, alpha: EncodedVideoChunk | null) => Promise<void>;

export interface EncodeSetup {
  codec: VideoCodecName | undefined;
  container: ContainerName;
  width: number;
  height: number;
  frameRate: number;
  bitrate?: number;
  transparent: boolean;
}

const isSupported = (c: VideoEncoderConfig): Promise<boolean> => VideoEncoder.isConfigSupported(c).then((r) => r.supported === true);

export class FrameEncoder {
  private readonly color: VideoEncoder;
  private readonly alpha: VideoEncoder | null;
  /** Alpha frames waiting for their colour packet (transparent output). */
  private readonly alphaFrames: VideoFrame[] = [];
  /** Colour packets waiting for their alpha packet. */
  private readonly colorPackets: { chunk: EncodedVideoChunk; meta: EncodedVideoChunkMetadata | undefined }[] = [];
  private muxChain: Promise<void> = Promise.resolve();
  private muxBacklog = 0;
  private failure: unknown = null;
  private waiter: (() => void) | null = null;
  private submitted = 0;
  private colorOut = 0;
  /** Milliseconds `encode` spent handing frames over and waiting for the encoders. */
  busyMs = 0;

  private constructor(readonly choice: VideoEncoderChoice, private readonly sink: PacketSink, transparent: boolean) {
    this.color = this.open('video', choice.config, (c, m) => this.onColor(c, m));
    // The alpha picture is flat almost everywhere: a quarter of the colour's bits is plenty.
    this.alpha = transparent
      ? this.open('alpha', { ...choice.config, bitrate: Math.max(200_000, Math.round((choice.config.bitrate ?? 2e6) / 4)) }, (c) => this.onAlpha(c))
      : null;
  }

  private open(what: string, config: VideoEncoderConfig, output: EncodedVideoChunkOutputCallback): VideoEncoder {
    const error = (e: unknown) => this.fail(new EncoderError(`The ${what} encoder failed: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e }));
    const enc = new VideoEncoder({ output, error });
    enc.configure(config);
    enc.addEventListener('dequeue', () => this.wake());
    return enc;
  }

  /** Picks the encoder (H.264 first unless a codec or WebM asks otherwise) and opens it; throws UnsupportedCodecError. */
  static async create(setup: EncodeSetup, sink: PacketSink): Promise<FrameEncoder> {
    const frameRate = Math.min(240, Math.max(1, Math.round(setup.frameRate || 30)));
    const choice = await chooseVideoEncoder(isSupported, {
      codec: setup.codec, container: setup.container, width: setup.width, height: setup.height, frameRate,
      bitrate: setup.bitrate ?? defaultBitrate(setup.width, setup.height, frameRate),
    });
    // Offline: 'quality' lets the encoder take its time and never drop a frame to keep up.
    choice.config = { ...choice.config, latencyMode: 'quality' };
    return new FrameEncoder(choice, sink, setup.transparent);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Stops any wait in `encode` with `e` (a cancel, or another stage's error). */
  fail(e: unknown): void {
    if (this.failure === null) this.failure = e;
    this.wake();
  }

  private toMux(chunk: EncodedVideoChunk, meta: EncodedVideoChunkMetadata | undefined, alpha: EncodedVideoChunk | null): void {
    this.muxBacklog++;
    this.muxChain = this.muxChain.then(() => (this.failure === null ? this.sink(chunk, meta, alpha) : undefined))
      .catch((e) => this.fail(asStudioError(e, 'Writing the output failed')))
      .finally(() => { this.muxBacklog--; this.wake(); });
  }

  private onColor(chunk: EncodedVideoChunk, meta: EncodedVideoChunkMetadata | undefined): void {
    this.colorOut++;
    if (!this.alpha) { this.toMux(chunk, meta, null); return; }
    const frame = this.alphaFrames.shift();
    if (!frame) { this.fail(new EncoderError('The colour encoder produced more packets than it was given frames.')); return; }
    this.colorPackets.push({ chunk, meta });
    try {
      this.alpha.encode(frame, { keyFrame: chunk.type === 'key' });
    } catch (e) {
      this.fail(e);
    } finally {
      frame.close();
    }
  }

  private onAlpha(chunk: EncodedVideoChunk): void {
    const c = this.colorPackets.shift();
    if (!c) { this.fail(new EncoderError('The alpha encoder produced a packet without a colour packet.')); return; }
    this.toMux(c.chunk, c.meta, chunk);
  }

  private async waitFor(ready: () => boolean): Promise<void> {
    while (this.failure === null && !ready()) await new Promise<void>((r) => { this.waiter = r; });
    if (this.failure !== null) throw this.failure;
  }

  /** Encodes one frame (and its alpha picture); takes ownership of both and closes them. */
  async encode(color: VideoFrame, alpha: VideoFrame | null, keyFrame: boolean): Promise<void> {
    const t0 = performance.now();
    try {
      await this.waitFor(() => this.color.encodeQueueSize < MAX_ENCODER_QUEUE && (this.alpha?.encodeQueueSize ?? 0) < MAX_ENCODER_QUEUE &&
        this.muxBacklog < MAX_MUX_BACKLOG && this.alphaFrames.length < MAX_ENCODER_QUEUE + 2);
      if (this.alpha) {
        if (!alpha) throw new EncoderError('A transparent frame came without its alpha picture.');
        this.alphaFrames.push(alpha);
        alpha = null;
      }
      this.color.encode(color, { keyFrame });
      this.submitted++;
    } finally {
      color.close();
      alpha?.close();
      this.busyMs += performance.now() - t0;
    }
  }

  /** Waits for every frame given so far to be encoded and handed to the muxer. */
  async flush(): Promise<void> {
    const t0 = performance.now();
    await this.color.flush();
    await this.alpha?.flush();
    await this.muxChain;
    this.busyMs += performance.now() - t0;
    if (this.failure !== null) throw this.failure;
    if (this.colorOut !== this.submitted) throw new EncoderError(`The encoder returned ${this.colorOut} packets for ${this.submitted} frames.`);
  }

  /** Stops both encoders and closes the frames they still held. */
  close(): void {
    for (const e of [this.color, this.alpha]) if (e && e.state !== 'closed') e.close();
    for (const f of this.alphaFrames.splice(0)) f.close();
    this.colorPackets.length = 0;
  }
}

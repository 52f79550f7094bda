import {
  Output, Mp4OutputFormat, WebMOutputFormat, StreamTarget, EncodedVideoPacketSource, EncodedAudioPacketSource, EncodedPacket,
  type VideoCodec, type AudioCodec,
} from 'mediabunny';
import type { ContainerName, VideoCodecName } from '../util/types.ts';

/**
 * What a recording file holds. With `frameRate`, video timestamps are snapped to that rate (the
 * program's frames are on its clock); without it they are kept as they are (a camera's own timing).
 */
export interface RecordingFormat { container: ContainerName; videoCodec: VideoCodecName; audioCodec: 'aac' | 'opus' | null; frameRate?: number }

/**
 * The muxer side of a recording: mediabunny writing a fragmented MP4 (or WebM) to a stream of
 * positioned writes. Fragments are written as they complete, so a crash leaves a playable file
 * up to the last fragment and memory stays flat.
 */
export class RecordingOutput {
  private readonly output: Output;
  private readonly video: EncodedVideoPacketSource;
  private readonly audio: EncodedAudioPacketSource | null;
  private started: Promise<void> | null = null;
  /** Packets handed to the muxer but not yet accepted (writer backpressure). */
  pending = 0;
  private failure: unknown = null;

  /** `onError` hears the first error of the muxer or the file writer (a full disk), once. */
  constructor(writable: WritableStream<{ type: 'write'; data: Uint8Array; position: number }>, opts: RecordingFormat,
    private readonly onError: (e: unknown) => void = () => {}) {
    const format = opts.container === 'mp4'
      ? new Mp4OutputFormat({ fastStart: 'fragmented', minimumFragmentDuration: 1 })
      : new WebMOutputFormat({ appendOnly: true, minimumClusterDuration: 1 });
    this.output = new Output({ format, target: new StreamTarget(writable as WritableStream<never>) });
    this.video = new EncodedVideoPacketSource(opts.videoCodec as VideoCodec);
    this.output.addVideoTrack(this.video, { frameRate: opts.frameRate });
    this.audio = opts.audioCodec ? new EncodedAudioPacketSource(opts.audioCodec as AudioCodec) : null;
    if (this.audio) this.output.addAudioTrack(this.audio);
  }

  /** Writes the file header. */
  start(): Promise<void> {
    this.started ??= this.output.start();
    return this.started;
  }

  /** The first error the muxer or the file writer hit, if any. */
  get error(): unknown { return this.failure; }

  /** Queues a video chunk; `originUs` is the capture time that becomes 0 in the file. */
  addVideo(chunk: EncodedVideoChunk, originUs: number, meta?: EncodedVideoChunkMetadata): void {
    this.track(this.video.add(rebased(chunk, originUs), meta));
  }

  /** Queues an audio chunk on the same time origin as the video. */
  addAudio(chunk: EncodedAudioChunk, originUs: number, meta?: EncodedAudioChunkMetadata): void {
    if (this.audio) this.track(this.audio.add(rebased(chunk, originUs), meta));
  }

  private track(p: Promise<void>): void {
    this.pending++;
    p.catch((e) => {
      if (this.failure !== null) return;
      this.failure = e;
      this.onError(e);
    }).finally(() => { this.pending--; });
  }

  /** Finishes the file: the last fragment and the index. */
  async finalize(): Promise<void> {
    await this.start();
    this.video.close();
    this.audio?.close();
    await this.output.finalize();
  }

  /** Abandons the file (what was already written stays on disk). */
  async cancel(): Promise<void> {
    await this.output.cancel().catch(() => {});
  }
}

/** A packet whose timestamp counts from the recording start instead of the capture clock. */
function rebased(chunk: EncodedVideoChunk | EncodedAudioChunk, originUs: number): EncodedPacket {
  const data = new Uint8Array(chunk.byteLength);
  chunk.copyTo(data);
  return new EncodedPacket(data, chunk.type, (chunk.timestamp - originUs) / 1e6, (chunk.duration ?? 0) / 1e6);
}

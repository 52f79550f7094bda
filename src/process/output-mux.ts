/**
 * The output side of a file job: mediabunny muxing the encoded video (with VP9 alpha as side
 * data for transparent output) and the audio (packets copied as they are, or decoded and
 * encoded when the container cannot hold the input's codec) into a regular MP4 with its index
 * in front (the space reserved from the known packet counts) or a WebM, through positioned
 * writes. Audio is fed only as far as the video has got, so neither track piles up in memory.
 */
import {
  AudioSampleSink, AudioSampleSource, EncodedAudioPacketSource, EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, Output,
  QUALITY_HIGH, StreamTarget, WebMOutputFormat, type AudioCodec, type VideoCodec,
} from 'mediabunny';
import { EncoderError } from '../util/errors.ts';
import type { ContainerName, VideoCodecName } from '../util/types.ts';
import type { OutputPlan } from './output-plan.ts';
import type { VideoSource } from './video-source.ts';

/** Audio is muxed up to this far ahead of the video. */
const AUDIO_LEAD_S = 1;

/** The audio codecs a container can hold, as mediabunny names them. */
export function containerAudioCodecs(container: ContainerName): readonly string[] {
  return (container === 'mp4' ? new Mp4OutputFormat() : new WebMOutputFormat()).getSupportedAudioCodecs();
}

/** Waits until the video has reached a media time (or has ended). */
class VideoClock {
  private reachedS = -Infinity;
  private waiters: { t: number; resolve: () => void }[] = [];
  advance(s: number): void {
    this.reachedS = Math.max(this.reachedS, s);
    this.waiters = this.waiters.filter((w) => (w.t <= this.reachedS ? (w.resolve(), false) : true));
  }
  until(s: number): Promise<void> {
    if (s <= this.reachedS) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ t: s, resolve }));
  }
}

export class OutputMux {
  private readonly output: Output;
  private readonly video: EncodedVideoPacketSource;
  private readonly clock = new VideoClock();
  private audioDone: Promise<void> = Promise.resolve();
  private audioSink: { kind: 'copy'; src: EncodedAudioPacketSource } | { kind: 'encode'; src: AudioSampleSource } | null = null;
  private stopped = false;
  private finished = false;
  /** Milliseconds spent muxing and writing (the caller's video packets and the audio pump). */
  busyMs = 0;
  videoPackets = 0;
  audioPackets = 0;

  constructor(writable: WritableStream<{ type: 'write'; data: Uint8Array; position: number }>, plan: OutputPlan,
    private readonly source: VideoSource, videoCodec: VideoCodecName, audioPackets: number) {
    // Copied audio has the input's packet count; encoded audio at most one packet per 10 ms.
    const audioCount = Math.ceil((plan.audio === 'copy' ? audioPackets : source.durationS * 100) * 1.1) + 64;
    const format = plan.container === 'mp4'
      // The index goes in front, in space reserved from the packet counts: a regular MP4 written in one pass.
      ? new Mp4OutputFormat({ fastStart: 'reserve' })
      : new WebMOutputFormat();
    this.output = new Output({ format, target: new StreamTarget(writable as WritableStream<never>, { chunked: true, chunkSize: 4 * 2 ** 20 }) });
    this.video = new EncodedVideoPacketSource(videoCodec as VideoCodec);
    this.output.addVideoTrack(this.video, { maximumPacketCount: source.frameCount + 2, canBeTransparent: plan.transparent });
    if (plan.audio === 'copy') {
      const src = new EncodedAudioPacketSource(plan.audioCodec as AudioCodec);
      this.output.addAudioTrack(src, { maximumPacketCount: audioCount });
      this.audioSink = { kind: 'copy', src };
    } else if (plan.audio === 'encode') {
      const src = new AudioSampleSource({ codec: plan.audioCodec as AudioCodec, quality: QUALITY_HIGH,
        // Opus only takes 48 kHz (and 8–24 kHz); resampling is mediabunny's.
        ...(plan.audioCodec === 'opus' ? { transform: { sampleRate: 48_000 } } : {}) });
      this.output.addAudioTrack(src, { maximumPacketCount: audioCount });
      this.audioSink = { kind: 'encode', src };
    }
  }


  /** Writes the header and starts feeding the audio alongside the video; `onError` hears an audio failure. */
  static async start(writable: WritableStream<{ type: 'write'; data: Uint8Array; position: number }>, plan: OutputPlan, source: VideoSource,
    videoCodec: VideoCodecName, onError: (e: unknown) => void): Promise<OutputMux> {
    const audioPackets = plan.audio === 'copy' && source.audio ? (await source.audio.computePacketStats()).packetCount : 0;
    const mux = new OutputMux(writable, plan, source, videoCodec, audioPackets);
    await mux.output.start();
    mux.audioDone = mux.pumpAudio().catch((e) => { if (!mux.stopped) onError(e); });
    return mux;
  }

  /** Adds one encoded video packet (decode order), with its alpha packet for transparent output. */
  async addVideo(chunk: EncodedVideoChunk, meta: EncodedVideoChunkMetadata | undefined, alpha: EncodedVideoChunk | null): Promise<void> {
    const t0 = performance.now();
    const data = new Uint8Array(chunk.byteLength);
    chunk.copyTo(data);
    let sideData: { alpha: Uint8Array } | undefined;
    if (alpha) {
      const a = new Uint8Array(alpha.byteLength);
      alpha.copyTo(a);
      sideData = { alpha: a };
    }
    const packet = new EncodedPacket(data, chunk.type, chunk.timestamp / 1e6, (chunk.duration ?? 0) / 1e6, undefined, undefined, sideData);
    await this.video.add(packet, meta);
    this.videoPackets++;
    this.clock.advance(packet.timestamp + packet.duration);
    this.busyMs += performance.now() - t0;
  }

  private async pumpAudio(): Promise<void> {
    const sink = this.audioSink;
    if (!sink || !this.source.audio) return;
    if (sink.kind === 'copy') {
      const config = await this.source.audio.getDecoderConfig();
      let first = true;
      for await (const packet of this.source.audioPackets()) {
        if (this.stopped) return;
        await this.clock.until(packet.timestamp - AUDIO_LEAD_S);
        if (this.stopped) return;
        const t0 = performance.now();
        await sink.src.add(packet, first && config ? { decoderConfig: config } : undefined);
        this.busyMs += performance.now() - t0;
        first = false;
        this.audioPackets++;
      }
    } else {
      for await (const sample of new AudioSampleSink(this.source.audio).samples()) {
        try {
          if (this.stopped) return;
          await this.clock.until(sample.timestamp - AUDIO_LEAD_S);
          if (this.stopped) return;
          const t0 = performance.now();
          await sink.src.add(sample);
          this.busyMs += performance.now() - t0;
          this.audioPackets++;
        } finally {
          sample.close();
        }
      }
    }
  }

  /** Lets the audio run to its end, then writes the index and closes the file's stream. */
  async finish(): Promise<void> {
    this.clock.advance(Infinity);
    await this.audioDone;
    const t0 = performance.now();
    try {
      await this.output.finalize();
      this.finished = true;
    } catch (e) {
      throw new EncoderError(`The output file could not be finished (${e instanceof Error ? e.message : String(e)}).`, {}, { cause: e });
    }
    this.busyMs += performance.now() - t0;
  }

  /** Abandons the file (the caller removes it). */
  async cancel(): Promise<void> {
    if (this.finished) return;
    this.stopped = true;
    this.clock.advance(Infinity);
    await this.output.cancel().catch(() => {});
    await this.audioDone.catch(() => {});
  }
}

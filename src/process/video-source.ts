/**
 * The input side of a file job: mediabunny demuxes, WebCodecs decodes. Everything that can be
 * wrong with a file (not a media file, cut off, no video, a codec this browser cannot decode)
 * comes out as a MediaDecodeError written for the person who chose the file.
 */
import {
  ALL_FORMATS, BlobSource, Input, VideoSampleSink, EncodedPacketSink,
  type InputAudioTrack, type InputVideoTrack, type VideoSample, type EncodedPacket,
} from 'mediabunny';
import { MediaDecodeError } from '../util/errors.ts';
import type { Rotation } from '../gpu/passes/orient.ts';

const CODEC_NAMES: Record<string, string> = { avc: 'H.264', hevc: 'H.265 (HEVC)', vp8: 'VP8', vp9: 'VP9', av1: 'AV1' };
const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The name of a blob for messages: its file name when it is a File. */
export function fileLabel(file: Blob): string {
  const name = (file as Partial<File>).name;
  return name ? `“${name}”` : 'The file';
}

/** One decoded frame with its place on the file's timeline (seconds). */
export interface SourceFrame { frame: VideoFrame; timestamp: number; duration: number }

/** An opened input file. */
export class VideoSource {
  private constructor(
    private readonly input: Input,
    readonly video: InputVideoTrack,
    readonly audio: InputAudioTrack | null,
    readonly label: string,
    /** Video packets (= frames) in the file. */
    readonly frameCount: number,
    /** Seconds from the first frame's start to the last frame's end. */
    readonly durationS: number,
    readonly frameRate: number,
    readonly rotation: Rotation,
    readonly audioCodec: string | null,
  ) {}

  /** Opens and checks a file; throws MediaDecodeError when it cannot be processed. */
  static async open(file: Blob): Promise<VideoSource> {
    const label = fileLabel(file);
    const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
    try {
      let video: InputVideoTrack | null;
      try {
        if (!(await input.canRead())) throw new MediaDecodeError(`${label} is not a video file this browser can read. Choose an MP4, WebM or MOV video.`);
        video = await input.getPrimaryVideoTrack();
      } catch (e) {
        if (e instanceof MediaDecodeError) throw e;
        throw new MediaDecodeError(`${label} is not a video file this browser can read (${reason(e)}).`, {}, { cause: e });
      }
      if (!video && (await input.getTracks()).length === 0) {
        // A recording cut off before its index was written reads as a file with no tracks.
        throw new MediaDecodeError(`${label} is damaged or incomplete: it holds no readable tracks.`, { damaged: true });
      }
      if (!video) throw new MediaDecodeError(`${label} has no video track (is it an audio file?), so there is no background to remove.`, { noVideo: true });
      if (!(await video.canDecode())) {
        const codec = await video.getCodec();
        const name = codec ? CODEC_NAMES[codec] ?? codec : null;
        throw new MediaDecodeError(name ? `${label} is ${name} video, which this browser cannot decode.` : `${label} uses a video codec this browser cannot decode.`, { codec });
      }
      const audio = await input.getPrimaryAudioTrack();
      const [stats, first, end, rotation, audioCodec] = await Promise.all([
        video.computePacketStats(), video.getFirstTimestamp(), video.computeDuration(), video.getRotation(),
        audio ? audio.getCodec() : Promise.resolve(null),
      ]);
      if (stats.packetCount === 0 || !(end > first)) throw new MediaDecodeError(`${label} has a video track without frames.`);
      return new VideoSource(input, video, audio, label, stats.packetCount, end - Math.max(0, first), stats.averagePacketRate, rotation, audioCodec);
    } catch (e) {
      input.dispose();
      if (e instanceof MediaDecodeError) throw e;
      throw new MediaDecodeError(`${label} could not be opened: ${reason(e)}`, {}, { cause: e });
    }
  }

  /**
   * The decoded frames in presentation order. Each frame belongs to the caller from the moment
   * it is yielded. A decoding error (a damaged file) becomes MediaDecodeError naming the time.
   */
  async *frames(): AsyncGenerator<SourceFrame, void, unknown> {
    const samples = new VideoSampleSink(this.video).samples();
    let last = 0, count = 0;
    try {
      for (;;) {
        let r: IteratorResult<VideoSample, void>;
        try {
          r = await samples.next();
        } catch (e) {
          throw new MediaDecodeError(`${this.label} is damaged: decoding failed after ${last.toFixed(2)} s (${reason(e)}).`, { atS: last }, { cause: e });
        }
        if (r.done) break;
        const sample = r.value;
        let frame: VideoFrame;
        try {
          frame = sample.toVideoFrame();
        } finally {
          sample.close();
        }
        last = sample.timestamp;
        count++;
        yield { frame, timestamp: sample.timestamp, duration: sample.duration };
      }
      // mediabunny stops quietly where a cut-off file's data ends; the index knows how many frames there should be.
      if (count < this.frameCount) {
        throw new MediaDecodeError(`${this.label} is damaged or incomplete: only ${count} of its ${this.frameCount} frames could be read (up to ${last.toFixed(2)} s).`,
          { damaged: true, framesRead: count, frames: this.frameCount });
      }
    } finally {
      // Stops mediabunny's decoder and closes what it decoded ahead.
      await samples.return().catch(() => {});
    }
  }

  /** The audio track's packets as they are in the file (decode order), for copying. */
  audioPackets(): AsyncGenerator<EncodedPacket, void, unknown> {
    if (!this.audio) throw new MediaDecodeError(`${this.label} has no audio track.`);
    return new EncodedPacketSink(this.audio).packets();
  }

  /** Stops reading the file. */
  dispose(): void { this.input.dispose(); }
}

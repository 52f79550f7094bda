/**
 * Plays a video file on the program clock inside the render worker: mediabunny demuxes and
 * decodes (WebCodecs) a few frames ahead, and `frameAt` picks the frame due at a program time
 * without ever waiting for the decoder.
 */
import { ALL_FORMATS, BlobSource, Input, VideoSampleSink, type InputVideoTrack, type VideoSample } from 'mediabunny';
import { MediaDecodeError } from '../util/errors.ts';

/** Decoded frames held ahead of the one shown; the decoder waits while this many are queued. */
export const DECODE_AHEAD = 4;
/** Assumed frame length when a file gives none (only used to tell a late frame from a held one). */
const FALLBACK_FRAME_US = 33_333;

export type PlayerState = 'playing' | 'paused' | 'ended';

export interface VideoFilePlayerStats {
  /** Frames the decoder produced. */
  framesDecoded: number;
  /** Distinct frames returned by frameAt. */
  framesShown: number;
  /** frameAt calls that had to repeat a frame whose time was over because the next was not decoded yet. */
  lateFrames: number;
  /** Decoded frames whose time passed before they were shown. */
  dropped: number;
  /** Times playback wrapped from the end back to the start. */
  loops: number;
  /** Decoded frames waiting for their time now (at most DECODE_AHEAD). */
  queued: number;
}

/**
 * A decoded frame on the player's continuous timeline: lap `lap` of the file starts at
 * lap × duration, so looping needs no special case when comparing against the clock.
 */
interface Entry { frame: VideoFrame; lap: number; mediaUs: number; startUs: number; endUs: number }

/** The name of a blob for messages: its file name when it is a File. */
function fileLabel(file: Blob): string {
  const name = (file as Partial<File>).name;
  return name ? `“${name}”` : 'The file';
}

/** Codec names as people know them. */
const CODEC_NAMES: Record<string, string> = { avc: 'H.264', hevc: 'H.265 (HEVC)', vp8: 'VP8', vp9: 'VP9', av1: 'AV1' };

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class VideoFilePlayer {
  private _state: PlayerState = 'playing';
  private _loop: boolean;
  private _error: MediaDecodeError | null = null;
  private closed = false;
  /** Program time at which continuous media time 0 was (null until the first frameAt anchors it). */
  private startProgramUs: number | null = null;
  /** Continuous media time while paused or ended. */
  private frozenUs = 0;
  /** Continuous media time of the last frameAt, used when loop is switched off. */
  private lastUs = 0;
  /** Continuous media time at which playback ends (Infinity while looping). */
  private limitUs: number;
  private readonly queue: Entry[] = [];
  private current: Entry | null = null;
  /** End of the held frame on the continuous timeline; -Infinity after restart so waiting counts as late. */
  private currentEndUs = -Infinity;
  /** Bumped by restart and close: a pump whose generation is stale stops. */
  private generation = 0;
  /** The pump finished its last lap (loop off) and will deliver nothing more. */
  private pumpDone = false;
  private pumpLap = 0;
  private wakePump: (() => void) | null = null;
  private readonly counts = { framesDecoded: 0, framesShown: 0, lateFrames: 0, dropped: 0, loops: 0 };

  private constructor(
    private readonly input: Input,
    private readonly sink: VideoSampleSink,
    private readonly name: string,
    /** File time (s) that maps to media time 0. */
    private readonly originS: number,
    readonly width: number,
    readonly height: number,
    readonly durationUs: number,
    readonly hasAudio: boolean,
    /** Clockwise rotation the file asks for; frames are delivered unrotated and width/height are before it. */
    readonly rotation: 0 | 90 | 180 | 270,
    loop: boolean,
  ) {
    this._loop = loop;
    this.limitUs = loop ? Infinity : durationUs;
  }

  /**
   * Opens a video file (MP4/WebM/MOV…) with mediabunny; throws MediaDecodeError (message for a
   * person) for unreadable files, files without a video track, or codecs WebCodecs cannot decode.
   * The player starts in 'playing'; the first frameAt call anchors media time 0.
   */
  static async open(file: Blob, opts: { loop?: boolean } = {}): Promise<VideoFilePlayer> {
    const name = fileLabel(file);
    const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
    try {
      let track: InputVideoTrack | null;
      try {
        if (!(await input.canRead())) throw new MediaDecodeError(`${name} is not a video file this browser can read.`);
        track = await input.getPrimaryVideoTrack();
      } catch (e) {
        if (e instanceof MediaDecodeError) throw e;
        throw new MediaDecodeError(`${name} is not a video file this browser can read (${reason(e)}).`, {}, { cause: e });
      }
      if (!track) throw new MediaDecodeError(`${name} has no video track.`);
      if (!(await track.canDecode())) {
        const codec = await track.getCodec();
        const label = codec ? CODEC_NAMES[codec] ?? codec : null;
        throw new MediaDecodeError(label
          ? `${name} is ${label} video, which this browser cannot decode.`
          : `${name} uses a video codec this browser cannot decode.`, { codec });
      }
      const [first, end, width, height, rotation, audio] = await Promise.all([
        track.getFirstTimestamp(), track.computeDuration(), track.getSquarePixelWidth(), track.getSquarePixelHeight(),
        track.getRotation(), input.getPrimaryAudioTrack(),
      ]);
      // Frames before file time 0 are not meant to be shown (edit lists); a later first frame is
      // moved to 0 so a loop has no gap at its start.
      const originS = Math.max(0, first);
      const durationUs = Math.round((end - originS) * 1e6);
      if (!(durationUs > 0)) throw new MediaDecodeError(`${name} has a video track without frames.`);
      const player = new VideoFilePlayer(input, new VideoSampleSink(track), name, originS, width, height, durationUs,
        audio !== null, rotation, opts.loop ?? false);
      player.startPump();
      return player;
    } catch (e) {
      input.dispose();
      if (e instanceof MediaDecodeError) throw e;
      throw new MediaDecodeError(`${name} could not be opened: ${reason(e)}`, {}, { cause: e });
    }
  }

  get state(): PlayerState { return this._state; }
  /** The first decoding error; frameAt throws it until restart() retries. */
  get error(): MediaDecodeError | null { return this._error; }
  /** Media time in µs of the frame returned last (0 before any). */
  get positionUs(): number { return this.current?.mediaUs ?? 0; }

  get loop(): boolean { return this._loop; }
  set loop(on: boolean) {
    if (on === this._loop) return;
    this._loop = on;
    if (on) {
      this.limitUs = Infinity;
      if (this.pumpDone && this._state !== 'ended' && !this.closed) this.startPump(this.pumpLap + 1);
    } else {
      // Play to the end of the lap in progress; frames already decoded for the next lap stay unshown.
      this.limitUs = (Math.floor(this.lastUs / this.durationUs) + 1) * this.durationUs;
    }
  }

  /**
   * Advances to program time `programUs` (µs, monotonic wall clock supplied by the caller) and
   * returns the frame to show now, or null before the first frame is decoded. The player owns
   * the frame: the caller must not close it and may use it only until the next call. Never
   * blocks; if decoding lags, the last frame stays (counted in stats.lateFrames).
   */
  frameAt(programUs: number): VideoFrame | null {
    if (this.closed) return null;
    if (this._error) throw this._error;
    const now = Math.min(this.clock(programUs), this.limitUs);
    this.lastUs = now;
    let next: Entry | null = null;
    while (this.queue.length > 0 && this.queue[0].startUs <= now && this.queue[0].startUs < this.limitUs) {
      const e = this.queue.shift()!;
      if (next) { next.frame.close(); this.counts.dropped++; }
      next = e;
    }
    if (next) {
      this.wakePump?.();
      if (this.current) {
        this.current.frame.close();
        if (next.lap > this.current.lap) this.counts.loops += next.lap - this.current.lap;
      }
      this.current = next;
      this.currentEndUs = next.endUs;
      this.counts.framesShown++;
    } else if (this.current && now >= this.currentEndUs && !this.exhausted()) {
      this.counts.lateFrames++;
    }
    if (this._state === 'playing' && now >= this.limitUs && this.exhausted()) {
      this._state = 'ended';
      this.frozenUs = this.limitUs;
    }
    return this.current?.frame ?? null;
  }

  /** Resumes from the frozen media time; from 'ended' it starts again at 0. */
  play(programUs: number): void {
    if (this.closed || this._state === 'playing') return;
    if (this._state === 'ended') { this.restart(programUs); return; }
    this.startProgramUs = programUs - this.frozenUs;
    this._state = 'playing';
  }

  /** Freezes media time at `programUs`; frames already shown stay. */
  pause(programUs: number): void {
    if (this.closed || this._state !== 'playing') return;
    this.frozenUs = Math.min(this.clock(programUs), this.limitUs);
    this._state = 'paused';
  }

  /** Seeks to media time 0 and plays from `programUs`; also retries after a decoding error. */
  restart(programUs: number): void {
    if (this.closed) return;
    this.discardQueue();
    this._error = null;
    this.limitUs = this._loop ? Infinity : this.durationUs;
    this.startProgramUs = programUs;
    this.frozenUs = 0;
    this.lastUs = 0;
    this._state = 'playing';
    // The held frame stays on screen until the first frame of the new run is decoded.
    this.currentEndUs = -Infinity;
    if (this.current) this.current.lap = 0;
    this.startPump();
  }

  stats(): VideoFilePlayerStats { return { ...this.counts, queued: this.queue.length }; }

  /** Closes every frame it holds and stops decoding. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.discardQueue();
    this.current?.frame.close();
    this.current = null;
    // Cancels reads in flight; the pump sees `closed` and ends quietly.
    this.input.dispose();
  }

  /** Continuous media time at `programUs`. */
  private clock(programUs: number): number {
    if (this._state !== 'playing') return this.frozenUs;
    this.startProgramUs ??= programUs;
    return Math.max(0, programUs - this.startProgramUs);
  }

  /** Nothing more will arrive before the end limit. */
  private exhausted(): boolean {
    if (this.queue.length > 0) return this.queue[0].startUs >= this.limitUs;
    return this.pumpDone;
  }

  /** Stops the running pump and closes the frames it queued. */
  private discardQueue(): void {
    this.generation++;
    for (const e of this.queue) e.frame.close();
    this.queue.length = 0;
    this.pumpDone = false;
    this.wakePump?.();
  }

  private startPump(lap = 0): void {
    this.pumpDone = false;
    void this.pump(this.generation, lap);
  }

  /** Decodes laps of the file into the queue until the queue is full, looping is off, or it is stopped. */
  private async pump(generation: number, lap: number): Promise<void> {
    const live = (): boolean => generation === this.generation && !this.closed;
    let samples: AsyncGenerator<VideoSample, void, unknown> | null = null;
    try {
      while (live()) {
        samples = this.sink.samples(this.originS);
        let yielded = 0;
        for (;;) {
          const r = await samples.next();
          if (r.done) break;
          if (!live()) { r.value.close(); return; }
          this.enqueue(r.value, lap);
          yielded++;
          while (this.queue.length >= DECODE_AHEAD && live()) {
            await new Promise<void>((resolve) => { this.wakePump = resolve; });
          }
          if (!live()) return;
        }
        await samples.return();
        samples = null;
        if (!live()) return;
        if (yielded === 0) throw new Error('the decoder produced no frames');
        if (!this._loop) { this.pumpDone = true; this.pumpLap = lap; return; }
        lap++;
      }
    } catch (e) {
      if (live() && !this._error) {
        this._error = new MediaDecodeError(`Playing ${this.name} failed: ${reason(e)}`, {}, { cause: e });
      }
    } finally {
      // Ends mediabunny's decoder and closes the samples it decoded ahead.
      await samples?.return().catch(() => {});
    }
  }

  /** Turns a sample into a queued frame; the sample is closed here whatever happens. */
  private enqueue(sample: VideoSample, lap: number): void {
    let frame: VideoFrame;
    try {
      frame = sample.toVideoFrame();
    } finally {
      sample.close();
    }
    const mediaUs = Math.round((sample.timestamp - this.originS) * 1e6);
    const startUs = lap * this.durationUs + mediaUs;
    const lengthUs = Math.round(sample.duration * 1e6) || FALLBACK_FRAME_US;
    this.counts.framesDecoded++;
    this.queue.push({ frame, lap, mediaUs, startUs, endUs: startUs + lengthUs });
  }
}

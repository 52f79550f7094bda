import { EncodePacer } from './pacer.ts';
import { AudioTrack } from './audio-track.ts';
import { VideoFailover } from './video-failover.ts';
import { FrameGrid } from './frame-grid.ts';
import type { PauseClock } from './pause-clock.ts';
import { EncoderError, StudioError, asStudioError } from '../util/errors.ts';
import type { OutputKind, OutputResult, OutputStats } from '../util/types.ts';

/** What an output writes to: a muxer on a file (mux/recording-file.ts, given by the worker). */
export interface OutputFile {
  readonly name: string;
  /** Packets handed to the muxer but not yet written. */
  readonly pending: number;
  readonly size: number;
  readonly bytesWritten: number;
  addVideo(chunk: EncodedVideoChunk, originUs: number, meta?: EncodedVideoChunkMetadata): void;
  addAudio(chunk: EncodedAudioChunk, originUs: number, meta?: EncodedAudioChunkMetadata): void;
  flush(): void;
  /** Finishes and releases the file; resolves to what spoiled it, or null. */
  finish(): Promise<StudioError | null>;
  /** Releases the file and deletes it. */
  discard(): Promise<void>;
}

/** Opens a file: its name, the bytes it must have room for, and who hears its first error. */
export type OpenFile = (name: string, reserveBytes: number, onError: (e: StudioError) => void) => Promise<OutputFile>;

/** A recording needs room for at least this long to start (reserved in the file, which the quota checks). */
export const DISK_MIN_S = 60;
/** Sound kept while waiting for the first frame: more than any rendering delay seen (~300 ms under load). */
const EARLY_AUDIO_US = 1_000_000;

/** One output as the worker resolved it: encoder configurations and a file name (with extension). */
export interface OutputSpec {
  id: string;
  label: string;
  kind: OutputKind;
  fileName: string;
  width: number;
  height: number;
  frameRate: number;
  video: VideoEncoderConfig;
  audio: AudioEncoderConfig | null;
}

/** What an output tells its owner. */
export interface OutputHooks {
  /** The first error that stopped it (reported once). */
  failed(output: OutputSession, error: StudioError): void;
  /** A new video encoder took over after a failure (`count` so far). */
  replaced(output: OutputSession, count: number, reason: string, software: boolean): void;
  /** The new encoder writes another format, so the output continues in file number `part`. */
  newPart(output: OutputSession, part: number): void;
}

type VideoChunk = { chunk: EncodedVideoChunk; meta?: EncodedVideoChunkMetadata };

/**
 * One recording output: its video encoder (with failover), its sound, its pacing and its file.
 * Frames and AudioData given to it stay the caller's. Its first error stops it alone (latched,
 * reported once through the hooks); the other outputs go on.
 *
 * A replacement encoder whose decoder config (avcC) differs from the file's cannot go on in the
 * same MP4, whose sample description is written once: the file is finished where the old encoder
 * stopped and the output continues in a new file, "<name> (part 2)", from the new key frame.
 */
export class OutputSession {
  /** The error that stopped this output (the first one). */
  failure: StudioError | null = null;
  /** Capture time (wall µs) of the last frame submitted. */
  lastVideoUs = 0;
  readonly pacer: EncodePacer;
  /** Planned data rate (video + audio), for "Disk full in". */
  readonly bytesPerSecond: number;
  private file: OutputFile | null = null;
  private readonly parts: OutputFile[] = [];
  private readonly closing: Promise<StudioError | null>[] = [];
  private video!: VideoFailover;
  private audio: AudioTrack | null = null;
  private firstUs: number | null = null;
  /** This file part's time zero (capture clock, pauses removed). */
  private originUs = 0;
  private videoEncodedUs = -Infinity;
  private fileConfig: VideoDecoderConfig | null = null;
  /** Video chunks waiting while a new file part opens (null when none is opening). */
  private rolling: VideoChunk[] | null = null;
  private rolled: Promise<void> = Promise.resolve();
  private audioUntilUs = Infinity;
  private done: Promise<OutputResult> | null = null;
  private reported = false;
  private readonly grid: FrameGrid | null;
  /**
   * Sound that arrived before the first frame did (copies, at most EARLY_AUDIO_US): a frame is
   * stamped when it was captured but arrives after rendering, so sound captured after it may
   * already be here.
   */
  private readonly early: { data: AudioData; wallUs: number }[] = [];

  private constructor(readonly spec: OutputSpec, private readonly openFile: OpenFile, private readonly pauses: PauseClock,
    private readonly hooks: OutputHooks) {
    // A key frame every second: the fragmented MP4 closes a fragment at each, so a crash or a
    // full disk loses at most about a second of what was recorded.
    this.pacer = new EncodePacer(spec.frameRate, 3, 1);
    this.grid = spec.kind === 'program' ? new FrameGrid(spec.frameRate, pauses) : null;
    this.bytesPerSecond = ((spec.video.bitrate ?? 0) + (spec.audio?.bitrate ?? 0)) / 8;
  }

  /** Opens the file and the encoders; nothing is left behind when that fails. */
  static async open(spec: OutputSpec, openFile: OpenFile, pauses: PauseClock, hooks: OutputHooks): Promise<OutputSession> {
    const s = new OutputSession(spec, openFile, pauses, hooks);
    const file = await openFile(spec.fileName, DISK_MIN_S * s.bytesPerSecond, (e) => s.fail(e));
    s.file = file;
    s.parts.push(file);
    try {
      s.video = new VideoFailover(spec.video, {
        output: (chunk, meta) => s.onVideo(chunk, meta),
        replaced: (count, reason, config) => hooks.replaced(s, count, reason, config.hardwareAcceleration !== 'prefer-hardware'),
        fatal: (e) => s.fail(e),
      });
    } catch (e) {
      await file.discard();
      throw new EncoderError(`The video encoder could not be set up (${e instanceof Error ? e.message : String(e)}). Try another codec.`);
    }
    if (spec.audio) {
      s.audio = new AudioTrack(spec.audio, (chunk, meta) => s.file?.addAudio(chunk, s.originUs, meta), () => s.releaseAudio(),
        (e) => s.fail(new EncoderError(`The audio encoder failed: ${e.message}. The recording was stopped and what was written is kept.`)));
    }
    return s;
  }

  get id(): string { return this.spec.id; }
  /** Whether it stopped taking frames (failed or finishing). */
  get stopped(): boolean { return this.failure !== null || this.done !== null; }

  /** Encodes one frame stamped on the wall clock (µs), unless paused or the encoder is behind. */
  encodeFrame(frame: VideoFrame): void {
    if (this.stopped) return;
    const t = frame.timestamp;
    if (this.pauses.paused(t)) return;
    // Program frames take a slot of the file's frame grid; a camera's keep their own times.
    const at = this.grid ? this.grid.place(t) : t > this.lastVideoUs ? t : null;
    if (at === null) { this.pacer.framesSkipped++; return; }
    if (!this.pacer.admit(this.video.queueSize + Math.floor((this.file?.pending ?? 0) / 4))) return;
    const stamped = at === t ? frame : new VideoFrame(frame, { timestamp: at });
    try {
      if (this.firstUs === null) this.originUs = this.firstUs = at;
      if (!this.video.encode(stamped, this.pacer.wantsKeyFrame(at))) return;
      this.grid?.accept();
      this.lastVideoUs = at;
      this.pacer.submitted();
      if (this.early.length) this.encodeEarlyAudio();
    } catch (e) {
      this.fail(asStudioError(e, 'Encoding a frame failed'));
    } finally {
      if (stamped !== frame) stamped.close();
    }
  }

  /** Encodes the sound captured at `wallUs` (a copy: `value` stays the caller's). */
  encodeAudio(value: AudioData, wallUs: number): void {
    if (!this.audio || this.stopped) return;
    if (this.firstUs === null || this.lastVideoUs === 0) {
      this.early.push({ data: value.clone(), wallUs });
      while (this.early.length && wallUs - this.early[0].wallUs > EARLY_AUDIO_US) this.early.shift()!.data.close();
      return;
    }
    // Sound before the first frame is not part of the recording; sound after a pause moves earlier by the time paused.
    if (wallUs < this.firstUs || wallUs >= this.audioUntilUs || this.pauses.paused(wallUs)) return;
    try {
      this.audio.encode(value, wallUs - this.pauses.offset(wallUs));
    } catch (e) {
      this.fail(asStudioError(e, 'Encoding the sound failed'));
    }
  }

  /** The first frame is in: the sound that waited for it is encoded from its time on, the rest left out. */
  private encodeEarlyAudio(): void {
    const early = this.early.splice(0);
    for (const a of early) {
      try { this.encodeAudio(a.data, a.wallUs); } finally { a.data.close(); }
    }
  }

  /** Takes no sound captured after the last frame (stop, or the camera ended). */
  endAudio(): void { this.audioUntilUs = this.lastVideoUs + 20_000; }

  /** Makes what was written durable. */
  flushFile(): void { this.file?.flush(); }

  /** Stops this output on its first error and reports it; later errors are ignored. */
  fail(e: StudioError): void {
    if (this.failure) return;
    this.failure = e;
    this.reported = true;
    this.hooks.failed(this, e);
  }

  /** Diagnostics: closes the running video encoder as a crash would. */
  debugCrash(override?: Partial<VideoEncoderConfig>): void { this.video.debugCrash(override); }

  /** Flushes the encoders and finishes the file(s); every call gets the same result. */
  finish(): Promise<OutputResult> {
    this.done ??= this.finishNow();
    return this.done;
  }

  /** Closes everything and deletes the file (a recording that could not start). */
  async discard(): Promise<void> {
    this.done ??= Promise.resolve(this.result(null));
    this.dropEarlyAudio();
    this.video.close();
    this.audio?.close();
    await this.file?.discard();
    this.file = null;
  }

  /** This output's figures. */
  stats(): OutputStats {
    let bytes = 0;
    for (const p of this.parts) bytes += p.bytesWritten;
    return {
      id: this.spec.id, label: this.spec.label, kind: this.spec.kind, fileName: this.spec.fileName,
      width: this.spec.width, height: this.spec.height, codecString: this.video.config.codec,
      hardwareAcceleration: this.video.hardware ? 'hardware' : 'software',
      framesEncoded: this.pacer.framesEncoded, framesSkipped: this.pacer.framesSkipped, encoderQueue: this.video.queueSize,
      bitrateKbps: this.pacer.bitrateKbps(), bytesWritten: bytes, durationMs: this.durationMs(),
      encoderFailovers: this.video.failovers, files: this.parts.map((p) => p.name), error: this.failure?.message ?? null,
    };
  }

  /** Audio chunks muxed, silence filled and audio left out (µs). */
  audioStats(): { chunks: number; silenceUs: number; droppedUs: number } {
    const a = this.audio;
    return { chunks: a?.chunks ?? 0, silenceUs: a?.timeline.silenceUs ?? 0, droppedUs: a ? a.timeline.droppedUs + a.trimmedUs : 0 };
  }

  private durationMs(): number {
    return this.firstUs === null ? 0 : (this.lastVideoUs - this.pauses.offset(this.lastVideoUs) - this.firstUs) / 1000;
  }

  private onVideo(chunk: EncodedVideoChunk, meta: EncodedVideoChunkMetadata | undefined): void {
    if (this.failure) return;
    const config = meta?.decoderConfig;
    if (config && this.fileConfig && !sameDecoderConfig(this.fileConfig, config)) {
      if (this.rolling) {
        this.fail(new EncoderError('The video encoder changed its format twice in a row. The recording was stopped and what was written is kept.'));
        return;
      }
      this.startPart(chunk.timestamp);
    }
    if (config && (!this.fileConfig || this.rolling)) this.fileConfig = ownDecoderConfig(config);
    if (this.rolling) this.rolling.push({ chunk, meta });
    else this.muxVideo(chunk, meta);
  }

  private muxVideo(chunk: EncodedVideoChunk, meta: EncodedVideoChunkMetadata | undefined): void {
    // After a pause, the picture moves earlier by the time paused (no gap in the file).
    const shift = this.pauses.offset(chunk.timestamp);
    this.file!.addVideo(chunk, this.originUs + shift, meta);
    this.pacer.encoded(chunk.byteLength);
    this.videoEncodedUs = Math.max(this.videoEncodedUs, chunk.timestamp - shift + (chunk.duration ?? 0));
    this.releaseAudio();
  }

  private releaseAudio(): void {
    if (!this.rolling && this.file) this.audio?.release(this.videoEncodedUs);
  }

  /** Finishes the current file where the old encoder stopped and opens the next part, which starts at `atUs`. */
  private startPart(atUs: number): void {
    const origin = atUs - this.pauses.offset(atUs);
    // Sound between the old encoder's last frame and the new key frame has no picture in either file.
    this.audio?.newFile(origin);
    this.rolling = [];
    this.closing.push(this.file!.finish());
    this.file = null;
    const name = partName(this.spec.fileName, this.parts.length + 1);
    this.rolled = this.openFile(name, DISK_MIN_S * this.bytesPerSecond, (e) => this.fail(e)).then((file) => {
      this.file = file;
      this.parts.push(file);
      this.originUs = origin;
      const queued = this.rolling ?? [];
      this.rolling = null;
      for (const c of queued) this.muxVideo(c.chunk, c.meta);
      this.hooks.newPart(this, this.parts.length);
    }, (e) => {
      this.rolling = null;
      this.fail(asStudioError(e, 'A new file for the recording could not be started'));
    });
  }

  private dropEarlyAudio(): void {
    for (const a of this.early.splice(0)) a.data.close();
  }

  private async finishNow(): Promise<OutputResult> {
    this.dropEarlyAudio();
    if (!this.failure) {
      await this.video.flush().catch((e) => this.fail(asStudioError(e, 'Flushing the video encoder failed')));
      if (this.audio && !this.failure) await this.audio.flush().catch((e) => this.fail(asStudioError(e, 'Flushing the audio encoder failed')));
    }
    await this.rolled;
    // The file ends with its last video frame: audio past it is left out (and counted).
    this.audio?.end(this.videoEncodedUs);
    const fileError = this.file ? await this.file.finish() : null;
    this.file = null;
    const partErrors = await Promise.all(this.closing);
    this.video.close();
    this.audio?.close();
    return this.result(this.failure?.message ?? fileError?.message ?? partErrors.find((e) => e)?.message ?? null);
  }

  private result(error: string | null): OutputResult {
    let size = 0;
    for (const p of this.parts) size += p.size;
    return {
      id: this.spec.id, label: this.spec.label, kind: this.spec.kind, files: this.parts.map((p) => p.name), size,
      durationMs: this.durationMs(), framesEncoded: this.pacer.framesEncoded, encoderFailovers: this.video?.failovers ?? 0,
      error, reported: this.reported,
    };
  }
}

/** "Name (part 2).mp4" for the second file of "Name.mp4". */
export function partName(fileName: string, part: number): string {
  const dot = fileName.lastIndexOf('.');
  return `${fileName.slice(0, dot)} (part ${part})${fileName.slice(dot)}`;
}

/** Whether a new encoder's output can go on in a file written with `a`. */
export function sameDecoderConfig(a: VideoDecoderConfig, b: VideoDecoderConfig): boolean {
  if (a.codec !== b.codec || a.codedWidth !== b.codedWidth || a.codedHeight !== b.codedHeight) return false;
  const x = bytesOf(a.description), y = bytesOf(b.description);
  if (!x || !y) return x === y;
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function bytesOf(d: AllowSharedBufferSource | undefined): Uint8Array | null {
  if (!d) return null;
  return ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);
}

/** A copy of a decoder config that owns its description bytes (the encoder may reuse its buffer). */
function ownDecoderConfig(c: VideoDecoderConfig): VideoDecoderConfig {
  const d = bytesOf(c.description);
  return { ...c, description: d ? d.slice() : undefined };
}

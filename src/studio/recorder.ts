import * as Comlink from 'comlink';
import { trackReadable } from '../capture/camera.ts';
import { MixTap } from '../audio/mix-tap.ts';
import { recordingName } from '../mux/recordings.ts';
import { finalizeRecording, finalName, freshStem, holdRecordingLock, preloadRemux, unfinishedName, type FinalizeResult } from '../mux/finalize.ts';
import { ChapterLog } from '../mux/recording-meta.ts';
import { StudioError, StudioStateError, asStudioError, errorClasses } from '../util/errors.ts';
import type { Chapter, EncodeOutputRequest, EncodeResult, EncodeStartInfo, OutputRequest, RecordingOptions, WorkerFault } from '../util/types.ts';
import type { EncodeWorkerApi, RenderWorkerApi } from '../worker-apis.ts';

export type RecordingState = 'idle' | 'starting' | 'recording' | 'paused' | 'stopping';

/** Where the recorder gets its sound: the mixer's tap, or a bare microphone track. */
export interface AudioFeed { tap: MixTap | null; track: MediaStreamTrack | null }

/** An output besides the main one; a camera output brings its own clone of the camera's track (the recorder stops it). */
export type OutputFeed = Omit<EncodeOutputRequest, 'frames'> & { track?: MediaStreamTrack };

/** A camera's live video, cloned for an isolated output (the caller stops the clone). */
export type CloneCamera = (sourceId?: string) => { track: MediaStreamTrack; width: number; height: number; frameRate: number } | null;

/**
 * Resolves RecordingOptions.outputs: program outputs at their size (default the program's, even
 * numbers), camera outputs at the camera's size; labels are unique ("640x360", "camera", "camera 2").
 */
export function outputFeeds(requests: readonly OutputRequest[], program: { width: number; height: number; frameRate: number }, cloneCamera: CloneCamera): OutputFeed[] {
  const feeds: OutputFeed[] = [];
  const unique = (label: string) => {
    let l = label;
    for (let n = 2; feeds.some((f) => f.label === l); n++) l = `${label} ${n}`;
    return l;
  };
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  try {
    for (const r of requests) {
      if (r.kind === 'camera') {
        const cam = cloneCamera(r.sourceId);
        if (!cam) throw new StudioStateError('An isolated camera recording needs a running camera: start the camera first.');
        feeds.push({ kind: 'camera', label: unique('camera'), width: even(cam.width), height: even(cam.height), frameRate: Math.round(cam.frameRate || program.frameRate), videoBitrate: r.videoBitrate, track: cam.track });
      } else if (r.kind === 'program') {
        const width = even(r.width ?? program.width), height = even(r.height ?? program.height);
        feeds.push({ kind: 'program', label: unique(`${width}x${height}`), width, height, frameRate: program.frameRate, videoBitrate: r.videoBitrate });
      } else {
        throw new StudioStateError(`Unknown output kind ${JSON.stringify((r as { kind: unknown }).kind)}: use 'program' or 'camera'.`);
      }
    }
  } catch (e) {
    for (const f of feeds) f.track?.stop();
    throw e;
  }
  return feeds;
}

/**
 * Recording: connects the render worker's program output to the encode worker and the
 * mixer's tap to its audio input, and finishes the file on stop or on a fault.
 */
export class Recorder {
  state: RecordingState = 'idle';
  info: EncodeStartInfo | null = null;
  private stopping: Promise<File> | null = null;
  /** A recording that ended on its own (encoder error) and was not yet collected. */
  private unclaimed: File | null = null;
  private startedAt = 0;
  private tap: MixTap | null = null;
  private persisted: Promise<boolean> | null = null;
  private pausedAt = 0;
  private pausedMs = 0;
  /** The encoder already reported the fault that ended this recording (say it once). */
  private faulted = false;
  /** Chapter markers of the running recording (kept on disk as they are added). */
  private chapters: ChapterLog | null = null;
  /** Camera track clones feeding isolated outputs, stopped when the recording ends. */
  private feedTracks: MediaStreamTrack[] = [];
  /** Outputs whose error already reached the page as it happened. */
  private readonly reportedOutputs = new Set<string>();
  /** Tells other pages (and the next start) that this recording's file is being written. */
  private releaseLock: (() => void) | null = null;
  /** How the last recording was finished (regular MP4 or kept fragmented, chapters, remux time). */
  lastFinalize: FinalizeResult | null = null;

  constructor(private readonly render: Comlink.Remote<RenderWorkerApi>, private readonly encode: Comlink.Remote<EncodeWorkerApi>,
    private readonly onChange: () => void, private readonly onError: (e: StudioError) => void, private readonly onFile: (f: File) => void,
    private readonly onFault: (f: WorkerFault) => void, private readonly onWarning: (message: string) => void = () => {}) {}

  /** Milliseconds since the running recording started (0 when idle). */
  get elapsedMs(): number {
    if (this.state === 'recording') return performance.now() - this.startedAt - this.pausedMs;
    return this.state === 'paused' ? this.pausedAt - this.startedAt - this.pausedMs : 0;
  }

  /** Whether a recording is running (recording or paused). */
  get active(): boolean { return this.state === 'recording' || this.state === 'paused'; }

  /** Pauses the recording: nothing is recorded until resume, and the file has no gap. */
  async pause(): Promise<void> {
    if (this.state !== 'recording') throw new StudioStateError(this.state === 'paused' ? 'The recording is already paused.' : 'Not recording.');
    await this.encode.pause();
    this.pausedAt = performance.now();
    this.set('paused');
  }

  /** Resumes a paused recording. */
  async resume(): Promise<void> {
    if (this.state !== 'paused') throw new StudioStateError('The recording is not paused.');
    await this.encode.resume();
    this.pausedMs += performance.now() - this.pausedAt;
    this.set('recording');
  }

  private set(state: RecordingState): void { this.state = state; this.onChange(); }

  /** Marks a chapter at the time recorded so far (pauses left out); "Chapter n" without a title. */
  addChapter(title?: string): Chapter {
    if (!this.active || !this.chapters) throw new StudioStateError('Chapters can only be added while recording.');
    return this.chapters.add(title, this.elapsedMs);
  }

  /** Starts recording the program at `frameRate` with the sound `audio` gives, and the outputs `feeds` (their tracks become the recorder's). */
  async start(opts: RecordingOptions, frameRate: number, audio: AudioFeed, feeds: OutputFeed[] = []): Promise<EncodeStartInfo> {
    if (this.state !== 'idle') {
      for (const f of feeds) f.track?.stop();
      throw new StudioStateError('A recording is already running.');
    }
    this.feedTracks = feeds.flatMap((f) => (f.track ? [f.track] : []));
    this.reportedOutputs.clear();
    this.set('starting');
    this.faulted = false;
    // Ask once that the browser never evicts recordings to make room (no prompt in Chrome).
    this.persisted ??= navigator.storage?.persist?.().catch(() => false) ?? Promise.resolve(false);
    const channel = new MessageChannel();
    const tap = audio.tap ?? (audio.track ? new MixTap(audio.track, trackReadable<AudioData>, () => {}) : null);
    this.tap = tap;
    const port = tap?.startRecording() ?? null;
    try {
      const stem = await freshStem(recordingName());
      this.releaseLock = await holdRecordingLock(stem);
      preloadRemux();
      const st = await this.render.getStats();
      const settings = (audio.track ?? null)?.getSettings();
      const { outputs: _requests, ...rest } = opts;
      const extraOutputs: EncodeOutputRequest[] = feeds.map(({ track, ...f }) => (track ? { ...f, frames: trackReadable<VideoFrame>(track) } : f));
      const readables = extraOutputs.flatMap((x) => (x.frames ? [x.frames as unknown as Transferable] : []));
      const info = await this.encode.start(Comlink.transfer({
        ...rest, extraOutputs,
        width: st.outputWidth, height: st.outputHeight, frameRate: Math.round(frameRate),
        fileName: unfinishedName(stem),
        audio: tap ? { sampleRate: settings?.sampleRate ?? 48000, channels: settings?.channelCount ?? 2 } : null,
        audioClockOriginUs: performance.timeOrigin * 1000,
      }, readables), Comlink.transfer(channel.port2, [channel.port2]), port ? Comlink.transfer(port, [port]) : null,
      Comlink.proxy({
        fatal: (f: WorkerFault) => { this.faulted = true; this.onFault(f); }, warning: (m: string) => this.onWarning(m),
        // Another output stopped: the main recording goes on, the person is told.
        outputFailed: (id: string, f: WorkerFault) => { this.reportedOutputs.add(id); this.onError(new (errorClasses[f.name] ?? StudioError)(f.message)); },
      }));
      await this.render.startOutput(Comlink.transfer(channel.port1, [channel.port1]), info.outputPath);
      this.info = info;
      this.chapters = new ChapterLog(finalName(info.fileName), () => this.onWarning('A chapter marker could not be saved for crash recovery; it will still be written into the file.'));
      this.unclaimed = null;
      this.startedAt = performance.now();
      this.pausedMs = 0;
      this.set('recording');
      return info;
    } catch (e) {
      this.releaseTap(audio.tap);
      this.stopFeedTracks();
      this.releaseLock?.();
      this.releaseLock = null;
      this.set('idle');
      throw asStudioError(e, 'The recording could not be started');
    }
  }

  /** Stops recording and returns the finished file (also after a fault ended the recording). */
  async stop(mixTap: MixTap | null): Promise<File> {
    if (this.stopping) return this.stopping;
    if (!this.active) {
      const f = this.unclaimed;
      this.unclaimed = null;
      if (f) return f;
      throw new StudioStateError('Not recording.');
    }
    return this.finish(mixTap);
  }

  /** Finishes a running recording because something ended it; the file waits for stop(). */
  async finishUnclaimed(mixTap: MixTap | null): Promise<void> {
    if (this.active) this.unclaimed = await this.finish(mixTap).catch(() => null);
  }

  private finish(mixTap: MixTap | null): Promise<File> {
    this.stopping ??= (async () => {
      this.set('stopping');
      try {
        await this.render.stopOutput();
        // The encoder drains the audio up to the last frame before the tap stops sending.
        const result = await this.encode.stop().finally(() => this.releaseTap(mixTap));
        // The fragmented file becomes a regular MP4 (moov in front) with the chapters in it.
        await this.chapters?.settled();
        const done = await finalizeRecording(result.fileName, this.chapters?.list ?? []);
        this.lastFinalize = done;
        if (done.warning) this.onError(done.warning);
        const file = done.file;
        if (result.error && !this.faulted) this.onError(new StudioError(result.error));
        this.onFile(file);
        await this.finishOthers(result);
        return file;
      } finally {
        this.stopFeedTracks();
        this.releaseLock?.();
        this.releaseLock = null;
        this.chapters = null;
        this.stopping = null;
        this.info = null;
        this.set('idle');
      }
    })();
    return this.stopping;
  }

  /**
   * The other outputs' files, and any later part of a file, are finished like the main one
   * (chapters go into each output's first file) and announced one by one.
   */
  private async finishOthers(result: EncodeResult): Promise<void> {
    for (const o of result.outputs) {
      if (o.error && o.id !== 'main' && !this.reportedOutputs.has(o.id) && !o.reported) this.onError(new StudioError(o.error));
      for (const [i, name] of o.files.entries()) {
        if (name === result.fileName) continue;
        try {
          const done = await finalizeRecording(name, i === 0 ? this.chapters?.list ?? [] : []);
          if (done.warning) this.onError(done.warning);
          this.onFile(done.file);
        } catch (e) {
          this.onError(asStudioError(e, `The recording "${finalName(name)}" could not be finished`));
        }
      }
    }
  }

  private stopFeedTracks(): void {
    for (const t of this.feedTracks.splice(0)) t.stop();
  }

  private releaseTap(mixTap: MixTap | null): void {
    const tap = this.tap;
    this.tap = null;
    tap?.stopRecording();
    if (tap && tap !== mixTap) tap.stop();
  }
}

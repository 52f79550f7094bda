/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { closeQueuedAndCancel } from '../src/util/streams.ts';
import { chooseAudioEncoder, chooseVideoEncoder, listSupportedCodecs } from '../src/encode/codec-select.ts';
import { RecordingFile } from '../src/mux/recording-file.ts';
import { installErrorTransfer } from '../src/util/rpc-errors.ts';
import { ClockMapper, wallMicros } from '../src/util/clock.ts';
import { PauseClock } from '../src/encode/pause-clock.ts';
import { AudioInbox } from '../src/encode/audio-inbox.ts';
import { OutputSession, type OpenFile, type OutputHooks, type OutputSpec } from '../src/encode/output-session.ts';
import { StudioStateError, asStudioError } from '../src/util/errors.ts';
import type { EncodeWorkerApi } from '../src/worker-apis.ts';
import type {
  CodecSupport, ContainerName, EncodeEvents, EncodeResult, EncodeStartInfo, EncodeStartOptions, EncodeStats, VideoCodecName,
} from '../src/util/types.ts';

installErrorTransfer();

/** A running recording: its outputs (the main one first) and what feeds them. */
interface Recording {
  info: EncodeStartInfo;
  outputs: OutputSession[];
  /** Outputs fed with the program frames that arrive on `port`. */
  program: OutputSession[];
  port: MessagePort;
  /** Readers of raw camera frames (isolated outputs). */
  cameras: ReadableStreamDefaultReader<VideoFrame>[];
  audioReader: AudioInbox | null;
  /** Set by stop(): audio is drained up to this wall time, then the reader is released. */
  audioUntilUs: number | null;
  audioDrained: () => void;
  audioDone: Promise<void>;
  /** AudioData read from the track, for the drain at stop. */
  audioChunksIn: number;
  /** µs origin of the AudioData clock (the page's time origin), or null to learn it. */
  audioClockOriginUs: number | null;
  pauses: PauseClock;
  flushTimer: ReturnType<typeof setInterval>;
  /** When the last program frame arrived, whether the picture is stalled now, and how often it was. */
  lastFrameAt: number;
  stalled: boolean;
  stalls: number;
  /** Storage left for recordings (bytes), from the last estimate; null when unknown. */
  freeBytes: number | null;
  warnedDisk: boolean;
}

/** No program frame for this long while recording is a stall (reported, counted). */
const STALL_MS = 2000;
/** Below this much recording time left on disk the person is warned (OBS warns too). */
const DISK_WARN_S = 300;

/** Free storage for this origin (bytes), or null where the browser does not say. */
async function freeStorage(): Promise<number | null> {
  const est = await navigator.storage?.estimate?.().catch(() => null);
  return est?.quota !== undefined && est.usage !== undefined ? Math.max(0, est.quota - est.usage) : null;
}

const isSupported = async (c: VideoEncoderConfig) => (await VideoEncoder.isConfigSupported(c)).supported === true;

class EncodeWorker implements EncodeWorkerApi {
  private rec: Recording | null = null;
  private events: EncodeEvents | null = null;
  private lastStats: EncodeStats | null = null;
  private audioDelayUs = 0;

  /** Codecs this browser can encode at a size, for the UI's picker and error messages. */
  async probe(width: number, height: number, frameRate: number): Promise<CodecSupport[]> {
    return listSupportedCodecs(isSupported, width, height, frameRate);
  }

  /** Opens the files, the encoders and the muxers of every output, then accepts frames from `port`. */
  async start(opts: EncodeStartOptions, port: MessagePort, audioPort: MessagePort | null, events: EncodeEvents): Promise<EncodeStartInfo> {
    if (this.rec) throw new StudioStateError('A recording is already running.');
    this.events = events;
    const extras = opts.extraOutputs ?? [];
    const sessions: OutputSession[] = [];
    try {
      const container = opts.container ?? 'mp4';
      const main = await chooseVideoEncoder(isSupported, {
        codec: opts.videoCodec, container, width: opts.width, height: opts.height, frameRate: opts.frameRate, bitrate: opts.videoBitrate,
      });
      const audio = opts.audio && audioPort
        ? await chooseAudioEncoder(async (c) => (await AudioEncoder.isConfigSupported(c)).supported === true, container, opts.audio.sampleRate, opts.audio.channels)
        : null;
      const base = opts.fileName.replace(/\.(mp4|webm)$/i, '');
      const specs: (OutputSpec & { codec: VideoCodecName })[] = [{
        id: 'main', label: 'program', kind: 'program', fileName: `${base}.${container}`, width: opts.width, height: opts.height,
        frameRate: opts.frameRate, video: main.config, audio, codec: main.codec,
      }];
      for (const [i, x] of extras.entries()) {
        // The same codec as the main output, at this output's size and rate.
        const c = await chooseVideoEncoder(isSupported, { codec: main.codec, container, width: x.width, height: x.height, frameRate: x.frameRate, bitrate: x.videoBitrate });
        specs.push({ id: `${x.kind}-${i + 1}`, label: x.label, kind: x.kind, fileName: `${base} (${x.label}).${container}`, width: x.width, height: x.height,
          frameRate: x.frameRate, video: c.config, audio, codec: c.codec });
      }
      const pauses = new PauseClock();
      const hooks = this.hooks();
      for (const spec of specs) {
        // A camera's frames keep their own timing: snapped to a frame grid, jittery ones would collide.
        const gridRate = spec.kind === 'program' ? spec.frameRate : undefined;
        sessions.push(await OutputSession.open(spec, fileOpener(container, spec.codec, gridRate, audio), pauses, hooks));
      }
      const info: EncodeStartInfo = {
        codec: main.codec, codecString: main.config.codec, hardware: main.hardware, container,
        outputPath: opts.outputPath ?? (main.hardware ? 'canvas' : 'nv12-readback'),
        fileName: specs[0].fileName, audioCodec: audio?.codec ?? null,
        outputs: specs.map((s) => ({ id: s.id, label: s.label, kind: s.kind, fileName: s.fileName, width: s.width, height: s.height, codecString: s.video.codec })),
      };
      let audioDrained = () => {};
      const audioDone = new Promise<void>((r) => { audioDrained = r; });
      const rec: Recording = {
        info, outputs: sessions, program: sessions.filter((s) => s.spec.kind === 'program'), port, cameras: [],
        audioReader: null, audioUntilUs: null, audioDrained, audioDone, audioChunksIn: 0, audioClockOriginUs: opts.audioClockOriginUs ?? null,
        pauses, flushTimer: setInterval(() => this.tick(rec), 500),
        lastFrameAt: performance.now(), stalled: false, stalls: 0, freeBytes: null, warnedDisk: false,
      };
      this.rec = rec;
      if (audio && audioPort) {
        rec.audioReader = new AudioInbox(audioPort);
        void this.pumpAudio(rec);
      } else {
        audioPort?.close();
      }
      extras.forEach((x, i) => { if (x.frames) void this.pumpCamera(rec, sessions[i + 1], x.frames); });
      port.onmessage = (ev: MessageEvent<{ type: string; frame?: VideoFrame }>) => {
        if (ev.data.type === 'frame' && ev.data.frame) this.onFrame(rec, ev.data.frame);
      };
      return info;
    } catch (e) {
      // Nothing was recorded: every output opened so far is closed and its file deleted.
      for (const s of sessions) await s.discard();
      for (const x of extras) await x.frames?.cancel().catch(() => {});
      audioPort?.close();
      throw asStudioError(e, 'The recording could not be started');
    }
  }

  private hooks(): OutputHooks {
    return {
      failed: (o, e) => {
        if (o.id === 'main') { this.events?.fatal({ name: e.name, message: e.message }); return; }
        // Another output stops alone: its file is finished now and the main recording goes on.
        this.events?.outputFailed(o.id, { name: e.name, message: `The ${o.spec.label} recording stopped: ${e.message}` });
        void o.finish();
      },
      replaced: (o, count, reason, software) => this.events?.warning(
        `The video encoder${o.id === 'main' ? '' : ` of the ${o.spec.label} recording`} failed (${reason}). A new ${software ? 'software ' : ''}encoder ` +
        `took over and the recording goes on from the next key frame (${count} so far; a third failure within a minute stops it).`),
      newPart: (o, part) => this.events?.warning(
        `The new video encoder writes a different format, so the ${o.id === 'main' ? '' : `${o.spec.label} `}recording continues in a new file ` +
        `whose name ends in "(part ${part})". All parts are kept.`),
    };
  }

  private onFrame(rec: Recording, frame: VideoFrame): void {
    rec.lastFrameAt = performance.now();
    rec.stalled = false;
    try {
      // Each encoder keeps its own reference to the frame (and scales it to its size).
      if (this.rec === rec) for (const o of rec.program) o.encodeFrame(frame);
    } finally {
      frame.close();
      rec.port.postMessage({ type: 'ack' });
    }
  }

  /** Encodes a camera's raw frames (no effects) for its isolated output, on the wall clock. */
  private async pumpCamera(rec: Recording, output: OutputSession, frames: ReadableStream<VideoFrame>): Promise<void> {
    const reader = frames.getReader();
    rec.cameras.push(reader);
    const clock = new ClockMapper();
    // Camera clocks have no exposed origin: learnt from arrival times, moving at most 1 ms per frame.
    clock.maxStepUs = 1000;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        try {
          const wall = clock.map(value.timestamp);
          // A stopped output (failed, or finishing) takes no more frames: the camera is let go below.
          if (this.rec !== rec || output.stopped) break;
          const stamped = new VideoFrame(value, { timestamp: wall });
          try { output.encodeFrame(stamped); } finally { stamped.close(); }
        } finally {
          value.close();
        }
      }
    } catch (e) {
      if (this.rec === rec) output.fail(asStudioError(e, 'The camera stopped delivering frames to its recording'));
    } finally {
      // No more picture: sound past the last frame would have none.
      output.endAudio();
      await closeQueuedAndCancel(reader);
    }
  }

  private async pumpAudio(rec: Recording): Promise<void> {
    const clock = new ClockMapper(rec.audioClockOriginUs);
    // Only used if the origin hint proves wrong: chunk timestamps must keep increasing.
    clock.maxStepUs = 1000;
    try {
      for (;;) {
        const { value, done } = await rec.audioReader!.read();
        if (done) break;
        rec.audioChunksIn++;
        try {
          // The mix carries the microphone's sound later than its stamps say (measured by MixTap).
          const wall = clock.map(value.timestamp) - this.audioDelayUs;
          if (rec.audioUntilUs !== null && wall >= rec.audioUntilUs) break;
          // Every output encodes its own copy of the program sound.
          if (this.rec === rec) for (const o of rec.outputs) o.encodeAudio(value, wall);
        } finally {
          value.close();
        }
      }
    } catch (e) {
      if (this.rec === rec) console.warn('microphone stream ended with an error', e);
    } finally {
      rec.audioDrained();
    }
  }

  private tick(rec: Recording): void {
    for (const o of rec.outputs) o.flushFile();
    this.watchFrames(rec);
    void this.watchDisk(rec);
  }

  /** A recording never fails silently: no picture for two seconds is counted and reported. */
  private watchFrames(rec: Recording): void {
    if (this.rec !== rec || rec.outputs[0].failure || rec.stalled || performance.now() - rec.lastFrameAt < STALL_MS) return;
    rec.stalled = true;
    rec.stalls++;
    this.events?.warning(`No picture has reached the recorder for ${STALL_MS / 1000} s (the GPU or the sources stopped delivering). ` +
      'The recording goes on and shows the gap; check the preview.');
  }

  /** Data rate of the outputs still writing (bytes/s), planned or measured. */
  private rate(rec: Recording): number {
    let r = 0;
    for (const o of rec.outputs) if (!o.stopped) r += Math.max(o.bytesPerSecond, (o.pacer.bitrateKbps() * 1000) / 8);
    return r;
  }

  /** Updates the free space figure and warns once when less than five minutes are left. */
  private async watchDisk(rec: Recording): Promise<void> {
    rec.freeBytes = await freeStorage();
    const rate = this.rate(rec);
    if (rec.freeBytes === null || rec.warnedDisk || this.rec !== rec || rate <= 0) return;
    const left = rec.freeBytes / rate;
    if (left < DISK_WARN_S) {
      rec.warnedDisk = true;
      this.events?.warning(`The disk is nearly full: about ${Math.max(1, Math.round(left / 60))} min of recording left. Free space or stop soon; what is recorded is kept either way.`);
    }
  }

  /** Pauses the running recording: what is captured from now on is left out until resume(). */
  pause(): void {
    if (!this.rec) throw new StudioStateError('Not recording.');
    this.rec.pauses.pause(wallMicros());
  }

  /** Resumes a paused recording; the file continues without a gap. */
  resume(): void {
    if (!this.rec) throw new StudioStateError('Not recording.');
    this.rec.pauses.resume(wallMicros());
  }

  /** Sets the measured microphone→mix delay (µs), for this and later recordings. */
  setAudioDelay(us: number): void {
    if (Number.isFinite(us)) this.audioDelayUs = us;
  }

  /** Diagnostics: closes an output's video encoder as a crash would; the next frame finds it closed. */
  debugFailEncoder(opts: { output?: string; nextCodec?: string } = {}): void {
    const o = this.rec?.outputs.find((x) => x.id === (opts.output ?? 'main'));
    if (!o) throw new StudioStateError(`No running output "${opts.output ?? 'main'}".`);
    o.debugCrash(opts.nextCodec ? { codec: opts.nextCodec } : undefined);
  }

  /** Flushes encoders, finishes every file and returns what was written. */
  async stop(): Promise<EncodeResult> {
    const rec = this.rec;
    if (!rec) throw new StudioStateError('Not recording.');
    // A frame still on its way is closed here (a closed port would drop it unclosed); the port closes at the end.
    rec.port.onmessage = (ev: MessageEvent<{ frame?: VideoFrame }>) => ev.data.frame?.close();
    for (const r of rec.cameras) await closeQueuedAndCancel(r);
    for (const o of rec.outputs) o.endAudio();
    if (rec.audioReader) {
      // Take the audio that was captured up to the last video frame, but never wait long for it.
      rec.audioUntilUs = Math.max(...rec.outputs.map((o) => o.lastVideoUs)) + 20_000;
      // A loaded machine can deliver audio late: keep waiting while it still arrives, up to 3 s.
      const deadline = performance.now() + 3000;
      let seen = -1;
      while (performance.now() < deadline && seen !== rec.audioChunksIn) {
        seen = rec.audioChunksIn;
        if (await Promise.race([rec.audioDone.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 400))])) break;
      }
      await rec.audioReader.cancel().catch(() => {});
    }
    const results = await Promise.all(rec.outputs.map((o) => o.finish()));
    rec.port.onmessage = null;
    rec.port.close();
    clearInterval(rec.flushTimer);
    this.lastStats = this.getStats();
    this.rec = null;
    const main = results[0];
    return { fileName: main.files[0], size: main.size, durationMs: main.durationMs, framesEncoded: main.framesEncoded, error: main.error, outputs: results };
  }

  /** Current encoder statistics (the last recording's after it stopped). */
  getStats(): EncodeStats {
    const rec = this.rec;
    if (!rec) return this.lastStats ? { ...this.lastStats, recording: false, encoderQueue: 0, audioDelayMs: this.audioDelayUs / 1000 } : idleStats(this.audioDelayUs);
    const outputs = rec.outputs.map((o) => o.stats());
    const m = outputs[0], a = rec.outputs[0].audioStats();
    return {
      recording: true, codec: rec.info.codec, codecString: m.codecString, hardwareAcceleration: m.hardwareAcceleration,
      container: rec.info.container, outputPath: rec.info.outputPath,
      framesEncoded: m.framesEncoded, framesSkipped: m.framesSkipped, encoderQueue: m.encoderQueue,
      bitrateKbps: m.bitrateKbps, bytesWritten: m.bytesWritten, durationMs: m.durationMs,
      audioCodec: rec.info.audioCodec, audioChunks: a.chunks, fileName: rec.info.fileName,
      // Dropped: overlaps the timeline removed, and audio past the last video frame at the end.
      audioDelayMs: this.audioDelayUs / 1000, audioSilenceMs: a.silenceUs / 1000, audioDroppedMs: a.droppedUs / 1000,
      videoStalls: rec.stalls, encoderFailovers: m.encoderFailovers, outputs,
      diskFreeBytes: rec.freeBytes,
      diskFullInS: rec.freeBytes === null ? null : rec.freeBytes / Math.max(1, this.rate(rec)),
    };
  }
}

/** Opens the files of one output: its container and codecs. */
function fileOpener(container: ContainerName, videoCodec: VideoCodecName, frameRate: number | undefined, audio: AudioEncoderConfig | null): OpenFile {
  const audioCodec = audio ? (audio.codec === 'opus' ? 'opus' : 'aac') : null;
  return (name, reserveBytes, onError) => RecordingFile.open(name, { container, videoCodec, frameRate, audioCodec }, reserveBytes, onError);
}

function idleStats(audioDelayUs: number): EncodeStats {
  return {
    recording: false, codec: null, codecString: null, hardwareAcceleration: null, container: null, outputPath: null,
    framesEncoded: 0, framesSkipped: 0, encoderQueue: 0, bitrateKbps: 0, bytesWritten: 0, durationMs: 0,
    audioCodec: null, audioChunks: 0, fileName: null, audioDelayMs: audioDelayUs / 1000, audioSilenceMs: 0, audioDroppedMs: 0,
    diskFreeBytes: null, diskFullInS: null, videoStalls: 0, encoderFailovers: 0, outputs: [],
  };
}

Comlink.expose(new EncodeWorker());

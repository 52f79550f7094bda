/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { chooseAudioEncoder, chooseVideoEncoder, listSupportedCodecs } from '../src/encode/codec-select.ts';
import { EncodePacer } from '../src/encode/pacer.ts';
import { OpfsFileSink, recordingsDir, storageError } from '../src/mux/opfs-sink.ts';
import { RecordingOutput } from '../src/mux/recording-output.ts';
import { installErrorTransfer } from '../src/util/rpc-errors.ts';
import { ClockMapper, wallMicros } from '../src/util/clock.ts';
import { PauseClock } from '../src/encode/pause-clock.ts';
import { AudioTimeline } from '../src/encode/audio-timeline.ts';
import { AudioInbox } from '../src/encode/audio-inbox.ts';
import { EncoderError, StudioError, StudioStateError, asStudioError } from '../src/util/errors.ts';
import type { EncodeWorkerApi } from '../src/worker-apis.ts';
import type { CodecSupport, EncodeEvents, EncodeResult, EncodeStartInfo, EncodeStartOptions, EncodeStats } from '../src/util/types.ts';

installErrorTransfer();

interface Session {
  info: EncodeStartInfo;
  sink: OpfsFileSink;
  out: RecordingOutput;
  video: VideoEncoder;
  audio: AudioEncoder | null;
  audioReader: AudioInbox | null;
  port: MessagePort;
  pacer: EncodePacer;
  originUs: number | null;
  lastVideoUs: number;
  /** Set by stop(): audio is drained up to this wall time, then the reader is released. */
  audioUntilUs: number | null;
  audioDrained: () => void;
  audioDone: Promise<void>;
  audioChunks: number;
  /** AudioData read from the track, for the drain at stop. */
  audioChunksIn: number;
  failure: StudioError | null;
  /** µs origin of the AudioData clock (the page's time origin), or null to learn it. */
  audioClockOriginUs: number | null;
  timeline: AudioTimeline;
  flushTimer: ReturnType<typeof setInterval>;
  startedAt: number;
  /** When the last program frame arrived, whether the picture is stalled now, and how often it was. */
  lastFrameAt: number;
  stalled: boolean;
  stalls: number;
  /** Pauses on the capture clock. */
  pauses: PauseClock;
  /** End (µs, capture clock less pauses) of the video encoded so far, and audio chunks waiting for it. */
  videoEncodedUs: number;
  audioHeld: { chunk: EncodedAudioChunk; meta?: EncodedAudioChunkMetadata }[];
  /** Audio left out at the end because no video went with it (µs). */
  audioTrimmedUs: number;
  /** Storage left for recordings (bytes), from the last estimate; null when unknown. */
  freeBytes: number | null;
  /** Planned data rate (video + audio), for "Disk full in". */
  bytesPerSecond: number;
  warnedDisk: boolean;
}

/** Audio held ahead of the video longer than this is muxed anyway (a stalled picture must not hold memory). */
const AUDIO_HOLD_MAX_US = 3_000_000;

/** Hands the muxer the held audio chunks that start before `videoEndUs` (or that waited too long). */
function releaseAudio(s: Session, videoEndUs: number): void {
  const held = s.audioHeld;
  let n = 0;
  while (n < held.length) {
    const c = held[n].chunk;
    const newest = held[held.length - 1].chunk.timestamp;
    if (c.timestamp >= videoEndUs && newest - c.timestamp < AUDIO_HOLD_MAX_US) break;
    s.out.addAudio(c, s.originUs!, held[n].meta);
    s.audioChunks++;
    n++;
  }
  if (n > 0) held.splice(0, n);
}

/** Deletes a file that a failed start left behind (best effort: the start error is what matters). */
async function removeRecording(name: string): Promise<void> {
  await (await recordingsDir()).removeEntry(name).catch(() => {});
}

/** No program frame for this long while recording is a stall (reported, counted). */
const STALL_MS = 2000;

/** Below this much recording time left on disk the person is warned (OBS warns too). */
const DISK_WARN_S = 300;
/** A recording needs room for at least this long to start (reserved in the file, which the quota checks). */
const DISK_MIN_S = 60;

/** Free storage for this origin (bytes), or null where the browser does not say. */
async function freeStorage(): Promise<number | null> {
  const est = await navigator.storage?.estimate?.().catch(() => null);
  return est?.quota !== undefined && est.usage !== undefined ? Math.max(0, est.quota - est.usage) : null;
}


class EncodeWorker implements EncodeWorkerApi {
  private s: Session | null = null;
  private events: EncodeEvents | null = null;
  private lastStats: EncodeStats | null = null;
  private audioDelayUs = 0;

  /** Codecs this browser can encode at a size, for the UI's picker and error messages. */
  async probe(width: number, height: number, frameRate: number): Promise<CodecSupport[]> {
    return listSupportedCodecs(async (c) => (await VideoEncoder.isConfigSupported(c)).supported === true, width, height, frameRate);
  }

  /** Opens the file, the encoders and the muxer, then accepts frames from `port`. */
  async start(opts: EncodeStartOptions, port: MessagePort, audioPort: MessagePort | null, events: EncodeEvents): Promise<EncodeStartInfo> {
    if (this.s) throw new StudioStateError('A recording is already running.');
    this.events = events;
    const container = opts.container ?? 'mp4';
    const choice = await chooseVideoEncoder(async (c) => (await VideoEncoder.isConfigSupported(c)).supported === true, {
      codec: opts.videoCodec, container, width: opts.width, height: opts.height, frameRate: opts.frameRate, bitrate: opts.videoBitrate,
    });
    const audioConfig = opts.audio && audioPort
      ? await chooseAudioEncoder(async (c) => (await AudioEncoder.isConfigSupported(c)).supported === true, container, opts.audio.sampleRate, opts.audio.channels)
      : null;
    const fileName = opts.fileName.replace(/\.(mp4|webm)$/i, '') + '.' + container;
    const bytesPerSecond = ((choice.config.bitrate ?? 0) + (audioConfig?.bitrate ?? 0)) / 8;
    const sink = await OpfsFileSink.create(fileName, DISK_MIN_S * bytesPerSecond);
    let session: Session | null = null;
    const out = new RecordingOutput(sink.writable, {
      container, videoCodec: choice.codec, frameRate: opts.frameRate,
      audioCodec: audioConfig ? (audioConfig.codec === 'opus' ? 'opus' : 'aac') : null,
    }, (e) => {
      // A full disk (or any writer error) ends the recording now, not at the next Stop.
      if (session) this.fail(session, e instanceof StudioError ? e : storageError(e));
    });
    try {
      await out.start();
    } catch (e) {
      sink.close();
      await removeRecording(fileName);
      throw asStudioError(e, 'Could not start the recording file');
    }
    const info: EncodeStartInfo = {
      codec: choice.codec, codecString: choice.config.codec, hardware: choice.hardware, container,
      outputPath: opts.outputPath ?? (choice.hardware ? 'canvas' : 'nv12-readback'),
      fileName, audioCodec: audioConfig?.codec ?? null,
    };
    let audioDrained = () => {};
    const audioDone = new Promise<void>((r) => { audioDrained = r; });
    const s: Session = {
      info, sink, out, port, audioReader: null, originUs: null, lastVideoUs: 0, audioUntilUs: null, audioDrained, audioDone, audioChunksIn: 0, audioChunks: 0, failure: null,
      audioClockOriginUs: opts.audioClockOriginUs ?? null, timeline: new AudioTimeline(),
      // A key frame every second: the fragmented MP4 closes a fragment at each, so a crash or a
      // full disk loses at most about a second of what was recorded.
      pacer: new EncodePacer(opts.frameRate, 3, 1),
      video: null as unknown as VideoEncoder, audio: null,
      flushTimer: setInterval(() => { sink.flush(); this.watchFrames(s); void this.watchDisk(s); }, 500), startedAt: performance.now(),
      lastFrameAt: performance.now(), stalled: false, stalls: 0,
      freeBytes: null, bytesPerSecond, warnedDisk: false, videoEncodedUs: -Infinity, audioHeld: [], audioTrimmedUs: 0, pauses: new PauseClock(),
    };
    session = s;
    sink.onFailure = (e) => this.fail(s, e);
    s.video = new VideoEncoder({
      output: (chunk, meta) => {
        // After a pause, the picture moves earlier by the time paused (no gap in the file).
        const shift = s.pauses.offset(chunk.timestamp);
        if (s.originUs !== null) out.addVideo(chunk, s.originUs + shift, meta);
        s.pacer.encoded(chunk.byteLength);
        s.videoEncodedUs = Math.max(s.videoEncodedUs, chunk.timestamp - shift + (chunk.duration ?? 0));
        releaseAudio(s, s.videoEncodedUs);
      },
      error: (e) => this.fail(s, new EncoderError(`The video encoder failed: ${e.message}. The recording was stopped and what was written is kept.`)),
    });
    try {
      s.video.configure(choice.config);
    } catch (e) {
      // Nothing was recorded: release the timer, the encoder and the file, and leave no empty file.
      clearInterval(s.flushTimer);
      s.video.close();
      await out.cancel();
      sink.close();
      await removeRecording(fileName);
      throw new EncoderError(`The video encoder could not be set up (${e instanceof Error ? e.message : String(e)}). Try another codec.`);
    }
    if (audioConfig && audioPort) {
      s.audio = new AudioEncoder({
        output: (chunk, meta) => {
          if (s.originUs === null) return;
          // Audio is live; video comes through rendering and encoding later. Audio waits for the
          // video it belongs with, so that both tracks end together however low the frame rate.
          s.audioHeld.push({ chunk, meta });
          releaseAudio(s, s.videoEncodedUs);
        },
        error: (e) => this.fail(s, new EncoderError(`The audio encoder failed: ${e.message}. The recording was stopped and what was written is kept.`)),
      });
      s.audioReader = new AudioInbox(audioPort);
      void this.pumpAudio(s, audioConfig);
    } else {
      audioPort?.close();
    }
    port.onmessage = (ev: MessageEvent<{ type: string; frame?: VideoFrame }>) => {
      if (ev.data.type === 'frame' && ev.data.frame) this.onFrame(s, ev.data.frame);
    };
    this.s = s;
    return info;
  }

  private onFrame(s: Session, frame: VideoFrame): void {
    s.lastFrameAt = performance.now();
    s.stalled = false;
    try {
      if (this.s !== s || s.failure || s.video.state !== 'configured') return;
      if (s.pauses.paused(frame.timestamp)) return;
      const backlog = s.video.encodeQueueSize + Math.floor(s.out.pending / 4);
      if (!s.pacer.admit(backlog)) return;
      s.originUs ??= frame.timestamp;
      s.lastVideoUs = frame.timestamp;
      s.video.encode(frame, { keyFrame: s.pacer.wantsKeyFrame(frame.timestamp) });
      s.pacer.submitted();
    } catch (e) {
      this.fail(s, asStudioError(e, 'Encoding a frame failed'));
    } finally {
      frame.close();
      s.port.postMessage({ type: 'ack' });
    }
  }

  private async pumpAudio(s: Session, config: AudioEncoderConfig): Promise<void> {
    const clock = new ClockMapper(s.audioClockOriginUs);
    // Only used if the origin hint proves wrong: chunk timestamps must keep increasing.
    clock.maxStepUs = 1000;
    let configured = false;
    try {
      for (;;) {
        const { value, done } = await s.audioReader!.read();
        if (done) break;
        s.audioChunksIn++;
        try {
          // The mix carries the microphone's sound later than its stamps say (measured by MixTap).
          const wall = clock.map(value.timestamp) - this.audioDelayUs;
          if (s.audioUntilUs !== null && wall >= s.audioUntilUs) break;
          // Audio captured before the first video frame is not part of the recording.
          if (this.s !== s || s.originUs === null || wall < s.originUs || s.failure || s.pauses.paused(wall)) continue;
          if (!configured) {
            s.audio!.configure({ ...config, sampleRate: value.sampleRate, numberOfChannels: value.numberOfChannels });
            configured = true;
          }
          // Sound after a pause moves earlier by the time paused, as the picture does.
          const step = s.timeline.place(wall - s.pauses.offset(wall), value.numberOfFrames, value.sampleRate);
          if (step.silenceFrames > 0) encodeSilence(s.audio!, value, step.silenceFrames, step.silenceAtUs);
          if (step.dropFrames < value.numberOfFrames) {
            // Stamped on the wall clock so audio and video share one origin in the file.
            const copy = retimestamped(value, step.chunkAtUs, step.dropFrames);
            try { s.audio!.encode(copy); } finally { copy.close(); }
          }
        } finally {
          value.close();
        }
      }
    } catch (e) {
      if (this.s === s && !s.failure) console.warn('microphone stream ended with an error', e);
    } finally {
      s.audioDrained();
    }
  }

  /** A recording never fails silently: no picture for two seconds is counted and reported. */
  private watchFrames(s: Session): void {
    if (this.s !== s || s.failure || s.stalled || performance.now() - s.lastFrameAt < STALL_MS) return;
    s.stalled = true;
    s.stalls++;
    this.events?.warning(`No picture has reached the recorder for ${STALL_MS / 1000} s (the GPU or the sources stopped delivering). ` +
      'The recording goes on and shows the gap; check the preview.');
  }

  /** Updates the free space figure and warns once when less than five minutes are left. */
  private async watchDisk(s: Session): Promise<void> {
    s.freeBytes = await freeStorage();
    const rate = Math.max(s.bytesPerSecond, (s.pacer.bitrateKbps() * 1000) / 8);
    if (s.freeBytes === null || s.warnedDisk || this.s !== s || rate <= 0) return;
    const left = s.freeBytes / rate;
    if (left < DISK_WARN_S) {
      s.warnedDisk = true;
      this.events?.warning(`The disk is nearly full: about ${Math.max(1, Math.round(left / 60))} min of recording left. Free space or stop soon; what is recorded is kept either way.`);
    }
  }

  /** Pauses the running recording: what is captured from now on is left out until resume(). */
  pause(): void {
    const s = this.s;
    if (!s) throw new StudioStateError('Not recording.');
    s.pauses.pause(wallMicros());
  }

  /** Resumes a paused recording; the file continues without a gap. */
  resume(): void {
    const s = this.s;
    if (!s) throw new StudioStateError('Not recording.');
    s.pauses.resume(wallMicros());
  }

  /** Sets the measured microphone→mix delay (µs), for this and later recordings. */
  setAudioDelay(us: number): void {
    if (Number.isFinite(us)) this.audioDelayUs = us;
  }

  private fail(s: Session, e: StudioError): void {
    if (s.failure) return;
    s.failure = e;
    this.events?.fatal({ name: e.name, message: e.message });
  }

  /** Flushes encoders, finishes the file and returns what was written. */
  async stop(): Promise<EncodeResult> {
    const s = this.s;
    if (!s) throw new StudioStateError('Not recording.');
    s.port.onmessage = null;
    s.port.close();
    if (s.audioReader) {
      // Take the audio that was captured up to the last video frame, but never wait long for it.
      s.audioUntilUs = s.lastVideoUs + 20_000;
      // A loaded machine can deliver audio late: keep waiting while it still arrives, up to 3 s.
      const deadline = performance.now() + 3000;
      let seen = -1;
      while (performance.now() < deadline && seen !== s.audioChunksIn) {
        seen = s.audioChunksIn;
        if (await Promise.race([s.audioDone.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 400))])) break;
      }
      await s.audioReader.cancel().catch(() => {});
    }
    if (!s.failure) {
      await s.video.flush().catch((e) => this.fail(s, asStudioError(e, 'Flushing the video encoder failed')));
      if (s.audio?.state === 'configured') await s.audio.flush().catch((e) => this.fail(s, asStudioError(e, 'Flushing the audio encoder failed')));
    }
    // The file ends with its last video frame: audio past it is left out (and counted).
    releaseAudio(s, s.videoEncodedUs);
    for (const h of s.audioHeld) s.audioTrimmedUs += h.chunk.duration ?? 0;
    s.audioHeld.length = 0;
    let error: string | null = s.failure?.message ?? null;
    try {
      await s.out.finalize();
    } catch (e) {
      error ??= asStudioError(e, 'Finishing the file failed').message;
      await s.out.cancel();
    }
    clearInterval(s.flushTimer);
    this.lastStats = this.getStats();
    if (s.video.state !== 'closed') s.video.close();
    if (s.audio && s.audio.state !== 'closed') s.audio.close();
    s.sink.close();
    this.s = null;
    const durationMs = s.originUs === null ? 0 : (s.lastVideoUs - s.pauses.offset(s.lastVideoUs) - s.originUs) / 1000;
    return { fileName: s.info.fileName, size: s.sink.size, durationMs, framesEncoded: s.pacer.framesEncoded, error };
  }

  /** Current encoder statistics (the last recording's after it stopped). */
  getStats(): EncodeStats {
    const s = this.s;
    const delay = { audioDelayMs: this.audioDelayUs / 1000 };
    if (!s) return this.lastStats ? { ...this.lastStats, recording: false, encoderQueue: 0, ...delay } : { ...idleStats(), ...delay };
    return {
      recording: true, codec: s.info.codec, codecString: s.info.codecString,
      hardwareAcceleration: s.info.hardware ? 'hardware' : 'software', container: s.info.container, outputPath: s.info.outputPath,
      framesEncoded: s.pacer.framesEncoded, framesSkipped: s.pacer.framesSkipped, encoderQueue: s.video.encodeQueueSize,
      bitrateKbps: s.pacer.bitrateKbps(), bytesWritten: s.sink.bytesWritten,
      durationMs: s.originUs === null ? 0 : (s.lastVideoUs - s.pauses.offset(s.lastVideoUs) - s.originUs) / 1000,
      audioCodec: s.info.audioCodec, audioChunks: s.audioChunks, fileName: s.info.fileName,
      // Dropped: overlaps the timeline removed, and audio past the last video frame at the end.
      audioDelayMs: this.audioDelayUs / 1000, audioSilenceMs: s.timeline.silenceUs / 1000, audioDroppedMs: (s.timeline.droppedUs + s.audioTrimmedUs) / 1000,
      videoStalls: s.stalls,
      diskFreeBytes: s.freeBytes,
      diskFullInS: s.freeBytes === null ? null : s.freeBytes / Math.max(1, s.bytesPerSecond, (s.pacer.bitrateKbps() * 1000) / 8),
    };
  }
}

function idleStats(): EncodeStats {
  return {
    recording: false, codec: null, codecString: null, hardwareAcceleration: null, container: null, outputPath: null,
    framesEncoded: 0, framesSkipped: 0, encoderQueue: 0, bitrateKbps: 0, bytesWritten: 0, durationMs: 0,
    audioCodec: null, audioChunks: 0, fileName: null, audioDelayMs: 0, audioSilenceMs: 0, audioDroppedMs: 0,
    diskFreeBytes: null, diskFullInS: null, videoStalls: 0,
  };
}

/** AudioData has no way to change its timestamp, so the samples (after `skip` frames) are copied into a new one. */
function retimestamped(a: AudioData, timestamp: number, skip = 0): AudioData {
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
function encodeSilence(enc: AudioEncoder, like: AudioData, frames: number, atUs: number): void {
  const rate = like.sampleRate, ch = like.numberOfChannels;
  for (let done = 0; done < frames;) {
    const n = Math.min(frames - done, rate);
    const d = new AudioData({ format: 'f32-planar', sampleRate: rate, numberOfFrames: n, numberOfChannels: ch, timestamp: atUs + (done * 1e6) / rate, data: new Float32Array(n * ch) });
    try { enc.encode(d); } finally { d.close(); }
    done += n;
  }
}

Comlink.expose(new EncodeWorker());


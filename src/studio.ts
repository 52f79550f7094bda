import * as Comlink from 'comlink';
import { openCamera, trackReadable, listCameras, cameraError, type CameraCapture } from './capture/camera.ts';
import { CameraClock } from './capture/camera-clock.ts';
import { MixTap } from './audio/mix-tap.ts';
import { listRecordings, getRecording, deleteRecording, recordingName } from './mux/recordings.ts';
import { AudioEngine, AudioStateEvent, type AudioLevels, type AudioSourceInfo, type AudioSourceSettings, type MasterSettings } from './audio/audio-engine.ts';
import { installErrorTransfer } from './util/rpc-errors.ts';
import { loadBackground, saveBackground, loadMaskOptions, saveMaskOptions } from './segment/effect-store.ts';
import type { BackgroundEffect } from './segment/background-effect.ts';
import type { MaskOptions } from './segment/mask-options.ts';
import { StudioError, StudioStateError, errorClasses, asStudioError } from './util/errors.ts';
import type { RenderWorkerApi, EncodeWorkerApi } from './worker-apis.ts';
import type {
  CameraOptions, CodecSupport, EncodeStartInfo, IngestPath, RecordingInfo, RecordingOptions, StudioStats, WorkerFault,
} from './util/types.ts';

installErrorTransfer();

export type CameraState = 'off' | 'starting' | 'on';
export type RecordingState = 'idle' | 'starting' | 'recording' | 'stopping';

/**
 * Events: 'state' (camera/recording state changed), 'error' (detail: StudioError), 'recording'
 * (detail: File), 'audiostate' (detail: {state, message}: the browser paused or resumed audio),
 * 'audiosources' (the mixer's sources changed).
 */
export type StudioEventName = 'state' | 'error' | 'recording' | 'audiostate' | 'audiosources';

/** An audio source to add to the mixer. */
export type AddAudioSource =
  | { kind: 'microphone'; deviceId?: string; label?: string }
  | { kind: 'display'; label?: string }
  | { kind: 'file'; file: Blob; label?: string };

function faultToError(f: WorkerFault): StudioError {
  const Cls = errorClasses[f.name] ?? StudioError;
  return new Cls(f.message);
}

/**
 * The studio's automation API (also what the UI uses): camera, recording and stats, with the
 * render and encode workers behind it. Frames go camera → render worker → encode worker and
 * never through this thread.
 */
export class Studio extends EventTarget {
  /** Resolves when the GPU pipeline is ready; rejects with WebGPUUnavailableError without WebGPU. */
  readonly ready: Promise<void>;
  cameraState: CameraState = 'off';
  recordingState: RecordingState = 'idle';
  /** Info about the running recording (codec, container, path). */
  recordingInfo: EncodeStartInfo | null = null;
  private readonly render: Comlink.Remote<RenderWorkerApi>;
  private readonly encode: Comlink.Remote<EncodeWorkerApi>;
  private camera: CameraCapture | null = null;
  /** Measures the camera clock for the render worker's timestamps (see CameraClock). */
  private cameraClock: CameraClock | null = null;
  /** Reads the mix for the recorder and measures the camera microphone's delay in it (MixTap). */
  private mixTap: MixTap | null = null;
  /** The tap the running recording reads (the mix, or the bare microphone without a mixer). */
  private recordTap: MixTap | null = null;
  private stopping: Promise<File> | null = null;
  /** A recording that ended on its own (camera unplugged, encoder error) and was not yet collected. */
  private unclaimed: File | null = null;
  private recordingStartedAt = 0;
  private audioEngine: Promise<AudioEngine> | null = null;
  private micSourceId: string | null = null;
  /** Capture tracks the studio opened for an audio source, stopped when the source is removed. */
  private readonly ownedTracks = new Map<string, MediaStreamTrack[]>();

  constructor(canvas: HTMLCanvasElement) {
    super();
    const rw = new Worker(new URL('../workers/render.worker.ts', import.meta.url), { type: 'module', name: 'render' });
    const ew = new Worker(new URL('../workers/encode.worker.ts', import.meta.url), { type: 'module', name: 'encode' });
    this.render = Comlink.wrap<RenderWorkerApi>(rw);
    this.encode = Comlink.wrap<EncodeWorkerApi>(ew);
    const offscreen = canvas.transferControlToOffscreen();
    this.ready = this.render.init(Comlink.transfer(offscreen, [offscreen]), Comlink.proxy({
      sourceEnded: (reason: string) => void this.onSourceEnded(reason),
      fatal: (f: WorkerFault) => void this.onFatal(faultToError(f)),
    })).then(async (info) => {
      this.segmentation = info.segmentation;
      if (info.segmentation !== 'unavailable') await this.restoreEffects();
    });
  }

  /** 'webgpu', 'wasm' or 'unavailable': where background removal runs. */
  segmentation = 'unavailable';

  private async restoreEffects(): Promise<void> {
    try {
      const opts = loadMaskOptions();
      if (opts) await this.render.setMaskOptions(opts);
      const bg = await loadBackground();
      if (bg) await this.render.setBackground(bg);
    } catch (e) {
      this.emit('error', asStudioError(e, 'The saved background could not be restored'));
    }
  }

  /**
   * Sets the background effect: none, blur (strength 0..1), colour, image (a Blob, cover-fit)
   * or transparent. The choice (and the image) is remembered for the next visit.
   */
  async setBackground(effect: BackgroundEffect): Promise<void> {
    await this.ready;
    await this.render.setBackground(effect);
    await saveBackground(effect).catch((e) => this.emit('error', asStudioError(e, 'The background choice could not be saved')));
  }

  /** Changes the mask refinement knobs (threshold, softness, expand, smoothContour, feather, temporal, edgeAware). */
  async setMaskOptions(opts: Partial<MaskOptions>): Promise<MaskOptions> {
    await this.ready;
    const all = await this.render.setMaskOptions(opts);
    saveMaskOptions(all);
    return all;
  }

  /** Removes the background of a still image; resolves to a PNG whose alpha is the person mask. */
  async removeBackground(image: Blob): Promise<Blob> {
    await this.ready;
    return this.render.removeBackground(image);
  }

  private emit(name: StudioEventName, detail?: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  private setState(camera: CameraState = this.cameraState, rec: RecordingState = this.recordingState): void {
    this.cameraState = camera;
    this.recordingState = rec;
    this.emit('state');
  }

  /** Milliseconds since the running recording started (0 when idle). */
  get recordingElapsedMs(): number {
    return this.recordingState === 'recording' ? performance.now() - this.recordingStartedAt : 0;
  }

  /** Opens the camera (and microphone) and starts the preview. */
  async startCamera(opts: CameraOptions = {}): Promise<void> {
    await this.ready;
    if (this.cameraState === 'starting') throw new StudioStateError('The camera is already starting.');
    if (this.camera) await this.stopCamera();
    this.setState('starting');
    try {
      const cam = await openCamera(opts);
      this.camera = cam;
      const readable = trackReadable<VideoFrame>(cam.video);
      const width = cam.settings.width ?? 1280, height = cam.settings.height ?? 720;
      await this.render.attachSource(Comlink.transfer(readable, [readable as unknown as Transferable]), { width, height });
      this.cameraClock = new CameraClock(cam.video, (us) => void this.render.observeClockOffset(us).catch(() => {}));
      if (cam.audio) await this.attachMicrophone(cam.audio);
      this.setState('on');
    } catch (e) {
      this.camera?.stream.getTracks().forEach((t) => t.stop());
      this.camera = null;
      this.setState('off');
      throw asStudioError(e, 'The camera could not be started');
    }
  }

  /** Stops the camera; a running recording is finished first. */
  async stopCamera(): Promise<void> {
    if (this.recordingState === 'recording') this.unclaimed = await this.finishRecording();
    await this.render.detachSource();
    this.releaseCamera();
    this.setState('off');
  }

  private releaseCamera(): void {
    this.cameraClock?.stop();
    this.cameraClock = null;
    this.mixTap?.setMicrophone(null);
    this.camera?.stream.getTracks().forEach((t) => t.stop());
    this.camera = null;
    if (this.micSourceId) void this.removeAudioSource(this.micSourceId).catch(() => {});
    this.micSourceId = null;
  }

  /** The audio mixer, created on first use (its AudioContext needs the page to be isolated). */
  audio(): Promise<AudioEngine> {
    this.audioEngine ??= AudioEngine.create().then((engine) => {
      engine.addEventListener('statechange', (ev) => {
        const e = ev as AudioStateEvent;
        if (e.paused) engine.resumeOnGesture();
        this.emit('audiostate', { state: e.state, message: e.message });
      });
      engine.addEventListener('error', (ev) => this.emit('error', (ev as ErrorEvent).error));
      engine.addEventListener('sourceschange', () => this.emit('audiosources'));
      this.mixTap = new MixTap(engine.outputTrack, trackReadable<AudioData>, (ms) => void this.encode.setAudioDelay((ms ?? 0) * 1000).catch(() => {}));
      if (engine.state === 'suspended') {
        engine.resumeOnGesture();
        this.emit('audiostate', { state: engine.state, message: 'Audio paused by the browser — click anywhere to resume.' });
      }
      return engine;
    });
    return this.audioEngine;
  }

  private async attachMicrophone(track: MediaStreamTrack): Promise<void> {
    try {
      const engine = await this.audio();
      this.micSourceId = (await engine.addSource('microphone', track, track.label || 'Microphone')).id;
      // Lip sync: the recorder subtracts how long the microphone waits in front of the mixer.
      this.mixTap?.setMicrophone(track);
    } catch (e) {
      // The camera works without sound; say why there is none.
      this.emit('error', asStudioError(e, 'The microphone could not be added to the mixer'));
    }
  }

  /** Sources in the audio mixer. */
  async listAudioSources(): Promise<AudioSourceInfo[]> {
    return (await this.audio()).listSources();
  }

  /** Adds a microphone, the audio of a shared screen/tab, or a looping audio file to the mixer. */
  async addAudioSource(src: AddAudioSource): Promise<AudioSourceInfo> {
    const engine = await this.audio();
    if (src.kind === 'file') return engine.addSource('file', src.file, src.label ?? ((src.file as File).name || 'Audio file'));
    let stream: MediaStream;
    try {
      stream = src.kind === 'microphone'
        ? await navigator.mediaDevices.getUserMedia({ audio: src.deviceId ? { deviceId: { exact: src.deviceId } } : true })
        : await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
    } catch (e) {
      throw cameraError(e);
    }
    const audio = stream.getAudioTracks()[0];
    // Only the sound is wanted from a screen share here; the picture is not used.
    stream.getVideoTracks().forEach((t) => t.stop());
    if (!audio) {
      throw new StudioStateError(src.kind === 'display'
        ? 'The shared screen or tab has no audio. Share again and tick "Share tab audio" (or "Share system audio").'
        : 'The microphone gave no audio track.');
    }
    const info = await engine.addSource(src.kind, audio, src.label ?? (audio.label || (src.kind === 'display' ? 'Screen audio' : 'Microphone')));
    this.ownedTracks.set(info.id, [audio]);
    audio.addEventListener('ended', () => void this.removeAudioSource(info.id).catch(() => {}));
    return info;
  }

  /** Removes a source from the mixer; a running recording goes on without it. */
  async removeAudioSource(id: string): Promise<void> {
    const engine = await this.audio();
    if (engine.listSources().some((s) => s.id === id)) engine.removeSource(id);
    this.ownedTracks.get(id)?.forEach((t) => t.stop());
    this.ownedTracks.delete(id);
    if (id === this.micSourceId) {
      this.micSourceId = null;
      // The mix no longer carries that microphone, so its delay no longer applies.
      this.mixTap?.setMicrophone(null);
    }
  }

  /** Sets gain (dB), mute, pan, monitoring and EQ of a source, or gain/mute of 'master'. */
  async setAudio(id: string | 'master', settings: AudioSourceSettings): Promise<AudioSourceInfo | MasterSettings> {
    const engine = await this.audio();
    if (id === 'master') return engine.setMaster({ gainDb: settings.gainDb, muted: settings.muted });
    return engine.setSource(id, settings);
  }

  /** Peak and RMS levels (dBFS) of every source and the master since the last call. */
  async getAudioLevels(): Promise<AudioLevels> {
    return (await this.audio()).getLevels();
  }

  /** The live camera and microphone tracks (for device pickers and tests). */
  get tracks(): { video: MediaStreamTrack | null; audio: MediaStreamTrack | null } {
    return { video: this.camera?.video ?? null, audio: this.camera?.audio ?? null };
  }

  /** Codecs this browser can record at the current output size. */
  async probeCodecs(): Promise<CodecSupport[]> {
    const st = await this.render.getStats();
    return this.encode.probe(st.outputWidth || 1280, st.outputHeight || 720, this.camera?.settings.frameRate ?? 30);
  }

  /** Starts recording the rendered output (and the microphone) to a file on disk. */
  async startRecording(opts: RecordingOptions = {}): Promise<EncodeStartInfo> {
    if (this.cameraState !== 'on' || !this.camera) throw new StudioStateError('Start the camera before recording.');
    if (this.recordingState !== 'idle') throw new StudioStateError('A recording is already running.');
    this.setState(undefined, 'starting');
    const channel = new MessageChannel();
    // The mixer's master bus is what gets recorded; without a mixer, the microphone directly.
    const engine = await this.audio().catch(() => null);
    const mic = engine?.outputTrack ?? (this.camera.audio?.readyState === 'live' ? this.camera.audio : null);
    const tap = engine ? this.mixTap : mic ? new MixTap(mic, trackReadable<AudioData>, () => {}) : null;
    this.recordTap = tap;
    const audio = tap?.startRecording() ?? null;
    try {
      const st = await this.render.getStats();
      const settings = mic?.getSettings();
      const info = await this.encode.start({
        ...opts,
        width: st.outputWidth, height: st.outputHeight,
        frameRate: Math.round(this.camera.settings.frameRate ?? 30),
        fileName: recordingName(),
        audio: mic ? { sampleRate: settings?.sampleRate ?? 48000, channels: settings?.channelCount ?? 2 } : null,
        audioClockOriginUs: performance.timeOrigin * 1000,
      }, Comlink.transfer(channel.port2, [channel.port2]), audio ? Comlink.transfer(audio, [audio]) : null,
      Comlink.proxy({ fatal: (f: WorkerFault) => void this.onFatal(faultToError(f)) }));
      await this.render.startOutput(Comlink.transfer(channel.port1, [channel.port1]), info.outputPath);
      this.recordingInfo = info;
      this.unclaimed = null;
      this.recordingStartedAt = performance.now();
      this.setState(undefined, 'recording');
      return info;
    } catch (e) {
      this.releaseRecordTap();
      this.setState(undefined, 'idle');
      throw asStudioError(e, 'The recording could not be started');
    }
  }

  /** Stops recording and returns the finished file (also after the camera ended the recording). */
  async stopRecording(): Promise<File> {
    if (this.stopping) return this.stopping;
    if (this.recordingState !== 'recording') {
      const f = this.unclaimed;
      this.unclaimed = null;
      if (f) return f;
      throw new StudioStateError('Not recording.');
    }
    return this.finishRecording();
  }

  private finishRecording(): Promise<File> {
    this.stopping ??= (async () => {
      this.setState(undefined, 'stopping');
      try {
        await this.render.stopOutput();
        // The encoder drains the audio up to the last frame before the tap stops sending.
        const result = await this.encode.stop().finally(() => this.releaseRecordTap());
        const file = await getRecording(result.fileName);
        if (result.error) this.emit('error', new StudioError(result.error));
        this.emit('recording', file);
        return file;
      } finally {
        this.stopping = null;
        this.recordingInfo = null;
        this.setState(undefined, 'idle');
      }
    })();
    return this.stopping;
  }

  private releaseRecordTap(): void {
    const tap = this.recordTap;
    this.recordTap = null;
    tap?.stopRecording();
    if (tap && tap !== this.mixTap) tap.stop();
  }

  private async onSourceEnded(reason: string): Promise<void> {
    const wasRecording = this.recordingState === 'recording';
    if (wasRecording) this.unclaimed = await this.finishRecording().catch(() => null);
    this.releaseCamera();
    this.setState('off');
    this.emit('error', new StudioError(`The camera stopped: ${reason} (was it unplugged?).` +
      (wasRecording ? ' The recording was finished and saved.' : '')));
  }

  private async onFatal(e: StudioError): Promise<void> {
    if (this.recordingState === 'recording') this.unclaimed = await this.finishRecording().catch(() => null);
    this.emit('error', e);
  }

  /** Pipeline, encoder and camera statistics. */
  async getStats(): Promise<StudioStats> {
    const [render, encode] = await Promise.all([this.render.getStats().catch(() => null), this.encode.getStats().catch(() => null)]);
    const s = this.camera?.settings;
    return {
      render, encode,
      camera: { active: this.cameraState === 'on', label: this.camera?.label ?? null, width: s?.width ?? 0, height: s?.height ?? 0, frameRate: s?.frameRate ?? 0 },
      micDelayMs: this.mixTap?.delayMs ?? null,
    };
  }

  /** Chooses how camera frames reach the GPU: 'auto' (zero-copy where possible) or the copy path. */
  async setIngestPath(pref: 'auto' | IngestPath): Promise<void> {
    await this.ready;
    await this.render.setIngestPreference(pref);
  }

  /** Cameras the browser lists. */
  listCameras(): Promise<{ deviceId: string; label: string }[]> { return listCameras(); }
  /** Past recordings on disk, newest first. */
  listRecordings(): Promise<RecordingInfo[]> { return listRecordings(); }
  /** One past recording as a File. */
  getRecording(name: string): Promise<File> { return getRecording(name); }
  /** Deletes a past recording. */
  deleteRecording(name: string): Promise<void> { return deleteRecording(name); }
}

import * as Comlink from 'comlink';
import { openCamera, trackReadable, listCameras, type CameraCapture } from './capture/camera.ts';
import { listRecordings, getRecording, deleteRecording, recordingName } from './mux/recordings.ts';
import { installErrorTransfer } from './util/rpc-errors.ts';
import { StudioError, StudioStateError, errorClasses, asStudioError } from './util/errors.ts';
import type { RenderWorkerApi, EncodeWorkerApi } from './worker-apis.ts';
import type {
  CameraOptions, CodecSupport, EncodeStartInfo, IngestPath, RecordingInfo, RecordingOptions, StudioStats, WorkerFault,
} from './util/types.ts';

installErrorTransfer();

export type CameraState = 'off' | 'starting' | 'on';
export type RecordingState = 'idle' | 'starting' | 'recording' | 'stopping';

/** Events: 'state' (camera/recording state changed), 'error' (detail: StudioError), 'recording' (detail: File). */
export type StudioEventName = 'state' | 'error' | 'recording';

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
  private stopping: Promise<File> | null = null;
  /** A recording that ended on its own (camera unplugged, encoder error) and was not yet collected. */
  private unclaimed: File | null = null;
  private recordingStartedAt = 0;

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
    })).then(() => undefined);
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
    this.camera?.stream.getTracks().forEach((t) => t.stop());
    this.camera = null;
    this.setState('off');
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
    const mic = this.camera.audio?.readyState === 'live' ? this.camera.audio : null;
    // About a second of 10 ms chunks: a busy encode worker must not make the track drop audio.
    const audio = mic ? trackReadable<AudioData>(mic, 100) : null;
    try {
      const st = await this.render.getStats();
      const settings = mic?.getSettings();
      const info = await this.encode.start({
        ...opts,
        width: st.outputWidth, height: st.outputHeight,
        frameRate: Math.round(this.camera.settings.frameRate ?? 30),
        fileName: recordingName(),
        audio: mic ? { sampleRate: settings?.sampleRate ?? 48000, channels: settings?.channelCount ?? 1 } : null,
      }, Comlink.transfer(channel.port2, [channel.port2]), audio ? Comlink.transfer(audio, [audio as unknown as Transferable]) : null,
      Comlink.proxy({ fatal: (f: WorkerFault) => void this.onFatal(faultToError(f)) }));
      await this.render.startOutput(Comlink.transfer(channel.port1, [channel.port1]), info.outputPath);
      this.recordingInfo = info;
      this.unclaimed = null;
      this.recordingStartedAt = performance.now();
      this.setState(undefined, 'recording');
      return info;
    } catch (e) {
      audio?.cancel().catch(() => {});
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
        const result = await this.encode.stop();
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

  private async onSourceEnded(reason: string): Promise<void> {
    const wasRecording = this.recordingState === 'recording';
    if (wasRecording) this.unclaimed = await this.finishRecording().catch(() => null);
    this.camera?.stream.getTracks().forEach((t) => t.stop());
    this.camera = null;
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

import * as Comlink from 'comlink';
import { listCameras } from './capture/camera.ts';
import { listRecordings, getRecording, deleteRecording } from './mux/recordings.ts';
import { recoverOnce } from './mux/recovery.ts';
import type { FinalizeResult } from './mux/finalize.ts';
import type { Chapter } from './util/types.ts';
import type { AudioEngine, AudioLevels, AudioSourceInfo, AudioSourceSettings, MasterSettings } from './audio/audio-engine.ts';
import { installErrorTransfer } from './util/rpc-errors.ts';
import { loadBackground, saveBackground, loadMaskOptions, saveMaskOptions } from './segment/effect-store.ts';
import type { BackgroundEffect } from './segment/background-effect.ts';
import type { MaskOptions } from './segment/mask-options.ts';
import { StudioError, StudioStateError, errorClasses, asStudioError } from './util/errors.ts';
import { parseSceneCollection, parseSceneCollectionJson, parseTransition, type ItemPatch, type SourceSettingsPatch } from './scene/schema.ts';
import { DEFAULT_TRANSITION, type OutputSettings, type Scene, type SceneCollection, type TransitionDirection, type TransitionKind, type TransitionSpec } from './scene/types.ts';
import type { RenderWorkerApi, EncodeWorkerApi } from './worker-apis.ts';
import type { CameraOptions, CodecSupport, EncodeStartInfo, IngestPath, RecordingInfo, RecordingOptions, StudioStats, WorkerFault } from './util/types.ts';
import { AudioHub, type AddAudioSource } from './studio/audio-hub.ts';
import { Recorder, outputFeeds, type RecordingState } from './studio/recorder.ts';
import { SceneSync } from './studio/scene-sync.ts';
import { StudioMode } from './studio/studio-mode.ts';
import { SourceMedia } from './studio/source-media.ts';
import { SourceManager, type SourceInfo, type SourceSpec } from './studio/source-manager.ts';
import { Streamer, type StreamOptions, type StreamStartInfo } from './studio/streamer.ts';
import type { StreamState, StreamStats } from './stream/stream-stats.ts';
import { FileProcessor, type ProcessFileOptions } from './studio/file-processor.ts';
import type { ProcessResult } from './process/types.ts';

installErrorTransfer();

export type CameraState = 'off' | 'starting' | 'on';
export type { RecordingState, AddAudioSource, SourceSpec, SourceInfo };
export type { StreamOptions, StreamStartInfo, StreamState, StreamStats };

/**
 * Events: 'state' (camera/recording state), 'scenes' (the scene collection, a source's status or
 * the undo history changed; detail.cause: 'edit' | 'undo' | 'redo' | 'status' | 'history'), 'error' (detail: StudioError), 'warning' (detail: message; the recording goes on), 'recording' (detail: File), 'audiostate'
 * (detail: {state, message}), 'audiosources' (the mixer's sources changed), 'stream' (the live stream's state; detail: {state}).
 */
export type StudioEventName = 'state' | 'scenes' | 'error' | 'warning' | 'recording' | 'audiostate' | 'audiosources' | 'stream';

function faultToError(f: WorkerFault): StudioError {
  const Cls = errorClasses[f.name] ?? StudioError;
  return new Cls(f.message);
}

/**
 * The studio's automation API, and the only object the UI talks to. A thin facade: the scene
 * store and its sync (SceneSync), sources and their media (SourceManager, SourceMedia), sound
 * (AudioHub) and recording (Recorder) each do one job. Frames go source → render worker →
 * encode worker and never through this thread.
 */
export class Studio extends EventTarget {
  /** Resolves when the GPU pipeline is up and the saved scenes are restored; rejects with WebGPUUnavailableError. */
  readonly ready: Promise<void>;
  cameraState: CameraState = 'off';
  /** 'webgpu', 'wasm' or 'unavailable': where background removal runs. */
  segmentation = 'unavailable';
  private readonly render: Comlink.Remote<RenderWorkerApi>;
  private readonly encode: Comlink.Remote<EncodeWorkerApi>;
  private readonly sync: SceneSync;
  private readonly hub: AudioHub;
  private readonly media: SourceMedia;
  private readonly sources: SourceManager;
  private readonly recorder: Recorder;
  /** File jobs (background removal of video files), in a worker of their own; results join the recordings. */
  private readonly files = new FileProcessor((f) => this.emit('recording', f));
  private readonly mode: StudioMode;
  private readonly streamer: Streamer;

  constructor(canvas: HTMLCanvasElement) {
    super();
    const rw = new Worker(new URL('../workers/render.worker.ts', import.meta.url), { type: 'module', name: 'render' });
    const ew = new Worker(new URL('../workers/encode.worker.ts', import.meta.url), { type: 'module', name: 'encode' });
    this.render = Comlink.wrap<RenderWorkerApi>(rw);
    this.encode = Comlink.wrap<EncodeWorkerApi>(ew);
    const onError = (e: StudioError) => this.emit('error', e);
    this.sync = new SceneSync(this.render, onError);
    this.sync.store.subscribe((_, cmd) => this.emit('scenes', { cause: cmd.type === 'restore' ? cmd.via : 'edit' }));
    this.sync.history.subscribe(() => this.emit('scenes', { cause: 'history' }));
    this.hub = new AudioHub(this.encode, {
      state: (d) => this.emit('audiostate', d), error: onError, sources: () => this.emit('audiosources'),
    });
    this.media = new SourceMedia(this.render, this.hub, (id, reason) => this.onSourceEnded(id, reason));
    this.sources = new SourceManager(this.sync, this.media, this.render, onError, () => this.emit('scenes', { cause: 'status' }));
    this.recorder = new Recorder(this.render, this.encode, () => this.emit('state'), onError, (f) => this.emit('recording', f),
      (f) => void this.onFatal(faultToError(f)), (message) => this.emit('warning', message));
    // Recordings a crash interrupted are finished beside the GPU start-up (the file list waits for it).
    void recoverOnce().then((r) => {
      for (const f of r.failed) onError(f.error);
      const one = r.recovered.length === 1;
      if (r.recovered.length) this.emit('warning', `Recovered ${one ? 'a recording that was' : `${r.recovered.length} recordings that were`} ` +
        `interrupted (${r.recovered.map((x) => x.file.name).join(', ')}); ${one ? 'it is' : 'they are'} in the list of recordings.`);
    });
    const offscreen = canvas.transferControlToOffscreen();
    this.ready = this.render.init(Comlink.transfer(offscreen, [offscreen]), Comlink.proxy({
      sourceEnded: (id: string, reason: string) => this.onSourceEnded(id, reason),
      fatal: (f: WorkerFault) => void this.onFatal(faultToError(f)),
      warning: (message: string) => this.emit('warning', message),
    })).then(async (info) => {
      this.segmentation = info.segmentation;
      await this.sync.restore();
      await this.sources.restoreMedia();
      const opts = loadMaskOptions();
      if (opts && info.segmentation !== 'unavailable') await this.render.setMaskOptions(opts).catch(() => {});
    });
    this.mode = new StudioMode(this.render, this.sync.store, this.ready, () => this.emit('scenes', { cause: 'studio-mode' }));
    // The stream sends the mix the recorder records (or the camera microphone without a mixer).
    this.streamer = new Streamer(this.render, async () => {
      const engine = await this.hub.mixer().catch(() => null);
      const cam = this.firstCamera(), mic = cam ? this.media.tracksOf(cam).audio : null;
      return engine?.outputTrack ?? (mic?.readyState === 'live' ? mic : null);
    }, { change: () => this.emit('stream', { state: this.streamer.state }), error: onError });
  }

  private emit(name: StudioEventName, detail?: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  private setCameraState(s: CameraState): void { this.cameraState = s; this.emit('state'); }

  get recordingState(): RecordingState { return this.recorder.state; }
  /** Info about the running recording (codec, container, path). */
  get recordingInfo(): EncodeStartInfo | null { return this.recorder.info; }
  /** Milliseconds since the running recording started (0 when idle). */
  get recordingElapsedMs(): number { return this.recorder.elapsedMs; }

  // ── Scenes and sources ────────────────────────────────────────────────────────────────

  /** The scene collection (frozen; replaced on every change, 'scenes' event). */
  get scenes(): Readonly<SceneCollection> { return this.sync.store.state; }
  /** The id of the scene on the program. */
  get currentScene(): string { return this.sync.store.state.currentSceneId; }

  /** Sets the program canvas: size (up to 1920×1080 at 60 fps, 3840×2160 at 30) and frame rate. */
  async setOutput(o: OutputSettings): Promise<void> {
    await this.ready;
    if (this.recorder.state !== 'idle') throw new StudioStateError('The output cannot change while recording. Stop the recording first.');
    if (this.streamer.state !== 'idle') throw new StudioStateError('The output cannot change while streaming. Stop the stream first.');
    this.sync.store.apply({ type: 'setOutput', output: o });
  }

  /** Adds a source (camera, display, image, color, text, video) and opens its media; resolves to its id. */
  async addSource(spec: SourceSpec): Promise<string> {
    await this.ready;
    const id = await this.sources.add(spec);
    if (spec.kind === 'camera') this.setCameraState('on');
    return id;
  }
  /** Changes a source's settings or name. */
  async updateSource(id: string, patch: { name?: string } & SourceSettingsPatch): Promise<void> { await this.ready; await this.sources.update(id, patch); }
  /** Removes a source from every scene and closes its media. */
  async removeSource(id: string): Promise<void> { await this.ready; this.sources.remove(id); this.refreshCameraState(); }
  /** Sources with their status ('live', 'off', 'ended', 'missing'). */
  listSources(): SourceInfo[] { return this.sources.list(); }
  /** Reopens a camera or screen (asks again which screen); `file` replaces an image's or a video's file. */
  async reopenSource(id: string, file?: Blob): Promise<void> {
    await this.ready;
    await this.sources.openMedia(id, false, file ?? null);
    this.refreshCameraState();
  }
  /** Play, pause or restart a video file source. */
  async controlVideo(id: string, action: 'play' | 'pause' | 'restart'): Promise<void> { await this.ready; await this.sources.controlVideo(id, action); }
  /** Background removal as a filter of a camera, screen or video source. */
  async setSourceBackground(id: string, effect: BackgroundEffect): Promise<void> { await this.ready; await this.sources.setBackground(id, effect); }

  /** Adds a scene; resolves to its id. */
  async createScene(name?: string): Promise<string> { await this.ready; return this.sync.store.apply({ type: 'createScene', name }); }
  /** Removes a scene (not the last one). */
  async removeScene(id: string): Promise<void> { await this.ready; this.sync.store.apply({ type: 'removeScene', sceneId: id }); }
  /** Renames a scene. */
  async renameScene(id: string, name: string): Promise<void> { await this.ready; this.sync.store.apply({ type: 'renameScene', sceneId: id, name }); }
  /** Copies a scene (same sources, new items); resolves to the new scene's id. */
  async duplicateScene(id: string, name?: string): Promise<string> { await this.ready; return this.sync.store.apply({ type: 'duplicateScene', sceneId: id, name }); }
  /** The scenes, in order. */
  listScenes(): Scene[] { return structuredClone(this.sync.store.state.scenes) as Scene[]; }
  /**
   * Puts a scene on the program with a transition: the one given (`durationMs` default 300), else
   * the scene's own, else the collection's default (a 300 ms fade unless changed).
   */
  async switchScene(id: string, opts: { transition?: TransitionKind; durationMs?: number; direction?: TransitionDirection; color?: string } = {}): Promise<void> {
    await this.ready;
    if (!this.sync.store.scene(id)) throw new StudioStateError(`No scene has the id ${JSON.stringify(id)}.`);
    const t = opts.transition
      ? parseTransition({ kind: opts.transition, durationMs: opts.durationMs ?? DEFAULT_TRANSITION.durationMs,
        ...(opts.direction ? { direction: opts.direction } : {}), ...(opts.color ? { color: opts.color } : {}) })
      : this.transitionTo(id);
    this.sync.transitionNext(t);
    this.sync.store.apply({ type: 'setCurrentScene', sceneId: id });
  }
  /** The transition a switch to `sceneId` uses when none is given: the scene's own, else the default. */
  transitionTo(sceneId: string): TransitionSpec {
    const c = this.sync.store.state;
    return c.scenes.find((s) => s.id === sceneId)?.transition ?? c.transition ?? DEFAULT_TRANSITION;
  }
  /** Sets the default transition (kind, duration, direction, colour). */
  async setTransition(t: TransitionSpec): Promise<void> { await this.ready; this.sync.store.apply({ type: 'setTransition', transition: t }); }
  /** Sets the transition used when switching to one scene, or clears it (null) so the default applies. */
  async setSceneTransition(sceneId: string, t: TransitionSpec | null): Promise<void> {
    await this.ready;
    this.sync.store.apply({ type: 'setSceneTransition', sceneId, transition: t });
  }
  /** Diagnostics: holds a running transition at `progress` (0..1) so its frame can be captured; null lets it run. */
  async setDebugTransitionProgress(progress: number | null): Promise<void> { await this.ready; await this.render.setDebugTransitionProgress(progress); }

  /** Shows a source in a scene; without a transform the source is fitted to the canvas. Resolves to the item id. */
  async addItem(sceneId: string, sourceId: string, transform?: ItemPatch): Promise<string> {
    await this.ready;
    return this.sync.store.apply({ type: 'addItem', sceneId, sourceId, transform });
  }
  /** Moves, resizes, rotates, crops, fades, hides or locks an item. */
  async updateItem(itemId: string, patch: ItemPatch): Promise<void> { await this.ready; this.sync.store.apply({ type: 'updateItem', itemId, patch }); }
  /** Removes an item from its scene (the source stays). */
  async removeItem(itemId: string): Promise<void> { await this.ready; this.sync.store.apply({ type: 'removeItem', itemId }); }
  /** Moves an item to `index` in its scene's z order (0 = bottom). */
  async reorderItem(itemId: string, index: number): Promise<void> { await this.ready; this.sync.store.apply({ type: 'reorderItem', itemId, index }); }

  /** The scene collection as JSON-ready data (export). */
  getSceneCollection(): SceneCollection { return this.sync.store.snapshot(); }
  /** Replaces the scene collection (import): validated first; a bad one throws SceneValidationError and changes nothing. */
  async loadSceneCollection(json: string | unknown): Promise<void> {
    await this.ready;
    const c = typeof json === 'string' ? parseSceneCollectionJson(json) : parseSceneCollection(json);
    if (this.recorder.state !== 'idle' && (c.output.width !== this.scenes.output.width || c.output.height !== this.scenes.output.height)) {
      throw new StudioStateError('A collection with another output size cannot be loaded while recording.');
    }
    const keep = new Set(c.sources.map((s) => s.id));
    for (const s of this.sync.store.state.sources) if (!keep.has(s.id)) this.media.close(s.id);
    this.sync.store.load(c);
    await this.sources.restoreMedia();
    this.refreshCameraState();
  }
  /** Writes the scene collection to IndexedDB now (it is also saved shortly after every change). */
  saveScenes(): Promise<void> { return this.sync.saveNow(); }

  // ── Undo / redo ───────────────────────────────────────────────────────────────────────

  /** Whether a scene edit can be undone ('scenes' event when this changes). */
  get canUndo(): boolean { return this.sync.history.canUndo; }
  /** Whether an undone edit can be made again. */
  get canRedo(): boolean { return this.sync.history.canRedo; }
  /** What undo would take back ("Move Camera"), or null. */
  get undoLabel(): string | null { return this.sync.history.undoLabel; }
  /** What redo would make again, or null. */
  get redoLabel(): string | null { return this.sync.history.redoLabel; }
  /**
   * Takes back the last scene edit (a group is one step; scene switches are not steps, and the
   * program's scene stays); sources that come back reopen their media. Resolves to false when
   * there was nothing to undo; a step that would change the output while recording is refused.
   */
  undo(): Promise<boolean> { return this.stepHistory('undo'); }
  /** Makes the last undone edit again; false when there was none. */
  redo(): Promise<boolean> { return this.stepHistory('redo'); }
  /** Starts a group of edits that undo takes back as one step (a drag); groups nest. */
  beginEditGroup(label: string): void { this.sync.history.beginGroup(label); }
  /** Ends the innermost group; an end without a begin is ignored. */
  endEditGroup(): void { this.sync.history.endGroup(); }

  private historyQueue: Promise<unknown> = Promise.resolve();
  /** Undo and redo run one at a time: a step's media open before the next step may close them. */
  private stepHistory(way: 'undo' | 'redo'): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      await this.ready;
      const h = this.sync.history;
      const target = way === 'undo' ? h.peekUndo() : h.peekRedo();
      if (!target) return false;
      const o = this.sync.store.state.output;
      if (this.recorder.state !== 'idle' && (target.output.width !== o.width || target.output.height !== o.height || target.output.frameRate !== o.frameRate)) {
        throw new StudioStateError(`${way === 'undo' ? 'Undoing' : 'Redoing'} "${(way === 'undo' ? h.undoLabel : h.redoLabel) ?? 'this edit'}" would change the output, which cannot change while recording. Stop the recording first.`);
      }
      const swap = way === 'undo' ? h.undo() : h.redo();
      if (!swap) return false;
      await this.sources.reconcile(swap.before, swap.after);
      this.refreshCameraState();
      return true;
    };
    const next = this.historyQueue.then(run, run);
    this.historyQueue = next.catch(() => {});
    return next;
  }

  // ── The camera (the first camera source), its filter ─────────────────────────────────

  private firstCamera(): string | null {
    return this.sync.store.state.sources.find((s) => s.settings.kind === 'camera')?.id ?? null;
  }

  private refreshCameraState(): void {
    const live = this.sync.store.state.sources.some((s) => s.settings.kind === 'camera' && this.media.isLive(s.id));
    if (this.cameraState !== 'starting') this.setCameraState(live ? 'on' : 'off');
  }

  /** Opens the camera (and microphone): the first call makes a camera source fill the current scene. */
  async startCamera(opts: CameraOptions = {}): Promise<void> {
    await this.ready;
    if (this.cameraState === 'starting') throw new StudioStateError('The camera is already starting.');
    this.setCameraState('starting');
    // The camera source and its item are one undo step.
    this.sync.history.beginGroup('Add camera');
    try {
      let id = this.firstCamera();
      if (id) {
        if (opts.deviceId || opts.width || opts.height || opts.frameRate) {
          await this.sources.update(id, { deviceId: opts.deviceId, width: opts.width, height: opts.height, frameRate: opts.frameRate } as SourceSettingsPatch);
        }
        await this.sources.openMedia(id, opts.audio !== false);
      } else {
        const saved = this.segmentation !== 'unavailable' ? await loadBackground().catch(() => null) : null;
        id = await this.sources.add({ kind: 'camera', ...opts, audio: opts.audio !== false, ...(saved && saved.type !== 'none' ? { filter: saved } : {}) });
      }
      // In studio mode the camera joins the scene being edited, not the program.
      const scene = this.sync.store.scene(this.editingScene) ?? this.sync.store.currentScene;
      if (!scene.items.some((i) => i.sourceId === id)) this.sync.store.apply({ type: 'addItem', sceneId: scene.id, sourceId: id });
      this.cameraState = 'off';
      this.refreshCameraState();
    } catch (e) {
      this.cameraState = 'off';
      this.refreshCameraState();
      throw asStudioError(e, 'The camera could not be started');
    } finally {
      this.sync.history.endGroup();
    }
  }

  /** Stops every camera (a running recording is finished first); their items keep the last picture. */
  async stopCamera(): Promise<void> {
    if (this.recorder.active) await this.recorder.finishUnclaimed(this.hub.mixTap);
    for (const s of this.sync.store.state.sources) if (s.settings.kind === 'camera') this.media.close(s.id);
    this.refreshCameraState();
  }

  /** The background effect of the first camera: none, blur, colour, image or transparent; remembered for the next visit. */
  async setBackground(effect: BackgroundEffect): Promise<void> {
    await this.ready;
    if (this.segmentation === 'unavailable' && effect.type !== 'none') await this.render.setSourceBackground('', effect);
    const id = this.firstCamera();
    if (id && this.media.isLive(id)) await this.sources.setBackground(id, effect);
    else if (id) this.sync.store.apply({ type: 'setSourceBackground', sourceId: id, background: effect.type === 'image' ? { type: 'image', blobId: await this.sync.putBlob(effect.image!), lightWrap: effect.lightWrap } : effect as never });
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
  async removeBackground(image: Blob): Promise<Blob> { await this.ready; return this.render.removeBackground(image); }

  /**
   * Removes the background of a video file (blur, colour, image or transparent, with the mask
   * options) in a worker of its own, frame by frame with nothing dropped; resolves to the
   * finished file, which is in the recordings list. A still picture resolves to a PNG cut-out.
   */
  processFile(file: Blob, opts: ProcessFileOptions): Promise<File> { return this.files.process(file, opts); }
  /** Figures of the last processed video: frames, stage times, real-time factor. */
  get lastProcessResult(): ProcessResult | null { return this.files.lastResult; }

  private onSourceEnded(id: string, reason: string): void {
    const entry = this.sync.store.source(id);
    if (!entry || this.listSources().find((s) => s.id === id)?.status === 'ended') return;
    this.sources.ended(id, reason);
    this.refreshCameraState();
    const what = entry.settings.kind === 'camera' ? 'The camera stopped' : entry.settings.kind === 'display' ? 'Screen sharing stopped' : `"${entry.name}" stopped`;
    this.emit('error', new StudioError(`${what}: ${reason}. It shows its last picture` +
      (this.recorder.active ? '; the recording goes on.' : '.')));
  }

  private async onFatal(e: StudioError): Promise<void> {
    if (this.recorder.active) await this.recorder.finishUnclaimed(this.hub.mixTap);
    this.emit('error', e);
  }

  // ── Audio ─────────────────────────────────────────────────────────────────────────────

  /** The audio mixer, created on first use (its AudioContext needs the page to be isolated). */
  audio(): Promise<AudioEngine> { return this.hub.mixer(); }
  /** Sources in the audio mixer. */
  listAudioSources(): Promise<AudioSourceInfo[]> { return this.hub.list(); }
  /** Adds a microphone, the audio of a shared screen/tab, or a looping audio file to the mixer. */
  addAudioSource(src: AddAudioSource): Promise<AudioSourceInfo> { return this.hub.add(src); }
  /** Removes a source from the mixer; a running recording goes on without it. */
  removeAudioSource(id: string): Promise<void> { return this.hub.remove(id); }
  /** Sets gain (dB), mute, pan, monitoring and EQ of a source, or gain/mute of 'master'. */
  setAudio(id: string | 'master', settings: AudioSourceSettings): Promise<AudioSourceInfo | MasterSettings> { return this.hub.set(id, settings); }
  /** Peak and RMS levels (dBFS) of every source and the master since the last call. */
  getAudioLevels(): Promise<AudioLevels> { return this.hub.levels(); }
  /** Master fader and mute. */
  getMasterAudio(): Promise<MasterSettings> { return this.hub.master(); }
  /** Levels since the last read, synchronously (meters at frame rate); null before the mixer exists. */
  audioLevelsNow(): AudioLevels | null { return this.hub.levelsNow(); }
  /** The mixer's AudioContext state ('suspended'/'interrupted': paused by the browser); null before the mixer exists. */
  get audioState(): AudioHub['state'] { return this.hub.state; }
  /** Resumes audio on the next click or key press (browsers pause it until a gesture). */
  resumeAudio(): void { this.hub.resumeOnGesture(); }

  // ── Recording and stats ───────────────────────────────────────────────────────────────

  /** The first camera's live tracks (for device pickers and tests). */
  get tracks(): { video: MediaStreamTrack | null; audio: MediaStreamTrack | null } {
    const id = this.firstCamera();
    return id ? this.media.tracksOf(id) : { video: null, audio: null };
  }

  /** The live tracks of a camera or screen source (device pickers, tests). */
  sourceTracks(id: string): { video: MediaStreamTrack | null; audio: MediaStreamTrack | null } { return this.media.tracksOf(id); }

  /** Codecs this browser can record at the program size. */
  async probeCodecs(): Promise<CodecSupport[]> {
    const o = this.scenes.output;
    return this.encode.probe(o.width, o.height, o.frameRate);
  }

  /** Starts recording the program (and the mix) to a file on disk; `outputs` records more files at once (another size, a raw camera). */
  async startRecording(opts: RecordingOptions = {}): Promise<EncodeStartInfo> {
    await this.ready;
    await this.sync.flush();
    const engine = await this.hub.mixer().catch(() => null);
    const cam = this.firstCamera();
    const mic = cam ? this.media.tracksOf(cam).audio : null;
    const track = engine?.outputTrack ?? (mic?.readyState === 'live' ? mic : null);
    const feeds = outputFeeds(opts.outputs ?? [], this.scenes.output, (id) => this.media.cloneVideo(id ?? cam ?? ''));
    return this.recorder.start(opts, this.scenes.output.frameRate, { tap: engine ? this.hub.mixTap : null, track }, feeds);
  }

  /** Pauses the recording: nothing is recorded meanwhile, and the file continues without a gap. */
  pauseRecording(): Promise<void> { return this.recorder.pause(); }
  /** Resumes a paused recording. */
  resumeRecording(): Promise<void> { return this.recorder.resume(); }

  /** Stops recording and returns the finished file (also after a fault finished it). */
  stopRecording(): Promise<File> { return this.recorder.stop(this.hub.mixTap); }

  /** Marks a chapter at the time recorded so far (pauses left out); written into the MP4 when it is finished. */
  addChapter(title?: string): Chapter { return this.recorder.addChapter(title); }

  /** How the last recording was finished: regular MP4 or kept fragmented, chapters written, remux time. */
  get lastFinalize(): FinalizeResult | null { return this.recorder.lastFinalize; }

  // ── Live stream (WHIP) ────────────────────────────────────────────────────────────────

  /**
   * Goes live: the program and the mix are published to a WHIP endpoint (Janus, LiveKit,
   * MediaMTX, Cloudflare Stream, OBS...) beside any recording. Resolves once media flows;
   * rejects within about 10 s with a StreamError saying what to fix. A lost connection is
   * retried by itself ('stream' events, getStats().stream.status "Reconnecting…").
   */
  async startStream(opts: StreamOptions): Promise<StreamStartInfo> { await this.ready; await this.sync.flush(); return this.streamer.start(opts); }
  /** Stops the live stream (the server is sent a DELETE); a recording goes on. */
  stopStream(): Promise<void> { return this.streamer.stop(); }
  /** 'idle', 'connecting', 'live', 'reconnecting' or 'stopping'. */
  get streamState(): StreamState { return this.streamer.state; }

  /** Pipeline, encoder, source, camera and live-stream statistics. */
  async getStats(): Promise<StudioStats & { stream: StreamStats }> {
    const [render, encode] = await Promise.all([this.render.getStats().catch(() => null), this.encode.getStats().catch(() => null)]);
    const cam = this.firstCamera();
    const s = cam ? this.media.settingsOf(cam) : null;
    const label = cam ? this.media.labelOf(cam) ?? this.sync.store.source(cam)?.name ?? null : null;
    return {
      render, encode,
      camera: {
        active: this.cameraState === 'on', label, width: s?.width ?? 0, height: s?.height ?? 0, frameRate: s?.frameRate ?? 0,
        framesDelivered: cam ? this.media.framesDelivered(cam) : null,
      },
      micDelayMs: this.hub.mixTap?.delayMs ?? null,
      stream: this.streamer.stats(),
    };
  }

  /** Background-effects quality: 'auto' follows the load (high / medium / low), or pins a level. */
  async setQuality(level: 'auto' | 'high' | 'medium' | 'low'): Promise<void> {
    await this.ready;
    if (!['auto', 'high', 'medium', 'low'].includes(level)) throw new StudioStateError(`Unknown quality ${JSON.stringify(level)}: use auto, high, medium or low.`);
    await this.render.setQuality(level);
  }
  /** Diagnostics: extra GPU work per frame, to see how the studio copes with a slower GPU (0: off). */
  async setDebugGpuLoad(iterations: number): Promise<void> { await this.ready; await this.render.setDebugGpuLoad(iterations); }

  /** Diagnostics: closes a recording output's video encoder as a crash would ('main' by default; see EncodeWorkerApi). */
  async debugFailEncoder(opts?: { output?: string; nextCodec?: string }): Promise<void> { await this.encode.debugFailEncoder(opts); }

  /** Diagnostics: holds frames back from the recorder (what a stalled GPU looks like), or resumes. */
  async setDebugHoldOutput(on: boolean): Promise<void> { await this.ready; await this.render.setDebugHoldOutput(on); }

  /** The program picture as a PNG, exactly as composed (OBS's "Screenshot (Output)"). */
  async captureProgram(): Promise<Blob> { await this.ready; return this.render.captureProgram(); }
  /** Studio mode's preview picture as a PNG (the scene being edited, as the program would show it; the program when off). */
  async capturePreview(): Promise<Blob> { await this.ready; return this.render.captureProgram('preview'); }

  // ── Studio mode ───────────────────────────────────────────────────────────────────────

  /**
   * Studio mode's program canvas, made on first use; the UI puts it beside the main canvas,
   * which previews the scene being edited while studio mode is on.
   */
  get studioProgramCanvas(): HTMLCanvasElement { return this.mode.programCanvas; }
  /** Whether studio mode is on (a preview scene is edited beside the program). */
  get studioMode(): boolean { return this.mode.sceneId !== null; }
  /** The scene on studio mode's preview, or null when studio mode is off. */
  get previewScene(): string | null { return this.mode.sceneId; }
  /** The scene edits apply to: studio mode's preview, else the program's. */
  get editingScene(): string { return this.mode.sceneId ?? this.currentScene; }
  /** Turns studio mode on (the preview starts on the program's scene) or off. */
  async setStudioMode(on: boolean): Promise<void> { await this.ready; await this.mode.set(on); }
  /** Puts a scene on studio mode's preview (the program is untouched). */
  async setPreviewScene(id: string): Promise<void> { await this.ready; await this.mode.preview(id); }

  /**
   * Studio mode's "Transition": the preview scene goes to the program with `opts` (else its own
   * transition or the default); the preview then shows the scene that left the program (OBS's swap).
   */
  async transition(opts: Parameters<Studio['switchScene']>[1] = {}): Promise<void> {
    await this.ready;
    const to = this.mode.sceneId, from = this.currentScene;
    if (to === null) throw new StudioStateError('Studio mode is off: there is no preview scene to transition to.');
    await this.switchScene(to, opts);
    if (from !== to && this.sync.store.scene(from)) await this.setPreviewScene(from);
  }

  /** Chooses how video frames reach the GPU: 'auto' (zero-copy where possible) or the copy path. */
  async setIngestPath(pref: 'auto' | IngestPath): Promise<void> { await this.ready; await this.render.setIngestPreference(pref); }
  /** Cameras the browser lists. */
  listCameras(): Promise<{ deviceId: string; label: string }[]> { return listCameras(); }
  /** Past recordings on disk, newest first. */
  listRecordings(): Promise<RecordingInfo[]> { return listRecordings(); }
  /** One past recording as a File. */
  getRecording(name: string): Promise<File> { return getRecording(name); }
  /** Deletes a past recording. */
  deleteRecording(name: string): Promise<void> { return deleteRecording(name); }
}

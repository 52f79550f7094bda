import { trackReadable, cameraError } from '../capture/camera.ts';
import { MixTap } from '../audio/mix-tap.ts';
import {
  AudioEngine, AudioStateEvent, type AudioEngineState, type AudioLevels, type AudioSourceInfo, type AudioSourceSettings, type MasterSettings,
} from '../audio/audio-engine.ts';
import { StudioStateError, asStudioError, type StudioError } from '../util/errors.ts';
import type { EncodeWorkerApi } from '../worker-apis.ts';
import type * as Comlink from 'comlink';

/** An audio source to add to the mixer. */
export type AddAudioSource =
  | { kind: 'microphone'; deviceId?: string; label?: string }
  | { kind: 'display'; label?: string }
  | { kind: 'file'; file: Blob; label?: string };

/** Callbacks of the hub towards the studio facade. */
export interface AudioHubEvents {
  state(detail: { state: string; message: string | null }): void;
  error(e: StudioError): void;
  sources(): void;
}

/** Detail of the facade's 'audiostate' event. */
export type AudioStateDetail = Parameters<AudioHubEvents['state']>[0];

/**
 * What the mixer panel may use of the studio facade (Studio implements it). Events:
 * 'audiosources' (the mixer's sources changed), 'audiostate' (detail: AudioStateDetail).
 */
export interface MixerControls extends EventTarget {
  /** The mixer's AudioContext state, or null before the mixer exists. */
  readonly audioState: AudioEngineState | null;
  listAudioSources(): Promise<AudioSourceInfo[]>;
  addAudioSource(src: AddAudioSource): Promise<AudioSourceInfo>;
  removeAudioSource(id: string): Promise<void>;
  setAudio(id: string | 'master', settings: AudioSourceSettings): Promise<AudioSourceInfo | MasterSettings>;
  getMasterAudio(): Promise<MasterSettings>;
  /** Levels since the last read, synchronously (meters at frame rate); null before the mixer exists. */
  audioLevelsNow(): AudioLevels | null;
  /** Resumes audio on the next click or key press (browsers pause it until a gesture). */
  resumeAudio(): void;
}

/**
 * The studio's sound: the mixer (created on first use, as its AudioContext needs the page to
 * be isolated and often a gesture), its sources, and the tap that feeds recordings and
 * measures the camera microphone's delay through the mixer.
 */
export class AudioHub {
  private engine: Promise<AudioEngine> | null = null;
  /** The mixer once created, for the synchronous reads of meters and state. */
  private live: AudioEngine | null = null;
  /** Reads the mix for the recorder and measures the camera microphone's delay in it. */
  mixTap: MixTap | null = null;
  /** The mixer source of the camera microphone whose delay is compensated. */
  private micSourceId: string | null = null;
  /** Capture tracks the hub opened for a source, stopped when the source is removed. */
  private readonly owned = new Map<string, MediaStreamTrack[]>();

  constructor(private readonly encode: Comlink.Remote<EncodeWorkerApi>, private readonly events: AudioHubEvents) {}

  /** The mixer, created on first use. */
  mixer(): Promise<AudioEngine> {
    this.engine ??= AudioEngine.create().then((engine) => {
      engine.addEventListener('statechange', (ev) => {
        const e = ev as AudioStateEvent;
        if (e.paused) engine.resumeOnGesture();
        this.events.state({ state: e.state, message: e.message });
      });
      engine.addEventListener('error', (ev) => this.events.error((ev as ErrorEvent).error));
      engine.addEventListener('sourceschange', () => this.events.sources());
      this.mixTap = new MixTap(engine.outputTrack, trackReadable<AudioData>, (ms) => void this.encode.setAudioDelay((ms ?? 0) * 1000)
        // A lost correction would record the sound out of sync: say so.
        .catch((e: unknown) => this.events.error(asStudioError(e, 'The lip-sync correction could not reach the recorder'))));
      if (engine.state === 'suspended') {
        engine.resumeOnGesture();
        this.events.state({ state: engine.state, message: 'Audio paused by the browser — click anywhere to resume.' });
      }
      this.live = engine;
      return engine;
    });
    return this.engine;
  }

  /** Adds a camera's microphone; the first one's delay through the mixer is measured and compensated. */
  async addCameraMicrophone(track: MediaStreamTrack): Promise<string | null> {
    try {
      const engine = await this.mixer();
      const id = (await engine.addSource('microphone', track, track.label || 'Microphone')).id;
      if (!this.micSourceId) {
        this.micSourceId = id;
        // Lip sync: the recorder subtracts how long the microphone waits in front of the mixer.
        this.mixTap?.setMicrophone(track);
      }
      return id;
    } catch (e) {
      // The camera works without sound; say why there is none.
      this.events.error(asStudioError(e, 'The microphone could not be added to the mixer'));
      return null;
    }
  }

  /** Adds a track the studio opened for a source (screen audio); stopped when removed. */
  async addOwnedTrack(kind: 'display' | 'microphone', track: MediaStreamTrack, label: string): Promise<AudioSourceInfo> {
    const engine = await this.mixer();
    const info = await engine.addSource(kind, track, label);
    this.owned.set(info.id, [track]);
    track.addEventListener('ended', () => void this.remove(info.id).catch(() => {}));
    return info;
  }

  /** Adds a microphone, the audio of a shared screen/tab, or a looping audio file to the mixer. */
  async add(src: AddAudioSource): Promise<AudioSourceInfo> {
    const engine = await this.mixer();
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
    // Only the sound is wanted here; a screen's picture is a video source of its own.
    stream.getVideoTracks().forEach((t) => t.stop());
    if (!audio) {
      throw new StudioStateError(src.kind === 'display'
        ? 'The shared screen or tab has no audio. Share again and tick "Share tab audio" (or "Share system audio").'
        : 'The microphone gave no audio track.');
    }
    return this.addOwnedTrack(src.kind, audio, src.label ?? (audio.label || (src.kind === 'display' ? 'Screen audio' : 'Microphone')));
  }

  /** Removes a source from the mixer; a running recording goes on without it. */
  async remove(id: string): Promise<void> {
    const engine = await this.mixer();
    if (engine.listSources().some((s) => s.id === id)) engine.removeSource(id);
    this.owned.get(id)?.forEach((t) => t.stop());
    this.owned.delete(id);
    if (id === this.micSourceId) {
      this.micSourceId = null;
      // The mix no longer carries that microphone, so its delay no longer applies.
      this.mixTap?.setMicrophone(null);
    }
  }

  /** Sources in the mixer. */
  async list(): Promise<AudioSourceInfo[]> { return (await this.mixer()).listSources(); }

  /** Sets gain (dB), mute, pan, monitoring and EQ of a source, or gain/mute of 'master'. */
  async set(id: string | 'master', settings: AudioSourceSettings): Promise<AudioSourceInfo | MasterSettings> {
    const engine = await this.mixer();
    if (id === 'master') return engine.setMaster({ gainDb: settings.gainDb, muted: settings.muted });
    return engine.setSource(id, settings);
  }

  /** Peak and RMS levels (dBFS) of every source and the master since the last call. */
  async levels(): Promise<AudioLevels> { return (await this.mixer()).getLevels(); }

  /** Master fader and mute. */
  async master(): Promise<MasterSettings> { return (await this.mixer()).getMaster(); }

  /** Levels since the last read, or null before the mixer exists; synchronous for meters drawn at frame rate. */
  levelsNow(): AudioLevels | null { return this.live?.getLevels() ?? null; }

  /** The mixer's AudioContext state, or null before the mixer exists. */
  get state(): AudioEngineState | null { return this.live?.state ?? null; }

  /** Resumes audio on the next click or key press (no-op before the mixer exists). */
  resumeOnGesture(): void { this.live?.resumeOnGesture(); }

  /** Whether the mixer exists (without creating it). */
  get created(): boolean { return this.engine !== null; }
}

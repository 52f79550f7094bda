// Main-thread side of the audio mixer: owns the AudioContext, the "backdrop-mixer"
// AudioWorkletNode and one Web Audio source node per mixer input. The recording path reads
// `outputTrack` (a MediaStreamAudioDestinationNode track) exactly like a microphone track.
import wasmUrl from './generated/audio-kernels.wasm?url';
// `?worker&url` rather than `new URL('…ts', import.meta.url)`: in `vite build` the latter only
// copies the .ts file as an asset (untranspiled, imports unresolved), while `?worker&url`
// bundles the worklet with its src/audio imports into one ES chunk and yields its URL; in dev
// both serve the transformed module. Only a URL crosses over: src/ never runs workers/ code.
import workletUrl from '../../workers/mixer.worklet.ts?worker&url';
import { AudioDecodeError, StudioError, StudioStateError } from '../util/errors.ts';
import { biquadCoeffs, EQ_BANDS, isBypassBand } from './eq.ts';
import { FilePlayer } from './file-player.ts';
import {
  LEVELS_EPOCH_INDEX, LEVELS_FLOATS, MAX_SOURCES, MIXER_PROCESSOR, OUTPUT_MASTER, OUTPUT_MONITOR,
  dbToGain, gainToDb, levelIndex, type MixerMessage, type MixerProcessorOptions, type MixerReply,
} from './mixer-protocol.ts';
import {
  AudioStateEvent, GAIN_MAX_DB, GAIN_MIN_DB, LEVEL_FLOOR_DB, type AudioEngineState, type AudioLevels,
  type AudioSourceInfo, type AudioSourceKind, type AudioSourceSettings, type MasterSettings, type MeterLevel,
} from './audio-types.ts';

export * from './audio-types.ts';

const SAMPLE_RATE = 48000;
const PAUSED_MESSAGE = 'Audio paused by the browser — click anywhere to resume.';

interface SourceEntry {
  info: AudioSourceInfo;
  slot: number;
  node: AudioNode;
  /** Stops what the engine itself started (file playback); capture tracks belong to the caller. */
  stop(): void;
  /** A file source's transport. */
  player: FilePlayer | null;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * The studio's audio graph. Events: 'statechange' (AudioStateEvent) when the context is
 * suspended/interrupted/resumed/closed, 'sourceschange' when a source is added or removed,
 * 'error' (ErrorEvent, `.error` a StudioError) when the audio thread's processor fails.
 */
export class AudioEngine extends EventTarget {
  /** Mixed master output for the recorder (MediaStreamTrackProcessor → AudioData). */
  readonly outputTrack: MediaStreamTrack;
  private readonly sources = new Map<string, SourceEntry>();
  private readonly slots: (string | null)[] = new Array<string | null>(MAX_SOURCES).fill(null);
  private readonly levelsF32: Float32Array;
  private readonly levelsI32: Int32Array;
  private master: MasterSettings = { gainDb: 0, muted: false };
  private nextId = 1;
  private disarmGesture: (() => void) | null = null;

  private constructor(
    /** The engine's AudioContext (48 kHz); exposed for clocks and tests, not for rewiring. */
    readonly context: AudioContext,
    private readonly mixer: AudioWorkletNode,
    destination: MediaStreamAudioDestinationNode,
    levels: SharedArrayBuffer,
  ) {
    super();
    this.levelsF32 = new Float32Array(levels);
    this.levelsI32 = new Int32Array(levels);
    this.outputTrack = destination.stream.getAudioTracks()[0]!;
    // An exception inside process() kills the processor: the mix goes silent, so say so.
    mixer.onprocessorerror = () => {
      this.dispatchEvent(new ErrorEvent('error', { error: new StudioError('The audio mixer stopped on the audio thread; reload the page to restore audio.') }));
    };
    context.onstatechange = () => {
      const s = this.state;
      const paused = s === 'suspended' || s === 'interrupted';
      this.dispatchEvent(new AudioStateEvent(s, paused ? PAUSED_MESSAGE : null));
    };
  }

  /** Creates the 48 kHz context, loads the wasm kernels and the mixer worklet. */
  static async create(): Promise<AudioEngine> {
    if (typeof SharedArrayBuffer === 'undefined' || !globalThis.crossOriginIsolated) {
      throw new StudioError('The audio mixer needs a cross-origin isolated page (COOP/COEP headers) for its level meters.');
    }
    const ctx = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
    try {
      const [wasm] = await Promise.all([
        fetch(wasmUrl).then((r) => {
          if (!r.ok) throw new StudioError(`The audio kernels could not be loaded (HTTP ${r.status}).`);
          return r.arrayBuffer();
        }),
        ctx.audioWorklet.addModule(workletUrl),
      ]);
      const levels = new SharedArrayBuffer(LEVELS_FLOATS * 4);
      const processorOptions: MixerProcessorOptions = { wasm, levels };
      const mixer = new AudioWorkletNode(ctx, MIXER_PROCESSOR, {
        numberOfInputs: MAX_SOURCES,
        numberOfOutputs: 2,
        outputChannelCount: [2, 2],
        // Every input is seen as stereo: a mono microphone is up-mixed by Web Audio.
        channelCount: 2,
        channelCountMode: 'explicit',
        channelInterpretation: 'speakers',
        processorOptions,
      });
      await waitReady(mixer);
      const destination = ctx.createMediaStreamDestination();
      destination.channelCount = 2;
      mixer.connect(destination, OUTPUT_MASTER);
      mixer.connect(ctx.destination, OUTPUT_MONITOR);
      return new AudioEngine(ctx, mixer, destination, levels);
    } catch (e) {
      void ctx.close().catch(() => {});
      throw e instanceof StudioError ? e : new StudioError(`The audio mixer could not start: ${errorText(e)}`, {}, { cause: e });
    }
  }

  /** AudioContext state; 'suspended'/'interrupted' mean the browser paused audio. */
  get state(): AudioEngineState {
    return this.context.state as AudioEngineState;
  }

  /** Adds a source on a free mixer input; a file Blob is decoded and looped. */
  async addSource(kind: AudioSourceKind, input: MediaStreamTrack | Blob | MediaStream, label?: string, opts: { loop?: boolean } = {}): Promise<AudioSourceInfo> {
    const slot = this.slots.indexOf(null);
    if (slot < 0) throw new StudioStateError(`At most ${MAX_SOURCES} audio sources can be mixed; remove one first.`);
    const id = `audio-${this.nextId++}`;
    this.slots[slot] = id; // reserved now so concurrent adds cannot take the same input
    try {
      const made: { node: AudioNode; label: string; stop(): void; player?: FilePlayer } =
        kind === 'file' ? await this.fileNode(input, opts.loop ?? true) : this.streamNode(kind, input);
      if (this.context.state === 'closed') throw new StudioStateError('The audio engine was closed.');
      made.node.connect(this.mixer, 0, slot);
      const info: AudioSourceInfo = {
        id, kind, label: label ?? made.label, gainDb: 0, muted: false, pan: 0, monitor: false, eq: [],
      };
      this.sources.set(id, { info, slot, node: made.node, stop: made.stop, player: made.player ?? null });
      this.post({ type: 'eq', slot, bands: new Array(EQ_BANDS).fill(null) });
      this.postSource(this.sources.get(id)!);
      this.dispatchEvent(new Event('sourceschange'));
      return { ...info, eq: [] };
    } catch (e) {
      this.slots[slot] = null;
      throw e;
    }
  }

  /** Removes a source; the output track keeps running with the remaining inputs. */
  removeSource(id: string): void {
    const s = this.sources.get(id);
    if (!s) return;
    this.sources.delete(id);
    this.post({ type: 'source', slot: s.slot, active: false, gain: 0, muted: true, pan: 0, monitor: false });
    s.node.disconnect();
    s.stop();
    this.slots[s.slot] = null;
    this.dispatchEvent(new Event('sourceschange'));
  }

  /** Sources in the order they were added. */
  listSources(): AudioSourceInfo[] {
    return [...this.sources.values()].map((s) => ({ ...s.info, eq: s.info.eq.map((b) => ({ ...b })) }));
  }

  /** Updates a source's fader, mute, pan, monitor or EQ; values are clamped to their ranges. */
  setSource(id: string, settings: AudioSourceSettings): AudioSourceInfo {
    const s = this.sources.get(id);
    if (!s) throw new StudioStateError(`There is no audio source "${id}" (it may have been removed).`);
    const i = s.info;
    if (settings.gainDb !== undefined && Number.isFinite(settings.gainDb)) i.gainDb = clamp(settings.gainDb, GAIN_MIN_DB, GAIN_MAX_DB);
    if (settings.muted !== undefined) i.muted = settings.muted;
    if (settings.pan !== undefined && Number.isFinite(settings.pan)) i.pan = clamp(settings.pan, -1, 1);
    if (settings.monitor !== undefined) i.monitor = settings.monitor;
    if (settings.eq !== undefined) {
      if (settings.eq.length > EQ_BANDS) throw new RangeError(`An EQ has at most ${EQ_BANDS} bands, got ${settings.eq.length}.`);
      i.eq = settings.eq.map((b) => ({ ...b }));
      const sampleRate = this.context.sampleRate;
      const bands = new Array(EQ_BANDS).fill(null).map((_, k) => {
        const b = i.eq[k];
        if (!b) return null;
        const p = { type: b.type, freqHz: b.freq, gainDb: b.gainDb, q: b.q, sampleRate };
        return isBypassBand(p) ? null : biquadCoeffs(p);
      });
      this.post({ type: 'eq', slot: s.slot, bands });
    }
    this.postSource(s);
    return this.listSources().find((x) => x.id === id)!;
  }

  /** Master fader and mute (applied before the final clamp). */
  setMaster(settings: Partial<MasterSettings>): MasterSettings {
    if (settings.gainDb !== undefined && Number.isFinite(settings.gainDb)) this.master.gainDb = clamp(settings.gainDb, GAIN_MIN_DB, GAIN_MAX_DB);
    if (settings.muted !== undefined) this.master.muted = settings.muted;
    this.post({ type: 'master', gain: faderGain(this.master.gainDb), muted: this.master.muted });
    return this.getMaster();
  }

  /** Current master settings. */
  getMaster(): MasterSettings {
    return { ...this.master };
  }

  /** Peak/RMS (dBFS, floor −100) of each source (post-fader) and the master since the previous call. */
  getLevels(): AudioLevels {
    const f = this.levelsF32;
    const read = (idx: number): MeterLevel => ({
      peakDb: gainToDb(f[idx]!, LEVEL_FLOOR_DB),
      rmsDb: gainToDb(f[idx + 1]!, LEVEL_FLOOR_DB),
    });
    const sources: Record<string, MeterLevel> = {};
    for (const [id, s] of this.sources) sources[id] = read(levelIndex(s.slot));
    const master = read(levelIndex(-1));
    // Tell the worklet to start a new measuring interval.
    Atomics.add(this.levelsI32, LEVELS_EPOCH_INDEX, 1);
    return { sources, master };
  }

  /** Resumes the context on the next pointerdown or keydown anywhere (autoplay policy needs a gesture). */
  resumeOnGesture(): void {
    if (this.disarmGesture || this.context.state === 'closed') return;
    const opts = { capture: true } as const;
    const onGesture = () => {
      this.disarmGesture?.();
      void this.context.resume().catch(() => {});
    };
    addEventListener('pointerdown', onGesture, opts);
    addEventListener('keydown', onGesture, opts);
    this.disarmGesture = () => {
      removeEventListener('pointerdown', onGesture, opts);
      removeEventListener('keydown', onGesture, opts);
      this.disarmGesture = null;
    };
  }

  /** Stops file playback, ends the output track and closes the context. */
  async close(): Promise<void> {
    this.disarmGesture?.();
    for (const id of [...this.sources.keys()]) this.removeSource(id);
    this.mixer.port.close();
    this.outputTrack.stop();
    if (this.context.state !== 'closed') await this.context.close();
  }

  private async fileNode(input: MediaStreamTrack | Blob | MediaStream, loop: boolean): Promise<{ node: AudioNode; label: string; stop(): void; player: FilePlayer }> {
    if (!(input instanceof Blob)) throw new AudioDecodeError('A file source needs a File or Blob.');
    const name = input instanceof File ? input.name : 'Audio file';
    let buffer: AudioBuffer;
    try {
      buffer = await this.context.decodeAudioData(await input.arrayBuffer());
    } catch (e) {
      throw new AudioDecodeError(`"${name}" could not be played: it is not an audio file this browser can decode (${errorText(e)}).`, { name, type: input.type }, { cause: e });
    }
    const player = new FilePlayer(this.context, buffer, loop);
    player.play();
    return { node: player.output, label: name, stop: () => player.stop(), player };
  }

  /** The transport of a file source (play, pause, restart, loop), or null for other sources. */
  filePlayer(id: string): FilePlayer | null {
    return this.sources.get(id)?.player ?? null;
  }

  private streamNode(kind: AudioSourceKind, input: MediaStreamTrack | Blob | MediaStream): { node: AudioNode; label: string; stop(): void } {
    const stream = input instanceof MediaStream ? input
      : input instanceof MediaStreamTrack ? new MediaStream([input]) : null;
    const track = stream?.getAudioTracks()[0];
    if (!stream || !track) throw new StudioError(`A ${kind} source needs a MediaStream or track with audio.`);
    const fallback = kind === 'microphone' ? 'Microphone' : 'Tab audio';
    // Only the audio track: createMediaStreamSource ignores video but a track-only stream is explicit.
    const node = this.context.createMediaStreamSource(new MediaStream([track]));
    return { node, label: track.label || fallback, stop: () => {} };
  }

  private postSource(s: SourceEntry): void {
    const i = s.info;
    this.post({ type: 'source', slot: s.slot, active: true, gain: faderGain(i.gainDb), muted: i.muted, pan: i.pan, monitor: i.monitor });
  }

  private post(m: MixerMessage): void {
    this.mixer.port.postMessage(m);
  }
}

/** Fader dB to linear; the bottom of the fader (−60 dB) is silence, as on a desk or in OBS. */
function faderGain(db: number): number {
  return db <= GAIN_MIN_DB ? 0 : dbToGain(db);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Resolves when the processor compiled its kernels; rejects on a processor error. */
function waitReady(node: AudioWorkletNode): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new StudioError('The audio mixer did not start (no reply from the audio thread in 5 s).')), 5000);
    node.onprocessorerror = () => {
      clearTimeout(timer);
      reject(new StudioError('The audio mixer failed to start on the audio thread.'));
    };
    node.port.onmessage = (e: MessageEvent<MixerReply>) => {
      if (e.data.type === 'ready') {
        clearTimeout(timer);
        resolve();
      } else {
        clearTimeout(timer);
        reject(new StudioError(`The audio mixer failed: ${e.data.message}`));
      }
    };
  });
}

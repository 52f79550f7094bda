import type { BackgroundEffect } from './segment/background-effect.ts';
import type { MaskOptions } from './segment/mask-options.ts';
import type { SceneCollection, TransitionSpec } from './scene/types.ts';
import type {
  CodecSupport, EncodeEvents, IngestPath, EncodeResult, EncodeStartInfo, EncodeStartOptions, EncodeStats, OutputPath, RenderEvents, RenderStats,
} from './util/types.ts';

/** A video file the render worker opened. */
export interface VideoFileInfo { width: number; height: number; durationUs: number; hasAudio: boolean }

/** What the render worker offers over comlink (it implements this interface). */
export interface RenderWorkerApi {
  init(canvas: OffscreenCanvas, events: RenderEvents): Promise<{ adapter: string; timestampQuery: boolean; segmentation: string }>;
  /** The scene collection to draw; a change of current scene with a transition other than a cut runs it. */
  setCollection(c: SceneCollection, transition?: TransitionSpec | null): void;
  attachTrack(id: string, kind: 'camera' | 'display', readable: ReadableStream<VideoFrame>): void;
  detachTrack(id: string): void;
  /** Camera clock offset (wall − timestamp, µs) measured on the page, where frames arrive promptly. */
  observeClockOffset(id: string, offsetUs: number): void;
  attachImage(id: string, bitmap: ImageBitmap): void;
  attachVideoFile(id: string, file: Blob, loop: boolean): Promise<VideoFileInfo>;
  controlVideo(id: string, action: 'play' | 'pause' | 'restart' | null, loop: boolean | null): void;
  setSourceBackground(id: string, effect: BackgroundEffect): Promise<void>;
  setMaskOptions(opts: Partial<MaskOptions>): MaskOptions;
  removeBackground(image: Blob): Promise<Blob>;
  startOutput(port: MessagePort, path: OutputPath, maxInFlight?: number): { width: number; height: number };
  stopOutput(): void;
  /** The live stream's program frames, handed to the page through `port` (its own bound and drops). */
  startStreamOutput(port: MessagePort): { width: number; height: number };
  stopStreamOutput(): void;
  streamOutputStats(): { framesSent: number; dropped: number };
  setIngestPreference(pref: 'auto' | IngestPath): void;
  captureProgram(which?: 'program' | 'preview'): Promise<Blob>;
  attachStudioCanvas(canvas: OffscreenCanvas): void;
  setPreviewScene(sceneId: string | null): void;
  setQuality(level: 'auto' | 'high' | 'medium' | 'low'): void;
  setDebugGpuLoad(iterations: number): void;
  setDebugHoldOutput(on: boolean): void;
  setDebugTransitionProgress(progress: number | null): void;
  getStats(): RenderStats;
}

/** What the encode worker offers over comlink (it implements this interface). */
export interface EncodeWorkerApi {
  probe(width: number, height: number, frameRate: number): Promise<CodecSupport[]>;
  start(opts: EncodeStartOptions, port: MessagePort, audio: MessagePort | null, events: EncodeEvents): Promise<EncodeStartInfo>;
  /** Measured microphone→mix delay (µs) the audio timestamps are corrected by. */
  setAudioDelay(us: number): void;
  stop(): Promise<EncodeResult>;
  pause(): void;
  resume(): void;
  getStats(): EncodeStats;
  /**
   * Diagnostics: closes an output's running video encoder as a crash would ('main' by default).
   * `nextCodec` makes the replacement use another codec string, so that its decoder config differs.
   */
  debugFailEncoder(opts?: { output?: string; nextCodec?: string }): void;
}

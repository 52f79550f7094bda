import type { BackgroundEffect } from './segment/background-effect.ts';
import type { MaskOptions } from './segment/mask-options.ts';
import type {
  CodecSupport, EncodeEvents, IngestPath, EncodeResult, EncodeStartInfo, EncodeStartOptions, EncodeStats, OutputPath, RenderEvents, RenderStats,
} from './util/types.ts';

/** What the render worker offers over comlink (it implements this interface). */
export interface RenderWorkerApi {
  init(canvas: OffscreenCanvas, events: RenderEvents): Promise<{ adapter: string; timestampQuery: boolean; segmentation: string }>;
  setBackground(effect: BackgroundEffect): Promise<void>;
  setMaskOptions(opts: Partial<MaskOptions>): MaskOptions;
  removeBackground(image: Blob): Promise<Blob>;
  attachSource(readable: ReadableStream<VideoFrame>, size?: { width: number; height: number }): void;
  /** Camera clock offset (wall − timestamp, µs) measured on the page, where frames arrive promptly. */
  observeClockOffset(offsetUs: number): void;
  detachSource(): void;
  startOutput(port: MessagePort, path: OutputPath, maxInFlight?: number): { width: number; height: number };
  stopOutput(): void;
  setOutputSize(width: number, height: number): void;
  setIngestPreference(pref: 'auto' | IngestPath): void;
  getStats(): RenderStats;
}

/** What the encode worker offers over comlink (it implements this interface). */
export interface EncodeWorkerApi {
  probe(width: number, height: number, frameRate: number): Promise<CodecSupport[]>;
  start(opts: EncodeStartOptions, port: MessagePort, audio: MessagePort | null, events: EncodeEvents): Promise<EncodeStartInfo>;
  /** Measured microphone→mix delay (µs) the audio timestamps are corrected by. */
  setAudioDelay(us: number): void;
  stop(): Promise<EncodeResult>;
  getStats(): EncodeStats;
}

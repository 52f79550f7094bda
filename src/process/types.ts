import type { BackgroundEffect } from '../segment/background-effect.ts';
import type { MaskOptions } from '../segment/mask-options.ts';
import type { ContainerName, VideoCodecName } from '../util/types.ts';
import type { ProcessProgress } from './progress.ts';

export type { ProcessProgress };

/** What to do with a file: the background (not 'none'), mask knobs, and the output's format. */
export interface ProcessOptions {
  background: BackgroundEffect;
  maskOptions?: Partial<MaskOptions>;
  /** Default H.264 in MP4; VP9 for WebM and for a transparent background. */
  videoCodec?: VideoCodecName;
  /** Default MP4; a transparent background needs (and defaults to) WebM. */
  container?: ContainerName;
  /** Bits per second; default from the size and frame rate (codec-select's defaultBitrate). */
  videoBitrate?: number;
}

/** Milliseconds each stage was busy (not waiting for its neighbours), summed over the file. */
export interface StageTimes {
  /** Demux + decode: waiting for the next decoded frame. */
  decode: number;
  /** Frame → rgba texture (upload, YUV → RGB, rotation), up to the GPU finishing it. */
  ingest: number;
  /** Model input, inference and mask refinement for every frame. */
  mask: number;
  /** Background effect and the colour conversion for the encoder, up to the readback. */
  composite: number;
  /** Handing frames to the encoder(s) and waiting for them to keep up. */
  encode: number;
  /** Muxing and writing to disk (audio packets included). */
  mux: number;
}

/** A finished file job. */
export interface ProcessResult {
  /** File name in the recordings folder. */
  name: string;
  size: number;
  frames: number;
  /** Frames of the input (the same number when the job succeeds). */
  inputFrames: number;
  durationS: number;
  width: number;
  height: number;
  /** Rotation of the input that was applied (the output is upright). */
  rotation: 0 | 90 | 180 | 270;
  container: ContainerName;
  videoCodec: string;
  /** How the audio got into the output. */
  audio: 'copied' | 're-encoded' | 'none';
  transparent: boolean;
  wallMs: number;
  /** Media duration ÷ processing time (above 1: faster than real time). */
  realTimeFactor: number;
  stages: StageTimes;
  segmentation: 'webgpu' | 'wasm';
  adapter: string;
}

/** The processing worker's API (workers/process.worker.ts implements it). */
export interface ProcessWorkerApi {
  /** Processes one video file into the recordings folder; `id` is what `cancel` names. */
  process(id: number, file: Blob, opts: ProcessOptions, onProgress: (p: ProcessProgress) => void): Promise<ProcessResult>;
  /** Stops job `id`; its half-written output is removed. */
  cancel(id: number): void;
  /** Cuts the person out of a still picture: a PNG with the mask as alpha. */
  cutOut(image: Blob, maskOptions?: Partial<MaskOptions>): Promise<Blob>;
}

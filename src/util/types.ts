/** Types shared by the main thread, the render worker and the encode worker. */

export type VideoCodecName = 'avc' | 'vp9' | 'av1' | 'hevc';
export type ContainerName = 'mp4' | 'webm';
export type IngestPath = 'external-texture' | 'copyto-wgsl';
export type OutputPath = 'canvas' | 'nv12-readback';

export interface CameraOptions {
  deviceId?: string;
  width?: number;
  height?: number;
  frameRate?: number;
  /** Also capture the microphone (default true). */
  audio?: boolean;
}

export interface RecordingOptions {
  videoCodec?: VideoCodecName;
  videoBitrate?: number;
  container?: ContainerName;
  /** Force how frames leave the GPU; default picks canvas for hardware encoders, NV12 otherwise. */
  outputPath?: OutputPath;
  /** More files recorded at the same time, each with its own encoder and file (see OutputRequest). */
  outputs?: OutputRequest[];
}

/**
 * A second output: the program at another size and/or bitrate, or one camera as it is captured
 * (no effects, at the camera's size) for editing later. Each has its own encoder, queue and file;
 * one failing does not stop the main recording.
 */
export type OutputRequest =
  | { kind: 'program'; width?: number; height?: number; videoBitrate?: number }
  | { kind: 'camera'; /** Default: the first camera. */ sourceId?: string; videoBitrate?: number };

export type OutputKind = 'program' | 'camera';

/** One output as the encode worker is asked to open it. */
export interface EncodeOutputRequest {
  kind: OutputKind;
  /** Added to the file name in brackets ("camera", "640x360"); unique within a recording. */
  label: string;
  width: number;
  height: number;
  frameRate: number;
  videoBitrate?: number;
  /** camera: its raw frames (a track processor's readable, transferred to the worker). */
  frames?: ReadableStream<VideoFrame>;
}

/** Figures of one output (the main one first). */
export interface OutputStats {
  id: string;
  label: string;
  kind: OutputKind;
  fileName: string;
  width: number;
  height: number;
  codecString: string;
  hardwareAcceleration: 'hardware' | 'software';
  framesEncoded: number;
  framesSkipped: number;
  encoderQueue: number;
  bitrateKbps: number;
  bytesWritten: number;
  durationMs: number;
  /** Times the video encoder failed and a new one took over. */
  encoderFailovers: number;
  /** Files this output wrote: more than one when a replacement encoder needed a new file. */
  files: string[];
  /** The error that stopped this output, if one did. */
  error: string | null;
}

export interface PassTiming { name: string; ms: number }

export interface RenderStats {
  /** Frames rendered per second over the last second. */
  fps: number;
  framesRendered: number;
  /** OBS: "frames missed due to rendering lag" — program clock ticks that passed while a frame was rendering. */
  framesMissed: number;
  ingestPath: IngestPath | null;
  ingestFallbackReason: string | null;
  /** 'gpu' when timestamp queries measure the passes, 'wall' when only CPU wall time is available. */
  timingSource: 'gpu' | 'wall';
  passes: PassTiming[];
  frameMs: number;
  outputWidth: number;
  outputHeight: number;
  sourceWidth: number;
  sourceHeight: number;
  /** Frames dropped before reaching the encoder because the hand-off queue was full. */
  outputDropped: number;
  adapter: string;
  /** Background removal: backend, inference time, mask age and reuse. */
  effects: EffectsStats;
  /** The program: current scene, clock, and how much work the last frames needed. */
  program: ProgramStats | null;
  /** Every source the render worker holds. */
  sources: SourceStats[];
  /** Background-effects quality: the level in force, whether it is automatic, automatic changes so far. */
  quality: { level: 'high' | 'medium' | 'low'; automatic: boolean; steps: number; /** Smallest time between two model runs the level (and at medium the load) allows. */ maskIntervalMs: number; /** Share of ticks the frames alone miss, as measured at low (0: none known). */ frameBound: number };
  /** GPU device losses recovered from, whether the GPU is down now, and whether recovery gave up. */
  gpu: { recoveries: number; down: boolean; gaveUp: boolean };
}

export interface ProgramStats {
  sceneId: string;
  frameRate: number;
  ticks: number;
  /** Item transforms recomputed since start (only items that changed are). */
  transformsRecomputed: number;
  /** Ticks that composed the scene, and ticks that reused the last composite (nothing changed). */
  composed: number;
  reused: number;
}

/** One source as the render worker sees it. */
export interface SourceStats {
  id: string;
  kind: string;
  width: number;
  height: number;
  state: 'live' | 'waiting' | 'ended';
  framesIn: number;
  framesReplaced: number;
  message: string | null;
  /** Masks made for this source's background filter so far (absent while it never had one). */
  masks?: number;
}

export interface EncodeStats {
  recording: boolean;
  codec: string | null;
  codecString: string | null;
  hardwareAcceleration: 'hardware' | 'software' | 'unknown' | null;
  container: ContainerName | null;
  outputPath: OutputPath | null;
  framesEncoded: number;
  /** OBS: "frames skipped due to encoding lag". */
  framesSkipped: number;
  encoderQueue: number;
  bitrateKbps: number;
  bytesWritten: number;
  durationMs: number;
  audioCodec: string | null;
  audioChunks: number;
  /** Microphone→mix delay (ms) subtracted from the audio timestamps; 0 until measured. */
  audioDelayMs: number;
  /** Silence inserted where audio was missing, and audio dropped where it overlapped (ms). */
  audioSilenceMs: number;
  audioDroppedMs: number;
  fileName: string | null;
  /** Times no picture reached the recorder for 2 s (each reported once). */
  videoStalls: number;
  /** Times the main output's video encoder failed and a new one took over. */
  encoderFailovers: number;
  /** Every output of the recording, the main one first (empty when idle). */
  outputs: OutputStats[];
  /** OBS: "Disk space available" (bytes free for recordings) and "Disk full in" (seconds at the current rate); null when unknown. */
  diskFreeBytes: number | null;
  diskFullInS: number | null;
}

export interface StudioStats {
  render: RenderStats | null;
  encode: EncodeStats | null;
  /** The first camera; `framesDelivered` counts every frame the camera delivered (the track's own count, null where the browser lacks it). */
  camera: { active: boolean; label: string | null; width: number; height: number; frameRate: number; framesDelivered: number | null };
  /** How much later the mix carries the camera microphone than its timestamps say; null until measured. */
  micDelayMs: number | null;
}

export interface RecordingInfo {
  name: string;
  size: number;
  lastModified: number;
  /** The playable length of the file. */
  durationMs: number;
  /** The recording was interrupted (browser crash, tab killed) and finished on the next start. */
  recovered: boolean;
  /** The file is still a fragmented MP4: turning it into a regular one failed (e.g. a full disk). */
  fragmented: boolean;
  /** Chapter markers written into the file. */
  chapters: Chapter[];
}

/** A chapter marker: a title and where it starts in the recording (time recorded, pauses left out). */
export interface Chapter {
  title: string;
  timeMs: number;
}

export interface CodecSupport {
  codec: VideoCodecName;
  codecString: string;
  hardware: boolean;
}

/** What the encode worker needs to open a recording. */
export interface EncodeStartOptions extends RecordingOptions {
  width: number;
  height: number;
  frameRate: number;
  fileName: string;
  /** Hint from the microphone track; the encoder is configured from the first AudioData. */
  audio: { sampleRate: number; channels: number } | null;
  /**
   * The page's `performance.timeOrigin` in µs: AudioData from a track processor made on the
   * page counts from it, which maps audio onto the wall clock exactly (see ClockMapper).
   */
  audioClockOriginUs?: number;
  /** Outputs besides the main one (RecordingOptions.outputs resolved by the page). */
  extraOutputs?: EncodeOutputRequest[];
}

export interface EncodeStartInfo {
  codec: VideoCodecName; codecString: string; hardware: boolean; container: ContainerName;
  outputPath: OutputPath; fileName: string; audioCodec: string | null;
  /** Every output, the main one first. */
  outputs: { id: string; label: string; kind: OutputKind; fileName: string; width: number; height: number; codecString: string }[];
}

/** How one output ended. `reported`: its error already reached the page as it happened. */
export interface OutputResult {
  id: string; label: string; kind: OutputKind; files: string[]; size: number; durationMs: number;
  framesEncoded: number; encoderFailovers: number; error: string | null; reported: boolean;
}

/** The main output's figures, and every output's (main first). */
export interface EncodeResult {
  fileName: string; size: number; durationMs: number; framesEncoded: number; error: string | null;
  outputs: OutputResult[];
}

/** A worker's report of an error that ended its work, by typed-error name. */
export interface WorkerFault { name: string; message: string }

/** Events the encode worker reports to the main thread. */
export interface EncodeEvents {
  fatal(error: WorkerFault): void;
  /** Something the person should know that does not stop the recording (disk nearly full). */
  warning(message: string): void;
  /** An output besides the main one stopped on an error; the others go on. */
  outputFailed(output: string, error: WorkerFault): void;
}

/** Events the render worker reports to the main thread. */
export interface RenderEvents {
  /** A camera or screen track stopped delivering; the source keeps its last picture. */
  sourceEnded(sourceId: string, reason: string): void;
  fatal(error: WorkerFault): void;
  /** Something the person should know that does not stop the studio (the GPU was lost and rebuilt). */
  warning(message: string): void;
}

/** Background-removal figures for the stats panel. */
export interface EffectsStats {
  backend: 'webgpu' | 'wasm' | null;
  /** Why WebGPU inference was not used, when it was not. */
  fallbackReason: string | null;
  active: boolean;
  /** Smoothed model run time (ms). */
  inferenceMs: number;
  /** Age of the mask drawn on the latest frame: now − capture time of the frame it came from. */
  maskAgeMs: number;
  masksProduced: number;
  /** Frames drawn with a mask computed for an earlier frame (inference slower than the camera). */
  masksReused: number;
  /** New masks per second (the last second), and the age of the masks frames were drawn with, p50/p95 (ms). */
  maskRate: number;
  maskAgeP50: number;
  maskAgeP95: number;
  /** The crop the model follows now (frame pixels), or null while it looks at the whole frame. */
  crop: { x: number; y: number; width: number; height: number } | null;
  /** Model passes over the whole frame and over a person-centred crop. */
  fullFramePasses: number;
  cropPasses: number;
  /** Where a mask's time goes (smoothed ms): waiting for the GPU to hand over the model input, the model run, and the wait for the refinement that shows it. */
  maskStagesMs: { readback: number; model: number; toRefine: number };
  error: string | null;
}

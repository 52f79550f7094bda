/**
 * Typed errors. Every error the studio shows a person is one of these: `code` is stable for
 * code and tests, `message` is written for the person reading it in the UI.
 */
export class StudioError extends Error {
  /** Extra data that survives crossing a worker boundary (see util/rpc-errors). */
  details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

/** The person (or the browser policy) refused camera or microphone access. */
export class CameraPermissionError extends StudioError {}
/** No camera matches, or the chosen device was unplugged. */
export class CameraNotFoundError extends StudioError {}
/** The camera exists but cannot be opened (used by another app, hardware fault). */
export class CameraUnavailableError extends StudioError {}
/** Explains, in words a person can act on, why WebGPU is not there. */
export const NO_WEBGPU_HELP =
  'Backdrop Studio renders on the GPU with WebGPU, and this browser did not provide a WebGPU adapter. ' +
  'Use a current Chrome or Edge (version 113 or later) on Windows, macOS, ChromeOS or Android; on Linux ' +
  'enable chrome://flags/#enable-unsafe-webgpu. Check that hardware acceleration is on in the browser settings ' +
  'and that the GPU driver is not blocklisted (chrome://gpu lists the reason).';

/** The browser has no WebGPU adapter; the studio cannot render. */
export class WebGPUUnavailableError extends StudioError {}
/** The GPU device was lost (driver reset, GPU process crash). */
export class GPUDeviceLostError extends StudioError {}
/** No encoder in this browser accepts the requested codec; `details.supported` lists what does. */
export class UnsupportedCodecError extends StudioError {
  get supported(): string[] { return (this.details.supported as string[] | undefined) ?? []; }
}
/** An operation was called in a state that does not allow it (e.g. stopRecording while idle). */
export class StudioStateError extends StudioError {}
/** Writing the recording failed: disk full, quota exceeded or storage unavailable. */
export class StorageError extends StudioError {}
/** An encoder reported an error mid-recording; what was written so far is kept. */
export class EncoderError extends StudioError {}
/** A recording could not be made into a regular MP4 (e.g. no room for the copy); the fragmented file is kept and plays. */
export class FinalizeError extends StudioError {}
/** A media file (image, video, audio, model) could not be read. */
export class MediaDecodeError extends StudioError {}
/** A file job (removing the background of a video) was cancelled; its half-written output was removed. */
export class ProcessCancelledError extends StudioError {}
/** A file given as an audio source is not audio the browser can decode. */
export class AudioDecodeError extends StudioError {}
/** The segmentation model could not be fetched or onnxruntime-web could not load it. */
export class ModelLoadError extends StudioError {}
/** A scene collection (import, stored copy or API edit) breaks the schema; `details.issues` lists `{ path, message }`. */
export class SceneValidationError extends StudioError {
  get issues(): { path: string; message: string }[] {
    return (this.details.issues as { path: string; message: string }[] | undefined) ?? [];
  }
}

/** Every error class, by name, so errors can be rebuilt after crossing a worker boundary. */
export const errorClasses: Record<string, new (message: string, details?: Record<string, unknown>) => StudioError> = {
  StudioError, CameraPermissionError, CameraNotFoundError, CameraUnavailableError, WebGPUUnavailableError,
  GPUDeviceLostError, UnsupportedCodecError, StudioStateError, StorageError, EncoderError, FinalizeError, MediaDecodeError,
  ModelLoadError, AudioDecodeError, SceneValidationError, ProcessCancelledError,
};

/** Turns anything thrown into a StudioError, keeping typed errors as they are. */
export function asStudioError(e: unknown, fallback = 'Unexpected error'): StudioError {
  if (e instanceof StudioError) return e;
  const msg = e instanceof Error ? `${fallback}: ${e.message}` : `${fallback}: ${String(e)}`;
  return new StudioError(msg, {}, { cause: e });
}

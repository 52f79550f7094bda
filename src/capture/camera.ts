import { CameraNotFoundError, CameraPermissionError, CameraUnavailableError, StudioError } from '../util/errors.ts';
import type { CameraOptions } from '../util/types.ts';

/** An open camera (and optionally microphone) with the streams the workers read. */
export interface CameraCapture {
  stream: MediaStream;
  video: MediaStreamVideoTrack | MediaStreamTrack;
  audio: MediaStreamTrack | null;
  label: string;
  settings: MediaTrackSettings;
}

type TrackProcessorCtor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => { readable: ReadableStream };

/** Maps getUserMedia's DOMExceptions to the studio's typed errors with words for the UI. */
export function cameraError(e: unknown): StudioError {
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  switch (name) {
    case 'NotAllowedError': case 'SecurityError':
      return new CameraPermissionError('Camera access was denied. Allow the camera for this site (the camera icon in the address bar), then press "Start camera" again.');
    case 'NotFoundError': case 'OverconstrainedError':
      return new CameraNotFoundError('No camera was found that matches the request. Plug in a camera or pick another one in the list.');
    case 'NotReadableError': case 'AbortError':
      return new CameraUnavailableError('The camera could not be opened: another application may be using it, or it stopped responding.');
    default:
      return new CameraUnavailableError(`The camera could not be started: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Opens the camera (and microphone) with the requested device, size and frame rate. */
export async function openCamera(opts: CameraOptions = {}): Promise<CameraCapture> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CameraUnavailableError('This page cannot use cameras: it needs a secure (https or localhost) origin in a current Chrome.');
  }
  const video: MediaTrackConstraints = {
    width: { ideal: opts.width ?? 1280 },
    height: { ideal: opts.height ?? 720 },
    frameRate: { ideal: opts.frameRate ?? 30 },
    ...(opts.deviceId ? { deviceId: { exact: opts.deviceId } } : {}),
  };
  const wantAudio = opts.audio !== false;
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video,
      audio: wantAudio ? { echoCancellation: false, noiseSuppression: false, autoGainControl: false } : false,
    });
  } catch (e) {
    // A missing or refused microphone should not cost the person their camera.
    if (wantAudio && e instanceof DOMException && e.name !== 'NotAllowedError') {
      try { stream = await navigator.mediaDevices.getUserMedia({ video, audio: false }); } catch (e2) { throw cameraError(e2); }
    } else {
      throw cameraError(e);
    }
  }
  const v = stream.getVideoTracks()[0];
  if (!v) throw new CameraNotFoundError('The browser returned no video track.');
  return { stream, video: v, audio: stream.getAudioTracks()[0] ?? null, label: v.label, settings: v.getSettings() };
}

/** A ReadableStream of the track's frames (VideoFrame or AudioData), transferable to a worker. */
export function trackReadable<T>(track: MediaStreamTrack, maxBufferSize = 2): ReadableStream<T> {
  const P = (globalThis as unknown as { MediaStreamTrackProcessor?: TrackProcessorCtor }).MediaStreamTrackProcessor;
  if (!P) throw new CameraUnavailableError('This browser lacks MediaStreamTrackProcessor (Chrome 94 or later is needed).');
  return new P({ track, maxBufferSize }).readable as ReadableStream<T>;
}

/** Cameras the browser lists (labels appear once permission was granted). */
export async function listCameras(): Promise<{ deviceId: string; label: string }[]> {
  const devices = await navigator.mediaDevices?.enumerateDevices?.() ?? [];
  return devices.filter((d) => d.kind === 'videoinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

import * as Comlink from 'comlink';
import { openCamera, trackReadable, cameraError } from '../capture/camera.ts';
import { CameraClock } from '../capture/camera-clock.ts';
import { decodeImage } from '../sources/image-decode.ts';
import { StudioStateError } from '../util/errors.ts';
import type { CameraOptions } from '../util/types.ts';
import type { RenderWorkerApi, VideoFileInfo } from '../worker-apis.ts';
import type { AudioHub } from './audio-hub.ts';

/** The live media the page holds for one source. */
interface Live {
  stream: MediaStream | null;
  video: MediaStreamTrack | null;
  audio: MediaStreamTrack | null;
  /** The mixer source carrying this source's sound, if any. */
  audioSourceId: string | null;
  clock: CameraClock | null;
  settings: MediaTrackSettings | null;
  label: string;
  /** A video file with a sound track. */
  hasAudio?: boolean;
}

/**
 * Opens and closes what sources show: cameras and screens (their tracks' frames go straight to
 * the render worker, never through this thread), images (decoded here once) and video files
 * (demuxed and decoded in the render worker). Their sound goes into the mixer.
 */
export class SourceMedia {
  private readonly live = new Map<string, Live>();

  constructor(private readonly render: Comlink.Remote<RenderWorkerApi>, private readonly audio: AudioHub,
    private readonly onTrackEnded: (id: string, reason: string) => void) {}

  /** The camera/microphone tracks of a source, if it is open. */
  tracksOf(id: string): { video: MediaStreamTrack | null; audio: MediaStreamTrack | null } {
    const l = this.live.get(id);
    return { video: l?.video ?? null, audio: l?.audio ?? null };
  }

  /** A clone of a source's live video track with its size and rate (the caller stops it), or null. */
  cloneVideo(id: string): { track: MediaStreamTrack; width: number; height: number; frameRate: number } | null {
    const v = this.live.get(id)?.video;
    if (!v || v.readyState !== 'live') return null;
    const s = v.getSettings();
    return { track: v.clone(), width: s.width ?? 0, height: s.height ?? 0, frameRate: s.frameRate ?? 0 };
  }

  /** The capture settings of an open camera or screen. */
  settingsOf(id: string): MediaTrackSettings | null { return this.live.get(id)?.settings ?? null; }
  /** Frames the source's video track delivered so far (MediaStreamTrack stats), or null. */
  framesDelivered(id: string): number | null {
    const t = this.live.get(id)?.video as (MediaStreamTrack & { stats?: { totalFrames?: number } }) | null | undefined;
    return t?.stats?.totalFrames ?? null;
  }

  /** The device's label of an open camera or screen. */
  labelOf(id: string): string | null { return this.live.get(id)?.label ?? null; }
  /** Whether a camera or screen source has a live track. */
  isLive(id: string): boolean { return this.live.get(id)?.video?.readyState === 'live'; }

  /** Opens a camera for source `id`; `microphone` also opens its microphone into the mixer. */
  async openCamera(id: string, opts: CameraOptions, microphone: boolean): Promise<{ label: string; settings: MediaTrackSettings }> {
    this.close(id);
    const cam = await openCamera({ ...opts, audio: microphone && opts.audio !== false });
    const live: Live = { stream: cam.stream, video: cam.video, audio: cam.audio, audioSourceId: null, clock: null, settings: cam.settings, label: cam.label };
    this.live.set(id, live);
    try {
      const readable = trackReadable<VideoFrame>(cam.video);
      await this.render.attachTrack(id, 'camera', Comlink.transfer(readable, [readable as unknown as Transferable]));
      live.clock = new CameraClock(cam.video, (us) => void this.render.observeClockOffset(id, us).catch(() => {}));
      this.watchEnd(id, cam.video, 'the camera stopped sending frames (was it unplugged?)');
      if (cam.audio) live.audioSourceId = await this.audio.addCameraMicrophone(cam.audio);
    } catch (e) {
      this.close(id);
      throw e;
    }
    return { label: cam.label, settings: cam.settings };
  }

  /** Asks the person which screen, window or tab to share, for source `id`; its sound goes into the mixer. */
  async openDisplay(id: string, withAudio: boolean): Promise<{ label: string; settings: MediaTrackSettings }> {
    this.close(id);
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 30 } }, audio: withAudio });
    } catch (e) {
      throw cameraError(e);
    }
    const video = stream.getVideoTracks()[0];
    if (!video) throw new StudioStateError('The browser shared no picture.');
    const audio = stream.getAudioTracks()[0] ?? null;
    const live: Live = { stream, video, audio, audioSourceId: null, clock: null, settings: video.getSettings(), label: video.label || 'Screen' };
    this.live.set(id, live);
    try {
      const readable = trackReadable<VideoFrame>(video);
      await this.render.attachTrack(id, 'display', Comlink.transfer(readable, [readable as unknown as Transferable]));
      this.watchEnd(id, video, 'screen sharing was stopped');
      if (audio) live.audioSourceId = (await this.audio.addOwnedTrack('display', audio, `${live.label} audio`)).id;
    } catch (e) {
      this.close(id);
      throw e;
    }
    return { label: live.label, settings: live.settings! };
  }

  private watchEnd(id: string, track: MediaStreamTrack, reason: string): void {
    track.addEventListener('ended', () => {
      if (this.live.get(id)?.video === track) this.onTrackEnded(id, reason);
    });
  }

  /** Decodes an image on this thread (throws MediaDecodeError). */
  decode(blob: Blob): Promise<ImageBitmap> { return decodeImage(blob); }

  /** Hands a decoded image to the render worker (the bitmap is transferred). */
  async sendImage(id: string, bitmap: ImageBitmap): Promise<void> {
    await this.render.attachImage(id, Comlink.transfer(bitmap, [bitmap]));
  }

  /** Opens a video file in the render worker and, unless muted, its sound in the mixer. */
  async openVideo(id: string, file: Blob, loop: boolean, muted: boolean, label: string): Promise<VideoFileInfo> {
    this.close(id);
    const info = await this.render.attachVideoFile(id, file, loop);
    const live: Live = { stream: null, video: null, audio: null, audioSourceId: null, clock: null, settings: null, label };
    this.live.set(id, live);
    live.hasAudio = info.hasAudio;
    if (!muted) await this.addVideoAudio(id, file, loop);
    return info;
  }

  /** Puts a video's sound into the mixer (at its start: the picture restarts with it). */
  async addVideoAudio(id: string, file: Blob, loop: boolean): Promise<void> {
    const live = this.live.get(id);
    if (!live?.hasAudio || live.audioSourceId) return;
    try {
      live.audioSourceId = (await (await this.audio.mixer()).addSource('file', file, `${live.label} audio`, { loop })).id;
    } catch {
      // A video whose sound the browser cannot decode still plays, silently.
      live.audioSourceId = null;
    }
  }

  /** Plays, pauses or restarts a video's sound with its picture; `loop` sets whether it loops. */
  async controlAudio(id: string, action: 'play' | 'pause' | 'restart' | null, loop: boolean | null): Promise<void> {
    const audioId = this.live.get(id)?.audioSourceId;
    if (!audioId) return;
    const player = (await this.audio.mixer()).filePlayer(audioId);
    if (!player) return;
    if (loop !== null) player.loop = loop;
    if (action === 'play') player.play();
    else if (action === 'pause') player.pause();
    else if (action === 'restart') player.restart();
  }

  /** Removes a source's sound from the mixer (a video muted later). */
  async dropAudio(id: string): Promise<void> {
    const l = this.live.get(id);
    if (l?.audioSourceId) await this.audio.remove(l.audioSourceId).catch(() => {});
    if (l) l.audioSourceId = null;
  }

  /** Stops what the page opened for a source; the render worker keeps its last picture. */
  close(id: string): void {
    const l = this.live.get(id);
    if (!l) return;
    this.live.delete(id);
    l.clock?.stop();
    if (l.video) void this.render.detachTrack(id).catch(() => {});
    l.stream?.getTracks().forEach((t) => t.stop());
    if (l.audioSourceId) void this.audio.remove(l.audioSourceId).catch(() => {});
  }

  /** Stops everything. */
  closeAll(): void { for (const id of [...this.live.keys()]) this.close(id); }
}

/** Chrome's generator of a track from VideoFrames (not in TypeScript's DOM library). */
interface TrackGenerator extends MediaStreamTrack { readonly writable: WritableStream<VideoFrame> }
declare const MediaStreamTrackGenerator: { new (init: { kind: 'video' }): TrackGenerator } | undefined;

/** Whether this browser can turn program frames into a track for WebRTC. */
export function canGenerateTracks(): boolean { return typeof MediaStreamTrackGenerator === 'function'; }

/**
 * The page's end of the render worker's stream link: each program frame that arrives is written
 * into a MediaStreamTrackGenerator, whose track RTCPeerConnection sends. The frames are the
 * render worker's own (GPU-backed, with the program's timestamps): nothing is read back here,
 * and which canvas the page shows (studio mode's preview) does not matter.
 *
 * A generator rather than captureStream() of a canvas: the program canvas belongs to the render
 * worker (transferred offscreen), studio mode shows the preview on the main canvas, and a
 * capture follows the page's paint cycle, not the program clock. Chromium offers the generator
 * on the page only (no VideoTrackGenerator in workers, and tracks cannot be transferred), so
 * frames cross to the page; each is acknowledged once written, which bounds the link.
 */
export class FrameSink {
  readonly track: MediaStreamTrack;
  private readonly writer: WritableStreamDefaultWriter<VideoFrame>;
  /** Frames received from the render worker and written into the track. */
  framesWritten = 0;
  private ended = false;

  constructor(private readonly port: MessagePort) {
    if (!MediaStreamTrackGenerator) throw new Error('MediaStreamTrackGenerator is not available');
    const gen = new MediaStreamTrackGenerator({ kind: 'video' });
    this.track = gen;
    this.writer = gen.writable.getWriter();
    port.onmessage = (ev: MessageEvent<{ type: 'frame'; frame: VideoFrame } | { type: 'end' }>) => {
      const m = ev.data;
      if (m.type === 'frame') this.write(m.frame);
      else this.close();
    };
  }

  private write(frame: VideoFrame): void {
    if (this.ended) { frame.close(); this.ack(); return; }
    // The generator takes the frame (and closes it); a write after the track stopped does not.
    this.writer.write(frame).then(() => { this.framesWritten++; }, () => frame.close()).finally(() => this.ack());
  }

  private ack(): void {
    if (!this.ended) this.port.postMessage({ type: 'ack' });
  }

  /** Stops the track and the port (the render worker's link sends 'end' first). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.port.onmessage = null;
    this.port.close();
    this.writer.close().catch(() => {});
    this.track.stop();
  }
}

import { OutputLink } from './output-link.ts';
import type { OutputPath } from '../util/types.ts';

/** Frames the stream may have in flight (NV12 readbacks under way count): a few, as live video wants the newest frame, not a queue. */
const STREAM_IN_FLIGHT = 4;

/**
 * Where each program frame goes: the recorder's link (canvas or NV12 readback, to the encode
 * worker) and the live stream's link (canvas frames to the page, where WebRTC encodes them).
 * Both are fed from the one render; each has its own bound and counts its own drops, so a
 * stalled stream never costs the recording a frame and the reverse.
 */
export class ProgramOutputs {
  recording: OutputLink | null = null;
  stream: OutputLink | null = null;
  /** Drops of links that have ended (the stats add the running ones). */
  private recordingDroppedBefore = 0;
  private streamDroppedBefore = 0;
  /** Frames handed to the stream's page side since start. */
  streamFramesSent = 0;
  /** This tick's wants, kept in fields so a tick allocates nothing. */
  private wantRecording: OutputPath | 'none' = 'none';
  private wantStream: OutputPath | 'none' = 'none';

  /** Whether any output takes frames (the program clock then keeps its stamps evenly spaced). */
  get active(): boolean { return this.recording !== null || this.stream !== null; }

  /** Asks each link what it takes this tick; true when one wants an NV12 readback. */
  plan(): boolean {
    this.wantRecording = this.recording?.want() ?? 'none';
    this.wantStream = this.stream?.want() ?? 'none';
    return this.wantRecording === 'nv12-readback' || this.wantStream === 'nv12-readback';
  }

  /**
   * Hands this tick's frame to the links that want it. Must run in the task that submitted the
   * frame's GPU work, before the canvas is presented. One canvas VideoFrame is made and cloned
   * when both want it (a clone shares the GPU picture; nothing is copied).
   */
  deliver(canvas: OffscreenCanvas, nv12: (() => Promise<VideoFrame>) | null, timestamp: number, duration: number): void {
    const rec = this.recording, stream = this.stream;
    const recCanvas = rec !== null && this.wantRecording === 'canvas', streamCanvas = stream !== null && this.wantStream === 'canvas';
    if (recCanvas || streamCanvas) {
      const frame = new VideoFrame(canvas, { timestamp, duration });
      if (recCanvas && streamCanvas) rec.send(frame.clone());
      else if (recCanvas) rec.send(frame);
      if (streamCanvas) { stream.send(frame); this.streamFramesSent++; }
    }
    const recNv12 = rec !== null && this.wantRecording === 'nv12-readback', streamNv12 = stream !== null && this.wantStream === 'nv12-readback';
    if (recNv12 && streamNv12 && nv12) {
      // One readback, two owners: the clone is made before either frame leaves.
      const both = nv12().then((f) => ({ rec: f, stream: f.clone() }));
      rec.sendLater(() => both.then((x) => x.rec));
      stream.sendLater(() => both.then((x) => x.stream));
    } else if (recNv12) {
      rec.sendLater(nv12);
    } else if (streamNv12) {
      stream.sendLater(nv12);
    }
    if (streamNv12) this.streamFramesSent++;
  }

  /** Starts the recorder's link (a running one is ended first). */
  startRecording(port: MessagePort, path: OutputPath, maxInFlight: number): void {
    this.stopRecording();
    this.recording = new OutputLink(port, path, maxInFlight);
  }

  /** Ends the recorder's link. */
  stopRecording(): void {
    if (!this.recording) return;
    this.recordingDroppedBefore += this.recording.dropped;
    this.recording.end();
    this.recording = null;
  }

  /**
   * Starts the stream's link to the page (a running one is ended first): canvas frames on a
   * real GPU; NV12 readbacks on a CPU rasteriser, where WebRTC reading a GPU-backed frame back
   * was measured to take ~200 ms a frame (the stream got 9 of 25 fps).
   */
  startStream(port: MessagePort, path: OutputPath): void {
    this.stopStream();
    this.stream = new OutputLink(port, path, STREAM_IN_FLIGHT);
  }

  /** Ends the stream's link. */
  stopStream(): void {
    if (!this.stream) return;
    this.streamDroppedBefore += this.stream.dropped;
    this.stream.end();
    this.stream = null;
  }

  /** Gives up on NV12 readbacks of a lost GPU device. */
  abandonReadbacks(): void { this.recording?.abandonReadbacks(); this.stream?.abandonReadbacks(); }

  /** Diagnostics: holds the recorder's frames back (a stalled GPU, as the recorder sees it). */
  holdRecording(on: boolean): void { if (this.recording) this.recording.held = on; }

  /** Recorder frames dropped since start (the link was full). */
  get recordingDropped(): number { return this.recordingDroppedBefore + (this.recording?.dropped ?? 0); }
  /** Frames handed to the stream's page side since start, and dropped because it had not taken the earlier ones yet. */
  streamStats(): { framesSent: number; dropped: number } {
    return { framesSent: this.streamFramesSent, dropped: this.streamDroppedBefore + (this.stream?.dropped ?? 0) };
  }
}

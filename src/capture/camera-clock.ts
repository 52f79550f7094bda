import { wallMicros } from '../util/clock.ts';
import { trackReadable } from './camera.ts';
import { closeQueuedAndCancel } from '../util/streams.ts';

/** Report an improvement only when it is at least this much (µs), so messages stay rare. */
const REPORT_STEP_US = 500;

/**
 * Learns the camera clock's offset to the wall clock where frames arrive promptly. Camera
 * VideoFrames are stamped on a monotonic clock with no exposed origin, so the offset is the
 * smallest (arrival − timestamp) seen. The render worker cannot measure it well: on a busy
 * GPU (measured on SwiftShader) every frame waits 75–300 ms before its reader runs, and the
 * picture would be recorded that much late against the exactly-stamped audio. A clone of the
 * track read here, on a thread that is mostly idle, delivers frames within a few ms; each frame
 * is closed at once.
 */
export class CameraClock {
  private readonly track: MediaStreamTrack;
  private readonly reader: ReadableStreamDefaultReader<VideoFrame>;
  private best = Infinity;
  private reported = Infinity;

  /** Starts reading a clone of `video`; `onOffset` gets each better offset (µs, wall − timestamp). */
  constructor(video: MediaStreamTrack, private readonly onOffset: (offsetUs: number) => void) {
    this.track = video.clone();
    // One buffered frame: a late read should see the newest frame, not a queue of stale ones.
    this.reader = trackReadable<VideoFrame>(this.track, 1).getReader();
    void this.pump();
  }

  /** Stops the clone; safe to call twice. */
  stop(): void {
    void closeQueuedAndCancel(this.reader);
    this.track.stop();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) return;
        const arrival = wallMicros();
        const ts = value.timestamp;
        value.close();
        this.best = Math.min(this.best, arrival - ts);
        if (this.best <= this.reported - REPORT_STEP_US) {
          this.reported = this.best;
          this.onOffset(this.best);
        }
      }
    } catch {
      // The track ended or was stopped: the last offset stays valid for what was recorded.
    }
  }
}

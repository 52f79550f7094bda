import type { PauseClock } from './pause-clock.ts';

/**
 * Puts program frames on the frame grid of the file. The muxer snaps video timestamps to the
 * frame rate, and program frames carry their capture times, which jitter: two frames less than a
 * frame apart (seen under load, down to 1 ms) would land on one timestamp, which players and
 * ffmpeg reject. Each frame takes the grid slot nearest its capture time (pauses left out, as in
 * the file); a frame whose slot is taken is left out.
 */
export class FrameGrid {
  private originUs: number | null = null;
  private lastTick = -1;
  private placedTick = -1;
  private readonly stepUs: number;

  constructor(frameRate: number, private readonly pauses: PauseClock) {
    this.stepUs = 1e6 / frameRate;
  }

  /**
   * The timestamp (capture clock) to encode a frame captured at `t` with, or null when its slot
   * is taken. accept() takes the slot once the frame was encoded.
   */
  place(t: number): number | null {
    const offset = this.pauses.offset(t);
    this.originUs ??= t - offset;
    let tick = Math.round((t - offset - this.originUs) / this.stepUs);
    if (tick <= this.lastTick) return null;
    let at = Math.round(this.originUs + tick * this.stepUs + offset);
    // Just after a resume the slot before the pause's end would be shifted as if still paused.
    if (this.pauses.offset(at) !== offset) at = Math.round(this.originUs + ++tick * this.stepUs + offset);
    this.placedTick = tick;
    return at;
  }

  /** The frame last placed was encoded: its slot is taken. */
  accept(): void { this.lastTick = this.placedTick; }
}

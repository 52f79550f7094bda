/** Largest correction of the program's capture delay per tick while recording (µs). */
const DELAY_STEP_RECORDING_US = 4000;

/**
 * Paces the program at the user's frame rate and stamps its frames on the wall clock that
 * audio uses. A frame that shows a new picture of the first camera is stamped with that
 * picture's capture time, so lip sync is what it was with the camera alone; other ticks are
 * stamped "now minus the camera's delay", and stamps always increase.
 */
export class ProgramClock {
  private next = 0;
  private lastStampUs = -Infinity;
  private delayUs = 0;
  private delayKnown = false;
  /** Ticks that passed while a frame was still rendering (OBS: missed due to rendering lag). */
  missed = 0;
  ticks = 0;
  frameRate = 30;
  /** While recording the delay may only creep, so stamps stay evenly spaced. */
  recording = false;

  /** Milliseconds to wait before the next tick (0: now); counts ticks that were skipped. */
  waitMs(nowMs = performance.now()): number {
    const interval = 1000 / this.frameRate;
    if (this.next === 0) this.next = nowMs;
    const wait = this.next - nowMs;
    if (wait > 0) return wait;
    const late = Math.floor(-wait / interval);
    if (late > 0) { this.missed += late; this.next += late * interval; }
    return 0;
  }

  /** Marks a tick as taken; the next is one interval later. */
  tick(): void {
    this.ticks++;
    this.next += 1000 / this.frameRate;
  }

  /** Timestamp (µs) of the frame rendered at `nowUs`; `captureUs` is the first camera's new picture, if any. */
  stamp(nowUs: number, captureUs: number | null): number {
    let ts: number;
    if (captureUs !== null && captureUs <= nowUs) {
      const d = nowUs - captureUs;
      if (!this.delayKnown) { this.delayUs = d; this.delayKnown = true; }
      const step = this.recording ? DELAY_STEP_RECORDING_US : Infinity;
      this.delayUs += Math.max(-step, Math.min(step, (d - this.delayUs) * 0.2));
      ts = captureUs;
    } else {
      ts = nowUs - this.delayUs;
    }
    ts = Math.max(ts, this.lastStampUs + 1000);
    this.lastStampUs = ts;
    return Math.round(ts);
  }

  /** Frame duration (µs) at the program rate. */
  get durationUs(): number { return Math.round(1e6 / this.frameRate); }
}

/**
 * Pauses of a recording on the capture clock (µs). Frames and audio captured while paused are
 * left out, and everything captured after a pause is moved earlier by the time paused so far,
 * so the file has no gap and picture and sound stay together.
 */
export class PauseClock {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Starts a pause at `atUs` (ignored while paused). */
  pause(atUs: number): void {
    if (this.pausedNow) return;
    this.starts.push(atUs);
  }

  /** Ends the pause at `atUs` (ignored while not paused). */
  resume(atUs: number): void {
    if (!this.pausedNow) return;
    this.ends.push(Math.max(atUs, this.starts[this.starts.length - 1]));
  }

  /** Whether a pause is running. */
  get pausedNow(): boolean { return this.starts.length > this.ends.length; }

  /** Whether something captured at `tUs` falls in a pause (and is left out). */
  paused(tUs: number): boolean {
    for (let i = 0; i < this.starts.length; i++) {
      if (tUs >= this.starts[i] && (i >= this.ends.length || tUs < this.ends[i])) return true;
    }
    return false;
  }

  /** How far something captured at `tUs` moves earlier: the pauses that ended before it (µs). */
  offset(tUs: number): number {
    let o = 0;
    for (let i = 0; i < this.ends.length; i++) if (this.ends[i] <= tUs) o += this.ends[i] - this.starts[i];
    return o;
  }
}

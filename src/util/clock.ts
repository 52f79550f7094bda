/** Wall-clock microseconds (epoch based), comparable across the page and its workers. */
export function wallMicros(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/** Largest plausible delivery delay for a known clock: beyond it the hint is for another clock. */
const KNOWN_CLOCK_MAX_DELAY_US = 5_000_000;
/** A known clock may read slightly ahead of arrival (rounding, origin precision). */
const KNOWN_CLOCK_MAX_LEAD_US = 50_000;

/**
 * Maps a capture clock onto wall-clock microseconds.
 *
 * Where the source's clock is known (microphone and mixer AudioData count from the page's
 * `performance.timeOrigin`, measured in Chrome: arrival − timestamp is 0.2 ms on the page),
 * `knownOffsetUs` maps it exactly, once the first sample shows the hint is plausible. Camera
 * frames are stamped on another monotonic clock whose origin no API exposes: there the smallest
 * (arrival − timestamp) seen so far is the offset plus the shortest delivery delay. It keeps
 * learning for the whole life of the source, because the first frames often arrive late in a
 * batch (the worker is busy starting up) and a short calibration then maps the picture up to
 * ~200 ms late. `maxStepUs` limits how far one sample may move the mapping, so that timestamps
 * stay increasing while a recording runs (a frame interval is 16–33 ms).
 */
export class ClockMapper {
  private target = Infinity;
  private applied = Infinity;
  private known: number | null;
  private checked = false;
  /** Largest correction one sample may apply once mapping started; Infinity snaps at once. */
  maxStepUs = Infinity;

  constructor(knownOffsetUs: number | null = null) {
    this.known = knownOffsetUs;
  }

  /** Converts a source timestamp (µs) to wall µs. */
  map(timestamp: number, arrival = wallMicros()): number {
    if (this.known !== null && !this.checked) {
      this.checked = true;
      const delay = arrival - (timestamp + this.known);
      if (delay < -KNOWN_CLOCK_MAX_LEAD_US || delay > KNOWN_CLOCK_MAX_DELAY_US) this.known = null;
    }
    if (this.known !== null) return Math.round(timestamp + this.known);
    this.target = Math.min(this.target, arrival - timestamp);
    if (this.applied === Infinity) this.applied = this.target;
    else if (this.applied > this.target) this.applied = Math.max(this.target, this.applied - this.maxStepUs);
    return Math.round(timestamp + this.applied);
  }

  /** Offers an offset (wall − timestamp, µs) measured elsewhere with less delivery delay. */
  observe(offsetUs: number): void {
    if (this.known === null) this.target = Math.min(this.target, offsetUs);
  }

  /** Whether the source's clock is mapped exactly (a known origin that proved plausible). */
  get exact(): boolean {
    return this.known !== null && this.checked;
  }
}

/** Counts events per second over a sliding window, without allocating per event. */
export class RateMeter {
  private readonly times: Float64Array;
  private head = 0;
  private count = 0;
  constructor(private readonly windowMs = 1000, capacity = 512) { this.times = new Float64Array(capacity); }
  /** Records one event at time `now` (ms). */
  tick(now = performance.now()): void {
    this.times[this.head] = now;
    this.head = (this.head + 1) % this.times.length;
    if (this.count < this.times.length) this.count++;
  }
  /** Events per second over the window ending at `now`. */
  rate(now = performance.now()): number {
    let n = 0;
    let oldest = now;
    for (let i = 0; i < this.count; i++) {
      const t = this.times[(this.head - 1 - i + this.times.length) % this.times.length];
      if (now - t > this.windowMs) break;
      n++;
      oldest = t;
    }
    if (n < 2) return 0;
    return ((n - 1) * 1000) / Math.max(1, now - oldest);
  }
}

/** Exponential moving average for per-stage timings shown in the stats panel. */
export class Smoothed {
  value = 0;
  private primed = false;
  constructor(private readonly alpha = 0.1) {}
  /** Adds a sample and returns the smoothed value. */
  add(x: number): number {
    this.value = this.primed ? this.value + this.alpha * (x - this.value) : x;
    this.primed = true;
    return this.value;
  }
}

/** Median of a list of numbers (copy-sorted). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The last `capacity` samples in a ring, with percentiles on demand (stats, not the hot path). */
export class SampleWindow {
  private readonly xs: Float64Array;
  private head = 0;
  private count = 0;
  constructor(capacity = 240) { this.xs = new Float64Array(capacity); }
  /** Adds one sample. */
  add(x: number): void {
    this.xs[this.head] = x;
    this.head = (this.head + 1) % this.xs.length;
    if (this.count < this.xs.length) this.count++;
  }
  /** The p-th percentile (0..1) of the samples held, NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const s = Array.from(this.xs.subarray(0, this.count)).sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
  }
}

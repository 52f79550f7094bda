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

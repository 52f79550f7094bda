/**
 * The program's recent ticks for the quality governor, in a fixed ring so a tick allocates
 * nothing: when each was rendered, how many ticks passed unrendered before it, and the share of
 * its budget it used.
 */
export class TickWindow {
  private readonly times: Float64Array;
  private readonly missed: Uint32Array;
  private readonly loads: Float32Array;
  /** Index of the oldest tick, and how many are held. */
  private head = 0;
  private count = 0;
  private missedHeld = 0;

  /** Holds up to `capacity` ticks (the oldest goes when full): 4096 is 30 s at 136 fps. */
  constructor(private readonly capacity = 4096) {
    this.times = new Float64Array(capacity);
    this.missed = new Uint32Array(capacity);
    this.loads = new Float32Array(capacity);
  }

  /** Ticks held. */
  get length(): number { return this.count; }

  /** Program ticks the held ones span: those rendered and those missed before them. */
  get spanned(): number { return this.count + this.missedHeld; }

  /** When the oldest tick held was rendered (NaN when none is). */
  get oldestMs(): number { return this.count ? this.times[this.head] : NaN; }

  /** Forgets every tick. */
  clear(): void { this.head = 0; this.count = 0; this.missedHeld = 0; }

  /** Adds a tick rendered at `t` after `missed` unrendered ones, having used `load` of its budget. */
  push(t: number, missed: number, load: number): void {
    if (this.count === this.capacity) this.dropOldest();
    const i = (this.head + this.count) % this.capacity;
    this.times[i] = t;
    this.missed[i] = missed;
    this.loads[i] = load;
    this.count++;
    this.missedHeld += missed;
  }

  /** Forgets the ticks rendered before `t`. */
  dropBefore(t: number): void {
    while (this.count && this.times[this.head] < t) this.dropOldest();
  }

  /** Missed ticks as a share of all ticks (rendered + missed) among those rendered from `fromMs` on. */
  missedShare(fromMs = -Infinity): number {
    let m = 0, n = 0;
    for (let k = this.count - 1; k >= 0; k--) {
      const i = (this.head + k) % this.capacity;
      if (this.times[i] < fromMs) break;
      m += this.missed[i];
      n++;
    }
    return m / Math.max(1, n + m);
  }

  /** Whether the median tick used at most `share` of its budget. */
  medianLoadAtMost(share: number): boolean {
    let within = 0;
    for (let k = 0; k < this.count; k++) if (this.loads[(this.head + k) % this.capacity] <= share) within++;
    // The median of n sorted loads is element n >> 1: it is within when more than n >> 1 are.
    return within > this.count >> 1;
  }

  private dropOldest(): void {
    this.missedHeld -= this.missed[this.head];
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }
}

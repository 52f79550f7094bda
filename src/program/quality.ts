/**
 * Adaptive quality of background effects: when the program loses frames (ticks that passed
 * while a frame was rendering) for a while, step down (fewer masks per second, cheaper
 * refinement); step back up when there is headroom again. A step up that the load undoes at
 * once doubles the headroom the next one needs, so quality does not flap. The person may pin
 * a level instead.
 */
export type QualityLevel = 'high' | 'medium' | 'low';

/** What a level changes in a source's background chain. */
export interface QualitySettings {
  /** Smallest time between two model runs of one source (ms). */
  minMaskIntervalMs: number;
  /** Edge-aware (joint bilateral) upsampling of the mask; off, bilinear. */
  edgeAware: boolean;
  /** Contour smoothing of the mask (when the person asked for it). */
  contourSmoothing: boolean;
}

/**
 * Each step down first drops the costliest refinement, then mask rate. Edge-aware upsampling
 * is most of a mask's GPU time on a CPU rasteriser and adds 0.001 mean IoU on the DAVIS-20
 * pairs (mask-refine test), so medium keeps the mask rate (up to 10 a second) and upsamples
 * bilinearly; low also skips contour smoothing and runs the model at most twice a second.
 */
export const QUALITY_SETTINGS: Readonly<Record<QualityLevel, QualitySettings>> = {
  high: { minMaskIntervalMs: 0, edgeAware: true, contourSmoothing: true },
  medium: { minMaskIntervalMs: 100, edgeAware: false, contourSmoothing: true },
  low: { minMaskIntervalMs: 500, edgeAware: false, contourSmoothing: false },
};

const ORDER: QualityLevel[] = ['high', 'medium', 'low'];
/** Share of the last second's ticks missed (not rendered) above which quality steps down. */
const MISSED_SHARE = 0.2;
/** Headroom: over the last UP_AFTER_MS, at most this share of ticks missed and the median tick at most HEADROOM of its budget. */
const UP_MISSED_SHARE = 0.1;
const HEADROOM = 0.6;
/** How long to watch after a change before judging again, and how long headroom must last to step up. */
const SETTLE_MS = 1000;
const UP_AFTER_MS = 3000;
/** A step down this soon after a step up doubles the headroom needed (up to MAX_UP_AFTER_MS). */
const UNDONE_WITHIN_MS = 5000;
const MAX_UP_AFTER_MS = 30_000;
/** After this long without a step down, the headroom needed is back to UP_AFTER_MS. */
const CALM_MS = 60_000;

/** Missed ticks as a share of all ticks (rendered + missed) in `ticks`. */
function missedShare(ticks: readonly { missed: number }[]): number {
  let m = 0;
  for (const x of ticks) m += x.missed;
  return m / Math.max(1, ticks.length + m);
}

/** Watches tick times and picks the level (see QualityLevel). */
export class QualityGovernor {
  private auto: QualityLevel = 'high';
  private pinned: QualityLevel | null = null;
  /** Rendered ticks of the last UP_AFTER_MS since the last change: time, ticks missed before it, share of the budget used. */
  private readonly ticks: { t: number; missed: number; load: number }[] = [];
  private changedAt = -Infinity;
  private upAfterMs = UP_AFTER_MS;
  private lastUpAt = -Infinity;
  private lastDownAt = -Infinity;
  /** Level changes made automatically (stats). */
  steps = 0;

  /** The level in force. */
  get level(): QualityLevel { return this.pinned ?? this.auto; }
  /** Whether the level is chosen automatically. */
  get automatic(): boolean { return this.pinned === null; }

  /** Back to high with no history (nothing on screen uses effects, so there is nothing to judge). */
  idle(): void {
    if (this.auto === 'high' && this.ticks.length === 0) return;
    this.auto = 'high';
    this.ticks.length = 0;
  }

  /** Pins a level, or returns to automatic with null. */
  pin(level: QualityLevel | null): void { this.pinned = level; }

  /**
   * One program tick: how long it took against its budget, and how many ticks passed unrendered
   * before it. Returns the level in force after it.
   */
  observe(nowMs: number, frameMs: number, budgetMs: number, missed: number): QualityLevel {
    this.ticks.push({ t: nowMs, missed, load: frameMs / budgetMs });
    while (this.ticks.length && nowMs - this.ticks[0].t > this.upAfterMs) this.ticks.shift();
    if (nowMs - this.changedAt < SETTLE_MS || this.ticks.length < 5) return this.level;
    const i = ORDER.indexOf(this.auto);
    // Down: the program lost a good share of the last second's frames.
    const recent = this.ticks.filter((x) => nowMs - x.t <= SETTLE_MS);
    if (nowMs - this.ticks[0].t >= 0.9 * SETTLE_MS && i < ORDER.length - 1 && missedShare(recent) > MISSED_SHARE) {
      this.change(ORDER[i + 1], nowMs);
      return this.level;
    }
    // Up: three seconds with hardly a missed tick and a typical tick well inside its budget.
    if (i > 0 && nowMs - this.ticks[0].t >= 0.95 * this.upAfterMs) {
      const loads = this.ticks.map((x) => x.load).sort((a, b) => a - b);
      if (missedShare(this.ticks) <= UP_MISSED_SHARE && loads[loads.length >> 1] <= HEADROOM) this.change(ORDER[i - 1], nowMs);
    }
    return this.level;
  }

  private change(level: QualityLevel, nowMs: number): void {
    const down = ORDER.indexOf(level) > ORDER.indexOf(this.auto);
    if (down) {
      if (nowMs - this.lastDownAt > CALM_MS) this.upAfterMs = UP_AFTER_MS;
      if (nowMs - this.lastUpAt < UNDONE_WITHIN_MS) this.upAfterMs = Math.min(MAX_UP_AFTER_MS, 2 * this.upAfterMs);
      this.lastDownAt = nowMs;
    } else {
      this.lastUpAt = nowMs;
    }
    this.auto = level;
    this.changedAt = nowMs;
    this.ticks.length = 0;
    this.steps++;
  }
}

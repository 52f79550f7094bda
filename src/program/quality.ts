/**
 * Adaptive quality of background effects: when frames take longer than the program clock's
 * budget for a while, step down (fewer masks per second, cheaper refinement); step back up when
 * there is headroom again. The person may pin a level instead.
 */
export type QualityLevel = 'high' | 'medium' | 'low';

/** What a level changes in a source's background chain. */
export interface QualitySettings {
  /** Smallest time between two model runs of one source (ms). */
  minMaskIntervalMs: number;
  /** Whether the expensive refinement steps (edge-aware upsampling, contour smoothing) run. */
  fullRefinement: boolean;
}

export const QUALITY_SETTINGS: Readonly<Record<QualityLevel, QualitySettings>> = {
  high: { minMaskIntervalMs: 0, fullRefinement: true },
  medium: { minMaskIntervalMs: 100, fullRefinement: true },
  low: { minMaskIntervalMs: 250, fullRefinement: false },
};

const ORDER: QualityLevel[] = ['high', 'medium', 'low'];
/** Share of late ticks over the last second above which quality steps down. */
const LATE_SHARE = 0.5;
/** A tick with headroom took at most this share of its budget. */
const HEADROOM = 0.6;
/** How long to watch after a change before judging again, and how long headroom must last to step up. */
const SETTLE_MS = 1000;
const UP_AFTER_MS = 3000;

/** Watches tick times and picks the level (see QualityLevel). */
export class QualityGovernor {
  private auto: QualityLevel = 'high';
  private pinned: QualityLevel | null = null;
  private readonly ticks: { t: number; late: boolean }[] = [];
  private changedAt = -Infinity;
  private headroomSince: number | null = null;
  /** Level changes made automatically (stats). */
  steps = 0;

  /** The level in force. */
  get level(): QualityLevel { return this.pinned ?? this.auto; }
  /** Whether the level is chosen automatically. */
  get automatic(): boolean { return this.pinned === null; }

  /** Pins a level, or returns to automatic with null. */
  pin(level: QualityLevel | null): void { this.pinned = level; }

  /**
   * One program tick: how long it took against its budget, and how many ticks passed unrendered
   * before it. Returns the level in force after it.
   */
  observe(nowMs: number, frameMs: number, budgetMs: number, missed: number): QualityLevel {
    const late = missed > 0 || frameMs > budgetMs;
    this.ticks.push({ t: nowMs, late });
    while (this.ticks.length && nowMs - this.ticks[0].t > 1000) this.ticks.shift();
    const roomy = !late && frameMs <= HEADROOM * budgetMs;
    this.headroomSince = roomy ? (this.headroomSince ?? nowMs) : null;
    // Judge a whole second of ticks, all of them after the last change.
    if (nowMs - this.changedAt < SETTLE_MS || this.ticks.length < 5 || nowMs - this.ticks[0].t < 0.9 * SETTLE_MS) return this.level;
    const lateShare = this.ticks.filter((t) => t.late).length / this.ticks.length;
    const i = ORDER.indexOf(this.auto);
    if (lateShare > LATE_SHARE && i < ORDER.length - 1) this.change(ORDER[i + 1], nowMs);
    else if (this.headroomSince !== null && nowMs - this.headroomSince >= UP_AFTER_MS && i > 0) this.change(ORDER[i - 1], nowMs);
    return this.level;
  }

  private change(level: QualityLevel, nowMs: number): void {
    this.auto = level;
    this.changedAt = nowMs;
    this.headroomSince = null;
    this.ticks.length = 0;
    this.steps++;
  }
}

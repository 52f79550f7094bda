/**
 * Adaptive quality of background effects: when the program loses frames (ticks that passed
 * while a frame was rendering) for a while, step down (fewer masks per second, cheaper
 * refinement); step back up when there is headroom again. A step up that the load undoes at
 * once doubles the headroom the next one needs, so quality does not flap. The person may pin
 * a level instead.
 */
import { TickWindow } from './tick-window.ts';

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
 * pairs (mask-refine test), so medium upsamples bilinearly and paces the model by the load
 * (see QualityGovernor.maskIntervalMs) between 12 and 1 masks a second; low also skips contour
 * smoothing and runs the model every 2 s, for a GPU that medium's slowest pace still overloads.
 */
export const QUALITY_SETTINGS: Readonly<Record<QualityLevel, QualitySettings>> = {
  high: { minMaskIntervalMs: 0, edgeAware: true, contourSmoothing: true },
  medium: { minMaskIntervalMs: 0, edgeAware: false, contourSmoothing: true },
  low: { minMaskIntervalMs: 2000, edgeAware: false, contourSmoothing: false },
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
/**
 * Pace of the model at medium (ms between runs): each second that misses more than
 * PACE_SLOW_SHARE of the ticks slows it by PACE_STEP (from MIN_PACE_MS up to MAX_PACE_MS, then
 * the level steps down to low once a second there still misses over PACE_UP_SHARE), each second that misses
 * under PACE_UP_SHARE speeds it up again, down to MIN_PACE_MS: unbounded, a model that keeps
 * up with the camera refined a mask on nearly every frame and lost half the ticks before the
 * next second slowed it. The band is narrow so the pace follows the frame rate the person
 * keeps (10–15 % missed is 25.5–27 of 30 fps, a margin above MISSED_SHARE's 24) instead of
 * ratcheting up on the odd bad second. Over twice PACE_SLOW_SHARE missed it slows two steps,
 * and a second such second running goes straight to the slowest pace (a gradual slowdown
 * under a GPU that slow only delayed the step down);
 * under a third of PACE_UP_SHARE it speeds up two steps a second, so coming back from the
 * slowest pace takes seconds, not ten. Within PACE_CAREFUL_MS of a slowdown it speeds up one
 * step at a time, so it settles at the edge instead of swinging across it. A pace that was far
 * over, or that undid a speed-up within PACE_CAREFUL_MS, is held off (speed-ups stop a step
 * slower) for PACE_HOLD_MS, twice as long each time a speed-up is undone again (at most
 * PACE_MAX_HOLD_MS; back to PACE_HOLD_MS after PACE_CALM_MS without a slowdown).
 */
const MIN_PACE_MS = 80;
// A GPU that takes two ticks per mask keeps 8 of 10 fps only below about one mask a second.
const MAX_PACE_MS = 1000;
const PACE_STEP = 1.25;
const PACE_SLOW_SHARE = 0.15;
const PACE_UP_SHARE = 0.1;
const PACE_CAREFUL_MS = 5000;
const PACE_HOLD_MS = 3000;
const PACE_MAX_HOLD_MS = 12_000;
const PACE_CALM_MS = 20_000;
/**
 * Edges: paces of seconds that were far over or undid a speed-up, each kept across level changes
 * for PACE_CALM_MS. Missed ticks lag a saturating pace by seconds (a queue fills first), so two
 * steps a second ran from 512 past the edge to 210 ms before the first of them showed, and back
 * up from low the holds were gone. Near an edge (the next step at most one step slower than it)
 * the pace speeds up one step at a time, each after EDGE_PROBE_MASKS masks at the pace in force
 * (1 to 2.5 s): a queue that fills shows in about as many masks, and 2.5 s at 80–125 ms kept
 * 480p below its band (7.6–7.9 masks/s against 8.2–8.8 without edges, three runs each). Once a
 * pace two steps faster than an edge holds, the load has changed and that edge is forgotten.
 */
const EDGE_PROBE_MASKS = 8;
const EDGE_PROBE_MAX_MS = 2500;
const MAX_EDGES = 4;

/**
 * Frames alone over budget: when low still misses over MISSED_SHARE, no less than medium at its
 * slowest pace did (within FRAME_BOUND_MARGIN), the masks were not the cause. That share is then
 * taken as the frames' own, medium comes back and its pace is judged by the ticks the masks cost
 * on top of it: at 1280×720 on a CPU rasteriser a frame's composite alone is over its 33 ms, and
 * stepping down left the model at one run every 2 s for nothing.
 */
const FRAME_BOUND_MARGIN = 0.05;
/** A window at medium that misses less than the frames' own share lowers it by at most this. */
const FRAME_BOUND_DECAY = 0.02;
/**
 * Where the frames alone are over budget, medium's pace and its step down are judged over this
 * long: at 20 fps a second's share of missed ticks varies by ±8 points by chance, more than the
 * pace's band, and one unlucky second sent 720p to low and, judged against it, kept it there
 * (the bench's 0.6 masks/s).
 */
const FRAME_BOUND_JUDGE_MS = 3000;

/** Watches tick times and picks the level (see QualityLevel). */
export class QualityGovernor {
  private auto: QualityLevel = 'high';
  private pinned: QualityLevel | null = null;
  /** Rendered ticks of the last UP_AFTER_MS since the last change: time, ticks missed before it, share of the budget used. */
  private readonly ticks = new TickWindow();
  private changedAt = -Infinity;
  private upAfterMs = UP_AFTER_MS;
  private lastUpAt = -Infinity;
  private lastDownAt = -Infinity;
  /** Level changes made automatically (stats). */
  steps = 0;
  private paceMs = 0;
  private paceChangedAt = -Infinity;
  private paceSlowedAt = -Infinity;
  /** Whether the last second judged at medium missed over twice PACE_SLOW_SHARE. */
  private farOver = false;
  /** Speed-ups stop at floorMs until floorUntil; holdMs is how long the next floor holds. */
  private floorMs = 0;
  private floorUntil = -Infinity;
  private holdMs = PACE_HOLD_MS;
  private paceSpedAt = -Infinity;
  /** Edges (see EDGE_PROBE_MASKS; ms 0: none), a few fixed slots. */
  private readonly edges = Array.from({ length: MAX_EDGES }, () => ({ ms: 0, at: -Infinity }));
  /** Share of ticks the frames alone miss (see FRAME_BOUND_MARGIN; 0: none known), when it last changed, and the raw share when medium last stepped down. */
  private frameBound = 0;
  private frameBoundAt = -Infinity;
  private shareAtDown = 0;

  /** The level in force. */
  get level(): QualityLevel { return this.pinned ?? this.auto; }
  /** Whether the level is chosen automatically. */
  get automatic(): boolean { return this.pinned === null; }
  /** The smallest time between two model runs of a source: the level's, or at automatic medium the pace the load allows. */
  get maskIntervalMs(): number {
    const floor = QUALITY_SETTINGS[this.level].minMaskIntervalMs;
    return this.pinned === null && this.auto === 'medium' ? Math.max(floor, this.paceMs) : floor;
  }

  /** Back to high with no history (nothing on screen uses effects, so there is nothing to judge). */
  idle(): void {
    if (this.auto === 'high' && this.ticks.length === 0) return;
    this.auto = 'high';
    this.ticks.clear();
    this.frameBound = 0;
  }

  /** Share of the program's ticks its frames alone miss, as last measured (0: none known). */
  get frameBoundShare(): number { return this.frameBound; }

  /** Pins a level, or returns to automatic with null. */
  pin(level: QualityLevel | null): void { this.pinned = level; }

  /**
   * One program tick: how long it took against its budget, and how many ticks passed unrendered
   * before it. Returns the level in force after it.
   */
  observe(nowMs: number, frameMs: number, budgetMs: number, missed: number): QualityLevel {
    this.ticks.push(nowMs, missed, frameMs / budgetMs);
    this.ticks.dropBefore(nowMs - this.upAfterMs);
    // Ticks missed count as seen: a GPU so slow that a second renders one frame must still step down.
    if (nowMs - this.changedAt < SETTLE_MS || this.ticks.length < 2 || this.ticks.spanned < 5) return this.level;
    const i = ORDER.indexOf(this.auto);
    // Two seconds that missed under a quarter of the frames' own share (by chance well under one
    // in a thousand at 20 fps): the load that held them back went, and a second is judged alone again.
    if (this.auto === 'medium' && this.frameBound > 0 && nowMs - this.ticks.oldestMs >= 1.8 * SETTLE_MS &&
      this.ticks.missedShare(nowMs - 2 * SETTLE_MS) < this.frameBound / 4) this.frameBound = 0;
    // With the frames alone over budget, a mask costs a small share of ticks that are missed
    // anyway, within one second's noise: judged over longer windows.
    const judgeMs = this.auto === 'medium' && this.frameBound > 0 ? FRAME_BOUND_JUDGE_MS : SETTLE_MS;
    const raw = this.ticks.missedShare(nowMs - judgeMs);
    const fullSecond = nowMs - this.ticks.oldestMs >= 0.9 * judgeMs;
    // At medium, the share of the ticks the frames leave that the masks cost.
    const share = this.auto === 'medium' ? this.maskShare(raw, nowMs) : raw;
    if (this.auto === 'medium' && fullSecond && nowMs - this.paceChangedAt >= judgeMs && this.pace(share, nowMs)) return this.level;
    // Down: the program lost a good share of the last second's frames (at medium, also at the slowest pace).
    const paced = this.auto !== 'medium' || (this.paceMs >= MAX_PACE_MS && nowMs - this.paceChangedAt >= judgeMs);
    // Medium at its slowest pace goes on down unless it is inside the lower half of its band:
    // at 10 fps a second holds ten ticks, and waiting for its upper edge left the model there
    // swinging between the two slowest paces. Where the frames alone are over budget, the share
    // the masks cost is the difference of two noisy ones, and a mask a second costs a few points
    // of it: there only a fifth of the ticks is clear enough to go down for (at a tenth, 720p went
    // to low in one of three bench runs).
    const downShare = this.auto === 'medium' && this.frameBound === 0 ? PACE_UP_SHARE : MISSED_SHARE;
    if (fullSecond && paced && i < ORDER.length - 1 && share > downShare) {
      this.shareAtDown = raw;
      this.change(ORDER[i + 1], nowMs);
      return this.level;
    }
    // Back up from low when stepping down did not help: the frames alone miss that much.
    if (this.auto === 'low' && nowMs - this.ticks.oldestMs >= 0.95 * this.upAfterMs) {
      const lowShare = this.ticks.missedShare();
      if (lowShare > MISSED_SHARE && lowShare >= this.shareAtDown - FRAME_BOUND_MARGIN) {
        this.frameBound = lowShare;
        this.frameBoundAt = nowMs;
        this.change('medium', nowMs);
        return this.level;
      }
    }
    // Up: three seconds with hardly a missed tick and a typical tick well inside its budget
    // (from medium only once the model runs at its fastest pace).
    if (i > 0 && (this.auto !== 'medium' || this.paceMs <= MIN_PACE_MS) && nowMs - this.ticks.oldestMs >= 0.95 * this.upAfterMs) {
      if (this.ticks.missedShare() <= UP_MISSED_SHARE && this.ticks.medianLoadAtMost(HEADROOM)) this.change(ORDER[i - 1], nowMs);
    }
    return this.level;
  }

  /** Share of the ticks the frames alone leave that `raw` (the share missed) lost; lowers the frames' own share when a window misses less. */
  private maskShare(raw: number, nowMs: number): number {
    if (this.frameBound === 0) return raw;
    if (raw < this.frameBound && nowMs - this.frameBoundAt >= SETTLE_MS) {
      this.frameBound = Math.max(raw, this.frameBound - FRAME_BOUND_DECAY);
      this.frameBoundAt = nowMs;
    }
    return Math.max(0, (raw - this.frameBound) / (1 - this.frameBound));
  }

  /** At medium: slows the model while ticks are missed, speeds it up with headroom; true when the pace changed. */
  private pace(share: number, nowMs: number): boolean {
    let next = this.paceMs;
    const far = share > 2 * PACE_SLOW_SHARE;
    const farAgain = far && this.farOver;
    this.farOver = far;
    if (share > PACE_SLOW_SHARE && this.paceMs < MAX_PACE_MS) {
      // Far over the band twice running, the gradual slowdown would only delay the step down; one
      // such second alone is as often a hiccup of a busy machine, which would leave the model slow
      // for seconds after it.
      next = farAgain ? MAX_PACE_MS : Math.min(MAX_PACE_MS, Math.max(MIN_PACE_MS, this.paceMs * (far ? PACE_STEP * PACE_STEP : PACE_STEP)));
      // Where a GPU saturates, missed ticks lag the pace that caused them; speeding up into a pace
      // that was far over, or that undid a speed-up at once, swung the program between 6 and 10
      // fps. Such a pace is held off for a while, twice as long each time it comes back.
      const undone = nowMs - this.paceSpedAt < PACE_CAREFUL_MS;
      if (far || undone) {
        const floor = this.paceMs * PACE_STEP;
        if (nowMs - this.paceSlowedAt > PACE_CALM_MS) this.holdMs = PACE_HOLD_MS;
        else if (undone) this.holdMs = Math.min(PACE_MAX_HOLD_MS, 2 * this.holdMs);
        this.floorMs = Math.max(this.floorNow(nowMs), floor);
        this.floorUntil = nowMs + this.holdMs;
        this.markEdge(nowMs);
      }
      this.paceSlowedAt = nowMs;
    } else if (share < PACE_UP_SHARE && this.paceMs > MIN_PACE_MS) {
      const clear = share < PACE_UP_SHARE / 3 && nowMs - this.paceSlowedAt > PACE_CAREFUL_MS;
      // From the slowest pace only with clear headroom: it is where the level steps down from.
      if (this.paceMs >= MAX_PACE_MS && share >= PACE_UP_SHARE / 3) return false;
      const nearEdge = this.nearEdge(nowMs);
      if (nearEdge && nowMs - this.paceChangedAt < Math.min(EDGE_PROBE_MAX_MS, Math.max(SETTLE_MS, EDGE_PROBE_MASKS * this.paceMs))) return false;
      const step = clear && !nearEdge ? PACE_STEP * PACE_STEP : PACE_STEP;
      // Not past a pace held off (above).
      next = Math.max(MIN_PACE_MS, this.paceMs / step, this.floorNow(nowMs));
      if (next >= this.paceMs) return false;
      this.paceSpedAt = nowMs;
    }
    if (next === this.paceMs) return false;
    this.paceMs = next;
    this.paceChangedAt = nowMs;
    return true;
  }

  /** Remembers the pace in force as an edge (in the slot of the same pace, a free one, or the oldest). */
  private markEdge(nowMs: number): void {
    const age = (e: { ms: number; at: number }) => (e.ms === 0 ? -Infinity : e.at);
    let slot = this.edges[0]!;
    for (const e of this.edges) {
      if (Math.abs(e.ms - this.paceMs) < 1) { slot = e; break; }
      if (age(e) < age(slot)) slot = e;
    }
    slot.ms = this.paceMs;
    slot.at = nowMs;
  }

  /**
   * Whether speeding up one step lands within a step of a remembered edge; forgets the edges
   * that the pace in force (just judged to hold) is two steps faster than, and the old ones.
   */
  private nearEdge(nowMs: number): boolean {
    let near = false;
    for (const e of this.edges) {
      if (e.ms === 0) continue;
      if (nowMs - e.at >= PACE_CALM_MS || this.paceMs * PACE_STEP * PACE_STEP <= e.ms * 1.01) { e.ms = 0; continue; }
      if (this.paceMs / PACE_STEP <= e.ms * PACE_STEP * 1.01) near = true;
    }
    return near;
  }

  /** The pace the model may not speed up past now (0: none). */
  private floorNow(nowMs: number): number { return nowMs < this.floorUntil ? this.floorMs : 0; }

  private change(level: QualityLevel, nowMs: number): void {
    const down = ORDER.indexOf(level) > ORDER.indexOf(this.auto);
    if (down) {
      if (nowMs - this.lastDownAt > CALM_MS) this.upAfterMs = UP_AFTER_MS;
      if (nowMs - this.lastUpAt < UNDONE_WITHIN_MS) this.upAfterMs = Math.min(MAX_UP_AFTER_MS, 2 * this.upAfterMs);
      this.lastDownAt = nowMs;
    } else {
      this.lastUpAt = nowMs;
    }
    // Up from low, medium starts at its slowest pace; down from high, at its fastest.
    if (level === 'medium') this.paceMs = down ? MIN_PACE_MS : MAX_PACE_MS;
    this.farOver = false;
    this.floorUntil = -Infinity;
    // High is reached only with hardly a tick missed: the frames carry themselves again.
    if (level === 'high') {
      this.frameBound = 0;
      for (const e of this.edges) e.ms = 0;
    }
    this.paceChangedAt = nowMs;
    this.auto = level;
    this.changedAt = nowMs;
    this.ticks.clear();
    this.steps++;
  }
}

/** A lost device that recovered this many times within a minute and is lost again is given up on. */
export const MAX_FAILED_RECOVERIES = 3;
const WINDOW_MS = 60_000;
/** Pause between attempts to make a new device, so a GPU process that is restarting has time to. */
const RETRY_MS = 500;

/** What the recovery tells its owner. */
export interface RecoveryHooks {
  /** Makes a new device and rebuilds everything on it; throws when that fails. */
  rebuild(): Promise<string[]>;
  /** The device is back; `problems` lists what could not be restored; `tell` is false when the person was told within the minute. */
  recovered(gapMs: number, problems: string[], tell: boolean): void;
  /** Too many losses within a minute: the GPU is given up on. */
  gaveUp(reason: string): void;
}

/**
 * Brings the GPU pipeline back after a lost device (a GPU process crash, a driver reset). Every
 * loss and every failed rebuild counts: when the device is lost again after MAX_FAILED_RECOVERIES
 * recoveries within a minute, the recovery gives up instead of looping on a broken GPU.
 */
export class GpuRecovery {
  private events: number[] = [];
  private running: Promise<void> | null = null;
  /** Set before the recovery's first step, which may itself report a loss synchronously. */
  private recovering = false;
  /** Set when the device being built is lost too: that rebuild did not hold. */
  private lostDuringRebuild = false;
  private toldAt = -Infinity;
  /** Recoveries that held, and whether the GPU was given up on. */
  recoveries = 0;
  gaveUp = false;
  /** When the device was lost (performance.now()), while it is down; null when the GPU works. */
  lostAt: number | null = null;

  constructor(private readonly hooks: RecoveryHooks, private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))) {}

  /** Whether the GPU is down now (ticks are skipped and counted as missed). */
  get down(): boolean { return this.lostAt !== null || this.gaveUp; }

  /** Reports a lost device; starts a recovery unless one runs (whose rebuild then counts as failed). */
  lost(reason: string): Promise<void> {
    if (this.gaveUp) return Promise.resolve();
    if (this.recovering) { this.lostDuringRebuild = true; return this.running ?? Promise.resolve(); }
    this.recovering = true;
    this.lostAt = this.now();
    this.running = this.recover(reason).finally(() => { this.running = null; this.recovering = false; });
    return this.running;
  }

  private async recover(reason: string): Promise<void> {
    for (;;) {
      const t = this.now();
      this.events = this.events.filter((e) => t - e < WINDOW_MS);
      this.events.push(t);
      if (this.events.length > MAX_FAILED_RECOVERIES) {
        this.gaveUp = true;
        this.hooks.gaveUp(reason);
        return;
      }
      this.lostDuringRebuild = false;
      let problems: string[];
      try {
        problems = await this.hooks.rebuild();
      } catch (e) {
        reason = describe(e);
        await this.sleep(RETRY_MS);
        continue;
      }
      if (this.lostDuringRebuild) continue;
      const gapMs = this.now() - this.lostAt!;
      this.lostAt = null;
      this.recoveries++;
      const tell = this.now() - this.toldAt >= WINDOW_MS;
      if (tell) this.toldAt = this.now();
      this.hooks.recovered(gapMs, problems, tell);
      return;
    }
  }
}

/** A rebuild error in a few words (an unavailable adapter's long help text is for the first start, not here). */
function describe(e: unknown): string {
  const reason = (e as { details?: { reason?: unknown } } | null)?.details?.reason;
  if (typeof reason === 'string') return `${reason}; Chrome turns WebGPU off after repeated GPU crashes`;
  return e instanceof Error ? e.message : String(e);
}

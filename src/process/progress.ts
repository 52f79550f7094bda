/** What a file job reports while it runs. */
export interface ProcessProgress {
  /** Frames in the output so far, and in the input. */
  frames: number;
  totalFrames: number;
  /** Frames per second over the last few seconds. */
  fps: number;
  /** Seconds left at that rate (null until a rate is known). */
  etaS: number | null;
  elapsedS: number;
  /** Media seconds processed, and the input's duration. */
  mediaS: number;
  durationS: number;
}

/** Rate over a sliding window of this many milliseconds. */
const WINDOW_MS = 3000;

/**
 * Frames per second and time left for a job of known length, from the times frames finished.
 * The rate is taken over the last few seconds, so a slow start (model load, first shader
 * compilation) does not hold the estimate down for the whole file.
 */
export class ProgressMeter {
  private readonly times: number[] = [];
  private frames = 0;
  private mediaS = 0;

  constructor(private readonly totalFrames: number, private readonly durationS: number, private readonly startMs: number) {}

  /** One more frame finished at `nowMs`, ending at media time `mediaS`. */
  frame(nowMs: number, mediaS: number): void {
    this.frames++;
    this.mediaS = Math.max(this.mediaS, mediaS);
    this.times.push(nowMs);
    while (this.times.length > 2 && nowMs - this.times[0]! > WINDOW_MS) this.times.shift();
  }

  /** The figures at `nowMs`. */
  read(nowMs: number): ProcessProgress {
    const n = this.times.length;
    const span = n >= 2 ? (this.times[n - 1]! - this.times[0]!) / 1000 : 0;
    const fps = span > 0 ? (n - 1) / span : 0;
    const left = Math.max(0, this.totalFrames - this.frames);
    return {
      frames: this.frames, totalFrames: this.totalFrames, fps,
      etaS: left === 0 ? 0 : fps > 0 ? left / fps : null,
      elapsedS: (nowMs - this.startMs) / 1000, mediaS: this.mediaS, durationS: this.durationS,
    };
  }
}

/** "1:05" or "1:02:03" for a number of seconds; "…" when unknown. */
export function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '…';
  const t = Math.round(s);
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

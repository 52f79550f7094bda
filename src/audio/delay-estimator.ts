/**
 * Measures how far the mixer's output lags the microphone it mixes, from the sound itself.
 *
 * Why: the mixer output is stamped when the AudioContext renders it, and the microphone's
 * audio waits in a FIFO in front of the context for a time no API reports. Measured in
 * headless Chromium it ranged from 3 ms to about 570 ms between sessions, steady within one.
 * Both tracks carry timestamps on the page clock, so comparing the loudness envelope of the
 * raw microphone with that of the mix gives that wait directly.
 */

/** Envelope resolution: one RMS value per millisecond. */
const BIN_US = 1000;

/** Loudness envelope (RMS per ms) on the absolute page timeline, kept for the last `lengthMs`. */
export class EnvelopeRing {
  private readonly sumSq: Float64Array;
  private readonly count: Uint16Array;
  private readonly stamp: Float64Array;
  /** Newest and oldest complete bins (absolute ms), -Infinity/Infinity before any data. */
  latestMs = -Infinity;
  firstMs = Infinity;

  constructor(readonly lengthMs: number) {
    this.sumSq = new Float64Array(lengthMs);
    this.count = new Uint16Array(lengthMs);
    this.stamp = new Float64Array(lengthMs).fill(NaN);
  }

  /** Adds mono samples whose first one was captured at `timestampUs`. */
  push(samples: Float32Array, sampleRate: number, timestampUs: number): void {
    const usPerSample = 1e6 / sampleRate;
    let last = -Infinity;
    for (let i = 0; i < samples.length; i++) {
      const ms = Math.floor((timestampUs + i * usPerSample) / BIN_US);
      const k = ((ms % this.lengthMs) + this.lengthMs) % this.lengthMs;
      if (this.stamp[k] !== ms) { this.stamp[k] = ms; this.sumSq[k] = 0; this.count[k] = 0; }
      const x = samples[i]!;
      // NaN/Inf from a broken source must not poison the estimate.
      this.sumSq[k] += Number.isFinite(x) ? x * x : 0;
      this.count[k]++;
      last = ms;
    }
    if (last === -Infinity) return;
    // The last bin may still be filling: the previous one is the newest complete one.
    this.latestMs = Math.max(this.latestMs, last - 1);
    this.firstMs = Math.min(this.firstMs, Math.floor(timestampUs / BIN_US) + 1);
    this.firstMs = Math.max(this.firstMs, this.latestMs - this.lengthMs + 2);
  }

  /** RMS of bin `ms`, or NaN where no audio was seen. */
  at(ms: number): number {
    const k = ((ms % this.lengthMs) + this.lengthMs) % this.lengthMs;
    return this.stamp[k] === ms && this.count[k] > 0 ? Math.sqrt(this.sumSq[k]! / this.count[k]!) : NaN;
  }
}

export interface DelayEstimateOptions {
  /** How much microphone history to compare (ms). */
  windowMs: number;
  /** Lag search range (ms): output = microphone delayed by lag. */
  minLagMs: number;
  maxLagMs: number;
  /** Least overlap (ms) for a lag to be judged. */
  minOverlapMs: number;
  /** Envelope standard deviation below which the microphone is too quiet or steady to tell. */
  minRefStd: number;
  /** Normalised correlation the best lag must reach (other sources in the mix lower it). */
  minNcc: number;
  /** How far the best lag must stand above every lag more than 100 ms away from it. */
  minProminence: number;
  /** Peaks within this much of the best correlation are ties; the smallest lag wins (periodic sound). */
  tieNcc: number;
}

export const DEFAULT_DELAY_OPTIONS: Readonly<DelayEstimateOptions> = Object.freeze({
  windowMs: 2000, minLagMs: -100, maxLagMs: 1000, minOverlapMs: 500, minRefStd: 0.003, minNcc: 0.5, minProminence: 0.1, tieNcc: 0.03,
});

export interface DelayEstimate { lagMs: number; ncc: number }

/**
 * The lag (ms) at which the output's envelope best matches the microphone's, or null when
 * the microphone was too quiet, the match too weak, or there is not enough audio yet.
 */
export function estimateDelay(mic: EnvelopeRing, out: EnvelopeRing, opts: DelayEstimateOptions = DEFAULT_DELAY_OPTIONS): DelayEstimate | null {
  if (!Number.isFinite(mic.latestMs) || !Number.isFinite(out.latestMs)) return null;
  const start = Math.max(mic.firstMs, mic.latestMs - opts.windowMs + 1);
  // Dense copies, so the lag loop is plain array arithmetic (~2 M multiply-adds per estimate).
  const a = dense(mic, start, mic.latestMs);
  const outStart = start + opts.minLagMs;
  const b = dense(out, outStart, Math.min(out.latestMs, mic.latestMs + opts.maxLagMs));
  const ncc: number[] = [];
  let best = -Infinity;
  for (let lag = opts.minLagMs; lag <= opts.maxLagMs; lag++) {
    const off = lag - opts.minLagMs; // b[i + off] is out at time start + i + lag
    const hi = Math.min(a.length, b.length - off);
    const c = hi >= opts.minOverlapMs ? correlate(a, b, off, hi, opts.minRefStd) : NaN;
    ncc.push(c);
    if (c > best) best = c;
  }
  if (!(best >= opts.minNcc)) return null;
  // Among peaks (a lag that is the best within ±25 ms) as good as the best, the smallest lag
  // wins: a periodic sound matches a period later too, and the shorter wait is the physical one.
  const isPeak = (k: number) => {
    for (let j = Math.max(0, k - 25); j <= Math.min(ncc.length - 1, k + 25); j++) if (ncc[j]! > ncc[k]!) return false;
    return true;
  };
  let i = ncc.indexOf(best);
  for (let k = 0; k < i; k++) if (ncc[k]! >= best - opts.tieNcc && isPeak(k)) { i = k; break; }
  // A match that barely beats unrelated lags is chance (two unrelated sounds), not a delay.
  let rival = -Infinity;
  for (let k = 0; k < ncc.length; k++) if (Math.abs(k - i) > 100 && ncc[k]! > rival && ncc[k]! < best - opts.tieNcc) rival = ncc[k]!;
  if (best - rival < opts.minProminence) return null;
  return { lagMs: opts.minLagMs + i, ncc: ncc[i]! };
}

function dense(r: EnvelopeRing, from: number, to: number): Float64Array {
  const n = Math.max(0, to - from + 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = from + i < r.firstMs ? NaN : r.at(from + i);
  return v;
}

/** Normalised cross-correlation of a[0..hi) with b[off..off+hi); NaN if a is flat or gappy. */
function correlate(a: Float64Array, b: Float64Array, off: number, hi: number, minStd: number): number {
  let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let i = 0; i < hi; i++) {
    const x = a[i]!, y = b[i + off]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    n++; sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y;
  }
  if (n < hi / 2) return NaN;
  const va = saa / n - (sa / n) ** 2, vb = sbb / n - (sb / n) ** 2;
  if (!(Math.sqrt(Math.max(0, va)) >= minStd) || !(vb > 0)) return NaN;
  return (sab / n - (sa / n) * (sb / n)) / Math.sqrt(va * vb);
}

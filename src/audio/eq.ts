// RBJ "Audio EQ Cookbook" biquad coefficients (Robert Bristow-Johnson).
// Computed in float64 and normalised by a0; the kernels then round them to
// float32 once when they are written into wasm memory.

/** Filter shapes the mixer's parametric EQ offers per band. */
export type EqBandType = 'peaking' | 'lowshelf' | 'highshelf' | 'lowpass' | 'highpass';

/** One band's user-facing parameters. */
export interface EqBandParams {
  type: EqBandType;
  /** Centre (peaking), corner (shelves) or cutoff (pass) frequency in Hz. */
  freqHz: number;
  /** Boost/cut in dB; ignored by lowpass/highpass. */
  gainDb: number;
  /** Quality factor; for shelves it sets the slope exactly as in the cookbook. */
  q: number;
  sampleRate: number;
}

/** Normalised biquad: y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
export interface BiquadCoeffs {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** Bands per source, fixed so state/coefficient blocks have a constant size. */
export const EQ_BANDS = 8;

/** Identity filter: what a disabled band is equivalent to. */
export const BIQUAD_IDENTITY: Readonly<BiquadCoeffs> = Object.freeze({ b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 });

/** True when the band cannot change the signal, so the kernel may skip it. */
export function isBypassBand(p: EqBandParams): boolean {
  return p.type !== 'lowpass' && p.type !== 'highpass' && p.gainDb === 0;
}

/** RBJ coefficients for one band; frequency is kept inside (0, Nyquist) and q > 0 so UI extremes cannot produce an unstable filter. */
export function biquadCoeffs(p: EqBandParams): BiquadCoeffs {
  if (!(p.sampleRate > 0)) throw new RangeError(`sampleRate must be > 0, got ${p.sampleRate}`);
  const nyquist = p.sampleRate / 2;
  // At exactly 0 Hz or Nyquist sin(w0) = 0 and the design degenerates.
  const f = Math.min(Math.max(p.freqHz, 1e-3 * nyquist), 0.999 * nyquist);
  const q = Math.max(Number.isFinite(p.q) ? p.q : 0.7071, 1e-3);
  const gainDb = Number.isFinite(p.gainDb) ? p.gainDb : 0;
  const A = Math.pow(10, gainDb / 40);
  const w0 = (2 * Math.PI * f) / p.sampleRate;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
  switch (p.type) {
    case 'peaking':
      b0 = 1 + alpha * A;
      b1 = -2 * cos;
      b2 = 1 - alpha * A;
      a0 = 1 + alpha / A;
      a1 = -2 * cos;
      a2 = 1 - alpha / A;
      break;
    case 'lowshelf': {
      const s = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 - (A - 1) * cos + s);
      b1 = 2 * A * (A - 1 - (A + 1) * cos);
      b2 = A * (A + 1 - (A - 1) * cos - s);
      a0 = A + 1 + (A - 1) * cos + s;
      a1 = -2 * (A - 1 + (A + 1) * cos);
      a2 = A + 1 + (A - 1) * cos - s;
      break;
    }
    case 'highshelf': {
      const s = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 + (A - 1) * cos + s);
      b1 = -2 * A * (A - 1 + (A + 1) * cos);
      b2 = A * (A + 1 + (A - 1) * cos - s);
      a0 = A + 1 - (A - 1) * cos + s;
      a1 = 2 * (A - 1 - (A + 1) * cos);
      a2 = A + 1 - (A - 1) * cos - s;
      break;
    }
    case 'lowpass':
      b0 = (1 - cos) / 2;
      b1 = 1 - cos;
      b2 = (1 - cos) / 2;
      a0 = 1 + alpha;
      a1 = -2 * cos;
      a2 = 1 - alpha;
      break;
    case 'highpass':
      b0 = (1 + cos) / 2;
      b1 = -(1 + cos);
      b2 = (1 + cos) / 2;
      a0 = 1 + alpha;
      a1 = -2 * cos;
      a2 = 1 - alpha;
      break;
    default: {
      const never: never = p.type;
      throw new RangeError(`unknown EQ band type ${String(never)}`);
    }
  }
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

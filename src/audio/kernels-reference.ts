// Scalar TypeScript twins of the kernels in wasm/audio-kernels.wat. They are
// the spec the SIMD code is tested against, and the "scalar" bench baseline.
//
// Every float op is wrapped in Math.fround in the same order as the WAT. A
// double op on two float32 inputs followed by fround is the correctly rounded
// float32 result for + - * (53 >= 2*24 + 2, so double rounding is harmless),
// and wasm f32/f32x4 ops are correctly rounded too (no FMA contraction outside
// relaxed SIMD), hence the two agree bit-for-bit except for NaN payloads.
import { EQ_BANDS, type BiquadCoeffs } from './eq.ts';

const fr = Math.fround;

/** dst[dstOff + i] += src[srcOff + i] * gain, float32 arithmetic. */
export function mixAccumulateRef(
  dst: Float32Array,
  src: Float32Array,
  gain: number,
  n: number,
  dstOff = 0,
  srcOff = 0,
): void {
  const g = fr(gain);
  for (let i = 0; i < n; i++) {
    // Float32Array stores round, so only the product needs an explicit fround.
    dst[dstOff + i] = dst[dstOff + i]! + fr(src[srcOff + i]! * g);
  }
}

/** One sample of the kernel's clamp: NaN -> +0, ±Inf -> ±1, -0 and denormals unchanged. */
export function clampSample(x: number): number {
  if (x !== x) return 0;
  if (x < -1) return -1;
  if (x > 1) return 1;
  return x;
}

/** In place clamp of buf[off .. off+n) with the kernel's semantics. */
export function clampRef(buf: Float32Array, n: number, off = 0): void {
  for (let i = off, end = off + n; i < end; i++) buf[i] = clampSample(buf[i]!);
}

/**
 * Cascaded DF I biquads on planar float32 channels, same op order as
 * eq_process: y = (((b0*x + b1*x1) + b2*x2) - a2*y2) - a1*y1.
 */
export class EqReference {
  /** Per channel, per band: x1, x2, y1, y2 (float32 values). */
  readonly state: Float32Array;
  /** Per band: b0, b1, b2, a1, a2 already rounded to float32. */
  readonly coeffs: Float32Array;
  readonly enabled: Uint8Array;

  constructor(
    readonly channels: number,
    readonly bands: number = EQ_BANDS,
  ) {
    this.state = new Float32Array(channels * bands * 4);
    this.coeffs = new Float32Array(bands * 5);
    this.enabled = new Uint8Array(bands);
  }

  /** null disables the band (its state is kept, as in the kernel). */
  setBand(index: number, c: BiquadCoeffs | null): void {
    this.enabled[index] = c ? 1 : 0;
    if (c) this.coeffs.set([c.b0, c.b1, c.b2, c.a1, c.a2], index * 5);
  }

  reset(): void {
    this.state.fill(0);
  }

  /** In place on channels[c][off .. off+frames). */
  process(channels: readonly Float32Array[], frames: number, off = 0): void {
    const { state, coeffs, enabled, bands } = this;
    for (let c = 0; c < this.channels; c++) {
      const buf = channels[c]!;
      for (let b = 0; b < bands; b++) {
        if (!enabled[b]) continue;
        const k = b * 5;
        const b0 = coeffs[k]!, b1 = coeffs[k + 1]!, b2 = coeffs[k + 2]!;
        const a1 = coeffs[k + 3]!, a2 = coeffs[k + 4]!;
        const s = (c * bands + b) * 4;
        let x1 = state[s]!, x2 = state[s + 1]!, y1 = state[s + 2]!, y2 = state[s + 3]!;
        for (let i = off, end = off + frames; i < end; i++) {
          const x = buf[i]!;
          let acc = fr(b0 * x);
          acc = fr(acc + fr(b1 * x1));
          acc = fr(acc + fr(b2 * x2));
          acc = fr(acc - fr(a2 * y2));
          const y = fr(acc - fr(a1 * y1));
          buf[i] = y;
          x2 = x1;
          x1 = x;
          y2 = y1;
          y1 = y;
        }
        state[s] = x1;
        state[s + 1] = x2;
        state[s + 2] = y1;
        state[s + 3] = y2;
      }
    }
  }
}

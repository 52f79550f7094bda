// The CPU competitor of `effects-720p`: a plain TypeScript port of what OBS's background-removal
// plugin does per frame once it has a model output (upsample the mask, dilate, blur the mask,
// blur the frame, blend). Written the way a careful CPU implementation would be (typed arrays,
// separable symmetric kernels, scratch allocated once per size, the frame blur at a reduced
// level like our GPU plan) so that the speedup is measured against a fair opponent.
import { blurPlan } from '../src/gpu/passes/bg-plan.ts';

/** One-sided normalised Gaussian weights w[0..r] (w[0] the centre tap), r = ceil(3 sigma). */
export function gaussianHalfKernel(sigma: number): Float32Array {
  const r = Math.max(0, Math.ceil(3 * sigma));
  const w = new Float32Array(r + 1);
  let sum = 0;
  for (let k = 0; k <= r; k++) {
    w[k] = sigma > 0 ? Math.exp(-(k * k) / (2 * sigma * sigma)) : k === 0 ? 1 : 0;
    sum += k === 0 ? w[k]! : 2 * w[k]!;
  }
  for (let k = 0; k <= r; k++) w[k]! /= sum;
  return w;
}

/** Source index and weight tables for a half-pixel-centred bilinear resample of n → m samples. */
export function bilinearTable(n: number, m: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(m), i1 = new Int32Array(m), f = new Float32Array(m);
  const s = n / m;
  for (let x = 0; x < m; x++) {
    const u = Math.min(Math.max((x + 0.5) * s - 0.5, 0), n - 1);
    const a = Math.floor(u);
    i0[x] = a;
    i1[x] = Math.min(a + 1, n - 1);
    f[x] = u - a;
  }
  return { i0, i1, f };
}

/** Bilinear resample of a single-channel f32 plane through precomputed x and y tables. */
export function resamplePlane(src: Float32Array, sw: number, dst: Float32Array, dw: number, dh: number,
  tx: ReturnType<typeof bilinearTable>, ty: ReturnType<typeof bilinearTable>): void {
  const { i0: x0, i1: x1, f: fx } = tx;
  for (let y = 0; y < dh; y++) {
    const ra = ty.i0[y]! * sw, rb = ty.i1[y]! * sw, fy = ty.f[y]!, o = y * dw;
    for (let x = 0; x < dw; x++) {
      const a0 = x0[x]!, a1 = x1[x]!, f = fx[x]!;
      const top = src[ra + a0]! + (src[ra + a1]! - src[ra + a0]!) * f;
      const bot = src[rb + a0]! + (src[rb + a1]! - src[rb + a0]!) * f;
      dst[o + x] = top + (bot - top) * fy;
    }
  }
}

/** 3x3 max filter (dilation) of a single-channel plane, as two separable 3-tap passes. */
export function maxFilter3(src: Float32Array, tmp: Float32Array, dst: Float32Array, w: number, h: number): void {
  for (let y = 0; y < h; y++) {
    const o = y * w;
    tmp[o] = Math.max(src[o]!, src[o + 1]!);
    for (let x = 1; x < w - 1; x++) {
      const a = src[o + x - 1]!, b = src[o + x]!, c = src[o + x + 1]!;
      tmp[o + x] = a > b ? (a > c ? a : c) : b > c ? b : c;
    }
    tmp[o + w - 1] = Math.max(src[o + w - 2]!, src[o + w - 1]!);
  }
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : 0) * w, mid = y * w, down = (y < h - 1 ? y + 1 : y) * w;
    for (let x = 0; x < w; x++) {
      const a = tmp[up + x]!, b = tmp[mid + x]!, c = tmp[down + x]!;
      dst[mid + x] = a > b ? (a > c ? a : c) : b > c ? b : c;
    }
  }
}

/** Horizontal symmetric convolution of `ch` interleaved f32 channels, edges clamped. */
export function convolveRows(src: Float32Array, dst: Float32Array, w: number, h: number, ch: number, k: Float32Array): void {
  const r = k.length - 1, k0 = k[0]!;
  // Clamped taps only where the kernel overhangs; the interior loop stays branch-free.
  const lo = Math.min(r, w), hi = Math.max(w - r, lo);
  for (let y = 0; y < h; y++) {
    const row = y * w * ch;
    for (let c = 0; c < ch; c++) {
      const base = row + c;
      for (let x = 0; x < w; x++) {
        if (x === lo) { x = hi; if (x >= w) break; }
        let s = k0 * src[base + x * ch]!;
        for (let j = 1; j <= r; j++) {
          const xl = x - j < 0 ? 0 : x - j, xr = x + j >= w ? w - 1 : x + j;
          s += k[j]! * (src[base + xl * ch]! + src[base + xr * ch]!);
        }
        dst[base + x * ch] = s;
      }
      for (let x = lo; x < hi; x++) {
        const i = base + x * ch;
        let s = k0 * src[i]!;
        for (let j = 1, d = ch; j <= r; j++, d += ch) s += k[j]! * (src[i - d]! + src[i + d]!);
        dst[i] = s;
      }
    }
  }
}

/** Vertical symmetric convolution over rows of `rowLen` floats, accumulated row by row for the cache. */
export function convolveCols(src: Float32Array, dst: Float32Array, rowLen: number, h: number, k: Float32Array): void {
  const r = k.length - 1, k0 = k[0]!;
  for (let y = 0; y < h; y++) {
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) dst[o + i] = k0 * src[o + i]!;
    for (let j = 1; j <= r; j++) {
      const a = (y - j < 0 ? 0 : y - j) * rowLen, b = (y + j >= h ? h - 1 : y + j) * rowLen, kj = k[j]!;
      for (let i = 0; i < rowLen; i++) dst[o + i] += kj * (src[a + i]! + src[b + i]!);
    }
  }
}

/** Box average of RGBA8 over factor×factor blocks into interleaved f32 RGB (partial edge blocks averaged over what they hold). */
export function boxDownRgb(rgba: ArrayLike<number>, w: number, h: number, factor: number, dst: Float32Array, lw: number, lh: number): void {
  for (let ly = 0; ly < lh; ly++) {
    const y0 = ly * factor, y1 = Math.min(y0 + factor, h);
    for (let lx = 0; lx < lw; lx++) {
      const x0 = lx * factor, x1 = Math.min(x0 + factor, w);
      let r = 0, g = 0, b = 0;
      for (let y = y0; y < y1; y++) {
        for (let i = (y * w + x0) * 4, e = (y * w + x1) * 4; i < e; i += 4) { r += rgba[i]!; g += rgba[i + 1]!; b += rgba[i + 2]!; }
      }
      const inv = 1 / ((y1 - y0) * (x1 - x0)), o = (ly * lw + lx) * 3;
      dst[o] = r * inv; dst[o + 1] = g * inv; dst[o + 2] = b * inv;
    }
  }
}

/** out = frame·m + bilinearUp(level)·(1 − m): the blurred level is upsampled inside the blend, never stored at full size. */
export function blendOverBlurred(frame: ArrayLike<number>, mask: Float32Array, level: Float32Array, lw: number,
  tx: ReturnType<typeof bilinearTable>, ty: ReturnType<typeof bilinearTable>, w: number, h: number, out: Uint8ClampedArray): void {
  const { i0: x0, i1: x1, f: fx } = tx;
  for (let y = 0; y < h; y++) {
    const ra = ty.i0[y]! * lw, rb = ty.i1[y]! * lw, fy = ty.f[y]!;
    for (let x = 0; x < w; x++) {
      const p = y * w + x, i = p * 4;
      const m = mask[p]!, n = 1 - m, f = fx[x]!;
      const a0 = (ra + x0[x]!) * 3, a1 = (ra + x1[x]!) * 3, b0 = (rb + x0[x]!) * 3, b1 = (rb + x1[x]!) * 3;
      for (let c = 0; c < 3; c++) {
        const top = level[a0 + c]! + (level[a1 + c]! - level[a0 + c]!) * f;
        const bot = level[b0 + c]! + (level[b1 + c]! - level[b0 + c]!) * f;
        out[i + c] = frame[i + c]! * m + (top + (bot - top) * fy) * n;
      }
      out[i + 3] = 255;
    }
  }
}

/**
 * The whole per-frame CPU path at one size: model mask → bilinear upsample → 3x3 dilate →
 * Gaussian mask blur → frame blur (box-down + separable Gaussian, the same plan and sigma as
 * BgBlurPass at this strength) → blend. Scratch buffers are made once here.
 */
export class CpuBackgroundBlur {
  private readonly mask: Float32Array;
  private readonly maskTmp: Float32Array;
  private readonly maskOut: Float32Array;
  private readonly level: Float32Array;
  private readonly levelTmp: Float32Array;
  private readonly maskKernel: Float32Array;
  private readonly frameKernel: Float32Array;
  private readonly maskX: ReturnType<typeof bilinearTable>;
  private readonly maskY: ReturnType<typeof bilinearTable>;
  private readonly levelX: ReturnType<typeof bilinearTable>;
  private readonly levelY: ReturnType<typeof bilinearTable>;
  private readonly factor: number;
  private readonly lw: number;
  private readonly lh: number;

  /** Sizes the scratch for a w×h frame and an mw×mh model mask; `maskSigma` in full-resolution pixels. */
  constructor(readonly width: number, readonly height: number, private readonly maskW: number, maskH: number, strength: number, maskSigma = 2.5) {
    const n = width * height;
    this.mask = new Float32Array(n);
    this.maskTmp = new Float32Array(n);
    this.maskOut = new Float32Array(n);
    const plan = blurPlan(strength, width, height);
    this.factor = plan.factor;
    this.lw = plan.levelWidth;
    this.lh = plan.levelHeight;
    this.level = new Float32Array(this.lw * this.lh * 3);
    this.levelTmp = new Float32Array(this.lw * this.lh * 3);
    this.maskKernel = gaussianHalfKernel(maskSigma);
    this.frameKernel = plan.weights;
    this.maskX = bilinearTable(maskW, width);
    this.maskY = bilinearTable(maskH, height);
    this.levelX = bilinearTable(this.lw, width);
    this.levelY = bilinearTable(this.lh, height);
  }

  /** Runs the whole path on one RGBA8 frame and its model mask (P(person), maskW×maskH) into `out`. */
  run(frame: ArrayLike<number>, modelMask: Float32Array, out: Uint8ClampedArray): void {
    const w = this.width, h = this.height;
    resamplePlane(modelMask, this.maskW, this.mask, w, h, this.maskX, this.maskY);
    maxFilter3(this.mask, this.maskTmp, this.maskOut, w, h);
    convolveRows(this.maskOut, this.maskTmp, w, h, 1, this.maskKernel);
    convolveCols(this.maskTmp, this.mask, w, h, this.maskKernel);
    boxDownRgb(frame, w, h, this.factor, this.level, this.lw, this.lh);
    convolveRows(this.level, this.levelTmp, this.lw, this.lh, 3, this.frameKernel);
    convolveCols(this.levelTmp, this.level, this.lw * 3, this.lh, this.frameKernel);
    blendOverBlurred(frame, this.mask, this.level, this.lw, this.levelX, this.levelY, w, h, out);
  }
}

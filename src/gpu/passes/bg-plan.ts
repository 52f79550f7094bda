/**
 * Pure parameter choices of the background passes (no GPU): how a blur strength becomes a
 * downsample factor and Gaussian taps, where light wrap samples, and how an image is
 * cover-fitted. Kept apart from the passes so the TypeScript references in tests share the
 * same plan while re-deriving the pixel maths on their own.
 */

/** Largest tap radius (each side) the blur shader's uniform holds. */
export const MAX_BLUR_RADIUS = 15;
/** Level sigma above which the chain halves resolution again; bounds taps (and cost) per pixel. */
const MAX_LEVEL_SIGMA = 3;
const MAX_FACTOR = 16;

/** A blur of the background: box-downsample by `factor`, separable Gaussian there, bilinear up. */
export interface BlurPlan {
  /** Downsample factor (1, 2, 4, 8 or 16). */
  factor: number;
  /** Level size: ceil(width / factor) × ceil(height / factor). */
  levelWidth: number;
  levelHeight: number;
  /** Gaussian sigma at the level, in level pixels. */
  sigma: number;
  /** Taps each side at the level (0 = no blur). */
  radius: number;
  /** Normalised weights for offsets 0..radius (the kernel is symmetric). */
  weights: Float32Array;
}

/**
 * Strength 0..1 → plan. Full-resolution sigma is strength × min(w, h) / 36, so the look does
 * not depend on the camera resolution (10 px at 360p, 30 px at 1080p for strength 1).
 */
export function blurPlan(strength: number, width: number, height: number): BlurPlan {
  const s = Number.isFinite(strength) ? Math.min(Math.max(strength, 0), 1) : 0;
  const sigmaFull = (s * Math.min(width, height)) / 36;
  let factor = 1;
  while (sigmaFull / factor > MAX_LEVEL_SIGMA && factor < MAX_FACTOR) factor *= 2;
  // Box-down plus bilinear-up add about factor²/4 of variance; subtracting it keeps the
  // apparent blur continuous when strength crosses a factor boundary.
  const sigma = factor === 1 ? sigmaFull : Math.sqrt(Math.max(sigmaFull * sigmaFull - (factor * factor) / 4, 0)) / factor;
  const radius = sigma < 0.2 ? 0 : Math.min(Math.ceil(3 * sigma), MAX_BLUR_RADIUS);
  const weights = new Float32Array(radius + 1);
  let sum = 0;
  for (let k = 0; k <= radius; k++) {
    const w = radius === 0 ? 1 : Math.exp(-(k * k) / (2 * sigma * sigma));
    weights[k] = w;
    sum += k === 0 ? w : 2 * w;
  }
  for (let k = 0; k <= radius; k++) weights[k] /= sum;
  return { factor, levelWidth: Math.ceil(width / factor), levelHeight: Math.ceil(height / factor), sigma, radius, weights };
}

/** Light-wrap taps: 8 directions at two distances. Sizes bg-replace.wgsl's offset array. */
export const LIGHT_WRAP_TAPS = 16;

/**
 * Integer pixel offsets (x, y pairs) of the LIGHT_WRAP_TAPS light-wrap taps: 8 directions at
 * distance d and d/2, with d about 1/90 of the short side (4 px at 360p, 12 px at 1080p).
 */
export function lightWrapOffsets(width: number, height: number): Int32Array {
  const d = Math.max(2, Math.round(Math.min(width, height) / 90));
  const out = new Int32Array(2 * LIGHT_WRAP_TAPS);
  const dirs = [[1, 0], [-1, 0], [0, 1], [0, -1], [Math.SQRT1_2, Math.SQRT1_2], [-Math.SQRT1_2, Math.SQRT1_2], [Math.SQRT1_2, -Math.SQRT1_2], [-Math.SQRT1_2, -Math.SQRT1_2]];
  let i = 0;
  for (const r of [d, Math.max(1, Math.round(d / 2))]) {
    for (const [dx, dy] of dirs) { out[i++] = Math.round(dx * r); out[i++] = Math.round(dy * r); }
  }
  return out;
}

/**
 * Cover-fit of an iw×ih image onto a w×h output: image pixel coordinate of output pixel
 * centre x is (x + 0.5) * scale + offsetX (same for y). Fills the output, crops the overflow.
 */
export function coverMapping(iw: number, ih: number, w: number, h: number): { scale: number; offsetX: number; offsetY: number } {
  const scale = Math.min(iw / w, ih / h);
  return { scale, offsetX: (iw - w * scale) / 2, offsetY: (ih - h * scale) / 2 };
}

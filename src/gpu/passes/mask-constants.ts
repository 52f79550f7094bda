/**
 * Fixed constants of the mask refinement passes and the small pure maps from their knobs to
 * shader parameters. Kept free of GPU objects so the TypeScript references in tests (which run
 * under Node) import the same numbers as the passes.
 */

/** Gaussian sigma (mask px) of contour smoothing at smoothContour = 1. */
export const SMOOTH_MAX_SIGMA = 2;
/** Largest contour-smoothing tap radius: 3 sigma at SMOOTH_MAX_SIGMA; sizes the shader's weights. */
export const SMOOTH_MAX_RADIUS = Math.ceil(3 * SMOOTH_MAX_SIGMA);
/** Frame change (max over RGB in [0,1], 3x3 max) below which a pixel counts as static… */
export const MOTION_LO = 0.05;
/** …and above which it counts as moving (hold band 0: the raw mask passes through). */
export const MOTION_HI = 0.15;
/**
 * Half-width of the hold band at temporal = 1. Where the picture is static the mask holds
 * its value until the model moves further than this from it: webcam noise and the model's
 * revisions next to a moving person are mostly smaller, and an EMA only delays them.
 */
export const TEMPORAL_BAND_MAX = 0.2;
/**
 * A one-frame model change beyond SNAP_LO·band starts closing the band, beyond SNAP_HI·band
 * the mask follows raw exactly: a change that large is a real edge moving through a region
 * with no local picture change (a uniform sleeve), not flicker.
 */
export const TEMPORAL_SNAP_LO = 1.5;
export const TEMPORAL_SNAP_HI = 3;
/** Joint bilateral upsampling: tent half-width in mask pixels (1 = bilinear footprint)… */
export const JBU_RADIUS = 1;
/** …and range sigma on RGB distance in [0,1]. */
export const JBU_SIGMA_RANGE = 0.2;
/** Smallest range weight, so a pixel unlike every nearby sample falls back to spatial weights. */
export const JBU_RANGE_FLOOR = 1e-4;

/** Half-width of the temporal hold band on P(person) for a temporal strength (0 = off). */
export function temporalBand(temporal: number): number {
  return TEMPORAL_BAND_MAX * Math.min(1, Math.max(0, temporal));
}

/** Normalised one-sided Gaussian weights w[0..r] (w[0] is the centre tap). */
export function gaussianWeights(sigma: number, radius: number): Float32Array {
  const w = new Float32Array(radius + 1);
  if (radius === 0 || sigma <= 0) { w[0] = 1; return w; }
  let sum = 0;
  const raw: number[] = [];
  for (let k = 0; k <= radius; k++) {
    const v = Math.exp(-(k * k) / (2 * sigma * sigma));
    raw.push(v);
    sum += k === 0 ? v : 2 * v;
  }
  for (let k = 0; k <= radius; k++) w[k] = raw[k] / sum;
  return w;
}

/** Sigma and tap radius of contour smoothing for a smoothContour value. */
export function smoothKernel(smoothContour: number): { sigma: number; radius: number } {
  const sigma = SMOOTH_MAX_SIGMA * Math.min(1, Math.max(0, smoothContour));
  return { sigma, radius: sigma <= 0 ? 0 : Math.ceil(3 * sigma) };
}

/** Sigma and tap radius of feathering for a radius in full-resolution pixels, at most `maxRadius`. */
export function featherKernel(feather: number, maxRadius: number): { sigma: number; radius: number } {
  const radius = Math.round(Math.min(maxRadius, Math.max(0, feather)));
  return { sigma: radius / 2, radius };
}

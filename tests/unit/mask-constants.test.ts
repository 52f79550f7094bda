import { describe, expect, it } from 'vitest';
import { featherKernel, gaussianWeights, SMOOTH_MAX_RADIUS, smoothKernel, temporalBand, TEMPORAL_BAND_MAX } from '../../src/gpu/passes/mask-constants.ts';
import { clampMaskOptions, MAX_FEATHER } from '../../src/segment/mask-options.ts';

describe('mask pass constants', () => {
  it('sizes the smoothing shader for the widest kernel smoothKernel asks for', () => {
    expect(smoothKernel(1).radius).toBe(SMOOTH_MAX_RADIUS);
    for (const s of [0, 0.1, 0.25, 0.5, 0.99, 1, 2]) expect(smoothKernel(s).radius).toBeLessThanOrEqual(SMOOTH_MAX_RADIUS);
  });

  it('clamps feathering to the capacity the pass was built for', () => {
    expect(featherKernel(1000, MAX_FEATHER).radius).toBe(MAX_FEATHER);
    expect(featherKernel(clampMaskOptions({ feather: 1000 }).feather, MAX_FEATHER).radius).toBe(MAX_FEATHER);
    expect(featherKernel(-3, MAX_FEATHER)).toEqual({ sigma: 0, radius: 0 });
  });

  it('normalises one-sided Gaussian weights over both sides', () => {
    for (const [sigma, r] of [[0.5, 2], [2, 6], [12, 24]] as const) {
      const w = gaussianWeights(sigma, r);
      let sum = w[0]!;
      for (let k = 1; k <= r; k++) sum += 2 * w[k]!;
      expect(sum).toBeCloseTo(1, 6);
    }
    expect(Array.from(gaussianWeights(0, 0))).toEqual([1]);
  });

  it('maps temporal strength onto the hold band, clamped', () => {
    expect(temporalBand(1)).toBe(TEMPORAL_BAND_MAX);
    expect(temporalBand(5)).toBe(TEMPORAL_BAND_MAX);
    expect(temporalBand(-1)).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKernelSession, type KernelSession } from '../reference/session.ts';
import { readVideoFrames, rgbToRgba } from '../reference/image-io.ts';
import { shared } from '../helpers/media.ts';
import type { TemporalMetrics } from './pages/temporal.page.ts';

let s: KernelSession;
beforeAll(async () => { s = await openKernelSession(); });
afterAll(async () => { await s?.close(); });

// Measured on real webcam clips through the real model (wasm) and the GPU refiner, temporal
// smoothing at its default vs off. The shared clips were H.264-encoded, which wipes out a
// webcam's sensor noise in static areas (skip blocks), and sensor noise is what makes a
// segmentation mask flicker; so each frame gets fresh Gaussian noise of σ = 3/255, a typical
// indoor webcam, before it reaches the model. "Static background": pixels whose 3×3
// neighbourhood changed by < 0.02 in the clean frames and that the raw model calls background
// in both frames; "moving": pixels whose clean neighbourhood changed by > 0.1 (hands signing).
const NOISE_SIGMA = 3;

/** Adds seeded Gaussian noise to RGBA bytes (alpha untouched). */
function withSensorNoise(rgba: Uint8Array, seed: number): Uint8Array {
  let state = seed >>> 0 || 1;
  const uniform = () => { state ^= state << 13; state ^= state >>> 17; state ^= state << 5; return ((state >>> 0) + 0.5) / 4294967296; };
  const out = new Uint8Array(rgba.length);
  for (let i = 0; i < rgba.length; i++) {
    if (i % 4 === 3) { out[i] = rgba[i]; continue; }
    const g = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    out[i] = Math.max(0, Math.min(255, Math.round(rgba[i] + NOISE_SIGMA * g)));
  }
  return out;
}
describe('temporal mask smoothing on webcam clips', () => {
  for (const [clip, start] of [['webcam_man_640x480_30fps.mp4', 1], ['webcam_woman_640x480_30fps.mp4', 2]] as const) {
    it(`${clip}: at most half the raw model's background change, no lagging edge on moving hands`, async () => {
      const frames = readVideoFrames(shared(`media/${clip}`), start, 30, 320, 240);
      const inputs = frames.map((f, i) => {
        const clean = rgbToRgba(f);
        return { camera: s.bytes.put(withSensorNoise(clean, 1234 + i)), clean: s.bytes.put(clean) };
      });
      const m = await s.call<TemporalMetrics>('/tests/browser/pages/temporal.page.ts', 'temporalRun', inputs, 320, 240);
      s.bytes.clear();
      console.log(`${clip}: ${JSON.stringify(m)}`);
      expect(m.staticPixels).toBeGreaterThan(10_000);
      expect(m.movingPixels).toBeGreaterThan(1_000);
      // Done-means of the issue: smoothing at least halves the frame-to-frame mask change in
      // the static background compared with the raw model. Measured here as mean |m_t − m_{t−1}|
      // of the refined 8-bit mask vs the raw model mask (bilinear to 320×240) over the static
      // pixels defined above, 29 frame pairs. Observed at the default (hold band ±0.16):
      // 0.38× (man) and 0.37× (woman); the refiner with temporal off gives 0.77× and 0.85×, and
      // the earlier EMA (blend 0.4) 0.58× and 0.66×, so neither passes. Most of the raw change
      // here is the model revising P(person) next to moving hands, not noise (without the added
      // noise it is still 0.69× / 0.72× as large), and an EMA only delays such changes.
      expect(m.flickerTemporal).toBeLessThanOrEqual(0.5 * m.flickerRaw);
      expect(m.flickerTemporal).toBeLessThan(0.6 * m.flickerNoTemporal);
      // Where the picture moves the smoothing steps aside: the person is not left behind.
      expect(m.lagMissRate).toBeLessThan(0.02);
      expect(m.movingDiff).toBeLessThan(0.05);
    });
  }

  // A camera on a tripod and a person holding still: one real frame, fresh sensor noise per
  // frame. Whatever the mask does here is flicker, nothing else. Observed 0.18× (man) and
  // 0.22× (woman) of the raw change; the rest is the upsampler following the noisy camera.
  for (const clip of ['webcam_man_640x480_30fps.mp4', 'webcam_woman_640x480_30fps.mp4']) {
    it(`${clip}, held still: temporal smoothing at least halves the raw model's flicker`, async () => {
      const [frame] = readVideoFrames(shared(`media/${clip}`), 1, 1, 320, 240);
      const clean = rgbToRgba(frame);
      const cleanUrl = s.bytes.put(clean);
      const inputs = Array.from({ length: 24 }, (_, i) => ({ camera: s.bytes.put(withSensorNoise(clean, 99 + i)), clean: cleanUrl }));
      const m = await s.call<TemporalMetrics>('/tests/browser/pages/temporal.page.ts', 'temporalRun', inputs, 320, 240);
      s.bytes.clear();
      console.log(`${clip} held: ${JSON.stringify(m)}`);
      expect(m.movingPixels).toBe(0);
      expect(m.flickerRaw).toBeGreaterThan(0);
      expect(m.flickerTemporal).toBeLessThanOrEqual(0.5 * m.flickerRaw);
      expect(m.flickerTemporal).toBeLessThan(m.flickerNoTemporal);
    });
  }
});

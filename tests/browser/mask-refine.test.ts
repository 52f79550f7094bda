/**
 * Mask refinement passes on real data: each pass vs its TypeScript reference
 * (tests/reference/mask.ts), edge-aware vs bilinear IoU on the 20 DAVIS pairs, and the
 * MaskRefiner chain. Soft masks are derived from ground truth (area downscale + blur), as no
 * model runs here; temporal inputs come from consecutive webcam frames.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { callInPage, launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { shared } from '../helpers/media.ts';
import { readImage, readMaskPng, readVideoFrames, rgbToNchw, rgbToRgba } from '../reference/image-io.ts';
import { iou, mean } from '../reference/iou.ts';
import { maskBounds } from '../../src/segment/person-crop.ts';
import { areaDownscale, featherRef, gaussianBlur, morphRef, smoothRef, temporalRef, thresholdRef, toByte, upsampleRef, resizeToNchw, type Plane } from '../reference/mask.ts';
import { DEFAULT_MASK_OPTIONS } from '../../src/segment/mask-options.ts';
import { JBU_RADIUS, JBU_RANGE_FLOOR, JBU_SIGMA_RANGE, MOTION_HI, MOTION_LO, TEMPORAL_SNAP_HI, TEMPORAL_SNAP_LO, temporalBand } from '../../src/gpu/passes/mask-constants.ts';

const PAGE = '/tests/browser/pages/mask-refine.page.ts';
const W = 640, H = 360, MW = 256, MH = 144;
/** f32 passes: GPU f32 vs double-precision reference. */
const F32_TOL = 1e-5;
/** 8-bit outputs: one rounding step. */
const U8_TOL = 1;

const b64 = (a: Float32Array | Uint8Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const f32 = (s: string): Float32Array => { const b = Buffer.from(s, 'base64'); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
const u8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
const upParams = (edgeAware: boolean) => ({ edgeAware, radius: JBU_RADIUS, sigmaRange: JBU_SIGMA_RANGE, rangeFloor: JBU_RANGE_FLOOR });
const temporalParams = (strength: number) => {
  const band = temporalBand(strength);
  return { band, motionLo: MOTION_LO, motionHi: MOTION_HI, snapLo: TEMPORAL_SNAP_LO * band, snapHi: TEMPORAL_SNAP_HI * band };
};

interface Pair { gt: Uint8Array; rgba: Uint8Array; low: Float32Array; soft: Plane; area: Plane }
let pairs: Pair[] = [];
let browser: Browser;
let server: ViteDevServer;
let wp: WatchedPage;

beforeAll(async () => {
  pairs = Array.from({ length: 20 }, (_, i) => {
    const id = String(i + 1).padStart(3, '0');
    const gt = readMaskPng(shared(`media/segmentation/${id}.png`), W, H).data;
    const rgb = readImage(shared(`media/segmentation/${id}.jpg`), W, H, 3);
    const area = areaDownscale(gt, W, H, MW, MH);
    // A model's output is softer than area-averaged ground truth: blur by one mask pixel.
    return { gt, rgba: rgbToRgba(rgb), low: resizeToNchw(rgb.data, W, H, MW, MH), area, soft: gaussianBlur(area, 1) };
  });
  const s = await startServer();
  server = s.server;
  browser = await launchChromium();
  wp = await openPage(browser, s.url, '/tests/browser/blank.html');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('mask refinement passes', () => {
  it('threshold, morph and smooth match the reference on GT-derived soft masks', async () => {
    const cases: { c: Record<string, unknown>; ref: Float32Array }[] = [];
    for (const p of [pairs[0], pairs[14]]) {
      const hard = thresholdRef(p.soft, 0.5, 0.3);
      for (const [t, s] of [[0.5, 0.3], [0.4, 0], [0.6, 1]]) cases.push({ c: { pass: 'threshold', src: b64(p.soft.data), threshold: t, softness: s }, ref: thresholdRef(p.soft, t, s).data });
      for (const n of [3, -2, 0]) cases.push({ c: { pass: 'morph', src: b64(hard.data), expand: n }, ref: morphRef(hard, n).data });
      for (const s of [0.25, 1, 0]) cases.push({ c: { pass: 'smooth', src: b64(hard.data), smoothContour: s }, ref: smoothRef(hard, s).data });
    }
    const out = await callInPage<string[]>(wp.page, PAGE, 'maskPasses', cases.map((x) => ({ ...x.c, width: MW, height: MH })));
    const diffs = out.map((o, i) => maxDiff(f32(o), cases[i].ref));
    console.log('threshold/morph/smooth max |gpu - ref|:', diffs.map((d) => d.toExponential(1)).join(' '));
    for (const d of diffs) expect(d).toBeLessThanOrEqual(F32_TOL);
  });

  it('temporal hold matches the reference on webcam frames, kills flicker, lets motion through, 0 is off', async () => {
    const n = 12, size = 256;
    const frames = readVideoFrames(shared('media/webcam_woman_640x480_30fps.mp4'), 2, n, size, size).map(rgbToNchw);
    // Raw masks: a luma-driven soft mask plus per-frame noise standing in for model flicker.
    const raws = frames.map((f, t) => {
      const m = new Float32Array(size * size);
      for (let i = 0; i < m.length; i++) {
        const luma = 0.299 * f[i] + 0.587 * f[size * size + i] + 0.114 * f[2 * size * size + i];
        const noise = (((Math.imul(i + 1, 2654435761) ^ Math.imul(t + 7, 40503)) >>> 0) % 1000) / 1000 - 0.5;
        m[i] = Math.min(1, Math.max(0, 1.5 * luma - 0.25 + 0.2 * noise));
      }
      return m;
    });
    const strength = DEFAULT_MASK_OPTIONS.temporal, resetAt = [7];
    const run = (s: number) => callInPage<string[]>(wp.page, PAGE, 'temporal', { width: size, height: size, strength: s, raws: raws.map(b64), frames: frames.map(b64), resetAt });
    const gpu = (await run(strength)).map(f32);
    const off = (await run(0)).map(f32);
    const params = temporalParams(strength);
    let prev: Plane | null = null;
    let worst = 0, farthest = 0, flickerRaw = 0, flickerOut = 0, lag = 0, moving = 0, still = 0, snapped = 0, snapMiss = 0, closing = 0;
    for (let t = 0; t < n; t++) {
      const first = t === 0 || resetAt.includes(t);
      const ref: Plane = temporalRef({ width: size, height: size, data: raws[t] }, frames[t], first ? null : prev, first ? null : frames[t - 1], params);
      worst = Math.max(worst, maxDiff(gpu[t], ref.data));
      // The hold never strays further than the band from the model.
      farthest = Math.max(farthest, maxDiff(gpu[t], raws[t]));
      expect(maxDiff(off[t], raws[t])).toBe(0);
      if (first) expect(maxDiff(gpu[t], raws[t])).toBe(0);
      else {
        for (let i = 0; i < size * size; i++) {
          let d = 0;
          for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(frames[t][c * size * size + i] - frames[t - 1][c * size * size + i]));
          if (d < MOTION_LO / 2) { still++; flickerRaw += Math.abs(raws[t][i] - raws[t - 1][i]); flickerOut += Math.abs(gpu[t][i] - gpu[t - 1][i]); }
          if (d > MOTION_HI) { moving++; lag += Math.abs(gpu[t][i] - raws[t][i]); }
          // A one-frame model jump this large is followed exactly even where nothing moved.
          const jump = Math.abs(raws[t][i] - gpu[t - 1][i]);
          if (jump >= params.snapHi) { snapped++; if (gpu[t][i] !== raws[t][i]) snapMiss++; } else if (jump > params.snapLo) closing++;
        }
      }
      prev = { width: size, height: size, data: gpu[t] };
    }
    console.log(`temporal: max |gpu - ref| ${worst.toExponential(1)}; max |gpu - raw| ${farthest.toFixed(4)} (band ${params.band}); static flicker raw ${(flickerRaw / still).toFixed(4)} → ${(flickerOut / still).toFixed(4)}; lag on moving pixels ${(lag / Math.max(1, moving)).toExponential(1)} (${moving} px); jumps snapped ${snapped}, band closing ${closing}`);
    expect(worst).toBeLessThanOrEqual(F32_TOL);
    expect(farthest).toBeLessThanOrEqual(params.band + F32_TOL);
    expect(flickerOut / still).toBeLessThan(0.6 * (flickerRaw / still));
    expect(moving).toBeGreaterThan(100);
    expect(lag / moving).toBeLessThan(1e-3);
    expect(snapped).toBeGreaterThan(10);
    expect(closing).toBeGreaterThan(100);
    expect(snapMiss).toBe(0);
  });

  it('upsampling (bilinear and edge-aware) and feather match the reference to 1/255', async () => {
    const sel = [pairs[0], pairs[14]];
    const res = await callInPage<string[][]>(wp.page, PAGE, 'upsample', sel.map((p) => ({
      maskWidth: MW, maskHeight: MH, masks: [b64(p.soft.data)], low: b64(p.low), guide: b64(p.rgba), width: W, height: H, edgeAware: [false, true],
    })));
    const diffs: number[] = [];
    sel.forEach((p, k) => [false, true].forEach((ea, j) => {
      const ref = Uint8Array.from(upsampleRef(p.soft, p.low, p.rgba, W, H, upParams(ea)), toByte);
      diffs.push(maxDiff(u8(res[k][j]), ref));
    }));
    // A person-centred crop: the mask covers part of the frame, nothing outside it.
    const region = { x: 150, y: 37, width: 301, height: 260 };
    const cropRes = await callInPage<string[][]>(wp.page, PAGE, 'upsample', [{
      maskWidth: MW, maskHeight: MH, masks: [b64(sel[1].soft.data)], low: b64(sel[1].low), guide: b64(sel[1].rgba), width: W, height: H, edgeAware: [false, true], region,
    }]);
    [false, true].forEach((ea, j) => diffs.push(maxDiff(u8(cropRes[0][j]), Uint8Array.from(upsampleRef(sel[1].soft, sel[1].low, sel[1].rgba, W, H, upParams(ea), region), toByte))));
    const up8 = u8(res[0][1]);
    const radii = [3, 8];
    const fe = await callInPage<string[]>(wp.page, PAGE, 'feather', { width: W, height: H, mask: b64(up8), radii });
    radii.forEach((r, i) => diffs.push(maxDiff(u8(fe[i]), featherRef(up8, W, H, r))));
    console.log('upsample bilinear/edge-aware, the same over a crop region, feather 3/8: max |gpu - ref| in 1/255 steps:', diffs.join(' '));
    for (const d of diffs) expect(d).toBeLessThanOrEqual(U8_TOL);
  });

  it('person bounds on the GPU match the CPU (maskBounds) on the 20 DAVIS masks and an empty one', async () => {
    const masks = [...pairs.map((p) => p.soft.data), new Float32Array(MW * MH)];
    const got = await callInPage<({ x: number; y: number; width: number; height: number } | null)[]>(wp.page, PAGE, 'bounds', { width: MW, height: MH, masks: masks.map((m) => b64(m)) });
    const want = masks.map((m) => maskBounds(m, MW, MH));
    console.log(`mask bounds: ${got.filter(Boolean).length} people found, e.g. ${JSON.stringify(got[0])}`);
    expect(got).toEqual(want);
    expect(got[20]).toBeNull();
  });

  it('edge-aware upsampling beats bilinear on mean IoU over the 20 DAVIS pairs', async () => {
    const scores = { soft: { bil: [] as number[], jbu: [] as number[] }, area: { bil: [] as number[], jbu: [] as number[] } };
    for (let k = 0; k < pairs.length; k += 5) {
      const chunk = pairs.slice(k, k + 5);
      const res = await callInPage<string[][]>(wp.page, PAGE, 'upsample', chunk.map((p) => ({
        maskWidth: MW, maskHeight: MH, masks: [b64(p.soft.data), b64(p.area.data)], low: b64(p.low), guide: b64(p.rgba), width: W, height: H, edgeAware: [false, true],
      })));
      chunk.forEach((p, i) => (['soft', 'area'] as const).forEach((kind, j) => {
        scores[kind].bil.push(iou(u8(res[i][2 * j]), p.gt, 255));
        scores[kind].jbu.push(iou(u8(res[i][2 * j + 1]), p.gt, 255));
      }));
    }
    const m = (xs: number[]): string => mean(xs).toFixed(4);
    console.log(`mean IoU, GT area-downscaled + blur σ=1 (model-like): bilinear ${m(scores.soft.bil)}, edge-aware ${m(scores.soft.jbu)}`);
    console.log(`mean IoU, GT area-downscaled only (ideal): bilinear ${m(scores.area.bil)}, edge-aware ${m(scores.area.jbu)}`);
    expect(mean(scores.soft.jbu)).toBeGreaterThan(mean(scores.soft.bil));
  });

  it('MaskRefiner runs the chain like the references, reuses its output and rebuilds on resize', async () => {
    const size = 256;
    const clip = shared('media/webcam_man_640x480_30fps.mp4');
    const low = readVideoFrames(clip, 3, 3, size, size);
    const full = readVideoFrames(clip, 3, 3, 640, 480);
    const big = readVideoFrames(clip, 3, 1, 1280, 720)[0];
    const lows = low.map(rgbToNchw);
    const masks = lows.map((f) => Float32Array.from({ length: size * size }, (_, i) => Math.min(1, Math.max(0, 1.6 * f[size * size + i] - 0.3))));
    const options = { threshold: 0.5, softness: 0.4, expand: 1, smoothContour: 0.5, feather: 4, temporal: 0.8, edgeAware: true };
    const frames = [0, 1, 2, 2].map((t, k) => ({ mask: b64(masks[t]), low: b64(lows[t]), guide: b64(rgbToRgba(k === 3 ? big : full[t])), width: k === 3 ? 1280 : 640, height: k === 3 ? 720 : 480 }));
    const r = await callInPage<{ outputs: string[]; sameTexture: boolean[]; sizes: number[][] }>(wp.page, PAGE, 'refiner', { maskWidth: size, maskHeight: size, options, frames, resetAt: [] });
    expect(r.sameTexture).toEqual([false, true, true, false]);
    expect(r.sizes).toEqual([[640, 480], [640, 480], [640, 480], [1280, 720]]);
    // Reference chain for the first two frames (the 8-bit output tolerates one f32 rounding flip per stage).
    const tp = temporalParams(options.temporal);
    let prev: Plane | null = null;
    for (let t = 0; t < 2; t++) {
      const tm = temporalRef({ width: size, height: size, data: masks[t] }, lows[t], prev, t ? lows[t - 1] : null, tp);
      prev = tm;
      const m = smoothRef(morphRef(thresholdRef(tm, options.threshold, options.softness), options.expand), options.smoothContour);
      const up = Uint8Array.from(upsampleRef(m, lows[t], rgbToRgba(full[t]), 640, 480, upParams(true)), toByte);
      const d = maxDiff(u8(r.outputs[t]), featherRef(up, 640, 480, options.feather));
      console.log(`refiner frame ${t}: max |gpu - ref| = ${d}/255`);
      expect(d).toBeLessThanOrEqual(2);
    }
    // Only the favicon may 404 on the blank test page; anything else is a real error.
    expect(wp.consoleErrors.filter((e) => !e.includes('404'))).toEqual([]);
  });
});

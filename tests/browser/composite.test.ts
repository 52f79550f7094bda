/**
 * CompositePass on real webcam frames against the TS reference (tests/reference/resample.ts):
 * identity placement reproduces the input within 1/255; a 2x downscale and a contain-fit
 * upscale match bilinear sampling within 2/255; letterbox bars are exactly opaque black.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../reference/color.ts';
import { decodeFrame } from '../reference/media.ts';
import { compositeReference, type Placement } from '../reference/resample.ts';
import { openKernelSession, type KernelSession } from '../reference/session.ts';

/** Identity sampling hits texel centres exactly; only unorm rounding may differ. */
const IDENTITY_TOLERANCE = 1;
/** Bilinear weights are quantised by the sampler (typically 8 fractional bits). */
const BILINEAR_TOLERANCE = 2;

const WOMAN = { clip: 'webcam_woman_640x480_30fps.mp4', width: 640, height: 480 };
const MAN = { clip: 'webcam_man_1280x720_30fps.mp4', width: 1280, height: 720 };

let session: KernelSession;
beforeAll(async () => { session = await openKernelSession(); });
afterAll(async () => { await session?.close(); });

async function run(src: Uint8Array, sw: number, sh: number, dw: number, dh: number, place: Placement | null): Promise<{ out: Uint8Array; place: Placement }> {
  const out = session.bytes.outPrefix();
  const used = await session.call<Placement>('/tests/browser/pages/composite.page.ts', 'composite', session.bytes.put(src), out, sw, sh, dw, dh, place);
  const rgba = session.bytes.take(out, 'rgba');
  session.bytes.clear();
  return { out: rgba, place: used };
}

function expectClose(label: string, got: Uint8Array, want: Uint8Array, width: number, tolerance: number): void {
  const d = maxAbsDiff(got, want);
  console.log(`[composite] ${label}: max abs diff ${d.max}`);
  if (d.max <= tolerance) return;
  const px = d.at >> 2;
  expect.fail(`${label}: max diff ${d.max} at (${px % width}, ${Math.floor(px / width)}) ch ${d.at & 3}, got ${got[d.at]} want ${want[d.at]}, ${d.over(tolerance)} bytes over ${tolerance}`);
}

describe('CompositePass vs TS reference', () => {
  for (const { clip, width, height } of [WOMAN, MAN]) {
    it(`identity placement reproduces a ${width}x${height} frame (≤ ${IDENTITY_TOLERANCE}/255)`, async () => {
      const src = decodeFrame(clip, 'rgba');
      const { out } = await run(src, width, height, width, height, { x: 0, y: 0, width, height });
      expectClose(`identity ${width}x${height}`, out, src, width, IDENTITY_TOLERANCE);
    });
  }

  it(`2x downscale matches bilinear sampling (≤ ${BILINEAR_TOLERANCE}/255)`, async () => {
    const { clip, width, height } = MAN;
    const src = decodeFrame(clip, 'rgba');
    const place = { x: 0, y: 0, width: width / 2, height: height / 2 };
    const { out } = await run(src, width, height, width / 2, height / 2, place);
    expectClose('2x downscale', out, compositeReference(src, width, height, width / 2, height / 2, place), width / 2, BILINEAR_TOLERANCE);
  });

  it('contain-fit letterbox: black bars, bilinear content', async () => {
    const { clip, width, height } = WOMAN;
    const src = decodeFrame(clip, 'rgba');
    const dw = 1280, dh = 720;
    const { out, place } = await run(src, width, height, dw, dh, null);
    expect(place).toEqual({ x: 160, y: 0, width: 960, height: 720 });
    let barPixels = 0, nonBlack = 0;
    for (let y = 0; y < dh; y++) {
      for (let x = 0; x < dw; x++) {
        if (x >= place.x && x < place.x + place.width) continue;
        const o = (y * dw + x) * 4;
        barPixels++;
        if (out[o] !== 0 || out[o + 1] !== 0 || out[o + 2] !== 0 || out[o + 3] !== 255) nonBlack++;
      }
    }
    expect(barPixels).toBe(2 * 160 * 720);
    expect(nonBlack, 'letterbox pixels that are not opaque black').toBe(0);
    // The columns next to the bars belong to the picture (catches an off-by-one placement).
    expectClose('contain-fit 1.5x upscale', out, compositeReference(src, width, height, dw, dh, place), dw, BILINEAR_TOLERANCE);
  });

  it('left no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});

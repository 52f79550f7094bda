/**
 * RgbaToNv12Pass on real webcam frames against the plain TS reference (BT.709 limited range,
 * chroma from the 2x2 RGB mean): Y and UV planes must match within 2/255 on every sample.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropRgba, maxAbsDiff, rgbaToNv12Bt709Limited } from '../reference/color.ts';
import { decodeFrame } from '../reference/media.ts';
import { openKernelSession, type KernelSession } from '../reference/session.ts';
import type { Nv12Info } from './pages/nv12.page.ts';

/** Colour conversions may differ from the reference by float rounding only. */
const TOLERANCE = 2;

let session: KernelSession;
beforeAll(async () => { session = await openKernelSession(); });
afterAll(async () => { await session?.close(); });

function expectPlane(label: string, got: Uint8Array, want: Uint8Array, rowBytes: number): void {
  const d = maxAbsDiff(got, want);
  console.log(`[nv12] ${label}: max abs diff ${d.max}`);
  if (d.max <= TOLERANCE) return;
  expect.fail(`${label}: max diff ${d.max} at byte (${d.at % rowBytes}, ${Math.floor(d.at / rowBytes)}), got ${got[d.at]} want ${want[d.at]}, ${d.over(TOLERANCE)} bytes over ${TOLERANCE}`);
}

async function check(label: string, rgba: Uint8Array, width: number, height: number): Promise<void> {
  const out = session.bytes.outPrefix();
  const info = await session.call<Nv12Info>('/tests/browser/pages/nv12.page.ts', 'toNv12', session.bytes.put(rgba), out, width, height);
  expect(info).toEqual({ format: 'NV12', codedWidth: width, codedHeight: height, timestamp: 1234, matrix: 'bt709', fullRange: false });
  const want = rgbaToNv12Bt709Limited(rgba, width, height);
  expectPlane(`${label} Y`, session.bytes.take(out, 'y'), want.y, width);
  expectPlane(`${label} UV`, session.bytes.take(out, 'uv'), want.uv, width);
  session.bytes.clear();
}

describe('RgbaToNv12Pass vs TS reference (max abs diff ≤ 2/255)', () => {
  it('640x480 webcam frame', async () => {
    await check('640x480', decodeFrame('webcam_woman_640x480_30fps.mp4', 'rgba'), 640, 480);
  });

  it('1280x720 webcam frame', async () => {
    await check('1280x720', decodeFrame('webcam_man_1280x720_30fps.mp4', 'rgba'), 1280, 720);
  });

  // 642 is even but not a multiple of 4: the pass pads rows to a 4-byte stride.
  it('642x362 crop (row stride padding)', async () => {
    await check('642x362', cropRgba(decodeFrame('webcam_man_1280x720_30fps.mp4', 'rgba'), 1280, 101, 33, 642, 362), 642, 362);
  });

  // A transparent output is encoded as if over black.
  it('premultiplies alpha before converting', async () => {
    const rgba = decodeFrame('webcam_woman_640x480_30fps.mp4', 'rgba').slice();
    for (let i = 0; i < rgba.length; i += 4) rgba[i + 3] = (i >> 2) % 256;
    await check('640x480 alpha ramp', rgba, 640, 480);
  });

  it('left no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});

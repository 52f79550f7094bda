/**
 * The kernels that file processing adds, against plain TS references on real webcam frames:
 * OrientPass (rotation + cut to even: a texel copy, exact), RgbaToNv12AlphaPass (straight colour
 * as BT.709 limited within 2/255 of the reference; alpha picture exact, chroma 128) and
 * MirrorAveragePass (mirror exact, average within 1e-6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropRgba, maxAbsDiff, rgbaToNv12Bt709Limited } from '../reference/color.ts';
import { decodeFrame } from '../reference/media.ts';
import { openKernelSession, type KernelSession } from '../reference/session.ts';
import { averageMirrored, mirrorPlanes } from '../../src/segment/mirror-planes.ts';

let s: KernelSession;
beforeAll(async () => { s = await openKernelSession(); });
afterAll(async () => { await s?.close(); });

const PAGE = '/tests/browser/pages/process-passes.page.ts';

/** TS reference: the picture a clockwise rotation shows, cut to even width and height. */
function orientRef(rgba: Uint8Array, w: number, h: number, rot: 0 | 90 | 180 | 270): { data: Uint8Array; w: number; h: number } {
  const turned = rot === 90 || rot === 270;
  const ow = (turned ? h : w) & ~1, oh = (turned ? w : h) & ~1;
  const out = new Uint8Array(ow * oh * 4);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const [sx, sy] = rot === 90 ? [y, h - 1 - x] : rot === 180 ? [w - 1 - x, h - 1 - y] : rot === 270 ? [w - 1 - y, x] : [x, y];
      out.set(rgba.subarray((sy * w + sx) * 4, (sy * w + sx) * 4 + 4), (y * ow + x) * 4);
    }
  }
  return { data: out, w: ow, h: oh };
}

describe('OrientPass vs TS reference (exact)', () => {
  const frame = decodeFrame('webcam_man_640x480_30fps.mp4', 'rgba');
  // An odd size, so every rotation also cuts a column or a row.
  const w = 321, h = 241, rgba = cropRgba(frame, 640, 100, 60, w, h);
  for (const rot of [0, 90, 180, 270] as const) {
    it(`${w}×${h} turned ${rot}°`, async () => {
      const out = s.bytes.outPrefix();
      const size = await s.call<[number, number]>(PAGE, 'orient', s.bytes.put(rgba), out, w, h, rot);
      const want = orientRef(rgba, w, h, rot);
      expect(size).toEqual([want.w, want.h]);
      const d = maxAbsDiff(s.bytes.take(out, 'rgba'), want.data);
      console.log(`[orient] ${rot}°: ${size.join('×')}, max abs diff ${d.max}`);
      expect(d.max).toBe(0);
      s.bytes.clear();
    });
  }
});

describe('RgbaToNv12AlphaPass vs TS reference', () => {
  it('642×362 webcam crop with an alpha ramp: straight colour ≤ 2/255, alpha exact, alpha chroma 128', async () => {
    const w = 642, h = 362;
    const rgba = cropRgba(decodeFrame('webcam_woman_1280x720_30fps.mp4', 'rgba'), 1280, 101, 33, w, h).slice();
    for (let i = 0; i < rgba.length; i += 4) rgba[i + 3] = (i >> 2) % 256;
    const out = s.bytes.outPrefix();
    const formats = await s.call<string[]>(PAGE, 'nv12Alpha', s.bytes.put(rgba), out, w, h);
    expect(formats).toEqual([`NV12 ${w}x${h} t=5678 d=33333`, `NV12 ${w}x${h} t=5678 d=33333`]);
    const opaque = rgba.slice();
    for (let i = 3; i < opaque.length; i += 4) opaque[i] = 255;
    const want = rgbaToNv12Bt709Limited(opaque, w, h);
    const cy = maxAbsDiff(s.bytes.take(out, 'cy'), want.y), cuv = maxAbsDiff(s.bytes.take(out, 'cuv'), want.uv);
    const alpha = new Uint8Array(w * h).map((_, i) => rgba[i * 4 + 3]!);
    const ay = maxAbsDiff(s.bytes.take(out, 'ay'), alpha);
    const auv = s.bytes.take(out, 'auv');
    console.log(`[nv12-alpha] colour Y ${cy.max}, UV ${cuv.max}; alpha Y ${ay.max}`);
    expect(cy.max).toBeLessThanOrEqual(2);
    expect(cuv.max).toBeLessThanOrEqual(2);
    expect(ay.max).toBe(0);
    expect(auv.every((v) => v === 128)).toBe(true);
    s.bytes.clear();
  });
});

describe('MirrorAveragePass vs TS reference', () => {
  it('mirrors a 256×256 model input from a real frame and averages two real masks', async () => {
    const W = 256, H = 256;
    // A real picture as the model input (NCHW, [0,1]): a 256×256 crop of a webcam frame.
    const crop = cropRgba(decodeFrame('webcam_man_640x480_30fps.mp4', 'rgba'), 640, 190, 100, W, H);
    const x = new Float32Array(3 * W * H);
    for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) x[c * W * H + i] = crop[i * 4 + c]! / 255;
    // Two mask-like planes from real pixels: the red and blue channels.
    const a = x.slice(0, W * H), b = x.slice(2 * W * H);
    const bytes = (f: Float32Array) => new Uint8Array(f.buffer.slice(0));
    const out = s.bytes.outPrefix();
    await s.call(PAGE, 'mirrorAverage', s.bytes.put(bytes(x)), s.bytes.put(bytes(a)), s.bytes.put(bytes(b)), out, W, H);
    const mirrored = new Float32Array(s.bytes.take(out, 'mirrored').slice().buffer);
    const average = new Float32Array(s.bytes.take(out, 'average').slice().buffer);
    expect(Array.from(mirrored)).toEqual(Array.from(mirrorPlanes(x, 3, W, H)));
    const want = averageMirrored(a.slice(), b, W, H);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i]! - average[i]!));
    console.log(`[mirror-average] mirror exact; average max abs diff ${worst}`);
    expect(worst).toBeLessThanOrEqual(1e-6);
    s.bytes.clear();
  });

  it('left no console errors', () => {
    expect(s.errors).toEqual([]);
  });
});
